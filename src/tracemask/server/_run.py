"""Running the app under uvicorn (what ``tracemask serve`` does)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from tracemask.server._app import build_app
from tracemask.server._config import Config

#: uvicorn's graceful shutdown: in-flight requests get this long after SIGTERM.
GRACEFUL_SHUTDOWN_S = 10


def configure_logging(level: str) -> None:
    """One line per event on stderr. The server never logs a value from a request."""
    logger = logging.getLogger("tracemask")
    if not any(getattr(h, "_tracemask", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s tracemask: %(message)s"))
        handler._tracemask = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False


def run_server(config: Config) -> None:
    """Serve ``config`` until SIGINT/SIGTERM (SIGHUP reloads)."""
    settings = config.settings
    configure_logging(settings.log_level)
    app = build_app(config)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,  # ours logs the route, never the query string
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
    )

"""``tracemask serve``: the masking service, as an ASGI app.

Endpoints: ``POST /langfuse/mask`` (Langfuse's ingestion-masking callback), ``POST /v1/traces``
and ``/v1/logs`` (OTLP/HTTP receiver and gateway), ``POST /v1/mask`` (any JSON), ``GET
/healthz``, ``/readyz``, ``/metrics``. See ``docs/server.md``.

>>> from tracemask.server import create_app
>>> app = create_app("tracemask.yaml")        # doctest: +SKIP
>>> # uvicorn.run(app, host="127.0.0.1", port=4318)

Importing this package is cheap: Starlette, uvicorn and the rest load when an app is built
(they come with ``pip install 'tracemask[server]'``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from tracemask.server._config import Config, ConfigError, ConfigSource, load_config

if TYPE_CHECKING:
    from starlette.types import ASGIApp

__all__ = ["Config", "ConfigError", "ConfigSource", "create_app", "load_config"]


def create_app(config: Config | ConfigSource | str | os.PathLike[str] | None = None) -> ASGIApp:
    """Build the ASGI app.

    Args:
        config: a loaded :class:`Config`, a :class:`ConfigSource`, the path of a config file
            (a policy YAML with an optional ``server:`` section), or ``None`` for
            ``$TRACEMASK_CONFIG`` and ``TRACEMASK_*`` variables.

    Raises:
        ConfigError: the configuration is invalid (one line naming the file and field).
    """
    from tracemask.server._app import build_app  # noqa: PLC0415 - needs the server extra

    if not isinstance(config, Config):
        if config is None or isinstance(config, ConfigSource):
            config = load_config(config)
        else:
            config = load_config(ConfigSource(path=os.fspath(config)))
    return build_app(config)

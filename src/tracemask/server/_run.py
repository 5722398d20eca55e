"""Running the app under uvicorn (what ``tracemask serve`` does), hardened for the open network.

uvicorn's HTTP/1.1 protocol is extended (:class:`GuardedH11Protocol`) with what it lacks:

- a **header timeout**: a connection must deliver a request's headers within
  ``limits.header_timeout_s`` of connecting or of its previous answer (uvicorn closes idle
  kept-alive connections, but never one that sends a header a byte at a time);
- a **connection cap** (``limits.max_connections``, lowered to fit the file-descriptor limit):
  over it, the oldest connection still waiting for its headers is closed, else the new one, so
  a flood of slow clients cannot keep ``/healthz`` or real clients out;
- floods are logged once per interval, never a traceback per connection.

With ``workers > 1`` uvicorn's supervisor runs that many processes on one socket; each loads
the configuration again from the same :class:`ConfigSource` (passed in an environment
variable). SIGTERM drains: no new connections, in-flight requests get
:data:`GRACEFUL_SHUTDOWN_S` to finish.

With ``presidio_port`` both ports are bound here, before any worker starts, and handed to
uvicorn as one list of sockets: every worker accepts on both, and the app tells them apart by
a connection's local port (:meth:`RouteTable.route_for`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import math
import os
import socket
import sys
import time
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors import Multiprocess

from tracemask.server._app import build_app
from tracemask.server._config import Config, ConfigSource, LimitSettings, load_config
from tracemask.server._throttle import Throttled

log = logging.getLogger("tracemask.server")

#: uvicorn's graceful shutdown: in-flight requests get this long after SIGTERM.
GRACEFUL_SHUTDOWN_S = 10
#: How long uvicorn's supervisor waits for a worker to start (and to answer a ping).
WORKER_STARTUP_S = 60
#: Where a worker process finds its configuration source (JSON of :class:`ConfigSource`).
SOURCE_ENV = "TRACEMASK__SERVE_SOURCE"
#: Descriptors kept free for everything but client connections (upstream, sink, logs).
_FD_RESERVE = 64

#: uvicorn's exit status when it could not start (uvicorn.run exits with it too).
STARTUP_FAILURE = 3

_flood = Throttled(log)


def raise_fd_limit() -> int:
    """Raise the soft descriptor limit to the hard one; return the soft limit in force."""
    try:
        import resource  # noqa: PLC0415 - POSIX only
    except ImportError:  # Windows: no such limit to fit under
        return 1 << 20
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            pass
    return soft


def connection_cap(limits: LimitSettings, fd_limit: int) -> int:
    """``max_connections``, lowered so that accept() never runs out of descriptors."""
    return max(1, min(limits.max_connections, fd_limit - _FD_RESERVE))


class CoalescingTransport:
    """A transport whose writes in one turn of the event loop leave as one ``send``.

    uvicorn's h11 protocol writes a response's head and its body apart: two syscalls and, with
    ``TCP_NODELAY``, two segments, so a waiting client may wake (and be scheduled) twice per
    answer. Here they are joined and written at the end of the loop's turn, which is when the
    handler has sent both. Past :attr:`FLUSH_AT` bytes pending they are written at once, so that
    a large or streamed answer reaches the transport's own buffer and its flow control as
    before. Closing writes what is pending first; aborting drops it. Everything else is the
    wrapped transport's.
    """

    FLUSH_AT = 64 * 1024

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []
        self._size = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not data:
            return
        if not self._pending:
            self._loop.call_soon(self.flush)
        self._pending.append(data if isinstance(data, bytes) else bytes(data))
        self._size += len(data)
        if self._size >= self.FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        """Write what is pending now (a closing transport takes nothing more)."""
        if not self._pending:
            return
        data = self._pending[0] if len(self._pending) == 1 else b"".join(self._pending)
        self._pending.clear()
        self._size = 0
        if not self._transport.is_closing():
            self._transport.write(data)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._size = 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header timeout and a connection cap (see the module)."""

    #: Set per process by :func:`configure_network` before serving.
    header_timeout_s: float = 10.0
    max_connections: int = 1000

    _header_timer: asyncio.TimerHandle | None = None
    _waiting_since: float = 0.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = CoalescingTransport(transport, self.loop)  # type: ignore[assignment]
        self._waiting_since = time.monotonic()
        if len(self.connections) > self.max_connections:
            victim = self._oldest_waiting() or self
            _flood.warn(
                "connections",
                "%d connections open (limit %d): closing the oldest waiting for headers",
                len(self.connections),
                self.max_connections,
            )
            victim._drop()
            if victim is self:
                return
        self._arm_header_timer()

    def _awaiting_headers(self) -> bool:
        """Between requests: no request is being answered (a new one's headers are due)."""
        return self.cycle is None or self.cycle.response_complete

    def _oldest_waiting(self) -> GuardedH11Protocol | None:
        oldest: GuardedH11Protocol | None = None
        for conn in self.connections:
            if (
                conn is not self
                and isinstance(conn, GuardedH11Protocol)
                and conn._awaiting_headers()
                and not conn.transport.is_closing()
                and (oldest is None or conn._waiting_since < oldest._waiting_since)
            ):
                oldest = conn
        return oldest

    def _drop(self) -> None:
        self._cancel_header_timer()
        self.transport.abort()

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._header_timeout)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timeout(self) -> None:
        self._header_timer = None
        if self._awaiting_headers() and not self.transport.is_closing():
            _flood.warn("header_timeout", "closing a connection that sent no complete headers")
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        waiting = self._awaiting_headers()
        super().data_received(data)
        if self._awaiting_headers():
            if not waiting:  # an answer just completed: the next request's clock starts
                self._waiting_since = time.monotonic()
            self._arm_header_timer()
        else:
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._waiting_since = time.monotonic()
        if self.conn.our_state is not h11.MUST_CLOSE and not self.transport.is_closing():
            self._cancel_header_timer()
            self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)


def configure_network(limits: LimitSettings) -> int:
    """Apply the network limits of this process; return the connection cap in force."""
    cap = connection_cap(limits, raise_fd_limit())
    GuardedH11Protocol.header_timeout_s = limits.header_timeout_s
    GuardedH11Protocol.max_connections = cap
    return cap


class _ThrottleFilter(logging.Filter):
    """uvicorn logs one warning per malformed request ("Invalid HTTP request received."): once
    per interval per message instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        return _flood.warn(f"uvicorn:{record.msg}", "uvicorn: %s", record.getMessage()) and False


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
    uvicorn_error = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _ThrottleFilter) for f in uvicorn_error.filters):
        uvicorn_error.addFilter(_ThrottleFilter())


def _source_to_env(source: ConfigSource) -> str:
    data = dataclasses.asdict(source)
    data.pop("env", None)  # the workers inherit the environment itself
    return json.dumps(data)


def app_from_env() -> Any:
    """The app of one worker process: the parent's configuration source, loaded again."""
    data = json.loads(os.environ[SOURCE_ENV])
    config = load_config(ConfigSource(**data))
    configure_logging(config.settings.log_level)
    configure_network(config.settings.limits)
    return build_app(config)


def _uvicorn_options(config: Config) -> dict[str, Any]:
    s = config.settings
    return {
        "host": s.host,
        "port": s.port,
        "log_level": s.log_level,
        "access_log": False,  # ours logs the route, never the query string
        "server_header": False,
        "lifespan": "on",
        "http": GuardedH11Protocol,
        "timeout_keep_alive": max(1, math.ceil(s.limits.keep_alive_s)),
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_S,
    }


def _bind(config: Config) -> list[socket.socket]:
    """The listening sockets: the main port, then the Presidio port (uvicorn binds, logs and
    exits with its start-up failure status when a port is taken)."""
    s = config.settings
    ports = [s.port] if s.presidio_port is None else [s.port, s.presidio_port]
    app = f"{__name__}:app_from_env"  # not loaded: only binding
    # Our options, not uvicorn's defaults: a Config configures uvicorn's loggers when made, and
    # with its default it would turn uvicorn's access log back on (client address, path and
    # query string of every request, on every request).
    options = {**_uvicorn_options(config), "host": s.host}
    return [uvicorn.Config(app, **{**options, "port": port}).bind_socket() for port in ports]


def run_server(config: Config) -> None:
    """Serve ``config`` until SIGINT/SIGTERM (SIGHUP reloads; with workers, restarts them)."""
    settings = config.settings
    configure_logging(settings.log_level)
    if settings.workers > 1:
        os.environ[SOURCE_ENV] = _source_to_env(config.source)
        options = {
            "factory": True,
            "workers": settings.workers,
            # A worker compiles its policies before it answers the supervisor's first ping:
            # seconds on a busy machine, where uvicorn's 5 s would kill and restart it forever.
            "timeout_worker_healthcheck": WORKER_STARTUP_S,
            **_uvicorn_options(config),
        }
        if settings.presidio_port is None:
            uvicorn.run(f"{__name__}:app_from_env", **options)
            return
        multi = uvicorn.Config(f"{__name__}:app_from_env", **options)
        Multiprocess(multi, sockets=_bind(config)).run()
        return
    configure_network(settings.limits)
    if settings.presidio_port is None:
        uvicorn.run(build_app(config), **_uvicorn_options(config))
        return
    server = uvicorn.Server(uvicorn.Config(build_app(config), **_uvicorn_options(config)))
    server.run(sockets=_bind(config))
    if not server.started:
        sys.exit(STARTUP_FAILURE)

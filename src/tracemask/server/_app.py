"""The ASGI app: Starlette routing inside pure-ASGI middleware, and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import AsyncIterator

import anyio.to_thread
from starlette.applications import Starlette
from starlette.types import ASGIApp

from tracemask.server._config import Config
from tracemask.server._forward import describe_url
from tracemask.server._intake import IntakeMiddleware
from tracemask.server._metrics import ObserveMiddleware
from tracemask.server._routes import RouteTable
from tracemask.server._state import AppState

log = logging.getLogger("tracemask.server")


async def _reload(state: AppState, why: str) -> None:
    await anyio.to_thread.run_sync(state.reloader.reload, why)


async def _watch(state: AppState) -> None:
    """Poll the config and policy files; reload when one changes."""
    while True:
        interval = state.settings().reload_interval_s
        await asyncio.sleep(interval or 1.0)
        if interval and state.reloader.changed():
            await _reload(state, "file changed")


def _describe(state: AppState) -> None:
    runtime = state.runtime()
    s = runtime.settings
    target = []
    for signal_name in ("traces", "logs"):
        url = s.upstream.url(signal_name)
        target.append(f"{signal_name} -> {describe_url(url)}" if url else f"{signal_name} -> sink")
    sink = f"{s.sink.kind} in {s.sink.dir}" if s.sink.kind != "none" else "none (discard)"
    auth = "+".join(
        name
        for name, on in (("bearer", bool(s.auth.tokens)), ("hmac", s.auth.hmac_secret is not None))
        if on
    )
    presidio = f"; Presidio API on port {s.presidio_port}" if s.presidio_port else ""
    log.info(
        "ready: callback POST %s; OTLP POST /v1/traces, /v1/logs (%s)%s; local sink: %s; "
        "auth: %s; policies: 1 default + %d per project",
        s.langfuse_path,
        ", ".join(target),
        presidio,
        sink,
        auth or "off",
        len(runtime.config.projects),
    )
    if runtime.any_fail_open():
        log.warning("fail_mode is open: payloads that fail masking pass UNMASKED")


def build_app(config: Config) -> ASGIApp:
    """The ASGI app for ``config`` (see :func:`tracemask.server.create_app`)."""
    state = AppState(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        forwarder = state.upstream_client()
        loop = asyncio.get_running_loop()
        tasks: set[asyncio.Task[None]] = set()

        def on_sighup() -> None:
            task = loop.create_task(_reload(state, "SIGHUP"))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        hup = getattr(signal, "SIGHUP", None)
        installed = False
        if hup is not None and threading.current_thread() is threading.main_thread():
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(hup, on_sighup)
                installed = True
        previous = loop.get_exception_handler()

        def on_loop_error(loop: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
            # accept() failing at the descriptor limit repeats on every loop turn: one line per
            # interval, the exception's type only (no traceback, no message from a request).
            exc = context.get("exception")
            kind = type(exc).__name__ if exc is not None else "error"
            message = context.get("message")
            state.throttled.warn(f"loop:{kind}", "event loop: %s (%s)", message, kind)

        loop.set_exception_handler(on_loop_error)
        watcher = loop.create_task(_watch(state))
        _describe(state)
        try:
            yield
        finally:
            state.draining = True
            loop.set_exception_handler(previous)
            if installed and hup is not None:
                loop.remove_signal_handler(hup)
            watcher.cancel()
            for task in [watcher, *tasks]:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await forwarder.aclose()
            state.forwarder = None
            state.close_sink()

    table = RouteTable(config.settings.langfuse_path, config.settings.presidio_port)
    inner = Starlette(routes=table.starlette(), lifespan=lifespan)
    inner.state.tracemask = state
    app: ASGIApp = IntakeMiddleware(inner, state, table)
    return ObserveMiddleware(app, state.metrics, table.name_of, lambda: state.settings().access_log)

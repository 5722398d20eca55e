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
from starlette.routing import Route
from starlette.types import ASGIApp

from tracemask.server._auth import AuthMiddleware
from tracemask.server._config import Config
from tracemask.server._forward import describe_url
from tracemask.server._gateway import logs_endpoint, traces_endpoint
from tracemask.server._health import healthz, metrics, readyz
from tracemask.server._langfuse import langfuse_callback
from tracemask.server._limits import LimitsMiddleware
from tracemask.server._mask import mask_endpoint
from tracemask.server._metrics import ObserveMiddleware
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
    log.info(
        "ready: callback POST %s; OTLP POST /v1/traces, /v1/logs (%s); local sink: %s; "
        "auth: %s; policies: 1 default + %d per project",
        s.langfuse_path,
        ", ".join(target),
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
        watcher = loop.create_task(_watch(state))
        _describe(state)
        try:
            yield
        finally:
            state.draining = True
            if installed and hup is not None:
                loop.remove_signal_handler(hup)
            watcher.cancel()
            for task in [watcher, *tasks]:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await forwarder.aclose()
            state.forwarder = None
            state.close_sink()

    langfuse_path = config.settings.langfuse_path
    routes = [
        Route(langfuse_path, langfuse_callback, methods=["POST"]),
        Route("/v1/traces", traces_endpoint, methods=["POST"]),
        Route("/v1/logs", logs_endpoint, methods=["POST"]),
        Route("/v1/mask", mask_endpoint, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    inner = Starlette(routes=routes, lifespan=lifespan)
    inner.state.tracemask = state
    app: ASGIApp = AuthMiddleware(inner, state)
    app = LimitsMiddleware(app, state)
    return ObserveMiddleware(
        app, state.metrics, state.route_of, lambda: state.settings().access_log
    )

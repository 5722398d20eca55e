"""What the middleware and the handlers share: the reloadable runtime and the app's resources."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from tracemask.server._config import Config, ServerSettings, SinkSettings
from tracemask.server._forward import Forwarder
from tracemask.server._limits import Gate
from tracemask.server._metrics import Metrics
from tracemask.server._reload import Reloader, Runtime
from tracemask.server._sink import Sink, open_sink

T = TypeVar("T")

#: Route labels (metrics, logs, limits); anything else is "other".
LANGFUSE, TRACES, LOGS, MASK = "langfuse", "traces", "logs", "mask"
HEALTHZ, READYZ, METRICS = "healthz", "readyz", "metrics"
LIMITED = frozenset({LANGFUSE, TRACES, LOGS, MASK})
#: Masking threads: enough to overlap parsing and I/O; the GIL makes more useless.
_THREADS = 8


class AppState:
    """One per app. Everything that can change on reload is read through :meth:`runtime`."""

    def __init__(self, config: Config) -> None:
        self.metrics = Metrics()
        self.reloader = Reloader(config, self.metrics)
        settings = config.settings
        self.routes: dict[str, str] = {
            settings.langfuse_path: LANGFUSE,
            "/v1/traces": TRACES,
            "/v1/logs": LOGS,
            "/v1/mask": MASK,
            "/healthz": HEALTHZ,
            "/readyz": READYZ,
            "/metrics": METRICS,
        }
        self.limited_routes = LIMITED
        self.draining = False
        self.forwarder: Forwarder | None = None
        self._gate: Gate | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._sink: Sink | None = None
        self._sink_key: SinkSettings | None = None
        self.metrics.inflight.set_function(lambda: self._gate.active if self._gate else 0)

    def runtime(self) -> Runtime:
        return self.reloader.current

    def settings(self) -> ServerSettings:
        return self.reloader.current.settings

    def route_of(self, path: str) -> str:
        return self.routes.get(path, "other")

    def gate(self) -> Gate:
        limits = self.settings().limits
        gate = self._gate
        if gate is None or (gate.size, gate.queue) != (limits.max_concurrency, limits.max_queue):
            gate = self._gate = Gate(limits.max_concurrency, limits.max_queue)
        return gate

    def deadline(self, route: str) -> float:
        """Seconds a request on ``route`` may take (forwarding has its own, longer budget)."""
        settings = self.settings()
        if route in (TRACES, LOGS):
            return settings.upstream.timeout_s + 1.0
        return settings.limits.timeout_ms / 1000

    def failure(self, reason: str, route: str = "") -> None:
        self.metrics.failures.labels(reason).inc()

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """Run CPU-bound ``fn(*args)`` in a worker thread, where a deadline can abandon it.

        Measured on 2 cores: more requests/s than masking even small bodies inline on the event
        loop (part of the work runs outside the GIL), and the loop stays free for I/O.
        """
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(_THREADS)
        return await anyio.to_thread.run_sync(
            functools.partial(fn, *args), abandon_on_cancel=True, limiter=self._limiter
        )

    def upstream_client(self) -> Forwarder:
        """The forwarder (made by the lifespan; made here if the app runs without one)."""
        if self.forwarder is None:
            self.forwarder = Forwarder(self.metrics)
        return self.forwarder

    def sink(self) -> Sink | None:
        """The local sink for the current settings (reopened when they change)."""
        wanted = self.settings().sink
        if self._sink_key != wanted:
            old = self._sink
            self._sink = open_sink(
                wanted.kind,
                wanted.dir,
                max_batches=wanted.max_batches,
                max_file_bytes=wanted.max_file_bytes,
                keep_files=wanted.keep_files,
            )
            self._sink_key = wanted
            if old is not None:
                old.close()
        return self._sink

    def close_sink(self) -> None:
        if self._sink is not None:
            self._sink.close()
            self._sink = None
            self._sink_key = None

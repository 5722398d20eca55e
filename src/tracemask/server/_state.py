"""What the middleware and the handlers share: the reloadable runtime and the app's resources."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

import anyio
import anyio.to_thread

from tracemask.server._admission import Gate, MemoryBudget
from tracemask.server._config import Config, ServerSettings, SinkSettings
from tracemask.server._decode import check_deadline
from tracemask.server._errors import DeadlineError
from tracemask.server._forward import Forwarder
from tracemask.server._metrics import Metrics
from tracemask.server._reload import Reloader, Runtime
from tracemask.server._sink import Sink, open_sink
from tracemask.server._throttle import Throttled

T = TypeVar("T")

log = logging.getLogger("tracemask.server")


class CostModel:
    """Seconds of masking per body byte, learnt from finished calls (an average that moves a
    fifth of the way to each new call, which counts at most 4x either way; the first call, a
    warm-up, is ignored). Used to refuse at once work that would miss its deadline anyway."""

    def __init__(self) -> None:
        self.per_byte: float | None = None
        self._seen = 0

    def estimate(self, size: int) -> float | None:
        return None if self.per_byte is None else self.per_byte * size

    def observe(self, size: int, seconds: float) -> None:
        if size <= 0:
            return
        self._seen += 1
        if self._seen == 1:
            return
        x = seconds / size
        if self.per_byte is None:
            self.per_byte = x
            return
        x = min(max(x, self.per_byte / 4), self.per_byte * 4)
        self.per_byte += 0.2 * (x - self.per_byte)


class AppState:
    """One per app. Everything that can change on reload is read through :meth:`runtime`."""

    def __init__(self, config: Config) -> None:
        self.metrics = Metrics()
        self.reloader = Reloader(config, self.metrics)
        self.draining = False
        self.forwarder: Forwarder | None = None
        self.throttled = Throttled(log)
        self._gate: Gate | None = None
        self._budget: MemoryBudget | None = None
        self._limiter: anyio.CapacityLimiter | None = None
        self._sink: Sink | None = None
        self._sink_key: SinkSettings | None = None
        self.cost = CostModel()
        self.metrics.inflight.set_function(lambda: self._gate.active if self._gate else 0)

    def runtime(self) -> Runtime:
        return self.reloader.current

    def settings(self) -> ServerSettings:
        return self.reloader.current.settings

    def gate(self) -> Gate:
        limits = self.settings().limits
        gate = self._gate
        if gate is None or (gate.size, gate.queue) != (limits.max_concurrency, limits.max_queue):
            gate = self._gate = Gate(limits.max_concurrency, limits.max_queue)
        return gate

    def budget(self) -> MemoryBudget:
        total = self.settings().limits.memory_budget_bytes
        if self._budget is None:
            self._budget = MemoryBudget(total)
        self._budget.total = total  # a reload resizes it; reservations carry over
        return self._budget

    def failure(self, reason: str) -> None:
        self.metrics.failures.labels(reason).inc()

    async def run(
        self, fn: Callable[..., T], *args: object, deadline: float | None = None, size: int = 0
    ) -> T:
        """Run CPU-bound ``fn(*args)`` in a worker thread, where a deadline can abandon it.

        A call still queued for a thread when its ``deadline`` (monotonic) passes never starts.
        With ``size`` (the body's bytes: a masking call), one that the :class:`CostModel`
        predicts to finish past its deadline is refused when it would start, unless nothing
        else is running: under overload, the CPU goes to requests that can still be answered
        in time instead of work a deadline abandons. Measured on 2 cores: more requests/s than
        masking even small bodies inline on the event loop, and the loop stays free for I/O.
        """
        threads = self.settings().limits.threads
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(threads)
        self._limiter.total_tokens = threads  # a reload resizes it
        cost = self.cost

        def call() -> T:
            check_deadline(deadline)
            if size and deadline is not None and self._gate is not None and self._gate.active > 1:
                expected = cost.estimate(size)
                if expected is not None and time.monotonic() + expected > deadline:
                    raise DeadlineError
            start = time.perf_counter()
            result = fn(*args)
            if size:
                cost.observe(size, time.perf_counter() - start)
            return result

        return await anyio.to_thread.run_sync(call, abandon_on_cancel=True, limiter=self._limiter)

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

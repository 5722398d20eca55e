"""Prometheus metrics and the access log. Labels are fixed sets (routes, status codes, reasons,
entity names from the policy): never a value, an id or a path from a request."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracemask._report import Report

log = logging.getLogger("tracemask.server")

_LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.35,
    0.5, 0.75, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip


class Metrics:
    """The server's metrics, in a registry of their own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "tracemask_requests", "HTTP requests answered.", ["route", "status"], registry=r
        )
        self.latency = Histogram(
            "tracemask_request_duration_seconds",
            "Time to answer a request, by route.",
            ["route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.findings = Counter(
            "tracemask_findings", "Values masked, by entity.", ["entity"], registry=r
        )
        self.failures = Counter(
            "tracemask_failures", "Requests that failed, by reason.", ["reason"], registry=r
        )
        self.items = Counter(
            "tracemask_items", "Spans and log records received, by signal.", ["signal"], registry=r
        )
        self.rejected = Counter(
            "tracemask_rejected_items",
            "Spans and log records dropped (masking failed on them), by signal.",
            ["signal"],
            registry=r,
        )
        self.fail_open = Counter(
            "tracemask_fail_open",
            "Payloads passed on UNMASKED because masking failed under fail_mode: open.",
            registry=r,
        )
        self.upstream = Counter(
            "tracemask_upstream_attempts",
            "Attempts to forward to the upstream, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.sink = Counter(
            "tracemask_sink_batches", "Batches written to the local sink.", registry=r
        )
        self.reloads = Counter(
            "tracemask_config_reloads", "Configuration reloads, by result.", ["result"], registry=r
        )
        self.generation = Gauge(
            "tracemask_config_generation", "Generation of the configuration in use.", registry=r
        )
        self.inflight = Gauge(
            "tracemask_inflight_requests", "Masking requests in progress.", registry=r
        )
        ProcessCollector(registry=r)

    def observe_report(self, report: Report) -> None:
        for entity, count in report.by_entity.items():
            self.findings.labels(entity).inc(count)


class ObserveMiddleware:
    """Outermost: times every request, counts it, logs one access line (no query string, no
    unknown paths), and turns any escaped exception into a bare 500, logging its type only."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        route_of: Callable[[Scope], str],
        access_log: Callable[[], bool],
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.route_of = route_of
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.route_of(scope)
        start = time.perf_counter()
        status = 500
        started = False

        async def observing_send(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status = int(message["status"])
                started = True
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        except Exception as exc:  # noqa: BLE001 - the message may hold data: log the type only
            log.error("%s %s: unhandled %s", scope["method"], route, type(exc).__name__)  # noqa: TRY400
            if not started:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"application/json")],
                    }
                )
                await send({"type": "http.response.body", "body": b'{"error":"internal error"}'})
            status = 500
        finally:
            elapsed = time.perf_counter() - start
            self.metrics.requests.labels(route, str(status)).inc()
            self.metrics.latency.labels(route).observe(elapsed)
            if self.access_log():
                shown = scope["path"] if route != "other" else "-"
                log.info("%s %s %d %.1fms", scope["method"], shown, status, elapsed * 1000)

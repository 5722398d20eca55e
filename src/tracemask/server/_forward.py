"""Forwarding masked OTLP batches upstream: bounded retries with backoff, ``Retry-After``."""

from __future__ import annotations

import email.utils
import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import anyio
import httpx

from tracemask.server._config import UpstreamSettings
from tracemask.server._errors import HTTPError, UpstreamError
from tracemask.server._metrics import Metrics

log = logging.getLogger("tracemask.server")

#: Answers that OTLP says to retry.
RETRYABLE = frozenset({429, 502, 503, 504})
_HOP_BY_HOP = frozenset(
    {"host", "content-length", "content-encoding", "content-type", "connection",
     "transfer-encoding", "keep-alive", "te", "trailer", "upgrade", "proxy-authorization"}
)  # fmt: skip


class UpstreamRejectedError(HTTPError):
    """The upstream refused the data for good (a 4xx other than 429)."""

    reason = "upstream"

    def __init__(self, status: int) -> None:
        super().__init__(f"upstream rejected the batch ({status})")
        self.status = status if status in (400, 413) else 502


@dataclass
class Delivered:
    status: int
    content_type: str
    body: bytes


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def describe_url(url: str) -> str:
    """``scheme://host:port`` of a URL: never its credentials, path or query in a log."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


class Forwarder:
    """One pooled HTTP client for the upstream; :meth:`send` retries within a budget."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self.client = httpx.AsyncClient(
            trust_env=False,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=32),
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    def _headers(
        self,
        settings: UpstreamSettings,
        content_type: str,
        compressed: bool,
        incoming: Mapping[str, str],
    ) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name in settings.pass_headers:
            value = incoming.get(name.lower())
            if value is not None and name.lower() not in _HOP_BY_HOP:
                headers[name.lower()] = value
        for name, secret in settings.headers.items():
            headers[name.lower()] = secret.get_secret_value()
        headers["content-type"] = content_type
        if compressed:
            headers["content-encoding"] = "gzip"
        return headers

    async def send(
        self,
        url: str,
        body: bytes,
        *,
        content_type: str,
        compressed: bool,
        settings: UpstreamSettings,
        incoming: Mapping[str, str],
    ) -> Delivered:
        """POST ``body`` to ``url``; retry 429/502/503/504, timeouts and connection errors.

        Raises:
            UpstreamError: retries exhausted or out of budget (503, ``Retry-After`` kept).
            UpstreamRejectedError: the upstream answered a non-retryable error.
        """
        headers = self._headers(settings, content_type, compressed, incoming)
        deadline = time.monotonic() + settings.timeout_s
        wait_hint: float | None = None
        for attempt in range(settings.max_attempts):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            timeout = min(settings.attempt_timeout_s, remaining)
            wait_hint = None
            try:
                resp = await self.client.post(url, content=body, headers=headers, timeout=timeout)
            except httpx.TimeoutException:
                outcome = "timeout"
            except httpx.HTTPError as exc:
                outcome = "connect_error"
                log.warning("upstream %s: %s", describe_url(url), type(exc).__name__)
            else:
                if 200 <= resp.status_code < 300:
                    self.metrics.upstream.labels("ok").inc()
                    return Delivered(
                        resp.status_code, resp.headers.get("content-type", ""), resp.content
                    )
                if resp.status_code not in RETRYABLE:
                    self.metrics.upstream.labels("rejected").inc()
                    log.warning("upstream %s answered %d", describe_url(url), resp.status_code)
                    raise UpstreamRejectedError(resp.status_code)
                outcome = f"status_{resp.status_code}"
                wait_hint = retry_after(resp.headers.get("retry-after"))
            self.metrics.upstream.labels(outcome).inc()
            if attempt + 1 >= settings.max_attempts:
                break
            delay = wait_hint
            if delay is None:
                delay = min(settings.max_backoff_s, settings.backoff_s * 2**attempt)
                delay *= 0.5 + random.random() / 2  # jitter: replicas must not retry in step
            if delay >= deadline - time.monotonic():
                break  # no time left to wait: the client retries later, keeping the data
            await anyio.sleep(delay)
        log.warning("upstream %s: giving up after retries", describe_url(url))
        raise UpstreamError(retry_after=wait_hint)

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
from tracemask.server._decode import decode_body
from tracemask.server._errors import MAX_RETRY_AFTER_S, HTTPError, UpstreamError
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
    retry_after: float | None = None


async def _capped_body(resp: httpx.Response, limit: int) -> bytes:
    """The answer's body, decoded, or ``b""`` when it is longer than ``limit`` either way."""
    chunks: list[bytes] = []
    seen = 0
    async for chunk in resp.aiter_raw():
        seen += len(chunk)
        if seen > limit:
            return b""
        chunks.append(chunk)
    try:
        return decode_body(b"".join(chunks), resp.headers.get("content-encoding"), limit)
    except HTTPError:  # undecodable or too large once inflated: no partial success to read
        return b""


def retry_after(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date), at most
    :data:`MAX_RETRY_AFTER_S`; ``None`` when absent or unreadable (any bytes, any length)."""
    if not value:
        return None
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # A 400-digit delta is "a long time", not an overflow.
        return float(min(int(value), MAX_RETRY_AFTER_S)) if len(value) <= 9 else MAX_RETRY_AFTER_S
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    now = time.time() if now is None else now
    try:
        return min(float(MAX_RETRY_AFTER_S), max(0.0, when.timestamp() - now))
    except (OverflowError, OSError, ValueError):
        return None


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

    async def _post(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float, max_response: int
    ) -> Delivered:
        request = self.client.build_request(
            "POST", url, content=body, headers=headers, timeout=timeout
        )
        resp = await self.client.send(request, stream=True)
        try:
            status = resp.status_code
            content_type = resp.headers.get("content-type", "")
            if 200 <= status < 300:
                return Delivered(status, content_type, await _capped_body(resp, max_response))
            hint = None
            for key, value in resp.headers.raw:
                if key.lower() == b"retry-after":
                    hint = retry_after(value)
            return Delivered(status, content_type, b"", hint)
        finally:
            await resp.aclose()  # an unread body closes the connection instead of draining it

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
        max_response: int = 1024 * 1024,
    ) -> Delivered:
        """POST ``body`` to ``url``; retry 429/502/503/504, timeouts and connection errors.

        Only a 2xx answer's body is read, at most ``max_response`` bytes (decoded): a larger
        one is treated as empty (no partial success), whatever the upstream sends.

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
                with anyio.fail_after(timeout):
                    answer = await self._post(url, body, headers, timeout, max_response)
            except (httpx.TimeoutException, TimeoutError):
                outcome = "timeout"
            except httpx.HTTPError as exc:
                outcome = "connect_error"
                log.warning("upstream %s: %s", describe_url(url), type(exc).__name__)
            else:
                if 200 <= answer.status < 300:
                    self.metrics.upstream.labels("ok").inc()
                    return answer
                if answer.status not in RETRYABLE:
                    self.metrics.upstream.labels("rejected").inc()
                    log.warning("upstream %s answered %d", describe_url(url), answer.status)
                    raise UpstreamRejectedError(answer.status)
                outcome = f"status_{answer.status}"
                wait_hint = answer.retry_after
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

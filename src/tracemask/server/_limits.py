"""Limits, as pure ASGI: body size (before and after decompression), deadline, concurrency.

Decompression is bounded: a gzip bomb is inflated at most ``max_body_bytes + 1`` bytes before it
is rejected with 413, whatever its ratio.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracemask.server._errors import (
    BadRequestError,
    BodyTooLargeError,
    HTTPError,
    UnsupportedMediaError,
    send_json,
)

if TYPE_CHECKING:
    from tracemask.server._state import AppState as StateView

_GZIP_WBITS = 16 + zlib.MAX_WBITS
_ZLIB_WBITS = zlib.MAX_WBITS
_RAW_WBITS = -zlib.MAX_WBITS


def _inflate(data: bytes, wbits: int, limit: int) -> bytes:
    out: list[bytes] = []
    total = 0
    while True:
        d = zlib.decompressobj(wbits)
        try:
            chunk = d.decompress(data, limit + 1 - total)
        except zlib.error:
            raise BadRequestError("invalid compressed body") from None
        total += len(chunk)
        out.append(chunk)
        if total > limit:
            raise BodyTooLargeError
        if not d.eof:
            raise BadRequestError("truncated compressed body")
        data = d.unused_data
        if not data or wbits != _GZIP_WBITS:  # gzip may hold several members
            break
    return b"".join(out)


def decode_body(raw: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Undo ``Content-Encoding`` (``gzip``, ``deflate``, ``identity``; chained) within ``limit``.

    Raises:
        BodyTooLargeError: the body, decompressed, is larger than ``limit`` bytes.
        BadRequestError: the compressed data is invalid.
        UnsupportedMediaError: an unknown encoding.
    """
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    data = raw
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding in ("gzip", "x-gzip"):
            data = _inflate(data, _GZIP_WBITS, limit)
        elif coding == "deflate":  # zlib-wrapped per RFC 9110; some clients send raw deflate
            try:
                data = _inflate(data, _ZLIB_WBITS, limit)
            except BadRequestError:
                data = _inflate(data, _RAW_WBITS, limit)
        else:
            raise UnsupportedMediaError
    if len(data) > limit:
        raise BodyTooLargeError
    return data


class Gate:
    """At most ``size`` requests at once; up to ``queue`` more wait ``timeout`` seconds."""

    def __init__(self, size: int, queue: int) -> None:
        self.size = size
        self.queue = queue
        self._sem = anyio.Semaphore(size)
        self.active = 0

    async def acquire(self, timeout: float) -> bool:
        try:
            self._sem.acquire_nowait()
        except anyio.WouldBlock:
            if timeout <= 0 or self._sem.statistics().tasks_waiting >= self.queue:
                return False
            with anyio.move_on_after(timeout):
                await self._sem.acquire()
                self.active += 1
                return True
            return False
        self.active += 1
        return True

    def release(self) -> None:
        self.active -= 1
        self._sem.release()


def limited_receive(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises :class:`BodyTooLargeError` once more than ``limit`` bytes arrived."""
    seen = 0

    async def wrapped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLargeError
        return message

    return wrapped


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class LimitsMiddleware:
    """Concurrency gate (429/503 when saturated), body size (413), deadline (503).

    Applies to the masking routes only: health, readiness and metrics always answer.
    """

    def __init__(self, app: ASGIApp, state: StateView) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self.state.route_of(scope["path"])
        if route not in self.state.limited_routes:
            await self.app(scope, receive, send)
            return
        settings = self.state.settings()
        limits = settings.limits
        length = _content_length(scope)
        if length is not None and length > limits.max_body_bytes:
            await self._reject(send, BodyTooLargeError(), route)
            return
        gate = self.state.gate()
        if not await gate.acquire(limits.queue_timeout_ms / 1000):
            self.state.failure("saturated", route)
            await send_json(
                send,
                limits.saturated_status,
                {"error": "too many requests"},
                [("retry-after", "1")],
            )
            return
        try:
            await self._run(scope, receive, send, route, self.state.deadline(route))
        finally:
            gate.release()

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, route: str, deadline: float
    ) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        limit = self.state.settings().limits.max_body_bytes
        try:
            with anyio.move_on_after(deadline) as scope_:
                await self.app(scope, limited_receive(receive, limit), tracking_send)
        except HTTPError as exc:
            if not started:
                await self._reject(send, exc, route)
            return
        if scope_.cancelled_caught and not started:
            self.state.failure("timeout", route)
            await send_json(send, 503, {"error": "deadline exceeded"}, [("retry-after", "1")])

    async def _reject(self, send: Send, exc: HTTPError, route: str) -> None:
        self.state.failure(exc.reason, route)
        await send_json(send, exc.status, {"error": exc.message})


RouteOf = Callable[[str], str]

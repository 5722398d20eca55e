"""The way in for every request, as pure ASGI, in the order that keeps cheap attacks cheap.

For a masking route:

1. the deadline starts (the request's headers have just arrived);
2. the credential is checked from the headers alone: an unauthenticated client never reads a
   body into memory, waits for a slot or takes one (an HMAC over the body is the exception);
3. ``Content-Length`` over the limit is refused, then the body is read, bounded in size and in
   time (a client that trickles it gets 408);
4. a concurrency slot is taken (429/503 when none frees in time);
5. the body is decoded (linear time, capped, abandoned past the deadline);
6. its estimated peak memory is reserved from the process's budget (413 if it can never fit);
7. the handler runs on the decoded body, inside what is left of the deadline.

Health, readiness and metrics skip all of it (metrics may require the token).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import Any

import anyio
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracemask.server._auth import Identity, signature_ok, token_identity
from tracemask.server._config import ServerSettings
from tracemask.server._decode import decode_body
from tracemask.server._errors import (
    BodyTooLargeError,
    ClientGoneError,
    DeadlineError,
    HTTPError,
    NotFoundError,
    RequestTimeoutError,
    SaturatedError,
    UnauthorizedError,
    send_error,
)
from tracemask.server._request import (
    DEADLINE_KEY,
    IDENTITY_KEY,
    METRICS,
    OTHER,
    OTLP,
    PRESIDIO,
    ROUTE_KEY,
    otlp_media,
)
from tracemask.server._routes import Route, RouteTable
from tracemask.server._state import AppState

log = logging.getLogger("tracemask.server")


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def route_budget(route: str, settings: ServerSettings) -> float:
    """Seconds a request on ``route`` may take from arrival (forwarding has a longer budget)."""
    if route in OTLP:
        return settings.upstream.timeout_s + 1.0
    if route in PRESIDIO:
        return settings.limits.presidio_timeout_ms / 1000
    return settings.limits.timeout_ms / 1000


async def read_body(
    receive: Receive, limit: int, until: float, late: type[HTTPError] = RequestTimeoutError
) -> bytes:
    """The whole request body, refused past ``limit`` bytes or the monotonic time ``until``.

    Raises:
        BodyTooLargeError, ClientGoneError, ``late`` (408 unless told otherwise).
    """
    chunks: list[bytes] = []
    seen = 0
    with anyio.move_on_after(until - time.monotonic()) as timer:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGoneError
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > limit:
                raise BodyTooLargeError
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
    assert timer.cancelled_caught
    raise late


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives ``body`` once, then waits for the client's disconnect."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _decoded_scope(scope: Scope, size: int) -> dict[str, Any]:
    headers = [
        (k, v) for k, v in scope["headers"] if k not in (b"content-encoding", b"content-length")
    ]
    headers.append((b"content-length", str(size).encode()))
    return {**scope, "headers": headers}


class IntakeMiddleware:
    """Auth, body limits, admission and deadlines (see the module's docstring)."""

    def __init__(self, app: ASGIApp, state: AppState, routes: RouteTable) -> None:
        self.app = app
        self.state = state
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        arrival = time.monotonic()
        route = self.routes.route_for(scope)
        name = route.name if route is not None else OTHER
        scope[ROUTE_KEY] = name
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            if self.routes.refused(scope):
                raise NotFoundError
            if route is not None and route.masking:
                await self._masking(scope, receive, tracking_send, route, arrival)
            else:
                await self._plain(scope, receive, tracking_send, name, arrival)
        except ClientGoneError:
            self.state.failure("client_disconnect")
        except HTTPError as exc:
            self.state.failure(exc.reason)
            if not started:
                await send_error(send, exc, otlp_media(name, scope))

    async def _plain(
        self, scope: Scope, receive: Receive, send: Send, name: str, arrival: float
    ) -> None:
        runtime = self.state.runtime()
        auth = runtime.settings.auth
        if name == METRICS and auth.enabled and auth.protect_metrics:
            creds = runtime.credentials
            if token_identity(creds, auth, scope) is None:
                until = arrival + runtime.settings.limits.body_timeout_s
                body = await read_body(receive, 1024, until)
                if not signature_ok(creds, auth, scope, body):
                    raise UnauthorizedError
        await self.app(scope, receive, send)

    async def _masking(
        self, scope: Scope, receive: Receive, send: Send, route: Route, arrival: float
    ) -> None:
        state = self.state
        runtime = state.runtime()
        settings = runtime.settings
        limits = settings.limits
        auth = settings.auth
        deadline = arrival + route_budget(route.name, settings)
        scope[DEADLINE_KEY] = deadline
        body_until = min(deadline, arrival + limits.body_timeout_s)
        # Past the body timeout the client is slow (408); past the deadline, the request is late.
        late = RequestTimeoutError if body_until < deadline else DeadlineError
        length = _content_length(scope)
        raw: bytes | None = None

        identity: Identity | None = None
        if auth.enabled and route.name in auth.routes:
            creds = runtime.credentials
            identity = token_identity(creds, auth, scope)
            if identity is None:
                if creds.hmac_key is None:
                    raise UnauthorizedError
                if length is not None and length > limits.max_body_bytes:
                    raise UnauthorizedError  # no body is read for an unauthenticated client
                raw = await read_body(receive, limits.max_body_bytes, body_until, late)
                if not signature_ok(creds, auth, scope, raw):
                    raise UnauthorizedError
                identity = Identity()
        scope[IDENTITY_KEY] = identity

        if length is not None and length > limits.max_body_bytes:
            raise BodyTooLargeError
        if raw is None:
            raw = await read_body(receive, limits.max_body_bytes, body_until, late)

        gate = state.gate()
        if not await gate.acquire(min(deadline, time.monotonic() + limits.queue_timeout_ms / 1000)):
            state.throttled.warn("saturated", "saturated: answering %d", limits.saturated_status)
            raise SaturatedError(limits.saturated_status)
        try:
            await self._admitted(scope, receive, send, route, raw, deadline)
        finally:
            gate.release()

    async def _admitted(  # noqa: PLR0917 - the steps of one request
        self, scope: Scope, receive: Receive, send: Send, route: Route, raw: bytes, deadline: float
    ) -> None:
        state = self.state
        limits = state.settings().limits
        encoding = None
        for key, value in scope["headers"]:
            if key == b"content-encoding":
                encoding = value.decode("latin-1")
        body = raw
        if encoding is not None:
            body = await self._within(
                deadline, state.run(decode_body, raw, encoding, limits.max_body_bytes, deadline)
            )
        budget = state.budget()
        need = len(raw) + int(len(body) * limits.memory_factor)
        if not budget.fits_ever(need):
            raise BodyTooLargeError("request body too large for the memory budget")
        if not await budget.acquire(
            need, min(deadline, time.monotonic() + limits.queue_timeout_ms / 1000)
        ):
            state.throttled.warn("memory", "memory full: answering %d", limits.saturated_status)
            raise SaturatedError(limits.saturated_status)
        try:
            inner = _decoded_scope(scope, len(body)) if encoding is not None else scope
            await self._within(deadline, self.app(inner, _replay(body, receive), send))
        finally:
            budget.release(need)

    @staticmethod
    async def _within(deadline: float, work: Awaitable[Any]) -> Any:
        """Await ``work``, abandoning it when ``deadline`` passes (503)."""
        result: Any = None
        with anyio.move_on_after(deadline - time.monotonic()) as timer:
            result = await work
        if timer.cancelled_caught:
            raise DeadlineError
        return result

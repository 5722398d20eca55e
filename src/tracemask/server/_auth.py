"""Optional auth, as pure ASGI: bearer tokens or an HMAC-SHA256 of the body.

Comparisons are constant time (digests of equal length, every configured token checked), and a
refusal is always the same 401: it never says which check failed or why.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tracemask.server._errors import HTTPError, UnauthorizedError, send_json

if TYPE_CHECKING:
    from tracemask.server._reload import Runtime
    from tracemask.server._state import AppState


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    for key, value in scope["headers"]:
        if key == wanted:
            return str(value.decode("latin-1"))
    return None


def token_ok(runtime: Runtime, scope: Scope) -> bool:
    digests = runtime.token_digests
    if not digests:
        return False
    header = runtime.settings.auth.token_header
    raw = _header(scope, header)
    if raw is None:
        return False
    if header.lower() == "authorization":
        scheme, _, raw = raw.partition(" ")
        if scheme.lower() != "bearer":
            return False
    given = hashlib.sha256(raw.strip().encode()).digest()
    ok = False
    for digest in digests:  # no early exit: the time does not depend on which one matched
        ok |= hmac.compare_digest(given, digest)
    return ok


def signature_ok(runtime: Runtime, scope: Scope, body: bytes) -> bool:
    key = runtime.hmac_key
    if key is None:
        return False
    raw = _header(scope, runtime.settings.auth.hmac_header)
    if raw is None:
        return False
    given = raw.strip().lower().removeprefix("sha256=").encode("ascii", "replace")
    expected = hmac.new(key, body, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(given, expected)


async def _read_all(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


class AuthMiddleware:
    """401 unless a configured token or signature matches (when any is configured)."""

    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        runtime = self.state.runtime()
        auth = runtime.settings.auth
        route = self.state.route_of(scope["path"])
        guarded = route in auth.routes or (route == "metrics" and auth.protect_metrics)
        if not auth.enabled or not guarded:
            await self.app(scope, receive, send)
            return
        ok = token_ok(runtime, scope)
        if not ok and runtime.hmac_key is not None:
            try:
                body = await _read_all(receive)  # bounded by the limits middleware
            except HTTPError as exc:
                self.state.failure(exc.reason)
                await send_json(send, exc.status, {"error": exc.message})
                return
            ok = signature_ok(runtime, scope, body)
            receive = _replay(body, receive)
        if not ok:
            self.state.failure(UnauthorizedError.reason)
            await send_json(
                send, 401, {"error": UnauthorizedError.message}, [("www-authenticate", "Bearer")]
            )
            return
        await self.app(scope, receive, send)

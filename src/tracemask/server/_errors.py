"""Errors that become HTTP answers. Messages are fixed text: never a value from a request."""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.types import Send


class HTTPError(Exception):
    """An error answered with ``status`` and ``{"error": message}``; ``reason`` labels metrics."""

    status = 500
    reason = "internal"
    message = "internal error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message is not None:
            self.message = message


class BadRequestError(HTTPError):
    status = 400
    reason = "bad_request"
    message = "malformed request body"


class UnauthorizedError(HTTPError):
    status = 401
    reason = "unauthorized"
    message = "unauthorized"


class BodyTooLargeError(HTTPError):
    status = 413
    reason = "too_large"
    message = "request body too large"


class UnsupportedMediaError(HTTPError):
    status = 415
    reason = "unsupported_media"
    message = "unsupported content type or encoding"


class MaskingFailedError(HTTPError):
    status = 500
    reason = "masking"
    message = "masking failed"


class UpstreamError(HTTPError):
    status = 503
    reason = "upstream"
    message = "upstream unavailable"

    def __init__(
        self, message: str | None = None, status: int = 503, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


class SinkError(HTTPError):
    status = 503
    reason = "sink"
    message = "local sink unavailable"


async def send_json(
    send: Send, status: int, body: object, headers: Iterable[tuple[str, str]] = ()
) -> None:
    """Send a complete JSON response from pure ASGI code."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(payload)).encode()),
        *((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers),
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})

"""Errors that become HTTP answers. Messages are fixed text: never a value from a request.

On the OTLP routes an error is a ``google.rpc.Status`` in the request's encoding (protobuf, or
its JSON mapping), as the OTLP/HTTP specification requires; elsewhere ``{"error": message}``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

from google.rpc.status_pb2 import Status  # type: ignore[import-untyped]
from starlette.types import Send

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
#: The gRPC code of each answer's status, as the Collector maps them.
_GRPC_CODES = {400: 3, 401: 16, 403: 7, 408: 4, 413: 8, 415: 3, 429: 8, 500: 13, 502: 14, 503: 14}
_UNKNOWN = 2
#: Longest wait a ``Retry-After`` of ours asks for (an upstream may say anything).
MAX_RETRY_AFTER_S = 3600


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


class ForbiddenError(HTTPError):
    """Authenticated, but this credential may not use the project it asked for."""

    status = 403
    reason = "forbidden"
    message = "project not permitted for this credential"


class NotFoundError(HTTPError):
    """A route this listener does not serve (the Presidio port answers Presidio's API only)."""

    status = 404
    reason = "not_found"
    message = "not found on this port"


class RequestTimeoutError(HTTPError):
    """The client did not send its body in time (a slow or stalled client)."""

    status = 408
    reason = "client_timeout"
    message = "request body not received in time"


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


class SaturatedError(HTTPError):
    """No capacity (concurrency or memory) within the wait allowed; the client retries."""

    status = 429
    reason = "saturated"
    message = "too many requests"

    def __init__(self, status: int = 429) -> None:
        super().__init__()
        self.status = status


class DeadlineError(HTTPError):
    """The request's deadline (counted from its arrival) passed before it was answered."""

    status = 503
    reason = "timeout"
    message = "deadline exceeded"


class SinkError(HTTPError):
    status = 503
    reason = "sink"
    message = "local sink unavailable"


class ClientGoneError(Exception):
    """The client disconnected before its request was read: nobody to answer, not a failure."""


def retry_after_value(seconds: float | None) -> str:
    """A ``Retry-After`` header value: whole seconds, at least 1, at most an hour."""
    if seconds is None or not math.isfinite(seconds):
        return "1" if seconds is None else str(MAX_RETRY_AFTER_S)
    return str(min(MAX_RETRY_AFTER_S, max(1, math.ceil(seconds))))


def error_answer(exc: HTTPError, otlp: str | None) -> tuple[bytes, str, list[tuple[str, str]]]:
    """Body, content type and headers answering ``exc``.

    Args:
        otlp: on an OTLP route, the request's media type (:data:`PROTOBUF` or :data:`JSON`);
            ``None`` elsewhere.
    """
    headers: list[tuple[str, str]] = []
    if exc.status in (429, 503):
        headers.append(("retry-after", retry_after_value(getattr(exc, "retry_after", None))))
    elif exc.status == 401:
        headers.append(("www-authenticate", "Bearer"))
    if otlp is None:
        return json.dumps({"error": exc.message}, separators=(",", ":")).encode(), JSON, headers
    code = _GRPC_CODES.get(exc.status, _UNKNOWN)
    if otlp == PROTOBUF:
        return Status(code=code, message=exc.message).SerializeToString(), PROTOBUF, headers
    return (
        json.dumps({"code": code, "message": exc.message}, separators=(",", ":")).encode(),
        JSON,
        headers,
    )


async def send_error(send: Send, exc: HTTPError, otlp: str | None) -> None:
    """Send the complete answer to ``exc`` from pure ASGI code."""
    body, media, headers = error_answer(exc, otlp)
    raw_headers = [
        (b"content-type", media.encode()),
        (b"content-length", str(len(body)).encode()),
        *((k.encode("latin-1"), v.encode("latin-1")) for k, v in headers),
    ]
    await send({"type": "http.response.start", "status": exc.status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


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

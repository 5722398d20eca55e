"""Helpers the route handlers share: error answers, the masker for a request."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tracemask._masker import Masker
from tracemask.server._errors import HTTPError
from tracemask.server._reload import Runtime
from tracemask.server._state import AppState

log = logging.getLogger("tracemask.server")

Handler = Callable[[Request], Awaitable[Response]]


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.tracemask
    return state


def masker_for(runtime: Runtime, request: Request) -> Masker:
    """The policy for the Langfuse org/project headers (the default policy without them)."""
    org = request.headers.get("x-langfuse-org-id")
    project = request.headers.get("x-langfuse-project-id")
    return runtime.select(org, project)


def error_response(exc: HTTPError) -> Response:
    headers = {}
    retry = getattr(exc, "retry_after", None)
    if exc.status in (429, 503):
        headers["retry-after"] = str(max(1, round(retry))) if retry is not None else "1"
    return JSONResponse({"error": exc.message}, status_code=exc.status, headers=headers)


def guarded(handler: Handler) -> Handler:
    """Turn :class:`HTTPError` into its answer and anything else into a bare 500 (logging only
    the exception's type: a message may quote data)."""

    @functools.wraps(handler)
    async def wrapper(request: Request) -> Response:
        state = state_of(request)
        try:
            return await handler(request)
        except HTTPError as exc:
            state.failure(exc.reason)
            return error_response(exc)
        except Exception as exc:  # noqa: BLE001 - never let a message with data escape
            state.failure("internal")
            route = state.route_of(request.url.path)
            log.error("%s %s: %s", request.method, route, type(exc).__name__)  # noqa: TRY400
            return JSONResponse({"error": "internal error"}, status_code=500)

    return wrapper

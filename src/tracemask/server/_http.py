"""Helpers the route handlers share: error answers, the masker for a request."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tracemask._masker import Masker
from tracemask.server._auth import Identity
from tracemask.server._errors import BadRequestError, ForbiddenError, HTTPError, error_answer
from tracemask.server._reload import Runtime
from tracemask.server._request import DEADLINE_KEY, IDENTITY_KEY, ROUTE_KEY, otlp_media
from tracemask.server._state import AppState

log = logging.getLogger("tracemask.server")

Handler = Callable[[Request], Awaitable[Response]]


def state_of(request: Request) -> AppState:
    state: AppState = request.app.state.tracemask
    return state


def deadline_of(request: Request) -> float | None:
    """The request's deadline (``time.monotonic()``), counted from its arrival."""
    value = request.scope.get(DEADLINE_KEY)
    return float(value) if value is not None else None


def _tenant_header(request: Request, name: str) -> str | None:
    return request.headers.get(name) or None  # Langfuse sends an empty org id


def masker_for(runtime: Runtime, request: Request) -> Masker:
    """The policy for a request: bound to its credential's tenants, not chosen by the client.

    - A credential bound to tenants: the ``X-Langfuse-*`` headers pick one of its tenants (403
      for any other); without them, its only tenant (400 when it has several).
    - Otherwise, on the routes listed in ``auth.trust_tenant_headers`` (the callback: Langfuse
      sets the headers itself), the headers pick the project policy; elsewhere a header that
      would pick a project policy is refused (403), so that no client chooses a weaker one.

    Raises:
        ForbiddenError, BadRequestError.
    """
    org = _tenant_header(request, "x-langfuse-org-id")
    project = _tenant_header(request, "x-langfuse-project-id")
    identity: Identity | None = request.scope.get(IDENTITY_KEY)
    if identity is not None and identity.tenants is not None:
        if org is None and project is None:
            if len(identity.tenants) != 1:
                raise BadRequestError("X-Langfuse-Project-Id required: several tenants")
            org, project = identity.tenants[0]
        else:
            tenant = identity.tenant_for(org, project)
            if tenant is None:
                raise ForbiddenError
            org, project = tenant
        return runtime.select(org, project)
    if org is None and project is None:
        return runtime.masker
    chosen = runtime.select(org, project)
    route = request.scope.get(ROUTE_KEY, "")
    if chosen is not runtime.masker and route not in runtime.settings.auth.trust_tenant_headers:
        raise ForbiddenError
    return chosen


def error_response(exc: HTTPError, request: Request) -> Response:
    otlp = otlp_media(request.scope.get(ROUTE_KEY, ""), request.scope)
    body, media, headers = error_answer(exc, otlp)
    return Response(body, status_code=exc.status, media_type=media, headers=dict(headers))


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
            return error_response(exc, request)
        except Exception as exc:  # noqa: BLE001 - never let a message with data escape
            state.failure("internal")
            route = request.scope.get(ROUTE_KEY, "other")
            log.error("%s %s: %s", request.method, route, type(exc).__name__)  # noqa: TRY400
            return JSONResponse({"error": "internal error"}, status_code=500)

    return wrapper

"""The one route table: paths, handlers, and which routes mask (and so are authenticated,
size-limited, admitted and given a deadline). Metrics, logs, auth and the router all read it.

With ``server.presidio_port`` the server listens on a second port that answers Presidio's
API at its root (what ``PRESIDIO_ANALYZER_API_BASE=http://tracemask:5002`` expects) and
nothing else but the probes: a request's listener is the local port of its connection.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute
from starlette.types import Scope

from tracemask.server._gateway import logs_endpoint, traces_endpoint
from tracemask.server._health import healthz, metrics, readyz
from tracemask.server._langfuse import langfuse_callback
from tracemask.server._mask import mask_endpoint
from tracemask.server._presidio import (
    analyze_endpoint,
    anonymize_endpoint,
    anonymizers,
    deanonymize_endpoint,
    deanonymizers,
    health,
    recognizers,
    supported_entities,
)
from tracemask.server._request import (
    ANALYZE,
    ANONYMIZE,
    DEANONYMIZE,
    HEALTHZ,
    LANGFUSE,
    LOGS,
    MASK,
    METRICS,
    OTHER,
    PRESIDIO_INFO,
    READYZ,
    TRACES,
)
from tracemask.server._ui import UI, ui_explain, ui_page

#: What the Presidio listener answers: Presidio's routes and the probes.
PRESIDIO_LISTENER = frozenset({ANALYZE, ANONYMIZE, DEANONYMIZE, PRESIDIO_INFO, HEALTHZ, READYZ})


@dataclass(frozen=True)
class Route:
    name: str
    path: str
    method: str
    endpoint: Callable[[Request], Awaitable[Response]]
    #: A masking route: auth, body limits, admission and a deadline apply.
    masking: bool


class RouteTable:
    """The routes of one app (the callback's path is configurable; ``presidio_port``: the
    second listener's port, whose connections reach only :data:`PRESIDIO_LISTENER`)."""

    def __init__(self, langfuse_path: str, presidio_port: int | None = None) -> None:
        self.presidio_port = presidio_port
        self.routes = (
            Route(LANGFUSE, langfuse_path, "POST", langfuse_callback, masking=True),
            Route(TRACES, "/v1/traces", "POST", traces_endpoint, masking=True),
            Route(LOGS, "/v1/logs", "POST", logs_endpoint, masking=True),
            Route(MASK, "/v1/mask", "POST", mask_endpoint, masking=True),
            Route(HEALTHZ, "/healthz", "GET", healthz, masking=False),
            Route(READYZ, "/readyz", "GET", readyz, masking=False),
            Route(METRICS, "/metrics", "GET", metrics, masking=False),
            Route(UI, "/ui", "GET", ui_page, masking=False),
            Route(MASK, "/ui/explain", "POST", ui_explain, masking=True),
            # Presidio's analyzer and anonymizer APIs (their clients append these to a base URL).
            Route(ANALYZE, "/analyze", "POST", analyze_endpoint, masking=True),
            Route(ANONYMIZE, "/anonymize", "POST", anonymize_endpoint, masking=True),
            Route(DEANONYMIZE, "/deanonymize", "POST", deanonymize_endpoint, masking=True),
            Route(PRESIDIO_INFO, "/supportedentities", "GET", supported_entities, masking=False),
            Route(PRESIDIO_INFO, "/recognizers", "GET", recognizers, masking=False),
            Route(PRESIDIO_INFO, "/anonymizers", "GET", anonymizers, masking=False),
            Route(PRESIDIO_INFO, "/deanonymizers", "GET", deanonymizers, masking=False),
            Route(PRESIDIO_INFO, "/health", "GET", health, masking=False),
        )
        self._by_path = {r.path: r for r in self.routes}

    def get(self, path: str) -> Route | None:
        return self._by_path.get(path)

    def on_presidio_listener(self, scope: Scope) -> bool:
        """Whether the request came in on the Presidio listener (by its connection's port)."""
        server = scope.get("server")
        return (
            self.presidio_port is not None
            and server is not None
            and server[1] == self.presidio_port
        )

    def route_for(self, scope: Scope) -> Route | None:
        """The request's route, ``None`` for an unknown path or one its listener does not serve."""
        route = self._by_path.get(scope["path"])
        if route is None or route.name in PRESIDIO_LISTENER or not self.on_presidio_listener(scope):
            return route
        return None

    def refused(self, scope: Scope) -> bool:
        """A known path asked on a listener that does not serve it (answered 404)."""
        return scope["path"] in self._by_path and self.route_for(scope) is None

    def name_of(self, scope: Scope) -> str:
        route = self.route_for(scope)
        return route.name if route is not None else OTHER

    def starlette(self) -> list[StarletteRoute]:
        return [StarletteRoute(r.path, r.endpoint, methods=[r.method]) for r in self.routes]

"""What the intake leaves in a request's ASGI scope for the handlers, and the route names.

Kept apart from the route table (which imports the handlers) so that handlers and middleware
import it without a cycle.
"""

from __future__ import annotations

from starlette.types import Scope

from tracemask.server._errors import JSON, PROTOBUF

#: Route names: metric labels, ``auth.routes`` entries. Unknown paths are "other".
LANGFUSE, TRACES, LOGS, MASK = "langfuse", "traces", "logs", "mask"
HEALTHZ, READYZ, METRICS, OTHER = "healthz", "readyz", "metrics", "other"
#: Presidio's REST API (``_presidio``): the three that read text, and the read-only rest as one.
ANALYZE, ANONYMIZE, PRESIDIO_INFO = "analyze", "anonymize", "presidio_info"
DEANONYMIZE = "deanonymize"
#: Presidio's routes that read text: their deadline is ``limits.presidio_timeout_ms``.
PRESIDIO = frozenset({ANALYZE, ANONYMIZE, DEANONYMIZE})
#: The OTLP routes: their errors are ``google.rpc.Status`` and their deadline is the upstream's.
OTLP = frozenset({TRACES, LOGS})

#: Scope keys: the route's name, the :class:`~tracemask.server._auth.Identity` (``None`` when
#: the route is not authenticated), the deadline (``time.monotonic()``).
ROUTE_KEY = "tracemask.route"
IDENTITY_KEY = "tracemask.identity"
DEADLINE_KEY = "tracemask.deadline"


def otlp_media(route: str, scope: Scope) -> str | None:
    """The encoding an error on ``route`` is answered in (``None``: not an OTLP route)."""
    if route not in OTLP:
        return None
    for key, value in scope["headers"]:
        if key == b"content-type":
            return PROTOBUF if b"protobuf" in value.lower() else JSON
    return JSON

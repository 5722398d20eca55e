"""The scope of a masking call: which trace, session and tenant the data belongs to.

Pseudonyms with ``scope: trace`` (or ``session``, ``tenant``) are stable within one id of that
kind and unlinkable across ids. Adapters pass the ids they know (an OTel span's trace id); code
without one can set them for a block:

>>> from tracemask import Masker, use_scope
>>> with use_scope(trace="4bf92f3577b34da6", tenant="acme"):  # doctest: +SKIP
...     masker.mask(payload)
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar

#: The kinds of id a scope holds.
SCOPE_KINDS = ("trace", "session", "tenant")

_CURRENT: ContextVar[Mapping[str, str] | None] = ContextVar("tracemask_scope", default=None)


def current_scope() -> Mapping[str, str] | None:
    """The ids set by the innermost :func:`use_scope` of this thread or task, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def use_scope(
    *, trace: str | None = None, session: str | None = None, tenant: str | None = None
) -> Iterator[Mapping[str, str]]:
    """Set scope ids for masking calls in this block (merged over any outer block's ids)."""
    ids = dict(_CURRENT.get() or {})
    ids.update({k: v for k, v in (("trace", trace), ("session", session), ("tenant", tenant)) if v})
    token = _CURRENT.set(ids)
    try:
        yield ids
    finally:
        _CURRENT.reset(token)


#: Span attributes that name the conversation a span belongs to (OTel GenAI, Langfuse, common).
SESSION_ATTRIBUTES = ("gen_ai.conversation.id", "session.id", "langfuse.session.id", "session_id")
#: Resource or span attributes that name the tenant.
TENANT_ATTRIBUTES = ("tenant.id", "tenant_id")


def scope_of(
    trace_id: int | str | None,
    attributes: Mapping[str, object] | None = None,
    resource_attributes: Mapping[str, object] | None = None,
) -> dict[str, str]:
    """The scope of a span: its trace id (an OTel int, 0 for none, or hex), and session and
    tenant ids read from attributes."""
    scope = dict(_CURRENT.get() or {})
    if isinstance(trace_id, int):
        trace_id = format(trace_id, "032x") if trace_id else None
    if trace_id:
        scope["trace"] = trace_id
    for kind, names in (("session", SESSION_ATTRIBUTES), ("tenant", TENANT_ATTRIBUTES)):
        for source in (attributes, resource_attributes):
            value = next((source[n] for n in names if source and source.get(n)), None)
            if isinstance(value, str | int):
                scope[kind] = str(value)
                break
    return scope

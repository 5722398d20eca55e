"""OpenTelemetry: mask spans and log records before they leave the process.

>>> from opentelemetry.sdk.trace.export import BatchSpanProcessor
>>> from tracemask.integrations.otel import MaskingSpanExporter
>>> processor = BatchSpanProcessor(MaskingSpanExporter(OTLPSpanExporter()))  # doctest: +SKIP

Three wirings, from the most to the least recommended (``docs/integrations/opentelemetry.md``):

- :class:`MaskingSpanExporter` wraps one exporter: it masks a copy of each batch on the
  processor's worker thread, off the application's hot path, for that destination only.
- :class:`MaskingSpanProcessor` registered **first** on a ``TracerProvider`` masks the one
  ``ReadableSpan`` that the SDK hands to every processor in turn, so processors added after it
  (third-party ones included) see only masked spans. It replaces private fields of
  ``ReadableSpan`` (checked when it is built, and pinned by tests); masking runs on the thread
  that ends the span.
- ``MaskingSpanProcessor(masker, inner=processor)`` masks a copy for one wrapped processor.

:class:`MaskingLogExporter` does for log records (GenAI events included) what
:class:`MaskingSpanExporter` does for spans.

What is masked: span name, attributes (nested ``AnyValue`` mappings and sequences, JSON held in
strings), event names and attributes (``exception.message``, ``exception.stacktrace``), link
attributes, status description, resource and instrumentation-scope attributes; for log records
the body and attributes. Ids, timestamps, kinds, status codes, numbers and booleans pass
unchanged; ``bytes`` values only when the policy's ``mask_bytes`` is on. ``dropped_*`` counts
are kept.

Everything fails closed: when masking raises, an exporter returns ``FAILURE`` and sends nothing,
and a processor withholds the span's content; with the policy's ``fail_mode: open`` the data
goes on unmasked and a warning (never a value) is logged. Nothing here raises into the SDK.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from tracemask._masker import Masker
from tracemask._report import Report
from tracemask._scope import scope_of
from tracemask.integrations._guard import (
    WITHHELD,
    fail_open,
    masker_or_default,
    missing_extra,
    warn_failed,
)

try:
    from opentelemetry.attributes import BoundedAttributes
    from opentelemetry.context import Context
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
    from opentelemetry.sdk.util import BoundedList
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope
    from opentelemetry.trace import Link, Status
except ImportError as exc:  # pragma: no cover - exercised by a test with the SDK hidden
    raise missing_extra(integration=__name__, extra="otel", what="the OpenTelemetry SDK") from exc

try:
    from opentelemetry.sdk._logs.export import LogRecordExporter as _LogExporterBase
    from opentelemetry.sdk._logs.export import LogRecordExportResult as _LogExportResult
except ImportError:  # pragma: no cover - SDKs before 1.39 name them LogExporter/LogExportResult
    from opentelemetry.sdk._logs.export import (  # type: ignore[assignment,no-redef,attr-defined,unused-ignore]
        LogExporter as _LogExporterBase,
    )
    from opentelemetry.sdk._logs.export import (  # type: ignore[assignment,no-redef,attr-defined,unused-ignore]
        LogExportResult as _LogExportResult,
    )

__all__ = [
    "WITHHELD",
    "WITHHELD_ATTRIBUTE",
    "MaskingLogExporter",
    "MaskingSpanExporter",
    "MaskingSpanProcessor",
    "mask_provider",
    "mask_span",
]

#: The one attribute such a span keeps, ``True``: masking failed and its content was dropped.
WITHHELD_ATTRIBUTE = "tracemask.withheld"

#: The ``ReadableSpan`` fields :class:`MaskingSpanProcessor` replaces (private SDK API).
_PRIVATE_SPAN_FIELDS = (
    "_name",
    "_attributes",
    "_events",
    "_links",
    "_status",
    "_resource",
    "_instrumentation_scope",
)
#: Masked resources and scopes kept per adapter (they are shared by many spans).
_CACHE_MAX_ENTRIES = 64

_log = logging.getLogger(__name__)

_T = TypeVar("_T")


def _bounded(attributes: Mapping[str, Any], dropped: int) -> BoundedAttributes:
    """Immutable attributes with the original ``dropped`` count (plain dicts report 0)."""
    bounded = BoundedAttributes(None, attributes, True)
    bounded.dropped = dropped
    return bounded


def _bounded_list(items: Sequence[_T], dropped: int) -> BoundedList[_T]:
    out: BoundedList[_T] = BoundedList(None)
    out.extend(items)
    out.dropped = dropped
    return out


class _Adapter:
    """What every adapter here shares: one Masker, an optional Report, masked resource cache."""

    def __init__(self, masker: Masker | None, report: Report | None) -> None:
        self.masker = masker_or_default(masker)
        #: Filled with counts of what was masked (never values), when given.
        self.report = report
        #: How many export calls (exporters) or spans (processors) could not be masked.
        self.failures = 0
        self._lock = threading.Lock()
        self._resources: dict[int, tuple[Resource, Resource]] = {}
        self._scopes: dict[int, tuple[InstrumentationScope, InstrumentationScope]] = {}

    @property
    def fail_open(self) -> bool:
        return fail_open(self.masker)

    def _mask(self, value: _T, scope: Mapping[str, str] | None = None) -> _T:
        if self.report is None:
            return self.masker.mask(value, scope=scope)
        local = Report()
        masked = self.masker.mask(value, report=local, scope=scope)
        with self._lock:
            self.report.merge(local)
        return masked

    def _failed(self, what: str, exc: BaseException) -> None:
        """Count a failure and log it: the exception type only, never a value or path."""
        with self._lock:
            self.failures += 1
        warn_failed(_log, what, exc, self.masker)

    def _resource(self, resource: Resource) -> Resource:
        hit = self._resources.get(id(resource))
        if hit is not None and hit[0] is resource:
            return hit[1]
        doc = self._mask({"resource": {"attributes": dict(resource.attributes)}})
        masked = Resource(doc["resource"]["attributes"], resource.schema_url)
        if len(self._resources) >= _CACHE_MAX_ENTRIES:
            self._resources.clear()
        self._resources[id(resource)] = (resource, masked)
        return masked

    def _scope(self, scope: InstrumentationScope | None) -> InstrumentationScope | None:
        if scope is None or not scope.attributes:
            return scope
        hit = self._scopes.get(id(scope))
        if hit is not None and hit[0] is scope:
            return hit[1]
        doc = self._mask({"scope": {"attributes": dict(scope.attributes)}})
        masked = InstrumentationScope(
            scope.name, scope.version, scope.schema_url, doc["scope"]["attributes"]
        )
        if len(self._scopes) >= _CACHE_MAX_ENTRIES:
            self._scopes.clear()
        self._scopes[id(scope)] = (scope, masked)
        return masked

    def mask_span(self, span: ReadableSpan) -> ReadableSpan:
        """Return a masked copy of ``span`` (raises when masking fails)."""
        events = span.events
        links = span.links
        description = span.status.description
        content: dict[str, Any] = {
            "attributes": dict(span.attributes or {}),
            "events": [{"attributes": dict(e.attributes or {})} for e in events],
            "links": [{"attributes": dict(link.attributes or {})} for link in links],
        }
        # Pseudonyms scoped by trace/session/tenant take their ids from the span itself.
        scope = None
        if self.masker.scope_kinds:
            trace_id = span.context.trace_id if span.context else None
            scope = scope_of(trace_id, span.attributes, span.resource.attributes)
        doc = self._mask(content, scope)
        # Names and the description are masked as bare strings: no key rule applies to them.
        name, masked_description, *event_names = self._mask(
            (span.name, description or "", *(e.name for e in events)), scope
        )
        return ReadableSpan(
            name=name,
            context=span.context,
            parent=span.parent,
            resource=self._resource(span.resource),
            attributes=_bounded(doc["attributes"], span.dropped_attributes),
            events=_bounded_list(
                [
                    Event(n, _bounded(d["attributes"], _dropped(e)), e.timestamp)
                    for e, n, d in zip(events, event_names, doc["events"], strict=True)
                ],
                span.dropped_events,
            ),
            links=_bounded_list(
                [
                    Link(link.context, _bounded(d["attributes"], _dropped(link)))
                    for link, d in zip(links, doc["links"], strict=True)
                ],
                span.dropped_links,
            ),
            kind=span.kind,
            status=Status(span.status.status_code, masked_description if description else None),
            start_time=span.start_time,
            end_time=span.end_time,
            instrumentation_info=getattr(span, "_instrumentation_info", None),
            instrumentation_scope=self._scope(span.instrumentation_scope),
        )


def _dropped(item: Any) -> int:
    dropped = getattr(item, "dropped_attributes", 0)
    return dropped if isinstance(dropped, int) else 0


def mask_span(span: ReadableSpan, masker: Masker | None = None) -> ReadableSpan:
    """Return a masked copy of one ``ReadableSpan``; ``span`` is left as it is.

    Raises:
        MaskingError: masking failed (the message names a path, never a value).
    """
    return _Adapter(masker, None).mask_span(span)


class MaskingSpanExporter(_Adapter, SpanExporter):
    """A ``SpanExporter`` that masks a copy of each batch, then hands it to ``inner``.

    Put it inside the processor of the destination it guards:
    ``BatchSpanProcessor(MaskingSpanExporter(OTLPSpanExporter(...)))``. Masking then runs on the
    processor's worker thread (the caller's on ``force_flush``/``shutdown``), off the hot path.

    When masking raises, ``export`` returns ``FAILURE`` and ``inner`` gets nothing (the batch
    processor drops a failed batch: no retry), unless the policy's ``fail_mode`` is ``"open"``:
    then the batch is exported unmasked and a warning without values is logged. Each case adds
    one to :attr:`failures`. An exception from ``inner`` is logged (its type only) and becomes
    ``FAILURE``: nothing raises into the SDK.

    Args:
        inner: the exporter that sends the masked spans.
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
        report: a :class:`~tracemask.Report` to fill with counts of what was masked.
    """

    def __init__(
        self, inner: SpanExporter, masker: Masker | None = None, *, report: Report | None = None
    ) -> None:
        super().__init__(masker, report)
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Mask ``spans`` and export them through ``inner``."""
        try:
            masked = [self.mask_span(s) for s in spans]
        except Exception as exc:  # noqa: BLE001 - an exporter must never raise into the SDK
            self._failed(f"{len(spans)} span(s)", exc)
            if not self.fail_open:
                return SpanExportResult.FAILURE
            masked = list(spans)
        try:
            return self.inner.export(masked)
        except Exception as exc:  # noqa: BLE001 - an exporter must never raise into the SDK
            _log.warning("tracemask: the wrapped span exporter raised %s", type(exc).__name__)
            return SpanExportResult.FAILURE

    def shutdown(self) -> None:
        """Shut ``inner`` down."""
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush ``inner``."""
        return self.inner.force_flush(timeout_millis)


class MaskingSpanProcessor(_Adapter, SpanProcessor):
    """A ``SpanProcessor`` that masks each ended span before other processors see it.

    Without ``inner`` it must be the **first** processor added to the ``TracerProvider``: the SDK
    builds one ``ReadableSpan`` per ended span and passes that same object to each processor in
    the order they were added; this processor replaces the span's content (private fields of
    ``ReadableSpan``) with a masked copy in ``on_end``, so every processor added later, third-party
    ones included, sees and exports only masked data. It needs the default synchronous
    multi-processor (a ``ConcurrentMultiSpanProcessor`` runs processors in parallel) and does not
    cover what other processors read in ``on_start`` or ``_on_ending`` (the live, unmasked span).

    With ``inner=processor`` it masks a copy and hands that to ``inner`` only (and forwards
    ``on_start``, ``shutdown`` and ``force_flush``). Either way masking runs on the thread that
    ends the span; prefer :class:`MaskingSpanExporter` when one exporter is all you need to guard.

    When masking raises, the span's content is withheld: name :data:`WITHHELD`, one attribute
    :data:`WITHHELD_ATTRIBUTE`, no events, no link or resource attributes, no status description
    (``inner`` gets nothing at all), unless the policy's ``fail_mode`` is ``"open"``. Each case
    adds one to :attr:`failures`.

    Args:
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
        inner: a processor to feed masked copies to, instead of masking in place.
        report: a :class:`~tracemask.Report` to fill with counts of what was masked.

    Raises:
        RuntimeError: (without ``inner``) the installed SDK's ``ReadableSpan`` no longer has the
            private fields this relies on; use :class:`MaskingSpanExporter` instead.
    """

    def __init__(
        self,
        masker: Masker | None = None,
        *,
        inner: SpanProcessor | None = None,
        report: Report | None = None,
    ) -> None:
        super().__init__(masker, report)
        self.inner = inner
        if inner is None:
            _check_in_place_masking()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Forward to ``inner`` (which sees the live, unmasked span)."""
        if self.inner is not None:
            self.inner.on_start(span, parent_context=parent_context)

    def _on_ending(self, span: Span) -> None:
        on_ending = getattr(self.inner, "_on_ending", None)
        if on_ending is not None:
            on_ending(span)

    def on_end(self, span: ReadableSpan) -> None:
        """Mask ``span`` in place, or hand a masked copy to ``inner``."""
        masked: ReadableSpan | None  # None: withhold
        try:
            masked = self.mask_span(span)
        except Exception as exc:  # noqa: BLE001 - a processor must never raise into the SDK
            self._failed("a span", exc)
            masked = span if self.fail_open else None
        try:
            if self.inner is not None:
                if masked is not None:
                    self.inner.on_end(masked)
            elif masked is not span:
                _replace_content(span, masked if masked is not None else _withheld_span(span))
        except Exception as exc:  # noqa: BLE001 - a processor must never raise into the SDK
            _log.warning(
                "tracemask: %s raised %s",
                "the wrapped span processor" if self.inner is not None else "withholding a span",
                type(exc).__name__,
            )

    def shutdown(self) -> None:
        """Shut ``inner`` down."""
        if self.inner is not None:
            self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush ``inner``."""
        if self.inner is None:
            return True
        return self.inner.force_flush(timeout_millis)


def _replace_content(target: ReadableSpan, source: ReadableSpan) -> None:
    for name in _PRIVATE_SPAN_FIELDS:
        setattr(target, name, getattr(source, name))


def _withheld_span(span: ReadableSpan) -> ReadableSpan:
    """A copy of ``span`` with only its structure: ids, kind, times, status code, scope name."""
    scope = span.instrumentation_scope
    return ReadableSpan(
        name=WITHHELD,
        context=span.context,
        parent=span.parent,
        resource=Resource({}, span.resource.schema_url),
        attributes=_bounded({WITHHELD_ATTRIBUTE: True}, 0),
        events=_bounded_list([], len(span.events) + span.dropped_events),
        links=_bounded_list([Link(link.context) for link in span.links], span.dropped_links),
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=(
            None if scope is None else InstrumentationScope(scope.name, scope.version)
        ),
    )


def _check_in_place_masking() -> None:
    """Check that replacing a ReadableSpan's private fields changes what readers see."""
    target = ReadableSpan(name="a", attributes={"k": "a"}, events=[Event("a")])
    source = ReadableSpan(
        name="b",
        attributes=_bounded({"k": "b"}, 0),
        events=_bounded_list([Event("b")], 0),
        links=_bounded_list([], 0),
        status=Status(),
        resource=Resource({"r": "b"}),
        instrumentation_scope=InstrumentationScope("b"),
    )
    try:
        _replace_content(target, source)
        ok = (
            target.name == "b"
            and dict(target.attributes or {}) == {"k": "b"}
            and [e.name for e in target.events] == ["b"]
            and target.resource.attributes.get("r") == "b"
            and target.instrumentation_scope is not None
            and target.instrumentation_scope.name == "b"
        )
    except Exception:  # noqa: BLE001 - any failure means the private API moved
        ok = False
    if not ok:
        raise RuntimeError(
            "MaskingSpanProcessor cannot mask spans in place with this opentelemetry-sdk "
            "(ReadableSpan's private fields changed); use MaskingSpanExporter, or "
            "MaskingSpanProcessor(masker, inner=processor)"
        )


class MaskingLogExporter(_Adapter, _LogExporterBase):
    """A log-record exporter that masks a copy of each batch, then hands it to ``inner``.

    ``BatchLogRecordProcessor(MaskingLogExporter(OTLPLogExporter(...)))``. It masks each record's
    ``body`` (any ``AnyValue``: GenAI events carry messages there or in attributes) and
    attributes (``exception.*`` included), and resource and scope attributes; the live
    ``exception`` object a record may carry is not passed on (its text is in the masked
    ``exception.*`` attributes). Failures behave as in :class:`MaskingSpanExporter`.

    Args:
        inner: the log-record exporter that sends the masked records.
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
        report: a :class:`~tracemask.Report` to fill with counts of what was masked.
    """

    def __init__(
        self, inner: _LogExporterBase, masker: Masker | None = None, *, report: Report | None = None
    ) -> None:
        super().__init__(masker, report)
        self.inner = inner

    def export(self, batch: Sequence[Any]) -> _LogExportResult:
        """Mask ``batch`` and export it through ``inner``."""
        try:
            masked = [self.mask_log_record(r) for r in batch]
        except Exception as exc:  # noqa: BLE001 - an exporter must never raise into the SDK
            self._failed(f"{len(batch)} log record(s)", exc)
            if not self.fail_open:
                return _LogExportResult.FAILURE
            masked = list(batch)
        try:
            result: _LogExportResult = self.inner.export(masked)
        except Exception as exc:  # noqa: BLE001 - an exporter must never raise into the SDK
            _log.warning("tracemask: the wrapped log exporter raised %s", type(exc).__name__)
            return _LogExportResult.FAILURE
        return result

    def mask_log_record(self, readable: Any) -> Any:
        """Return a masked copy of one exported log record (``ReadableLogRecord``/``LogData``)."""
        record = readable.log_record
        attributes = record.attributes
        dropped = attributes.dropped if isinstance(attributes, BoundedAttributes) else 0
        scope = None
        if self.masker.scope_kinds:
            scope = scope_of(getattr(record, "trace_id", None), attributes)
        doc = self._mask({"body": record.body, "attributes": dict(attributes or {})}, scope)
        new_record = copy.copy(record)
        new_record.body = doc["body"]
        new_record.attributes = _bounded(doc["attributes"], dropped)
        if getattr(new_record, "exception", None) is not None:
            new_record.exception = None
        if isinstance(getattr(record, "resource", None), Resource):  # SDK < 1.39: LogData
            new_record.resource = self._resource(record.resource)
        clone = copy.copy(readable)
        object.__setattr__(clone, "log_record", new_record)
        if isinstance(getattr(readable, "resource", None), Resource):
            object.__setattr__(clone, "resource", self._resource(readable.resource))
        scope = getattr(readable, "instrumentation_scope", None)
        if isinstance(scope, InstrumentationScope):
            object.__setattr__(clone, "instrumentation_scope", self._scope(scope))
        return clone

    def shutdown(self) -> None:
        """Shut ``inner`` down."""
        self.inner.shutdown()  # type: ignore[no-untyped-call]  # the SDK leaves it unannotated

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush ``inner``."""
        return bool(self.inner.force_flush(timeout_millis))


def mask_provider(provider: object, masker: Masker | None = None) -> MaskingSpanProcessor | None:
    """Put a :class:`MaskingSpanProcessor` **first** on an SDK ``TracerProvider`` built elsewhere.

    For a provider whose processors someone else already added (LiteLLM's ``otel`` logger
    builds its own): ``add_span_processor`` would append the masking processor after them, so it
    is prepended to the provider's processor list instead (private SDK API, checked here: a
    provider of another shape is left as it is and ``None`` returned). Idempotent: a provider
    already masked first returns that processor.
    """
    multi = getattr(provider, "_active_span_processor", None)
    current = getattr(multi, "_span_processors", None)
    lock = getattr(multi, "_lock", None)
    if not isinstance(current, tuple) or lock is None:
        return None
    with lock:
        current = multi._span_processors  # type: ignore[union-attr]
        if current and isinstance(current[0], MaskingSpanProcessor):
            return current[0]
        masking = MaskingSpanProcessor(masker)
        multi._span_processors = (masking, *current)  # type: ignore[union-attr]
    return masking

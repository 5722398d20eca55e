"""OpenTelemetry: the real SDK exports only masked spans and log records to a local collector.

Spans and log records go through the real SDK pipeline (TracerProvider/LoggerProvider, batch
or simple processors, the OTLP/HTTP exporters) to ``capture_server``; each test decodes the
protobuf that arrived and searches it (raw bytes and JSON form) for the planted values.

The street address (A) is planted only under keys the test policy's key rule names, never in free
text: the tests do not depend on the engine's address detection.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format
from opentelemetry import trace
from opentelemetry._logs import LogRecord
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import (
    InMemoryLogRecordExporter,
    SimpleLogRecordProcessor,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import (
    Event,
    ReadableSpan,
    SpanLimits,
    SpanProcessor,
    TracerProvider,
)
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import (
    Link,
    SpanContext,
    SpanKind,
    Status,
    StatusCode,
    TraceFlags,
    format_trace_id,
)

from tests.integrations._support import (
    ADDRESS,
    API_KEY,
    CARD,
    EMAIL,
    PHONE,
    BrokenMasker,
    leaks,
)
from tests.integrations.conftest import CaptureServer
from tracemask import Masker, Report
from tracemask.integrations import otel
from tracemask.integrations.otel import (
    WITHHELD,
    WITHHELD_ATTRIBUTE,
    MaskingLogExporter,
    MaskingSpanExporter,
    MaskingSpanProcessor,
    mask_span,
)

USER_MSG = f"Hi, my contact is ({EMAIL}, {PHONE}). Card {CARD}. My old key {API_KEY} leaked."
ANSWER = f"Thanks! I've noted card {CARD} and will email a confirmation to {EMAIL}."
TOOL_ARGS = json.dumps({"card_number": CARD, "billing_address": ADDRESS, "notify_email": EMAIL})
ERROR_MSG = f"card declined for {EMAIL} ({CARD}); gateway key {API_KEY}"
#: A policy that also masks addresses under these keys (A is not detected in free text). Not
#: ``*address``: key rules match the last dotted segment, so that would mask ``server.address``.
POLICY = {"key_rules": [{"keys": ["shipping_address", "billing_address"], "entity": "LOCATION"}]}

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="module")
def policy_masker() -> Masker:
    """One Masker for the module (immutable and thread-safe; building one takes a while)."""
    return Masker(POLICY)


# -- helpers ----------------------------------------------------------------------------------


def traces(server: CaptureServer) -> list[ExportTraceServiceRequest]:
    return [
        ExportTraceServiceRequest.FromString(r.body)
        for r in server.requests
        if r.path.endswith("/v1/traces")
    ]


def assert_nothing_leaked(server: CaptureServer, *, address: bool = True) -> None:
    """No planted value in the raw bodies nor in their protobuf JSON form."""
    assert server.requests, "nothing was exported"
    assert leaks(server.bodies(), address=address) == []
    for request in traces(server):
        assert leaks(json_format.MessageToJson(request), address=address) == []


def pb_spans(request: ExportTraceServiceRequest) -> list[Any]:
    return [s for rs in request.resource_spans for ss in rs.scope_spans for s in ss.spans]


def pb_value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return tuple(pb_value(v) for v in value.array_value.values)
    if kind == "kvlist_value":
        return {kv.key: pb_value(kv.value) for kv in value.kvlist_value.values}
    return getattr(value, kind)


def pb_attrs(kvs: Sequence[KeyValue]) -> dict[str, Any]:
    return {kv.key: pb_value(kv.value) for kv in kvs}


@pytest.fixture
def provider() -> Iterator[TracerProvider]:
    """A TracerProvider of the app (never the global one); shut down afterwards."""
    tp = TracerProvider(
        resource=Resource.create({"service.name": "billing-support-bot", "owner.email": EMAIL})
    )
    yield tp
    tp.shutdown()


def charge_card() -> None:
    raise ValueError(ERROR_MSG)


#: The trace id of the last ``run_app`` (as the app saw it).
LAST_TRACE: list[int] = []


def run_app(tp: TracerProvider) -> dict[str, str]:
    """An LLM app traced by hand the way GenAI instrumentations do; returns its answer."""
    tracer = tp.get_tracer("opentelemetry.instrumentation.openai_v2", "2.4b0")
    app = tp.get_tracer("billing-app", attributes={"team.contact": EMAIL})
    with app.start_as_current_span("handle-billing-request") as root:
        LAST_TRACE[:] = [root.get_span_context().trace_id]
        return _traced_work(app, tracer)


def _traced_work(app: trace.Tracer, tracer: trace.Tracer) -> dict[str, str]:
    with app.start_as_current_span("lookup") as lookup:
        lookup.set_attribute("customer.shipping_address", ADDRESS)
    with tracer.start_as_current_span(
        f"chat gpt-4o-mini for {EMAIL}",
        kind=SpanKind.CLIENT,
        links=[Link(lookup.get_span_context(), {"link.reason": f"same customer {EMAIL}"})],
    ) as span:
        span.set_attribute("gen_ai.request.model", "gpt-4o-mini")
        span.set_attribute("gen_ai.usage.input_tokens", 61)
        span.set_attribute("gen_ai.usage.output_tokens", 24)
        span.set_attribute("gen_ai.request.temperature", 0.2)
        messages = [{"role": "user", "parts": [{"type": "text", "content": USER_MSG}]}]
        span.set_attribute("gen_ai.input.messages", json.dumps(messages))
        span.set_attribute(
            "gen_ai.output.messages",
            json.dumps([{"role": "assistant", "parts": [{"type": "text", "content": ANSWER}]}]),
        )
        span.set_attribute("gen_ai.tool.call.arguments", TOOL_ARGS)
        span.set_attribute("input.value", json.dumps({"messages": messages}))
        span.set_attribute("gen_ai.prompt.1.content", USER_MSG)
        span.set_attribute("app.recipients", [EMAIL, "ops@internal"])
        span.set_attribute("app.customer", {"email": EMAIL, "phones": [PHONE], "tier": "pro"})
        span.add_event("gen_ai.user.message", {"content": USER_MSG})
        try:
            charge_card()
        except ValueError as exc:
            span.record_exception(exc)
        span.set_status(Status(StatusCode.ERROR, ERROR_MSG))
    return {"answer": ANSWER}


# -- MaskingSpanExporter ------------------------------------------------------------------------


def test_exporter_sends_only_masked_spans_over_otlp(
    policy_masker: Masker, capture_server: CaptureServer, provider: TracerProvider
) -> None:
    report = Report()
    exporter = MaskingSpanExporter(
        OTLPSpanExporter(endpoint=capture_server.url + "/v1/traces"), policy_masker, report=report
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))

    assert run_app(provider) == {"answer": ANSWER}  # the app keeps its own values
    assert provider.force_flush()

    assert_nothing_leaked(capture_server)
    (request,) = traces(capture_server)
    spans = {s.name: s for s in pb_spans(request)}
    assert set(spans) == {
        "handle-billing-request",
        "lookup",
        "chat gpt-4o-mini for <EMAIL_ADDRESS>",
    }
    chat = spans["chat gpt-4o-mini for <EMAIL_ADDRESS>"]
    attrs = pb_attrs(chat.attributes)
    # Ids, kinds, numbers and model names arrive intact; only content changed.
    assert chat.trace_id.hex() == format_trace_id(LAST_TRACE[0])
    assert chat.parent_span_id == spans["handle-billing-request"].span_id
    assert chat.kind == 3  # CLIENT
    assert chat.status.code == 2  # ERROR
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini"
    assert attrs["gen_ai.usage.input_tokens"] == 61
    assert attrs["gen_ai.usage.output_tokens"] == 24
    assert attrs["gen_ai.request.temperature"] == 0.2
    assert attrs["app.customer"] == {
        "email": "<EMAIL_ADDRESS>",
        "phones": ("<PHONE_NUMBER>",),
        "tier": "pro",
    }
    assert attrs["app.recipients"] == ("<EMAIL_ADDRESS>", "ops@internal")
    assert json.loads(attrs["gen_ai.tool.call.arguments"]) == {
        "card_number": "<CREDIT_CARD>",
        "billing_address": "<LOCATION>",
        "notify_email": "<EMAIL_ADDRESS>",
    }
    assert json.loads(attrs["gen_ai.input.messages"])[0]["parts"][0]["content"] == (
        "Hi, my contact is (<EMAIL_ADDRESS>, <PHONE_NUMBER>). Card <CREDIT_CARD>. "
        "My old key <API_KEY> leaked."
    )
    assert (
        chat.status.message
        == "card declined for <EMAIL_ADDRESS> (<CREDIT_CARD>); gateway key <API_KEY>"
    )
    assert [e.name for e in chat.events] == ["gen_ai.user.message", "exception"]
    exception = pb_attrs(chat.events[1].attributes)
    assert exception["exception.type"] == "ValueError"
    assert "<EMAIL_ADDRESS>" in exception["exception.stacktrace"]
    assert chat.links[0].span_id == spans["lookup"].span_id
    assert pb_attrs(chat.links[0].attributes) == {"link.reason": "same customer <EMAIL_ADDRESS>"}
    assert pb_attrs(spans["lookup"].attributes) == {"customer.shipping_address": "<LOCATION>"}
    resource = pb_attrs(request.resource_spans[0].resource.attributes)
    assert resource["service.name"] == "billing-support-bot"
    assert resource["owner.email"] == "<EMAIL_ADDRESS>"
    scopes = {
        ss.scope.name: pb_attrs(ss.scope.attributes) for ss in request.resource_spans[0].scope_spans
    }
    assert scopes["billing-app"] == {"team.contact": "<EMAIL_ADDRESS>"}
    assert report.by_entity["EMAIL_ADDRESS"] >= 10
    assert "attributes[gen_ai.input.messages].*.parts.*.content" in report.by_path
    assert exporter.failures == 0


def test_exporter_keeps_dropped_counts_and_never_mutates_the_span(
    policy_masker: Masker,
) -> None:
    provider = TracerProvider(
        span_limits=SpanLimits(max_span_attributes=2, max_events=1, max_event_attributes=1)
    )
    raw = InMemorySpanExporter()
    masked = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(raw))
    provider.add_span_processor(SimpleSpanProcessor(MaskingSpanExporter(masked, policy_masker)))
    with provider.get_tracer("t").start_as_current_span("s") as span:
        for i in range(4):
            span.set_attribute(f"a{i}", f"{i} {EMAIL}")
        span.add_event("e1", {"x": EMAIL})
        span.add_event("e2", {"x": EMAIL, "y": 1})  # the newest event is kept
    provider.shutdown()

    (original,) = raw.get_finished_spans()
    (copy,) = masked.get_finished_spans()
    assert (copy.dropped_attributes, copy.dropped_events) == (2, 1)
    assert original.events[0].dropped_attributes == copy.events[0].dropped_attributes == 1
    assert dict(copy.attributes or {}) == {"a2": "2 <EMAIL_ADDRESS>", "a3": "3 <EMAIL_ADDRESS>"}
    assert dict(original.attributes or {}) == {"a2": f"2 {EMAIL}", "a3": f"3 {EMAIL}"}
    assert copy.context == original.context
    assert (copy.start_time, copy.end_time) == (original.start_time, original.end_time)
    provider.shutdown()


def test_exporter_fails_closed_and_sends_nothing(
    capture_server: CaptureServer, provider: TracerProvider, caplog: pytest.LogCaptureFixture
) -> None:
    exporter = MaskingSpanExporter(
        OTLPSpanExporter(endpoint=capture_server.url + "/v1/traces"), BrokenMasker()
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    with caplog.at_level(logging.WARNING, logger="tracemask"):
        run_app(provider)
        provider.force_flush()

    assert capture_server.requests == []
    assert exporter.failures == 1
    assert "withheld" in caplog.text
    assert leaks(caplog.text) == []
    assert "attributes.x" not in caplog.text  # not even the path of the failure
    span = ReadableSpan(name=EMAIL, context=None)
    assert exporter.export([span]) is SpanExportResult.FAILURE
    assert exporter.failures == 2


def test_exporter_fail_open_sends_unmasked_with_a_warning(
    capture_server: CaptureServer, provider: TracerProvider, caplog: pytest.LogCaptureFixture
) -> None:
    masker = BrokenMasker({"fail_mode": "open"})
    exporter = MaskingSpanExporter(
        OTLPSpanExporter(endpoint=capture_server.url + "/v1/traces"), masker
    )
    provider.add_span_processor(BatchSpanProcessor(exporter))
    with caplog.at_level(logging.WARNING, logger="tracemask"):
        run_app(provider)
        provider.force_flush()

    assert EMAIL in leaks(capture_server.bodies())  # open means open
    assert exporter.failures == 1
    assert "sent unmasked (fail_mode=open)" in caplog.text
    assert leaks(caplog.text) == []


def test_exporter_never_raises_and_delegates_flush_and_shutdown(policy_masker: Masker) -> None:
    class Exploding(SpanExporter):
        def __init__(self) -> None:
            self.flushed: list[int] = []
            self.shut = False

        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            raise ConnectionError(EMAIL)

        def shutdown(self) -> None:
            self.shut = True

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            self.flushed.append(timeout_millis)
            return False

    inner = Exploding()
    exporter = MaskingSpanExporter(inner, policy_masker)
    assert exporter.export([ReadableSpan(name="s")]) is SpanExportResult.FAILURE
    assert exporter.force_flush(123) is False
    assert inner.flushed == [123]
    exporter.shutdown()
    assert inner.shut


def test_mask_span_returns_a_copy(
    policy_masker: Masker,
) -> None:
    span = ReadableSpan(
        name=f"send to {EMAIL}",
        attributes={"to": EMAIL, "n": 3},
        status=Status(StatusCode.OK),
        resource=Resource({"service.name": "svc"}),
        instrumentation_scope=InstrumentationScope("scope", "1.0"),
    )
    copy = mask_span(span, policy_masker)
    assert copy.name == "send to <EMAIL_ADDRESS>"
    assert dict(copy.attributes or {}) == {"to": "<EMAIL_ADDRESS>", "n": 3}
    assert copy.status.status_code is StatusCode.OK
    assert copy.status.description is None
    assert copy.instrumentation_scope is span.instrumentation_scope  # no attributes: kept
    assert span.name == f"send to {EMAIL}"


def test_policy_path_rules_address_span_parts_by_otlp_like_paths() -> None:
    masker = Masker(
        {
            "path_rules": [
                {"path": "attributes[gen_ai.prompt.1.content]", "operator": {"type": "drop"}},
                {"path": "events.*.attributes[exception.stacktrace]", "operator": {"type": "drop"}},
                {"path": "attributes[app.owner]", "operator": {"type": "keep"}},
            ]
        }
    )
    span = ReadableSpan(
        name="s",
        attributes={"gen_ai.prompt.1.content": USER_MSG, "app.owner": EMAIL, "n": 1},
        events=[
            Event("exception", {"exception.stacktrace": ERROR_MSG, "exception.message": ERROR_MSG})
        ],
    )
    copy = mask_span(span, masker)
    assert dict(copy.attributes or {}) == {"app.owner": EMAIL, "n": 1}
    assert dict(copy.events[0].attributes or {}) == {
        "exception.message": "card declined for <EMAIL_ADDRESS> (<CREDIT_CARD>); "
        "gateway key <API_KEY>"
    }


# -- MaskingSpanProcessor -----------------------------------------------------------------------


def test_processor_first_masks_for_every_later_processor(
    policy_masker: Masker, capture_server: CaptureServer, provider: TracerProvider
) -> None:
    """Wiring (C): later processors, a third-party one included, only ever see masked spans."""
    masking = MaskingSpanProcessor(policy_masker)
    third_party = InMemorySpanExporter()
    provider.add_span_processor(masking)
    provider.add_span_processor(SimpleSpanProcessor(third_party))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=capture_server.url + "/v1/traces"))
    )

    assert run_app(provider) == {"answer": ANSWER}
    provider.force_flush()

    assert_nothing_leaked(capture_server)
    spans = third_party.get_finished_spans()
    assert len(spans) == 3
    for span in spans:
        assert leaks(span.to_json()) == []
        assert leaks(repr(dict(span.instrumentation_scope.attributes or {}))) == []
    chat = next(s for s in spans if s.name.startswith("chat"))
    assert chat.attributes["gen_ai.usage.input_tokens"] == 61
    assert chat.events[1].attributes["exception.type"] == "ValueError"
    assert masking.failures == 0


def test_processor_relies_on_private_fields_that_are_pinned() -> None:
    """The in-place form replaces these ReadableSpan fields; the SDK must still read them."""
    span = ReadableSpan(name="x", attributes={"k": "v"})
    for name in otel._PRIVATE_SPAN_FIELDS:
        assert hasattr(span, name), name
    otel._check_in_place_masking()  # what MaskingSpanProcessor() runs


def test_processor_refuses_to_start_when_the_private_api_moved(
    policy_masker: Masker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(otel, "_PRIVATE_SPAN_FIELDS", ("_renamed_in_a_future_sdk",))
    with pytest.raises(RuntimeError, match="MaskingSpanExporter"):
        MaskingSpanProcessor(policy_masker)
    MaskingSpanProcessor(
        policy_masker, inner=SimpleSpanProcessor(InMemorySpanExporter())
    )  # needs no private API


def test_processor_withholds_content_when_masking_fails(provider: TracerProvider) -> None:
    masking = MaskingSpanProcessor(BrokenMasker())
    later = InMemorySpanExporter()
    provider.add_span_processor(masking)
    provider.add_span_processor(SimpleSpanProcessor(later))
    run_app(provider)

    spans = later.get_finished_spans()
    assert len(spans) == 3
    assert masking.failures == 3
    for span in spans:
        assert leaks(span.to_json()) == []
        assert span.name == WITHHELD
        assert dict(span.attributes or {}) == {WITHHELD_ATTRIBUTE: True}
        assert span.events == ()
        assert span.context is not None
    chat = next(s for s in spans if s.kind is SpanKind.CLIENT)
    assert chat.status.status_code is StatusCode.ERROR
    assert chat.status.description is None
    assert chat.dropped_events == 2


def test_wrapping_processor_masks_only_for_its_inner_processor(
    policy_masker: Masker, provider: TracerProvider
) -> None:
    """Wiring (B): the wrapped processor gets masked copies; others still see the raw span."""
    masked = InMemorySpanExporter()
    raw = InMemorySpanExporter()
    provider.add_span_processor(
        MaskingSpanProcessor(policy_masker, inner=SimpleSpanProcessor(masked))
    )
    provider.add_span_processor(SimpleSpanProcessor(raw))
    run_app(provider)

    assert len(masked.get_finished_spans()) == 3
    for span in masked.get_finished_spans():
        assert leaks(span.to_json()) == []
    assert EMAIL in leaks("".join(s.to_json() for s in raw.get_finished_spans()))


def test_wrapping_processor_drops_the_span_when_masking_fails(provider: TracerProvider) -> None:
    class Recording(SpanProcessor):
        def __init__(self) -> None:
            self.started: list[str] = []
            self.ended: list[str] = []
            self.flushed = False

        def on_start(self, span: Any, parent_context: Any = None) -> None:
            self.started.append(span.name)

        def on_end(self, span: ReadableSpan) -> None:
            self.ended.append(span.name)

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            self.flushed = True
            return True

    inner = Recording()
    wrapper = MaskingSpanProcessor(BrokenMasker(), inner=inner)
    provider.add_span_processor(wrapper)
    run_app(provider)
    assert len(inner.started) == 3  # on_start is forwarded (the live span)
    assert inner.ended == []
    assert wrapper.force_flush()
    assert inner.flushed


# -- MaskingLogExporter ---------------------------------------------------------------------------


def test_log_exporter_masks_body_and_attributes_of_genai_events(
    policy_masker: Masker, capture_server: CaptureServer, provider: TracerProvider
) -> None:
    logger_provider = LoggerProvider(resource=Resource.create({"owner.email": EMAIL}))
    exporter = MaskingLogExporter(
        OTLPLogExporter(endpoint=capture_server.url + "/v1/logs"), policy_masker
    )
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger = logger_provider.get_logger("opentelemetry.instrumentation.openai_v2")
    with provider.get_tracer("t").start_as_current_span("chat") as span:
        logger.emit(
            LogRecord(
                event_name="gen_ai.client.inference.operation.details",
                body={"role": "user", "content": USER_MSG},
                attributes={
                    "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.input.messages": json.dumps([{"role": "user", "content": USER_MSG}]),
                    "gen_ai.tool.call.arguments": TOOL_ARGS,
                    "gen_ai.usage.input_tokens": 61,
                },
            )
        )
        logger.emit(body=f"charge failed for {EMAIL}", exception=ValueError(ERROR_MSG))
    logger_provider.shutdown()

    assert_nothing_leaked(capture_server)
    requests = [
        ExportLogsServiceRequest.FromString(r.body)
        for r in capture_server.requests
        if r.path == "/v1/logs"
    ]
    assert len(requests) == 2  # SimpleLogRecordProcessor: one request per record
    for request in requests:
        assert leaks(json_format.MessageToJson(request)) == []
    records = [
        r
        for request in requests
        for rl in request.resource_logs
        for sl in rl.scope_logs
        for r in sl.log_records
    ]
    assert len(records) == 2
    event, failure = records
    assert event.event_name == "gen_ai.client.inference.operation.details"
    assert event.trace_id.hex() == format_trace_id(span.get_span_context().trace_id)
    assert pb_value(event.body) == {
        "role": "user",
        "content": USER_MSG.replace(EMAIL, "<EMAIL_ADDRESS>")
        .replace(PHONE, "<PHONE_NUMBER>")
        .replace(CARD, "<CREDIT_CARD>")
        .replace(API_KEY, "<API_KEY>"),
    }
    attrs = pb_attrs(event.attributes)
    assert attrs["gen_ai.request.model"] == "gpt-4o-mini"
    assert attrs["gen_ai.usage.input_tokens"] == 61
    assert json.loads(attrs["gen_ai.tool.call.arguments"])["billing_address"] == "<LOCATION>"
    assert pb_value(failure.body) == "charge failed for <EMAIL_ADDRESS>"
    assert pb_attrs(failure.attributes)["exception.type"] == "ValueError"
    resource = pb_attrs(requests[0].resource_logs[0].resource.attributes)
    assert resource["owner.email"] == "<EMAIL_ADDRESS>"


def test_log_exporter_fails_closed() -> None:
    logger_provider = LoggerProvider()
    inner = InMemoryLogRecordExporter()
    exporter = MaskingLogExporter(inner, BrokenMasker())
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(exporter))
    logger_provider.get_logger("x").emit(body=EMAIL)
    assert inner.get_finished_logs() == ()
    assert exporter.failures == 1
    logger_provider.shutdown()


def test_log_exporter_keeps_the_callers_record(
    policy_masker: Masker,
) -> None:
    logger_provider = LoggerProvider()
    raw = InMemoryLogRecordExporter()
    masked = InMemoryLogRecordExporter()
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(raw))
    logger_provider.add_log_record_processor(
        SimpleLogRecordProcessor(MaskingLogExporter(masked, policy_masker))
    )
    logger_provider.get_logger("x").emit(body={"to": EMAIL}, attributes={"cc": EMAIL})
    (original,) = raw.get_finished_logs()
    (copy,) = masked.get_finished_logs()
    assert original.log_record.body == {"to": EMAIL}
    assert copy.log_record.body == {"to": "<EMAIL_ADDRESS>"}
    assert dict(copy.log_record.attributes or {}) == {"cc": "<EMAIL_ADDRESS>"}
    assert dict(original.log_record.attributes or {}) == {"cc": EMAIL}
    logger_provider.shutdown()


# -- the shared sample trace ----------------------------------------------------------------------


def readable_spans(request: ExportTraceServiceRequest) -> list[ReadableSpan]:
    """Turn an OTLP request back into the ReadableSpans an exporter gets."""
    spans = []
    for rs in request.resource_spans:
        resource = Resource(pb_attrs(rs.resource.attributes), rs.schema_url)
        for ss in rs.scope_spans:
            scope = InstrumentationScope(
                ss.scope.name, ss.scope.version, ss.schema_url, pb_attrs(ss.scope.attributes)
            )
            for s in ss.spans:

                def ctx(trace_id: bytes, span_id: bytes) -> SpanContext:
                    return SpanContext(
                        int.from_bytes(trace_id, "big"),
                        int.from_bytes(span_id, "big"),
                        is_remote=False,
                        trace_flags=TraceFlags(TraceFlags.SAMPLED),
                    )

                spans.append(
                    ReadableSpan(
                        name=s.name,
                        context=ctx(s.trace_id, s.span_id),
                        parent=ctx(s.trace_id, s.parent_span_id) if s.parent_span_id else None,
                        resource=resource,
                        attributes=pb_attrs(s.attributes),
                        events=[
                            Event(e.name, pb_attrs(e.attributes), e.time_unix_nano)
                            for e in s.events
                        ],
                        links=[
                            Link(ctx(link.trace_id, link.span_id), pb_attrs(link.attributes))
                            for link in s.links
                        ],
                        kind=SpanKind(s.kind - 1),
                        status=Status(StatusCode(s.status.code), s.status.message or None),
                        start_time=s.start_time_unix_nano,
                        end_time=s.end_time_unix_nano,
                        instrumentation_scope=scope,
                    )
                )
    return spans


@pytest.mark.parametrize("sample", ["otlp_genai_trace.pb", "langfuse_otlp_export.pb"])
def test_exporter_on_the_shared_sample_traces(
    policy_masker: Masker, capture_server: CaptureServer, sample: str
) -> None:
    path = SAMPLES / sample
    original = ExportTraceServiceRequest.FromString(path.read_bytes())
    assert EMAIL in leaks(original.SerializeToString())
    exporter = MaskingSpanExporter(
        OTLPSpanExporter(endpoint=capture_server.url + "/v1/traces"), policy_masker
    )
    assert exporter.export(readable_spans(original)) is SpanExportResult.SUCCESS

    assert_nothing_leaked(capture_server, address=False)  # A also sits in free text there
    (sent,) = traces(capture_server)
    before, after = pb_spans(original), pb_spans(sent)
    assert [s.span_id for s in after] == [s.span_id for s in before]
    assert [s.trace_id for s in after] == [s.trace_id for s in before]
    assert [s.name for s in after] == [s.name for s in before]  # no content in these names
    for b, a in zip(before, after, strict=True):
        b_attrs, a_attrs = pb_attrs(b.attributes), pb_attrs(a.attributes)
        assert set(a_attrs) == set(b_attrs)
        # Numbers, booleans and ids are untouched; so are strings without findings.
        for key, value in b_attrs.items():
            if not isinstance(value, str) or not leaks(value):
                assert a_attrs[key] == value, key
        assert len(a.events) == len(b.events)
        assert a.status.code == b.status.code


# -- packaging ------------------------------------------------------------------------------------


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "tracemask.integrations.otel")
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk.trace", None)
    with pytest.raises(ImportError, match=r"pip install 'tracemask\[otel\]'"):
        __import__("tracemask.integrations.otel")


def test_trace_scoped_pseudonyms_link_spans_of_one_trace_only(
    capture_server: CaptureServer, provider: TracerProvider
) -> None:
    masker = Masker(
        {
            **POLICY,
            "default_operator": {"type": "pseudonymize", "key": "k", "scope": "trace"},
        }
    )
    exporter = MaskingSpanExporter(
        OTLPSpanExporter(endpoint=capture_server.url + "/v1/traces"), masker
    )
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("app")
    for conversation in ("c1", "c2"):
        with tracer.start_as_current_span("turn") as root:
            root.set_attribute("gen_ai.conversation.id", conversation)
            root.set_attribute("gen_ai.prompt", f"I am {EMAIL}")
            with tracer.start_as_current_span("tool") as child:
                child.set_attribute("tool.args", json.dumps({"to": EMAIL, "card": CARD}))
    assert_nothing_leaked(capture_server)
    spans = [s for r in traces(capture_server) for s in pb_spans(r)]
    token_by_trace: dict[bytes, set[str]] = {}
    for span in spans:
        attrs = pb_attrs(span.attributes)
        text = attrs.get("gen_ai.prompt") or json.loads(attrs["tool.args"])["to"]
        token = text.removeprefix("I am ")
        assert token.startswith("<EMAIL_ADDRESS_")
        token_by_trace.setdefault(span.trace_id, set()).add(token)
    assert len(token_by_trace) == 2
    first, second = token_by_trace.values()
    assert len(first) == 1  # one customer, one token across the trace's spans
    assert len(second) == 1
    assert first != second  # and nothing links the two traces

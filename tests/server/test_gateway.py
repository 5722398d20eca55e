"""The OTLP gateway, driven by the real OpenTelemetry SDK exporters, forwarding upstream."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import httpx
from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Status, StatusCode

from tests.server.conftest import PLANTED, TOKEN, TRACE_PB, Server, Upstream, leaks

E, P, C = PLANTED


def _trace(exporter: SpanExporter) -> list[ReadableSpan]:
    """Emit a small GenAI-like trace with the planted values through ``exporter``."""
    memory = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "billing", "owner": E}))
    provider.add_span_processor(SimpleSpanProcessor(memory))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracer = provider.get_tracer("tests.server", "1.0")
    with tracer.start_as_current_span("chat", attributes={"user.id": "user_8812"}) as root:
        root.set_attribute(
            "gen_ai.input.messages",
            json.dumps([{"role": "user", "content": f"I'm {E}, card {C}, phone {P}"}]),
        )
        with tracer.start_as_current_span(f"lookup {E}") as child:
            child.set_attribute("retries", 3)
            child.set_attribute("tags", ["billing", f"mail {E}"])
            child.add_event("gen_ai.user.message", {"content": f"call me at {P}"})
            child.set_status(Status(StatusCode.ERROR, f"card {C} declined"))
    provider.shutdown()
    return list(memory.get_finished_spans())


def _spans(req: Any) -> list[Any]:
    return [s for rs in req.resource_spans for ss in rs.scope_spans for s in ss.spans]


def _check_forwarded(req: ExportTraceServiceRequest, sent: list[ReadableSpan]) -> None:
    spans = _spans(req)
    assert len(spans) == len(sent)
    by_id = {s.span_id: s for s in spans}
    for original in sent:
        ctx = original.get_span_context()
        got = by_id[ctx.span_id.to_bytes(8, "big")]
        assert got.trace_id == ctx.trace_id.to_bytes(16, "big")
        assert [a.key for a in got.attributes] == list((original.attributes or {}).keys())
        assert got.start_time_unix_nano == original.start_time
    assert leaks(req.SerializeToString()) == []
    names = {s.name for s in spans}
    assert names == {"chat", "lookup <EMAIL_ADDRESS>"}
    lookup = next(s for s in spans if s.name != "chat")
    assert lookup.status.message == "card <CREDIT_CARD> declined"
    assert lookup.events[0].attributes[0].value.string_value == "call me at <PHONE_NUMBER>"
    owner = next(a for a in req.resource_spans[0].resource.attributes if a.key == "owner")
    assert owner.value.string_value == "<EMAIL_ADDRESS>"


def test_sdk_protobuf_gzip_exporter_through_gateway(
    gateway: Server, upstream: Upstream, client: httpx.Client
) -> None:
    exporter = OTLPSpanExporter(
        endpoint=f"{gateway.url}/v1/traces",
        headers={"authorization": f"Bearer {TOKEN}", "x-tenant": "acme"},
        compression=Compression.Gzip,
        timeout=5,
    )
    sent = _trace(exporter)
    upstream.wait(2)
    assert len(upstream.requests) == 2  # SimpleSpanProcessor: one export per span
    req = ExportTraceServiceRequest()
    for received in upstream.requests:
        assert received.path == "/v1/traces"
        assert received.headers["content-type"] == "application/x-protobuf"
        assert received.headers["content-encoding"] == "gzip"
        assert received.headers["x-upstream-key"] == "k-123"
        assert received.headers["x-tenant"] == "acme"
        assert "authorization" not in received.headers  # our token never goes upstream
        req.MergeFrom(ExportTraceServiceRequest.FromString(received.body))
    _check_forwarded(req, sent)


def _otlp_json(spans: list[ReadableSpan]) -> bytes:
    """OTLP JSON as the spec has it: integer enums, hex ids (what JSON exporters send)."""
    doc = MessageToDict(encode_spans(spans), use_integers_for_enums=True)
    for rs in doc["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                for k in ("traceId", "spanId", "parentSpanId"):
                    if k in s:
                        s[k] = base64.b64decode(s[k]).hex()
    return json.dumps(doc).encode()


class _Keep(SpanExporter):
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def export(self, spans: Any) -> Any:
        self.spans.extend(spans)
        from opentelemetry.sdk.trace.export import SpanExportResult  # noqa: PLC0415

        return SpanExportResult.SUCCESS


def test_sdk_spans_as_otlp_json_gzip_through_gateway(
    upstream: Upstream, client: httpx.Client
) -> None:
    keep = _Keep()
    sent = _trace(keep)
    body = _otlp_json(keep.spans)
    r = client.post(
        "/v1/traces",
        content=gzip.compress(body),
        headers={"content-type": "application/json", "content-encoding": "gzip"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {}
    upstream.wait(1)
    (received,) = upstream.requests
    assert received.headers["content-type"] == "application/json"
    forwarded = json.loads(received.body)
    original = json.loads(body)
    for got, was in zip(
        forwarded["resourceSpans"][0]["scopeSpans"][0]["spans"],
        original["resourceSpans"][0]["scopeSpans"][0]["spans"],
        strict=True,
    ):
        for key in ("traceId", "spanId", "startTimeUnixNano", "endTimeUnixNano", "kind"):
            assert got.get(key) == was.get(key)
    # Hex ids parse back to the SDK's ids: the same checks as for protobuf.
    as_pb = ExportTraceServiceRequest()
    doc = json.loads(received.body)
    for rs in doc["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            for s in ss["spans"]:
                for k in ("traceId", "spanId", "parentSpanId"):
                    if k in s:
                        s[k] = base64.b64encode(bytes.fromhex(s[k])).decode()
    from google.protobuf.json_format import ParseDict  # noqa: PLC0415

    ParseDict(doc, as_pb, ignore_unknown_fields=True)
    _check_forwarded(as_pb, sent)


def test_sample_protobuf_ids_and_unmasked_fields_byte_identical(
    upstream: Upstream, client: httpx.Client
) -> None:
    r = client.post(
        "/v1/traces", content=TRACE_PB, headers={"content-type": "application/x-protobuf"}
    )
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/x-protobuf"
    assert ExportTraceServiceResponse.FromString(r.content) == ExportTraceServiceResponse()
    upstream.wait(1)
    got = ExportTraceServiceRequest.FromString(upstream.requests[0].body)
    want = ExportTraceServiceRequest.FromString(TRACE_PB)
    assert leaks(upstream.requests[0].body) == []
    for g, w in zip(_spans(got), _spans(want), strict=True):
        assert (g.trace_id, g.span_id, g.parent_span_id) == (
            w.trace_id,
            w.span_id,
            w.parent_span_id,
        )
        assert (g.start_time_unix_nano, g.end_time_unix_nano, g.kind) == (
            w.start_time_unix_nano,
            w.end_time_unix_nano,
            w.kind,
        )
        # Clearing every string leaves the two messages equal: only strings changed.
        for span in (g, w):
            span.name = ""
            span.status.message = ""
            _clear_strings(span.attributes)
            for ev in span.events:
                _clear_strings(ev.attributes)
        assert g == w


def _clear_strings(kvs: Any) -> None:
    for kv in kvs:
        _clear_any(kv.value)


def _clear_any(av: Any) -> None:
    which = av.WhichOneof("value")
    if which == "string_value":
        av.string_value = ""
    elif which == "array_value":
        for v in av.array_value.values:
            _clear_any(v)
    elif which == "kvlist_value":
        _clear_strings(av.kvlist_value.values)


def test_logs_protobuf_and_json(upstream: Upstream, client: httpx.Client) -> None:
    req = ExportLogsServiceRequest()
    record = req.resource_logs.add().scope_logs.add().log_records.add()
    record.body.string_value = f"payment failed for {E} with {C}"
    record.trace_id = bytes(range(16))
    kv = record.attributes.add()
    kv.key, kv.value.string_value = "phone", P
    r = client.post(
        "/v1/logs",
        content=req.SerializeToString(),
        headers={"content-type": "application/x-protobuf"},
    )
    assert r.status_code == 200
    assert ExportLogsServiceResponse.FromString(r.content) == ExportLogsServiceResponse()
    doc = {"resourceLogs": [{"scopeLogs": [{"logRecords": [
        {"body": {"stringValue": f"mail {E}"}, "traceId": "000102030405060708090a0b0c0d0e0f"}
    ]}]}]}  # fmt: skip
    r = client.post("/v1/logs", json=doc)
    assert r.status_code == 200
    assert r.json() == {}
    upstream.wait(2)
    assert [q.path for q in upstream.requests] == ["/v1/logs", "/v1/logs"]
    got = ExportLogsServiceRequest.FromString(upstream.requests[0].body)
    rec = got.resource_logs[0].scope_logs[0].log_records[0]
    assert rec.body.string_value == "payment failed for <EMAIL_ADDRESS> with <CREDIT_CARD>"
    assert rec.trace_id == bytes(range(16))
    assert rec.attributes[0].value.string_value == "<PHONE_NUMBER>"
    forwarded = json.loads(upstream.requests[1].body)
    log_record = forwarded["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]
    assert log_record["body"]["stringValue"] == "mail <EMAIL_ADDRESS>"
    assert log_record["traceId"] == "000102030405060708090a0b0c0d0e0f"


def test_upstream_partial_success_is_relayed(upstream: Upstream, client: httpx.Client) -> None:
    answer = ExportTraceServiceResponse()
    answer.partial_success.rejected_spans = 2
    answer.partial_success.error_message = "quota"
    upstream.reply = lambda req: (
        200,
        {"Content-Type": "application/x-protobuf"},
        answer.SerializeToString(),
    )
    r = client.post(
        "/v1/traces", content=TRACE_PB, headers={"content-type": "application/x-protobuf"}
    )
    assert r.status_code == 200
    resp = ExportTraceServiceResponse.FromString(r.content)
    assert resp.partial_success.rejected_spans == 2
    assert resp.partial_success.error_message == "quota"


def test_otlp_json_malformed_structure_is_400(client: httpx.Client) -> None:
    for doc in ([], {"resourceSpans": {}}, {"resourceSpans": [{"scopeSpans": [1]}]}):
        r = client.post("/v1/traces", json=doc)
        assert r.status_code == 400, doc


def test_unsupported_content_type_is_415(client: httpx.Client) -> None:
    r = client.post("/v1/traces", content=b"x", headers={"content-type": "text/csv"})
    assert r.status_code == 415
    r = client.post(
        "/v1/traces",
        content=b"x",
        headers={"content-type": "application/json", "content-encoding": "br"},
    )
    assert r.status_code == 415

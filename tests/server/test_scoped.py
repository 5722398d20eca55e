"""Scoped pseudonyms in the service: each span is masked under its own trace id."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span

from tests.server.conftest import Server, Upstream, start_server

EMAIL = "jane.doe@acme-corp.io"
TRACES = ("0af7651916cd43dd8448eb211c80319c", "4bf92f3577b34da6a3ce929d0e0e4736")
TOKEN = re.compile(r"<EMAIL_ADDRESS_[0-9a-f]{8}>")


@pytest.fixture(scope="module")
def scoped(tmp_path_factory: pytest.TempPathFactory, upstream: Upstream) -> Iterator[Server]:
    server = start_server(
        tmp_path_factory.mktemp("scoped"),
        {
            "default_operator": {"type": "pseudonymize", "key": "k", "scope": "trace"},
            "server": {"upstream": {"endpoint": upstream.url}},
        },
    )
    try:
        yield server
    finally:
        server.stop()


def _spans() -> list[dict[str, Any]]:
    return [
        {
            "traceId": trace,
            "spanId": f"{i:016x}",
            "name": name,
            "attributes": [{"key": "input.value", "value": {"stringValue": f"mail {EMAIL}"}}],
        }
        for i, (trace, name) in enumerate((t, n) for t in TRACES for n in ("llm", "tool"))
    ]


def _tokens_by_trace(spans: list[tuple[str, str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for trace, text in spans:
        assert EMAIL not in text
        out.setdefault(trace, set()).update(TOKEN.findall(text))
    return out


def _assert_linked_within_traces_only(by_trace: dict[str, set[str]]) -> None:
    assert set(by_trace) == set(TRACES)
    assert all(len(tokens) == 1 for tokens in by_trace.values())
    assert len(set.union(*by_trace.values())) == len(TRACES)


def test_mask_endpoint_and_langfuse_callback_json(scoped: Server) -> None:
    body = [{"resource": {"attributes": []}, "scopeSpans": [{"spans": _spans()}]}]
    with scoped.client() as c:
        r = c.post("/langfuse/mask", json=body)
    assert r.status_code == 200
    spans = r.json()[0]["scopeSpans"][0]["spans"]
    assert [s["traceId"] for s in spans] == [s["traceId"] for s in _spans()]
    pairs = [(s["traceId"], s["attributes"][0]["value"]["stringValue"]) for s in spans]
    _assert_linked_within_traces_only(_tokens_by_trace(pairs))


def test_langfuse_buffer_ids(scoped: Server) -> None:
    spans = _spans()
    for s in spans:
        s["traceId"] = {"type": "Buffer", "data": list(bytes.fromhex(s["traceId"]))}
    with scoped.client() as c:
        r = c.post("/langfuse/mask", json=[{"scopeSpans": [{"spans": spans}]}])
    assert r.status_code == 200
    out = r.json()[0]["scopeSpans"][0]["spans"]
    pairs = [
        (bytes(s["traceId"]["data"]).hex(), s["attributes"][0]["value"]["stringValue"]) for s in out
    ]
    _assert_linked_within_traces_only(_tokens_by_trace(pairs))


def test_otlp_protobuf_spans_through_the_gateway(scoped: Server, upstream: Upstream) -> None:
    request = ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(scope_spans=[ScopeSpans(spans=[_pb_span(s) for s in _spans()])])
        ]
    )
    upstream.reset()
    with scoped.client() as c:
        r = c.post(
            "/v1/traces",
            content=request.SerializeToString(),
            headers={"content-type": "application/x-protobuf"},
        )
    assert r.status_code == 200, r.text
    upstream.wait(1)
    (received,) = upstream.requests
    forwarded = ExportTraceServiceRequest.FromString(received.body)
    spans = forwarded.resource_spans[0].scope_spans[0].spans
    pairs = [(s.trace_id.hex(), s.attributes[0].value.string_value) for s in spans]
    _assert_linked_within_traces_only(_tokens_by_trace(pairs))
    upstream.reset()


def test_otlp_json_spans_through_the_gateway(scoped: Server, upstream: Upstream) -> None:
    upstream.reset()
    body = {"resourceSpans": [{"scopeSpans": [{"spans": _spans()}]}]}
    with scoped.client() as c:
        r = c.post("/v1/traces", json=body)
    assert r.status_code == 200, r.text
    upstream.wait(1)
    (received,) = upstream.requests
    spans = json.loads(received.body)["resourceSpans"][0]["scopeSpans"][0]["spans"]
    pairs = [(s["traceId"], s["attributes"][0]["value"]["stringValue"]) for s in spans]
    _assert_linked_within_traces_only(_tokens_by_trace(pairs))
    upstream.reset()


def _pb_span(s: dict[str, Any]) -> Span:
    return Span(
        trace_id=bytes.fromhex(s["traceId"]),
        span_id=bytes.fromhex(s["spanId"]),
        name=s["name"],
        attributes=[KeyValue(key="input.value", value=AnyValue(string_value=f"mail {EMAIL}"))],
    )


def test_without_ids_tokens_link_within_one_request_only(scoped: Server) -> None:
    with scoped.client() as c:
        one = c.post("/v1/mask", json={"a": EMAIL, "b": EMAIL}).json()
        two = c.post("/v1/mask", json={"a": EMAIL}).json()
    assert one["a"] == one["b"]
    assert one["a"] != two["a"]
    assert json.dumps(one).count("EMAIL_ADDRESS_") == 2


def test_mask_endpoint_takes_the_scope_from_headers(scoped: Server) -> None:
    with scoped.client() as c:
        a1 = c.post("/v1/mask", json=[EMAIL], headers={"x-tracemask-trace": "a"}).json()
        a2 = c.post("/v1/mask", json=[EMAIL], headers={"x-tracemask-trace": "a"}).json()
        b = c.post("/v1/mask", json=[EMAIL], headers={"x-tracemask-trace": "b"}).json()
    assert a1 == a2
    assert a1 != b
    assert TOKEN.fullmatch(a1[0])

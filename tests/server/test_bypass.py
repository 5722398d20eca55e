"""Regression tests for the OTLP/JSON masking bypass (issue 13, item 1).

The rule: every string the service forwards or stores has been through the masker. Only ids,
integers and binary bytes in their own OTLP shape are left alone; unknown fields, snake_case
spellings and odd shapes are masked like any other value, or the request is refused with 400.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from starlette.testclient import TestClient

from tests.server.conftest import PLANTED, Upstream, leaks
from tracemask.server import ConfigSource, create_app
from tracemask.server._sink import read_batches

EMAIL = PLANTED[0]
JSON_CT = {"content-type": "application/json"}
PB_CT = {"content-type": "application/x-protobuf"}


def _client(tmp_path: Path, policy: dict[str, Any] | None = None) -> TestClient:
    server = {"sink": {"kind": "jsonl", "dir": str(tmp_path / "sink")}, "reload_interval_s": 0}
    config = tmp_path / "c.json"
    config.write_text(json.dumps({**(policy or {}), "server": server}), encoding="utf-8")
    return TestClient(create_app(ConfigSource(path=str(config), env={})))


def _stored(tmp_path: Path) -> bytes:
    return b"\n".join(b.body.encode() for b in read_batches(tmp_path / "sink"))


def _traces(span: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"resourceSpans": [{"scopeSpans": [{"spans": [span]}]}], **top}


def _attr(value: Any) -> dict[str, Any]:
    return {"name": "n", "attributes": [{"key": "m", "value": value}]}


TRACE_SHAPES: dict[str, Any] = {
    "snake_case string_value": _traces(_attr({"string_value": EMAIL})),
    "both spellings in one AnyValue": _traces(_attr({"stringValue": "x", "string_value": EMAIL})),
    "snake_case structure": {
        "resource_spans": [{"scope_spans": [{"spans": [_attr({"stringValue": EMAIL})]}]}]
    },
    "AnyValue with an extra key": _traces(_attr({"stringValue": EMAIL, "type": "Buffer"})),
    "attribute value not an AnyValue": _traces(_attr(EMAIL)),
    "kvlist with low/high": _traces(
        _attr({"kvlistValue": {"values": [], "low": 1, "high": 2, "note": EMAIL}})
    ),
    "array with an extra key": _traces(_attr({"arrayValue": {"values": [], "x": EMAIL}})),
    "status with an extra key": _traces({"name": "n", "status": {"code": 2, "detail": EMAIL}}),
    "resource with an extra key": {
        "resourceSpans": [{"resource": {"attributes": [], "owner": EMAIL}, "scopeSpans": []}]
    },
    "fake Buffer id": _traces({"name": "n", "traceId": {"type": "Buffer", "data": EMAIL}}),
    "fake Long timestamp": _traces(
        {"name": "n", "startTimeUnixNano": {"low": 1, "high": 2, "note": EMAIL}}
    ),
    "id that is not an id": _traces({"name": "n", "spanId": EMAIL}),
    "intValue that is not an integer": _traces(_attr({"intValue": EMAIL})),
    "bytesValue holding text": _traces(
        _attr({"bytesValue": base64.b64encode(EMAIL.encode()).decode()})
    ),
    "unknown span field": _traces({"name": "n", "eventName": EMAIL}),
    "unknown top-level field": _traces({"name": "n"}, note=EMAIL),
    "email as an attribute name": _traces(
        {"name": "n", "attributes": [{"key": EMAIL, "value": {"intValue": "1"}}]}
    ),
}


@pytest.mark.parametrize("shape", list(TRACE_SHAPES))
def test_no_shape_carries_a_value_past_the_gateway(tmp_path: Path, shape: str) -> None:
    body = json.dumps(TRACE_SHAPES[shape]).encode()
    with _client(tmp_path) as c:
        r = c.post("/v1/traces", content=body, headers=JSON_CT)
    assert r.status_code in (200, 400), r.text
    assert leaks(_stored(tmp_path)) == []


@pytest.mark.parametrize("shape", list(TRACE_SHAPES))
def test_no_shape_carries_a_value_past_the_langfuse_callback(tmp_path: Path, shape: str) -> None:
    doc = TRACE_SHAPES[shape]
    body = json.dumps(doc.get("resourceSpans", doc)).encode()
    with _client(tmp_path) as c:
        r = c.post("/langfuse/mask", content=body, headers=JSON_CT)
    assert r.status_code == 200, r.text
    assert leaks(r.content) == []


def test_snake_case_is_masked_under_scoped_pseudonyms(tmp_path: Path) -> None:
    """The per-span path (scoped pseudonyms) must not copy unknown spellings either."""
    policy = {"default_operator": {"type": "pseudonymize", "scope": "trace", "key": "k" * 32}}
    doc = {"resource_spans": [{"scope_spans": [{"spans": [_attr({"string_value": EMAIL})]}]}]}
    with _client(tmp_path, policy) as c:
        r = c.post("/v1/traces", content=json.dumps({**doc, "x": EMAIL}), headers=JSON_CT)
    assert r.status_code == 200
    stored = _stored(tmp_path)
    assert leaks(stored) == []
    assert b"EMAIL_ADDRESS_" in stored


def test_log_body_with_an_extra_key_is_masked(tmp_path: Path) -> None:
    doc = {
        "resourceLogs": [
            {"scopeLogs": [{"logRecords": [{"body": {"stringValue": "x", "raw": EMAIL}}]}]}
        ]
    }
    with _client(tmp_path) as c:
        r = c.post("/v1/logs", content=json.dumps(doc), headers=JSON_CT)
    assert r.status_code == 200
    assert leaks(_stored(tmp_path)) == []


def test_a_traces_document_on_the_logs_route_is_refused(tmp_path: Path) -> None:
    doc = _traces(_attr({"stringValue": EMAIL}))
    with _client(tmp_path) as c:
        r = c.post("/v1/logs", content=json.dumps(doc), headers=JSON_CT)
    assert r.status_code == 400
    assert EMAIL not in r.text
    assert list((tmp_path / "sink").glob("*.jsonl")) == [] or leaks(_stored(tmp_path)) == []


def test_both_spellings_of_a_structural_key_are_refused(tmp_path: Path) -> None:
    doc = {"resourceSpans": [], "resource_spans": [{"scope_spans": []}]}
    with _client(tmp_path) as c:
        r = c.post("/v1/traces", content=json.dumps(doc), headers=JSON_CT)
    assert r.status_code == 400


def test_non_otlp_json_on_the_langfuse_callback_is_masked(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        r = c.post("/langfuse/mask", content=json.dumps({"whatever": [EMAIL]}), headers=JSON_CT)
        assert r.status_code == 200
        assert leaks(r.content) == []
        assert r.json() == {"whatever": ["<EMAIL_ADDRESS>"]}
        r = c.post("/langfuse/mask", content=json.dumps([EMAIL, {"a": EMAIL}]))
        assert r.status_code == 200
        assert leaks(r.content) == []


def test_ids_and_integers_in_their_own_shape_are_kept(tmp_path: Path) -> None:
    span = {
        "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
        "spanId": "00f067aa0ba902b7",
        "name": f"charge {EMAIL}",
        "startTimeUnixNano": "1723418000000000000",
        "attributes": [
            {"key": "n", "value": {"intValue": "4111111111111111"}},
            {"key": "b", "value": {"bytesValue": base64.b64encode(b"\xff\x00\xfe").decode()}},
        ],
    }
    with _client(tmp_path) as c:
        r = c.post("/v1/traces", content=json.dumps(_traces(span)), headers=JSON_CT)
    assert r.status_code == 200
    (out,) = (json.loads(b.body) for b in read_batches(tmp_path / "sink"))
    got = out["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert got["name"] == "charge <EMAIL_ADDRESS>"
    assert {k: got[k] for k in ("traceId", "spanId", "startTimeUnixNano")} == {
        k: span[k] for k in ("traceId", "spanId", "startTimeUnixNano")
    }
    assert got["attributes"] == span["attributes"]


def test_protobuf_masks_every_string_field(tmp_path: Path) -> None:
    """Event names, scope names and versions, trace states, link attributes: all masked."""
    req = ExportTraceServiceRequest()
    rs = req.resource_spans.add()
    rs.schema_url = f"https://x/{EMAIL}"
    ss = rs.scope_spans.add()
    ss.scope.name = f"lib {EMAIL}"
    span = ss.spans.add(name="n", trace_id=b"\1" * 16, span_id=b"\2" * 8)
    span.trace_state = f"k={EMAIL}"
    span.events.add(name=f"event for {EMAIL}")
    link = span.links.add(trace_id=b"\3" * 16, span_id=b"\4" * 8)
    link.attributes.add(key="who").value.string_value = EMAIL
    with _client(tmp_path) as c:
        r = c.post("/v1/traces", content=req.SerializeToString(), headers=PB_CT)
    assert r.status_code == 200
    stored = _stored(tmp_path)
    assert leaks(stored) == []
    doc = json.loads(stored)
    got = doc["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert got["traceId"] == "01" * 16
    assert got["events"][0]["name"] == "event for <EMAIL_ADDRESS>"


def test_protobuf_unknown_fields_are_not_forwarded(
    upstream: Upstream, client: httpx.Client
) -> None:
    """A field this proto version does not know cannot have been masked: it is discarded."""
    req = ExportTraceServiceRequest()
    req.resource_spans.add().scope_spans.add().spans.add(name="n")
    payload = EMAIL.encode()
    # Field 99 of the request, length-delimited (tag varint 0x9a 0x06).
    raw = req.SerializeToString() + bytes([0x9A, 0x06, len(payload)]) + payload
    r = client.post("/v1/traces", content=raw, headers=PB_CT)
    assert r.status_code == 200
    upstream.wait(1)
    (received,) = upstream.requests
    assert EMAIL.encode() not in received.body
    assert ExportTraceServiceRequest.FromString(received.body).resource_spans[0].scope_spans


def test_issue_reproduction_through_a_real_server(upstream: Upstream, client: httpx.Client) -> None:
    """The reproduction from the issue, against the uvicorn process: nothing reaches upstream."""
    body = (
        '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"n","attributes":[{"key":"m",'
        '"value":{"string_value":"jane.doe@example.com"}}]}]}]}]}'
    )
    r = client.post("/v1/traces", content=body, headers=JSON_CT)
    assert r.status_code == 200
    upstream.wait(1)
    (received,) = upstream.requests
    assert leaks(received.body) == []
    assert b"<EMAIL_ADDRESS>" in received.body

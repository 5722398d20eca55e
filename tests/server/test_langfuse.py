"""The Langfuse ingestion-masking callback: same shape back, only text changed."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import httpx

from tests.server.conftest import CALLBACK_BODY, PLANTED, leaks

#: The keys whose string values the callback may change (INTEGRATIONS.md §6).
_MASKABLE = frozenset({"stringValue", "name", "message"})


def _pairs(raw: bytes) -> Any:
    """JSON with objects as lists of pairs: key order becomes part of equality."""
    return json.loads(raw, object_pairs_hook=list)


def _same_except_text(a: Any, b: Any, key: str | None = None, path: str = "") -> None:
    """``a`` and ``b`` have identical structure, keys, order and non-text values."""
    if isinstance(a, list) and a and all(isinstance(p, tuple) for p in a):  # an object
        assert isinstance(b, list), path
        assert [k for k, _ in a] == [k for k, _ in b], path
        for (k, va), (_, vb) in zip(a, b, strict=True):
            _same_except_text(va, vb, k, f"{path}.{k}")
    elif isinstance(a, list):
        assert isinstance(b, list), path
        assert len(a) == len(b), path
        for i, (va, vb) in enumerate(zip(a, b, strict=True)):
            _same_except_text(va, vb, key, f"{path}[{i}]")
    elif isinstance(a, str) and key in _MASKABLE:
        assert isinstance(b, str), path
    else:
        assert type(a) is type(b), path
        assert a == b, path


def test_sample_callback_body_same_shape_planted_values_gone(client: httpx.Client) -> None:
    r = client.post(
        "/langfuse/mask",
        content=CALLBACK_BODY,
        headers={"content-type": "application/json", "x-langfuse-org-id": ""},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert leaks(r.content) == []
    _same_except_text(_pairs(CALLBACK_BODY), _pairs(r.content))
    doc = r.json()
    assert isinstance(doc, list)
    span = doc[0]["scopeSpans"][0]["spans"][0]
    assert span["traceId"]["type"] == "Buffer"  # Node Buffer JSON ids pass through
    assert span["traceId"] == json.loads(CALLBACK_BODY)[0]["scopeSpans"][0]["spans"][0]["traceId"]
    assert "<EMAIL_ADDRESS>" in r.text
    assert "<CREDIT_CARD>" in r.text


def test_wrapped_shape_answers_wrapped(client: httpx.Client) -> None:
    body = json.dumps({"resourceSpans": json.loads(CALLBACK_BODY)}).encode()
    r = client.post("/langfuse/mask", content=body)
    assert r.status_code == 200
    assert list(r.json()) == ["resourceSpans"]
    assert leaks(r.content) == []
    _same_except_text(_pairs(body), _pairs(r.content))


def _span(**fields: Any) -> list[dict[str, Any]]:
    return [{"resource": {}, "scopeSpans": [{"scope": {"name": "s"}, "spans": [fields]}]}]


def test_ids_int64_and_non_text_values_untouched(client: httpx.Client) -> None:
    """Hex, base64 and Long-object ids and int64s survive, even where they look like data;
    bytes that hold text are masked as text."""
    card = PLANTED[2].replace(" ", "")
    body = _span(
        traceId="4bf92f3577b34da6a3ce929d0e0e4736",
        spanId="S/kvNXezTaY=",
        parentSpanId={"type": "Buffer", "data": [0, 240, 103, 170, 11, 169, 2, 183]},
        name="charge card 4111 1111 1111 1111",
        kind=3,
        startTimeUnixNano={"low": 1723, "high": 418, "unsigned": False},
        endTimeUnixNano="1795400489314974335",
        traceState="rojo=00f067aa0ba902b7",
        attributes=[
            {"key": "card.as.int", "value": {"intValue": card}},
            {"key": "api_key", "value": {"intValue": "12345"}},
            {"key": "blob", "value": {"bytesValue": "amFuZS5kb2VAZXhhbXBsZS5jb20="}},
            {"key": "email", "value": {"stringValue": PLANTED[0]}},
            {"key": "nested", "value": {"kvlistValue": {"values": [
                {"key": "phone", "value": {"stringValue": f"call {PLANTED[1]}"}},
                {"key": "n", "value": {"doubleValue": 1.5}},
            ]}}},
        ],
        status={"code": 2, "message": f"declined for {PLANTED[0]}"},
    )  # fmt: skip
    raw = json.dumps(body).encode()
    r = client.post("/langfuse/mask", content=raw)
    assert r.status_code == 200
    out = r.json()
    want = copy.deepcopy(body)
    span = want[0]["scopeSpans"][0]["spans"][0]
    span["name"] = "charge card <CREDIT_CARD>"
    span["attributes"][3]["value"]["stringValue"] = "<EMAIL_ADDRESS>"
    span["attributes"][4]["value"]["kvlistValue"]["values"][0]["value"]["stringValue"] = (
        "call <PHONE_NUMBER>"
    )
    span["status"]["message"] = "declined for <EMAIL_ADDRESS>"
    # An int64 under a secret's name is the secret: "0", still an int64 string. The card
    # digits under a name that says nothing stay (a typed integer is no text).
    span["attributes"][1]["value"]["intValue"] = "0"
    # Bytes holding UTF-8 text are text: masked and re-encoded, still base64.
    span["attributes"][2]["value"]["bytesValue"] = base64.b64encode(b"<EMAIL_ADDRESS>").decode()
    assert out == want


def test_unchanged_body_comes_back_byte_for_byte(client: httpx.Client) -> None:
    raw = b'[ {"resource": {}, "scopeSpans": [ {"spans": [ {"name": "ok", "x": 1.50} ] } ] } ]'
    r = client.post("/langfuse/mask", content=raw)
    assert r.status_code == 200
    assert r.content == raw


def test_per_project_policy_selected_by_langfuse_headers(client: httpx.Client) -> None:
    default = client.post("/langfuse/mask", content=CALLBACK_BODY)
    strict = client.post(
        "/langfuse/mask",
        content=CALLBACK_BODY,
        headers={"x-langfuse-org-id": "org-1", "x-langfuse-project-id": "proj-strict"},
    )
    other = client.post(
        "/langfuse/mask", content=CALLBACK_BODY, headers={"x-langfuse-project-id": "proj-other"}
    )
    assert default.status_code == strict.status_code == other.status_code == 200
    assert "user_8812" in default.text
    assert "user_8812" in other.text
    assert "user_8812" not in strict.text
    assert "<USER_ID>" in strict.text
    assert leaks(strict.content) == []


def test_malformed_callback_body_is_400_and_server_keeps_serving(client: httpx.Client) -> None:
    for bad in (b"[{", b"\xff\xfe", b'"just a string"', b""):
        r = client.post("/langfuse/mask", content=bad)
        assert r.status_code == 400, bad
        assert r.json() == {"error": r.json()["error"]}
    assert client.post("/langfuse/mask", content=CALLBACK_BODY).status_code == 200

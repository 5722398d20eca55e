"""The permanent adversarial suite (issue 13), against real ``tracemask serve`` processes.

Every request here is hostile or malformed. The invariants: no planted value reaches the
upstream, the sink or an answer; no client-caused input is answered 500; the server keeps
serving and logs no value. The bypass shapes come from ``test_bypass.py``; slow clients and
header floods are in ``test_network.py``; size and bomb limits in ``test_faults.py``.

The Hypothesis property generates OTLP-like documents (camelCase and snake_case, unknown keys,
fake ids, Buffers, Longs, typed values, nesting anywhere) with planted values at random places
and posts them to the OTLP and callback routes: for any accepted document, nothing planted
leaves.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.ci_plugin import examples
from tests.server.conftest import PLANTED, TOKEN, TRACE_PB, Server, Upstream, leaks, start_server
from tests.server.test_bypass import TRACE_SHAPES
from tracemask.server._sink import read_batches

JSON_CT = {"content-type": "application/json"}
PB_CT = {"content-type": "application/x-protobuf"}
#: Planted values and the forms they may take on the way out.
B64 = [base64.b64encode(v.encode()).decode() for v in PLANTED]


def leaked(data: bytes) -> list[str]:
    text = data.decode("utf-8", "replace")
    return leaks(data) + [v for v in B64 if v in text]


@pytest.fixture(scope="module")
def sink_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """No upstream, no auth: everything accepted goes to the SQLite sink."""
    tmp = tmp_path_factory.mktemp("adversarial")
    server = start_server(
        tmp,
        {"server": {"sink": {"kind": "sqlite", "dir": str(tmp / "sink")}, "reload_interval_s": 0}},
    )
    try:
        yield server
    finally:
        server.stop()


def _stored(server: Server, after: int = 0) -> tuple[bytes, int]:
    """The sink's batches with an id above ``after``, and the last id."""
    directory = server.config_path.parent / "sink"
    if not directory.exists():
        return b"", after
    batches = [b for b in read_batches(directory) if b.id > after]
    return b"\n".join(b.body.encode() for b in batches), max((b.id for b in batches), default=after)


# -- the property --------------------------------------------------------------------------

WORDS = st.sampled_from(["", "note", "mail", "call me on", "user", "ok"])
PLANT = st.sampled_from(PLANTED)
TEXT = st.builds(lambda a, v, b: f"{a} {v} {b}".strip(), WORDS, PLANT, WORDS)
HARMLESS = st.sampled_from(["ok", "GET /x", "0" * 32, "00" * 8, "1", "gpt-4o", "Buffer"])
STRINGS = st.one_of(TEXT, HARMLESS)
KEYS = st.sampled_from(
    ["stringValue", "string_value", "intValue", "int_value", "bytesValue", "bytes_value",
     "boolValue", "doubleValue", "kvlistValue", "kvlist_value", "arrayValue", "array_value",
     "values", "key", "value", "name", "body", "status", "message", "code", "traceId",
     "spanId", "parentSpanId", "trace_id", "type", "data", "low", "high", "unsigned",
     "attributes", "events", "links", "resource", "scope", "note", "timeUnixNano"]
)  # fmt: skip
SCALARS = st.one_of(
    STRINGS,
    st.integers(-(2**70), 2**70),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.builds(lambda v: {"bytesValue": base64.b64encode(v.encode()).decode()}, PLANT),
    st.builds(lambda v: {"type": "Buffer", "data": v}, STRINGS),
    st.builds(lambda v: {"low": 1, "high": 2, "unsigned": v}, STRINGS),
)
ANY = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(KEYS, TEXT), inner, max_size=4),
    ),
    max_leaves=10,
)
ATTRIBUTE = st.fixed_dictionaries({"key": st.one_of(st.just("m"), TEXT), "value": ANY})
ITEM = st.fixed_dictionaries(
    {},
    optional={
        "name": STRINGS,
        "attributes": st.lists(ATTRIBUTE, max_size=3),
        "status": ANY,
        "body": ANY,
        "traceId": st.one_of(STRINGS, ANY),
        "events": st.lists(st.fixed_dictionaries({"attributes": st.lists(ATTRIBUTE, max_size=2)})),
        "extra": ANY,
    },
)


def _document(camel: bool, resource: Any, items: list[Any], extra: Any, sig: str) -> Any:
    rk, sk, ik = {
        ("traces", True): ("resourceSpans", "scopeSpans", "spans"),
        ("traces", False): ("resource_spans", "scope_spans", "spans"),
        ("logs", True): ("resourceLogs", "scopeLogs", "logRecords"),
        ("logs", False): ("resource_logs", "scope_logs", "log_records"),
    }[(sig, camel)]
    doc: dict[str, Any] = {rk: [{"resource": resource, sk: [{ik: items}]}]}
    if extra is not None:
        doc["extra"] = extra
    return doc


DOCS = st.tuples(
    st.sampled_from(["traces", "logs", "callback"]),
    st.booleans(),
    st.one_of(st.none(), ANY),
    st.lists(ITEM, min_size=1, max_size=3),
    st.one_of(st.none(), ANY),
)


@settings(
    # CI: 60 fixed examples (~8 s; the dev profile 12). A soak: ADVERSARIAL_EXAMPLES=2000
    # ADVERSARIAL_RANDOM=1.
    max_examples=int(os.environ.get("ADVERSARIAL_EXAMPLES") or examples(60)),
    deadline=None,
    derandomize=not os.environ.get("ADVERSARIAL_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=DOCS)
def test_no_planted_value_leaves_for_any_accepted_document(
    sink_server: Server, case: tuple[str, bool, Any, list[Any], Any]
) -> None:
    route, camel, resource, items, extra = case
    sig = "logs" if route == "logs" else "traces"
    doc = _document(camel, resource, items, extra, sig)
    _, last = _stored(sink_server)
    with sink_server.client() as c:
        if route == "callback":
            body = json.dumps(doc[next(iter(doc))] if extra is None else doc).encode()
            r = c.post("/langfuse/mask", content=body, headers=JSON_CT)
        else:
            body = json.dumps(doc).encode()
            r = c.post(f"/v1/{route}", content=body, headers=JSON_CT)
    assert r.status_code in (200, 400), (r.status_code, r.text)
    assert leaked(r.content) == []
    assert leaked(_stored(sink_server, last)[0]) == []


# -- fixed hostile cases -------------------------------------------------------------------


@pytest.mark.parametrize("shape", list(TRACE_SHAPES))
def test_bypass_shapes_through_a_real_gateway(
    shape: str, upstream: Upstream, client: httpx.Client
) -> None:
    body = json.dumps(TRACE_SHAPES[shape]).encode()
    r = client.post("/v1/traces", content=body, headers=JSON_CT)
    assert r.status_code in (200, 400), r.text
    upstream.wait(1, timeout=0.5 if r.status_code == 400 else 5)
    for received in upstream.requests:
        assert leaked(received.body) == []
    r = client.post(
        "/langfuse/mask", content=json.dumps(TRACE_SHAPES[shape]).encode(), headers=JSON_CT
    )
    assert r.status_code == 200
    assert leaked(r.content) == []


SURROGATES = [
    b'{"m":"\\ud800 jane.doe@example.com"}',
    b'{"\\udfff":"jane.doe@example.com \\udbff"}',
    b'{"m":"\xed\xa0\x80 jane.doe@example.com"}',  # a surrogate as raw (invalid) UTF-8
    b'{"m":"\xff jane.doe@example.com"}',
]


@pytest.mark.parametrize("body", SURROGATES)
def test_lone_surrogates_never_500(sink_server: Server, body: bytes) -> None:
    """Issue 13.4: a lone surrogate failed the whole batch with 500 (exporters do not retry it,
    Langfuse with fail-open would store the event unmasked)."""
    otlp = b'{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"n","attributes":[{"key":"a",'
    otlp += b'"value":{"stringValue":' + body.split(b":", 1)[1][:-1] + b"}}]}]}]}]}"
    with sink_server.client() as c:
        for path, payload in (
            ("/v1/mask", body),
            ("/v1/traces", otlp),
            ("/langfuse/mask", b"[" + otlp[len(b'{"resourceSpans":[') : -2] + b"]"),
        ):
            r = c.post(path, content=payload, headers=JSON_CT)
            assert r.status_code in (200, 400), (path, r.status_code, r.text)
            assert leaked(r.content) == []
            if r.status_code == 200 and path == "/v1/mask":
                assert "\ufffd" in r.text  # replaced, the rest masked
    assert leaked(_stored(sink_server)[0]) == []


def test_invalid_utf8_in_protobuf_strings_is_400(sink_server: Server) -> None:
    req = ExportTraceServiceRequest()
    req.resource_spans.add().scope_spans.add().spans.add(name="placeholder")
    raw = req.SerializeToString().replace(b"placeholder", b"\xed\xa0\x80placehold")
    with sink_server.client() as c:
        r = c.post("/v1/traces", content=raw, headers=PB_CT)
    assert r.status_code in (200, 400)
    assert r.status_code != 200 or b"\xed\xa0\x80" not in _stored(sink_server)[0]


def test_upstream_faults_never_500(upstream: Upstream, client: httpx.Client) -> None:
    """Issue 13.6 and 13.8: a huge answer, a 400-digit or binary Retry-After, a partial success
    beyond int64, a gzip bomb as the answer."""
    cases: list[tuple[int, dict[str, str], bytes, int]] = [
        (200, {"Content-Type": "application/x-protobuf"}, b"\0" * (16 * 1024 * 1024), 200),
        (503, {"Retry-After": "9" * 400}, b"", 503),
        (429, {"Retry-After": "\xff\xfe"}, b"", 503),
        (
            200,
            {"Content-Type": "application/json"},
            b'{"partialSuccess":{"rejectedSpans":"99999999999999999999999"}}',
            200,
        ),
        (
            200,
            {"Content-Type": "application/json", "Content-Encoding": "gzip"},
            gzip.compress(b" " * (64 * 1024 * 1024)),
            200,
        ),
    ]
    for status, headers, body, expected in cases:
        upstream.reset()
        upstream.reply = lambda req, s=status, h=headers, b=body: (s, h, b)
        for media, payload in (("application/x-protobuf", TRACE_PB),):
            r = client.post("/v1/traces", content=payload, headers={"content-type": media})
            assert r.status_code == expected, (status, headers, r.status_code)
            if expected == 503:
                assert 1 <= int(r.headers["retry-after"]) <= 3600
    upstream.reset()


def test_client_disconnect_is_not_an_error(gateway: Server) -> None:
    host, port = gateway.url.removeprefix("http://").split(":")
    for _ in range(3):
        with socket.create_connection((host, int(port)), timeout=5) as s:
            s.sendall(
                b"POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                + f"Authorization: Bearer {TOKEN}\r\nContent-Length: 5000\r\n\r\n".encode()
                + b"\x0a\x03"
            )
            time.sleep(0.05)
    time.sleep(0.3)
    with gateway.client() as c:
        metrics = c.get("/metrics").text
    assert 'tracemask_failures_total{reason="client_disconnect"}' in metrics
    log = gateway.log()
    assert "ClientDisconnect" not in log
    assert " ERROR " not in log.split("ready:", 1)[-1] or "masking" not in log

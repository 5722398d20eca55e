"""In-process checks of the pieces: partial success, fail modes, HMAC, drop rules on protobuf,
decompression limits, Retry-After, config from the environment, the JSONL sink."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from google.rpc.status_pb2 import Status  # type: ignore[import-untyped]
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from pydantic import SecretStr
from starlette.testclient import TestClient

from tests.server.conftest import CALLBACK_BODY, PLANTED, TRACE_PB, leaks
from tracemask import Masker
from tracemask.exceptions import MaskingError
from tracemask.server import ConfigError, ConfigSource, create_app, load_config
from tracemask.server._config import ENV_NAMES, describe_env
from tracemask.server._decode import decode_body
from tracemask.server._errors import (
    BadRequestError,
    BodyTooLargeError,
    DeadlineError,
    UnsupportedMediaError,
    retry_after_value,
)
from tracemask.server._forward import retry_after
from tracemask.server._sink import JsonlSink, read_batches

PB = {"content-type": "application/x-protobuf"}


def _client(tmp_path: Path, policy: dict[str, Any] | None = None, **server: Any) -> TestClient:
    server.setdefault("sink", {"kind": "jsonl", "dir": str(tmp_path / "sink")})
    server.setdefault("reload_interval_s", 0)
    config = tmp_path / "c.json"  # YAML is a superset of JSON
    config.write_text(json.dumps({**(policy or {}), "server": server}), encoding="utf-8")
    return TestClient(create_app(ConfigSource(path=str(config), env={})))


@pytest.fixture
def boom(monkeypatch: pytest.MonkeyPatch) -> None:
    """Masking fails on any value that contains "BOOM" (an engine bug, simulated)."""
    original = Masker.mask

    def mask(self: Masker, obj: Any, *, report: Any = None, scope: Any = None) -> Any:
        if "BOOM" in repr(obj):
            raise MaskingError("masking failed at x: ValueError")
        return original(self, obj, report=report, scope=scope)

    monkeypatch.setattr(Masker, "mask", mask)


def _three_spans() -> dict[str, Any]:
    spans = [
        {"traceId": "0" * 31 + str(i), "spanId": "0" * 15 + str(i), "name": n}
        for i, n in enumerate([f"a {PLANTED[0]}", "BOOM", "c"])
    ]
    return {"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}


@pytest.mark.usefixtures("boom")
def test_partial_success_drops_only_spans_that_fail(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        r = c.post("/v1/traces", json=_three_spans())
        assert r.status_code == 200
        assert r.json() == {
            "partialSuccess": {
                "rejectedSpans": "1",
                "errorMessage": "1 spans dropped: masking failed",
            }
        }
        req = ExportTraceServiceRequest()
        for name in ("ok", "BOOM"):
            req.resource_spans.add().scope_spans.add().spans.add(name=name, span_id=b"\1" * 8)
        r = c.post("/v1/traces", content=req.SerializeToString(), headers=PB)
        resp = ExportTraceServiceResponse.FromString(r.content)
        assert resp.partial_success.rejected_spans == 1
        metrics = c.get("/metrics").text
    stored = list(read_batches(tmp_path / "sink"))
    assert [b.items for b in stored] == [2, 1]
    names = [
        s["name"] for s in json.loads(stored[0].body)["resourceSpans"][0]["scopeSpans"][0]["spans"]
    ]
    assert names == ["a <EMAIL_ADDRESS>", "c"]
    assert "BOOM" not in stored[1].body
    assert 'tracemask_rejected_items_total{signal="traces"} 2.0' in metrics


@pytest.mark.usefixtures("boom")
def test_fail_closed_callback_is_500(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        body = CALLBACK_BODY.replace(b"billing-support-bot", b"BOOM")
        r = c.post("/langfuse/mask", content=body)
        assert r.status_code == 500
        assert r.json() == {"error": "masking failed"}
        assert c.post("/v1/mask", json={"x": "BOOM"}).status_code == 500


@pytest.mark.usefixtures("boom")
def test_fail_open_is_explicit_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with _client(tmp_path, fail_mode="open") as c:
        body = CALLBACK_BODY.replace(b"billing-support-bot", b"BOOM")
        r = c.post("/langfuse/mask", content=body)
        assert r.status_code == 200
        assert r.content == body  # unmasked, as configured
        r = c.post("/v1/traces", json=_three_spans())
        assert r.json() == {}
        metrics = c.get("/metrics").text
    assert "tracemask_fail_open_total 2.0" in metrics
    assert "UNMASKED" in caplog.text
    assert leaks(caplog.text.encode()) == []
    # The policy's own fail_mode counts too.
    with _client(tmp_path, policy={"fail_mode": "open"}) as c:
        assert c.post("/v1/mask", json={"x": "BOOM"}).status_code == 200


def test_hmac_signature_auth(tmp_path: Path) -> None:
    secret = "s3cret"
    with _client(tmp_path, auth={"hmac_secret": secret}) as c:
        body = json.dumps({"m": PLANTED[0]}).encode()
        sig = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        ok = c.post("/v1/mask", content=body, headers={"x-tracemask-signature": f"sha256={sig}"})
        assert ok.status_code == 200
        assert ok.json() == {"m": "<EMAIL_ADDRESS>"}
        bad = c.post("/v1/mask", content=body + b" ", headers={"x-tracemask-signature": sig})
        assert bad.status_code == 401
        assert c.post("/v1/mask", content=body).status_code == 401
        assert c.get("/healthz").status_code == 200


def test_metrics_can_be_protected(tmp_path: Path) -> None:
    with _client(tmp_path, auth={"tokens": ["t"], "protect_metrics": True}) as c:
        assert c.get("/metrics").status_code == 401
        assert c.get("/metrics", headers={"authorization": "Bearer t"}).status_code == 200


def test_drop_and_keep_rules_apply_to_protobuf_and_json(tmp_path: Path) -> None:
    policy = {
        "key_rules": [{"keys": ["mime_type"], "entity": "MIME", "operator": {"type": "drop"}}],
        "path_rules": [{"path": "resourceSpans.*.scopeSpans.*.spans.*.status.message"}],
    }
    with _client(tmp_path, policy=policy) as c:
        assert c.post("/v1/traces", content=TRACE_PB, headers=PB).status_code == 200
        r = c.post("/langfuse/mask", content=CALLBACK_BODY)
        assert r.status_code == 200
    (batch,) = read_batches(tmp_path / "sink")
    want = ExportTraceServiceRequest.FromString(TRACE_PB)
    want_spans = [s for rs in want.resource_spans for ss in rs.scope_spans for s in ss.spans]
    doc = json.loads(batch.body)
    spans = [s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    for got, was in zip(spans, want_spans, strict=True):
        assert [a["key"] for a in got["attributes"]] == [
            a.key for a in was.attributes if not a.key.endswith(".mime_type")
        ]
        assert got.get("status", {}).get("message", "") == was.status.message  # kept
    callback = r.json()
    span = callback[0]["scopeSpans"][0]["spans"][0]
    assert "input.mime_type" not in [a["key"] for a in span["attributes"]]
    assert "user.id" in [a["key"] for a in span["attributes"]]


def test_mask_endpoint_text_and_report(tmp_path: Path) -> None:
    with _client(tmp_path) as c:
        r = c.post("/v1/mask", content=f"hi {PLANTED[0]}", headers={"content-type": "text/plain"})
        assert r.text == "hi <EMAIL_ADDRESS>"
        assert r.headers["x-tracemask-findings"] == "1"
        r = c.post("/v1/mask?report=true", json={"a": PLANTED[2]})
        assert r.json()["data"] == {"a": "<CREDIT_CARD>"}
        assert r.json()["report"]["by_entity"] == {"CREDIT_CARD": 1}
        assert (
            c.post("/v1/mask", content=b"x", headers={"content-type": "image/png"}).status_code
            == 415
        )
    with _client(tmp_path, report=False) as c:
        assert c.post("/v1/mask?report=1", json={"a": PLANTED[2]}).json() == {"a": "<CREDIT_CARD>"}


def test_decode_body_limits() -> None:
    data = b'{"a": 1}' * 100
    assert decode_body(data, None, 10_000) == data
    assert decode_body(gzip.compress(data), "gzip", 10_000) == data
    assert decode_body(gzip.compress(data) + gzip.compress(data), "gzip", 10_000) == data * 2
    assert decode_body(zlib.compress(data), "deflate", 10_000) == data
    raw = zlib.compressobj(wbits=-15)
    assert decode_body(raw.compress(data) + raw.flush(), "deflate", 10_000) == data
    assert decode_body(gzip.compress(zlib.compress(data)), "deflate, gzip", 10_000) == data
    with pytest.raises(BodyTooLargeError):
        decode_body(gzip.compress(b"\0" * 100_000), "gzip", 10_000)
    with pytest.raises(BodyTooLargeError):
        decode_body(data, "identity", 100)
    with pytest.raises(BadRequestError):
        decode_body(gzip.compress(data)[:-10], "gzip", 10_000)
    with pytest.raises(UnsupportedMediaError):
        decode_body(data, "br", 10_000)


def test_decode_body_is_linear_in_gzip_members() -> None:
    """Issue 13.2: a body of many empty gzip members took quadratic time (4 MB: 7 s). Doubling
    the body must about double the work, not quadruple it (ratio of two runs, one process)."""
    member = gzip.compress(b"")
    small, large = member * 25_000, member * 100_000  # 0.5 MB and 2 MB
    times = []
    for body in (small, large):
        start = time.process_time()
        assert decode_body(body, "gzip", 1_000_000) == b""
        times.append(time.process_time() - start)
    assert times[1] < 8 * max(times[0], 0.005)  # 4x the input; quadratic would be 16x


def test_decode_body_stops_at_its_deadline() -> None:
    body = gzip.compress(b"") * 50_000
    with pytest.raises(DeadlineError):
        decode_body(body, "gzip", 1_000_000, deadline=time.monotonic() - 1)
    member = gzip.compress(b"x" * 1000)
    assert decode_body(member * 3, "gzip", 10_000, deadline=time.monotonic() + 5) == b"x" * 3000


def test_retry_after() -> None:
    assert retry_after("3") == 3.0
    assert retry_after(None) is None
    assert retry_after("soon") is None
    assert retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    # Issue 13.8: hostile values are bounded or ignored, never an exception.
    assert retry_after("9" * 400) == 3600.0
    assert retry_after(b"\xff\xfe") is None
    assert retry_after("\u00b2") is None  # a digit to str.isdigit, not to int()
    assert retry_after("Wed, 21 Oct 99999 07:28:10 GMT") is None
    assert retry_after("Wed, 21 Oct 9999 07:28:10 GMT", now=0.0) == 3600.0
    assert retry_after_value(float("inf")) == "3600"
    assert retry_after_value(0.2) == "1"


def test_env_vars_map_to_settings(tmp_path: Path) -> None:
    assert len(ENV_NAMES) == len(set(ENV_NAMES.values()))
    assert ("TRACEMASK_UPSTREAM_ENDPOINT", "upstream.endpoint") in describe_env()
    env = {
        "TRACEMASK_PORT": "9000",
        "TRACEMASK_UPSTREAM_ENDPOINT": "http://c:4318/",
        "TRACEMASK_UPSTREAM_HEADERS": '{"authorization": "Basic x"}',
        "TRACEMASK_AUTH_TOKENS": "a, b",
        "TRACEMASK_LIMITS_MAX_BODY_BYTES": "2048",
        "TRACEMASK_PROFILE": "",
    }
    config = load_config(ConfigSource(env=env))
    s = config.settings
    assert s.port == 9000
    assert s.upstream.url("traces") == "http://c:4318/v1/traces"
    assert [t.get_secret_value() for t in s.auth.tokens if isinstance(t, SecretStr)] == ["a", "b"]
    assert s.limits.max_body_bytes == 2048
    assert "Basic x" not in repr(s)
    with pytest.raises(ConfigError, match="env TRACEMASK_UPSTREAM_HEADERS: expected a JSON"):
        load_config(ConfigSource(env={"TRACEMASK_UPSTREAM_HEADERS": "x"}))
    cli_wins = load_config(ConfigSource(env=env, overrides={"port": 1}))
    assert cli_wins.settings.port == 1


def test_jsonl_sink_rotates(tmp_path: Path) -> None:
    sink = JsonlSink(tmp_path, max_file_bytes=1024, keep_files=3)
    for i in range(40):
        sink.write("traces", i, 0, json.dumps({"resourceSpans": [], "n": "x" * 100}).encode())
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["sink.1.jsonl", "sink.2.jsonl", "sink.jsonl"]
    ids = [b.id for b in read_batches(tmp_path)]
    assert ids == sorted(ids)
    assert ids[-1] == 40
    assert JsonlSink(tmp_path)._next_id == 41


def test_auth_routes_can_leave_the_callback_to_a_network_policy(tmp_path: Path) -> None:
    with _client(tmp_path, auth={"tokens": ["t"], "routes": ["traces", "logs", "mask"]}) as c:
        assert c.post("/langfuse/mask", content=CALLBACK_BODY).status_code == 200
        assert c.post("/v1/mask", json={}).status_code == 401
        assert c.post("/v1/traces", json={}).status_code == 401


def test_a_drop_rule_applies_to_protobuf_like_json(tmp_path: Path) -> None:
    """Protobuf is masked through its JSON mapping: dropping one span by index drops that span
    and forwards the rest, exactly as for OTLP JSON."""
    policy = {
        "path_rules": [
            {"path": "resourceSpans.0.scopeSpans.0.spans.0", "operator": {"type": "drop"}}
        ]
    }
    req = ExportTraceServiceRequest()
    spans = req.resource_spans.add().scope_spans.add().spans
    for name in (f"a {PLANTED[0]}", "b"):
        spans.add(name=name)
    with _client(tmp_path, policy=policy) as c:
        r = c.post("/v1/traces", content=req.SerializeToString(), headers=PB)
        assert r.status_code == 200
    (batch,) = read_batches(tmp_path / "sink")
    assert PLANTED[0] not in batch.body
    doc = json.loads(batch.body)
    assert [s["name"] for s in doc["resourceSpans"][0]["scopeSpans"][0]["spans"]] == ["b"]


def test_otlp_errors_are_google_rpc_status(tmp_path: Path) -> None:
    """Issue 13.8: OTLP/HTTP errors are a Status in the request's encoding; other routes keep
    ``{"error": ...}``."""
    with _client(tmp_path) as c:
        r = c.post("/v1/traces", content=b"\xff\xff\xff", headers=PB)
        assert r.status_code == 400
        assert r.headers["content-type"] == "application/x-protobuf"
        status = Status.FromString(r.content)
        assert status.code == 3  # INVALID_ARGUMENT
        assert status.message
        r = c.post("/v1/logs", content=b"{", headers={"content-type": "application/json"})
        assert r.status_code == 400
        assert set(r.json()) == {"code", "message"}
        assert r.json()["code"] == 3
        r = c.post("/v1/mask", content=b"{", headers={"content-type": "application/json"})
        assert r.status_code == 400
        assert set(r.json()) == {"error"}


def test_v1_mask_masks_keys_and_typed_looking_values(tmp_path: Path) -> None:
    """Issue 13.8: the docs say every string is masked; ``{"intValue": ...}``, ``bytesValue``
    and dict keys came back verbatim from /v1/mask."""
    body = {
        PLANTED[0]: {"intValue": "4111111111111111"},
        "b": [{"bytesValue": f"call {PLANTED[1]}"}],
        "a@x.example.com": 1,
        "b@y.example.com": 2,
    }
    with _client(tmp_path) as c:
        r = c.post("/v1/mask?report=true", json=body)
    assert r.status_code == 200
    data = r.json()["data"]
    assert leaks(r.content) == []
    assert data == {
        "<EMAIL_ADDRESS>": {"intValue": "<CREDIT_CARD>"},
        "b": [{"bytesValue": "call <PHONE_NUMBER>"}],
        "<EMAIL_ADDRESS>#2": 1,  # keys masked alike keep both values
        "<EMAIL_ADDRESS>#3": 2,
    }
    assert r.json()["report"]["by_entity"]["EMAIL_ADDRESS"] == 3


def test_sink_default_dir_is_the_users_data_dir_not_the_cwd(tmp_path: Path) -> None:
    """Issue 13.8: the embedded sink wrote into the current directory by default."""
    from tracemask.server._config import default_sink_dir  # noqa: PLC0415

    assert default_sink_dir({"XDG_DATA_HOME": str(tmp_path)}) == str(
        tmp_path / "tracemask" / "sink"
    )
    assert default_sink_dir({}) == str(Path.home() / ".local" / "share" / "tracemask" / "sink")
    settings = load_config(ConfigSource(env={})).settings
    assert Path(settings.sink.dir).is_absolute()
    assert Path(settings.sink.dir).parts[-2:] == ("tracemask", "sink")


def test_cost_model_refuses_work_that_would_miss_its_deadline() -> None:
    """Issue 13.7: under overload, a masking call predicted to finish past its deadline is
    refused when its turn comes (503 at once) instead of running for nothing; alone, it runs."""
    import anyio  # noqa: PLC0415

    from tracemask.server._admission import Gate  # noqa: PLC0415
    from tracemask.server._state import AppState, CostModel  # noqa: PLC0415

    model = CostModel()
    model.observe(1000, 5.0)  # the warm-up call is ignored
    assert model.estimate(10) is None
    model.observe(1000, 0.001)
    model.observe(1000, 1.0)  # an outlier moves the average at most 4x per call
    assert model.per_byte is not None
    assert model.per_byte <= 1e-6 * (1 + 0.2 * 3) + 1e-12

    state = AppState(load_config(ConfigSource(env={})))
    state.cost.per_byte = 0.01  # 10 s for 1000 bytes
    gate = state._gate = Gate(4, 0)
    ran: list[int] = []

    async def call(active: int) -> None:
        gate.active = active
        await state.run(ran.append, active, deadline=time.monotonic() + 0.5, size=1000)

    with pytest.raises(DeadlineError):
        anyio.run(call, 3)
    anyio.run(call, 1)  # nothing else running: always tried
    assert ran == [1]
    with pytest.raises(DeadlineError):  # already late: never starts
        anyio.run(lambda: state.run(ran.append, 9, deadline=time.monotonic() - 1))
    assert ran == [1]


def test_one_jsonl_writer(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("server: {workers: 2, sink: {kind: jsonl}}\n")
    with pytest.raises(ConfigError, match=r"server: sink.kind jsonl has one writer"):
        load_config(ConfigSource(path=str(config), env={}))

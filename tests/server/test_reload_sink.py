"""The embedded sink (no upstream) and hot reload, on a real server process."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.clirun import RanText, invoke_text
from tests.server.conftest import CALLBACK_BODY, TRACE_PB, Server, leaks, start_server

SERVER_SECTION = {"reload_interval_s": 0.2, "sink": {"kind": "sqlite", "dir": "data"}}


@pytest.fixture(scope="module")
def sinky(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("sinky"), {"server": SERVER_SECTION})
    try:
        yield server
    finally:
        server.stop()


def _cli(*args: str, cwd: Path) -> RanText:
    """``tracemask ARGS`` in this process: the server that wrote the store is another one."""
    return invoke_text(*args, cwd=cwd)


def test_sink_stores_masked_batches_and_cli_lists_and_exports(sinky: Server) -> None:
    with sinky.client() as c:
        r = c.post(
            "/v1/traces", content=TRACE_PB, headers={"content-type": "application/x-protobuf"}
        )
        assert r.status_code == 200
        r = c.post("/v1/traces", json={"resourceSpans": json.loads(CALLBACK_BODY)[:0]})
        assert r.status_code == 200
    cwd = sinky.config_path.parent
    listed = _cli("sink", "list", "--data-dir", "data", "--json", cwd=cwd)
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(r["signal"], r["items"]) for r in rows][-2:] == [("traces", 5), ("traces", 0)]
    assert rows[-2]["findings"] > 0
    table = _cli("sink", "list", "--data-dir", "data", cwd=cwd)
    assert table.stdout.splitlines()[0].split() == [
        "ID", "TIME", "SIGNAL", "ITEMS", "FINDINGS", "BYTES"
    ]  # fmt: skip
    exported = _cli("sink", "export", "--data-dir", "data", "--id", str(rows[-2]["id"]), cwd=cwd)
    assert exported.returncode == 0, exported.stderr
    (line,) = exported.stdout.splitlines()
    assert leaks(line.encode()) == []
    doc = json.loads(line)
    spans = [s for rs in doc["resourceSpans"] for ss in rs["scopeSpans"] for s in ss["spans"]]
    want = ExportTraceServiceRequest.FromString(TRACE_PB)
    want_ids = {
        s.span_id.hex() for rs in want.resource_spans for ss in rs.scope_spans for s in ss.spans
    }
    assert {s["spanId"] for s in spans} == want_ids  # OTLP JSON: hex ids
    assert all(isinstance(s["kind"], int) for s in spans)
    missing = _cli("sink", "list", "--data-dir", "nowhere", cwd=cwd)
    assert missing.returncode == 2
    assert missing.stderr.startswith("tracemask: error: nowhere: no sink here")


def _generation(c: httpx.Client) -> int:
    return int(c.get("/readyz").json()["generation"])


def _wait_generation(c: httpx.Client, above: int, timeout: float = 10.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        g = _generation(c)
        if g > above:
            return g
        time.sleep(0.05)
    raise AssertionError("no reload")


def _write_config(server: Server, policy: dict[str, object]) -> None:
    text = yaml.safe_dump({**policy, "server": {**SERVER_SECTION, "port": _port(server)}})
    tmp = server.config_path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, server.config_path)  # atomic, as a ConfigMap update is


def _port(server: Server) -> int:
    return int(server.url.rsplit(":", 1)[1])


def test_hot_reload_on_file_change_and_sighup_without_dropping_requests(sinky: Server) -> None:
    statuses: list[int] = []
    stop = threading.Event()

    def hammer() -> None:
        with sinky.client() as c:
            for _ in range(2000):  # bounded; stopped by the test long before
                if stop.is_set():
                    return
                statuses.append(c.post("/langfuse/mask", content=CALLBACK_BODY).status_code)

    worker = threading.Thread(target=hammer)
    worker.start()
    try:
        with sinky.client() as c:
            before = _generation(c)
            assert "user_8812" in c.post("/langfuse/mask", content=CALLBACK_BODY).text
            recognizer = {"name": "ids", "entity": "USER_ID", "pattern": "user_[0-9]{4}"}
            _write_config(sinky, {"recognizers": [recognizer]})
            after_file = _wait_generation(c, before)
            r = c.post("/langfuse/mask", content=CALLBACK_BODY)
            assert "user_8812" not in r.text
            assert "<USER_ID>" in r.text
            sinky.proc.send_signal(signal.SIGHUP)
            after_hup = _wait_generation(c, after_file)
            # A broken config is refused: the running one stays.
            sinky.config_path.write_text("entities: {lower: {}}\n", encoding="utf-8")
            deadline = time.monotonic() + 10
            while "reload (file changed) failed" not in sinky.log():
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert _generation(c) == after_hup
            assert "<USER_ID>" in c.post("/langfuse/mask", content=CALLBACK_BODY).text
    finally:
        stop.set()
        worker.join(30)
    assert statuses
    assert set(statuses) == {200}
    assert "reloaded configuration (SIGHUP)" in sinky.log()

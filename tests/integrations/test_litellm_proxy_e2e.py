"""End to end: a real ``litellm --config`` proxy with ``proxy_handler_instance`` as a callback.

One proxy process on 127.0.0.1 for the module, a fake OpenAI-compatible upstream that echoes the
prompt in its errors, and recorders behind LiteLLM's own ``otel``, ``langfuse_otel`` and
``generic_api`` callbacks (one local HTTP server) and behind a custom logger (a file). A matrix
of requests (success, tool calls, embeddings, stream, upstream 400/500, bad model, rate limit),
each carrying planted values in the prompt, the ``user`` field, metadata and a header; then no
planted value may be found at any destination, in the proxy's output, or in the spend-log rows
(PostgreSQL, when ``$TRACEMASK_E2E_DATABASE_URL`` names one), while model, tokens, cost and ids
arrive intact.
"""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.integrations._litellm_proxy import (
    EMAIL,
    MASTER_KEY,
    PROMPT,
    FakeUpstream,
    Proxy,
    leaks,
    proxy_executable,
    read_records,
    start_proxy,
    write_config,
)

EXECUTABLE = proxy_executable()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        EXECUTABLE is None,
        reason="no litellm[proxy] virtualenv (.venv-litellm-proxy, or $TRACEMASK_LITELLM_PROXY)",
    ),
]

TRACEMASK = "tracemask.integrations.litellm.proxy_handler_instance"
CALLBACKS = [TRACEMASK, "otel", "langfuse_otel", "generic_api", "custom_callbacks.recorder"]
METADATA = {"customer_email": EMAIL, "ticket": "T-1042", "session_id": "sess-77"}


@dataclass
class Sink:
    """One local HTTP server behind every exporting callback: OTLP, Langfuse OTLP, generic."""

    url: str = ""
    requests: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> bytes:
        with self.lock:
            return b"\n".join(b for _, b in self.requests)

    def paths(self) -> set[str]:
        with self.lock:
            return {p for p, _ in self.requests}


@pytest.fixture(scope="module")
def sink() -> Iterator[Sink]:
    box = Sink()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.headers.get("Content-Encoding", "").lower() == "gzip":
                raw = gzip.decompress(raw)
            with box.lock:
                box.requests.append((self.path, raw))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    box.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield box
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream().start()
    yield fake
    fake.stop()


def _proxy_env(sink: Sink, record: Path) -> dict[str, str]:
    env = {
        "OTEL_EXPORTER": "otlp_http",
        "OTEL_ENDPOINT": f"{sink.url}/otel/v1/traces",
        "LANGFUSE_PUBLIC_KEY": "pk-lf-e2e",
        "LANGFUSE_SECRET_KEY": "sk-lf-e2e",
        "LANGFUSE_OTEL_HOST": f"{sink.url}/langfuse",
        "GENERIC_LOGGER_ENDPOINT": f"{sink.url}/generic",
        "TRACEMASK_E2E_RECORD": str(record),
    }
    database = os.environ.get("TRACEMASK_E2E_DATABASE_URL")
    if database:
        env["DATABASE_URL"] = database
    return env


@pytest.fixture(scope="module")
def proxy(
    tmp_path_factory: pytest.TempPathFactory, sink: Sink, upstream: FakeUpstream
) -> Iterator[Proxy]:
    assert EXECUTABLE is not None
    directory = tmp_path_factory.mktemp("litellm-proxy")
    database = bool(os.environ.get("TRACEMASK_E2E_DATABASE_URL"))
    config = write_config(directory, upstream.url, callbacks=CALLBACKS, database=database)
    started = start_proxy(EXECUTABLE, config, _proxy_env(sink, directory / "record.jsonl"))
    yield started
    started.stop()


def _chat(client: Any, model: str, **extra: Any) -> Any:
    body = {
        "model": model,
        "messages": [
            {"role": "system", "content": "You are a billing assistant."},
            {"role": "user", "content": PROMPT},
        ],
        "user": EMAIL,
        "metadata": METADATA,
        **extra,
    }
    return client.post("/v1/chat/completions", json=body, headers={"x-customer-email": EMAIL})


@dataclass
class Matrix:
    responses: dict[str, Any]
    proxy: Proxy


@pytest.fixture(scope="module")
def matrix(proxy: Proxy, sink: Sink) -> Matrix:
    tools = [
        {
            "type": "function",
            "function": {
                "name": "charge_card",
                "parameters": {"type": "object", "properties": {"card_number": {"type": "string"}}},
            },
        }
    ]
    responses: dict[str, Any] = {}
    with proxy.client() as client:
        responses["success"] = _chat(client, "gpt-4o-mini")
        responses["tools"] = _chat(client, "gpt-4o-mini", tools=tools)
        responses["stream"] = _chat(client, "gpt-4o-mini", stream=True)
        responses["embedding"] = client.post(
            "/v1/embeddings",
            json={"model": "text-embedding-3-small", "input": PROMPT, "user": EMAIL},
        )
        responses["upstream-400"] = _chat(client, "bad-request")
        responses["upstream-500"] = _chat(client, "upstream-down")
        responses["rate-limit"] = _chat(client, "rate-limited")
        responses["bad-model"] = _chat(client, "no-such-model")
    time.sleep(8)  # batch span processors export every 5 s; callbacks run after the response
    return Matrix(responses, proxy)


def test_the_matrix_ran(matrix: Matrix) -> None:
    statuses = {k: r.status_code for k, r in matrix.responses.items()}
    assert statuses["success"] == 200
    assert statuses["tools"] == 200
    assert statuses["stream"] == 200
    assert statuses["embedding"] == 200
    assert statuses["upstream-400"] == 400
    assert statuses["upstream-500"] >= 500
    assert statuses["rate-limit"] == 429
    assert statuses["bad-model"] >= 400
    # The client still gets the real answer: masking is for what is logged.
    assert "4111 1111 1111 1111" in matrix.responses["success"].text


def test_no_planted_value_reaches_the_exporting_callbacks(matrix: Matrix, sink: Sink) -> None:
    assert {"/otel/v1/traces", "/generic"} <= sink.paths()
    assert any(p.startswith("/langfuse") for p in sink.paths())
    assert leaks(sink.bodies()) == []


def test_no_planted_value_reaches_the_custom_logger(matrix: Matrix, tmp_path: Path) -> None:
    record = matrix.proxy.log_path.parent / "record.jsonl"
    events = list(read_records(record))
    kinds = {e["event"] for e in events}
    assert {"async_log_success_event", "async_log_failure_event"} <= kinds
    assert "async_post_call_failure_hook" in kinds
    found = {e["event"]: leaks(e["text"]) for e in events if leaks(e["text"])}
    assert found == {}


def test_no_planted_value_in_the_proxy_output(matrix: Matrix) -> None:
    output = matrix.proxy.output()
    assert "tracemask: masking LiteLLM" in output  # the startup line
    assert leaks(output) == []


def test_readiness_lists_tracemask(proxy: Proxy) -> None:
    with proxy.client() as client:
        # Newer LiteLLM keeps the callback list behind authentication.
        details = client.get("/health/readiness/details")
        ready = details.json() if details.status_code == 200 else {}
        if "success_callbacks" not in ready:
            ready = client.get("/health/readiness").json()
    assert "tracemask" in ready["success_callbacks"]


def test_useful_fields_arrive_intact(matrix: Matrix, sink: Sink) -> None:
    bodies = sink.bodies()
    assert b"gpt-4o-mini" in bodies
    assert b"chatcmpl-e2e0001" in bodies
    generic = [json.loads(b) for p, b in sink.requests if p == "/generic"]
    rows = [r for batch in generic for r in (batch if isinstance(batch, list) else [batch])]
    success = [
        r for r in rows if r.get("status") == "success" and "gpt-4o-mini" in str(r.get("model"))
    ]
    assert success
    assert any(r.get("total_tokens") == 223 for r in success)
    assert any((r.get("response_cost") or 0) > 0 for r in success)
    assert MASTER_KEY not in json.dumps(rows)

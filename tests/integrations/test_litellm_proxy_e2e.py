"""End to end: a real ``litellm --config`` proxy with ``proxy_handler_instance`` as a callback.

A proxy process on 127.0.0.1, a fake OpenAI-compatible upstream that echoes the prompt in its
errors, and recorders behind LiteLLM's own ``otel``, ``langfuse_otel`` and ``generic_api``
callbacks (one local HTTP server), behind a custom logger (a file) and behind the proxy's
spend-log writer (the rows it would insert, with ``store_prompts_in_spend_logs``). A matrix of
requests (success, tool calls, embeddings, stream, upstream 400/500, bad model, rate limit) each
carries planted values in the prompt, the ``user`` field, metadata and a header. With tracemask
no planted value may be found at any destination, in the proxy's output or in the spend-log
rows, while model, tokens, cost and ids arrive intact; the same matrix without tracemask (the
control) must leak at each of them, or the test proves nothing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integrations._litellm_proxy import (
    CARD,
    EMAIL,
    MASTER_KEY,
    PROMPT,
    PROXY_MARKS,
    FakeUpstream,
    Proxy,
    Sink,
    chat,
    leaks,
    proxy_env,
    proxy_executable,
    read_records,
    start_proxy,
    write_config,
)

EXECUTABLE = proxy_executable()
pytestmark = PROXY_MARKS

TRACEMASK = "tracemask.integrations.litellm.proxy_handler_instance"
OTHERS = [
    "otel",
    "langfuse_otel",
    "generic_api",
    "custom_callbacks.recorder",
    "custom_callbacks.spend_rows",
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "charge_card",
            "parameters": {"type": "object", "properties": {"card_number": {"type": "string"}}},
        },
    }
]


@dataclass
class Run:
    """One proxy, the matrix sent through it, and everything it let out."""

    proxy: Proxy
    sink: Sink
    responses: dict[str, Any]
    directory: Path

    def events(self) -> list[dict[str, Any]]:
        return list(read_records(self.directory / "record.jsonl"))

    def rows(self) -> list[dict[str, Any]]:
        return list(read_records(self.directory / "record.jsonl.rows"))

    def readiness(self) -> dict[str, Any]:
        with self.proxy.client() as client:
            # Newer LiteLLM keeps the callback list behind authentication.
            details = client.get("/health/readiness/details")
            ready = details.json() if details.status_code == 200 else {}
            if "success_callbacks" not in ready:
                ready = client.get("/health/readiness").json()
        return dict(ready)


def _send_matrix(proxy: Proxy) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    with proxy.client() as client:
        responses["success"] = chat(client, "gpt-4o-mini")
        responses["tools"] = chat(client, "gpt-4o-mini", tools=TOOLS)
        responses["stream"] = chat(client, "gpt-4o-mini", stream=True)
        responses["embedding"] = client.post(
            "/v1/embeddings",
            json={"model": "text-embedding-3-small", "input": PROMPT, "user": EMAIL},
        )
        responses["upstream-400"] = chat(client, "bad-request")
        responses["upstream-500"] = chat(client, "upstream-down")
        responses["rate-limit"] = chat(client, "rate-limited")
        responses["bad-model"] = chat(client, "no-such-model")
    return responses


def _run(
    factory: pytest.TempPathFactory, upstream: FakeUpstream, callbacks: list[str], name: str
) -> Iterator[Run]:
    assert EXECUTABLE is not None
    directory = factory.mktemp(name)
    sink = Sink().start()
    config = write_config(directory, upstream.url, callbacks=callbacks, database=False)
    proxy = start_proxy(EXECUTABLE, config, proxy_env(sink, directory / "record.jsonl"))
    try:
        responses = _send_matrix(proxy)
        time.sleep(7)  # batch span processors export every 5 s; callbacks run after responses
        yield Run(proxy, sink, responses, directory)
    finally:
        proxy.stop()
        sink.stop()


@pytest.fixture(scope="module")
def upstream() -> Iterator[FakeUpstream]:
    fake = FakeUpstream().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def masked(tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream) -> Iterator[Run]:
    yield from _run(tmp_path_factory, upstream, [TRACEMASK, *OTHERS], "masked")


@pytest.fixture(scope="module")
def control(tmp_path_factory: pytest.TempPathFactory, upstream: FakeUpstream) -> Iterator[Run]:
    yield from _run(tmp_path_factory, upstream, OTHERS, "control")


def test_the_matrix_ran(masked: Run) -> None:
    statuses = {k: r.status_code for k, r in masked.responses.items()}
    assert statuses == {
        "success": 200,
        "tools": 200,
        "stream": 200,
        "embedding": 200,
        "upstream-400": 400,
        "upstream-500": statuses["upstream-500"],
        "rate-limit": 429,
        "bad-model": statuses["bad-model"],
    }
    assert statuses["upstream-500"] >= 500
    assert statuses["bad-model"] >= 400
    # The client still gets the real answer, and its own error text: masking is for logs.
    assert CARD in masked.responses["success"].text
    streamed = "".join(
        c["delta"].get("content") or ""
        for line in masked.responses["stream"].text.splitlines()
        if line.startswith("data: {")
        for c in json.loads(line[6:])["choices"]
    )
    assert CARD in streamed


def test_no_planted_value_reaches_the_exporting_callbacks(masked: Run) -> None:
    paths = masked.sink.paths()
    assert {"/otel/v1/traces", "/generic"} <= paths
    assert any(p.startswith("/langfuse") for p in paths)
    assert leaks(masked.sink.bodies()) == []


def test_no_planted_value_reaches_the_custom_logger(masked: Run) -> None:
    events = masked.events()
    kinds = {e["event"] for e in events}
    assert {
        "log_pre_api_call",
        "log_post_api_call",
        "async_log_success_event",
        "async_log_failure_event",
        "async_post_call_success_hook",
        "async_post_call_failure_hook",
    } <= kinds
    found = {e["event"]: leaks(e["text"]) for e in events if leaks(e["text"])}
    assert found == {}


def test_no_planted_value_in_the_spend_log_rows(masked: Run) -> None:
    rows = masked.rows()
    assert {r["status"] for r in rows} >= {"success", "failure"}
    assert leaks(json.dumps(rows)) == []
    success = [r for r in rows if r["status"] == "success" and r["call_type"] == "acompletion"]
    assert success
    for row in success:
        assert "gpt-4o-mini" in row["model"]
        assert row["total_tokens"] == 223
        assert row["spend"] > 0
        assert row["request_id"]
        # Prompts are stored (store_prompts_in_spend_logs: the request body), masked.
        assert "<EMAIL_ADDRESS>" in json.dumps(row["proxy_server_request"])
        assert "<CREDIT_CARD>" in json.dumps(row["response"])
    # The user is a keyed pseudonym, the same in every row: spend still groups by user.
    end_users = {r["end_user"] for r in rows if r.get("end_user")}
    assert len(end_users) == 1
    assert next(iter(end_users)).startswith("<USER_")


def test_no_planted_value_in_the_proxy_output(masked: Run) -> None:
    output = masked.proxy.output()
    assert "tracemask: masking LiteLLM logging with policy default" in output
    assert leaks(output) == []


def test_readiness_lists_tracemask(masked: Run) -> None:
    assert "tracemask" in masked.readiness()["success_callbacks"]


def test_useful_fields_arrive_intact(masked: Run) -> None:
    bodies = masked.sink.bodies()
    assert b"gpt-4o-mini" in bodies
    assert b"chatcmpl-e2e0001" in bodies
    generic = [json.loads(b) for p, b in masked.sink.requests if p == "/generic"]
    rows = [r for batch in generic for r in (batch if isinstance(batch, list) else [batch])]
    success = [
        r for r in rows if r.get("status") == "success" and "gpt-4o-mini" in str(r.get("model"))
    ]
    assert success
    assert any(r.get("total_tokens") == 223 for r in success)
    assert any((r.get("response_cost") or 0) > 0 for r in success)
    assert any(r.get("id") == "chatcmpl-e2e0001" for r in success)
    assert MASTER_KEY not in json.dumps(rows)


def test_control_without_tracemask_leaks_everywhere(control: Run) -> None:
    """The same proxy and matrix without tracemask: each destination checked above leaks."""
    assert leaks(control.sink.bodies())
    assert any(leaks(e["text"]) for e in control.events())
    assert leaks(json.dumps(control.rows()))
    assert leaks(control.proxy.output())
    assert "tracemask" not in control.readiness()["success_callbacks"]

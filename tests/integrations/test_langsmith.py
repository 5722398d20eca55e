"""LangSmith: the real ``langsmith.Client`` sends only masked runs to a local API stand-in.

Every test drives ``@traceable`` code through a real Client pointed at ``capture_server``, flushes,
decodes what arrived (zstd → multipart parts, or the ``/runs/batch`` JSON) and searches it.
Street addresses are not planted: the core engine does not detect them yet.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from langsmith import Client, get_current_run_tree, traceable, tracing_context
from langsmith import env as ls_env
from langsmith import utils as ls_utils

from tests.integrations.conftest import CaptureServer, Request
from tracemask import Masker, MaskingError
from tracemask.integrations.langsmith import (
    WITHHELD,
    anonymizer,
    client_kwargs,
    join_chunks,
    masked_client,
    masking_hooks,
    process_inputs,
    process_outputs,
    run_ops_processor,
)

EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
CARD = "4111 1111 1111 1111"
API_KEY = "sk-proj-Zq8Lw3Nv6Tb1Hx9Kd4Rm7Pc2Fs5Jy0GuEaW4XoB1"
PLANTED = {"E": EMAIL, "P": PHONE, "C": CARD, "C compact": CARD.replace(" ", ""), "K": API_KEY}

USER_MSG = f"Hi, I'm Jane ({EMAIL}, {PHONE}). Card {CARD}. My old key {API_KEY} leaked."
ANSWER = f"Thanks Jane! I've noted card {CARD} and will email a confirmation to {EMAIL}."
MASKED_ANSWER = (
    "Thanks <PERSON>! I've noted card <CREDIT_CARD> and will email a confirmation to "
    "<EMAIL_ADDRESS>."
)
LOOKUP_ARGS = json.dumps({"email": EMAIL, "phone": PHONE})
UPDATE_ARGS = json.dumps({"customer_id": "cus_8812", "card_number": CARD, "notify_email": EMAIL})
ERROR_MSG = f"card declined for {EMAIL} ({CARD}); gateway key {API_KEY}"
COMPLETION = {
    "id": "chatcmpl-sample123",
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_update_02",
                        "type": "function",
                        "function": {"name": "update_card", "arguments": UPDATE_ARGS},
                    }
                ],
            },
        }
    ],
    "usage": {"prompt_tokens": 182, "completion_tokens": 41, "total_tokens": 223},
}
RUN_NAMES = {
    "handle-billing-request",
    "lookup_customer",
    "ChatOpenAI",
    "update_card",
    "ChatOpenAI.stream",
}


def rid(n: int) -> uuid.UUID:
    return uuid.UUID(f"019b7a00-0000-7000-8000-{n:012d}")


RUN_IDS = {str(rid(n)) for n in range(1, 6)}

# --- the API stand-in --------------------------------------------------------------------------

BATCH_CONFIG = {
    "use_multipart_endpoint": True,
    "scale_up_qsize_trigger": 1000,
    "scale_up_nthreads_limit": 16,
    "scale_down_nempty_trigger": 4,
    "size_limit": 100,
    "size_limit_bytes": 20971520,
}
INFO = {
    # LangSmith Cloud: multipart ingestion, zstd-compressed.
    "cloud": {
        "version": "0.12.0",
        "batch_ingest_config": BATCH_CONFIG,
        "instance_flags": {"zstd_compression_enabled": True},
    },
    # A server without compression: the same multipart parts, uncompressed.
    "multipart": {"version": "0.12.0", "batch_ingest_config": BATCH_CONFIG, "instance_flags": {}},
    # A server without the multipart endpoint: POST /runs/batch with JSON.
    "batch": {
        "version": "0.12.0",
        "batch_ingest_config": {**BATCH_CONFIG, "use_multipart_endpoint": False},
        "instance_flags": {},
    },
}


def answer_like(info: dict[str, Any]) -> Callable[[Request], tuple[int, dict[str, str], bytes]]:
    def reply(req: Request) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps(info if req.path == "/info" else {}).encode()
        return (200 if req.path == "/info" else 202), {"Content-Type": "application/json"}, body

    return reply


@pytest.fixture(autouse=True)
def clean_langsmith_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No LANGSMITH_/LANGCHAIN_ variable from the host; LangSmith's env caches cleared."""
    import os  # noqa: PLC0415

    for key in [k for k in os.environ if k.startswith(("LANGSMITH_", "LANGCHAIN_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("LANGSMITH_REVISION_ID", "test-rev")  # else `git describe` of the cwd
    _clear_env_caches()
    yield
    _clear_env_caches()


def _clear_env_caches() -> None:
    ls_utils.get_env_var.cache_clear()  # type: ignore[attr-defined]  # overloaded lru_cache
    ls_utils.get_tracer_project.cache_clear()
    ls_env.get_langchain_env_var_metadata.cache_clear()


def make_client(server: CaptureServer, mode: str = "cloud", **kwargs: Any) -> Client:
    """A real Client against ``server`` answering ``GET /info`` like ``mode``."""
    server.reply = answer_like(INFO[mode])
    client = Client(api_url=server.url, api_key="test", **kwargs)
    if mode == "cloud":  # the tracing thread GETs /info, then switches to compressed ingest
        deadline = time.monotonic() + 10
        while client.compressed_traces is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert client.compressed_traces is not None
    return client


# --- decoding what arrived ---------------------------------------------------------------------


def run_ops(server: CaptureServer) -> list[tuple[str, dict[str, Any]]]:
    """Every run operation that arrived, as ``(op, run)`` with its parts merged back."""
    ops: list[tuple[str, dict[str, Any]]] = []
    for req in server.requests:
        if req.path == "/runs/multipart":
            ops += _multipart_ops(req)
        elif req.path == "/runs/batch":
            body = req.json()
            ops += [(op, run) for op in ("post", "patch") for run in body.get(op) or []]
        else:
            assert req.path == "/info", f"unexpected request {req.method} {req.path}"
    return ops


def _multipart_ops(req: Request) -> list[tuple[str, dict[str, Any]]]:
    ctype = req.headers["Content-Type"]
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {ctype}\r\n\r\n".encode() + req.body
    )
    ops: list[tuple[str, dict[str, Any]]] = []
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        assert isinstance(name, str)
        assert isinstance(payload, bytes)
        value = json.loads(payload)
        op, run_id, *field = name.split(".")
        if not field:
            ops.append((op, dict(value)))
        else:
            run = next(r for o, r in reversed(ops) if o == op and str(r["id"]) == run_id)
            run[field[0]] = value
    return ops


def strings(value: Any) -> Iterator[str]:
    """Every string in ``value``, and each list of strings joined (streamed chunks)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        if value and all(isinstance(v, str) for v in value):
            yield "".join(value)
        for v in value:
            yield from strings(v)


def leaks(server: CaptureServer, ops: list[tuple[str, dict[str, Any]]]) -> set[str]:
    """Labels of the planted values found in the raw bodies or the decoded runs."""
    raw = server.bodies().decode("utf-8", "replace")
    texts = [raw, *strings([run for _, run in ops])]
    return {label for label, v in PLANTED.items() if any(v in t for t in texts)}


def runs_named(ops: list[tuple[str, dict[str, Any]]], name: str) -> list[dict[str, Any]]:
    return [run for _, run in ops if run.get("name") == name]


# --- the traced application --------------------------------------------------------------------


class CardDeclinedError(Exception):
    pass


def billing_app(client: Client, **traced: Any) -> Callable[[], dict[str, Any]]:
    """Chain → tool, llm (tool call), tool (raises, custom event), streamed llm.

    ``traced`` goes to every ``@traceable`` (e.g. ``process_inputs``).
    """

    @traceable(run_type="tool", name="lookup_customer", client=client, **traced)
    def lookup_customer(arguments: str) -> str:
        return json.dumps({"customer_id": "cus_8812", "email": EMAIL, "phone": PHONE})

    @traceable(
        run_type="llm",
        name="ChatOpenAI",
        client=client,
        metadata={"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"},
        **traced,
    )
    def chat_completion(messages: list[dict[str, Any]], model: str) -> dict[str, Any]:
        return COMPLETION

    @traceable(run_type="tool", name="update_card", client=client, **traced)
    def update_card(arguments: str) -> None:
        run = get_current_run_tree()
        assert run is not None
        run.add_event({"name": "gateway_retry", "kwargs": {"attempt": 1, "reason": ERROR_MSG}})
        raise CardDeclinedError(ERROR_MSG)

    @traceable(
        run_type="llm",
        name="ChatOpenAI.stream",
        client=client,
        reduce_fn=join_chunks,
        metadata={"ls_provider": "openai", "ls_model_name": "gpt-4o-mini"},
        **traced,
    )
    def stream_reply(messages: list[dict[str, Any]]) -> Iterator[str]:
        for i in range(0, len(ANSWER), 8):
            yield ANSWER[i : i + 8]

    @traceable(
        run_type="chain",
        name="handle-billing-request",
        client=client,
        tags=["billing"],
        metadata={"customer_email": EMAIL, "billing_phone": PHONE},
        **traced,
    )
    def handle_billing_request(user_message: str, customer: dict[str, Any]) -> dict[str, Any]:
        assert user_message == USER_MSG  # the function itself sees the real arguments
        messages: list[dict[str, Any]] = [{"role": "user", "content": user_message}]
        found = lookup_customer(LOOKUP_ARGS, langsmith_extra={"run_id": rid(2)})
        messages += [
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_lookup_01",
                        "type": "function",
                        "function": {"name": "lookup_customer", "arguments": LOOKUP_ARGS},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_lookup_01", "content": found},
        ]
        completion = chat_completion(messages, "gpt-4o-mini", langsmith_extra={"run_id": rid(3)})
        call = completion["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"]
        with contextlib.suppress(CardDeclinedError):
            update_card(call, langsmith_extra={"run_id": rid(4)})
        reply = "".join(stream_reply(messages, langsmith_extra={"run_id": rid(5)}))
        return {"answer": reply, "customer_email": customer["email"]}

    def run() -> dict[str, Any]:
        with tracing_context(enabled=True):
            return handle_billing_request(
                USER_MSG,
                {"email": EMAIL, "phone": PHONE, "integration_key": API_KEY},
                langsmith_extra={
                    "run_id": rid(1),
                    "metadata": {"integration_key": API_KEY},
                    "tags": [f"customer:{EMAIL}"],
                },
            )

    return run


def trace(client: Client, **traced: Any) -> dict[str, Any]:
    result = billing_app(client, **traced)()
    client.flush()
    return result


def assert_caller_got_raw(result: dict[str, Any]) -> None:
    assert result == {"answer": ANSWER, "customer_email": EMAIL}


# --- client hooks: anonymizer + hide_* + run ops processor -------------------------------------


@pytest.mark.parametrize("mode", ["cloud", "multipart", "batch"])
def test_nothing_planted_arrives_and_structure_survives(
    capture_server: CaptureServer, mode: str
) -> None:
    masker = Masker()
    client = make_client(
        capture_server,
        mode,
        **client_kwargs(masker, mask_all_fields=True),
    )
    assert_caller_got_raw(trace(client))

    ops = run_ops(capture_server)
    assert leaks(capture_server, ops) == set()
    if mode == "cloud":
        assert any(r.headers.get("Content-Encoding") == "zstd" for r in capture_server.requests)

    # What makes a trace useful arrived intact.
    assert {str(run["id"]) for _, run in ops} == RUN_IDS
    assert {run["name"] for _, run in ops} == RUN_NAMES
    chain = runs_named(ops, "handle-billing-request")
    assert chain[0]["inputs"]["customer"]["integration_key"] == "<API_KEY>"
    assert "<EMAIL_ADDRESS>" in chain[0]["inputs"]["user_message"]
    assert "<CREDIT_CARD>" in chain[0]["inputs"]["user_message"]
    assert {"billing", "customer:<EMAIL_ADDRESS>"} <= {t for run in chain for t in run["tags"]}
    # Parent metadata is copied into every child run, and re-sent on patches.
    for _, run in ops:
        meta = run["extra"]["metadata"]
        assert meta["customer_email"] == "<EMAIL_ADDRESS>"
        assert meta["integration_key"] == "<API_KEY>"

    llm = [r for r in runs_named(ops, "ChatOpenAI") if r.get("outputs")]
    assert llm[0]["extra"]["metadata"]["ls_model_name"] == "gpt-4o-mini"
    outputs = llm[0]["outputs"]
    assert outputs["model"] == "gpt-4o-mini-2024-07-18"
    assert outputs["usage"] == COMPLETION["usage"]
    args = json.loads(outputs["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"])
    assert args == {
        "customer_id": "cus_8812",
        "card_number": "<CREDIT_CARD>",
        "notify_email": "<EMAIL_ADDRESS>",
    }
    messages = next(r for r in runs_named(ops, "ChatOpenAI") if r.get("inputs"))["inputs"]
    lookup = messages["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(lookup) == {"email": "<EMAIL_ADDRESS>", "phone": "<PHONE_NUMBER>"}

    failed = [r for r in runs_named(ops, "update_card") if r.get("error")]
    assert "CardDeclinedError" in failed[0]["error"]
    assert "Traceback" in failed[0]["error"]
    assert "card declined for <EMAIL_ADDRESS> (<CREDIT_CARD>)" in failed[0]["error"]
    reasons = [e["kwargs"]["reason"] for r in runs_named(ops, "update_card") for e in r["events"]]
    assert reasons
    assert all("<EMAIL_ADDRESS>" in reason for reason in reasons)

    streamed = [r for r in runs_named(ops, "ChatOpenAI.stream") if r.get("outputs")]
    assert streamed[0]["outputs"] == {"output": MASKED_ANSWER}


def test_client_hooks_alone_leave_tags_and_event_kwargs(capture_server: CaptureServer) -> None:
    """The documented opt-in narrowing: without ``run_ops_processor`` (``mask_all_fields=False``)
    LangSmith never shows us tags/events."""
    client = make_client(capture_server, **client_kwargs(Masker(), mask_all_fields=False))
    assert_caller_got_raw(trace(client))

    ops = run_ops(capture_server)
    payloads = [
        {k: run.get(k) for k in ("inputs", "outputs", "error")} | {"meta": run["extra"]["metadata"]}
        for _, run in ops
    ]
    assert {
        label for label, v in PLANTED.items() if any(v in s for s in strings(payloads))
    } == set()
    assert any(f"customer:{EMAIL}" in run["tags"] for _, run in ops)
    events = [e for _, run in ops for e in run.get("events") or []]
    assert any(e.get("kwargs", {}).get("reason") == ERROR_MSG for e in events)


def test_masked_client_is_a_real_client(capture_server: CaptureServer) -> None:
    capture_server.reply = answer_like(INFO["multipart"])
    client = masked_client(api_url=capture_server.url, api_key="test", mask_all_fields=True)
    assert isinstance(client, Client)
    assert_caller_got_raw(trace(client))
    assert leaks(capture_server, run_ops(capture_server)) == set()


def test_short_form_masks_every_field(capture_server: CaptureServer) -> None:
    """The README's ``masked_client(Masker())``: tags, event kwargs and names masked too."""
    capture_server.reply = answer_like(INFO["multipart"])
    client = masked_client(Masker(), api_url=capture_server.url, api_key="test")
    assert_caller_got_raw(trace(client))
    ops = run_ops(capture_server)
    assert leaks(capture_server, ops) == set()
    tags = [t for _, run in ops for t in run.get("tags") or []]
    assert "customer:<EMAIL_ADDRESS>" in tags


_AT_EXIT_SCRIPT = """
import sys
from langsmith import traceable
from tracemask import Masker
from tracemask.integrations.langsmith import masked_client

client = masked_client(Masker(), api_url=sys.argv[1], api_key="test")

@traceable(client=client, tags=["customer:jane.doe@example.com"])
def answer(question):
    return "ok"

answer("mail jane.doe@example.com")
"""


def test_short_form_delivers_masked_runs_at_exit_without_flush(
    capture_server: CaptureServer,
) -> None:
    """A script that never calls ``flush()`` still sends its runs, all fields masked."""
    capture_server.reply = answer_like(INFO["multipart"])
    env = {**os.environ, "LANGSMITH_TRACING": "true", "PYTHONPATH": os.pathsep.join(sys.path)}
    subprocess.run(
        [sys.executable, "-c", _AT_EXIT_SCRIPT, capture_server.url],
        env=env,
        check=True,
        timeout=60,
        capture_output=True,
    )
    ops = run_ops(capture_server)
    assert ops
    assert EMAIL.encode() not in capture_server.bodies()
    assert "customer:<EMAIL_ADDRESS>" in [t for _, run in ops for t in run.get("tags") or []]


def test_masked_client_refuses_hooks_langsmith_would_ignore() -> None:
    with pytest.raises(TypeError, match="anonymizer"):
        masked_client(anonymizer=lambda d: d)
    with pytest.raises(TypeError, match="callable hide_outputs"):
        masked_client(hide_outputs=lambda d: d)


def test_missing_sdk_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langsmith", None)
    with pytest.raises(ImportError, match=r"pip install 'tracemask\[langsmith\]'"):
        masked_client()


# --- env and policy switches -------------------------------------------------------------------

ENV_CASES = [
    {},
    {"LANGSMITH_HIDE_INPUTS": "true"},
    {"LANGSMITH_HIDE_INPUTS": "True"},
    {"LANGSMITH_HIDE_INPUTS": "1"},
    {"LANGSMITH_HIDE_INPUTS": " true"},
    {"LANGCHAIN_HIDE_OUTPUTS": "true"},
    {"LANGSMITH_HIDE_OUTPUTS": "false", "LANGCHAIN_HIDE_OUTPUTS": "true"},
    {"LANGSMITH_HIDE_METADATA": "  ", "LANGCHAIN_HIDE_METADATA": "true"},
    {"LANGSMITH_HIDE_INPUTS": "true", "LANGSMITH_HIDE_OUTPUTS": "true"},
]


@pytest.mark.parametrize(
    "env", ENV_CASES, ids=lambda e: ",".join(f"{k}={v!r}" for k, v in e.items())
)
def test_env_switches_read_exactly_as_langsmith_reads_them(
    monkeypatch: pytest.MonkeyPatch, capture_server: CaptureServer, env: dict[str, str]
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    _clear_env_caches()
    sdk = Client(api_url=capture_server.url, api_key="test", auto_batch_tracing=False)
    ours = client_kwargs(Masker())
    for part in ("inputs", "outputs", "metadata"):
        sdk_hides = getattr(sdk, f"_hide_{part}") is True
        assert (ours[f"hide_{part}"] is True) == sdk_hides, part
        if not sdk_hides:
            assert callable(ours[f"hide_{part}"])


def test_env_hidden_parts_arrive_empty_the_rest_masked(
    monkeypatch: pytest.MonkeyPatch, capture_server: CaptureServer
) -> None:
    monkeypatch.setenv("LANGSMITH_HIDE_INPUTS", "true")
    monkeypatch.setenv("LANGCHAIN_HIDE_METADATA", "true")
    _clear_env_caches()
    masker = Masker()
    client = make_client(capture_server, **client_kwargs(masker, mask_all_fields=True))
    assert_caller_got_raw(trace(client))
    ops = run_ops(capture_server)
    assert leaks(capture_server, ops) == set()
    for _, run in ops:
        assert run.get("inputs") in (None, {})
        assert run["extra"]["metadata"] == {}
    chain_out = [
        r["outputs"] for r in runs_named(ops, "handle-billing-request") if r.get("outputs")
    ]
    assert chain_out == [{"answer": MASKED_ANSWER, "customer_email": "<EMAIL_ADDRESS>"}]
    assert any("<EMAIL_ADDRESS>" in (run.get("error") or "") for _, run in ops)


def test_policy_switches_hide_whatever_the_env_says(
    monkeypatch: pytest.MonkeyPatch, capture_server: CaptureServer
) -> None:
    monkeypatch.setenv("LANGSMITH_HIDE_OUTPUTS", "false")
    masker = Masker({"hide_outputs": True})
    hooks = masking_hooks(masker, env={"LANGSMITH_HIDE_OUTPUTS": "false"})
    assert hooks["hide_outputs"] is True
    assert callable(hooks["hide_inputs"])
    assert callable(hooks["hide_metadata"])

    client = make_client(capture_server, **client_kwargs(masker))
    assert_caller_got_raw(trace(client))
    ops = run_ops(capture_server)
    assert all(run.get("outputs") in (None, {}) for _, run in ops)
    assert any(run.get("inputs") for _, run in ops)


def test_explicit_kwarg_beats_env_and_still_masks(
    monkeypatch: pytest.MonkeyPatch, capture_server: CaptureServer
) -> None:
    monkeypatch.setenv("LANGSMITH_HIDE_INPUTS", "true")
    _clear_env_caches()
    capture_server.reply = answer_like(INFO["multipart"])
    client = masked_client(api_url=capture_server.url, api_key="test", hide_inputs=False)
    trace(client)
    chain = runs_named(run_ops(capture_server), "handle-billing-request")
    assert "<EMAIL_ADDRESS>" in chain[0]["inputs"]["user_message"]


# --- failure modes -----------------------------------------------------------------------------


class BrokenMasker(Masker):
    """A Masker whose every ``mask`` call fails, as an engine bug would."""

    def mask(self, obj: Any, *, report: Any = None, scope: Any = None) -> Any:
        raise MaskingError("masking failed at (root): RuntimeError")


def test_fail_closed_withholds_every_payload(capture_server: CaptureServer) -> None:
    masker = BrokenMasker()
    client = make_client(capture_server, **client_kwargs(masker, mask_all_fields=True))
    assert_caller_got_raw(trace(client))

    ops = run_ops(capture_server)
    assert leaks(capture_server, ops) == set()
    assert {str(run["id"]) for _, run in ops} == RUN_IDS
    for _, run in ops:
        assert run.get("inputs") in (None, {})
        assert run.get("outputs") in (None, {})
        assert run["extra"]["metadata"] == {}
        assert run["name"] == WITHHELD
        assert run["tags"] == []
        assert run.get("events") in (None, [])
    assert [run["error"] for _, run in ops if run.get("error")] == [WITHHELD]


def test_fail_open_sends_unmasked_and_says_so(
    capture_server: CaptureServer, caplog: pytest.LogCaptureFixture
) -> None:
    masker = BrokenMasker({"fail_mode": "open"})
    client = make_client(capture_server, **client_kwargs(masker))
    assert_caller_got_raw(trace(client))
    assert {"E", "P", "C", "K"} <= leaks(capture_server, run_ops(capture_server))
    warned = [
        r.getMessage() for r in caplog.records if r.name == "tracemask.integrations.langsmith"
    ]
    assert warned
    assert all("MaskingError" in w and "fail_mode=open" in w for w in warned)
    assert not any(v in w for w in warned for v in PLANTED.values())


def test_error_key_is_never_lost() -> None:
    """LangSmith uploads the raw error when the anonymizer's result has no "error" key."""
    dropping = Masker({"key_rules": [{"keys": ["error"], "operator": {"type": "drop"}}]})
    assert anonymizer(dropping)({"error": ERROR_MSG}) == {"error": WITHHELD}
    assert anonymizer(BrokenMasker())({"error": ERROR_MSG}) == {"error": WITHHELD}
    assert anonymizer(BrokenMasker())({"x": EMAIL}) == {}


def test_anonymizer_has_no_depth_limit_and_does_not_mutate() -> None:
    deep: dict[str, Any] = {"v": f"mail {EMAIL}"}
    for _ in range(60):
        deep = {"n": [deep]}
    before = json.dumps(deep)
    masked = anonymizer()(deep)
    assert EMAIL not in json.dumps(masked)
    assert json.dumps(deep) == before


# --- @traceable(process_inputs=..., process_outputs=...) ---------------------------------------


def test_process_hooks_mask_without_client_hooks(capture_server: CaptureServer) -> None:
    masker = Masker()
    client = make_client(capture_server, "multipart")

    @traceable(
        client=client,
        run_type="llm",
        process_inputs=process_inputs(masker),
        process_outputs=process_outputs(masker),
    )
    def reply(prompt: str, card: str) -> str:
        assert (prompt, card) == (USER_MSG, CARD)
        return ANSWER

    with tracing_context(enabled=True):
        assert reply(USER_MSG, card=CARD) == ANSWER
    client.flush()
    ops = run_ops(capture_server)
    assert leaks(capture_server, ops) == set()
    (run,) = [run for op, run in ops if op == "post"]
    assert run["inputs"]["card"] == "<CREDIT_CARD>"
    assert run["outputs"] == {"output": MASKED_ANSWER}


def test_process_hooks_fail_closed_even_when_sdk_allows_unprocessed(
    monkeypatch: pytest.MonkeyPatch, capture_server: CaptureServer
) -> None:
    monkeypatch.setenv("LANGSMITH_ALLOW_UNPROCESSED_PAYLOADS", "true")
    _clear_env_caches()
    client = make_client(capture_server, "multipart")
    masker = BrokenMasker()

    @traceable(
        client=client,
        process_inputs=process_inputs(masker),
        process_outputs=process_outputs(masker),
    )
    def echo(text: str) -> dict[str, str]:
        return {"text": text}

    with tracing_context(enabled=True):
        assert echo(USER_MSG) == {"text": USER_MSG}
    client.flush()
    ops = run_ops(capture_server)
    assert leaks(capture_server, ops) == set()
    assert all(
        run.get("inputs") in (None, {}) and run.get("outputs") in (None, {}) for _, run in ops
    )


def test_process_outputs_shapes_like_langsmith() -> None:
    mask_outputs = process_outputs(Masker())
    assert mask_outputs(f"to {EMAIL}") == {"output": "to <EMAIL_ADDRESS>"}
    assert mask_outputs({"a": EMAIL}) == {"a": "<EMAIL_ADDRESS>"}
    assert mask_outputs(None) == {"output": None}
    pydantic = pytest.importorskip("pydantic")

    class Reply(pydantic.BaseModel):  # type: ignore[name-defined,misc]
        text: str
        note: str | None = None

    assert mask_outputs(Reply(text=EMAIL)) == {"text": "<EMAIL_ADDRESS>"}


def test_run_ops_processor_masks_what_hooks_never_see() -> None:
    run = {
        "id": rid(1),
        "name": f"reply to {EMAIL}",
        "tags": [f"customer:{EMAIL}", "billing"],
        "events": [{"name": "retry", "kwargs": {"reason": ERROR_MSG}}],
        "serialized": {"name": "ChatOpenAI", "kwargs": {"user": EMAIL}},
        "extra": {"metadata": {"kept": EMAIL}, "invocation_params": {"user": EMAIL}},
        "inputs": {"left": EMAIL},
    }
    (out,) = run_ops_processor(Masker())([run])
    assert out["id"] == run["id"]
    assert out["name"] == "reply to <EMAIL_ADDRESS>"
    assert out["tags"] == ["customer:<EMAIL_ADDRESS>", "billing"]
    assert EMAIL not in json.dumps([out["events"], out["serialized"]])
    # metadata, inputs and outputs are the client hooks' job: not masked twice.
    assert out["extra"] == {
        "metadata": {"kept": EMAIL},
        "invocation_params": {"user": "<EMAIL_ADDRESS>"},
    }
    assert out["inputs"] is run["inputs"]
    assert run["name"] == f"reply to {EMAIL}"  # the SDK's dict is not mutated

    (failed,) = run_ops_processor(BrokenMasker())([run])
    assert failed["name"] == WITHHELD
    assert (failed["tags"], failed["events"], failed["serialized"]) == ([], [], {})
    assert failed["extra"] == {"metadata": {"kept": EMAIL}}


def test_join_chunks() -> None:
    assert join_chunks(["jane.do", "e@exam", "ple.com"]) == EMAIL
    assert join_chunks([{"delta": "a"}, "b"]) == [{"delta": "a"}, "b"]
    assert join_chunks([]) == ""

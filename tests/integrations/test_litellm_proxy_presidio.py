"""End to end: a real ``litellm --config`` proxy whose own Presidio guardrail (``guardrail:
presidio``, unmodified) is pointed at ``tracemask serve --presidio-port`` by its two base URLs.

Three guardrails in one proxy, picked per request (``guardrails: [...]``): ``pre_call`` with
``pii_entities_config`` MASK (the model gets the masked prompt), ``pre_call`` with BLOCK (the
call is refused, the model gets nothing; the answer is checked too) and ``logging_only`` (the
model gets the prompt, the messages handed to the logging callbacks are masked). The fake model
records what it received; a logger in the proxy records the messages its success events carry."""

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
    PHONE,
    PROMPT,
    PROXY_MARKS,
    SSN,
    FakeUpstream,
    Proxy,
    proxy_executable,
    start_proxy,
    write_config,
)
from tests.server.conftest import TOKEN, Server, free_port, start_server

EXECUTABLE = proxy_executable()
pytestmark = PROXY_MARKS

MESSAGES_LOGGER = '''
"""Writes the messages of every success event to $TRACEMASK_E2E_MESSAGES, one JSON a line."""
import json
import os

from litellm.integrations.custom_logger import CustomLogger


class Messages(CustomLogger):
    async def async_log_success_event(self, kwargs, response_obj, start_time, end_time):
        logged = kwargs.get("standard_logging_object") or {}
        line = {"messages": kwargs.get("messages"), "logged": logged.get("messages")}
        with open(os.environ["TRACEMASK_E2E_MESSAGES"], "a", encoding="utf-8") as f:
            f.write(json.dumps(line, default=str) + "\\n")


messages = Messages()
'''


@dataclass
class Setup:
    proxy: Proxy
    upstream: FakeUpstream
    tracemask: Server
    messages_path: Path

    def chat(self, guardrail: str, content: str = PROMPT) -> Any:
        body = {
            "model": "gpt-4o-mini",
            "messages": [{"role": "user", "content": content}],
            "guardrails": [guardrail],
        }
        with self.proxy.client() as client:
            return client.post("/v1/chat/completions", json=body)

    def logged(self) -> list[dict[str, Any]]:
        if not self.messages_path.exists():
            return []
        lines = self.messages_path.read_text("utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]


def _guardrails(base: str) -> str:
    url = base.replace("http://", f"http://litellm:{TOKEN}@")
    common = (
        "      guardrail: presidio\n"
        f"      presidio_analyzer_api_base: {url}\n"
        f"      presidio_anonymizer_api_base: {url}\n"
    )
    mask = "{EMAIL_ADDRESS: MASK, PHONE_NUMBER: MASK, CREDIT_CARD: MASK, US_SSN: MASK}"
    return (
        "guardrails:\n"
        "  - guardrail_name: tm-mask\n    litellm_params:\n" + common
        + f"      mode: pre_call\n      pii_entities_config: {mask}\n"
        "  - guardrail_name: tm-block\n    litellm_params:\n" + common
        + "      mode: pre_call\n      pii_entities_config: {CREDIT_CARD: BLOCK}\n"
        "  - guardrail_name: tm-log\n    litellm_params:\n" + common
        + "      mode: logging_only\n"
    )  # fmt: skip


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    assert EXECUTABLE is not None
    port = free_port()
    tracemask = start_server(
        tmp_path_factory.mktemp("tracemask"),
        {"server": {"presidio_port": port, "auth": {"tokens": [TOKEN]}, "sink": {"kind": "none"}}},
    )
    upstream = FakeUpstream().start()
    directory = tmp_path_factory.mktemp("proxy")
    (directory / "messages_logger.py").write_text(MESSAGES_LOGGER, "utf-8")
    config = write_config(
        directory, upstream.url, callbacks=["messages_logger.messages"], database=False
    )
    with config.open("a", encoding="utf-8") as f:
        f.write(_guardrails(f"http://127.0.0.1:{port}"))
    messages_path = directory / "messages.jsonl"
    try:
        proxy = start_proxy(EXECUTABLE, config, {"TRACEMASK_E2E_MESSAGES": str(messages_path)})
    except BaseException:
        upstream.stop()
        tracemask.stop()
        raise
    try:
        yield Setup(proxy, upstream, tracemask, messages_path)
    finally:
        proxy.stop()
        upstream.stop()
        tracemask.stop()


def _last_prompt(upstream: FakeUpstream) -> str:
    return json.dumps(upstream.requests[-1]["messages"])


def test_pre_call_mask_sends_the_model_the_masked_prompt(setup: Setup) -> None:
    count = len(setup.upstream.requests)
    response = setup.chat("tm-mask")
    assert response.status_code == 200, response.text[:300]
    assert len(setup.upstream.requests) == count + 1
    sent = _last_prompt(setup.upstream)
    for value in (EMAIL, PHONE, CARD, SSN):
        assert value not in sent
    assert "<EMAIL_ADDRESS>" in sent
    assert "<CREDIT_CARD>" in sent


def test_pre_call_block_refuses_the_call(setup: Setup) -> None:
    count = len(setup.upstream.requests)
    response = setup.chat("tm-block")
    assert response.status_code == 400, response.text[:300]
    assert "Blocked entity detected: CREDIT_CARD" in response.text
    assert CARD not in response.text
    assert len(setup.upstream.requests) == count  # the model got nothing
    # Without a card the prompt reaches the model (the email, not configured, as it is); the
    # guardrail then checks the answer too, and the fake model's answer carries a card.
    answered = setup.chat("tm-block", f"Mail {EMAIL} the receipt.")
    assert len(setup.upstream.requests) == count + 1
    assert EMAIL in _last_prompt(setup.upstream)
    assert answered.status_code == 400, answered.text[:300]
    assert "Blocked entity detected: CREDIT_CARD" in answered.text
    assert CARD not in answered.text


def test_logging_only_masks_the_logged_messages(setup: Setup) -> None:
    before = len(setup.logged())
    response = setup.chat("tm-log")
    assert response.status_code == 200, response.text[:300]
    assert EMAIL in _last_prompt(setup.upstream)  # the live call is not masked
    deadline = time.monotonic() + 20
    while len(setup.logged()) <= before and time.monotonic() < deadline:
        time.sleep(0.2)
    entry = setup.logged()[-1]
    # The guardrail masks the call's `messages` before the logging callbacks run. (LiteLLM
    # 1.108's `standard_logging_object` keeps its own copy of the messages, unmasked by the
    # guardrail: docs/server.md.)
    logged = json.dumps(entry["messages"])
    assert entry["messages"], entry
    for value in (EMAIL, PHONE, CARD, SSN):
        assert value not in logged
    assert "<EMAIL_ADDRESS>" in logged
    assert "<CREDIT_CARD>" in logged

"""Issue 15: the latency path of Presidio's routes. Detection runs on the event loop while it is
predicted cheap (no thread hand-off for a LiteLLM guardrail's message), and an answer's head
and body leave in one write."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.server.conftest import PLANTED
from tracemask import Masker
from tracemask.server import ConfigSource, create_app, load_config
from tracemask.server import _recent as recent
from tracemask.server._presidio import (
    INLINE_BUDGET_S,
    INLINE_CAP_CHARS,
    INLINE_MAX_CHARS,
    _inline,
)
from tracemask.server._run import CoalescingTransport
from tracemask.server._state import AppState

SHAPES_ONLY = {"sink": {"kind": "none"}, "reload_interval_s": 0, "limits": {"timeout_ms": 30_000}}
#: A pasted thread well over the always-inline size, with a value to find in every paragraph.
PARAGRAPH = (
    "Hello team, please refund order 88231 to the card below and write back to me at {email} "
    "or call {phone} after five. The card was {card}. Kind regards and thanks for the help.\n\n"
)
LONG = PARAGRAPH.format(email=PLANTED[0], phone=PLANTED[1], card=PLANTED[2]) * 30


@pytest.fixture
def state(tmp_path: Path) -> AppState:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"server": SHAPES_ONLY}))
    return AppState(load_config(ConfigSource(path=str(config), env={})))


def test_inline_decision_follows_the_learnt_cost(state: AppState) -> None:
    size = 6000
    assert _inline(state, INLINE_MAX_CHARS)  # small texts: always
    assert not _inline(state, size)  # nothing learnt yet: the threads
    state.cost.per_byte = INLINE_BUDGET_S / size / 2  # predicted at half the budget
    assert _inline(state, size)
    assert not _inline(state, INLINE_CAP_CHARS + 1)  # over the cap: never
    state.cost.per_byte = INLINE_BUDGET_S / size * 2  # a loaded box: over the budget
    assert not _inline(state, size)


def test_long_texts_find_the_same_on_the_loop_and_in_a_thread(tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"server": SHAPES_ONLY}))
    app = create_app(ConfigSource(path=str(config), env={}))
    state: AppState = app.app.state  # type: ignore[attr-defined]  # Observe -> Intake
    assert len(LONG) > INLINE_MAX_CHARS
    # Texts never seen before (a text seen again is answered from the recent findings).
    texts = [LONG + "x" * n for n in range(3)]
    with TestClient(app) as c:
        # Nothing learnt for the first two (the first is a warm-up): both threaded.
        threaded = [c.post("/analyze", json={"text": t}).json() for t in texts[:2]]
        assert state.cost.per_byte is not None  # learnt from them
        state.cost.per_byte = INLINE_BUDGET_S / len(LONG) / 4  # now predicted cheap
        learnt = state.cost.per_byte
        inline = c.post("/analyze", json={"text": texts[2]}).json()
        assert state.cost.per_byte != learnt  # the inline call was timed and learnt from
        anonymized = c.post("/anonymize", json={"text": LONG, "analyzer_results": inline})
    assert threaded[0] == threaded[1] == inline
    found = {LONG[x["start"] : x["end"]] for x in inline}
    assert set(PLANTED[:3]) <= found
    assert len(inline) >= 90  # every paragraph's three values
    masked = anonymized.json()["text"]
    assert not any(value in masked for value in PLANTED[:3])


class Recording(asyncio.Transport):
    """A transport that records what reaches it (the socket's writes)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closing = False
        self.aborted = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        assert not self.closing, "written after close"
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def abort(self) -> None:
        self.closing = self.aborted = True

    def get_extra_info(self, name: str, default: object = None) -> object:
        return ("127.0.0.1", 5002) if name == "sockname" else default


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.close()


def test_one_write_per_turn_of_the_loop(loop: asyncio.AbstractEventLoop) -> None:
    raw = Recording()
    out = CoalescingTransport(raw, loop)

    async def answer() -> None:
        out.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        out.write(bytearray(b"{}"))
        out.write(b"")  # h11's end of a sized body
        assert raw.writes == []  # nothing yet: the turn is not over
        await asyncio.sleep(0)
        assert raw.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
        out.write(b"next")  # a later turn: a write of its own
        await asyncio.sleep(0)

    loop.run_until_complete(answer())
    assert raw.writes[1:] == [b"next"]
    assert out.get_extra_info("sockname") == ("127.0.0.1", 5002)  # the rest is the transport's


def test_large_answers_reach_the_transport_at_once(loop: asyncio.AbstractEventLoop) -> None:
    """Past FLUSH_AT bytes pending, a write goes through in the same turn: the transport's own
    buffer (and its flow control, which pauses a streaming answer) sees it."""
    raw = Recording()
    out = CoalescingTransport(raw, loop)
    chunk = b"x" * (CoalescingTransport.FLUSH_AT // 2)
    out.write(b"head")
    out.write(chunk)
    assert raw.writes == []
    out.write(chunk)  # now over the threshold
    assert raw.writes == [b"head" + chunk + chunk]
    out.write(b"tail")
    loop.run_until_complete(asyncio.sleep(0))
    assert raw.writes[1:] == [b"tail"]


def test_close_sends_what_is_pending_and_abort_drops_it(loop: asyncio.AbstractEventLoop) -> None:
    raw = Recording()
    out = CoalescingTransport(raw, loop)
    out.write(b"head")
    out.write(b"body")
    out.close()
    assert raw.writes == [b"headbody"]
    assert raw.closing
    loop.run_until_complete(asyncio.sleep(0))  # the scheduled flush finds nothing left
    assert raw.writes == [b"headbody"]

    raw = Recording()
    out = CoalescingTransport(raw, loop)
    out.write(b"half an answer")
    out.abort()
    loop.run_until_complete(asyncio.sleep(0))
    assert raw.writes == []
    assert raw.aborted


def test_a_text_seen_again_is_answered_from_recent_findings(tmp_path: Path) -> None:
    """The guardrail sends the system prompt and the conversation so far on every call."""
    config = tmp_path / "c.json"
    config.write_text(json.dumps({"server": SHAPES_ONLY}))
    app = create_app(ConfigSource(path=str(config), env={}))
    state: AppState = app.app.state  # type: ignore[attr-defined]
    masker = state.runtime().masker
    text = f"Hi, I'm Jane ({PLANTED[0]}), call {PLANTED[1]}."
    with TestClient(app) as c:
        first = c.post("/analyze", json={"text": text}).json()
        assert recent.recent_for(masker).get(text) == tuple(masker.detect(text))
        again = c.post("/analyze", json={"text": text}).json()
        only = c.post("/analyze", json={"text": text, "entities": ["PHONE_NUMBER"]}).json()
        # A long text seen before is answered on the loop, whatever its predicted cost.
        c.post("/analyze", json={"text": LONG})
        state.cost.per_byte = 1.0  # a second per byte: a new long text would go to a thread
        assert not _inline(state, len(LONG))
        assert recent.seen(masker, LONG)
        assert c.post("/analyze", json={"text": LONG}).status_code == 200
    assert first == again
    assert [x["entity_type"] for x in only] == ["PHONE_NUMBER"]  # filters apply after the cache
    assert {text[x["start"] : x["end"]] for x in first} >= set(PLANTED[:2])


def test_recent_findings_are_per_policy_and_bounded() -> None:
    one, other = Masker(), Masker({"entities": {"EMAIL_ADDRESS": {"enabled": False}}})
    text = f"write to {PLANTED[0]}"
    assert [f.entity for f in recent.detect(one, text)] == ["EMAIL_ADDRESS"]
    assert recent.detect(other, text) == ()  # another policy: its own answer, not the cache's
    cache = recent.RecentFindings(max_chars=100)
    for i in range(10):
        cache.put(f"{i:02d}" + "." * 28, ())  # 30 characters each
    assert cache.chars <= 100
    assert len(cache) == 3
    assert cache.get("09" + "." * 28) == ()
    assert cache.get("00" + "." * 28) is None  # the oldest went first
    cache.put("x" * 101, ())  # over the bound: never kept
    assert cache.get("x" * 101) is None
    big = LONG * 20
    assert len(big) > recent.MAX_TEXT_CHARS
    recent.detect(one, big)
    assert not recent.seen(one, big)


def test_each_policy_is_warmed_up_before_it_serves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A new runtime detects a made-up text once per distinct policy (its first request would
    otherwise load data and compile patterns inside its deadline); a failure there is logged by
    type, and the server still starts."""
    config = tmp_path / "c.json"
    projects = [
        {"project_id": "a", "policy": {"threshold": 0.8}},
        {"project_id": "b", "policy": {"threshold": 0.9}},
    ]
    config.write_text(json.dumps({"server": {**SHAPES_ONLY, "projects": projects}}))
    seen: list[int] = []
    real = Masker.detect

    def counting(self: Masker, text: str) -> list[Any]:
        seen.append(id(self))
        return real(self, text)

    monkeypatch.setattr(Masker, "detect", counting)
    runtime = AppState(load_config(ConfigSource(path=str(config), env={}))).runtime()
    assert len(seen) == len(set(seen)) == 3  # the default policy and the two projects'

    def failing(self: Masker, text: str) -> list[Any]:
        raise RuntimeError(text)  # the message holds the text: it must not be logged

    monkeypatch.setattr(Masker, "detect", failing)
    logger = logging.getLogger("tracemask.server")  # the server may have stopped propagation
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level("WARNING", logger="tracemask.server"):
            state = AppState(load_config(ConfigSource(path=str(config), env={})))
    finally:
        logger.removeHandler(caplog.handler)
    assert state.runtime().generation == runtime.generation
    assert "warming up a policy failed: RuntimeError" in caplog.text
    assert "Jane" not in caplog.text

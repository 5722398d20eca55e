"""Stored streams: chunk lists are masked across chunk boundaries, chunk by chunk."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker, Report

#: The real payload samples, copied into the repository (tests/data/samples).
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
TEXT = "Thanks Jane! I've noted card 4111 1111 1111 1111 and will email jane.doe@example.com."


def _split(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def openai_chunks(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "id": "chatcmpl-1",
            "object": "chat.completion.chunk",
            "model": "gpt-4o-mini",
            "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}],
        }
        for p in pieces
    ]


def anthropic_events(pieces: list[str]) -> list[dict[str, Any]]:
    return [
        {"type": "message_start", "message": {"id": "msg_1", "model": "claude"}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text"}},
        *(
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
            for p in pieces
        ),
        {"type": "message_stop"},
    ]


def openai_text(chunks: list[dict[str, Any]]) -> list[str]:
    return [c["choices"][0]["delta"]["content"] for c in chunks]


def anthropic_text(events: list[dict[str, Any]]) -> list[str]:
    return [e["delta"]["text"] for e in events if e["type"] == "content_block_delta"]


SHAPES: list[tuple[Callable[[list[str]], Any], Callable[[Any], list[str]]]] = [
    (openai_chunks, openai_text),
    (anthropic_events, anthropic_text),
    (lambda ps: {"outputs": {"output": ps}}, lambda d: d["outputs"]["output"]),
    (
        lambda ps: [{"name": "new_token", "kwargs": {"token": p}} for p in ps],
        lambda evs: [e["kwargs"]["token"] for e in evs],
    ),
    (
        lambda ps: [
            {
                "name": "gen_ai.content.chunk",
                "attributes": [{"key": "text", "value": {"stringValue": p}}],
            }
            for p in ps
        ],
        lambda evs: [e["attributes"][0]["value"]["stringValue"] for e in evs],
    ),
]


@pytest.mark.parametrize(("build", "read"), SHAPES)
@pytest.mark.parametrize("size", [1, 3, 8])
def test_values_split_across_chunks_are_masked(
    masker: Masker, build: Callable[[list[str]], Any], read: Callable[[Any], list[str]], size: int
) -> None:
    pieces = _split(TEXT, size)
    doc = build(pieces)
    out = masker.mask(doc)
    masked = read(out)
    assert len(masked) == len(pieces)  # shape kept: one chunk out per chunk in
    assert "".join(masked) == masker.mask_text(TEXT)
    for chunk in masked:
        assert "@" not in chunk
        assert "4111" not in chunk
    assert read(doc) == pieces  # input untouched


def test_other_members_of_the_chunks_are_kept(masker: Masker) -> None:
    chunks = openai_chunks(_split(TEXT, 5))
    out = masker.mask(chunks)
    for before, after in zip(chunks, out, strict=True):
        assert {k: v for k, v in before.items() if k != "choices"} == {
            k: v for k, v in after.items() if k != "choices"
        }
        assert after["choices"][0]["index"] == 0


def test_tool_call_argument_streams(masker: Masker) -> None:
    args = json.dumps({"phone": "+44 20 7946 0958", "note": "call back"})
    chunks = [
        {
            "object": "chat.completion.chunk",
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 0, "function": {"arguments": p}}]},
                }
            ],
        }
        for p in _split(args, 4)
    ]
    out = masker.mask(chunks)
    joined = "".join(
        c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"] for c in out
    )
    assert "7946" not in joined
    assert json.loads(joined) == {"phone": "<PHONE_NUMBER>", "note": "call back"}


def test_two_choices_are_two_streams(masker: Masker) -> None:
    a = _split("mail jane.doe@example.com now", 4)
    b = _split("nothing to see here at all...", 4)
    chunks = [
        {
            "object": "chat.completion.chunk",
            "choices": [
                {"index": 0, "delta": {"content": x}},
                {"index": 1, "delta": {"content": y}},
            ],
        }
        for x, y in zip(a, b, strict=True)
    ]
    out = masker.mask(chunks)
    first = "".join(c["choices"][0]["delta"]["content"] for c in out)
    second = "".join(c["choices"][1]["delta"]["content"] for c in out)
    assert first == "mail <EMAIL_ADDRESS> now"
    assert second == "".join(b)


def test_deep_chunk_lists_are_joined_too(masker: Masker) -> None:
    doc: Any = {"chunks": openai_chunks(_split(TEXT, 4))}
    for _ in range(300):  # past the recursive walk's depth: the iterative walk takes over
        doc = {"x": doc}
    out = masker.mask(doc)
    for _ in range(300):
        out = out["x"]
    assert "".join(openai_text(out["chunks"])) == masker.mask_text(TEXT)


def test_report_counts_each_value_once(masker: Masker) -> None:
    report = Report()
    masker.mask(openai_chunks(_split(TEXT, 3)), report=report)
    assert report.by_entity.get("EMAIL_ADDRESS") == 1
    assert report.by_entity.get("CREDIT_CARD") == 1


def test_ordinary_lists_of_strings_are_not_joined(masker: Masker) -> None:
    doc = {"tags": ["jane.doe@", "example.com"], "stop": ["4111 1111", " 1111 1111"]}
    assert masker.mask(doc) == doc


def test_litellm_streaming_sample(masker: Masker) -> None:
    data = json.loads((SAMPLES / "litellm_streaming_hook.json").read_text())
    out = masker.mask(data)
    for case in ("sync_mock_response", "sync_openai_http", "async_openai_http"):
        chunks = [c for c in out[case]["app_chunks"] if c.get("choices")]
        for c in chunks:
            content = c["choices"][0]["delta"].get("content") or ""
            assert "@" not in content
            assert not any(ch.isdigit() for ch in content), content


# -- properties ----------------------------------------------------------------------------

_FILLER = st.text(alphabet="abcdefgh ,.", max_size=40)
_LOCAL = st.text(alphabet="xyz", min_size=1, max_size=10)
_MASKER = Masker()
_DISTINCT = set("xyz@qwjk")


@st.composite
def _stream(draw: st.DrawFn) -> tuple[str, list[str]]:
    text = f"{draw(_FILLER)} {draw(_LOCAL)}@qwjk.com {draw(_FILLER)}"
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(text) - 1)), max_size=12)))
    bounds = [0, *cuts, len(text)]
    return text, [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


@given(_stream(), st.sampled_from(range(len(SHAPES))))
def test_any_split_equals_masking_the_whole(stream: tuple[str, list[str]], shape: int) -> None:
    text, pieces = stream
    build, read = SHAPES[shape]
    masked = read(_MASKER.mask(build(pieces)))
    assert len(masked) == len(pieces)
    assert "".join(masked) == _MASKER.mask_text(text)
    for chunk in masked:
        assert not (set(chunk) & _DISTINCT), "a chunk carries part of the email"

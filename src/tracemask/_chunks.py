"""Stored streams: a list of chunks is one text per choice, masked across chunk boundaries.

Traces store streamed completions as lists of chunks: OpenAI ``chat.completion.chunk`` objects
(``choices[i].delta.content``, ``delta.tool_calls[j].function.arguments``), Anthropic SSE events
(``content_block_delta`` with ``text`` / ``partial_json`` / ``thinking``), LiteLLM streaming logs
(the same OpenAI chunks), LangSmith ``new_token`` events and streamed outputs (a list of
strings), and span events per chunk. A value split across chunks ("J" + "ane@exa" + "mple.com")
is in no chunk whole, so masking chunk by chunk leaks it.

:func:`stage` recognises such a list, joins each stream's pieces, has them masked as one text,
and writes the masked text back piece by piece: a value's replacement goes into the chunk where
the value starts, the rest of the value is removed from the chunks that follow. So the masked
pieces, concatenated, equal the masked whole, no chunk carries any part of a value, and every
chunk keeps its place, keys and types.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from tracemask._finding import Finding

#: Field names under which a list of plain strings is a stored stream (LangSmith stores a
#: streamed run's ``outputs.output`` as its chunks).
CHUNK_LIST_FIELDS = frozenset(
    {"output", "outputs", "chunks", "tokens", "deltas", "pieces", "stream", "streamed",
     "app_chunks", "stream_chunks", "completion_chunks", "new_tokens"}
)  # fmt: skip
#: Span event names (any containing one of these) whose string attributes are stream pieces.
_EVENT_WORDS = ("chunk", "token", "delta", "stream")
#: Anthropic delta members that carry text.
_ANTHROPIC_TEXT = ("text", "partial_json", "thinking")

_Path = tuple[Any, ...]
#: One piece of a stream: the item's index in the list, the path to the string inside it.
_Piece = tuple[int, _Path, str]


class Premasked:
    """A stream piece already masked with its stream: the walker writes ``text`` as it is.

    Deliberately no dataclass: the walker would walk a dataclass as a container.
    """

    __slots__ = ("entities", "original", "text")

    def __init__(self, text: str, original: str, entities: tuple[str, ...]) -> None:
        self.text = text
        self.original = original
        self.entities = entities

    def __repr__(self) -> str:  # never the text: it may be part of a value
        return f"<Premasked entities={self.entities}>"


#: Masks joined stream text: returns the findings to replace and their replacements.
Masker = Callable[[str], tuple[list[Finding], list[str]]]


def stage(items: list[Any], field: str | None, mask: Masker) -> list[Any] | None:
    """Return a copy of ``items`` with each stream piece replaced by a :class:`Premasked`, or
    ``None`` when ``items`` is no chunk list or nothing in its streams needs masking."""
    streams = _streams(items, field)
    if not streams:
        return None
    replaced: dict[tuple[int, _Path], Premasked] = {}
    for pieces in streams.values():
        texts = [text for _, _, text in pieces]
        whole = "".join(texts)
        findings, replacements = mask(whole)
        if not findings:
            continue
        for (index, path, original), (new, entities) in zip(
            pieces, _distribute(texts, findings, replacements), strict=True
        ):
            replaced[(index, path)] = Premasked(new, original, entities)
    if not replaced:
        return None
    out = list(items)
    for (index, path), piece in replaced.items():
        out[index] = _put(out[index], path, piece) if path else piece
    return out


def _distribute(
    texts: Sequence[str], findings: Sequence[Finding], replacements: Sequence[str]
) -> list[tuple[str, tuple[str, ...]]]:
    """Split the masked whole back into pieces: each replacement in the piece where its value
    starts, the value's later characters dropped from the pieces that follow."""
    out: list[tuple[str, tuple[str, ...]]] = []
    start = 0
    k = 0  # first finding that may touch the current piece
    for text in texts:
        end = start + len(text)
        parts: list[str] = []
        entities: list[str] = []
        pos = start
        while k < len(findings) and findings[k].start < end:
            f = findings[k]
            if f.start >= pos:
                parts.append(text[pos - start : f.start - start])
                parts.append(replacements[k])
                entities.append(f.entity)
            pos = max(pos, min(f.end, end))
            if f.end > end:
                break  # the value goes on in the next piece
            k += 1
        if pos < end:
            parts.append(text[pos - start :])
        out.append(("".join(parts), tuple(entities)))
        start = end
    return out


def _put(node: Any, path: _Path, value: Any) -> Any:
    """A copy of ``node`` with ``value`` at ``path`` (containers copied along the path only)."""
    key, rest = path[0], path[1:]
    copy: Any = dict(node) if type(node) is dict else list(node)
    copy[key] = _put(node[key], rest, value) if rest else value
    return copy


def _streams(items: list[Any], field: str | None) -> dict[Hashable, list[_Piece]]:
    """The stream pieces of ``items``, by stream (choice, tool call, content block)."""
    first = items[0]
    if type(first) is str:
        if field is None or field not in CHUNK_LIST_FIELDS:
            return {}
        if not all(type(x) is str for x in items):
            return {}
        return {"": [(i, (), x) for i, x in enumerate(items)]}
    if type(first) is not dict:
        return {}
    if not any(
        type(x) is dict and _chunk_like(x) for x in (first, items[len(items) // 2], items[-1])
    ):
        return {}  # the cheap gate: most lists of dicts are messages, spans, attributes
    streams: dict[Hashable, list[_Piece]] = {}
    for i, item in enumerate(items):
        if type(item) is dict:
            for key, path, text in _item_pieces(item):
                streams.setdefault(key, []).append((i, path, text))
    return streams


_SSE_TYPES = frozenset(
    {"message_start", "content_block_start", "content_block_delta", "content_block_stop",
     "message_delta", "message_stop", "ping", "response.output_text.delta"}
)  # fmt: skip


def _chunk_like(item: dict[str, Any]) -> bool:
    """Whether ``item`` looks like one chunk of a stored stream (checked on a few items)."""
    if item.get("object") == "chat.completion.chunk":
        return True
    choices = item.get("choices")
    if type(choices) is list and choices and type(choices[0]) is dict:
        return "delta" in choices[0]
    if item.get("type") in _SSE_TYPES or item.get("event") in _SSE_TYPES:
        return True
    data = item.get("data")
    if type(data) is dict:
        return _chunk_like(data)
    name = item.get("name")
    return type(name) is str and (
        name == "new_token" or any(word in name.lower() for word in _EVENT_WORDS)
    )


def _item_pieces(item: dict[str, Any]) -> list[tuple[Hashable, _Path, str]]:
    """The stream pieces in one chunk: ``(stream key, path, text)``."""
    data = item.get("data")
    if type(data) is dict and ("choices" in data or "delta" in data):
        # An SSE event stored as {"event": ..., "data": {...}}.
        return [(key, ("data", *path), text) for key, path, text in _item_pieces(data)]
    choices = item.get("choices")
    if type(choices) is list:
        return _openai_pieces(choices)
    delta = item.get("delta")
    if type(delta) is dict and item.get("type") == "content_block_delta":
        block = item.get("index", 0)
        return [
            (("block", block, name), ("delta", name), delta[name])
            for name in _ANTHROPIC_TEXT
            if type(delta.get(name)) is str
        ]
    name = item.get("name")
    if type(name) is str:
        if name == "new_token":
            kwargs = item.get("kwargs")
            if type(kwargs) is dict and type(kwargs.get("token")) is str:
                return [(("token",), ("kwargs", "token"), kwargs["token"])]
            return []
        if any(word in name.lower() for word in _EVENT_WORDS):
            return _event_pieces(name, item.get("attributes"))
    return []


def _openai_pieces(choices: list[Any]) -> list[tuple[Hashable, _Path, str]]:
    out: list[tuple[Hashable, _Path, str]] = []
    for ci, choice in enumerate(choices):
        if type(choice) is not dict:
            continue
        index = choice.get("index", ci)
        delta = choice.get("delta")
        if type(delta) is not dict:
            if type(choice.get("text")) is str:  # legacy completions stream
                out.append((("text", index), ("choices", ci, "text"), choice["text"]))
            continue
        out.extend(
            ((name, index), ("choices", ci, "delta", name), delta[name])
            for name in ("content", "reasoning_content", "refusal")
            if type(delta.get(name)) is str
        )
        calls = delta.get("tool_calls")
        if type(calls) is list:
            for ti, call in enumerate(calls):
                fn = call.get("function") if type(call) is dict else None
                if type(fn) is dict and type(fn.get("arguments")) is str:
                    key = ("tool", index, call.get("index", ti))
                    path = ("choices", ci, "delta", "tool_calls", ti, "function", "arguments")
                    out.append((key, path, fn["arguments"]))
    return out


def _event_pieces(name: str, attributes: Any) -> list[tuple[Hashable, _Path, str]]:
    """String attributes of a span event per chunk (OTLP JSON list or a plain dict)."""
    out: list[tuple[Hashable, _Path, str]] = []
    if type(attributes) is dict:
        for key, value in attributes.items():
            if type(value) is str:
                out.append(((name, key), ("attributes", key), value))
    elif type(attributes) is list:
        for ai, attr in enumerate(attributes):
            if type(attr) is not dict or type(attr.get("value")) is not dict:
                continue
            text = attr["value"].get("stringValue")
            if type(text) is str:
                path = ("attributes", ai, "value", "stringValue")
                out.append(((name, attr.get("key")), path, text))
    return out

"""Streamed text: one StreamMasker per call and choice, chunks put back in order first."""

from __future__ import annotations

import heapq
import itertools
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel

from tracemask._masker import Masker
from tracemask._stream import StreamMasker

#: pending text is then never emitted, the final success event still carries all of it).
_STREAMS_MAX: Final = 1024
#: Chunks held to restore their order. LiteLLM logs each chunk of a sync stream from a thread
#: pool, so chunks reach callbacks out of order; like LiteLLM's own assembly, they are put back
#: in ``_hidden_params["created_at"]`` order.
_REORDER_DEPTH: Final = 32
_STREAM_EVENTS: Final = frozenset({"log_stream_event", "async_log_stream_event"})
_SUCCESS_EVENTS: Final = frozenset({"log_success_event", "async_log_success_event"})


def _delta_texts(chunk: object) -> dict[int, str] | None:
    """``{choice index: delta text}`` of a chat completion chunk; ``None`` for anything else."""
    choices = getattr(chunk, "choices", None)
    if not isinstance(choices, list) or not choices:
        return None
    texts: dict[int, str] = {}
    for i, choice in enumerate(choices):
        delta = getattr(choice, "delta", None)
        if delta is None:
            return None
        content = getattr(delta, "content", None)
        if content is not None and not isinstance(content, str):
            return None
        index = getattr(choice, "index", i)
        texts[index if isinstance(index, int) else i] = content or ""
    return texts


def _final_texts(response: object) -> dict[int, str]:
    """``{choice index: message text}`` of an assembled streaming response."""
    texts: dict[int, str] = {}
    for i, choice in enumerate(getattr(response, "choices", None) or ()):
        content = getattr(getattr(choice, "message", None), "content", None)
        index = getattr(choice, "index", i)
        if isinstance(content, str):
            texts[index if isinstance(index, int) else i] = content
    return texts


def _created_at(chunk: object) -> float | None:
    hidden = getattr(chunk, "_hidden_params", None)
    value = hidden.get("created_at") if isinstance(hidden, Mapping) else None
    return float(value) if isinstance(value, (int, float)) else None


def _with_texts(chunk: Any, texts: Mapping[int, str]) -> Any:
    """A copy of the (masked) ``chunk`` whose choices carry ``texts`` as ``delta.content``.

    Choices of the chunk that ``texts`` does not name carry no text; a choice that only
    ``texts`` names is added (text released from an earlier chunk of that choice).
    """
    choices = getattr(chunk, "choices", None)
    if not isinstance(choices, list) or not choices or not isinstance(chunk, BaseModel):
        return chunk
    template = choices[0]
    new: list[Any] = []
    seen: set[int] = set()
    for i, choice in enumerate(choices):
        index = getattr(choice, "index", i)
        seen.add(index)
        text = texts.get(index, "")
        new.append(_choice_with(choice, text, keep_none=True))
    for index, text in sorted(texts.items()):
        if index not in seen and text:
            choice = _choice_with(template, text, keep_none=False)
            new.append(choice.model_copy(update={"index": index, "finish_reason": None}))
    return chunk.model_copy(update={"choices": new})


def _choice_with(choice: Any, text: str, *, keep_none: bool) -> Any:
    delta = choice.delta
    content = None if keep_none and delta.content is None and not text else text
    # model_copy: the masked copy may share sub-objects with the app's chunk; never edit them.
    return choice.model_copy(update={"delta": delta.model_copy(update={"content": content})})


class _ChoiceText:
    """One choice's streamed text: its StreamMasker and what was fed to it (for the tail)."""

    def __init__(self, masker: Masker) -> None:
        self.stream = StreamMasker(masker)
        self.fed: list[str] = []
        self.fed_len = 0

    def feed(self, text: str) -> str:
        self.fed.append(text)
        self.fed_len += len(text)
        return self.stream.feed(text)

    def finish(self, final: str | None, buffered: list[str]) -> str:
        """The rest of the text: from the assembled ``final`` text when what was fed is its
        prefix (chunks LiteLLM never logged are in it), else from the ``buffered`` chunks."""
        fed = "".join(self.fed)
        rest = [final[len(fed) :]] if final is not None and final.startswith(fed) else buffered
        out = "".join(self.stream.feed(t) for t in rest)
        return out + self.stream.close()


class _CallStream:
    """The streamed text of one call, as one family of events (sync or async) delivers it."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker
        self.lock = threading.Lock()
        self.choices: dict[int, _ChoiceText] = {}
        self._buffer: list[tuple[float, int, dict[int, str]]] = []
        self._order = itertools.count()
        self._released = float("-inf")
        self._newest = float("-inf")
        #: A chunk arrived after later ones were emitted: the streamed text can no longer be
        #: put in order, so nothing more of it is emitted (the success event carries it all).
        self.broken = False
        self.last: tuple[Any, Any] | None = None  # the last chunk passed on: (kwargs, chunk)

    def push(self, created_at: float | None, texts: dict[int, str]) -> dict[int, str]:
        """Add one chunk's texts; return the masked text now safe to emit, per choice."""
        ts = self._newest if created_at is None else created_at
        self._newest = max(self._newest, ts)
        if self.broken or ts < self._released:
            self.broken = True
            return {}
        heapq.heappush(self._buffer, (ts, next(self._order), texts))
        out: dict[int, str] = {}
        while len(self._buffer) > _REORDER_DEPTH:
            ts, _, released = heapq.heappop(self._buffer)
            self._released = ts
            for index, text in released.items():
                choice = self.choices.get(index)
                if choice is None:
                    choice = self.choices[index] = _ChoiceText(self.masker)
                emitted = choice.feed(text)
                if emitted:
                    out[index] = out.get(index, "") + emitted
        return out

    def finish(self, final: Mapping[int, str]) -> dict[int, str]:
        """The masked rest of every choice's text, once the call succeeded."""
        if self.broken:
            return {}
        buffered: dict[int, list[str]] = {}
        for _, _, texts in sorted(self._buffer):
            for index, text in texts.items():
                buffered.setdefault(index, []).append(text)
        out: dict[int, str] = {}
        for index in sorted(set(self.choices) | set(buffered) | set(final)):
            choice = self.choices.get(index) or _ChoiceText(self.masker)
            tail = choice.finish(final.get(index), buffered.get(index, []))
            if tail:
                out[index] = tail
        return out


class _StreamRegistry:
    """The wrapper's ``_CallStream`` per (call id, event family); bounded and thread-safe."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker
        self._lock = threading.Lock()
        self._calls: OrderedDict[tuple[str, str], _CallStream] = OrderedDict()
        #: Recently finished calls: a chunk logged after its call's final event carries no text.
        self._done: OrderedDict[tuple[str, str], None] = OrderedDict()

    def get(self, key: tuple[str, str]) -> _CallStream | None:
        """The call's stream state (made on first use); ``None`` once the call has finished."""
        with self._lock:
            if key in self._done:
                return None
            state = self._calls.get(key)
            if state is None:
                state = self._calls[key] = _CallStream(self.masker)
                if len(self._calls) > _STREAMS_MAX:
                    self._calls.popitem(last=False)
            return state

    def finish(self, key: tuple[str, str]) -> _CallStream | None:
        """Remove and return the call's state; later chunks of the call carry no text."""
        with self._lock:
            self._done[key] = None
            if len(self._done) > _STREAMS_MAX:
                self._done.popitem(last=False)
            return self._calls.pop(key, None)

    def __len__(self) -> int:
        return len(self._calls)


def _stream_key(event: str, kwargs: Any) -> tuple[str, str] | None:
    call_id = kwargs.get("litellm_call_id") if isinstance(kwargs, Mapping) else None
    if not isinstance(call_id, str) or not call_id:
        return None
    return call_id, "async" if event.startswith("async_") else "sync"

"""Findings of texts analyzed recently, per policy, for Presidio's ``/analyze``.

LiteLLM's Presidio guardrail sends every message of a call to ``/analyze``: the same system prompt
on every call, and the whole conversation so far on every turn. Detection under one compiled
policy is a function of the text, so a text seen again is answered from here. Bounded in
characters (least recently used first out) and per text; held in memory only, like the
:class:`~tracemask.Masker`'s own text cache. A reload compiles new maskers, and so starts new
caches: a result never outlives the policy that produced it.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

from tracemask._finding import Finding
from tracemask._masker import Masker

#: Characters of text held at most per policy (about 8 MB of keys).
MAX_CHARS = 4_000_000
#: Longer texts are not kept (a pasted document up to this size repeats across turns too).
MAX_TEXT_CHARS = 65_536


class RecentFindings:
    """A least-recently-used map of text to its findings, bounded in characters. Thread-safe:
    threaded and inline requests share it."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self._items: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, text: str) -> tuple[Finding, ...] | None:
        with self._lock:
            found = self._items.get(text)
            if found is not None:
                self._items.move_to_end(text)
            return found

    def put(self, text: str, findings: tuple[Finding, ...]) -> None:
        if len(text) > min(MAX_TEXT_CHARS, self.max_chars):
            return
        with self._lock:
            if text in self._items:
                return
            self._items[text] = findings
            self.chars += len(text)
            while self.chars > self.max_chars:
                old, _ = self._items.popitem(last=False)
                self.chars -= len(old)


_CACHES: weakref.WeakKeyDictionary[Masker, RecentFindings] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def recent_for(masker: Masker) -> RecentFindings:
    """The cache of ``masker`` (made on first use; it goes when the masker does)."""
    cache = _CACHES.get(masker)
    if cache is None:
        with _CACHES_LOCK:
            cache = _CACHES.setdefault(masker, RecentFindings())
    return cache


def detect(masker: Masker, text: str) -> tuple[Finding, ...]:
    """``masker.detect(text)``, answered from the recent texts when seen before."""
    cache = recent_for(masker)
    found = cache.get(text)
    if found is None:
        found = tuple(masker.detect(text))
        cache.put(text, found)
    return found


def seen(masker: Masker, text: str) -> bool:
    """Whether ``text``'s findings under ``masker`` are at hand (no detection to run)."""
    return recent_for(masker).get(text) is not None

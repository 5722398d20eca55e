"""Exact gates in front of slow regex searches: context words on ASCII text, gated patterns.

A detector's context regex (``PatternDetector._context``: ``(?<![A-Za-z])(?:word|…)(?![a-z])``,
case-insensitive) cannot skip ahead in ``re``: a lookbehind comes first and case-insensitive
letters give ``re`` no first-character set, so every position of a window runs the whole
alternation (about 11 us a window for the phone detector's hundred words, paid by every
finding's ``rescore``). :class:`GatedWords` answers the same ``search``: on an ASCII window it
first looks for any of the words in the lower-cased window with a case-sensitive alternation
(``re`` then jumps between the words' first letters); no word there, no match; otherwise the
original regex searches from the first word found. Other windows go to the original regex.

Why that is the original's answer: in ASCII text, a case-insensitive match of an ASCII word is
an exact match in the lower-cased text (``re``'s extra case pairs, U+017F/``s``, U+212A/``k``,
U+0131/``i``, all pair ASCII with non-ASCII characters), so every match of the original starts
where the gate finds a word, at or after the gate's first one; a word with a non-ASCII letter
cannot match ASCII text unless some ASCII character matches that letter, which
:func:`gate_words` checks (then no gate). The match returned is the original regex's own.

:func:`from_gate` does the same for a detector pattern whose every match holds, a fixed number
of characters after its start, what a plain regex (a character class or literal first, so
``re`` jumps ahead in C) matches: the pattern is searched from where the gate first matches.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import cast

#: Characters of ASCII windows (positions in a window are those of its lower-cased copy).
_ASCII = tuple(chr(code) for code in range(128))
#: The gate of a word list an ASCII character could match in a non-ASCII letter: none.
_NO_GATE = re.compile("")


class GatedWords:
    """The ``search`` of a context-word regex, gated on ASCII windows (see module doc).

    The gate is worked out on the first ASCII window (as ``LazyPattern`` compiles on first
    use): building a detector costs nothing more.
    """

    __slots__ = ("_gate", "_ready", "_regex", "_words")

    def __init__(self, regex: re.Pattern[str], words: tuple[str, ...]) -> None:
        self._regex = regex
        self._words = words
        self._gate: re.Pattern[str] | None = None  # None: no word can match ASCII text
        self._ready = False

    @property
    def pattern(self) -> str:
        return self._regex.pattern

    def search(self, window: str, pos: int = 0) -> re.Match[str] | None:
        if not window.isascii():
            return self._regex.search(window, pos)
        if not self._ready:
            self._gate = _gate(self._regex, self._words)
            self._ready = True
        gate = self._gate
        if gate is None:
            return None
        if gate is _NO_GATE:
            return self._regex.search(window, pos)
        first = gate.search(window.lower(), pos)
        if first is None:
            return None
        return self._regex.search(window, first.start())


def gate_words(regex: re.Pattern[str] | None, words: Iterable[str]) -> re.Pattern[str] | None:
    """``regex`` (built by ``_pattern._word_regex`` from ``words``) with an ASCII gate.

    Returned typed as the regex: ``PatternDetector`` calls only ``search`` on it. ``None``
    stays ``None``. One per process for each regex and word list (``compile_regex`` shares
    the regex between detectors), so a ``Masker`` built after the first pays a lookup.
    """
    if regex is None:
        return None
    return cast("re.Pattern[str]", _gated(regex, tuple(words)))


@functools.lru_cache(maxsize=256)
def _gated(regex: re.Pattern[str], words: tuple[str, ...]) -> GatedWords:
    return GatedWords(regex, words)


def _gate(regex: re.Pattern[str], words: tuple[str, ...]) -> re.Pattern[str] | None:
    """The case-sensitive alternation of the ASCII words, lower-cased; ``None`` when there
    are none; :data:`_NO_GATE` when an ASCII character matches a non-ASCII letter of a word
    under the regex's flags (then the regex answers alone)."""
    ascii_words = []
    for word in words:
        if word.isascii():
            ascii_words.append(word.lower())
            continue
        for char in {c for c in word if not c.isascii()}:
            letter = re.compile(re.escape(char), regex.flags)
            if any(letter.fullmatch(a) for a in _ASCII):
                return _NO_GATE
    if not ascii_words:
        return None
    ordered = sorted(set(ascii_words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered))


class GatedSearch:
    """A pattern's ``search``, started where its gate first matches (``back`` characters before).

    Every match at ``q`` has a gate match at ``q + back``; the gate's first match at or after
    ``pos + back`` is at ``p <= q + back``, so the pattern searched from ``p - back`` finds the
    same first match as from ``pos`` (its lookbehinds still see the text before).
    """

    __slots__ = ("_back", "_gate", "_regex")

    def __init__(self, regex: re.Pattern[str], gate: re.Pattern[str], back: int) -> None:
        self._regex = regex
        self._gate = gate
        self._back = back

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self._regex.groupindex)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        hit = self._gate.search(text, pos + self._back)
        if hit is None:
            return None
        return self._regex.search(text, max(pos, hit.start() - self._back))


@functools.lru_cache(maxsize=256)
def from_gate(regex: re.Pattern[str], gate: re.Pattern[str], back: int = 0) -> re.Pattern[str]:
    """``regex`` searched from ``gate``'s first match (see :class:`GatedSearch`); typed as the
    regex: ``PatternDetector.detect`` reads only ``search`` and ``groupindex``. One per process
    for each regex and gate, shared by every detector built (as ``compile_regex`` shares the
    regexes)."""
    return cast("re.Pattern[str]", GatedSearch(regex, gate, back))

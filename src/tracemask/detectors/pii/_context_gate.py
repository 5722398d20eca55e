"""Context-word search with a cheap exact gate for ASCII text.

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
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

#: Positions in a window are also those of its lower-cased copy (ASCII only).
_ASCII = tuple(chr(code) for code in range(128))


class GatedWords:
    """The ``search`` of a context-word regex, gated on ASCII windows (see module doc)."""

    __slots__ = ("_gate", "_regex")

    def __init__(self, regex: re.Pattern[str], gate: re.Pattern[str] | None) -> None:
        self._regex = regex
        self._gate = gate  # None: no word can match ASCII text

    @property
    def pattern(self) -> str:
        return self._regex.pattern

    def search(self, window: str, pos: int = 0) -> re.Match[str] | None:
        if not window.isascii():
            return self._regex.search(window, pos)
        if self._gate is None:
            return None
        first = self._gate.search(window.lower(), pos)
        if first is None:
            return None
        return self._regex.search(window, first.start())


def gate_words(regex: re.Pattern[str] | None, words: Iterable[str]) -> re.Pattern[str] | None:
    """``regex`` (built by ``_pattern._word_regex`` from ``words``) with an ASCII gate.

    Returned typed as the regex: ``PatternDetector`` calls only ``search`` on it. ``None``
    stays ``None``; a word with a non-ASCII character that an ASCII character matches under
    the regex's flags keeps the regex as it is.
    """
    if regex is None:
        return None
    ascii_words = []
    for word in words:
        if word.isascii():
            ascii_words.append(word.lower())
            continue
        for char in {c for c in word if not c.isascii()}:
            letter = re.compile(re.escape(char), regex.flags)
            if any(letter.fullmatch(a) for a in _ASCII):
                return regex  # pragma: no cover - no such word in the built-in lists
    gate = None
    if ascii_words:
        ordered = sorted(set(ascii_words), key=len, reverse=True)
        gate = re.compile("|".join(re.escape(w) for w in ordered))
    return cast("re.Pattern[str]", GatedWords(regex, gate))

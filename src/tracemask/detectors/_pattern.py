"""``PatternDetector``: a detector declared as data plus one optional ``validate`` hook.

A subclass sets ``entity``, ``patterns``, a cheap ``trigger`` for the one-pass prefilter, optional
``context`` words, and a base ``score``. ``validate`` sees each regex candidate and returns a score
(or ``None`` to reject it): checksums, ranges and false-positive filters live there, so that the
regexes can stay narrow and readable.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol, cast

from tracemask._finding import Finding
from tracemask._tokens import TOKEN
from tracemask.detectors._lazyre import LazyPattern
from tracemask.detectors.pii._context_gate import gate_words

#: Characters inspected on each side of a candidate when looking for context words.
CONTEXT_WINDOW = 48
#: How far around a candidate masked tokens are looked for when they are in its window.
_TOKEN_REACH = 1024
#: How far an address can reach into a context window (the window and a 320-character address).
_ADDRESS_REACH = CONTEXT_WINDOW + 320
#: How much a context word adds to (or a negative one removes from) a candidate's score.
CONTEXT_BOOST = 0.35


@dataclass(frozen=True)
class DetectorSettings:
    """What a policy tells built-in detectors beyond on/off (see :meth:`PatternDetector.create`)."""

    phone_regions: tuple[str, ...] = ("US",)


class ScanCompanion(Protocol):
    """Expressions a detector wants matched in the prefilter's own Hyperscan scan.

    The name and address detectors' gates (``pii._gates.Gates``) are one: instead of scanning
    each string a second time, their expressions are compiled into the prefilter's database
    (ids after the triggers') and the hits of that one scan are handed to :meth:`prime`
    before any detector runs (``detectors._prefilter``). The ``re`` prefilter ignores
    companions: they scan on their own.
    """

    def shared_expressions(self) -> Sequence[tuple[bytes, int, int]] | None:
        """``(expression, Hyperscan flags, id)``, ids from 0 (several expressions may share
        one), or ``None`` when they cannot be shared (the companion then scans on its own)."""
        ...

    def prime(self, text: str, hits: Sequence[tuple[int, int]]) -> None:
        """Take ``(id, end offset)`` of every match of the shared expressions in ``text``
        (ids as in :meth:`shared_expressions`; none when nothing matched)."""
        ...


class PatternDetector:
    """Base class for regex detectors.

    Class attributes:
        name: the detector's name in findings (defaults to the class name).
        entity: canonical entity reported, e.g. ``"CREDIT_CARD"``.
        patterns: Python regexes; a named group ``value`` marks the span, otherwise the whole match.
        trigger: a regex in the subset shared by Python ``re`` (ASCII) and Hyperscan, matched once
            per string by the prefilter; only strings it matches run ``patterns``. It must match
            wherever a finding can (a pattern match ``validate`` accepts): a necessary
            condition, never a sufficient one.
        ignore_case: compile ``trigger`` and ``patterns`` case-insensitively.
        context: words that raise the score of a nearby candidate by ``CONTEXT_BOOST``.
        negative_context: words that lower it by the same amount.
        score: base score of a candidate that ``validate`` accepts.
        trim_separators: when a candidate fails ``validate``, shorter candidates cut at these
            characters are tried (a phone number followed by a date, a card followed by a count).
        anchors: per pattern, ``(literal, reach)`` or ``None``: every match of the pattern
            holds ``literal`` (matched case-sensitively) starting at most ``reach`` characters
            after the match's start. The search then skips to ``reach`` before the next
            ``literal`` (``str.find``, in C) instead of trying every position: the same matches,
            in a fraction of the time for patterns that would otherwise start at any word
            character (an email's local part before its ``@``).

    Instance attributes:
        shared_scan: expressions (gates) this detector wants matched in the engine's prefilter
            scan and handed to it, instead of scanning each string again itself (see
            :class:`ScanCompanion`); ``None``: none.
    """

    name: ClassVar[str] = ""
    entity: ClassVar[str] = ""
    patterns: ClassVar[tuple[str, ...]] = ()
    trigger: ClassVar[str] = ""
    ignore_case: ClassVar[bool] = False
    context: ClassVar[tuple[str, ...]] = ()
    negative_context: ClassVar[tuple[str, ...]] = ()
    score: ClassVar[float] = 0.85
    trim_separators: ClassVar[str] = ""
    anchors: ClassVar[tuple[tuple[str, int] | None, ...]] = ()
    shared_scan: ScanCompanion | None = None

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if not cls.__dict__.get("name"):
            cls.name = cls.__name__

    def __init__(self) -> None:
        flags = re.IGNORECASE if self.ignore_case else 0
        self._compiled = tuple(compile_regex(p, flags) for p in self.patterns)
        if len(self.anchors) not in (0, len(self.patterns)):
            raise ValueError(f"{type(self).__name__}: one anchor (or None) per pattern")
        self._anchors = self.anchors or (None,) * len(self.patterns)
        # Every finding's rescore reads the context words: gated on ASCII windows (same answer).
        self._context = gate_words(_word_regex(self.context), self.context)
        self._negative = gate_words(_word_regex(self.negative_context), self.negative_context)

    @classmethod
    def create(cls, settings: DetectorSettings) -> PatternDetector:
        """The detector configured by a policy's ``settings``; override to read them."""
        del settings
        return cls()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} entity={self.entity}>"

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        """Score one candidate ``value`` found at ``text[start:end]``; ``None`` rejects it."""
        del value, text, start, end
        return self.score

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield the validated, context-scored findings of this detector in ``text``."""
        for compiled, anchor in zip(self._compiled, self._anchors, strict=True):
            value_group = "value" if "value" in compiled.groupindex else 0
            pos = 0
            while True:
                if anchor is not None:
                    # A match starting at or after ``pos`` holds the literal at or after
                    # ``pos``, hence at or after the next one: it starts no earlier than
                    # ``reach`` before it (lookbehinds still see the text before ``pos``).
                    at = text.find(anchor[0], pos)
                    if at < 0:
                        break
                    pos = max(pos, at - anchor[1])
                match = compiled.search(text, pos)
                if match is None:
                    break
                start, end = match.span(value_group)
                if start < 0 or start == end:
                    pos = match.end() if match.end() > pos else pos + 1
                    continue
                score = self.validate(text[start:end], text, start, end)
                if score is None and self.trim_separators:
                    end, score = self._trim(text, start, end)
                if score is None:
                    # A greedy candidate can swallow its neighbours ("+1 415 555 0132 2024"):
                    # detectors that trim search again from the next character (their
                    # candidates are short, so this stays linear); others resume after it.
                    pos = start + 1 if self.trim_separators else max(match.end(), pos + 1)
                    continue
                score = self.rescore(score, text, start, end)
                yield Finding(start, end, self.entity, min(max(score, 0.0), 1.0), self.name)
                pos = end

    def _trim(self, text: str, start: int, end: int) -> tuple[int, float | None]:
        """Try the candidate cut at each separator, longest first; return the first that fits."""
        cut = end
        while True:
            if self._trim_stops(text, start):
                return end, None
            cut = max(text.rfind(sep, start, cut) for sep in self.trim_separators)
            if cut <= start:
                return end, None
            while cut > start and text[cut - 1] in self.trim_separators:
                cut -= 1
            score = self.validate(text[start:cut], text, start, cut)
            if score is not None:
                return cut, score

    def _trim_stops(self, text: str, start: int) -> bool:
        """Whether no shorter cut of the candidate at ``start`` can pass (``validate`` may
        know it: a subclass's hook); ``False`` here."""
        del text, start
        return False

    def rescore(self, score: float, text: str, start: int, end: int) -> float:
        """Adjust ``score`` by the context words around ``text[start:end]``."""
        if self._context is None and self._negative is None:
            return score
        window = context_window(text, start, end)
        if self._context is not None and self._context.search(window):
            score += CONTEXT_BOOST
        if self._negative is not None and self._negative.search(window):
            score -= CONTEXT_BOOST
        return score


def context_window(text: str, start: int, end: int) -> str:
    """The text around ``text[start:end]`` in which context words count (value excluded).

    Masked tokens are not context: ``<PHONE_NUMBER>`` must not vouch for the number next to
    it, and a long token must not push real context words out of the window; otherwise masking
    twice would find more than masking once.
    """
    before = text[max(0, start - CONTEXT_WINDOW) : start]
    after = text[end : end + CONTEXT_WINDOW // 3]
    # A token counts as one short word, wherever it starts; so does an address, which a token
    # replaces once masked ("(206) 555-0197 jane.doe@example.com call" and "(206) 555-0197
    # <EMAIL_ADDRESS> call" must see the same words). Addresses are short (at most 254
    # characters): a shorter reach gives the same window; each side is compacted only when it
    # holds one or the other.
    if "<" in text[max(0, start - _TOKEN_REACH) : end + _TOKEN_REACH]:
        reach = _TOKEN_REACH
    else:
        reach = _ADDRESS_REACH
    head = text[max(0, start - reach) : start]
    if "<" in head or "@" in head:
        before = _COMPACT.sub("<>", head)[-CONTEXT_WINDOW:]
    tail = text[end : end + reach]
    if "<" in tail or "@" in tail:
        after = _COMPACT.sub("<>", tail)[: CONTEXT_WINDOW // 3]
    return f"{before} {after}"


#: What counts as one short word in a context window: a token, or an address (``local@host``).
_COMPACT = re.compile(rf"{TOKEN.pattern}|[^\s<>@]+@[^\s<>@]+")


def _word_regex(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """A regex that finds any of ``words`` (case-insensitive, not inside a longer word).

    It opens with a lookahead for the words' first characters: ``re`` tries an alternation
    branch by branch at every position (a phone number's 91 context words, 91 tries per
    character of the window), and the lookahead turns most positions down with one class test
    (2-3x faster on the cold run's windows). A match starts with one of those characters, so
    the lookahead never turns a match down (``tests/detectors/test_context_words.py``).
    """
    if not words or not all(words):
        return None if not words else _plain_word_regex(words)
    firsts = "".join(sorted({re.escape(w[0]) for w in words}))
    return compile_regex(f"(?=[{firsts}])" + _word_pattern(words), re.IGNORECASE)


def _plain_word_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """:func:`_word_regex` without the lookahead (an empty word matches anywhere)."""
    return compile_regex(_word_pattern(words), re.IGNORECASE)


def _word_pattern(words: tuple[str, ...]) -> str:
    alternation = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
    return rf"(?<![A-Za-z])(?:{alternation})(?![a-z])"


@functools.lru_cache(maxsize=4096)
def compile_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile``, cached once per process for detectors built with every ``Masker``.

    ``re``'s own cache holds 512 patterns and libphonenumber alone cycles through more, so a
    fresh ``Masker`` used to recompile every detector regex (about 1 s of CPU); compiled
    patterns are immutable and safe to share between Maskers and threads. Each is compiled on
    its first use (:class:`LazyPattern`): most never run on a given input, and compiling all of
    them was a quarter of the CLI's start-up.
    """
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))

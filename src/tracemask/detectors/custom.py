"""Detectors built from policy data: user regexes (RE2) and deny lists."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

import re2

from tracemask._finding import Finding
from tracemask.detectors import validators
from tracemask.detectors._pattern import CONTEXT_BOOST, CONTEXT_WINDOW

_VALIDATORS: dict[str, Callable[[str], bool]] = {
    "luhn": lambda v: validators.luhn(validators.digits_only(v)),
    "iban": validators.iban,
    "us_ssn": lambda v: validators.us_ssn(validators.digits_only(v)),
    "ip_address": validators.ip_address,
    "base58check": validators.base58check,
    "bech32": validators.bech32,
}


class RegexRecognizer:
    """A user-supplied pattern compiled with RE2, so matching is linear in the text length.

    It has no prefilter trigger (user patterns are not Hyperscan-checked): it runs on every
    string long enough to hold a finding, and RE2 keeps that cost linear.
    """

    trigger = ""

    def __init__(
        self,
        name: str,
        entity: str,
        pattern: str,
        *,
        score: float = 0.8,
        context: Sequence[str] = (),
        ignore_case: bool = False,
        validator: str | None = None,
    ) -> None:
        self.name = name
        self.entity = entity
        options = re2.Options()
        options.case_sensitive = not ignore_case
        self._regex = re2.compile(pattern, options)
        self._group: int = self._regex.groupindex.get("value", 0)
        self._score = score
        self._validator = _VALIDATORS[validator] if validator else None
        words = "|".join(re.escape(w) for w in context)
        self._context = re.compile(rf"\b(?:{words})\b", re.IGNORECASE) if words else None

    def __repr__(self) -> str:
        return f"<RegexRecognizer name={self.name!r} entity={self.entity}>"

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield findings of the pattern (its ``value`` group when it has one)."""
        for match in self._regex.finditer(text):
            start, end = match.span(self._group)
            if start < 0 or start == end:
                continue
            if self._validator is not None and not self._validator(text[start:end]):
                continue
            score = self._score
            if self._context is not None and self._context.search(
                text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW // 3]
            ):
                score = min(1.0, score + CONTEXT_BOOST)
            yield Finding(start, end, self.entity, score, self.name)


class DenyListDetector:
    """Always reports the listed terms (whole words, case-insensitive) as ``entity``."""

    def __init__(self, entity: str, terms: Sequence[str]) -> None:
        self.entity = entity
        self.name = f"DenyList[{entity}]"
        escaped = "|".join(sorted((re.escape(t) for t in terms if t), key=len, reverse=True))
        self.trigger = escaped if all(t.isascii() for t in terms) else ""
        self.ignore_case = True
        self._regex = re.compile(rf"(?<!\w)(?:{escaped})(?!\w)", re.IGNORECASE)

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield every occurrence of a listed term."""
        for match in self._regex.finditer(text):
            yield Finding(match.start(), match.end(), self.entity, 1.0, self.name)

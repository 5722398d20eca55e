"""Email addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tracemask._finding import Finding
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.data import WORD, shared_lexicon


class EmailDetector(PatternDetector):
    """RFC 5322-ish addresses with a dotted domain and an alphabetic TLD (IDN letters allowed)."""

    entity = "EMAIL_ADDRESS"
    trigger = "@"
    patterns = (
        r"(?<![\w.%+-])(?P<value>[\w](?:[\w.%+'-]{0,63}[\w])?"
        r"@(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,24})(?![\w-])",
    )
    #: The "@" comes at most 65 characters (1 + 63 + 1) after the match's start.
    anchors = (("@", 65),)
    score = 0.9

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        local = value.partition("@")[0]
        if ".." in local:
            return None
        # ``git@github.com:org/repo`` is an SSH remote, not a person's address.
        if local == "git" and text[end : end + 1] == ":":
            return None
        return self.score


#: Top-level domains an address spelled out in words ends with ("… dot com"): only these, so
#: that "meet at the cafe dot then" is no address.
_SPELLED_TLDS = frozenset((
    "com", "org", "net", "edu", "gov", "mil", "int", "io", "co", "ai", "app", "dev", "info",
    "biz", "me", "us", "uk", "de", "fr", "es", "it", "nl", "be", "ch", "at", "se", "no", "dk",
    "fi", "pl", "pt", "ie", "ca", "au", "nz", "in", "jp", "cn", "br", "mx", "ru", "za",
))  # fmt: skip


class SpelledEmailDetector(PatternDetector):
    """Addresses written to dodge scrapers: ``jane [at] example [dot] com``,
    ``jane(at)example.com``, ``jane at example dot com``, ``jane @ example dot com``.

    With a bracketed ``at`` any dotted domain is taken. With a bare ``at`` or a spaced ``@``
    the domain must end with a common top-level domain, hold a letter in each label and write
    its dots as ``dot`` or unspaced, and the local part must not be a plain dictionary word
    ("look at this dot com", "visit us at example.com" are prose; clinical notes write times as
    "NEG @ 0600. ON").
    """

    entity = "EMAIL_ADDRESS"
    ignore_case = True
    trigger = (
        r"[\[({<]\s*(?:at|@)\s*[\])}>]|\s(?:at|@)\s+[a-z0-9][a-z0-9-]*\s*"
        r"(?:[\[({<]\s*dot\s*[\])}>]|\sdot\s|\.[a-z])"
    )
    # Spaces and tabs only: an address is on one line.
    _AT = r"(?:[ \t]*[\[({<][ \t]*(?:at|@)[ \t]*[\])}>][ \t]*|[ \t]+(?:at|@)[ \t]+)"
    _DOT = r"(?:[ \t]*[\[({<][ \t]*dot[ \t]*[\])}>][ \t]*|[ \t]+dot[ \t]+|[ \t]*\.[ \t]*)"
    patterns = (
        rf"(?<![\w.%+-])(?P<value>(?P<local>[a-z0-9](?:[a-z0-9._%+-]{{0,62}}[a-z0-9])?)"
        rf"(?P<at>{_AT})(?P<domain>[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?"
        rf"(?:{_DOT}[a-z0-9](?:[a-z0-9-]{{0,61}}[a-z0-9])?){{1,3}}))(?![\w-])",
    )
    score = 0.85

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield the spelled addresses in ``text``, found from their ``at`` outwards.

        The pattern, searched, would try a local part at every word; the ``at`` forms are
        rare, so each is found first and the local part read back from it (at most 64
        characters, as the pattern allows)."""
        pattern = self._compiled[0]
        for at in _AT_FORM.finditer(text):
            local_end = at.start()
            while local_end > 0 and text[local_end - 1] in " \t":
                local_end -= 1
            start = local_end
            while start > 0 and local_end - start < 64 and text[start - 1] in _LOCAL_CHARS:
                start -= 1
            m = pattern.match(text, start)
            while m is None and start < local_end - 1:
                start += 1  # the local part must start with a letter or digit
                m = pattern.match(text, start)
            if m is None or not m.start("at") <= at.start() < m.end("at"):
                continue
            begin, end = m.span("value")
            score = self.validate(text[begin:end], text, begin, end)
            if score is not None:
                yield Finding(begin, end, self.entity, score, self.name)

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        m = self._compiled[0].fullmatch(value)
        if m is None:
            return None
        at = m.group("at").strip().lower()
        labels = _DOT_SPLIT.split(m.group("domain").lower())
        if len(labels) < 2:
            return None
        if at in ("at", "@"):
            # A bare "at" or a spaced "@": prose or a clinical note ("NEG @ 0600. ON", "HCT at
            # 1800. No") unless the rest reads as an address: each label with a letter, a
            # common top-level domain, dots spelled out or unspaced, a local part that is no
            # plain dictionary word.
            local = m.group("local")
            domain = m.group("domain")
            if (
                labels[-1] not in _SPELLED_TLDS
                or not all(any(c.isalpha() for c in label) for label in labels)
                or _SPACED_DOT.search(domain) is not None
                or not any(c.isalpha() for c in local)
                or (local.isalpha() and shared_lexicon().flags(local) & WORD)
            ):
                return None
        if not labels[-1].isalpha() or not 2 <= len(labels[-1]) <= 24:
            return None
        return self.score


#: Where a spelled address's ``at`` can be: what ``_AT`` matches, found alone.
_AT_FORM = re.compile(
    r"[\[({<][ \t]*(?:at|@)[ \t]*[\])}>]|(?<=[ \t])(?:at|@)(?=[ \t])", re.IGNORECASE
)
_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_SPACED_DOT = re.compile(r"[ \t]\.|\.[ \t]")
#: The dots of a matched domain, to split it into labels (the pattern's own dot forms).
_DOT_SPLIT = re.compile(SpelledEmailDetector._DOT, re.IGNORECASE)

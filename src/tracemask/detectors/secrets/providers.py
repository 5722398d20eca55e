"""Provider credentials from the format table (:mod:`._formats`): one detector, one row each.

The engine's one-pass prefilter sees a single trigger, the alternation of every row's trigger.
When it fires, a second prefilter over the same rows (Hyperscan, or ``re`` as a fallback: both
return the same rows) says which rows can match, and only those rows' regexes run. A string that
holds a ``ghp_`` token runs one regex, not a hundred and fifty.

Validators raise or lower confidence; for a distinctive prefix they never veto. A GitHub token
whose CRC32 checksum verifies scores 0.95, one whose checksum fails (a typo, a truncation, a
made-up example) 0.85: still masked. Documentation dummies of a distinctive format
(``AKIAIOSFODNN7EXAMPLE``) are masked too, at a lower score: masking them costs nothing.
"""

from __future__ import annotations

import functools
import math
import re
import sys
from collections.abc import Iterator
from typing import ClassVar

from tracemask._finding import Finding
from tracemask.detectors._pattern import (
    CONTEXT_BOOST,
    CONTEXT_WINDOW,
    PatternDetector,
    compile_regex,
)
from tracemask.detectors._prefilter import Prefilter, alternatives, build_prefilter
from tracemask.detectors.secrets._checks import (
    char_classes,
    has_valid_crc32_suffix,
    is_name_like,
    is_path_like,
    is_placeholder,
    is_wordy,
    looks_dummy,
    shannon_entropy,
)
from tracemask.detectors.secrets._formats import FORMATS, Format
from tracemask.detectors.secrets._provider_names import PROVIDER_NAMES

#: Markers that raise a row's score to 0.95 when the token holds them.
_MARKERS = {
    "T3BlbkFJ": re.compile("T3BlbkFJ"),  # OpenAI keys: base64 of "OpenAI"
    "AA": re.compile("AA$"),  # Anthropic keys end with AA
    "base32": re.compile("^.{4}[A-Z2-7]{16}$"),  # AWS key ids: 16 base32 characters
}


_LOWER_HEX = frozenset("0123456789abcdef")
_UPPER_HEX = frozenset("0123456789ABCDEF")


def _alphabet_bits(value: str) -> float:
    """log2 of the size of the smallest usual alphabet holding ``value`` (hex, base36, base62…)."""
    if _LOWER_HEX.issuperset(value) or _UPPER_HEX.issuperset(value):
        return 4.0
    classes = char_classes(value)
    if classes <= 2 and value.isalnum():  # not empty: "" is hex above
        return math.log2(36)
    return math.log2(62)


def random_enough(value: str) -> bool:
    """Whether ``value`` has the entropy expected of random data of its length and alphabet.

    The floor, 0.65 x log2(min(length, alphabet)), sits below the 0.1 % quantile of truly random
    strings for every length and alphabet the rows use, and above hand-typed dummies.
    """
    if len(value) < 12:
        return True
    floor = 0.65 * min(math.log2(len(value)), _alphabet_bits(value))
    return shannon_entropy(value) >= floor


#: The literal start of a row's regex (``ghp_``, ``sk-ant-``, ``hvs\.``): the token's prefix.
_LITERAL_PREFIX = re.compile(r"(?:[A-Za-z0-9_-]|\\\.)+(?![{?*+])")


def _escaped_edge(text: str, start: int) -> bool:
    """Whether the character before ``start`` ends a ``\\n``/``\\r``/``\\t`` escape sequence."""
    return start >= 2 and text[start - 2] == "\\" and text[start - 1] in "nrt"


class _Row:
    """One compiled format."""

    __slots__ = ("fmt", "group", "marker", "prefix", "regex", "words")

    def __init__(self, fmt: Format) -> None:
        self.fmt = fmt
        self.regex = compile_regex(f"(?a){first_char_lookahead(fmt.regex, fmt.trigger)}{fmt.regex}")
        self.words = opening_words(fmt.regex, fmt.trigger)
        # From the text, not ``groupindex``: that would compile every row's regex up front.
        self.group: str | int = "value" if "(?P<value>" in fmt.regex else 0
        self.marker = _MARKERS.get(fmt.marker) if fmt.marker else None
        literal = _LITERAL_PREFIX.match(fmt.regex)
        self.prefix = len(literal.group(0).replace("\\", "")) if literal else 0


@functools.cache
def first_char_lookahead(regex: str, trigger: str) -> str:
    """``(?=[…])`` with the characters a match of ``regex`` can start with, when ``regex``
    opens with its case-insensitive trigger group (``(?i:cohere|mistral|together)…``), else "".

    ``re`` finds no literal prefix in a case-insensitive group and tries its branches at every
    position; the lookahead turns most positions down with one class test. Exact: the group is
    the whole of the regex's start (not optional, no top-level ``|``), and its first
    characters, both cases, come from :func:`_first_literal` (the rows are ASCII-only).
    """
    if not (regex.startswith("(?i:") and regex.startswith(trigger)):
        return ""
    end = _group_end(regex, 0)
    if regex[: end + 1] != trigger or regex[end + 1 : end + 2] in ("?", "*", "{"):
        return ""
    if len(alternatives(regex)) != 1:
        return ""
    firsts = sorted({first for first, _ in _first_literal(trigger)})
    return f"(?=[{''.join(firsts)}])"


_WORD_TRIGGER = re.compile(r"\(\?i:([A-Za-z0-9_]+(?:\|[A-Za-z0-9_]+)*)\)")


@functools.cache
def opening_words(regex: str, trigger: str) -> tuple[str, ...] | None:
    """The lower-cased words of a row whose regex opens with its trigger, a case-insensitive
    list of plain words (``(?i:cohere|co_api_key|mistral|together)``), else ``None``: every
    match of the row starts where one of them does."""
    found = _WORD_TRIGGER.fullmatch(trigger)
    if found is None or not first_char_lookahead(regex, trigger):
        return None
    return tuple(word.lower() for word in found.group(1).split("|"))


def row_matches(row: _Row, text: str, lowered: str | None) -> Iterator[re.Match[str]]:
    """``row.regex.finditer(text)``; for a row opening with plain words and an ASCII ``text``
    (``lowered`` is its lower case, the same length), the regex is only tried where a word
    starts instead of being searched for from every position: a match begins with one of the
    words, ``match`` at a position is ``search``'s attempt there, and after a match the next
    is looked for from its end, as ``finditer`` does (the rows match nothing empty)."""
    if row.words is None or lowered is None:
        yield from row.regex.finditer(text)
        return
    starts: set[int] = set()
    for word in row.words:
        at = lowered.find(word)
        while at >= 0:
            starts.add(at)
            at = lowered.find(word, at + 1)
    pos = 0
    for at in sorted(starts):
        if at < pos:
            continue
        match = row.regex.match(text, at)
        if match is not None:
            yield match
            pos = match.end()


def _context_near(words: tuple[str, ...], text: str, start: int, end: int) -> bool:
    window = text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW // 3].lower()
    return any(word in window for word in words)


def score_token(row: _Row, value: str, text: str, start: int, end: int) -> float | None:
    """Score one candidate of ``row``; ``None`` when it is no credential at all."""
    fmt = row.fmt
    if start > 0 and text[start - 1] in fmt.edge and not _escaped_edge(text, start):
        return None  # the tail of a longer word or blob
    if len(set(value[row.prefix :])) <= 2 or is_placeholder(value):
        return None  # "ghp_" + "x" * 36, "<your-key>": a stand-in, not a value
    if fmt.wordy_veto and is_wordy(value[row.prefix :]):
        return None  # prose the prefix happens to start ("EUROPEASIAAUSTRALIA…")
    score = fmt.score
    if fmt.checksum == "crc32":
        body = value[value.index("_") + 1 :]
        score = 0.95 if has_valid_crc32_suffix(body) else fmt.score - 0.05
    elif row.marker is not None and row.marker.search(value):
        score = 0.95
    dummy = looks_dummy(value, sequences=not fmt.structured) or (
        not fmt.structured and not random_enough(value)
    )
    if dummy:
        if not fmt.distinctive:
            return None  # the shape alone is common: it must look random to count
        score -= 0.1
    elif not fmt.distinctive and is_wordy(value) and not any(map(str.isdigit, value)):
        return None  # a name or a word in the shape of a token
    if fmt.context and _context_near(fmt.context, text, start, end):
        score += CONTEXT_BOOST
    return min(score, 1.0)


def _group_end(regex: str, open_at: int) -> int:
    """Index of the ``)`` closing the group opened at ``regex[open_at]``."""
    depth, i = 0, open_at
    while True:
        c = regex[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            i = regex.index("]", i + 1)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1


def _first_literal(trigger: str) -> list[tuple[str, str]]:
    """Rewrite ``trigger`` as ``(first character, rest)`` branches whose union it equals.

    ``(?i:asana)`` gives ``("a", "(?i:sana)")`` and ``("A", "(?i:sana)")``; ``(?:pat|sat)\\.x``
    gives ``("p", "at\\.x")`` and ``("s", "at\\.x")``. Raises ``ValueError`` for a trigger
    that starts with a character class: table triggers start with a literal.
    """
    out: list[tuple[str, str]] = []
    for alt in alternatives(trigger):
        if alt.startswith(("(?i:", "(?:")):
            end = _group_end(alt, 0)
            nocase = alt.startswith("(?i:")
            inner, rest = alt[4 if nocase else 3 : end], alt[end + 1 :]
            for sub in alternatives(inner):
                for first, tail in _first_literal(sub):
                    wrapped = f"(?i:{tail})" if nocase and tail else tail
                    firsts = {first.lower(), first.upper()} if nocase else {first}
                    out.extend((f, wrapped + rest) for f in sorted(firsts))
        elif alt.startswith("\\"):
            out.append((alt[:2], alt[2:]))
        elif alt and alt[0] not in "[(.^$*+?{":
            out.append((re.escape(alt[0]), alt[1:]))
        else:
            raise ValueError(f"trigger must start with a literal character: {trigger!r}")
    return out


def factored_trigger(triggers: list[str]) -> str:
    """One trigger equivalent to the alternation of ``triggers``, grouped by first character.

    Every branch starts with a literal, so Python ``re`` skips to candidate characters and tries
    only the branches of that character (Hyperscan does not care either way).
    """
    by_first: dict[str, list[str]] = {}
    for trigger in triggers:
        for first, rest in _first_literal(trigger):
            tails = by_first.setdefault(first, [])
            if rest not in tails:
                tails.append(rest)
    branches = []
    for first, tails in by_first.items():
        if "" in tails:
            branches.append(first)
        elif len(tails) == 1:
            branches.append(first + tails[0])
        else:
            branches.append(first + "(?:" + "|".join(tails) + ")")
    return "|".join(branches)


#: A run of literal characters at the start of a regex, each not made optional by a quantifier.
_LITERAL_RUN = re.compile(r"(?:(?:[^\\\[\](){}?*+|.^$]|\\[^A-Za-z0-9])(?![?*{+]))*")


def _unescape(literal: str) -> str:
    return re.sub(r"\\(.)", r"\1", literal)


def needles(trigger: str) -> frozenset[str]:
    """Lower-case literals one of which every match of ``trigger`` holds (``(?i:asana)`` gives
    ``asana``, ``sk-(?:proj|admin)-`` gives ``sk-``)."""
    out = set()
    for first, rest in _first_literal(trigger):
        tail = rest[4:] if rest.startswith("(?i:") else rest
        run = _LITERAL_RUN.match(tail)
        out.add(_unescape(first + (run.group(0) if run else "")).lower())
    return frozenset(out)


class NeedlePrefilter:
    """Pure-Python row prefilter: a row can match only where one of its needles occurs.

    A superset of the rows whose trigger matches, so the rows' regexes decide exactly as they do
    behind the Hyperscan prefilter: both give the same findings.
    """

    backend = "re"

    def __init__(self, triggers: list[str]) -> None:
        by_needle: dict[str, list[int]] = {}
        for i, trigger in enumerate(triggers):
            for needle in needles(trigger):
                by_needle.setdefault(needle, []).append(i)
        self._needles = tuple(by_needle.items())

    def hits(self, text: str) -> list[int]:
        lowered = text.lower()
        found = {i for needle, rows in self._needles if needle in lowered for i in rows}
        return sorted(found)


class ProviderToken(PatternDetector):
    """Provider API keys, tokens and webhook URLs listed in the format table (``FORMATS``).

    Each row reports ``API_KEY`` at its own score (0.6 to 0.95); see ``docs/detectors.md`` for the
    list of formats and their sources.
    """

    entity = "API_KEY"
    score = 0.9
    formats: ClassVar[tuple[Format, ...]] = FORMATS
    trigger = factored_trigger([fmt.trigger for fmt in FORMATS])

    def __init__(self) -> None:
        super().__init__()
        self._rows = tuple(_Row(fmt) for fmt in self.formats)
        self._filter: Prefilter | None = None

    def _row_filter(self) -> Prefilter:
        """Hyperscan when the process already uses it (the engine chose it), else needles: the
        detector never imports Hyperscan itself, so ``backend="re"`` stays Hyperscan-free."""
        if self._filter is None:
            triggers = [fmt.trigger for fmt in self.formats]
            if "hyperscan" in sys.modules:
                self._filter = build_prefilter([(t, False) for t in triggers], "hyperscan")
            else:
                self._filter = NeedlePrefilter(triggers)
        return self._filter

    def detect(self, text: str) -> Iterator[Finding]:
        """Run the rows whose trigger fires in ``text``; yield their scored findings."""
        lowered = text.lower() if text.isascii() else None
        for idx in self._row_filter().hits(text):
            row = self._rows[idx]
            for match in row_matches(row, text, lowered):
                start, end = match.span(row.group)
                if start < 0 or start == end:
                    continue
                score = score_token(row, text[start:end], text, start, end)
                if score is not None:
                    yield Finding(start, end, self.entity, score, self.name)


#: Key words that make a provider-named key an identifier, not a credential (``stripe_customer_id``,
#: ``langfuse_trace_id``, ``openai_organization``), unless a secret word is there too.
_ID_WORDS = frozenset(
    {
        "trace", "span", "request", "run", "session", "user", "username", "org", "organization",
        "project", "model", "version", "url", "uri", "host", "endpoint", "region", "name", "count",
        "type", "path", "file", "dir", "hash", "sha", "commit", "digest", "checksum", "etag",
        "cursor", "page", "event", "message", "thread", "conversation", "customer", "order",
        "invoice", "product", "price", "job", "build", "deployment", "channel", "issue", "team",
        "workspace", "public", "publishable", "email", "phone", "account", "sid", "domain",
        "environment", "env", "base", "status", "timeout", "limit", "enabled", "index", "list",
    }
)  # fmt: skip
_SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "pwd", "auth", "credential")
_KEY_PARTS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


class ProviderKeyedSecret(PatternDetector):
    """A random token under a key that names a known provider (``ACCUWEATHER_KEY = …``,
    ``"asana_client_id": "…"``, ``zendesk: …``), from the list in ``_provider_names``.

    The provider's name is the evidence that a random lowercase, hex, digit or UUID value is a
    credential rather than an id: score 0.75. Keys that name an identifier (``trace``,
    ``customer``, ``project``…) without a secret word (``key``, ``token``, ``secret``…) are not
    read as credentials.
    """

    entity = "API_KEY"
    score = 0.75
    ignore_case = True
    trigger = factored_trigger(list(PROVIDER_NAMES))
    patterns = (
        r"(?a)(?<![A-Za-z0-9_.-])(?P<key>[A-Za-z0-9_.-]{5,64})(?:\\?[\"'`])?\]?\s{0,4}"
        r"(?:=>|:=|=|:)\s{0,4}(?:\\?[\"'`]|[rbuRBU][\"'])?"
        r"(?P<value>[A-Za-z0-9_-]{12,200}|[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12})"
        r"(?![A-Za-z0-9_+/=.-])",
    )

    def __init__(self) -> None:
        super().__init__()
        self._names = frozenset(PROVIDER_NAMES)
        self._lengths = tuple(sorted({len(n) for n in PROVIDER_NAMES}))

    def _names_provider(self, parts: list[str]) -> bool:
        names = self._names
        for part in parts:
            for n in self._lengths:  # ascending: a longer cut is the part itself, tried already
                if n > len(part):
                    break
                if part[:n] in names:
                    return True
        return False

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield values whose key names a provider and that look generated."""
        for match in self._compiled[0].finditer(text):
            parts = [p.lower() for p in _KEY_PARTS.findall(match.group("key"))]
            if not self._names_provider(parts):
                continue
            secret_word = any(p.startswith(_SECRET_WORDS) for p in parts)
            if not secret_word and any(p in _ID_WORDS for p in parts):
                continue
            start, end = match.span("value")
            value = text[start:end]
            if _keyed_value_ok(value):
                yield Finding(start, end, self.entity, self.score, self.name)


def _keyed_value_ok(value: str) -> bool:
    """Whether a value under a provider-named key looks generated: not a word, a name, a slug,
    a placeholder or a dummy."""
    if is_placeholder(value) or looks_dummy(value) or not random_enough(value):
        return False
    has_digit = any(map(str.isdigit, value))
    if value.isdigit():
        return len(value) >= 10
    if not has_digit and (value.isalpha() or is_wordy(value)):
        return False  # a word or a slug: "production", "my-workspace"
    if is_name_like(value) or is_path_like(value):
        return False
    return len(set(value)) >= 6

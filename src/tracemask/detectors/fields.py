"""Field evidence: a value's field name says what it is.

Under a field named like a phone, card, IBAN, SSN, email, national id or birth date (see
``tracemask._fieldnames``), a value of roughly the right *shape* is masked even when its
checksum fails or its national format is unknown. Shape decides, so flags and counts under
telling names (``phone_verified: true``, ``card_count: 3``, ``ssn_last4_present: "yes"``) stay.

Two sources of field names use the same table:

- structure: the walker passes a string's key (JSON keys, OTLP attribute keys, tool-call
  argument names, headers) to :meth:`DetectionEngine.detect <tracemask.detectors._engine.
  DetectionEngine.detect>`, which asks :meth:`KeyValueDetector.field_findings`;
- text: :class:`KeyValueDetector` finds ``key: value``, ``key=value`` and ``key := value`` pairs
  in logs, prose and config lines (``Phone: 020 7946 0958``, ``iban=DE00 1234…``), with a
  prefilter trigger built from the table, so that strings naming no such field cost nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tracemask._finding import Finding
from tracemask.detectors.data import GIVEN, PLACE, STOP, SURNAME, WORD, shared_lexicon

#: Score of a value whose field name and shape agree (above every default threshold).
FIELD_SCORE = 0.9
#: Longest field value (characters) checked as a whole; longer strings are prose.
MAX_WHOLE_VALUE = 256
_MAX_CACHE = 4096

_STRIP = re.compile(r"[\s_\-.:/'\"`\[\]()]+")
#: Values that say "no value": never masked, whatever the field.
_PLACEHOLDERS = frozenset(
    {"", "n/a", "na", "none", "null", "nil", "unknown", "undefined", "redacted", "-", "--",
     "tbd", "true", "false", "yes", "no", "empty", "missing", "hidden", "masked", "xxx"}
)  # fmt: skip


#: What stands in for a secret under a secret key: a template reference, a placeholder in
#: angle or square brackets, a mask. Deliberately narrow: a weak real password ("changeme",
#: "password123") under a password key is still masked.
_STAND_IN = re.compile(
    r"\$\{[^{}]*\}|\$[A-Z_][A-Z0-9_]*|\{\{[^{}]*\}\}|%\([A-Za-z_]+\)s|<[^<>]*>"
    r"|\[[A-Za-z _-]+\]|([*xX\u2022.#-])\1{2,}"
)


def is_stand_in(value: str) -> bool:
    """Whether ``value`` only stands in for a secret: ``${VAR}``, ``$VAR``, ``{{ var }}``,
    ``%(name)s``, ``<your-key>``, ``[REDACTED]``, ``****``, ``xxxx``."""
    return _STAND_IN.fullmatch(value.strip()) is not None


def normalize_field(name: str) -> str:
    """``Billing-Phone`` → ``billingphone``; ``Straße`` → ``strasse``; ``Téléphone`` →
    ``telephone``: case-folded, accents and separators removed."""
    folded = name.casefold()
    if not folded.isascii():
        folded = "".join(
            c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c)
        )
    return _STRIP.sub("", folded)


# -- shapes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What a value of one entity roughly looks like.

    ``pattern`` is matched at the value's start (``re.match``) in text and against the whole
    stripped value under a structured field; ``check`` (optional) refines a match.
    """

    name: str
    pattern: re.Pattern[str]
    check: Callable[[str], bool] | None = None

    def fits(self, value: str) -> bool:
        """Whether ``value`` (already stripped) is wholly of this shape."""
        if self.pattern.fullmatch(value) is None:
            return False
        return self.check is None or self.check(value)

    def prefix(self, text: str, pos: int, end: int) -> int | None:
        """End of the longest value of this shape starting at ``text[pos]``, or ``None``."""
        m = self.pattern.match(text, pos, end)
        while m is not None:
            stop = m.end()
            if self.check is None or self.check(text[pos:stop]):
                return stop
            # Too greedy ("020 7946 0958 2024"): cut at the last separator and try again.
            cut = max(text.rfind(" ", pos, stop), text.rfind("\t", pos, stop))
            if cut <= pos:
                return None
            m = self.pattern.fullmatch(text, pos, cut)
        return None


def _digits(value: str) -> int:
    return sum(c.isdigit() for c in value)


_DATE_INSIDE = re.compile(r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}")
_EXTENSION = re.compile(r"(?i)\s*(?:x|ext\.?|extension|#)\s*\d{1,6}$")


def _phone_ok(value: str) -> bool:
    body = _EXTENSION.sub("", value)
    n = _digits(body)
    if not 6 <= n <= 15:
        return False
    # A date is never part of a phone, nor a decimal ("3.14159265").
    if _DATE_INSIDE.search(body) is not None:
        return False
    return not re.fullmatch(r"\d+\.\d+", body)


def _card_ok(value: str) -> bool:
    digits = re.sub(r"\D", "", value)
    return 12 <= len(digits) <= 19 and len(set(digits)) > 1


def _iban_ok(value: str) -> bool:
    compact = re.sub(r"\s", "", value)
    return 14 <= len(compact) <= 34 and _digits(compact) >= 8


def _id_ok(value: str) -> bool:
    return _digits(value) >= 3 and not _DATE_INSIDE.fullmatch(value)


def _date_ok(value: str) -> bool:
    numbers = re.findall(r"\d+", value)
    if len(numbers) == 1:  # 19800312, or a day and a written month and year
        return len(numbers[0]) == 8
    # Day and month up to 31, the year first or last (2 or 4 digits, 4 digits in 1880-2100).
    if any(len(n) == 4 and not 1880 <= int(n) <= 2100 for n in numbers):
        return False
    if any(len(n) not in (1, 2, 4) for n in numbers):
        return False
    return all(int(n) <= 31 for n in numbers[1:-1]) and min(int(numbers[0]), int(numbers[-1])) <= 31


def _text_ok(value: str) -> bool:
    return value.casefold() not in _PLACEHOLDERS and any(c.isalpha() for c in value)


_NAME_SEPARATORS = re.compile(r"[ \t_.]+")


def _name_flags(word: str) -> int:
    """Lexicon flags of one word of a name; a hyphenated word (``mary-jane``) is a name when
    each part is one, a dictionary word only when each part is one."""
    lexicon = shared_lexicon()
    if "-" not in word:
        return lexicon.flags(word)
    parts = [lexicon.flags(p) for p in word.split("-") if p]
    if not parts or not all(f & (GIVEN | SURNAME) for f in parts):
        return 0
    flags = 0
    for f in parts:
        flags |= f & (GIVEN | SURNAME | STOP)
    return flags | (WORD if all(f & WORD for f in parts) else 0)


def _listed_name_ok(value: str) -> bool:
    """Whether the name lexicons read ``value`` (2-4 words, any case, ``_`` or ``.`` between
    them) as a person's name: a given name first; a surname last (or a given name that is no
    place: not "Austin Texas"); initials or names between; no function word; not every word a
    dictionary word ("rose garden"); and no lower-case dictionary word after the first ("maria
    said": in text the words after a name are often a verb)."""
    words = [w for w in _NAME_SEPARATORS.split(value) if w]
    if not 2 <= len(words) <= 4:
        return False
    flags = [_name_flags(w) for w in words]
    if any(f & STOP for f in flags) or all(f & WORD for f in flags):
        return False
    last = flags[-1]
    if not flags[0] & GIVEN or not (last & SURNAME or (last & GIVEN and not last & PLACE)):
        return False
    for word, f in zip(words[1:], flags[1:], strict=True):
        if len(word.rstrip(".")) == 1:
            continue  # an initial
        if not f & (GIVEN | SURNAME) or (f & WORD and word[0].islower()):
            return False
    return True


def _person_ok(value: str) -> bool:
    """A value under a person's field: its first word, and each later word that is capitalised
    or, in lower case, a listed name that is no dictionary word ("maria garcia")."""
    if not _text_ok(value):
        return False
    words = value.split()
    for word in words[1:]:
        if word[0].islower() and (
            not _name_flags(word) & (GIVEN | SURNAME) or _name_flags(word) & (WORD | STOP)
        ):
            return False
    return True


def _account_ok(value: str) -> bool:
    digits = [c for c in value if c.isdigit()]
    return len(set(digits)) > 1  # 000000, 11111111: placeholders


def _location_ok(value: str) -> bool:
    if not _text_ok(value) or "@" in value or "://" in value:
        return False
    # A host, IP or socket address ("api.openai.com", "0.0.0.0:4317") is no street address.
    return " " in value or "," in value or value.replace("-", "").replace("'", "").isalpha()


_MONTHS = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|fevr|mars|avr|mai|juin|juil"
    r"|août|aout|sept|déc|ene|abr|ago|dic|gen|mag|giu|lug|set|ott|mär|okt|dez)[a-zéûä]*\.?"
)
_WORD = r"[^\W\d_][\w'\u2019.-]*"

SHAPES: dict[str, Shape] = {
    s.name: s
    for s in (
        Shape(
            "phone",
            re.compile(
                r"(?:\+|00)?[ \t]*(?:\(\+?\d{1,5}\)|\d)(?:[ \t().\-/]{0,2}\d){5,18}"
                r"(?:[ \t]*(?:x|ext\.?|extension|\#)[ \t]*\d{1,6})?(?![\w@])",
                re.IGNORECASE,
            ),
            _phone_ok,
        ),
        Shape("card", re.compile(r"\d(?:[ \t-]?\d){11,18}(?![\w@])"), _card_ok),
        Shape(
            "iban",
            re.compile(r"[A-Za-z]{2}\d{2}(?:[ \t]?[A-Za-z0-9]){10,32}(?![\w@])"),
            _iban_ok,
        ),
        # A bank account or routing number: 6-17 digits, grouped or not (a sort code is six).
        Shape("account", re.compile(r"\d(?:[ \t-]?\d){5,16}(?![\w@])"), _account_ok),
        Shape("ssn", re.compile(r"\d{3}[ \t.-]?\d{2}[ \t.-]?\d{4}(?![\w@])")),
        Shape("last4", re.compile(r"\d{4}(?![\w@])")),
        # A PIN, a one-time or verification code: 4-8 digits (a password key in text).
        Shape("pin", re.compile(r"\d{4,8}(?![\w@./:-])")),
        Shape("email", re.compile(r"[^\s@<>()\[\]\"',;:]{1,64}@[^\s@<>()\[\]\"',;:]{1,255}")),
        Shape(
            "id",
            re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9]|[ ./-](?=[A-Za-z0-9])){4,24}(?![\w@])"),
            _id_ok,
        ),
        Shape(
            "date",
            re.compile(
                r"(?:\d{1,4}[/.\- ]\d{1,2}[/.\- ]\d{2,4}|\d{8}"
                rf"|\d{{1,2}}(?:st|nd|rd|th)?\.?[ \t]+(?:of[ \t]+)?{_MONTHS},?[ \t]+\d{{4}}"
                rf"|{_MONTHS}[ \t]+\d{{1,2}}(?:st|nd|rd|th)?,?[ \t]+\d{{4}})(?![\w@])",
                re.IGNORECASE,
            ),
            _date_ok,
        ),
        # A name: up to four words, the ones after the first capitalised ("john Smith") or
        # listed names ("maria garcia"; see ``_person_ok``).
        Shape("person", re.compile(rf"{_WORD}(?:[ \t]+{_WORD}){{0,3}}"), _person_ok),
        # A name under a key that is as often something else (``name``, ``user``): two to
        # four words the name lexicons read as a name (see ``_listed_name_ok``).
        Shape(
            "listed_name",
            re.compile(
                r"[^\W\d_][^\W\d_'\u2019-]*(?:['\u2019-][^\W\d_]+)*\.?"
                r"(?:[ \t_.]+[^\W\d_][^\W\d_'\u2019-]*(?:['\u2019-][^\W\d_]+)*\.?){1,3}"
            ),
            _listed_name_ok,
        ),
        Shape("location", re.compile(r"[^\n\r;|&\"<>]{2,120}"), _location_ok),
    )
}

#: The shape each entity's values are checked against.
ENTITY_SHAPES = {
    "PHONE_NUMBER": "phone",
    "EMAIL_ADDRESS": "email",
    "CREDIT_CARD": "card",
    "IBAN_CODE": "iban",
    "US_SSN": "ssn",
    "BANK_ACCOUNT": "account",
    "NATIONAL_ID": "id",
    "DATE_OF_BIRTH": "date",
    "PERSON": "person",
    "LOCATION": "location",
}


@dataclass(frozen=True)
class Hint:
    """What a field name says: the entity its values are and the shape they must have."""

    entity: str
    shape: Shape
    #: What a value of another shape under the same name is (a bank account's name holds an
    #: IBAN in Europe, digits in the US).
    fallback: Hint | None = None

    def __str__(self) -> str:  # the text-cache key component: entity and shape, no value
        own = f"{self.entity}/{self.shape.name}"
        return own if self.fallback is None else f"{own}|{self.fallback}"

    def fitting(self, value: str) -> Hint | None:
        """This hint or its fallback, whichever shape ``value`` has, else ``None``."""
        if self.shape.fits(value):
            return self
        return self.fallback.fitting(value) if self.fallback is not None else None

    def prefix(self, text: str, start: int, end: int) -> tuple[Hint, int] | None:
        """The hint whose shape matches at ``text[start:]`` (within ``end``), and where it stops."""
        stop = self.shape.prefix(text, start, end)
        if stop is not None:
            return self, stop
        return self.fallback.prefix(text, start, end) if self.fallback is not None else None


# -- the table ---------------------------------------------------------------------------------


class FieldTable:
    """Field names → :class:`Hint`, matched in every naming style (see ``_fieldnames``).

    Args:
        entries: ``(entity, names)`` pairs, or ``(entity, names, shape)`` to check values
            against another shape than the entity's own (``ENTITY_SHAPES``); names use the
            ``*suffix`` / ``prefix*`` syntax. The most specific (longest) matching name wins;
            ties go to the earlier entry.
    """

    def __init__(
        self, entries: Iterable[tuple[str, Iterable[str]] | tuple[str, Iterable[str], str]]
    ) -> None:
        self.exact: dict[str, tuple[int, str]] = {}
        self.suffixes: dict[str, tuple[int, str]] = {}
        self.prefixes: dict[str, tuple[int, str]] = {}
        self.entities: list[str] = []
        #: The shape of each entry, by rank.
        self._shapes: list[str] = []
        #: The entries as given (names as lists), to build a table with more.
        self.entries: list[tuple[str, list[str], str]] = []
        for rank, (entity, given, *shape) in enumerate(entries):
            names = list(given)
            self.entries.append((entity, names, shape[0] if shape else ENTITY_SHAPES[entity]))
            if entity not in self.entities:
                self.entities.append(entity)
            self._shapes.append(shape[0] if shape else ENTITY_SHAPES[entity])
            for raw in names:
                self._add(raw, entity, rank)
        self._cache: dict[str, Hint | None] = {}
        #: Every ending of every name: a key word outside it cannot end a longer key.
        whole = (*self.exact, *self.suffixes)
        self.endings = frozenset(n[i:] for n in whole for i in range(len(n)))
        self.endings |= frozenset(n[: i + 1] for n in self.prefixes for i in range(len(n)))
        #: Names (exact and ``*suffix`` bodies) whose values hold digits, and their endings:
        #: the names a value may follow after a plain space ("MRN 00123456").
        self.digit_names = frozenset(
            n
            for table in (self.exact, self.suffixes)
            for n, (rank, _) in table.items()
            if self._shapes[rank] in _SPACED_SHAPES
        )
        self.digit_endings = frozenset(n[i:] for n in self.digit_names for i in range(len(n)))

    def _add(self, raw: str, entity: str, rank: int) -> None:
        body = normalize_field(raw.strip("*"))
        if not body:
            return
        table = self.exact
        if raw.startswith("*"):
            table = self.suffixes  # written out on purpose, so even "*ssn" (customer_ssn)
        elif raw.endswith("*") and len(body) > 3:
            table = self.prefixes
        old = table.get(body)
        if old is None or old[0] > rank:
            table[body] = (rank, entity)

    def __bool__(self) -> bool:
        return bool(self.entities)

    def names(self) -> list[tuple[str, str]]:
        """Every ``(normalised name, kind)`` in the table; kind is ``exact``, ``suffix``,
        ``prefix``."""
        return (
            [(n, "exact") for n in self.exact]
            + [(n, "suffix") for n in self.suffixes]
            + [(n, "prefix") for n in self.prefixes]
        )

    def hint(self, field: str) -> Hint | None:
        """The hint of field ``field`` (any naming style, dotted paths too), or ``None``."""
        try:
            return self._cache[field]
        except KeyError:
            pass
        name = field.rstrip(". ")
        last = name.rsplit(".", 1)[-1]
        if len(last) <= 1:  # "D.O.B", "Tel."
            last = name
        norm = normalize_field(last)
        found = self._lookup(norm)
        if found is None and last is not name:
            # A dotted path ("customer.billing.tel"): the whole path, normalised.
            norm = normalize_field(name)
            found = self._lookup(norm)
        hint = None
        if found is not None:
            rank, entity = found
            hint = Hint(entity, SHAPES[self._shapes[rank]])
            if entity == "US_SSN" and norm.endswith(("last4", "lastfour")):
                hint = Hint(entity, SHAPES["last4"])
            elif entity == "IBAN_CODE" and "BANK_ACCOUNT" in self.entities:
                hint = Hint(entity, hint.shape, Hint("BANK_ACCOUNT", SHAPES["account"]))
        if len(self._cache) >= _MAX_CACHE:
            self._cache.clear()
        self._cache[field] = hint
        return hint

    def _lookup(self, norm: str) -> tuple[int, str] | None:
        if not norm:
            return None
        stripped = norm.rstrip("0123456789")
        candidates = [norm] if stripped == norm else [norm, stripped]
        if len(stripped) > 4 and stripped.endswith("s"):
            candidates.append(stripped[:-1])  # "phones", "billing_emails"
        for candidate in candidates:
            hit = self.exact.get(candidate)
            if hit is not None:
                return hit
            # Longest suffix first (smallest cut), then longest prefix: O(len) dict lookups.
            for i in range(len(candidate) - 2):
                hit = self.suffixes.get(candidate[i:])
                if hit is not None:
                    return hit
            for i in range(len(candidate), 3, -1):
                hit = self.prefixes.get(candidate[:i])
                if hit is not None:
                    return hit
        return None

    def trigger(self) -> str:
        """A prefilter regex (``re`` and Hyperscan syntax, ASCII) matching wherever a
        ``name: value`` pair of this table can start its separator.

        The names' last four letters (any name ending: a suffix entry), or a prefix entry and
        the rest of its key, then the separator; written as a trie, so that Python ``re`` (the
        portable backend) branches on one character at a time. The kinds are top-level
        alternatives, each with its separator: the Hyperscan prefilter compiles them apart
        (the bounded run after a prefix made the whole 4x slower to scan). The third is a
        whole name of a digit-holding field, a space (or ``#``, ``no.``, ``is``) and digits.
        """
        tails = {name[-4:] for name, kind in self.names() if kind != "prefix"}
        prefixes = {name for name, kind in self.names() if kind == "prefix"}
        # ``key:``, ``key=``, ``<key>`` (an XML element) and a table header's cell (``key,``,
        # ``key |``, ``key<TAB>``, ``key;``).
        separator = r"[0-9_\-]{0,3}[.\s\"'\]`]{0,4}(?::|=|>|[,|\t;)])"
        parts = [_trie(tails)]
        if prefixes:
            parts.append(_trie(prefixes) + r"[^:=\n]{0,40}")
        alternatives = [f"(?:{p}){separator}" for p in parts if p]
        if self.digit_names:
            # ``MRN 00123456``, ``passport no. X1234567``: a value with digits after a space,
            # only after a whole name of a digit-holding field.
            spaced = _trie(self.digit_names)
            alternatives.append(f"(?:{spaced}){SPACED_SEPARATOR}{_SPACED_VALUE}")
        return "|".join(alternatives)


#: Between a name and its value without ``:`` or ``=``: spaces, ``#``, ``no.`` / ``number``.
SPACED_SEPARATOR = r"(?:[ \t]*#[ \t]*|[ \t]+(?:no|nr|num|number|is|was)\.?[ \t]*#?[ \t]*|[ \t]+)"
#: Where a value with two digits or more starts after a space or ``#`` (found first: cheap).
_SPACED_VALUE_AT = re.compile(r"[ \t#](?=[+(]?[A-Za-z]{0,3}-?[0-9][^\s]{0,4}[0-9])")
#: Words between a name and its number: "passport no. X1", "mrn number 001", "my card number
#: is 3527…" ("tin# 5": a mark too).
_NUMBER_MARKS = frozenset({"no", "nr", "num", "number", "is", "was"})
_VERBS = frozenset({"is", "was"})


def _skip_back(text: str, end: int, chars: str | None) -> int:
    """Where the run of ``chars`` (``None``: a word's letters, digits, ``_-.``) ending at
    ``end`` starts."""
    start = end
    if chars is None:
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-."):
            start -= 1
    else:
        while start > 0 and text[start - 1] in chars:
            start -= 1
    return start


#: The start of a value with digits: ``00123456``, ``X1234567``, ``ABC-1234``, ``+44 20``.
_SPACED_VALUE = r"[+(]?[A-Za-z]{0,3}-?[0-9][^\s]{0,4}[0-9]"
#: Shapes taken after a spaced name: those whose values hold digits. A word after a space is
#: too often just the next word ("address the issue", "name the file", "contact us").
_SPACED_SHAPES = frozenset(
    {"phone", "card", "iban", "account", "ssn", "last4", "id", "date", "pin"}
)


def _trie(words: Iterable[str]) -> str:
    """An alternation of ``words`` as a trie regex: separators allowed between letters, any
    non-ASCII letter (possibly an accented one written differently) as non-ASCII units."""
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for c in word:
            node = node.setdefault(c, {})
        node[""] = {}
    return _emit(root)


def _emit(node: dict[str, dict[str, Any]]) -> str:
    alts = []
    for c, sub in sorted(node.items()):
        if not c:
            continue
        piece = re.escape(c) if c.isascii() else r"[^\x00-\x7f]+"
        rest = _emit(sub)
        alts.append(piece + (r"[_\-. ]?" + rest if rest else ""))
    if not alts:
        return ""
    body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
    return f"(?:{body})?" if "" in node else body


def build_table(
    hints: Mapping[str, Iterable[str]],
    enabled: Callable[[str], bool],
    name_keys: Iterable[str] = (),
) -> FieldTable:
    """The table of a policy's ``field_hints`` (and ``name_keys``, lexicon-checked PERSON
    values) for the entities it enables."""
    entries: list[tuple[str, Iterable[str]] | tuple[str, Iterable[str], str]] = [
        (e, names) for e, names in hints.items() if enabled(e) and e in ENTITY_SHAPES
    ]
    name_keys = tuple(name_keys)
    if name_keys and enabled("PERSON"):
        entries.append(("PERSON", name_keys, "listed_name"))
    return FieldTable(entries)


_CARD_CODE_KEY = re.compile(r"^(?:cvv|cvc|csc)|securitycode|cardverification")


def field_detector(
    hints: Mapping[str, Iterable[str]],
    *,
    person_keys: Iterable[str] = (),
    location_keys: Iterable[str] = (),
    name_keys: Iterable[str] = (),
    password_keys: Iterable[str] = (),
    enabled: Callable[[str], bool] = lambda _: True,
) -> KeyValueDetector | None:
    """The field-evidence detector of a policy's ``field_hints`` and ``name_keys`` (structure
    and text), or ``None`` when no hinted entity is enabled.

    In text, the whole-value names (``surname: …``, ``street: …``) are shape-checked too: a
    ``key:`` in prose is weaker evidence than a JSON key, which masks them whole. So are the
    password names, for a PIN or code of 4-8 digits (``PIN: 4821``, ``passcode 4821``, ``otp=
    482193``): the password detectors want more than digits from a value in prose.
    """
    hints = dict(hints)
    name_keys = tuple(name_keys)
    structured = build_table(hints, enabled, name_keys)
    text_hints = {
        **hints,
        "PERSON": (*person_keys, *hints.get("PERSON", ())),
        "LOCATION": (*location_keys, *hints.get("LOCATION", ())),
    }
    text = build_table(text_hints, enabled, name_keys)
    # A card's security code keeps its own entity (CardSecurityCodeDetector: CREDIT_CARD).
    pin_keys = tuple(
        k for k in password_keys if not _CARD_CODE_KEY.search(normalize_field(k.strip("*")))
    )
    if pin_keys and enabled("PASSWORD"):
        text = FieldTable([*text.entries, ("PASSWORD", pin_keys, "pin")])
    if not structured and not text:
        return None
    return KeyValueDetector(structured, text)


# -- the detector ------------------------------------------------------------------------------

#: ``:``, ``=``, ``:=`` or ``=>`` (not ``://``, ``==``) after a ``key`` (see :func:`_pairs`).
#: The key is one word; words before it ("Date of birth:", "Phone number:") are looked at only
#: when it alone says nothing.
_PAIR_SEPARATOR = re.compile(r"(?::=|=>|:(?!//)|=(?!=))")
#: Longest key of a ``key: value`` pair.
_MAX_KEY = 61


def _pairs(text: str) -> Iterator[tuple[int, str, int, str]]:
    """``(key start, key, value start, quote)`` of each ``key: value`` pair in ``text``.

    The key is one word (letters, digits, ``_.-``; not starting with a digit, ``.`` or ``-``)
    then an optional closing quote or bracket, spaces, the separator, spaces and an optional
    opening quote. Found from the separators backwards: ``:`` and ``=`` are rare in text, the
    words before them are not."""
    for sep in _PAIR_SEPARATOR.finditer(text):
        i = _skip_back(text, sep.start(), " \t")
        if i > 0 and text[i - 1] in "\"']":
            i -= 1
        key_end = i
        i = _skip_back(text, key_end, None)
        if not 0 < key_end - i <= _MAX_KEY:
            continue
        first = text[i]
        if first.isdecimal() or not (first.isalnum() or first == "_"):
            continue
        pos = sep.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        quote = text[pos] if pos < len(text) and text[pos] in "\"'" else ""
        yield i, text[i:key_end], pos + len(quote), quote


_LINE_END = re.compile(r"[\n\r]")


class KeyValueDetector:
    """``key: value`` / ``key=value`` / ``key := value`` pairs in text whose key names a
    personal field: the value is masked when it has its entity's shape.

    Also answers for structured fields (:meth:`field_findings`), so that a JSON key, an OTLP
    attribute key or a header name gives the same evidence as a ``key:`` in text.
    """

    name = "FieldValue"
    entity = "PHONE_NUMBER"  # the main one; findings carry each field's own entity
    ignore_case = True

    def __init__(self, table: FieldTable, text_table: FieldTable | None = None) -> None:
        #: Hints for structured fields (the walker's keys).
        self.table = table
        #: Hints for ``key: value`` pairs in text (also whole-value keys such as ``surname``).
        self.text_table = text_table if text_table is not None else table
        self.trigger = self.text_table.trigger() if self.text_table else ""
        self._endings_memo: dict[str, bool] = {}
        #: Every entity this detector reports.
        self.entities = tuple(dict.fromkeys([*self.table.entities, *self.text_table.entities]))

    def __repr__(self) -> str:
        return f"<KeyValueDetector entities={','.join(self.table.entities)}>"

    # -- structured fields -------------------------------------------------------------------

    def field_evidence(self, field: str) -> str | None:
        """A short, value-free description of what ``field`` says (``"PHONE_NUMBER/phone"``),
        or ``None`` when the name says nothing: results cached per text may be shared between
        fields of equal evidence."""
        hint = self.table.hint(field)
        return None if hint is None else str(hint)

    def field_findings(self, text: str, field: str) -> list[Finding] | None:
        """Findings that the field name ``field`` supports in its value ``text``: the whole
        value when it has the field's shape, else shaped runs inside a short value. ``None``
        when the field says nothing."""
        hint = self.table.hint(field)
        if hint is None:
            return None
        start, end = _strip_span(text)
        return list(self._whole_or_runs(text, start, end, hint))

    def _value(self, text: str, start: int, end: int, hint: Hint) -> Iterator[Finding]:
        """Findings in the delimited value ``text[start:end]`` (an XML element's text, a table
        cell) under ``hint``, quotes and blanks around it left out."""
        while start < end and text[start] in " \t\"'":
            start += 1
        while end > start and text[end - 1] in " \t\"'":
            end -= 1
        return self._whole_or_runs(text, start, end, hint)

    def _whole_or_runs(self, text: str, start: int, end: int, hint: Hint) -> Iterator[Finding]:
        """The value ``text[start:end]`` whole when it has ``hint``'s shape, else the shaped
        runs inside it; nothing for an empty or over-long value or a placeholder."""
        value = text[start:end]
        if not value or end - start > MAX_WHOLE_VALUE or value.casefold() in _PLACEHOLDERS:
            return
        fitting = hint.fitting(value)
        if fitting is not None:
            yield Finding(start, end, fitting.entity, FIELD_SCORE, self.name)
        else:
            yield from self._runs(text, start, end, hint)

    def _runs(self, text: str, start: int, end: int, hint: Hint) -> Iterator[Finding]:
        """Shaped values inside a longer value ("Tel. 020 7946 0958 (home)")."""
        if hint.shape.name in ("person", "listed_name", "location", "id"):
            return  # free text under such a field is judged by the ordinary detectors
        pos = start
        while pos < end:
            at_start = pos == start or not text[pos - 1].isalnum()
            if at_start and (text[pos].isalnum() or text[pos] in "+("):
                matched = hint.prefix(text, pos, end)
                if matched is not None:
                    yield Finding(pos, matched[1], matched[0].entity, FIELD_SCORE, self.name)
                    pos = matched[1]
                    continue
            pos += 1

    # -- text --------------------------------------------------------------------------------

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield the values of personal ``key: value`` pairs in ``text``."""
        table = self.text_table
        for key_start, key, value_at, quote in _pairs(text):
            pos = value_at
            hint = table.hint(key)
            if hint is None or hint.shape.name == "listed_name":
                # "First name:" says more than "name:" (a name key, read with the lexicons).
                hint = _hint_with_words_before(table, text, key_start, key) or hint
                if hint is None:
                    continue
            line = _LINE_END.search(text, pos)
            limit = line.start() if line is not None else len(text)
            if line is not None and not quote and not text[pos:limit].strip():
                # "Address:" alone on its line: the value is on the next one.
                if hint.entity not in _MULTILINE:
                    continue
                pos = _next_line(text, line.end())
                line = _LINE_END.search(text, pos)
                limit = line.start() if line is not None else len(text)
            if quote:
                close = text.find(quote, pos, limit)
                if close < 0:
                    continue
                limit = close
            elif key_start > 0 and text[key_start - 1] in "?&;":
                # A query or form field (``?email=a@b.io&phone=…``): its value ends at the next
                # field, so that it never swallows the next field's value.
                amp = text.find("&", pos, limit)
                if amp >= 0:
                    limit = amp
            matched = hint.prefix(text, pos, limit)
            if matched is None:
                continue
            shaped, stop = matched
            while stop > pos and text[stop - 1] in " \t,.":
                stop -= 1
            if shaped.entity == "LOCATION" and not quote and not text[stop:limit].strip(" \t,."):
                stop = max(stop, _locality_lines(text, limit))
            if stop > pos and text[pos:stop].casefold() not in _PLACEHOLDERS:
                yield Finding(pos, stop, shaped.entity, FIELD_SCORE, self.name)
        if "</" in text:
            yield from self._elements(text)
        if "\n" in text:
            yield from self._tables(text)
        yield from self._spaced(text)
        if "(" in text and _INSERT_WORD.search(text) is not None:
            yield from self._inserts(text)

    def _spaced(self, text: str) -> Iterator[Finding]:
        """Values with digits after a name and a space (``MRN 00123456``, ``Patient ID
        4482913``, ``passport no. X1234567``, ``VIN 1HGCM82633A004352``)."""
        for v in _SPACED_VALUE_AT.finditer(text):
            pos = v.end()
            end = _skip_back(text, v.start() + 1, " \t#")
            start = _skip_back(text, end, None)
            if start == end:
                continue
            word = text[start:end]
            found = None
            if word.rstrip(".").lower() in _NUMBER_MARKS:
                # "passport no. X1", "mrn number 001": the name is the word before the mark...
                key_end = _skip_back(text, start, " \t")
                if key_end < start:
                    # "is"/"was" follow any word: only "#", "no.", "number" vouch for a short
                    # lower-case name ("the tin is 50000" stays).
                    vouches = word.rstrip(".").lower() not in _VERBS
                    found = self._spaced_at(
                        text, pos, _skip_back(text, key_end, None), key_end, vouches
                    )
                # ...unless the mark belongs to the name ("insurance number AB1").
            elif text[end : v.start() + 1].strip(" \t") == "#":
                found = self._spaced_at(text, pos, start, end, True)
            if found is None:
                found = self._spaced_at(text, pos, start, end, False)
            if found is not None:
                yield found

    def _spaced_at(
        self, text: str, pos: int, start: int, key_end: int, marked: bool
    ) -> Finding | None:
        """The finding of a value with digits at ``pos`` after the name ``text[start:key_end]``
        (``marked``: followed by ``#``, ``no.`` or ``number``), if any."""
        if start == key_end or (start > 0 and text[start - 1] in "@/\\"):
            return None  # no word before, or a path or an address: not a label
        key = text[start:key_end]
        if not self._may_end_name(key):
            return None
        table = self.text_table
        hint = table.hint(key)
        if len(key) <= 3 and not key.isupper() and not marked:
            hint = None  # "the tin 50000 cans"; "TIN 50000", "tin# 50000" are labels
        if hint is None or hint.shape.name not in _SPACED_SHAPES:
            hint = _hint_with_words_before(table, text, start, key)
            if hint is None:
                return None
        line = _LINE_END.search(text, pos)
        matched = hint.prefix(text, pos, line.start() if line is not None else len(text))
        if matched is None or matched[0].shape.name not in _SPACED_SHAPES:
            return None
        shaped, stop = matched
        while stop > pos and text[stop - 1] in " \t,.":
            stop -= 1
        return Finding(pos, stop, shaped.entity, FIELD_SCORE, self.name) if stop > pos else None

    def _may_end_name(self, word: str) -> bool:
        """Whether ``word`` can be the last word of a name in the table (memoised: the words
        before numbers repeat, "page", "tokens", "in")."""
        known = self._endings_memo.get(word)
        if known is None:
            known = normalize_field(word) in self.text_table.digit_endings
            if len(self._endings_memo) >= _MAX_CACHE:
                self._endings_memo.clear()
            self._endings_memo[word] = known
        return known

    def _inserts(self, text: str) -> Iterator[Finding]:
        """Values of SQL ``INSERT INTO t (columns) VALUES (…), (…)`` under personal columns."""
        table = self.text_table
        for m in _INSERT.finditer(text):
            hints = [table.hint(c.strip(" \t\r\n\"'`[]")) for c in m.group("cols").split(",")]
            if not any(hints):
                continue
            for values in _sql_tuples(text, m.end()):
                if len(values) != len(hints):
                    break
                for (a, b), hint in zip(values, hints, strict=True):
                    if hint is not None:
                        yield from self._value(text, a, b, hint)

    def _elements(self, text: str) -> Iterator[Finding]:
        """The text of XML elements named like a personal field (``<ssn>…</ssn>``, prompts'
        ``<customer_email>…</customer_email>``)."""
        table = self.text_table
        for m in _ELEMENT.finditer(text):
            hint = table.hint(m.group("key"))
            if hint is not None:
                yield from self._value(text, m.start("value"), m.end("value"), hint)

    def _tables(self, text: str) -> Iterator[Finding]:
        """Cells of CSV, TSV and Markdown tables under a header naming a personal field
        (``name,email,phone,ssn`` then rows): a SQL result or a spreadsheet in a tool's output."""
        table = self.text_table
        pos = 0
        while True:
            header = _HEADER.search(text, pos)
            if header is None:
                return
            delimiter = header.group("delim")
            start = header.start()
            line_end = _line_end(text, start)
            cells = _cells(text, start, line_end, delimiter)
            pos = _after_line(text, line_end)
            if any(b - a > _MAX_HEADER_CELL for a, b in cells):
                continue  # a sentence with a comma, not a header
            hints = [table.hint(text[a:b].strip(" \t\"'")) for a, b in cells]
            # A hinted column other than the last: what the prefilter trigger can see.
            if not any(hints[:-1]):
                continue
            while pos < len(text):
                row_end = _line_end(text, pos)
                row = _cells(text, pos, row_end, delimiter)
                if len(row) != len(cells):
                    break
                if delimiter != "|" or not _RULE_ROW.fullmatch(text, pos, row_end):
                    for (a, b), hint in zip(row, hints, strict=True):
                        if hint is not None:
                            yield from self._value(text, a, b, hint)
                pos = _after_line(text, row_end)


_INSERT_WORD = re.compile(r"(?i)\binsert\b")
#: ``INSERT INTO name (columns) VALUES`` up to the first tuple.
_INSERT = re.compile(
    r"(?i)\binsert[ \t\r\n]+into[ \t\r\n]+[\w.\"`\[\]]{1,200}[ \t\r\n]*"
    r"\((?P<cols>[^()]{1,2000})\)[ \t\r\n]*values[ \t\r\n]*"
)
#: One SQL literal: a quoted string (``''`` for a quote), or a bare word or number.
_SQL_VALUE = re.compile(
    r"[ \t\r\n]*(?:'(?P<s>(?:[^']|'')*)'|\"(?P<d>[^\"]*)\"|(?P<b>[^,()'\"\s]+))[ \t\r\n]*"
)


def _sql_tuples(text: str, pos: int) -> Iterator[list[tuple[int, int]]]:
    """Spans of the values of each ``(…)`` tuple from ``pos`` (commas between tuples); stops at
    anything else (a nested call, the statement's end)."""
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= n or text[pos] != "(":
            return
        pos += 1
        values: list[tuple[int, int]] = []
        while True:
            m = _SQL_VALUE.match(text, pos)
            if m is None:
                return
            group = "s" if m.group("s") is not None else "d" if m.group("d") is not None else "b"
            values.append(m.span(group))
            pos = m.end()
            if pos < n and text[pos] == ",":
                pos += 1
                continue
            if pos < n and text[pos] == ")":
                pos += 1
                break
            return
        yield values


#: Longest cell of a table's header (a column name).
_MAX_HEADER_CELL = 60
#: An XML element holding text only: ``<key attr="…">value</key>``.
_ELEMENT = re.compile(
    r"<(?P<key>[^\W\d][\w.\-]{0,60})(?:[ \t][^<>]{0,200})?>(?P<value>[^<>]{1,256})</(?P=key)[ \t]*>"
)
#: A line that may be a table's header: a word cell, a delimiter, more (the delimiter is the
#: first of ``|``, tab, ``,``, ``;`` after a word).
_HEADER = re.compile(
    r"(?m)^[ \t]*\|?[ \t]*[\"']?[^\W\d][\w .\-']{0,60}?[\"']?[ \t]*(?P<delim>[|\t,;])(?=[^\r\n]*\S)"
)
#: A Markdown table's rule row: ``|---|:---:|``.
_RULE_ROW = re.compile(r"[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|?)+[ \t]*")


def _line_end(text: str, pos: int) -> int:
    """Where the line at ``pos`` ends (its ``\\r``/``\\n``, or the text's end)."""
    end = text.find("\n", pos)
    if end < 0:
        end = len(text)
    return end - 1 if end > pos and text[end - 1] == "\r" else end


def _after_line(text: str, end: int) -> int:
    """Where the line after the one ending at ``end`` starts (past ``\\n`` or ``\\r\\n``)."""
    return end + 2 if text.startswith("\r\n", end) else end + 1


def _cells(text: str, start: int, end: int, delimiter: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each cell of the line ``text[start:end]``; a double-quoted CSV
    cell may hold the delimiter. A Markdown row's outer pipes open and close no cell."""
    if delimiter == "|":
        line = text[start:end]
        left = len(line) - len(line.lstrip(" \t"))
        right = len(line.rstrip(" \t"))
        if line[left : left + 1] == "|":
            left += 1
        if right > left and line[right - 1] == "|":
            right -= 1
        start, end = start + left, start + right
    out: list[tuple[int, int]] = []
    cell = start
    quoted = False
    for i in range(start, end):
        c = text[i]
        if c == '"' and delimiter != "|":
            quoted = not quoted
        elif c == delimiter and not quoted:
            out.append((cell, i))
            cell = i + 1
    out.append((cell, end))
    return out


#: Entities whose value may start on the line after its name ("Shipping address:\n12 Main St").
_MULTILINE = frozenset({"LOCATION", "PERSON"})
# The line after a street, when it holds a postcode and a town: "75002 Paris", "H-9028
# Szeged", "Springfield, IL 62704", "West Patricia, WA, 2697", "London NW1 6XE".
_LOCALITY = re.compile(
    r"[ \t]*(?:(?:[A-Z]{1,2}-)?\d{4,6}[ \t]+[^\W\d][^\n\r:=]{0,60}"
    r"|[^\W\d][^\n\r,:=]{0,40},[^\n\r:=]{0,40}\d{3,}[^\n\r:=]{0,12}"
    r"|[^\W\d][^\n\r:=]{0,40}[ \t][A-Z]{1,2}[0-9][A-Z0-9]?[ \t]*[0-9][A-Z]{2})[ \t]*(?=[\r\n]|$)"
)


def _next_line(text: str, pos: int) -> int:
    """``pos`` (just after a line break) moved past the ``\\n`` of a ``\\r\\n`` pair."""
    return pos + 1 if text[pos - 1 : pos] == "\r" and text[pos : pos + 1] == "\n" else pos


def _locality_lines(text: str, stop: int) -> int:
    """``stop`` moved past the next line when it is an address's postcode and town line."""
    line = _LINE_END.match(text, stop)
    if line is None:
        return stop
    start = _next_line(text, line.end())
    found = _LOCALITY.match(text, start)
    if found is None:
        return stop
    end = found.end()
    while end > start and text[end - 1] in " \t,.":
        end -= 1
    return end


def _hint_with_words_before(table: FieldTable, text: str, start: int, key: str) -> Hint | None:
    """The hint of ``key`` (at ``start``) with up to three words before it, longest first."""
    if normalize_field(key) not in table.endings:
        return None
    words = _words_before(text, start)
    if not words:
        return None
    for i in range(len(words)):
        hint = table.hint(" ".join([*words[i:], key]))
        if hint is not None:
            return hint
    return None


def _words_before(text: str, end: int, most: int = 3) -> list[str]:
    """Up to ``most`` words right before ``end`` (each followed by spaces or tabs), in order:
    a word starts with a letter and holds letters, digits, ``_`` and apostrophes."""
    words: list[str] = []
    pos = end
    while len(words) < most:
        gap = pos
        while gap > 0 and text[gap - 1] in " \t":
            gap -= 1
        if gap == pos:
            break
        start = gap
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_'\u2019"):
            start -= 1
        if start == gap or not text[start].isalpha():
            break
        words.append(text[start:gap])
        pos = start
    words.reverse()
    return words


def _strip_span(text: str) -> tuple[int, int]:
    start, end = 0, len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end

"""Cheap necessary conditions for the name and address detectors, matched in one scan.

The address detector runs a handful of expensive regexes, each only when a literal word it
needs stands in the string (a street ending such as ``straße``, ``box``, a transfer verb…).
Testing those word lists one by one with Python ``re`` cost more than the regexes they guard on
ordinary prose (an alternation of a hundred literals is tried at every position). A
:class:`Gates` compiles every list into one Hyperscan database and reports, in a single native
scan of the lower-cased string, which lists occur; without Hyperscan (or for the ``re``
backend) one compiled Python regex per list gives the same answer.

Gates are only necessary conditions: a detector still runs its own regex when a gate opens, so
a gate that opens too often costs time, never a finding.

**Anchors** go one step further: where a detector regex can only start at a fixed literal (a
transfer verb, a street prefix, an address cue), the same scan reports where each such literal
stands, and :func:`finditer_at` tries the regex at those offsets only instead of at every
position of the string. The anchors must cover every place a match can start (a superset is
fine); offsets are only given for ASCII strings (where an offset in the lower-cased UTF-8 bytes
is an offset in the string), otherwise the regex searches the whole string as before.

**One scan with the engine's prefilter.** With Hyperscan the engine compiles the gates' and
anchors' expressions into its own prefilter database (:meth:`Gates.shared_expressions`,
caseless on the original text instead of exact on the lower-cased text: the same matches on
ASCII text, see there) and hands each ASCII string's hits to :meth:`Gates.prime` before any
detector runs: the detectors' :meth:`Gates.scan` of that string is then answered from them, as
it already was for the second detector. Non-ASCII strings and the ``re`` backend scan here.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, cast

from tracemask.detectors._lazyre import LazyPattern
from tracemask.detectors._prefilter import compile_database


class Anchor(NamedTuple):
    """A literal a detector regex starts with, as matched in lower-cased ASCII text.

    ``before`` and ``after`` narrow where it counts: ``""``, ``\\b`` (a word boundary) or a
    one-character class such as ``[ \\t]`` that the regex requires there. The anchor's offset is
    where ``literal`` starts.
    """

    literal: str
    before: str = ""
    after: str = ""

    def expression(self) -> tuple[str, int]:
        """The Hyperscan expression and how far before its end the literal starts."""
        for edge in (self.before, self.after):
            if edge not in ("", r"\b") and not re.fullmatch(r"\[[^\[\]]+\]", edge):
                raise ValueError(f"anchor edge {edge!r}: use '', '\\b' or one character class")
        if not self.literal.isascii() or not self.literal:
            raise ValueError("anchors are non-empty ASCII literals")
        width = 1 if self.after.startswith("[") else 0
        return self.before + _escape(self.literal) + self.after, len(self.literal) + width


class Gates:
    """Named gates over lower-cased text; :meth:`open` says which gates a string opens.

    Args:
        lists: name -> literals (lower case); the gate opens when one occurs as a substring.
        patterns: name -> a regex in the syntax Python ``re`` and Hyperscan share; the gate
            opens where it matches. A pair gives the Hyperscan regex and a looser one for
            Python ``re`` (``None``: always open), for regexes that cost more in ``re`` than the
            check they guard. On UTF-8 bytes Hyperscan's ``\\b`` sees more
            boundaries than Python's on ``str``: a gate may open more often there, never less.
        anchors: name -> the :class:`Anchor` literals a regex can start with; :meth:`scan`
            gives their offsets (Hyperscan only).
        backend: ``"auto"`` (Hyperscan once it is imported: see :meth:`_hyperscan`),
            ``"hyperscan"`` or ``"re"``.
    """

    def __init__(
        self,
        lists: Mapping[str, Sequence[str]],
        patterns: Mapping[str, str | tuple[str, str | None]] | None = None,
        backend: str = "auto",
        anchors: Mapping[str, Sequence[Anchor]] | None = None,
    ) -> None:
        # Literals: escaped for Python ``re`` on ``str``; as UTF-8 byte escapes for Hyperscan.
        python: dict[str, list[str]] = {
            name: [re.escape(w) for w in sorted(set(ws), key=len, reverse=True)]
            for name, ws in lists.items()
        }
        expressions: dict[str, list[str]] = {
            name: [_escape(w) for w in sorted(set(ws))] for name, ws in lists.items()
        }
        for name, pattern in (patterns or {}).items():
            fast, loose = pattern if isinstance(pattern, tuple) else (pattern, pattern)
            python.setdefault(name, []).append("" if loose is None else loose)
            expressions.setdefault(name, []).append(_escape(unbounded(fast), literal=False))
        self.names = tuple(python)
        # An empty alternative matches everywhere: that gate is always open.
        self._regexes = tuple(re.compile("|".join(ps)) for ps in python.values())
        self._expressions = expressions
        self.anchor_names = tuple(anchors or {})
        compiled = [
            (i, *a.expression()) for i, group in enumerate((anchors or {}).values()) for a in group
        ]
        #: Per anchor expression, after the gates' ids: its Hyperscan expression, and (index of
        #: its anchor list, bytes from the match end back to where the literal starts).
        self._anchor_expressions = tuple(expr for _, expr, _ in compiled)
        self._anchors = tuple((i, back) for i, _, back in compiled)
        self._db: Any = None
        self._wanted = backend
        #: :meth:`shared_expressions`, worked out on the first call (every Masker asks).
        self._shared: tuple[tuple[tuple[bytes, int, int], ...] | None] | None = None
        self._lock = threading.Lock()
        self._local = threading.local()
        if backend == "hyperscan":
            self._db = _compile(expressions, self._anchor_expressions)

    @property
    def backend(self) -> str:
        """``"hyperscan"`` or ``"re"``: what :meth:`open` uses now."""
        return "hyperscan" if self._hyperscan() is not None else "re"

    def _hyperscan(self) -> Any:
        """The compiled database, or ``None`` for the ``re`` gates.

        With ``"auto"``, Hyperscan is used once something else has imported it (the engine's
        prefilter does, unless the policy chose the ``re`` backend): a ``Masker(backend="re")``
        never imports Hyperscan through its detectors.
        """
        if self._db is None and self._wanted == "auto" and "hyperscan" in sys.modules:
            with self._lock:
                if self._db is None:
                    self._db = _compile(self._expressions, self._anchor_expressions)
        return self._db

    def shared_expressions(self) -> tuple[tuple[bytes, int, int], ...] | None:
        """The gate and anchor expressions with their Hyperscan flags and ids (those of this
        gate database), to be matched **caseless on the original text** in another database,
        or ``None`` when these gates do not use Hyperscan.

        On ASCII text that is the same as matching them exactly on the lower-cased text
        (what :meth:`scan` does): lower-casing ASCII only maps ``A-Z`` to ``a-z``, so a pattern
        character matches the lower-cased character exactly when its caseless form matches the
        original, provided no character or class of the pattern holds an upper-case letter and
        no negated class a lower-case one (checked here: such gates are not shared).
        """
        if self._shared is None:
            self._shared = (self._share(),)  # immutable inputs: the same answer every time
        return self._shared[0]

    def _share(self) -> tuple[tuple[bytes, int, int], ...] | None:
        if self._wanted == "re" or not all(
            _caseless_safe(p) for ps in self._expressions.values() for p in ps
        ):
            return None
        if not all(_caseless_safe(p) for p in self._anchor_expressions):
            return None
        import hyperscan  # noqa: PLC0415 - only with the Hyperscan backend

        caseless = hyperscan.HS_FLAG_CASELESS
        gate = hyperscan.HS_FLAG_SINGLEMATCH | caseless
        # The ids of this gate database: one per gate (reported once), one per anchor.
        shared = [
            (p.encode("ascii"), gate, i)
            for i, ps in enumerate(self._expressions.values())
            for p in ps
        ]
        shared += [
            (p.encode("ascii"), caseless, i)
            for i, p in enumerate(self._anchor_expressions, start=len(self.names))
        ]
        return tuple(shared)

    def prime(self, text: str, hits: Sequence[tuple[int, int]]) -> None:
        """Take the hits of :meth:`shared_expressions` in ``text`` (``(id, end)``, matched
        caseless on ``text``): the next :meth:`scan` of ``text.lower()`` by this
        thread is answered from them. Non-ASCII strings are left to :meth:`scan`."""
        if not text.isascii():
            return
        answer = self._answer(hits, offsets=True)
        last = self._local
        last.lower, last.offsets, last.answer = text.lower(), True, answer

    def open(self, lower: str) -> frozenset[str]:
        """The names of the lists one of whose literals occurs in ``lower``."""
        return self.scan(lower, offsets=False)[0]

    def scan(
        self, lower: str, offsets: bool
    ) -> tuple[frozenset[str], Mapping[str, Sequence[int]] | None]:
        """The gates ``lower`` opens, and the sorted offsets of each anchor list's literals in
        it (a list without any is left out): ``None`` when not known (the ``re`` backend), or
        not asked for (``offsets`` false: pass ``text.isascii()`` of the original text, whose
        offsets they must be)."""
        # The name and address detectors scan the same string one after the other: the last
        # answer of this thread is kept (with a reference to the string) and given again.
        last = self._local
        if getattr(last, "lower", None) == lower and last.offsets == offsets:
            answer: tuple[frozenset[str], Mapping[str, Sequence[int]] | None] = last.answer
            return answer
        answer = self._scan(lower, offsets)
        last.lower, last.offsets, last.answer = lower, offsets, answer
        return answer

    def _scan(
        self, lower: str, offsets: bool
    ) -> tuple[frozenset[str], Mapping[str, Sequence[int]] | None]:
        db = self._hyperscan()
        if db is None:
            return frozenset(
                name
                for name, regex in zip(self.names, self._regexes, strict=True)
                if regex.search(lower) is not None
            ), None
        try:
            scratch = self._local.scratch
        except AttributeError:
            import hyperscan  # noqa: PLC0415 - only with the Hyperscan backend

            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        hits: list[tuple[int, int]] = []
        db.scan(
            lower.encode("utf-8", "surrogatepass"),
            match_event_handler=_collect,
            context=hits,
            scratch=scratch,
        )
        return self._answer(hits, offsets)

    def _answer(
        self, hits: Sequence[tuple[int, int]], offsets: bool
    ) -> tuple[frozenset[str], Mapping[str, Sequence[int]] | None]:
        """What :meth:`scan` answers for these ``(id, end)`` hits of the gate database."""
        gates = len(self.names)
        opened = frozenset(self.names[i] for i, _ in hits if i < gates)
        if not offsets or not self.anchor_names:
            return opened, None
        found: dict[str, list[int]] = {}
        for i, end in hits:
            if i >= gates:
                group, back = self._anchors[i - gates]
                found.setdefault(self.anchor_names[group], []).append(end - back)
        for starts in found.values():
            starts.sort()  # an offset twice is tried once: finditer_at skips offsets passed
        return opened, found


def anchored(at: Mapping[str, Sequence[int]] | None, name: str) -> Sequence[int] | None:
    """The offsets of anchor list ``name`` in a :meth:`Gates.scan` result (none when the list
    has no hit), or ``None`` when offsets are not known."""
    return None if at is None else at.get(name, ())


def finditer_at(
    regex: re.Pattern[str], text: str, starts: Iterable[int] | None
) -> Iterator[re.Match[str]]:
    """``regex.finditer(text)``, with the regex tried only at ``starts`` (ascending offsets that
    include every offset where a match can start); ``None``: search the whole text.

    The same matches as ``finditer``: it tries the positions from left to right and continues
    after each match, and a match tried at an offset is the match a search reaching that
    offset finds (lookbehinds and ``\\b`` see the text before it either way). ``regex`` must
    not match the empty string.
    """
    if starts is None:
        yield from regex.finditer(text)
        return
    pos = 0
    match = regex.match
    for start in starts:
        if start >= pos and (m := match(text, start)) is not None:
            yield m
            pos = m.end()


def lazy_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, compiled the first time it is used: the detectors hold
    dozens of long regexes, many needed only for some inputs (non-Latin scripts, address
    blocks), and compiling them all at import cost ~40 ms of start-up."""
    return cast("re.Pattern[str]", LazyPattern(pattern, flags))


#: A bounded repeat allowing this many or more is compiled unbounded in a gate's Hyperscan form.
LONG_REPEAT = 40
_REPEAT = re.compile(r"\{([0-9]+),([0-9]+)\}")


def unbounded(pattern: str) -> str:
    """``pattern`` with each long bounded repeat (``{m,n}``, ``n >= LONG_REPEAT``) made open
    (``{m,}``; ``*`` for ``{0,}``), outside classes and escapes.

    Hyperscan tracks a bounded repeat position by position: the street-type gate (a house
    number, then up to 120 characters, then a street type) was a third of the whole prefilter
    scan. The open form matches wherever the bounded one does (and more), so a gate built from
    it opens wherever it did: a gate is a necessary condition, opening more often costs time,
    never a finding (the ``re`` gates these stand for are looser still: always open, or the
    words alone).
    """
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if pattern.startswith("^", j):
                j += 1
            if pattern.startswith("]", j):
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            out.append(pattern[i : j + 1])
            i = j + 1
            continue
        m = _REPEAT.match(pattern, i) if c == "{" else None
        if m is not None and int(m.group(2)) >= LONG_REPEAT:
            out.append("*" if m.group(1) == "0" else f"{{{m.group(1)},}}")
            i = m.end()
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _caseless_safe(pattern: str) -> bool:
    """Whether ``pattern`` matches the same caseless on ASCII text as exactly on its lower-cased
    form: no upper-case ASCII letter outside escapes, no escaped letter (``\\x41``), and no
    lower-case letter in a negated class (``[^a-z]`` caseless would also exclude ``A-Z``)."""
    for m in re.finditer(r"\\x([0-9a-fA-F]{2})", pattern):
        if chr(int(m.group(1), 16)).isascii() and chr(int(m.group(1), 16)).isalpha():
            return False
    for m in re.finditer(r"\[\^((?:\\.|[^\]\\])*)\]", pattern):
        if re.search("[a-zA-Z]", re.sub(r"\\.", "", m.group(1))):
            return False
    return re.search("[A-Z]", re.sub(r"\\.", "", pattern)) is None


def _collect(idx: int, _start: int, end: int, _flags: int, hits: list[tuple[int, int]]) -> None:
    hits.append((idx, end))


def _escape(text: str, *, literal: bool = True) -> str:
    """``text`` for Hyperscan, which matches UTF-8 bytes: each non-ASCII character becomes the
    group of its bytes (``(?:\\xc3\\x9f)`` for ``ß``); ASCII is escaped when ``literal``, else
    kept as regex syntax (patterns hold non-ASCII characters only as literals)."""
    out = []
    for c in text:
        if c.isascii():
            out.append(re.escape(c) if literal else c)
        else:
            out.append("(?:" + "".join(f"\\x{b:02x}" for b in c.encode("utf-8")) + ")")
    return "".join(out)


def _compile(expressions: Mapping[str, Sequence[str]], anchors: Sequence[str] = ()) -> Any:
    import hyperscan  # noqa: PLC0415 - optional backend

    key = (tuple((name, tuple(ps)) for name, ps in expressions.items()), tuple(anchors))
    db = _COMPILED.get(key)
    if db is None:
        flat: list[bytes] = []
        ids: list[int] = []
        flags: list[int] = []
        for i, patterns in enumerate(expressions.values()):
            for p in patterns:
                flat.append(p.encode("ascii"))
                ids.append(i)
                flags.append(hyperscan.HS_FLAG_SINGLEMATCH)
        # Anchors report every occurrence (their end offsets), after the gates' ids.
        for i, p in enumerate(anchors, start=len(expressions)):
            flat.append(p.encode("ascii"))
            ids.append(i)
            flags.append(0)
        # Compiled once per machine: the serialised database is kept between processes.
        db = compile_database(flat, flags, ids)
        _COMPILED[key] = db
    return db


#: Databases by word lists: compiled once per process, shared (immutable once compiled).
_COMPILED: dict[object, Any] = {}

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
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Mapping, Sequence
from typing import Any, cast

from tracemask.detectors._prefilter import compile_database


class Gates:
    """Named gates over lower-cased text; :meth:`open` says which gates a string opens.

    Args:
        lists: name -> literals (lower case); the gate opens when one occurs as a substring.
        patterns: name -> a regex in the syntax Python ``re`` and Hyperscan share; the gate
            opens where it matches. A pair gives the Hyperscan regex and a looser one for
            Python ``re`` (``None``: always open), for regexes that cost more in ``re`` than the
            check they guard. On UTF-8 bytes Hyperscan's ``\\b`` sees more
            boundaries than Python's on ``str``: a gate may open more often there, never less.
        backend: ``"auto"`` (Hyperscan once it is imported: see :meth:`_hyperscan`),
            ``"hyperscan"`` or ``"re"``.
    """

    def __init__(
        self,
        lists: Mapping[str, Sequence[str]],
        patterns: Mapping[str, str | tuple[str, str | None]] | None = None,
        backend: str = "auto",
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
            expressions.setdefault(name, []).append(_escape(fast, literal=False))
        self.names = tuple(python)
        # An empty alternative matches everywhere: that gate is always open.
        self._regexes = tuple(re.compile("|".join(ps)) for ps in python.values())
        self._expressions = expressions
        self._db: Any = None
        self._wanted = backend
        self._lock = threading.Lock()
        self._local = threading.local()
        if backend == "hyperscan":
            self._db = _compile(expressions)

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
                    self._db = _compile(self._expressions)
        return self._db

    def open(self, lower: str) -> frozenset[str]:
        """The names of the lists one of whose literals occurs in ``lower``."""
        db = self._hyperscan()
        if db is None:
            return frozenset(
                name
                for name, regex in zip(self.names, self._regexes, strict=True)
                if regex.search(lower) is not None
            )
        try:
            scratch = self._local.scratch
        except AttributeError:
            import hyperscan  # noqa: PLC0415 - only with the Hyperscan backend

            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        found: set[int] = set()
        db.scan(
            lower.encode("utf-8", "surrogatepass"),
            match_event_handler=_collect,
            context=found,
            scratch=scratch,
        )
        return frozenset(self.names[i] for i in found)


def _collect(idx: int, _start: int, _end: int, _flags: int, found: object) -> None:
    cast("set[int]", found).add(idx)


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


def _compile(expressions: Mapping[str, Sequence[str]]) -> Any:
    import hyperscan  # noqa: PLC0415 - optional backend

    key = tuple((name, tuple(ps)) for name, ps in expressions.items())
    db = _COMPILED.get(key)
    if db is None:
        flat: list[bytes] = []
        ids: list[int] = []
        for i, patterns in enumerate(expressions.values()):
            for p in patterns:
                flat.append(p.encode("ascii"))
                ids.append(i)
        # Compiled once per machine: the serialised database is kept between processes.
        db = compile_database(flat, [hyperscan.HS_FLAG_SINGLEMATCH] * len(flat), ids)
        _COMPILED[key] = db
    return db


#: Databases by word lists: compiled once per process, shared (immutable once compiled).
_COMPILED: dict[tuple[tuple[str, tuple[str, ...]], ...], Any] = {}

"""Where readable pseudonym numbers (``<PERSON_1>``, ``<PERSON_2>``) are kept.

A number is assigned to a keyed digest of a value the first time it is met in a scope and never
changes, so ``<PERSON_1>`` in one span is the same customer as ``<PERSON_1>`` in another. The
store holds digests only (an HMAC of the value under the operator's key), never values.

:class:`MemoryStore` numbers within one process; :class:`SqliteStore` shares numbering between
the processes of one host (SDK workers, server replicas on one volume). Anything with a
``number(scope, entity, digest) -> int`` method can be passed as a store (e.g. backed by Redis
``HINCRBY`` for a fleet).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tracemask.typing import PseudonymStore

__all__ = ["MemoryStore", "PseudonymStore", "SqliteStore", "Stores"]


class MemoryStore:
    """Numbers kept in this process's memory (bounded: a full store starts over)."""

    def __init__(self, max_entries: int = 1_000_000) -> None:
        self._lock = threading.Lock()
        self._numbers: dict[tuple[str, str, str], int] = {}
        self._counts: dict[tuple[str, str], int] = {}
        self._max = max_entries

    def number(self, scope: str, entity: str, digest: str) -> int:
        key = (scope, entity, digest)
        found = self._numbers.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._numbers.get(key)
            if found is not None:
                return found
            if len(self._numbers) >= self._max:
                self._numbers.clear()
                self._counts.clear()
            n = self._counts.get((scope, entity), 0) + 1
            self._counts[(scope, entity)] = n
            self._numbers[key] = n
            return n


_SCHEMA = """
CREATE TABLE IF NOT EXISTS pseudonyms (
    scope TEXT NOT NULL, entity TEXT NOT NULL, digest TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (scope, entity, digest)
);
CREATE UNIQUE INDEX IF NOT EXISTS pseudonyms_n ON pseudonyms (scope, entity, n);
"""


_BUSY_TIMEOUT_S = 30.0


def _when_unlocked(statement: Callable[[], object]) -> None:
    """Run ``statement``, retrying while another process holds the database.

    SQLite answers "database is locked" at once, without waiting out the busy timeout, where
    waiting could deadlock: several processes creating one new store at the same moment
    (switching it to WAL, creating its table) meet exactly that.
    """
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    delay = 0.005
    while True:
        try:
            statement()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        else:
            return
        time.sleep(delay * (1 + random.random()))  # jitter: the processes must not re-collide
        delay = min(delay * 2, 0.2)


class SqliteStore:
    """Numbers kept in a SQLite file, shared by every process that opens it.

    Assignment runs in one ``BEGIN IMMEDIATE`` transaction, so two processes meeting a new
    value at once cannot give it two numbers or give two values one number.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._seen: dict[tuple[str, str, str], int] = {}
        db = self._connect()
        _when_unlocked(lambda: db.executescript(_SCHEMA))

    def _connect(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            _when_unlocked(lambda: db.execute("PRAGMA journal_mode=WAL"))
            self._local.db = db
        return db

    def number(self, scope: str, entity: str, digest: str) -> int:
        key = (scope, entity, digest)
        found = self._seen.get(key)
        if found is not None:
            return found
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            row = db.execute(
                "SELECT n FROM pseudonyms WHERE scope=? AND entity=? AND digest=?", key
            ).fetchone()
            if row is None:
                (last,) = db.execute(
                    "SELECT COALESCE(MAX(n), 0) FROM pseudonyms WHERE scope=? AND entity=?",
                    (scope, entity),
                ).fetchone()
                row = (last + 1,)
                db.execute("INSERT INTO pseudonyms VALUES (?, ?, ?, ?)", (*key, row[0]))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        n = int(row[0])
        if len(self._seen) < 1_000_000:
            self._seen[key] = n
        return n


class Stores:
    """The pseudonym stores of one compiled policy, one per ``store`` spec.

    Owned by a :class:`~tracemask._compiled.CompiledPolicy`: two Maskers built from one policy
    number independently with ``memory`` (each starts at 1), and share numbering through the
    file with ``sqlite:PATH`` (by design: that store exists to share across processes).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, PseudonymStore] = {}

    def open(self, spec: str) -> PseudonymStore:
        """The store named by an operator's ``store`` field: ``"memory"`` or ``"sqlite:PATH"``.

        Every operator of the policy naming one spec shares one store, so that they number
        alike.
        """
        with self._lock:
            store = self._open.get(spec)
            if store is None:
                if spec == "memory":
                    store = MemoryStore()
                elif spec.startswith("sqlite:"):
                    store = SqliteStore(spec.removeprefix("sqlite:"))
                else:
                    raise ValueError(f"unknown store {spec!r} (use 'memory' or 'sqlite:PATH')")
                self._open[spec] = store
            return store

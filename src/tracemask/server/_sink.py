"""The embedded sink: where masked batches go when no upstream is configured.

SQLite (``sink.sqlite3``, oldest batches pruned) or rotating JSONL (``sink.jsonl``,
``sink.1.jsonl``…) under a data dir. Each batch is stored as OTLP JSON, exactly what would have
been sent upstream (masked). Standard library only: ``tracemask sink list|export`` reads it
without the ``server`` extra.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

SQLITE_NAME = "sink.sqlite3"
JSONL_NAME = "sink.jsonl"
_PRUNE_EVERY = 100


@dataclass(frozen=True)
class Batch:
    """One stored batch."""

    id: int
    time: str
    signal: str
    items: int
    findings: int
    body: str  # OTLP JSON

    @property
    def size(self) -> int:
        """The body's size in bytes (UTF-8)."""
        return len(self.body.encode("utf-8"))


class Sink(Protocol):
    def write(self, signal: str, items: int, findings: int, body: bytes) -> None: ...
    def close(self) -> None: ...


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class SqliteSink:
    """Batches in one SQLite table; beyond ``max_batches`` the oldest are deleted."""

    def __init__(self, directory: str | os.PathLike[str], max_batches: int = 10_000) -> None:
        path = Path(directory).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        self.path = path / SQLITE_NAME
        self.max_batches = max_batches
        self._lock = threading.Lock()
        self._writes = 0
        # timeout: several worker processes may write the one file (WAL serialises them).
        self._db = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=10
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS batches (id INTEGER PRIMARY KEY AUTOINCREMENT,"
            " time TEXT NOT NULL, signal TEXT NOT NULL, items INTEGER NOT NULL,"
            " findings INTEGER NOT NULL, body TEXT NOT NULL)"
        )

    def write(self, signal: str, items: int, findings: int, body: bytes) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO batches (time, signal, items, findings, body) VALUES (?, ?, ?, ?, ?)",
                (_now(), signal, items, findings, body.decode("utf-8")),
            )
            self._writes += 1
            if self._writes % _PRUNE_EVERY == 0 or self.max_batches < _PRUNE_EVERY:
                self._db.execute(
                    "DELETE FROM batches WHERE id <= (SELECT MAX(id) FROM batches) - ?",
                    (self.max_batches,),
                )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class JsonlSink:
    """One JSON line per batch; the file rotates past ``max_file_bytes``, ``keep_files`` kept."""

    def __init__(
        self,
        directory: str | os.PathLike[str],
        max_file_bytes: int = 64 * 1024 * 1024,
        keep_files: int = 5,
    ) -> None:
        self.dir = Path(directory).expanduser()
        self.dir.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / JSONL_NAME
        self.max_file_bytes = max_file_bytes
        self.keep_files = keep_files
        self._lock = threading.Lock()
        self._next_id = max((b.id for b in _read_jsonl(self.dir)), default=0) + 1

    def _rotate(self) -> None:
        for n in range(self.keep_files - 1, 0, -1):
            src = self.path if n == 1 else self.dir / f"sink.{n - 1}.jsonl"
            if src.exists():
                os.replace(src, self.dir / f"sink.{n}.jsonl")
        if self.keep_files == 1 and self.path.exists():
            self.path.unlink()

    def write(self, signal: str, items: int, findings: int, body: bytes) -> None:
        with self._lock:
            record = {
                "id": self._next_id,
                "time": _now(),
                "signal": signal,
                "items": items,
                "findings": findings,
                "body": json.loads(body),
            }
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
            size = self.path.stat().st_size if self.path.exists() else 0
            if size and size + len(line) > self.max_file_bytes:
                self._rotate()
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(line)
            self._next_id += 1

    def close(self) -> None:
        return


def _read_jsonl(directory: Path) -> Iterator[Batch]:
    files = sorted(
        directory.glob("sink.*.jsonl"), key=lambda p: int(p.name.split(".")[1]), reverse=True
    )
    if (directory / JSONL_NAME).exists():
        files.append(directory / JSONL_NAME)
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                r = json.loads(line)
                body = json.dumps(r["body"], ensure_ascii=False, separators=(",", ":"))
                yield Batch(r["id"], r["time"], r["signal"], r["items"], r["findings"], body)


def read_batches(directory: str | os.PathLike[str]) -> Iterator[Batch]:
    """Every stored batch under ``directory``, oldest first (SQLite, then JSONL files).

    Raises:
        FileNotFoundError: the directory holds no sink.
    """
    path = Path(directory).expanduser()
    db_path = path / SQLITE_NAME
    has_jsonl = (path / JSONL_NAME).exists() or any(path.glob("sink.*.jsonl"))
    if not db_path.exists() and not has_jsonl:
        raise FileNotFoundError(f"{directory}: no sink here ({SQLITE_NAME} or {JSONL_NAME})")
    if db_path.exists():
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            cursor = db.execute(
                "SELECT id, time, signal, items, findings, body FROM batches ORDER BY id"
            )
            for row in cursor:
                yield Batch(*row)
        finally:
            db.close()
    if has_jsonl:
        yield from _read_jsonl(path)


def open_sink(
    kind: str, directory: str, *, max_batches: int, max_file_bytes: int, keep_files: int
) -> Sink | None:
    """The sink of ``kind`` (``None`` for ``none``)."""
    if kind == "sqlite":
        return SqliteSink(directory, max_batches)
    if kind == "jsonl":
        return JsonlSink(directory, max_file_bytes, keep_files)
    return None

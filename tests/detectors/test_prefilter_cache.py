"""Compiled Hyperscan databases are kept between processes, and never trusted blindly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tracemask.detectors import _prefilter
from tracemask.detectors._prefilter import ENV_CACHE_DIR, compile_database

hyperscan = pytest.importorskip("hyperscan")

EXPRESSIONS = [rb"\bTCK-[0-9]{6}", rb"@example\.(?:com|org)"]
FLAGS = [hyperscan.HS_FLAG_SINGLEMATCH] * 2


def _hits(db: Any, text: bytes) -> list[int]:
    found: list[int] = []
    db.scan(
        text,
        match_event_handler=lambda i, *_: found.append(i),
        scratch=hyperscan.Scratch(db),
    )
    return sorted(found)


def test_a_database_is_compiled_once_then_loaded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    first = compile_database(EXPRESSIONS, FLAGS)
    files = list((tmp_path / "hyperscan").glob("*.hsdb"))
    assert len(files) == 1

    def no_compile(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    monkeypatch.setattr(hyperscan, "Database", no_compile)
    loaded = compile_database(EXPRESSIONS, FLAGS)
    text = b"see TCK-123456 or mail a@example.com"
    assert _hits(loaded, text) == _hits(first, text) == [0, 1]


def test_a_corrupt_or_foreign_file_is_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    compile_database(EXPRESSIONS, FLAGS)
    (path,) = (tmp_path / "hyperscan").glob("*.hsdb")
    path.write_bytes(b"not a database")
    db = compile_database(EXPRESSIONS, FLAGS)
    assert _hits(db, b"TCK-000001") == [0]
    assert path.read_bytes() != b"not a database"  # rewritten


def test_other_expressions_or_ids_get_their_own_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, str(tmp_path))
    compile_database(EXPRESSIONS, FLAGS)
    compile_database(EXPRESSIONS[:1], FLAGS[:1])
    db = compile_database(EXPRESSIONS, FLAGS, ids=[7, 9])
    assert len(list((tmp_path / "hyperscan").glob("*.hsdb"))) == 3
    assert _hits(db, b"TCK-123456 a@example.org") == [7, 9]


def test_the_cache_can_be_turned_off_and_an_unwritable_one_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_CACHE_DIR, "off")
    assert _prefilter._cache_dir() is None
    assert _hits(compile_database(EXPRESSIONS, FLAGS), b"TCK-123456") == [0]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(ENV_CACHE_DIR, str(blocker))  # a file where a directory should be
    assert _hits(compile_database(EXPRESSIONS, FLAGS), b"TCK-123456") == [0]

"""Helpers for the CLI tests: the real entry function in process, a subprocess where it matters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.clirun import Ran, invoke, spawn

Run = Callable[..., Ran]


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """``tracemask ARGS`` in process in ``tmp_path``; ``stdin`` may be bytes or str."""

    def _run(*args: str, stdin: bytes | str = b"") -> Ran:
        return invoke(*args, cwd=tmp_path, stdin=stdin)

    return _run


@pytest.fixture
def run_process(tmp_path: Path) -> Run:
    """``python -m tracemask ARGS`` (``script=True``: the console script) in a subprocess."""

    def _run(*args: str, stdin: bytes | str = b"", script: bool = False) -> Ran:
        return spawn(*args, cwd=tmp_path, stdin=stdin, script=script)

    return _run


@pytest.fixture
def frozen(tmp_path: Path) -> Iterator[Callable[[str, str | bytes], Path]]:
    """Write input files; after the test, assert that no command changed their bytes."""
    written: dict[Path, bytes] = {}

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
        written[path] = data
        return path

    yield _write
    for path, data in written.items():
        assert path.read_bytes() == data, f"{path.name} was modified"

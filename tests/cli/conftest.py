"""Helpers for the CLI tests: run the real entry point in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

Run = Callable[..., subprocess.CompletedProcess[bytes]]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run ``python -m tracemask ARGS`` in ``tmp_path``; ``stdin`` may be bytes or str."""

    def _run(
        *args: str, stdin: bytes | str = b"", script: bool = False
    ) -> subprocess.CompletedProcess[bytes]:
        if script:
            exe = Path(sys.executable).parent / "tracemask"
            cmd = [str(exe), *args]
        else:
            cmd = [sys.executable, "-m", "tracemask", *args]
        data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
        return subprocess.run(
            cmd, input=data, capture_output=True, cwd=tmp_path, env=_env(), timeout=60, check=False
        )

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

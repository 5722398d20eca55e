"""Shared fixtures: a fresh Masker per test, no global state to reset."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tracemask import Masker

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def masker() -> Masker:
    return Masker()


@pytest.fixture(params=["re", "hyperscan"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both prefilter engines: every detector table must hold on each."""
    return str(request.param)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """``python -m tracemask ARGS`` in ``tmp_path``, without any TRACEMASK_* variable."""

    def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        return subprocess.run(
            [sys.executable, "-m", "tracemask", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            timeout=timeout,
            check=False,
        )

    return _run

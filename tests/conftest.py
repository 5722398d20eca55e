"""Shared fixtures: a fresh Masker per test, no global state to reset."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import RanText, invoke_text
from tracemask import Masker

Run = Callable[..., RanText]

pytest_plugins = ["tests.ci_plugin"]


@pytest.fixture
def masker() -> Masker:
    return Masker()


@pytest.fixture(params=["re", "hyperscan"])
def backend(request: pytest.FixtureRequest) -> str:
    """Both prefilter engines: every detector table must hold on each."""
    return str(request.param)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """``tracemask ARGS`` in process in ``tmp_path``, without any TRACEMASK_* variable."""

    def _run(*args: str, timeout: float = 60) -> RanText:
        del timeout  # in process: nothing to time out; kept so that callers read as before
        return invoke_text(*args, cwd=tmp_path)

    return _run

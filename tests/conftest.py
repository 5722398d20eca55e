"""Shared fixtures: a fresh Masker per test, no global state to reset.

Also: the ``slow`` marker on tests that start real servers or SDK pipelines (run the fast suite
with ``-m "not slow"``). Hypothesis profiles live in ``tests/ci_plugin.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.clirun import RanText, invoke_text
from tracemask import Masker

Run = Callable[..., RanText]

pytest_plugins = ["tests.ci_plugin", "tests.schedule_plugin"]


#: A fixture whose return annotation names one of these starts a real server process (the
#: gateway, an upstream, an egress capture server for SDK pipelines): its tests are ``slow``.
SERVER_TYPES = ("Server", "Upstream")
#: Modules whose every test starts a server process of its own.
SLOW_MODULES = frozenset({"test_network.py"})


def _starts_a_server(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    for defs in getattr(info, "name2fixturedefs", {}).values():
        for fixture in defs:
            returns = str(getattr(fixture.func, "__annotations__", {}).get("return", ""))
            if any(kind in returns for kind in SERVER_TYPES):
                return True
    return False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that start real servers or SDK pipelines ``slow``."""
    for item in items:
        if item.path.name in SLOW_MODULES or _starts_a_server(item):
            item.add_marker(pytest.mark.slow)


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

"""The CI plugin: deterministic Hypothesis by default, skips fail when TRACEMASK_CI is set."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import settings

from tests import ci_plugin

pytest_plugins = ["pytester"]

TESTS = Path(__file__).parent

SKIPPING = """
import pytest

def test_runs():
    pass

def test_needs_something():
    pytest.skip("something is not installed")
"""


def test_the_default_profile_is_derandomized() -> None:
    assert settings.default.derandomize
    assert settings.default.database is None


def test_a_skip_passes_locally_and_fails_under_tracemask_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_x=SKIPPING)
    monkeypatch.delenv("TRACEMASK_CI", raising=False)
    local = pytester.runpytest("-p", "tests.ci_plugin")
    local.assert_outcomes(passed=1, skipped=1)
    assert local.ret == pytest.ExitCode.OK
    monkeypatch.setenv("TRACEMASK_CI", "1")
    ci = pytester.runpytest("-p", "tests.ci_plugin")
    ci.assert_outcomes(passed=1, skipped=1)
    assert ci.ret == pytest.ExitCode.TESTS_FAILED
    ci.stdout.fnmatch_lines(
        ["*TRACEMASK_CI is set and 1 test(s) were skipped*test_needs_something*"]
    )


def test_a_module_level_skip_counts_too(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_y="import pytest\npytest.importorskip('no_such_module_xyz')\n")
    pytester.makepyfile(test_z="def test_ok():\n    pass\n")
    monkeypatch.setenv("TRACEMASK_CI", "1")
    result = pytester.runpytest("-p", "tests.ci_plugin")
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_dev_runs_a_fifth_of_the_examples_and_ci_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ci_plugin, "PROFILE", "ci")
    assert [ci_plugin.examples(n) for n in (5, 40, 300)] == [5, 40, 300]
    monkeypatch.setattr(ci_plugin, "PROFILE", "dev")
    assert [ci_plugin.examples(n) for n in (5, 40, 300)] == [5, 10, 60]


def test_every_property_test_sizes_its_search_through_examples() -> None:
    """A literal ``max_examples=300`` would run all 300 in a plain ``pytest`` too: the README's
    run would grow with every such test (``examples(300)`` is 300 in CI, 60 there)."""
    literal = re.compile(r"max_examples\s*=\s*\d")
    found = [
        f"{path.relative_to(TESTS.parent)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != "test_ci_plugin.py"  # this file names the pattern
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if literal.search(line)
    ]
    assert found == [], "use max_examples=examples(N) (tests/ci_plugin.py)"

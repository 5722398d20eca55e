"""Pytest plugin for deterministic, honest runs (loaded by tests/conftest.py).

* Hypothesis is deterministic unless asked otherwise, so a run cannot fail on a counterexample
  nobody has seen before (those found are pinned with ``@example``). Two derandomized
  profiles: ``dev``, the default (a plain ``pytest``, the README's), runs a fifth of each
  property test's examples (:func:`examples`) and every pinned one, so that the README's two
  commands stay under a minute; ``ci`` (``HYPOTHESIS_PROFILE=ci``, set by ``.ci/run``) runs
  them all. ``scripts/hypothesis_search.py`` runs the randomized search under the ``search``
  profile (``HYPOTHESIS_PROFILE=search``), with the full counts too.
* With ``TRACEMASK_CI`` set (``.ci/run`` sets it), a skipped test fails the run: CI installs
  every optional package, so a skip there can only hide a missing install step.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

#: The environment variable that makes a skip fail the run.
FAIL_ON_SKIP = "TRACEMASK_CI"

# No per-example deadline or slowness check: on a loaded 2-core box (xdist workers, servers
# in other tests) an example can take 200 ms for reasons outside the code, and speed is what
# the benchmarks measure, not the tests.
#: The loaded Hypothesis profile: ``dev`` (default), ``ci`` or ``search``.
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "dev")
#: Under ``dev``, a property test runs ``1 / DEV_SHARE`` of the examples it is written for.
DEV_SHARE = 5
#: ... but never fewer than this (nor more than it is written for).
DEV_FLOOR = 10


def examples(full: int) -> int:
    """The number of examples for a property test written for ``full``: all of them under
    ``ci`` and ``search``, a fifth (at least ``DEV_FLOOR``) under ``dev``. Derandomized, the
    ``dev`` run is a fixed part of the ``ci`` one's budget, not a different search."""
    if PROFILE != "dev":
        return full
    return min(full, max(DEV_FLOOR, full // DEV_SHARE))


_DETERMINISTIC = settings(
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("ci", _DETERMINISTIC)
settings.register_profile("dev", _DETERMINISTIC, max_examples=examples(100))
settings.register_profile("search", derandomize=False, print_blob=True)
settings.load_profile(PROFILE)


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SkipGuard(), "tracemask-skip-guard")


class SkipGuard:
    """Collects skipped tests and, under ``TRACEMASK_CI``, turns a green run red."""

    def __init__(self) -> None:
        self.skipped: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # A documentation snippet marked `<!-- skip: next "why" -->` is an explicit,
        # reviewed exception (it cannot run standalone), not a missing install.
        documented = report.nodeid.split("::")[0].endswith(".md")
        if report.skipped and not hasattr(report, "wasxfail") and not documented:
            self.skipped.append(report.nodeid)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.skipped:
            self.skipped.append(report.nodeid)

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if os.environ.get(FAIL_ON_SKIP) and self.skipped and exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if os.environ.get(FAIL_ON_SKIP) and self.skipped:
            names = ", ".join(self.skipped[:10]) + (" ..." if len(self.skipped) > 10 else "")
            terminalreporter.write_line(
                f"{FAIL_ON_SKIP} is set and {len(self.skipped)} test(s) were skipped; install "
                f"what they need: {names}",
                red=True,
            )

"""Pytest plugin (loaded by tests/conftest.py): how ``--dist loadfile`` hands files to workers.

xdist's ``loadfile`` gives each worker whole files, the files with the most tests first. The
files under ``tests/server/`` have few tests each, so they came last, and both workers ran
them side by side: two workers each waiting on a server process (timeouts, drains, a delayed
upstream) while the cores were idle. Here those files are one unit of work, handed out first:
one worker runs them, in their collection order, while the other runs the CPU-bound files;
the rest is scheduled as before. The session servers of ``tests/server/conftest.py``
(``gateway``, ``aux``) then start once per run instead of once per worker.

Only the order and the grouping change: every test runs, on one worker, once. ``-n0`` and the
other ``--dist`` modes are untouched.
"""

from __future__ import annotations

from typing import Any

import pytest

#: Files under these directories form one unit of work, scheduled first.
SERVER_DIRS = ("tests/server/",)
#: The name of that unit.
SERVER_UNIT = "tests/server"


def scope_of(nodeid: str) -> str:
    """The unit of work of a test: its file, or :data:`SERVER_UNIT` for a server test file."""
    path = nodeid.split("::", 1)[0]
    if path.startswith(SERVER_DIRS):
        return SERVER_UNIT
    return path


def _scheduler_class() -> type:
    from xdist.scheduler import LoadFileScheduling  # noqa: PLC0415 - only under xdist

    class ServerFirstLoadFile(LoadFileScheduling):  # type: ignore[misc]
        """``loadfile`` with the server files as one unit, handed out first."""

        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            # The queue is in xdist's order (the most tests first); the server unit goes first.
            if SERVER_UNIT in self.workqueue:
                self.workqueue.move_to_end(SERVER_UNIT, last=False)
            super()._assign_work_unit(node)

    return ServerFirstLoadFile


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadfile":
        return None
    return _scheduler_class()(config, log)

"""The xdist scheduler of tests/schedule_plugin.py: every test once, the server files together."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from tests import schedule_plugin

#: The server files hold fewer tests than two other files: xdist alone would hand them out third.
IDS = [
    "tests/a/test_many.py::test_1",
    "tests/a/test_many.py::test_2[x]",
    "tests/a/test_many.py::test_2[y]",
    "tests/a/test_many.py::test_3",
    "tests/server/test_x.py::test_1",
    "tests/server/test_x.py::test_2",
    "docs/page.md::line:1,column:1",
    "tests/server/test_y.py::test_1",
    "tests/b/test_few.py::test_1",
    "tests/b/test_more.py::test_1",
    "tests/b/test_more.py::test_2",
    "tests/b/test_more.py::test_3",
    "tests/b/test_more.py::test_4",
    "tests/serverless/test_z.py::test_1",
]
SERVER = [i for i in IDS if i.startswith("tests/server/")]


class _Config:
    option = SimpleNamespace(loadscopereorder=True)

    def __init__(self, dist: str = "loadfile") -> None:
        self.dist = dist

    def getvalue(self, name: str) -> Any:
        return {"tx": ["2*popen"], "dist": self.dist}[name]


class _Node:
    """What the scheduler calls on a worker."""

    def __init__(self, name: str) -> None:
        self.gateway = SimpleNamespace(id=name)
        self.pending: list[int] = []
        self.shutting_down = False

    def send_runtest_some(self, indexes: list[int]) -> None:
        self.pending.extend(indexes)

    def shutdown(self) -> None:
        self.shutting_down = True


def _run(config: _Config) -> list[list[str]]:
    """Schedule IDS on two workers that finish a test at a time in turn: what each ran."""
    sched = schedule_plugin.pytest_xdist_make_scheduler(config, None)  # type: ignore[arg-type]
    nodes = [_Node("gw0"), _Node("gw1")]
    for node in nodes:
        sched.add_node(node)
    for node in nodes:
        sched.add_node_collection(node, IDS)
    sched.schedule()
    ran: list[list[str]] = [[], []]
    while any(node.pending for node in nodes):
        for k, node in enumerate(nodes):
            if node.pending:
                index = node.pending.pop(0)
                ran[k].append(IDS[index])
                sched.mark_test_complete(node, index)
    assert sched.tests_finished
    assert all(node.shutting_down for node in nodes)
    return ran


def test_every_test_runs_once_and_the_server_files_first_on_one_worker() -> None:
    ran = _run(_Config())
    assert sorted(ran[0] + ran[1]) == sorted(IDS)
    server_worker = next(r for r in ran if SERVER[0] in r)
    assert server_worker[: len(SERVER)] == SERVER  # first, together, in collection order
    other = ran[1 - ran.index(server_worker)]
    assert not set(SERVER) & set(other)
    for worker in ran:  # the other files stay whole: a file's tests on one worker, in order
        for path in {i.split("::")[0] for i in worker}:
            assert [i for i in worker if i.startswith(path + "::")] == [
                i for i in IDS if i.startswith(path + "::")
            ]


def test_units() -> None:
    assert schedule_plugin.scope_of("tests/server/test_network.py::test_a") == "tests/server"
    assert schedule_plugin.scope_of("tests/server/sub/test_b.py::C::test_c") == "tests/server"
    assert schedule_plugin.scope_of("tests/serverless/test_z.py::t") == "tests/serverless/test_z.py"
    assert schedule_plugin.scope_of("docs/server.md::line:3,column:1") == "docs/server.md"


def test_other_dist_modes_keep_xdists_scheduler() -> None:
    assert schedule_plugin.pytest_xdist_make_scheduler(_Config("load"), None) is None  # type: ignore[arg-type]

"""The package's import graph: no cycle between modules or packages, the engine below its adapters.

Every import counts: top-level, inside functions, and under ``TYPE_CHECKING`` (a cycle hidden
behind a lazy import is still a cycle in the design).
"""

from __future__ import annotations

import ast
import functools
import gc
from collections.abc import Iterable, Mapping
from pathlib import Path

import tracemask

SRC = Path(tracemask.__file__).resolve().parent.parent
DOCS = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"

#: The adapters: everything else (the engine) must never import them.
ADAPTERS = frozenset(
    {
        "tracemask.__main__",
        "tracemask.batch",
        "tracemask.bench",
        "tracemask.cli",
        "tracemask.evaluation",
        "tracemask.integrations",
        "tracemask.server",
    }
)


def modules() -> dict[str, tuple[Path, bool]]:
    """``module name -> (file, is_package)`` for every module of the package."""
    found: dict[str, tuple[Path, bool]] = {}
    for path in (SRC / "tracemask").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


@functools.cache
def module_graph() -> dict[str, frozenset[str]]:
    """``module -> modules it imports`` (a ``from pkg import sub`` counts as importing ``sub``)."""
    # CPython 3.11 raises "AST constructor recursion depth mismatch" when a finalizer (another
    # test's garbage) runs while a tree is built: no garbage collection while parsing (and no
    # forced collection either, which would run those finalizers inside this test).
    gc.disable()
    try:
        return _module_graph()
    finally:
        gc.enable()


def _module_graph() -> dict[str, frozenset[str]]:
    mods = modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, (path, is_package) in mods.items():
        package = name if is_package else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[name].update(a.name for a in node.names if a.name in mods)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    if sub in mods:
                        graph[name].add(sub)
                    elif target in mods:
                        graph[name].add(target)
        graph[name].discard(name)
    return {m: frozenset(targets) for m, targets in graph.items()}


def unit(module: str) -> str:
    """The package-level unit of a module: ``tracemask.X`` (a subpackage or a top module)."""
    return ".".join(module.split(".")[:2])


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for a, targets in module_graph().items():
        graph.setdefault(unit(a), set())
        for b in targets:
            graph.setdefault(unit(b), set())
            if unit(a) != unit(b):
                graph[unit(a)].add(unit(b))
    return graph


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert cycles({"a": ["b"], "b": []}) == []


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = module_graph()
    assert "tracemask._compiled" in graph["tracemask._walker"]  # under TYPE_CHECKING
    assert "tracemask.detectors.ner" in graph["tracemask._compiled"]  # inside a function
    assert "tracemask._jsonstr" in graph["tracemask._walker"]  # from tracemask import _jsonstr


def test_no_import_cycle_between_modules() -> None:
    assert cycles(module_graph()) == []


def test_no_import_cycle_between_packages() -> None:
    assert cycles(package_graph()) == []


def test_the_engine_never_imports_an_adapter() -> None:
    graph = package_graph()
    engine = set(graph) - ADAPTERS
    leaks = {a: sorted(graph[a] & ADAPTERS) for a in engine if graph[a] & ADAPTERS}
    assert leaks == {}


def test_architecture_doc_names_every_package() -> None:
    text = DOCS.read_text(encoding="utf-8")
    packages = {name for name, (_, is_package) in modules().items() if is_package}
    public = {u for u in package_graph() if not u.rpartition(".")[2].startswith("_")}
    missing = sorted(
        u for u in (packages | public) - {"tracemask"} if unit(u) == u and f"`{u[10:]}`" not in text
    )
    assert missing == []

"""Docs that run: every ``python`` and ``bash`` block of README.md and docs/ is a test (Sybil).

Python blocks of one file share a namespace, in order. Bash blocks run with ``bash -euo
pipefail`` in a scratch directory holding ``src/`` and ``benchmarks/`` of this checkout, with
this interpreter's ``bin/`` first on ``PATH``; ``pip install …`` lines are checked (every extra
they name exists in pyproject.toml), not run. A block that cannot run standalone is preceded by
``<!-- skip: next "why" -->``, the exception, listed in the test report with its reason.
``<!-- invisible-code-block: python -->`` blocks hold a document's setup (recording servers,
placeholders the prose leaves implicit) and check what a snippet did: a bash block's output is
``bash_stdout`` for the next python block; the bash blocks of one page share a scratch
directory, ``bash_dir`` (where a setup block writes the files a page's commands name), and a
setup may map what the page shows to what the test started
(``doc_replace = {"localhost:4318": "127.0.0.1:40123"}``: a service on a free port, a path
outside the sandbox). Servers started through ``tests.docs_setup`` stop when the page ends.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from sybil import Example, Sybil
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser, SkipParser

ROOT = Path(__file__).resolve().parent
_PIP = re.compile(r"^\s*(?:\S*/)?(?:python3? -m )?pip install\b(?P<args>.*)$")


def _extras() -> set[str]:
    import tomllib  # noqa: PLC0415 - Python 3.11+, as CI; on 3.10 the extras go unchecked

    with (ROOT / "pyproject.toml").open("rb") as f:
        return set(tomllib.load(f)["project"]["optional-dependencies"])


def _check_pip(args: str) -> None:
    """``pip install 'tracemask[a,b]'`` names extras that exist."""
    for word in shlex.split(args.split("#", maxsplit=1)[0]):
        for extras in re.findall(r"^(?:tracemask|\.|-e|\.)\[([^\]]*)\]$", word.strip("'\"")):
            unknown = {e.strip() for e in extras.split(",")} - _extras()
            assert not unknown, f"pip install names unknown extras {sorted(unknown)}"


def run_bash(example: Example) -> None:
    lines = []
    for line in example.parsed.splitlines():
        m = _PIP.match(line)
        if m:
            if sys.version_info >= (3, 11):
                _check_pip(m.group("args"))
            continue
        lines.append(line)
    script = "\n".join(lines)
    # What the page shows (the service's default address, a system path), where the page's
    # setup put it instead (a free port: the default may be taken; a path in the sandbox).
    for shown, actual in dict(example.namespace.get("doc_replace") or {}).items():
        script = script.replace(shown, actual)
    tmp = example.namespace["bash_dir"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT / "src")
    proc = subprocess.run(  # noqa: S603 - the documentation's own commands
        ["bash", "-euo", "pipefail", "-c", script],  # noqa: S607
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, (
        f"{example.path}:{example.line}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    )
    example.namespace["bash_stdout"] = proc.stdout


def _setup(namespace: dict[str, object]) -> None:
    namespace["__environ"] = dict(os.environ)  # a document may export keys: restored after it
    tmp = tempfile.mkdtemp(prefix="tracemask-doc-")
    for name in ("src", "benchmarks"):
        os.symlink(ROOT / name, Path(tmp) / name)
    namespace["bash_dir"] = tmp


def _teardown(namespace: dict[str, object]) -> None:
    saved = namespace["__environ"]
    assert isinstance(saved, dict)
    try:
        setup = sys.modules.get("tests.docs_setup")  # imported by a page that started servers
        if setup is not None:
            setup.cleanup()
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(str(namespace["bash_dir"]), ignore_errors=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    """A skipped snippet is reported at its page and line (``-ra``), not inside pytest."""
    report = yield
    example = getattr(item, "example", None)
    if report.skipped and isinstance(example, Example) and isinstance(report.longrepr, tuple):
        report.longrepr = (str(item.path), example.line - 1, report.longrepr[2])
    return report


pytest_collect_file = Sybil(
    parsers=[
        SkipParser(),
        PythonCodeBlockParser(),
        CodeBlockParser(language="bash", evaluator=run_bash),
    ],
    patterns=["README.md", "docs/*.md", "docs/**/*.md"],
    path=str(ROOT),
    setup=_setup,
    teardown=_teardown,
).pytest()

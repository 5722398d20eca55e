"""Run the ``tracemask`` CLI in process (click's test isolation) or as a real subprocess.

In process is the default for CLI tests: the same entry function (``tracemask.cli.run``) that the
console script calls, with stdin, stdout and stderr swapped for buffers, the working directory
and the environment set for the call. A subprocess is kept for what only a process shows: the
console script, exit codes seen by a shell, a closed pipe, no traceback on stderr.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from tracemask.cli import run as cli_run


@dataclass
class Ran:
    """What a run left: exit code, stdout and stderr bytes (``subprocess.CompletedProcess``'s
    field names, so that one assertion helper fits both)."""

    returncode: int
    stdout: bytes
    stderr: bytes


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def invoke(
    *args: str, cwd: Path, stdin: bytes | str = b"", env: dict[str, str] | None = None
) -> Ran:
    """``tracemask ARGS`` in process, in ``cwd``, without any TRACEMASK_* variable but ``env``."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("TRACEMASK_")}
    with (
        _cwd(cwd),
        CliRunner().isolation(input=data, env={**unset, **(env or {})}) as (out, err, _),
    ):
        code = cli_run(list(args))
    return Ran(code, out.getvalue(), err.getvalue())


def spawn(
    *args: str,
    cwd: Path,
    stdin: bytes | str = b"",
    env: dict[str, str] | None = None,
    script: bool = False,
    timeout: float = 60,
) -> Ran:
    """``python -m tracemask ARGS`` (or the ``tracemask`` console script) in a subprocess."""
    if script:
        cmd = [str(Path(sys.executable).parent / "tracemask"), *args]
    else:
        cmd = [sys.executable, "-m", "tracemask", *args]
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
    base["PYTHONDONTWRITEBYTECODE"] = "1"
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    proc = subprocess.run(
        cmd,
        input=data,
        capture_output=True,
        cwd=cwd,
        env={**base, **(env or {})},
        timeout=timeout,
        check=False,
    )
    return Ran(proc.returncode, proc.stdout, proc.stderr)


@dataclass
class RanText:
    """:class:`Ran` with stdout and stderr decoded as UTF-8."""

    returncode: int
    stdout: str
    stderr: str


def invoke_text(
    *args: str, cwd: Path, stdin: bytes | str = b"", env: dict[str, str] | None = None
) -> RanText:
    """:func:`invoke` with text output."""
    ran = invoke(*args, cwd=cwd, stdin=stdin, env=env)
    return RanText(ran.returncode, ran.stdout.decode("utf-8"), ran.stderr.decode("utf-8"))

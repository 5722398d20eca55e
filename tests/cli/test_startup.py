"""Start-up: ``tracemask redact`` imports and compiles only what masking a file needs.

Start-up is paid by every ``redact`` in a shell loop or a CI step, so the commands' modules are
imported on first use and detector regexes are compiled when they first run. These tests pin
that down: a heavy import slipping back onto the ``redact`` path fails here, not in a benchmark.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.clirun import invoke

#: Modules ``redact`` of one JSON Lines file must not import: other commands, adapters and
#: optional extras (the server, integrations, benchmark, archive jobs, encryption tooling).
HEAVY = (
    "tracemask.cli.crypto",
    "tracemask.cli.evaluate",
    "tracemask.cli.serve",
    "tracemask.cli.policy",
    "tracemask.cli._html",
    "tracemask.batch",
    "tracemask.bench",
    "tracemask.evaluation",
    "tracemask.server",
    "tracemask.integrations",
    "yaml",
    "tqdm",
    "fsspec",
    "pyarrow",
    "starlette",
    "uvicorn",
    "httpx",
    "faker",
    "cryptography",
    "concurrent.futures",
    "multiprocessing",
)

_PROBE = """
import json, sys
from tracemask.cli import run
code = run(sys.argv[1:])
from tracemask.detectors._lazyre import LazyPattern
import gc
lazy = [o for o in gc.get_objects() if isinstance(o, LazyPattern)]
from pydantic.plugin import _loader
import os
print(json.dumps({
    "plugin_scan": _loader._plugins is not None,
    "plugin_env": os.environ.get("PYDANTIC_DISABLE_PLUGINS"),
    "code": code,
    "modules": sorted(sys.modules),
    "regexes": len(lazy),
    "compiled": sum(p.is_compiled for p in lazy),
}))
"""


def _probe(*args: str, cwd: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        cwd=cwd,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)},
    )
    assert proc.returncode == 0, proc.stderr.decode()
    result: dict[str, Any] = json.loads(proc.stdout.decode().splitlines()[-1])
    return result


def test_redact_jsonl_imports_no_heavy_module(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"msg": "mail jane.doe@example.com"}\n', encoding="utf-8")
    result = _probe("redact", "--format", "jsonl", str(src), "-o", "out.jsonl", cwd=tmp_path)
    assert result["code"] == 0
    masked = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert masked == '{"msg": "mail <EMAIL_ADDRESS>"}\n'
    modules = set(result["modules"])
    loaded = sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))
    assert loaded == []
    # Detector regexes are compiled when they first run: one email runs a handful of them.
    # pydantic's plugin discovery (every installed distribution's entry points) is skipped,
    # and the switch is not left set for what the process starts.
    assert result["plugin_scan"] is False
    assert result["plugin_env"] is None
    regexes, compiled = int(result["regexes"]), int(result["compiled"])
    assert regexes > 300
    assert compiled < regexes // 4


def test_version_imports_no_engine(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from tracemask.cli import run; run(['--version']);"
            "print(sorted(m for m in sys.modules if m.startswith('tracemask.detectors')))",
        ],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().splitlines()[-1] == "[]"


def test_help_lists_every_command(tmp_path: Path) -> None:
    ran = invoke("--help", cwd=tmp_path)
    assert ran.returncode == 0
    listed = {
        line.split()[0]
        for line in ran.stdout.decode().split("Commands:", 1)[1].splitlines()
        if line.strip()
    }
    expected = {"redact", "detect", "scan", "decrypt", "keygen", "eval", "bench", "policy"}
    assert expected | {"serve", "sink"} <= listed


def test_each_lazily_imported_command_runs(tmp_path: Path) -> None:
    for command in ("redact", "detect", "scan", "decrypt", "keygen", "eval", "bench", "serve"):
        ran = invoke(command, "--help", cwd=tmp_path)
        assert ran.returncode == 0, (command, ran.stderr)
        assert b"Usage: tracemask " + command.encode() in ran.stdout
    ran = invoke("nosuch", cwd=tmp_path)
    assert ran.returncode == 2
    assert b"No such command 'nosuch'" in ran.stderr


def test_bare_import_is_light_and_reaches_everything(tmp_path: Path) -> None:
    code = (
        "import sys, tracemask\n"
        "light = 'tracemask._masker' not in sys.modules\n"
        "assert tracemask.Masker().mask('mail ann.lee@example.com') == 'mail <EMAIL_ADDRESS>'\n"
        "assert callable(tracemask.policy.load_policy)\n"  # a submodule, as before
        "try:\n    tracemask.nosuch\nexcept AttributeError:\n    pass\n"
        "else:\n    raise SystemExit('no AttributeError')\n"
        "assert {'Masker', 'Policy', 'policy'} <= set(dir(tracemask)) \n"
        "print(light)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=tmp_path, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().strip() == "True"

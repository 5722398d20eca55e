"""``tracemask serve`` on the command line: lazy imports, the missing extra, config errors.

The first two need a process of their own (what a fresh interpreter imports; a missing
package); ``serve --check`` runs in process, through the CLI's entry function."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import invoke_text


def _run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_import_tracemask_does_not_import_the_server_stack(tmp_path: Path) -> None:
    code = (
        "import sys, tracemask, tracemask.cli, tracemask.server\n"
        "heavy = {'starlette', 'uvicorn', 'prometheus_client', 'httpx'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}))\n"
    )
    r = _run("-c", code, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_serve_without_the_extra_says_how_to_install(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "sys.modules['starlette'] = None\n"
        "from tracemask.cli import run\n"
        "sys.exit(run(['serve', '--port', '0']))\n"
    )
    r = _run("-c", code, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == (
        "tracemask: error: tracemask serve needs the server extra: "
        "pip install 'tracemask[server]'\n"
    )


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        ("server: {port: 99999}\n", {}, "server: port: Input should be less than or equal to"),
        ("server: {colour: red}\n", {}, "server: colour: Extra inputs are not permitted"),
        ("entities: {lower: {}}\n", {}, "entities: entity names are upper case"),
        ("server: {upstream: {endpoint: ftp://x}}\n", {}, "an http:// or https:// URL"),
        (
            "server: {projects: [{policy: default}]}\n",
            {},
            "a project policy needs org_id, project_id or both",
        ),
        ("", {"TRACEMASK_LIMITS_MAX_CONCURRENCY": "many"}, "env TRACEMASK_LIMITS_MAX_CONCURRENCY"),
    ],
)
def test_config_errors_are_one_line(
    tmp_path: Path, config: str, env: dict[str, str], message: str
) -> None:
    (tmp_path / "c.yaml").write_text(config, encoding="utf-8")
    r = invoke_text("serve", "--config", "c.yaml", "--check", cwd=tmp_path, env=env)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("tracemask: error: ")
    assert r.stderr.count("\n") == 1
    assert message in r.stderr


def test_check_accepts_a_full_config(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("threshold: 0.6\nserver: {port: 1}\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text(
        "entities: {EMAIL_ADDRESS: {operator: {type: redact}}}\n"
        "server:\n"
        "  upstream: {endpoint: 'http://collector:4318', headers: {authorization: 'Basic x'}}\n"
        "  auth: {tokens: [a, b]}\n"
        "  projects:\n"
        "    - {org_id: o, project_id: p, policy: p.yaml}\n"
        "    - {project_id: q, policy: strict}\n"
        "    - {org_id: o2, policy: {threshold: 0.9}}\n",
        encoding="utf-8",
    )
    env = {"TRACEMASK_AUTH_TOKENS": "c,d", "TRACEMASK_UPSTREAM_HEADERS": '{"x-k": "v"}'}
    r = invoke_text("serve", "--config", "c.yaml", "--check", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "ok\n"

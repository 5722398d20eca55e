"""Object stores, for real: S3 through moto's server on 127.0.0.1 and s3fs (no AWS, no mock
inside the process: s3fs talks HTTP to the local server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.batch.conftest import assert_clean, make_archive, read_all
from tests.clirun import invoke
from tracemask.batch import run_job

s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """An S3 file system on the local server, with the env a user would set for the CLI."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "FSSPEC_S3_ENDPOINT_URL": endpoint,
    }.items():
        monkeypatch.setenv(name, value)
    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem(endpoint_url=endpoint, key="testing", secret="testing")
    fs.mkdir("archive")
    yield fs
    fs.rm("archive", recursive=True)
    s3fs.S3FileSystem.clear_instance_cache()


def test_s3_in_s3_out_equals_local(s3: Any, tmp_path: Path) -> None:
    src = make_archive(tmp_path / "in")
    s3.put(str(src) + "/", "archive/in/", recursive=True)
    assert run_job([str(src)], str(tmp_path / "local")).exit_code == 0

    ran = invoke("redact", "s3://archive/in", "-o", "s3://archive/out", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    s3.invalidate_cache()
    s3.get("archive/out/", str(tmp_path / "back") + "/", recursive=True)
    assert read_all(tmp_path / "back") == read_all(tmp_path / "local")
    manifest = json.loads(s3.cat("archive/out/_tracemask_manifest.json"))
    assert len(manifest["parts"]) == 8
    assert manifest["parts"]["day1/a.jsonl"]["input"] == "s3://archive/in/day1/a.jsonl"
    assert not [p for p in s3.find("archive/out") if "tracemask-tmp" in p]

    again = invoke(
        "redact", "s3://archive/in", "-o", "s3://archive/out", "--resume", "--report", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert "8 resumed" in again.stderr.decode()


def test_scan_s3_glob_reports_findings(s3: Any, tmp_path: Path) -> None:
    src = make_archive(tmp_path / "in")
    s3.put(str(src) + "/", "archive/in/", recursive=True)
    ran = invoke("scan", "s3://archive/in/day1/*.jsonl*", "--json", cwd=tmp_path)
    assert ran.returncode == 1, ran.stderr
    assert_clean(ran.stdout, ran.stderr)
    doc = json.loads(ran.stdout)
    assert [f["file"] for f in doc["files"]] == [
        "s3://archive/in/day1/a.jsonl",
        "s3://archive/in/day1/b.jsonl.gz",
    ]
    assert doc["files"][0]["findings"][0]["line"] == 1


def test_missing_bucket_is_one_line(s3: Any, tmp_path: Path) -> None:
    ran = invoke("redact", "s3://no-such-bucket/x.jsonl", "-o", "out/", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.decode().startswith("tracemask: error: s3://no-such-bucket/x.jsonl: ")
    assert len(ran.stderr.splitlines()) == 1

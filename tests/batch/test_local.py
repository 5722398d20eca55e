"""``tracemask redact``/``scan`` over archives on the local engine: formats, layout, manifest,
resume, errors. Masking itself is Masker's: these tests check that every record gets to it and
comes back in its own format."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.batch.conftest import (
    CARD,
    EMAIL,
    PHONE,
    TRACE_ID,
    assert_clean,
    jsonl,
    read_all,
    record,
    write_parquet,
)
from tests.clirun import invoke
from tracemask import Masker
from tracemask.batch import run_job

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_directory_mirrors_layout_every_format(archive: Path, tmp_path: Path) -> None:
    before = snapshot(archive)
    ran = invoke("redact", str(archive), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == b""
    out = read_all(tmp_path / "out")
    assert set(out) == set(snapshot(archive))  # same layout, same names
    assert_clean(*out.values())
    assert snapshot(archive) == before  # inputs untouched
    # Each format comes back as itself, masked through Masker, decoys kept.
    masker = Masker()
    lines = out["day1/a.jsonl"].decode().splitlines()
    assert [json.loads(x) for x in lines] == [masker.mask(record(i)) for i in range(30)]
    assert TRACE_ID in out["app.log"].decode()
    assert out["f.csv"].decode().splitlines()[:2] == [
        "id,note,email",
        "1,call <PHONE_NUMBER>,<EMAIL_ADDRESS>".replace("1,", "0,"),
    ]
    assert json.loads(out["e.json"]) == masker.mask(record(0))
    assert (tmp_path / "out" / "e.json").read_text().startswith("{\n  ")  # indent kept


def test_parquet_nested_columns_schema_and_row_groups_kept(tmp_path: Path) -> None:
    src = tmp_path / "t.parquet"
    write_parquet(src, 25, row_group_size=10)
    ran = invoke("redact", str(src), "-o", str(tmp_path / "o.parquet"), cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    before, after = pq.ParquetFile(src), pq.ParquetFile(tmp_path / "o.parquet")
    assert after.schema_arrow == before.schema_arrow
    assert after.metadata.num_row_groups == 3
    rows = after.read().to_pylist()
    assert rows[1]["prompt"] == "mail <EMAIL_ADDRESS> now"
    assert rows[1]["meta"] == {"note": "card <CREDIT_CARD>", "tokens": 1}
    assert rows[1]["tags"] == ["prod", "<EMAIL_ADDRESS>"]
    assert rows[1]["attrs"] == [("user.email", "<EMAIL_ADDRESS>"), ("model", "gpt-4o")]
    assert rows[1]["blob"] == b"\x00\x01"
    assert [r["id"] for r in rows] == list(range(25))


def test_columns_limits_parquet_and_csv(tmp_path: Path) -> None:
    write_parquet(tmp_path / "t.parquet", 4)
    (tmp_path / "t.csv").write_text(f"a,b\n{EMAIL},{EMAIL}\n")
    ran = invoke(
        "redact", "t.parquet", "t.csv", "-o", "out/", "--columns", "prompt,b", cwd=tmp_path
    )
    # One --columns for both files: a column missing from a file is that file's error.
    assert ran.returncode == 2
    assert ran.stderr == b"tracemask: error: t.parquet: no column b in the Parquet schema\n"
    ran = invoke("redact", "t.parquet", "-o", "p.parquet", "--columns", "prompt", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    rows = pq.read_table(tmp_path / "p.parquet").to_pylist()
    assert rows[1]["prompt"] == "mail <EMAIL_ADDRESS> now"
    assert rows[1]["tags"] == ["prod", EMAIL]  # not chosen: as it was
    ran = invoke("redact", "t.csv", "-o", "c.csv", "--columns", "b", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "c.csv").read_text().splitlines()[1] == f"{EMAIL},<EMAIL_ADDRESS>"


def test_manifest_records_parts_never_values(archive: Path, tmp_path: Path) -> None:
    result = run_job([str(archive)], str(tmp_path / "out"))
    assert result.exit_code == 0
    doc = json.loads((tmp_path / "out" / "_tracemask_manifest.json").read_text())
    parts = doc["parts"]
    assert set(parts) == {
        "day1/a.jsonl", "day1/b.jsonl.gz", "c.ndjson.bz2", "d.jsonl.zst", "e.json",
        "app.log", "f.csv", "g.parquet",
    }  # fmt: skip
    a = parts["day1/a.jsonl"]
    raw = (archive / "day1" / "a.jsonl").read_bytes()
    assert a["input_size"] == len(raw)
    assert a["input_sha256"] == hashlib.sha256(raw).hexdigest()
    assert a["records"] == 30
    assert a["findings"] == {
        "CREDIT_CARD": 20,
        "EMAIL_ADDRESS": 20,
        "PHONE_NUMBER": 20,
        "SECRET": 20,
    }
    assert a["status"] == "done"
    assert {p["policy_hash"] for p in parts.values()} == {doc["policy_hash"]}
    assert (
        parts["g.parquet"]["input_sha256"]
        == hashlib.sha256((archive / "g.parquet").read_bytes()).hexdigest()
    )
    assert_clean(json.dumps(doc), json.dumps(result.summary()))


def test_summary_report_json_and_table(archive: Path, tmp_path: Path) -> None:
    ran = invoke(
        "redact", str(archive), "-o", "out", "--report", "--report-json", "r.json", cwd=tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["files"] == 8
    assert doc["findings"]["by_entity"]["EMAIL_ADDRESS"] > 0
    assert "messages.*.content" in doc["findings"]["by_path"]
    assert "meta.note" in doc["findings"]["by_path"]  # a Parquet struct field
    assert doc["mb_per_s"] is not None
    err = ran.stderr.decode()
    assert "ENTITY" in err
    assert "PATH/COLUMN" in err
    assert "FILE" in err
    assert_clean(ran.stderr, (tmp_path / "r.json").read_bytes())


def test_one_compressed_file_to_stdout(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(jsonl(5)))
    ran = invoke("redact", "x.jsonl.gz", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    # stdout gets the records themselves, compressed as the input was.
    lines = gzip.decompress(ran.stdout).decode().splitlines()
    assert len(lines) == 5
    assert_clean(gzip.decompress(ran.stdout))


def test_globs_and_several_inputs_need_a_directory(archive: Path, tmp_path: Path) -> None:
    ran = invoke("redact", str(archive / "day1" / "*.jsonl*"), cwd=tmp_path)
    assert ran.returncode == 2
    assert (
        ran.stderr.decode() == "tracemask: error: several input files: give -o DIR to write them\n"
    )
    ran = invoke("redact", str(archive / "day1" / "*.jsonl*"), "-o", "g/", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert sorted(p.name for p in (tmp_path / "g").iterdir()) == [
        "_tracemask_manifest.json", "a.jsonl", "b.jsonl.gz",
    ]  # fmt: skip


def test_refuses_to_write_over_an_input(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(jsonl(2)))
    ran = invoke("redact", "a.jsonl.gz", "-o", "a.jsonl.gz", cwd=tmp_path)
    assert ran.returncode == 2
    assert b"refusing to overwrite the input" in ran.stderr


# -- errors: fail, skip, quarantine --------------------------------------------------------


def test_truncated_gzip_is_a_clear_error_and_nothing_is_written(tmp_path: Path) -> None:
    whole = gzip.compress(jsonl(400))
    (tmp_path / "t.jsonl.gz").write_bytes(whole[: len(whole) // 2])
    ran = invoke("redact", "t.jsonl.gz", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stdout == b""  # nothing printed before the fatal error
    half = len(whole) // 2
    assert ran.stderr.decode() == (
        f"tracemask: error: t.jsonl.gz: truncated gzip stream (input ends at byte {half})\n"
    )
    ran = invoke("redact", "t.jsonl.gz", "-o", "o.jsonl.gz", cwd=tmp_path)
    assert ran.returncode == 2
    assert not (tmp_path / "o.jsonl.gz").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tracemask-tmp")]


def test_corrupt_part_and_truncated_gzip_lose_nothing_else(archive: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    assert run_job([str(archive)], str(clean)).exit_code == 0
    (archive / "zz.parquet").write_bytes(b"PAR1 this is not parquet PAR1")
    whole = gzip.compress(jsonl(400))
    (archive / "day1" / "t.jsonl.gz").write_bytes(whole[:-20])
    ran = invoke("redact", str(archive), "-o", "out", "--on-error", "skip", cwd=tmp_path)
    assert ran.returncode == 2  # some parts failed; every other part is done
    err = ran.stderr.decode()
    assert "zz.parquet: not a readable Parquet file" in err
    got, want = read_all(tmp_path / "out"), read_all(clean)
    assert got == want  # the failed parts have no output at all, the rest is whole
    parts = json.loads((tmp_path / "out" / "_tracemask_manifest.json").read_text())["parts"]
    assert parts["zz.parquet"]["status"] == "failed"
    assert "truncated gzip stream" in parts["day1/t.jsonl.gz"]["error"]
    # With fail (the default) the job stops with the same documented error.
    ran = invoke("redact", str(archive), "-o", "out2", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.decode().startswith("tracemask: error: ")
    assert len(ran.stderr.decode().splitlines()) == 1


def test_bad_records_fail_skip_or_quarantine_masked(tmp_path: Path) -> None:
    data = jsonl(2) + f'{{"broken": "{EMAIL} {CARD}"\n'.encode() + b'{"a": "\xff"}\n' + jsonl(1, 5)
    (tmp_path / "d.jsonl.gz").write_bytes(gzip.compress(data))
    ran = invoke("redact", "d.jsonl.gz", "-o", "o.jsonl.gz", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.decode() == (
        "tracemask: error: d.jsonl.gz: record 3 (line 3): invalid JSON "
        "(Expecting ',' delimiter, column 54)\n"
    )
    assert not (tmp_path / "o.jsonl.gz").exists()

    ran = invoke("redact", "d.jsonl.gz", "-o", "s/", "--on-error", "skip", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    kept = gzip.decompress((tmp_path / "s" / "d.jsonl.gz").read_bytes()).decode().splitlines()
    assert [json.loads(x)["i"] for x in kept] == [0, 1, 5]

    ran = invoke("redact", "d.jsonl.gz", "-o", "q/", "--on-error", "quarantine", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    held = (tmp_path / "q" / "_quarantine" / "d.jsonl.gz.jsonl").read_text()
    rows = [json.loads(x) for x in held.splitlines()]
    assert [(r["record"], r["line"]) for r in rows] == [(3, 3), (4, 4)]
    assert "not valid utf-8 at byte offset" in rows[1]["error"]
    assert "<EMAIL_ADDRESS>" in rows[0]["text"]
    assert "<CREDIT_CARD>" in rows[0]["text"]
    assert_clean(held)  # stored masked as text, never raw
    summary = run_job([str(tmp_path / "d.jsonl.gz")], None, scan=True, on_error="skip")
    assert summary.parts[0].errors  # scan reports them too


def test_text_encoding_and_byte_offset(tmp_path: Path) -> None:
    (tmp_path / "l.log").write_bytes(f"caf\xe9 {EMAIL}\n".encode("latin-1"))
    ran = invoke("redact", "l.log", "-o", "o/", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr.decode() == (
        "tracemask: error: l.log: record 1 (line 1): not valid utf-8 at byte offset 3\n"
    )
    ran = invoke("redact", "l.log", "-o", "o/", "--encoding", "latin-1", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "o" / "l.log").read_bytes() == "caf\xe9 <EMAIL_ADDRESS>\n".encode("latin-1")


# -- scan ----------------------------------------------------------------------------------


def test_scan_archive_reports_file_record_path(archive: Path, tmp_path: Path) -> None:
    ran = invoke("scan", str(archive), "--json", cwd=tmp_path)
    assert ran.returncode == 1, ran.stderr
    assert_clean(ran.stdout, ran.stderr)
    doc = json.loads(ran.stdout)
    files = {Path(f["file"]).relative_to(archive).as_posix(): f for f in doc["files"]}
    assert files["app.log"]["findings"] == [
        {"record": 1, "line": 1, "path": "", "entity": "EMAIL_ADDRESS", "count": 1}
    ]
    first = files["day1/b.jsonl.gz"]["findings"][0]
    assert (first["record"], first["line"]) == (1, 1)
    parquet = {(f["record"], f["path"]) for f in files["g.parquet"]["findings"]}
    assert (1, "meta.note") in parquet
    assert (2, "prompt") in parquet
    csv_lines = {(f["line"], f["path"]) for f in files["f.csv"]["findings"]}
    assert (2, "email") in csv_lines
    assert (2, "note") in csv_lines
    text = invoke("scan", str(archive), cwd=tmp_path).stdout.decode()
    assert f"{archive / 'app.log'}: line 1: (root): EMAIL_ADDRESS" in text


def test_scan_goes_on_past_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl.gz").write_bytes(b"not gzip at all")
    (tmp_path / "b.log").write_text(f"{EMAIL}\n")
    ran = invoke("scan", ".", cwd=tmp_path)
    assert ran.returncode == 1  # the finding in b.log wins
    assert "a.jsonl.gz: corrupt gzip stream" in ran.stderr.decode()
    (tmp_path / "b.log").write_text("fine\n")
    assert invoke("scan", ".", cwd=tmp_path).returncode == 2


# -- workers and resume --------------------------------------------------------------------


def test_two_workers_give_the_same_output(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HMAC pseudonyms: the policy goes to the workers by value, the key from their environment.
    monkeypatch.setenv("TRACEMASK_HASH_KEY", "a-key-for-this-test-only-0123456789")
    policy = {"default_operator": {"type": "pseudonymize"}}
    assert run_job([str(archive)], str(tmp_path / "one"), policy=policy).exit_code == 0
    result = run_job([str(archive)], str(tmp_path / "two"), policy=policy, workers=2)
    assert result.exit_code == 0
    two = read_all(tmp_path / "two")
    assert two == read_all(tmp_path / "one")
    assert b"<EMAIL_ADDRESS_" in two["day1/a.jsonl"]
    assert_clean(*two.values())


def test_resume_after_a_kill_equals_one_clean_run(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for k in range(8):
        (src / f"p{k}.jsonl.gz").write_bytes(gzip.compress(jsonl(1500, k * 1500), mtime=0))
    assert run_job([str(src)], str(tmp_path / "clean")).exit_code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACEMASK_")}
    cmd = [sys.executable, "-m", "tracemask", "redact", str(src), "-o", str(tmp_path / "out")]
    manifest = tmp_path / "out" / "_tracemask_manifest.json"
    with subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if manifest.exists() and len(json.loads(manifest.read_text())["parts"]) >= 2:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    done = json.loads(manifest.read_text())["parts"]
    assert 2 <= len(done) < 8, "the job was not killed midway"
    ran = invoke(
        "redact", str(src), "-o", str(tmp_path / "out"), "--resume", "--report", cwd=tmp_path
    )
    assert ran.returncode == 0, ran.stderr
    assert f"{len(done)} resumed" in ran.stderr.decode()
    assert snapshot(tmp_path / "out").keys() - {"_tracemask_manifest.json"} == snapshot(
        tmp_path / "clean"
    ).keys() - {"_tracemask_manifest.json"}
    assert read_all(tmp_path / "out") == read_all(tmp_path / "clean")


def test_resume_redoes_parts_under_another_policy(archive: Path, tmp_path: Path) -> None:
    out = str(tmp_path / "out")
    assert run_job([str(archive)], out).exit_code == 0
    again = run_job([str(archive)], out, resume=True)
    assert len(again.resumed) == 8
    assert not again.parts
    other = run_job(
        [str(archive)], out, resume=True, policy={"entities": {"PERSON": {"enabled": False}}}
    )
    assert not other.resumed
    assert len(other.parts) == 8


def test_otel_file_exporter_json_lines(tmp_path: Path) -> None:
    pytest.importorskip("opentelemetry.proto")
    line = {
        "resourceSpans": [{
            "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]},
            "scopeSpans": [{"spans": [{
                "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
                "name": "chat", "attributes": [
                    {"key": "gen_ai.prompt", "value": {"stringValue": f"mail {EMAIL}"}},
                    {"key": "user.phone", "value": {"stringValue": PHONE}},
                ],
            }]}],
        }]
    }  # fmt: skip
    (tmp_path / "traces.json").write_text((json.dumps(line) + "\n") * 3)
    ran = invoke("redact", "traces.json", "-o", "out/", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    text = (tmp_path / "out" / "traces.json").read_text()
    assert_clean(text)
    docs = [json.loads(x) for x in text.splitlines()]
    assert len(docs) == 3
    span = docs[0]["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert span["traceId"] == "5b8efff798038103d269b633813fc60c"
    assert span["attributes"][0]["value"]["stringValue"] == "mail <EMAIL_ADDRESS>"


def test_otlp_protobuf_file_exporter_stream(tmp_path: Path) -> None:
    pytest.importorskip("opentelemetry.proto")
    import struct  # noqa: PLC0415

    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (  # noqa: PLC0415
        ExportTraceServiceRequest,
    )

    req = ExportTraceServiceRequest()
    span = req.resource_spans.add().scope_spans.add().spans.add()
    span.name = "chat"
    span.trace_id = bytes.fromhex("5b8efff798038103d269b633813fc60c")
    attr = span.attributes.add()
    attr.key = "gen_ai.prompt"
    attr.value.string_value = f"mail {EMAIL} card {CARD}"
    body = req.SerializeToString()
    (tmp_path / "spans.binpb").write_bytes((struct.pack(">I", len(body)) + body) * 2)
    ran = invoke("redact", "spans.binpb", "-o", "o.binpb", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    data = (tmp_path / "o.binpb").read_bytes()
    msgs = []
    while data:
        (n,) = struct.unpack(">I", data[:4])
        msg = ExportTraceServiceRequest()
        msg.ParseFromString(data[4 : 4 + n])
        msgs.append(msg)
        data = data[4 + n :]
    assert len(msgs) == 2
    got = msgs[1].resource_spans[0].scope_spans[0].spans[0]
    assert got.attributes[0].value.string_value == "mail <EMAIL_ADDRESS> card <CREDIT_CARD>"
    assert got.trace_id == span.trace_id


def test_core_and_cli_import_no_extra() -> None:
    code = (
        "import sys, tracemask, tracemask.cli, tracemask.batch\n"
        "heavy = {'fsspec', 'pyarrow', 'zstandard', 'tqdm', 'ray', 'pyspark', 's3fs'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_jsonl_batches_equal_record_by_record(tmp_path: Path) -> None:
    (tmp_path / "big.jsonl").write_bytes(jsonl(600) + b"\n" + jsonl(5, 600))
    result = run_job([str(tmp_path / "big.jsonl")], str(tmp_path / "o.jsonl"))
    assert result.exit_code == 0
    masker = Masker()
    lines = (tmp_path / "o.jsonl").read_text().split("\n")
    assert lines[600] == ""  # the blank line stays where it was
    got = [json.loads(x) for x in lines if x]
    assert got == [masker.mask(record(i)) for i in range(605)]
    assert result.parts[0].report["by_entity"]["EMAIL_ADDRESS"] == 404


def test_masking_failure_inside_a_batch_names_its_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracemask.exceptions import MaskingError  # noqa: PLC0415

    real = Masker.mask

    def mask(self: Masker, obj: object, **kw: object) -> object:
        if isinstance(obj, dict) and obj.get("i") == 300:
            raise MaskingError("masking failed at payment.card: KeyError")
        return real(self, obj, **kw)  # type: ignore[arg-type]

    def mask_many(self: Masker, objs: object, **kw: object) -> object:
        raise MaskingError("masking failed at [44].payment.card: KeyError")

    monkeypatch.setattr(Masker, "mask", mask)
    monkeypatch.setattr(Masker, "mask_many", mask_many)
    (tmp_path / "d.jsonl").write_bytes(jsonl(400))
    ran = invoke("redact", "d.jsonl", "-o", "out/", cwd=tmp_path)
    assert ran.returncode == 3
    assert ran.stderr.decode() == (
        "tracemask: error: d.jsonl: record 301 (line 301): "
        "masking failed at payment.card: KeyError\n"
    )
    assert not (tmp_path / "out" / "d.jsonl").exists()
    ran = invoke("redact", "d.jsonl", "-o", "out/", "--on-error", "skip", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    kept = [json.loads(x)["i"] for x in (tmp_path / "out" / "d.jsonl").read_text().splitlines()]
    assert kept == [i for i in range(400) if i != 300]


def test_one_big_parquet_is_shared_out_by_row_groups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the pieces go
    write_parquet(tmp_path / "big.parquet", 90, row_group_size=10)
    one = run_job([str(tmp_path / "big.parquet")], str(tmp_path / "one.parquet"))
    two = run_job([str(tmp_path / "big.parquet")], str(tmp_path / "two.parquet"), workers=2)
    assert one.exit_code == two.exit_code == 0
    a, b = pq.ParquetFile(tmp_path / "one.parquet"), pq.ParquetFile(tmp_path / "two.parquet")
    assert b.metadata.num_row_groups == a.metadata.num_row_groups == 9
    assert b.schema_arrow == a.schema_arrow
    assert b.read().to_pylist() == a.read().to_pylist()
    (p1,), (p2,) = one.parts, two.parts
    assert (p2.records, p2.report, p2.sha256) == (p1.records, p1.report, p1.sha256)
    assert p2.cpu_seconds > 0
    assert list(scratch.iterdir()) == []  # pieces removed


def test_progress_bar_only_on_a_terminal(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io  # noqa: PLC0415

    from tracemask.batch._job import tqdm_progress  # noqa: PLC0415

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    assert tqdm_progress(quiet=True) is None
    result = run_job([str(archive)], str(tmp_path / "out"), progress=tqdm_progress(quiet=False))
    assert result.exit_code == 0
    drawn = screen.getvalue()
    assert "files=8" in drawn
    assert "records=" in drawn
    assert "100%" in drawn
    assert_clean(drawn)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: no bar at all
    assert tqdm_progress(quiet=False) is None

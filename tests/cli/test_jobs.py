"""``redact --jobs N`` on JSON Lines: chunks through ``mask_many`` and worker processes.

The output must be byte-identical to one worker's and to the record-by-record path (order,
unchanged lines, blank lines, line endings, BOM), counts the same, and a bad line anywhere
(in a worker's chunk too) one error naming its line, never its content, with nothing written.
Chunks are made tiny here so that a small file spreads over several workers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.ci_plugin import examples
from tests.cli.conftest import Run

from tracemask import Masker
from tracemask._report import Report
from tracemask.cli import _lines
from tracemask.cli._io import Input
from tracemask.cli._job import Job
from tracemask.exceptions import MaskingError

SECRET_NAME = "Wilhelmina Castellanos-Oyelaran"


def _records(n: int) -> list[str]:
    lines = []
    for i in range(n):
        if i % 7 == 3:
            lines.append("\n")  # blank lines are kept as they are
            continue
        record = {
            "i": i,
            "trace_id": f"{i:032x}",
            "messages": [
                {
                    "role": "user",
                    "content": f"mail user{i}@example.com or call +1 415 555 01{i % 90:02d}",
                },
                {"role": "assistant", "content": "Noted. Order 4411 ships Friday."},
            ],
        }
        eol = "\r\n" if i % 5 == 0 else "\n"
        lines.append(json.dumps(record, indent=None if i % 2 else 1).replace("\n", " ") + eol)
    return lines


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lines, "CHUNK_BYTES", 600)


def _reference(path: Path) -> bytes:
    """The record-by-record path (one ``Masker.mask`` per line), as before chunks."""
    out: list[str] = []
    Job(Masker(), Input(str(path)), Report()).run("jsonl", out.append)
    return "".join(out).encode("utf-8")


def test_jobs_output_identical_to_one_worker_and_to_per_record(run: Run, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b"\xef\xbb\xbf" + "".join(_records(40)).encode("utf-8"))
    assert src.stat().st_size > 8 * 600  # several chunks, so several workers
    outs = {}
    for jobs in ("1", "2", "3"):
        ran = run("redact", str(src), "-o", f"out{jobs}.jsonl", "--jobs", jobs)
        assert ran.returncode == 0, ran.stderr
        outs[jobs] = (tmp_path / f"out{jobs}.jsonl").read_bytes()
    assert outs["1"] == outs["2"] == outs["3"] == _reference(src)
    masked = outs["2"].decode("utf-8")
    assert "user7@example.com" not in masked
    assert masked.count("\r\n") == sum(1 for i in range(40) if i % 5 == 0 and i % 7 != 3)
    assert [json.loads(line)["i"] for line in masked.splitlines() if line.strip()] == [
        i for i in range(40) if i % 7 != 3
    ]


def test_default_jobs_and_short_flag(run: Run, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(_records(30)), encoding="utf-8")
    assert run("redact", str(src), "-o", "a.jsonl").returncode == 0
    assert run("redact", str(src), "-o", "b.jsonl", "-j", "2").returncode == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert _lines.default_jobs() >= 1


def test_jobs_report_counts_as_one_worker(run: Run, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(_records(30)), encoding="utf-8")
    one = run("redact", str(src), "-o", "a.jsonl", "--report", "-j", "1")
    two = run("redact", str(src), "-o", "b.jsonl", "--report", "-j", "2")
    assert one.returncode == two.returncode == 0
    assert one.stderr == two.stderr
    rows = {tuple(line.split()) for line in two.stderr.decode().splitlines()}
    assert ("messages.*.content", "EMAIL_ADDRESS", "26") in rows


def test_jobs_file_to_stdout(run: Run, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(_records(25)), encoding="utf-8")
    ran = run("redact", str(src), "-j", "2")
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == _reference(src)


def test_jobs_from_stdin(run: Run, tmp_path: Path) -> None:
    data = "".join(_records(20))
    src = tmp_path / "in.jsonl"
    src.write_text(data, encoding="utf-8")
    ran = run("redact", "--format", "jsonl", "-j", "2", stdin=data)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == _reference(src)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_bad_line_in_a_later_chunk_names_line_not_value(
    run: Run, tmp_path: Path, jobs: str
) -> None:
    lines = _records(30)
    lines[25] = f'{{"user": "{SECRET_NAME}", "broken": \n'
    src = tmp_path / "in.jsonl"
    src.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("previous output\n", encoding="utf-8")
    ran = run("redact", str(src), "-o", str(out), "-j", jobs)
    assert ran.returncode == 2
    err = ran.stderr.decode()
    assert err.startswith(f"tracemask: error: {src}: line 26: invalid JSON")
    assert err.count("\n") == 1
    assert SECRET_NAME not in err
    assert "Traceback" not in err
    # Atomic output: the previous file is untouched and no temporary file is left.
    assert out.read_text(encoding="utf-8") == "previous output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_invalid_utf8_in_a_worker_chunk(run: Run, tmp_path: Path) -> None:
    data = "".join(_records(30)).encode("utf-8")
    cut = data.index(b'"i": 27')
    src = tmp_path / "in.jsonl"
    src.write_bytes(data[:cut] + b'"x": "\xff", ' + data[cut:])
    ran = run("redact", str(src), "-o", "out.jsonl", "-j", "2")
    assert ran.returncode == 2
    assert ran.stderr.decode() == f"tracemask: error: {src}: line 28: not valid UTF-8\n"
    assert not (tmp_path / "out.jsonl").exists()


def test_masking_failure_in_a_worker_exits_3_naming_the_line(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_mask, real_many = Masker.mask, Masker.mask_many

    def mask(self: Masker, obj: object, **kw: object) -> object:
        if isinstance(obj, dict) and obj.get("i") == 22:
            raise MaskingError("masking failed at messages.0.content: KeyError")
        return real_mask(self, obj, **kw)  # type: ignore[arg-type]

    def mask_many(self: Masker, objs: list[object], **kw: object) -> object:
        if any(isinstance(o, dict) and o.get("i") == 22 for o in objs):
            raise MaskingError("masking failed at [2].messages.0.content: KeyError")
        return real_many(self, objs, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Masker, "mask", mask)  # forked workers inherit the patch
    monkeypatch.setattr(Masker, "mask_many", mask_many)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(_records(30)), encoding="utf-8")
    ran = run("redact", str(src), "-o", "out.jsonl", "-j", "2")
    assert ran.returncode == 3
    assert ran.stderr.decode() == (
        f"tracemask: error: {src}: line 23: masking failed at messages.0.content: KeyError\n"
    )
    assert not (tmp_path / "out.jsonl").exists()


def test_worker_that_dies_fails_closed(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real_many = Masker.mask_many

    def mask_many(self: Masker, objs: list[object], **kw: object) -> object:
        if os.getpid() != parent and any(isinstance(o, dict) and o.get("i") == 22 for o in objs):
            os._exit(9)  # what the OOM killer or a kill -9 does to a worker
        return real_many(self, objs, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Masker, "mask_many", mask_many)
    src = tmp_path / "in.jsonl"
    src.write_text("".join(_records(30)), encoding="utf-8")
    ran = run("redact", str(src), "-o", "out.jsonl", "-j", "2")
    assert ran.returncode == 3
    assert ran.stderr.decode() == (
        f"tracemask: error: {src}: a worker process ended abruptly (killed, or out of memory?)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_counter_pseudonyms_run_in_one_worker(run: Run, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "entities:\n  EMAIL_ADDRESS:\n    operator: {type: pseudonymize, style: counter,"
        " key: k-0123456789abcdef}\n",
        encoding="utf-8",
    )
    src = tmp_path / "in.jsonl"
    src.write_text("".join(_records(30)), encoding="utf-8")
    one = run("redact", str(src), "-o", "a.jsonl", "--policy", str(policy), "-j", "1")
    two = run("redact", str(src), "-o", "b.jsonl", "--policy", str(policy), "-j", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    assert two.stderr.decode() == (
        "tracemask: note: one worker: counter pseudonyms are numbered in input order\n"
    )
    a = (tmp_path / "a.jsonl").read_text(encoding="utf-8")
    assert a == (tmp_path / "b.jsonl").read_text(encoding="utf-8")
    assert "<EMAIL_ADDRESS_25>" in a


_VALUES = st.sampled_from(
    [
        "mail ann.lee@example.com",
        "order 4411",
        "call +1 415 555 0199",
        "ok",
        "",
        "Zürich",
        "é\u2028",
    ]
)
_RECORDS = st.recursive(
    _VALUES | st.integers(-5, 5) | st.none(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner),
    max_leaves=6,
)


@given(
    lines=st.lists(
        st.tuples(
            st.one_of(
                _RECORDS.map(lambda r: json.dumps(r, ensure_ascii=False)),
                st.sampled_from(["", "  "]),
            ),
            st.sampled_from(["\n", "\r\n"]),
        ),
        min_size=1,
        max_size=12,
    ),
    size=st.integers(1, 400),
    last_eol=st.booleans(),
)
@settings(max_examples=examples(40), deadline=None)
def test_chunked_output_equals_record_by_record(
    lines: list[tuple[str, str]],
    size: int,
    last_eol: bool,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    text = "".join(content + eol for content, eol in lines)
    if not last_eol:
        text = text.rstrip("\r\n")
    path = tmp_path_factory.mktemp("chunks") / "in.jsonl"
    path.write_text(text, encoding="utf-8")
    src = Input(str(path))
    with src.open() as stream:
        got = list(_lines.chunks(src, stream, size))
    # Chunks are whole lines, in order, numbered from 1, and hold the whole input.
    assert b"".join(raw for chunk in got for raw in chunk.raws) == path.read_bytes()
    assert [c.first for c in got] == [
        1 + sum(len(c.raws) for c in got[:k]) for k in range(len(got))
    ]
    masker = Masker()
    out: list[str] = []
    with src.open() as stream:
        _lines.run(
            masker, src, stream, out.append, Report(), jobs=1, scopes={}, policy=None, profile=None
        )
    assert "".join(out).encode("utf-8") == _reference(path)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_path_rules_apply_to_json_lines(run: Run, tmp_path: Path, jobs: str) -> None:
    # mask_many once ignored path rules (the batch index led every path): a leak.
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        "path_rules:\n  - {path: user.nickname, entity: PERSON, operator: {type: replace}}\n",
        encoding="utf-8",
    )
    lines = [json.dumps({"i": i, "user": {"nickname": f"zorro{i}x"}}) + "\n" for i in range(40)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(lines), encoding="utf-8")
    ran = run("redact", str(src), "-o", "out.jsonl", "--policy", str(policy), "-j", jobs)
    assert ran.returncode == 0, ran.stderr
    out = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    assert "zorro" not in out
    assert out.count('"nickname": "<PERSON>"') == 40
    # Archive jobs (a directory) go through mask_many too.
    (tmp_path / "dir").mkdir()
    (tmp_path / "dir" / "a.jsonl").write_text("".join(lines), encoding="utf-8")
    ran = run("redact", "dir", "-o", "masked", "--policy", str(policy), "-q")
    assert ran.returncode == 0, ran.stderr
    assert "zorro" not in (tmp_path / "masked" / "a.jsonl").read_text(encoding="utf-8")

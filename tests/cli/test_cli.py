"""The ``tracemask`` command line, run through its real entry points."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from tests.clirun import Ran

from tracemask import Masker, MaskingError, __version__, load_policy
from tracemask import cli as cli_module

EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
CARD = "4111 1111 1111 1111"
PLANTED = (EMAIL, PHONE, CARD)

Run = Callable[..., Ran]
Write = Callable[[str, "str | bytes"], Path]

TRACE = {
    "trace_id": "4bf92f3577b34da6",
    "messages": [
        {"role": "user", "content": f"mail {EMAIL} or call {PHONE}"},
        {"role": "assistant", "content": "noted"},
    ],
    "payment": {"card": CARD},
    "api_key": "not-a-real-key-123",
}


def assert_clean(*outputs: bytes) -> None:
    """No planted value appears in any of ``outputs``."""
    for out in outputs:
        text = out.decode("utf-8", "replace")
        for value in PLANTED:
            assert value not in text


def one_line_error(proc: Ran) -> str:
    err = proc.stderr.decode("utf-8")
    assert proc.returncode == 2, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tracemask: error: ")
    assert_clean(proc.stderr)
    return lines[0]


# -- entry points ----------------------------------------------------------------------------


def test_version_via_module(run_process: Run) -> None:
    proc = run_process("--version")
    assert proc.returncode == 0
    assert proc.stdout.decode().strip() == f"tracemask {__version__}"


def test_console_script_redacts_stdin(run_process: Run) -> None:
    proc = run_process("redact", stdin=json.dumps(TRACE), script=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["payment"]["card"] == "<CREDIT_CARD>"
    assert_clean(proc.stdout, proc.stderr)


def test_help_documents_exit_codes(run: Run) -> None:
    proc = run("scan", "--help")
    assert proc.returncode == 0
    out = proc.stdout.decode()
    for line in ("0  ok", "1  findings", "2  user error", "3  masking failure"):
        assert line in out


def test_unknown_option_is_one_line_usage_error(run_process: Run) -> None:
    line = one_line_error(run_process("redact", "--in-place"))
    assert "--in-place" in line


# -- redact ----------------------------------------------------------------------------------


def test_redact_json_file_keeps_indent_and_order(run: Run, frozen: Write) -> None:
    frozen("trace.json", json.dumps(TRACE, indent=2) + "\n")
    proc = run("redact", "trace.json")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert_clean(proc.stdout, proc.stderr)
    doc = json.loads(out)
    assert list(doc) == list(TRACE)
    assert doc["messages"][0]["content"] == "mail <EMAIL_ADDRESS> or call <PHONE_NUMBER>"
    assert doc["trace_id"] == TRACE["trace_id"]
    assert doc["api_key"] == "<SECRET>"
    assert out.startswith('{\n  "trace_id"')


def test_redact_json_stdin_compact_stays_compact(run: Run) -> None:
    data = {"note": f"café {EMAIL}"}
    proc = run("redact", "--format", "json", stdin=json.dumps(data, ensure_ascii=False))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    assert "\n" not in out.strip()
    assert json.loads(out) == {"note": "café <EMAIL_ADDRESS>"}
    assert "café" in out  # non-ASCII is written as it came


def test_redact_jsonl_file_streams_lines(run: Run, frozen: Write) -> None:
    clean_line = '{"role": "system",  "content": "be brief"}'
    lines = [json.dumps(TRACE), "", clean_line, json.dumps({"phone": PHONE}), "   "]
    frozen("trace.jsonl", "\n".join(lines) + "\n")
    proc = run("redact", "trace.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc.stdout, proc.stderr)
    out = proc.stdout.decode().split("\n")
    assert len(out) == len(lines) + 1
    assert out[1] == ""
    assert out[2] == clean_line  # unchanged lines are copied byte for byte
    assert out[4] == "   "
    assert json.loads(out[3]) == {"phone": "<PHONE_NUMBER>"}
    assert json.loads(out[0])["payment"]["card"] == "<CREDIT_CARD>"


def test_redact_jsonl_on_stdin_is_sniffed(run: Run) -> None:
    stdin = json.dumps({"a": EMAIL}) + "\n" + json.dumps({"password": "hunter2"}) + "\n"
    proc = run("redact", "-", stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert rows == [{"a": "<EMAIL_ADDRESS>"}, {"password": "<PASSWORD>"}]
    assert b"hunter2" not in proc.stdout


def test_redact_text_file_and_json_lines_inside(run: Run, frozen: Write) -> None:
    text = (
        f"2024-05-01 user {EMAIL} paid with {CARD}\r\n"
        '{"token": "tok-abcdef-123456", "msg": "hi"}\n'
        "plain line\n"
        f"call {PHONE}"
    )
    frozen("app.log", text)
    proc = run("redact", "app.log")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc.stdout, proc.stderr)
    out = proc.stdout.decode("utf-8")
    assert out.split("\n")[0] == "2024-05-01 user <EMAIL_ADDRESS> paid with <CREDIT_CARD>\r"
    assert json.loads(out.split("\n")[1]) == {"token": "<SECRET>", "msg": "hi"}
    assert out.endswith("plain line\ncall <PHONE_NUMBER>")
    assert b"tok-abcdef" not in proc.stdout


def test_redact_text_format_on_stdin(run: Run) -> None:
    proc = run("redact", "--format", "text", stdin=f"a {EMAIL}\n\nb {PHONE}\n")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == "a <EMAIL_ADDRESS>\n\nb <PHONE_NUMBER>\n"


def test_redact_to_output_file_atomically(run: Run, frozen: Write, tmp_path: Path) -> None:
    frozen("trace.json", json.dumps(TRACE))
    proc = run("redact", "trace.json", "-o", "masked.json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b""
    masked = (tmp_path / "masked.json").read_bytes()
    assert_clean(masked)
    assert json.loads(masked)["payment"]["card"] == "<CREDIT_CARD>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["masked.json", "trace.json"]


def test_output_untouched_when_input_is_malformed(run: Run, frozen: Write, tmp_path: Path) -> None:
    frozen("bad.jsonl", json.dumps({"a": "fine"}) + "\n" + '{"a": "' + EMAIL + '" oops}\n')
    out = frozen("masked.jsonl", "previous contents\n")
    proc = run("redact", "bad.jsonl", "-o", "masked.jsonl")
    line = one_line_error(proc)
    assert line == (
        "tracemask: error: bad.jsonl: line 2: invalid JSON (Expecting ',' delimiter, column 30)"
    )
    assert out.read_bytes() == b"previous contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "masked.jsonl"]


def test_closed_stdout_is_not_an_error(frozen: Write, tmp_path: Path) -> None:
    frozen("big.jsonl", (json.dumps(TRACE) + "\n") * 3000)
    cmd = [sys.executable, "-m", "tracemask", "redact", "big.jsonl"]
    with subprocess.Popen(
        cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.read(100)
        proc.stdout.close()
        err = proc.stderr.read()
        assert proc.wait(timeout=60) == 141
    assert err == b""


def test_refuses_to_overwrite_the_input(run: Run, frozen: Write) -> None:
    frozen("trace.json", json.dumps(TRACE))
    line = one_line_error(run("redact", "trace.json", "-o", "./trace.json"))
    assert "refusing to overwrite the input" in line


def test_malformed_json_names_file_and_line(run_process: Run, frozen: Write) -> None:
    frozen("data.json", '{\n  "email": "' + EMAIL + '",\n  "card": "' + CARD + '" "x"\n}\n')
    line = one_line_error(run_process("redact", "data.json"))
    assert line == (
        "tracemask: error: data.json: line 3: invalid JSON (Expecting ',' delimiter, column 33)"
    )


def test_invalid_utf8_is_a_user_error(run: Run, frozen: Write) -> None:
    frozen("data.jsonl", b'{"a": 1}\n{"a": "\xff"}\n')
    line = one_line_error(run("redact", "data.jsonl"))
    assert line == "tracemask: error: data.jsonl: line 2: not valid UTF-8"


def test_missing_file_is_a_user_error(run: Run) -> None:
    line = one_line_error(run("redact", "nope.json"))
    assert "nope.json" in line


def test_bad_policy_names_the_field(run: Run, frozen: Write) -> None:
    frozen("trace.json", json.dumps(TRACE))
    frozen("policy.yaml", "version: 1\nthreshold: 7\n")
    line = one_line_error(run("redact", "trace.json", "--policy", "policy.yaml"))
    assert "policy.yaml: threshold:" in line


def test_report_prints_counts_not_values(run: Run, frozen: Write) -> None:
    frozen("trace.jsonl", f"{json.dumps(TRACE)}\n{json.dumps(TRACE)}\n")
    proc = run("redact", "trace.jsonl", "--report", "-o", "out.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc.stderr)
    err = proc.stderr.decode()
    rows = {tuple(line.split()) for line in err.splitlines()}
    assert ("EMAIL_ADDRESS", "2") in rows
    assert ("CREDIT_CARD", "2") in rows
    assert ("total", "8") in rows
    assert ("messages.*.content", "PHONE_NUMBER", "2") in rows
    assert ("payment.card", "CREDIT_CARD", "2") in rows


def test_report_masks_pii_in_keys(run: Run) -> None:
    proc = run("redact", "--report", stdin=json.dumps({EMAIL: f"call {PHONE}"}))
    assert proc.returncode == 0
    assert_clean(proc.stderr)
    assert "[<EMAIL_ADDRESS>]" in proc.stderr.decode()


def test_masking_failure_exits_3(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def boom(self: Masker, obj: object, *, report: object = None) -> object:
        raise MaskingError("masking failed at messages.0.content: KeyError")

    def boom_many(self: Masker, objs: object, *, report: object = None) -> object:
        raise MaskingError("masking failed at [0].messages.0.content: KeyError")

    (tmp_path / "t.jsonl").write_text(json.dumps(TRACE) + "\n")
    monkeypatch.setattr(Masker, "mask", boom)
    monkeypatch.setattr(Masker, "mask_many", boom_many)  # JSON Lines go in batches first
    code = cli_module.run(["redact", str(tmp_path / "t.jsonl"), "-o", str(tmp_path / "o")])
    assert code == 3
    err = capfd.readouterr().err
    assert err == (
        f"tracemask: error: {tmp_path / 't.jsonl'}: line 1: "
        "masking failed at messages.0.content: KeyError\n"
    )
    assert not (tmp_path / "o").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["t.jsonl"]


# -- detect ----------------------------------------------------------------------------------


def test_detect_jsonl_contract(run: Run, frozen: Write) -> None:
    rows = [
        {"id": 7, "text": f"write to {EMAIL} today", "lang": "en"},
        {"id": "b", "text": f"call {PHONE}, card {CARD}"},
        {"id": None, "text": "nothing to see"},
        {"text": f"é🙂 {EMAIL}"},  # non-BMP character: offsets are str offsets, not bytes
    ]
    frozen("in.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    proc = run("detect", "--jsonl", "in.jsonl")
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc.stdout, proc.stderr)
    out = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [o["id"] for o in out] == [7, "b", None, None]
    expected = [[EMAIL], [PHONE, CARD], [], [EMAIL]]
    for row, result, values in zip(rows, out, expected, strict=True):
        spans = result["spans"]
        assert [row["text"][s["start"] : s["end"]] for s in spans] == values
        for s in spans:
            assert {"start", "end", "entity", "score"} <= set(s)
            assert 0.0 <= s["score"] <= 1.0
    assert [s["entity"] for s in out[1]["spans"]] == ["PHONE_NUMBER", "CREDIT_CARD"]


def test_detect_jsonl_line_without_text(run: Run) -> None:
    stdin = json.dumps({"id": 1, "text": "ok"}) + "\n" + json.dumps({"id": 2, "body": EMAIL})
    line = one_line_error(run("detect", "--jsonl", stdin=stdin))
    assert line == 'tracemask: error: <stdin>: line 2: no "text" field holding a string'


def test_detect_plain_text(run: Run) -> None:
    text = f"first line\nthen {EMAIL} and {PHONE}\n"
    proc = run("detect", stdin=text)
    assert proc.returncode == 0, proc.stderr
    found = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    line = text.splitlines()[1]
    assert [line[f["start"] : f["end"]] for f in found] == [EMAIL, PHONE]
    assert {(f["file"], f["line"], f["path"]) for f in found} == {("<stdin>", 2, "")}


# -- scan ------------------------------------------------------------------------------------


def test_scan_dirty_file_exits_1_without_values(run: Run, frozen: Write) -> None:
    frozen("export.jsonl", json.dumps(TRACE) + "\n")
    proc = run("scan", "export.jsonl")
    assert proc.returncode == 1, proc.stderr
    assert_clean(proc.stdout, proc.stderr)
    out = proc.stdout.decode()
    assert "export.jsonl" in out
    assert "messages.*.content" in out
    assert "EMAIL_ADDRESS" in out


def test_scan_clean_file_exits_0(run: Run, frozen: Write) -> None:
    frozen("clean.json", json.dumps({"messages": [{"content": "hello"}], "id": "abc"}))
    proc = run("scan", "clean.json")
    assert proc.returncode == 0, proc.stderr
    assert "clean" in proc.stdout.decode()


def test_scan_walks_directories_json_output(run: Run, frozen: Write) -> None:
    frozen("logs/a/app.log", f"user {EMAIL}\n")
    frozen("logs/b/ok.json", json.dumps({"x": "fine"}))
    frozen("logs/b/skip.bin", f"{EMAIL}\n")
    frozen("logs/c.ndjson", json.dumps({"card": CARD}) + "\n")
    proc = run("scan", "logs", "--json")
    assert proc.returncode == 1, proc.stderr
    assert_clean(proc.stdout, proc.stderr)
    doc = json.loads(proc.stdout)
    files = {Path(f["file"]).as_posix(): f for f in doc["files"]}
    assert set(files) == {"logs/a/app.log", "logs/b/ok.json", "logs/c.ndjson"}
    assert files["logs/a/app.log"]["by_entity"] == {"EMAIL_ADDRESS": 1}
    assert files["logs/c.ndjson"]["by_path"] == {"card": {"CREDIT_CARD": 1}}
    assert files["logs/b/ok.json"]["total"] == 0
    assert doc["total"] == 2


# -- policy ----------------------------------------------------------------------------------


def test_policy_show_round_trips(run: Run, frozen: Write, tmp_path: Path) -> None:
    frozen(
        "policy.yaml",
        "version: 1\n"
        "threshold: 0.6\n"
        "entities:\n"
        "  EMAIL_ADDRESS:\n"
        "    operator: {type: hash, key: very-secret-key-1}\n"
        "profiles:\n"
        "  prod:\n"
        "    threshold: 0.8\n"
        "    entities: {PERSON: {operator: {type: hash, key: very-secret-key-2}}}\n",
    )
    proc = run("policy", "show", "--policy", "policy.yaml", "--profile", "prod")
    assert proc.returncode == 0, proc.stderr
    assert b"very-secret-key" not in proc.stdout
    data = yaml.safe_load(proc.stdout)
    assert data["entities"]["EMAIL_ADDRESS"]["operator"]["key"] == "**********"
    shown = tmp_path / "shown.yaml"
    shown.write_bytes(proc.stdout)
    policy = load_policy(shown)
    assert policy.threshold == 0.8
    assert "EMAIL_ADDRESS" in policy.entities


def test_policy_show_default(run: Run) -> None:
    proc = run("policy", "show")
    assert proc.returncode == 0, proc.stderr
    assert load_policy(yaml.safe_load(proc.stdout)) == load_policy(None)


def test_policy_check(run: Run, frozen: Write) -> None:
    frozen("good.yaml", "version: 1\nthreshold: 0.7\n")
    frozen("bad.yaml", "version: 1\nentities:\n  EMAIL_ADDRESS:\n    threshold: 2\n")
    ok = run("policy", "check", "good.yaml")
    assert (ok.returncode, ok.stdout) == (0, b"ok\n")
    line = one_line_error(run("policy", "check", "bad.yaml"))
    assert "entities.EMAIL_ADDRESS.threshold" in line


def test_redact_scope_links_pseudonyms_across_lines(run: Run, frozen: Write) -> None:
    frozen(
        "scoped.yaml",
        "default_operator: {type: pseudonymize, scope: trace, key: cli-test}\n",
    )
    frozen("t.jsonl", json.dumps({"a": EMAIL}) + "\n" + json.dumps({"b": f"mail {EMAIL}"}) + "\n")
    linked = run("redact", "--policy", "scoped.yaml", "--scope", "trace=t1", "t.jsonl")
    assert linked.returncode == 0, linked.stderr
    a, b = (json.loads(line) for line in linked.stdout.decode().splitlines())
    assert b["b"] == f"mail {a['a']}"
    assert a["a"].startswith("<EMAIL_ADDRESS_")
    alone = run("redact", "--policy", "scoped.yaml", "t.jsonl")
    c, d = (json.loads(line) for line in alone.stdout.decode().splitlines())
    assert d["b"] != f"mail {c['a']}"  # without an id, no line links to another
    bad = run("redact", "--scope", "planet=x", "t.jsonl")
    assert bad.returncode == 2
    assert b"--scope" in bad.stderr
    assert b"Traceback" not in bad.stderr

"""``tracemask decrypt`` and ``tracemask keygen``, run through the real entry point."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.clirun import spawn
from tracemask import Masker
from tracemask.encryption import KeyRing, parse_keys

from .conftest import ENCRYPT_ALL, K1, K2, Run, env_value

EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
TRICKY = 'Pass"word\\1 é'
TRACE = {
    "trace_id": "4bf92f3577b34da6",
    "messages": [{"role": "user", "content": f"mail {EMAIL} or call {PHONE}"}],
    "password": TRICKY,
    "attrs": json.dumps({"note": f"reach {EMAIL}", "api_key": TRICKY}),
}
VALUES = (EMAIL, PHONE, "Pass", TRICKY)
KEYS = {"TRACEMASK_ENCRYPTION_KEYS": env_value(("k1", K1), ("k2", K2))}


@pytest.fixture
def masker(monkeypatch: pytest.MonkeyPatch) -> Masker:
    monkeypatch.setenv("TRACEMASK_ENCRYPTION_KEYS", KEYS["TRACEMASK_ENCRYPTION_KEYS"])
    return Masker(ENCRYPT_ALL, backend="re")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def audit_lines(stderr: bytes) -> list[dict[str, object]]:
    prefix = "tracemask: audit: "
    lines = stderr.decode().splitlines()
    return [json.loads(line[len(prefix) :]) for line in lines if line.startswith(prefix)]


def assert_no_values(text: str) -> None:
    for value in VALUES:
        assert value not in text


def test_json_file_round_trip_with_audit(run: Run, masker: Masker, tmp_path: Path) -> None:
    masked = json.dumps(masker.mask(TRACE), indent=2) + "\n"
    assert_no_values(masked)
    src = write(tmp_path, "masked.json", masked)
    proc = run("decrypt", "masked.json", "--audit-log", "audit.jsonl", env=KEYS)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == TRACE
    assert proc.stdout.decode().startswith('{\n  "trace_id"')  # the document keeps its style
    assert src.read_text(encoding="utf-8") == masked  # input never modified

    [record] = audit_lines(proc.stderr)
    assert record["outcome"] == "ok"
    assert record["exit"] == 0
    assert record["event"] == "decrypt"
    assert record["by_entity"] == {
        "EMAIL_ADDRESS": 2,
        "PHONE_NUMBER": 1,
        "PASSWORD": 1,
        "SECRET": 1,
    }
    assert record["total"] == 5
    assert record["key_ids"] == ["k1"]
    assert record["input"] == str(src)
    assert record["output"] == "<stdout>"
    assert record["keys"] == "env:TRACEMASK_ENCRYPTION_KEYS"
    assert record["user"]
    assert record["host"]
    assert str(record["time"]).endswith("+00:00")
    log = (tmp_path / "audit.jsonl").read_text()
    assert [json.loads(line) for line in log.splitlines()] == [record]
    assert_no_values(proc.stderr.decode() + log)
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "audit.jsonl").stat().st_mode) == 0o600


def test_audit_log_is_appended(run: Run, masker: Masker, tmp_path: Path) -> None:
    write(tmp_path, "m.txt", masker.mask_text(f"mail {EMAIL}") + "\n")
    for _ in range(2):
        assert run("decrypt", "m.txt", "--audit-log", "a.jsonl", env=KEYS).returncode == 0
    records = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert [r["total"] for r in records] == [1, 1]


def test_jsonl_streamed_and_text(run: Run, masker: Masker, tmp_path: Path) -> None:
    records = [TRACE, {"clean": "nothing here"}, {"phone": PHONE}]
    lines = [json.dumps(masker.mask(r)) for r in records]
    write(tmp_path, "m.jsonl", "\n".join([*lines[:1], "", *lines[1:]]) + "\n")
    proc = run("decrypt", "m.jsonl", env=KEYS)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode().split("\n")
    assert out[1] == ""
    assert [json.loads(line) for line in out if line] == records

    text = f"line one {EMAIL}\nline two {PHONE} and {EMAIL}\r\n"
    masked_text = "".join(masker.mask_text(line) for line in text.splitlines(keepends=True))
    assert EMAIL not in masked_text
    proc = run("decrypt", "--format", "text", stdin=masked_text, env=KEYS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == text
    assert audit_lines(proc.stderr)[0]["input"] == "<stdin>"


def test_output_file_is_atomic_private_and_not_the_input(
    run: Run, masker: Masker, tmp_path: Path
) -> None:
    write(tmp_path, "m.json", json.dumps(masker.mask(TRACE)))
    proc = run("decrypt", "m.json", "-o", "out.json", env=KEYS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b""
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == TRACE
    if os.name == "posix":
        assert stat.S_IMODE((tmp_path / "out.json").stat().st_mode) == 0o600
    assert audit_lines(proc.stderr)[0]["output"] == str(tmp_path / "out.json")

    proc = run("decrypt", "m.json", "-o", "m.json", env=KEYS)
    assert proc.returncode == 2
    assert b"refusing to overwrite the input" in proc.stderr


def test_failure_exits_4_writes_nothing_and_is_audited(
    run: Run, masker: Masker, tmp_path: Path
) -> None:
    lines = [json.dumps(masker.mask({"a": f"mail {EMAIL}"})), json.dumps(masker.mask(TRACE))]
    lines[1] = lines[1].replace(":enc:v1:k1:", ":enc:v1:k9:", 1)
    src = write(tmp_path, "m.jsonl", "\n".join(lines) + "\n")
    before = src.read_bytes()
    (tmp_path / "out.jsonl").write_text("old\n")
    proc = run("decrypt", "m.jsonl", "-o", "out.jsonl", "--audit-log", "a.jsonl", env=KEYS)
    assert proc.returncode == 4
    err = proc.stderr.decode()
    error_lines = [line for line in err.splitlines() if line.startswith("tracemask: error: ")]
    assert error_lines == [
        "tracemask: error: m.jsonl: line 2: path messages.0.content, column 6: EMAIL_ADDRESS "
        "token: key 'k9' is not in the key ring (k1, k2 loaded)"
    ]
    assert "Traceback" not in err
    assert_no_values(err)
    assert (tmp_path / "out.jsonl").read_text() == "old\n"  # -o is atomic: nothing replaced
    assert src.read_bytes() == before
    [record] = audit_lines(proc.stderr)
    assert record["outcome"] == "failed"
    assert record["exit"] == 4
    assert "key 'k9'" in str(record["error"])
    assert json.loads((tmp_path / "a.jsonl").read_text()) == record


def test_tampered_token_exits_4(run: Run, masker: Masker, tmp_path: Path) -> None:
    token = masker.mask_text(f"x {EMAIL}").split(" ", 1)[1]
    tampered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    proc = run("decrypt", "--format", "text", stdin=f"x {tampered}\n", env=KEYS)
    assert proc.returncode == 4
    assert b"does not authenticate with key 'k1'" in proc.stderr
    assert proc.stdout == b""


def test_missing_keys_is_a_user_error(run: Run, masker: Masker, tmp_path: Path) -> None:
    write(tmp_path, "m.txt", masker.mask_text(f"mail {EMAIL}"))
    proc = run("decrypt", "m.txt")
    assert proc.returncode == 2
    assert b"TRACEMASK_ENCRYPTION_KEYS is not set" in proc.stderr
    assert audit_lines(proc.stderr)[0]["outcome"] == "error"


def test_keys_file_and_provider(run: Run, masker: Masker, tmp_path: Path) -> None:
    write(tmp_path, "m.txt", masker.mask_text(f"mail {EMAIL}") + "\n")
    keys = write(tmp_path, "keys.txt", env_value(("k2", K2), ("k1", K1)).replace(",", "\n"))
    keys.chmod(0o600)
    proc = run("decrypt", "m.txt", "--keys-file", "keys.txt")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == f"mail {EMAIL}\n"
    assert audit_lines(proc.stderr)[0]["keys"] == f"file:{keys}"

    write(tmp_path, "kms_stub.py", f"def keys():\n    return {{'k1': {K1!r}}}\n")
    # A subprocess: the provider module is found through the child's PYTHONPATH.
    proc = spawn(
        "decrypt",
        "m.txt",
        "--key-provider",
        "kms_stub:keys",
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == f"mail {EMAIL}\n"

    proc = run("decrypt", "m.txt", "--keys-file", "keys.txt", "--key-provider", "kms_stub:keys")
    assert proc.returncode == 2
    assert b"not both" in proc.stderr


def test_unwritable_audit_log_stops_before_decrypting(
    run: Run, masker: Masker, tmp_path: Path
) -> None:
    write(tmp_path, "m.txt", masker.mask_text(f"mail {EMAIL}"))
    proc = run("decrypt", "m.txt", "--audit-log", "no/such/dir/a.jsonl", env=KEYS)
    assert proc.returncode == 2
    assert proc.stdout == b""
    assert b"cannot write audit log" in proc.stderr


def test_help_documents_exit_code_4(run: Run) -> None:
    proc = run("decrypt", "--help")
    assert proc.returncode == 0
    assert "4  decryption failure" in proc.stdout.decode()


def test_keygen_prints_a_usable_key_line(run: Run) -> None:
    proc = run("keygen", "--key-id", "2025-q1")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.decode().strip()
    ring = parse_keys(line, "keygen")
    assert isinstance(ring, KeyRing)
    assert ring.ids == ("2025-q1",)
    other = run("keygen").stdout.decode().strip()
    assert other.split(":")[1] != line.split(":")[1]
    assert run("keygen", "--key-id", "no spaces").returncode == 2
    proc = run("keygen", "--size", "32")
    assert proc.returncode == 0
    parse_keys(proc.stdout.decode(), "keygen")  # 32 bytes is a valid AES-SIV key


def test_decrypt_without_cryptography_names_the_extra(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "from tracemask.cli import run\n"
        "sys.exit(run(['decrypt', '--format', 'text', 'm.txt']))\n"
    )
    write(tmp_path, "m.txt", "nothing\n")
    env = {**os.environ, **KEYS}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, cwd=tmp_path, env=env, check=False
    )
    assert proc.returncode == 2
    error = [line for line in proc.stderr.decode().splitlines() if "audit" not in line]
    assert error == [
        "tracemask: error: tracemask decrypt needs cryptography: "
        "pip install 'tracemask[encryption]'"
    ]

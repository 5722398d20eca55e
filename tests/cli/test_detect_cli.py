"""``tracemask detect``: any JSON, JSON Lines or text file; each finding's file, record, JSON
path and offsets, never the value."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.test_cli import one_line_error
from tests.clirun import Ran

Run = Callable[..., Ran]
Write = Callable[[str, "str | bytes"], Path]

EMAIL = "maria.gonzalez@gmail.com"
CARD = "4111 1111 1111 1111"
PHONE = "+1 (415) 555-0132"


def findings(proc: Ran) -> list[dict[str, Any]]:
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    for value in (EMAIL, CARD, PHONE, "hunter2"):
        assert value not in out
    return [json.loads(line) for line in out.splitlines()]


def at(doc: Any, path: str) -> Any:
    """The string at a rendered path (dots, ``[attr]`` for OTLP attributes, JSON in strings)."""
    for attr, part in re.findall(r"\[([^\]]*)\]|([^.\[]+)", path):
        if isinstance(doc, str):
            doc = json.loads(doc)
        if attr:
            doc = next(a for a in doc if a["key"] == attr)
        elif isinstance(doc, list):
            doc = doc[int(part)]
        else:
            doc = doc[part]
    return doc


def test_any_jsonl_shape_with_paths_and_offsets(run: Run, frozen: Write) -> None:
    rows = [
        {"messages": [{"role": "user", "content": f"I am {EMAIL}, card {CARD}"}]},
        {"tool": {"args": json.dumps({"phone": PHONE})}, "password": "hunter2"},
        {"nothing": "here", "n": 3},
    ]
    frozen("chats.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
    found = findings(run("detect", "chats.jsonl"))
    got = [(f["record"], f["line"], f["path"], f["entity"]) for f in found]
    assert got == [
        (1, 1, "messages.0.content", "EMAIL_ADDRESS"),
        (1, 1, "messages.0.content", "CREDIT_CARD"),
        (2, 2, "tool.args.phone", "PHONE_NUMBER"),
        (2, 2, "password", "PASSWORD"),
    ]
    for f in found:
        row = rows[f["record"] - 1]
        value = at(row, f["path"])[f["start"] : f["end"]]
        assert value in (EMAIL, CARD, PHONE, "hunter2")
        assert f["file"] == "chats.jsonl"
    assert found[3]["reason"] == "key"
    assert found[3]["evidence"] == "key 'password'"
    assert found[1]["evidence"] == "context 'card'"


def test_a_json_document_and_a_text_file_in_one_call(run: Run, frozen: Write) -> None:
    trace = {"resourceSpans": [{"scopeSpans": [{"spans": [{"attributes": [
        {"key": "user.email", "value": {"stringValue": EMAIL}},
    ]}]}]}]}  # fmt: skip
    frozen("trace.json", json.dumps(trace, indent=2))
    frozen("app.log", f"start\nuser {EMAIL} paid with {CARD}\n")
    found = findings(run("detect", "trace.json", "app.log"))
    assert [(f["file"], f["record"], f["line"]) for f in found] == [
        ("trace.json", 1, None),
        ("app.log", 2, 2),
        ("app.log", 2, 2),
    ]
    assert (
        found[0]["path"]
        == "resourceSpans.0.scopeSpans.0.spans.0.attributes[user.email].value.stringValue"
    )
    assert at(trace, found[0]["path"])[found[0]["start"] : found[0]["end"]] == EMAIL
    line = f"user {EMAIL} paid with {CARD}"
    assert [line[f["start"] : f["end"]] for f in found[1:]] == [EMAIL, CARD]


def test_file_names_and_keys_are_masked_in_the_output(run: Run, frozen: Write) -> None:
    frozen(f"{EMAIL} chats.jsonl", json.dumps({EMAIL: {"note": f"call {PHONE}"}}) + "\n")
    found = findings(run("detect", f"{EMAIL} chats.jsonl"))
    assert found[0]["file"] == "<EMAIL_ADDRESS> chats.jsonl"
    assert found[0]["path"] == "[<EMAIL_ADDRESS>].note"  # a key holding "." is bracketed


def test_bad_json_is_one_line_naming_file_and_line(run: Run, frozen: Write) -> None:
    frozen("bad.jsonl", '{"a": 1}\n{"a": \n')
    line = one_line_error(run("detect", "bad.jsonl"))
    assert line.startswith("tracemask: error: bad.jsonl: line 2: invalid JSON")

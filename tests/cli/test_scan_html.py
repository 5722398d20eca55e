"""``tracemask scan --html``: one self-contained file, counts only, everything escaped."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from tests.clirun import Ran

Run = Callable[..., Ran]
Write = Callable[[str, "str | bytes"], Path]

EMAIL = "maria.gonzalez@gmail.com"
CARD = "4111 1111 1111 1111"
PHONE = "+1 (415) 555-0132"


def make_exports(frozen: Write) -> None:
    frozen("exports/chat.jsonl", "".join(
        json.dumps({"messages": [{"content": f"I am {EMAIL}, card {CARD}"}], "n": i}) + "\n"
        for i in range(3)
    ))  # fmt: skip
    frozen("exports/app.log", f"user {EMAIL} called from {PHONE}\nok\n")
    frozen("exports/clean.json", json.dumps({"model": "gpt-4o-mini", "tokens": 12}))
    frozen("exports/odd.json", json.dumps({'<img src="https://evil.example/x">': f"{EMAIL}"}))


def test_html_report_counts_match_json_and_hold_no_value(
    run: Run, frozen: Write, tmp_path: Path
) -> None:
    make_exports(frozen)
    as_json = run("scan", "--json", "exports")
    assert as_json.returncode == 1
    doc = json.loads(as_json.stdout)
    proc = run("scan", "--html", "report.html", "exports")
    assert proc.returncode == 1, proc.stderr
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    for value in (EMAIL, CARD, PHONE):
        assert value not in page
    assert f"<b id='total'>{doc['total']}</b>" in page
    # Self-contained: no script, and nothing that would fetch (only the SVG namespace URI).
    assert "<script" not in page
    assert re.findall(r"<[^>]*\s(?:src|href)=", page) == []
    assert "default-src 'none'" in page
    # The odd key is text, not markup.
    assert "<img" not in page
    assert "&lt;img" in page
    for anchor in ("entity", "file", "path", "detail"):
        assert f'id="table-{anchor}"' in page


def test_a_clean_scan_says_so(run: Run, frozen: Write, tmp_path: Path) -> None:
    frozen("clean.json", json.dumps({"model": "gpt-4o-mini"}))
    proc = run("scan", "--html", "r.html", "clean.json")
    assert proc.returncode == 0, proc.stderr
    assert "Clean: nothing found." in (tmp_path / "r.html").read_text(encoding="utf-8")

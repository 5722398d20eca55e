"""The ``scan --html`` report in headless Chromium: charts and tables render, and the page
makes no request at all (file:// only)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.test_scan_html import make_exports
from tests.clirun import Ran, invoke

Write = Callable[[str, "str | bytes"], Path]


def test_report_renders_charts_and_tables_offline(page: Any, tmp_path: Path) -> None:
    def frozen(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    make_exports(frozen)
    ran: Ran = invoke("scan", "--json", "--html", "report.html", "exports", cwd=tmp_path)
    assert ran.returncode == 1, ran.stderr
    doc = json.loads(ran.stdout)
    entities: dict[str, int] = {}
    for f in doc["files"]:
        for e, n in f["by_entity"].items():
            entities[e] = entities.get(e, 0) + n
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: failed.append(f"console {m.type}: {m.text}"))
    page.goto((tmp_path / "report.html").as_uri())
    assert page.text_content("#total") == str(doc["total"])
    bars = page.eval_on_selector_all("#chart-entity rect.bar", "rs => rs.length")
    assert bars == len(entities)
    widths = page.eval_on_selector_all(
        "#chart-entity rect.bar", "rs => rs.map(r => r.getBBox().width)"
    )
    assert all(w > 0 for w in widths)
    assert widths == sorted(widths, reverse=True)  # sorted by count, largest first
    rows = page.eval_on_selector_all(
        "#table-entity tbody tr", "rs => rs.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert {r[0]: int(r[1]) for r in rows} == entities
    files = page.eval_on_selector_all("#table-file tbody tr", "rs => rs.length")
    assert files == len(doc["files"])  # clean files are listed too, with 0
    # Styled by its own (hashed) inline style: the CSP let it apply.
    colour = page.eval_on_selector("#chart-entity rect.bar", "r => getComputedStyle(r).fill")
    assert colour == "rgb(74, 120, 194)"
    assert page.query_selector("img") is None
    assert all(u.startswith("file://") for u in page.requests), page.requests
    assert failed == []

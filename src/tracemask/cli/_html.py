"""``tracemask scan --html``: the scan's counts as one self-contained HTML file.

Charts are inline SVG and the style is inline (allowed by hash in the page's own
Content-Security-Policy): no script, font, image or stylesheet is fetched, so the report can be
mailed, archived or opened offline. It holds counts, file names and JSON paths (already masked
by the scan), never values; every string is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from tracemask import __version__

#: Bars shown per chart (the tables list everything).
_TOP = 20
_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; color: #1d1d1f; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.summary { display: flex; gap: 2rem; } .summary div { font-size: .9rem; color: #555; }
.summary b { display: block; font-size: 1.6rem; color: #1d1d1f; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin-top: .5rem; }
th, td { text-align: left; border-bottom: 1px solid #eee; padding: .25rem .5rem; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .8rem; word-break: break-all; }
svg text { font: 12px system-ui, sans-serif; fill: #1d1d1f; }
svg rect.bar { fill: #4a78c2; }
.clean { color: #137333; } .error { color: #b00020; }
"""


def render_scan_html(
    files: Sequence[tuple[str, Mapping[str, Any], str | None]], title: str = "tracemask scan"
) -> str:
    """The report for ``files``: ``(file name, report dict, error or None)`` per file, the
    report dict being :meth:`Report.to_dict` (``total``, ``by_entity``, ``by_path``)."""
    by_entity: Counter[str] = Counter()
    by_file: Counter[str] = Counter()
    by_path: Counter[str] = Counter()
    cells: list[tuple[str, str, str, int]] = []
    for name, report, _ in files:
        by_file[name] += int(report.get("total", 0))
        for entity, n in report.get("by_entity", {}).items():
            by_entity[entity] += int(n)
        for path, entities in report.get("by_path", {}).items():
            for entity, n in entities.items():
                by_path[path] += int(n)
                cells.append((name, path, entity, int(n)))
    total = sum(by_file.values())
    dirty = sum(1 for n in by_file.values() if n)
    errors = [(name, err) for name, _, err in files if err]
    esc = html.escape
    parts = [
        f"<h1>{esc(title)}</h1>",
        '<div class="summary">',
        f"<div><b id='total'>{total}</b>findings</div>",
        f"<div><b>{dirty}</b>of {len(files)} file(s) with findings</div>",
        f"<div><b>{len(by_entity)}</b>entities</div>",
        "</div>",
    ]
    if not total:
        parts.append('<p class="clean">Clean: nothing found.</p>')
    for err_name, err in errors:
        parts.append(f'<p class="error">{esc(err_name)}: {esc(err)}</p>')
    parts += _section("By entity", "entity", "ENTITY", by_entity)
    parts += _section("By file", "file", "FILE", by_file)
    parts += _section("By path", "path", "PATH", by_path)
    parts.append("<h2>Every file, path and entity</h2>")
    parts.append(
        _table(("FILE", "PATH", "ENTITY", "COUNT"), sorted(cells), numeric=3, anchor="detail")
    )
    style_hash = base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()
    csp = f"default-src 'none'; style-src 'sha256-{style_hash}'"
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<meta http-equiv='Content-Security-Policy' content=\"{csp}\">"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>"
        + "\n".join(parts)
        + f"<p><small>tracemask {esc(__version__)}: counts, files and paths; never values."
        "</small></p></body></html>\n"
    )


def _section(heading: str, anchor: str, label: str, counts: Counter[str]) -> list[str]:
    if not counts:
        return []
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        f"<h2>{html.escape(heading)}</h2>",
        _bars(rows[:_TOP], anchor),
        _table((label, "COUNT"), [(k, v) for k, v in rows], numeric=1, anchor=anchor),
    ]


def _bars(rows: Sequence[tuple[str, int]], anchor: str) -> str:
    """A horizontal bar chart as inline SVG, labels left, counts right."""
    width, label_w, bar_h, gap = 900, 330, 18, 6
    top = max((n for _, n in rows), default=1) or 1
    height = len(rows) * (bar_h + gap) + gap
    out = [
        f'<svg id="chart-{anchor}" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, n) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(1, round((width - label_w - 60) * n / top))
        short = label if len(label) <= 48 else "…" + label[-47:]
        out.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{html.escape(short)}'
            f"<title>{html.escape(label)}</title></text>"
            f'<rect class="bar" x="{label_w}" y="{y}" width="{w}" height="{bar_h}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 13}">{n}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], numeric: int, anchor: str) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            text = html.escape(str(cell))
            if i >= numeric:
                cells.append(f'<td class="n">{text}</td>')
            else:
                cells.append(f"<td><code>{text}</code></td>" if i else f"<td>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    rows_html = "".join(body)
    return (
        f'<table id="table-{anchor}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows_html}</tbody></table>"
    )

"""Text tables and reports for the terminal: counts by entity and path, never values."""

from __future__ import annotations

from collections.abc import Sequence

from tracemask._masker import Masker
from tracemask._report import Report

# -- reports ---------------------------------------------------------------------------------


def table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: int = 1) -> str:
    """An aligned text table; the last ``numeric`` columns are right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    split = len(header) - numeric
    out = []
    for row in [header, *rows]:
        cells = [c.ljust(w) for c, w in zip(row[:split], widths[:split], strict=True)]
        cells += [c.rjust(w) for c, w in zip(row[split:], widths[split:], strict=True)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def safe_report(report: Report, masker: Masker) -> Report:
    """``report`` with its paths masked: dict keys are data too (``{"jane@x.com": ...}``)."""
    safe = Report(fields=report.fields)
    for (path, entity), n in report.by_path_entity.items():
        safe.add(entity, masker.mask_text(path), n)
    return safe


def path_label(path: str) -> str:
    return path or "(root)"


def report_text(report: Report) -> str:
    if not report:
        return "nothing masked"
    by_entity = [(e, str(n)) for e, n in sorted(report.by_entity.items())]
    by_entity.append(("total", str(report.total)))
    by_path = [(path_label(p), e, str(n)) for (p, e), n in sorted(report.by_path_entity.items())]
    return (
        table(("ENTITY", "COUNT"), by_entity) + "\n\n" + table(("PATH", "ENTITY", "COUNT"), by_path)
    )

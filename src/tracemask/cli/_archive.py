"""The CLI side of batch jobs: choosing the one-file path or a job, reports, stdout spooling."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from typing import Any

import click

from tracemask.cli._tables import path_label, table
from tracemask.exceptions import InputError

#: Suffixes the one-file path reads itself (anything else, compressed or columnar, is a job).
_PLAIN = (".json", ".jsonl", ".ndjson", ".log", ".txt")
LEGACY_FORMATS = ("auto", "json", "jsonl", "text")
ARCHIVE_FORMATS = ("auto", "json", "jsonl", "text", "csv", "parquet", "otlp-proto")


def is_one_plain_file(paths: Sequence[str], out: str | None) -> bool:
    """Whether the input is stdin or one plain local file going to a file or stdout."""
    if len(paths) != 1:
        return False
    path = paths[0]
    if out is not None and out != "-" and (out.endswith(("/", os.sep)) or os.path.isdir(out)):
        return False
    if path == "-":
        return True
    if "://" in path or any(c in path for c in "*?[") or os.path.isdir(path):
        return False
    name = os.path.basename(path).lower()
    return name.endswith(_PLAIN) or "." not in name


def import_batch() -> Any:
    try:
        from tracemask import batch  # noqa: PLC0415
    except ImportError as exc:  # pragma: no cover - the batch package imports no extra itself
        raise InputError(f"batch jobs: {exc}") from None
    return batch


def spool_path() -> str:
    """A private temporary file that a single-output job writes before stdout sees anything."""
    fd, path = tempfile.mkstemp(prefix="tracemask-", suffix=".out")
    os.close(fd)
    return path


def copy_to_stdout(path: str) -> None:
    with open(path, "rb") as f:
        shutil.copyfileobj(f, sys.stdout.buffer)
    sys.stdout.buffer.flush()


def summary_table(summary: dict[str, Any]) -> str:
    """The summary report as text tables: counts, never values."""
    findings = summary["findings"]
    lines = []
    rate = summary["mb_per_s"]
    lines.append(
        f"{summary['files']} file(s): {summary['files_done']} done, "
        f"{summary['files_resumed']} resumed, {summary['files_failed']} failed; "
        f"{summary['records']} record(s), {summary['records_skipped']} skipped, "
        f"{summary['records_quarantined']} quarantined; "
        f"{summary['bytes'] / 1e6:.1f} MB in {summary['seconds']:.1f} s"
        + (f" ({rate:.2f} MB/s)" if rate else "")
        + f" on {summary['engine']}"
    )
    if findings["total"]:
        rows = [(e, str(n)) for e, n in findings["by_entity"].items()]
        rows.append(("total", str(findings["total"])))
        lines += ["", table(("ENTITY", "COUNT"), rows)]
        by_path = [
            (path_label(p), e, str(n))
            for p, es in findings["by_path"].items()
            for e, n in es.items()
        ]
        lines += ["", table(("PATH/COLUMN", "ENTITY", "COUNT"), by_path)]
        by_file = [
            (f["file"], str(f["records"]), str(f["findings"]))
            for f in summary["by_file"]
            if f["findings"]
        ]
        lines += ["", table(("FILE", "RECORDS", "FINDINGS"), by_file, numeric=2)]
    else:
        lines.append("nothing masked")
    if summary["errors"]:
        lines += ["", "errors:"] + [f"  {e}" for e in summary["errors"]]
    return "\n".join(lines)


def write_json(path: str, doc: Any) -> None:
    from tracemask.batch._storage import Location  # noqa: PLC0415

    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    Location(path).write_bytes(text.encode("utf-8"))


def fail_line(message: str) -> None:
    click.echo(f"tracemask: error: {message}", err=True)

"""Large Parquet files split by row groups between local workers, and put back together.

A job with fewer files than workers would leave workers idle; a Parquet file's row groups are
independent, so each worker masks a range of them into a temporary piece, and the pieces'
row groups are copied (not masked again) into the part's output, in order, committed whole.
Record numbers, counts and findings are those of the whole file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from dataclasses import replace
from typing import Any

from tracemask.batch._part import Options, PartResult, Task, split_name
from tracemask.batch._storage import Location

_CHUNK = 1 << 20


def split(tasks: list[Task], options: Options, workers: int) -> tuple[list[Task], dict[str, Any]]:
    """``tasks`` with big Parquet parts replaced by pieces, and the pieces by part (``rel``)."""
    if workers <= 1 or options.scan or len(tasks) >= 2 * workers:
        return tasks, {}
    out: list[Task] = []
    pieces: dict[str, Any] = {}
    for task in tasks:
        ranges = _ranges(task, options, workers)
        if ranges is None:
            out.append(task)
            continue
        work = tempfile.mkdtemp(prefix=".tracemask-pieces-")
        made = []
        for k, (start, stop, first) in enumerate(ranges):
            path = os.path.join(work, f"{k:05d}.parquet")
            made.append(
                replace(
                    task,
                    output=path,
                    quarantine=os.path.join(work, f"{k:05d}.quarantine.jsonl"),
                    row_groups=(start, stop),
                    first_record=first,
                )
            )
        pieces[task.rel] = {"task": task, "pieces": made, "dir": work, "results": {}}
        out.extend(made)
    return out, pieces


def _ranges(task: Task, options: Options, workers: int) -> list[tuple[int, int, int]] | None:
    fmt, compression = split_name(task.input.rsplit("/", 1)[-1])
    if task.output is None or compression or options.fmt not in ("auto", "parquet"):
        return None
    if fmt != "parquet" and options.fmt != "parquet":
        return None
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415

        with Location(task.input, options.storage_options).open_read() as raw:
            meta = pq.ParquetFile(raw).metadata
            rows = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    except Exception:  # noqa: BLE001 - unreadable: the part itself reports it, unsplit
        return None
    n = len(rows)
    if n < 2:
        return None
    step = -(-n // workers)
    return [(s, min(s + step, n), sum(rows[:s])) for s in range(0, n, step)]


def merge(entry: dict[str, Any], options: Options) -> PartResult:
    """The part's result from its pieces' (all done); its output committed when none failed."""
    task: Task = entry["task"]
    results = [entry["results"][p.output] for p in entry["pieces"]]
    first = results[0]
    merged = PartResult(task.rel, task.input, task.output, first.format, size=first.size)
    counts: Counter[str] = Counter()
    paths: dict[str, Counter[str]] = {}
    for r in results:
        merged.records += r.records
        merged.written += r.written
        merged.skipped += r.skipped
        merged.quarantined += r.quarantined
        merged.errors += r.errors
        merged.seconds = max(merged.seconds, r.seconds)
        merged.cpu_seconds += r.cpu_seconds
        merged.peak_rss_mb = max(merged.peak_rss_mb, r.peak_rss_mb)
        room = options.max_locations - len(merged.locations)
        merged.locations += r.locations[: max(room, 0)]
        counts.update(r.report.get("by_entity", {}))
        for path, entities in r.report.get("by_path", {}).items():
            paths.setdefault(path, Counter()).update(entities)
        if r.error and merged.error is None:
            merged.error, merged.exit_code = r.error, r.exit_code
    merged.report = {
        "total": sum(counts.values()),
        "fields": sum(int(r.report.get("fields", 0)) for r in results),
        "by_entity": dict(sorted(counts.items())),
        "by_path": {p: dict(sorted(c.items())) for p, c in sorted(paths.items())},
    }
    try:
        if merged.error is None:
            merged.sha256 = _sha256(task, options)
            _join(task, entry["pieces"], options)
            _join_quarantine(task, entry["pieces"], options)
    finally:
        shutil.rmtree(entry["dir"], ignore_errors=True)
    return merged


def _sha256(task: Task, options: Options) -> str:
    digest = hashlib.sha256()
    with Location(task.input, options.storage_options).open_read() as raw:
        while chunk := raw.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _join(task: Task, pieces: list[Task], options: Options) -> None:
    import pyarrow.parquet as pq  # noqa: PLC0415

    assert task.output is not None
    files = [pq.ParquetFile(p.output) for p in pieces]
    meta = files[0].metadata
    codec = "snappy"
    if meta.num_row_groups and meta.num_columns:
        codec = meta.row_group(0).column(0).compression.lower()
    with Location(task.output, options.storage_options).commit() as tmp:
        writer = pq.ParquetWriter(tmp, files[0].schema_arrow, compression=codec)
        try:
            for f in files:
                for i in range(f.metadata.num_row_groups):
                    writer.write_table(f.read_row_group(i))
        finally:
            writer.close()


def _join_quarantine(task: Task, pieces: list[Task], options: Options) -> None:
    lines: list[str] = []
    for p in pieces:
        assert p.quarantine is not None
        with contextlib.suppress(FileNotFoundError), open(p.quarantine, encoding="utf-8") as f:
            lines += [json.dumps({**json.loads(x), "file": task.input}) for x in f if x.strip()]
    if lines and task.quarantine:
        data = ("\n".join(lines) + "\n").encode("utf-8")
        Location(task.quarantine, options.storage_options).write_bytes(data)

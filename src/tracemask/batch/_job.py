"""A batch job: inputs expanded into parts, parts run on an engine, a manifest and a summary.

Engines: ``local`` (this process, or a process pool of ``workers``), ``ray`` and ``spark``
(parts spread over a cluster; see :mod:`tracemask.batch._ray` and ``_spark``). Every engine
runs the same :func:`~tracemask.batch._part.run_part`, so outputs are identical record for
record whatever the engine.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from tracemask.batch._manifest import NAME as MANIFEST_NAME
from tracemask.batch._manifest import Manifest
from tracemask.batch._part import (
    ON_ERROR,
    SUFFIXES,
    Options,
    PartResult,
    Task,
    policy_hash,
    run_part,
)
from tracemask.batch._storage import TMP_PREFIX, Location, expand, has_glob, is_url
from tracemask.exceptions import InputError
from tracemask.policy import Policy, load_policy

ENGINES = ("local", "ray", "spark")
QUARANTINE_DIR = "_quarantine"


@dataclass
class JobResult:
    """The outcome of a job: one result per part run, the parts skipped by ``--resume``."""

    parts: list[PartResult] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    engine: str = "local"
    workers: int = 1
    output: str | None = None
    stopped: bool = False

    @property
    def failed(self) -> list[PartResult]:
        return [p for p in self.parts if p.error]

    @property
    def exit_code(self) -> int:
        """0 ok, 2 a part or record could not be read, 3 masking failed (the worst wins)."""
        return max((p.exit_code for p in self.parts), default=0)

    @property
    def total_findings(self) -> int:
        return sum(int(p.report.get("total", 0)) for p in self.parts)

    def summary(self) -> dict[str, Any]:
        """The JSON report: counts by entity, path/column and file, throughput, errors."""
        by_entity: Counter[str] = Counter()
        by_path: dict[str, Counter[str]] = {}
        for p in self.parts:
            by_entity.update(p.report.get("by_entity", {}))
            for path, entities in p.report.get("by_path", {}).items():
                by_path.setdefault(path, Counter()).update(entities)
        size = sum(p.size for p in self.parts)
        return {
            "engine": self.engine,
            "workers": self.workers,
            "files": len(self.parts) + len(self.resumed),
            "files_done": len(self.parts) - len(self.failed),
            "files_resumed": len(self.resumed),
            "files_failed": len(self.failed),
            "records": sum(p.records for p in self.parts),
            "records_written": sum(p.written for p in self.parts),
            "records_skipped": sum(p.skipped for p in self.parts),
            "records_quarantined": sum(p.quarantined for p in self.parts),
            "bytes": size,
            "seconds": round(self.seconds, 3),
            "mb_per_s": round(size / 1e6 / self.seconds, 3) if self.seconds > 0 else None,
            "peak_rss_mb_per_worker": max((p.peak_rss_mb for p in self.parts), default=0.0),
            "findings": {
                "total": sum(by_entity.values()),
                "by_entity": dict(sorted(by_entity.items())),
                "by_path": {k: dict(sorted(v.items())) for k, v in sorted(by_path.items())},
            },
            "by_file": [
                {
                    "file": p.input,
                    "format": p.format,
                    "records": p.records,
                    "findings": p.report.get("total", 0),
                    "by_entity": p.report.get("by_entity", {}),
                    **({"error": p.error} if p.error else {}),
                }
                for p in self.parts
            ],
            "errors": [e for p in self.parts for e in ([p.error] if p.error else []) + p.errors],
        }


def _policy(policy: Policy | str | dict[str, Any] | None, profile: str | None) -> Policy:
    return load_policy(policy, profile=profile)


def plan(
    inputs: Sequence[str],
    output: str | None,
    options: Options,
    stdout_file: str | None = None,
) -> tuple[list[Task], Location | None]:
    """The parts of a job and the output root (``None``: one output file, or no output).

    One input file with ``-o`` naming a file (not an existing directory, no trailing ``/``)
    writes that file; otherwise ``-o`` is a directory under which each input's layout is
    mirrored, with the manifest in its root.
    """
    found: list[tuple[str, str]] = []
    single = len(inputs) == 1 and not has_glob(inputs[0])
    for path in inputs:
        pairs = expand(path, SUFFIXES, options.storage_options)
        if not pairs and not options.scan:
            raise InputError(f"{path}: no input files found")
        found.extend(pairs)
        if is_url(path) or os.path.isdir(path.removeprefix("file://")):
            single = False
    seen: set[str] = set()
    for _, rel in found:
        if rel in seen:
            raise InputError(f"{rel}: two inputs map to the same output; run them apart")
        seen.add(rel)
    if output is None or options.scan:
        if not options.scan and len(found) > 1:
            raise InputError("several input files: give -o DIR to write them")
        return [Task(u, r, None if options.scan else stdout_file, None) for u, r in found], None
    out = Location(output, options.storage_options)
    to_file = single and len(found) == 1 and not output.endswith("/") and not _is_dir(out)
    if to_file:
        u, r = found[0]
        _refuse_same(u, output)
        return [Task(u, r, output, output + ".quarantine.jsonl")], None
    tasks = []
    for u, r in found:
        target = out.join(r)
        _refuse_same(u, target.path)
        tasks.append(Task(u, r, target.path, out.join(f"{QUARANTINE_DIR}/{r}.jsonl").path))
    return tasks, out


def _is_dir(loc: Location) -> bool:
    if loc.local:
        return os.path.isdir(loc.fs_path)
    from tracemask.batch._storage import url_to_fs  # noqa: PLC0415

    fs, inner = url_to_fs(loc.path, loc.options)
    return bool(fs.isdir(inner))


def _refuse_same(src: str, dst: str) -> None:
    a, b = src.removeprefix("file://"), dst.removeprefix("file://")
    if is_url(a) or is_url(b):
        if a.rstrip("/") == b.rstrip("/"):
            raise InputError(f"{dst}: refusing to overwrite the input")
        return
    if os.path.abspath(a) == os.path.abspath(b) or (os.path.exists(b) and os.path.samefile(a, b)):
        raise InputError(f"{dst}: refusing to overwrite the input")


Progress = Callable[[PartResult], None]


def run_job(
    inputs: Sequence[str],
    output: str | None = None,
    *,
    policy: Policy | str | dict[str, Any] | None = None,
    profile: str | None = None,
    fmt: str = "auto",
    columns: Sequence[str] | None = None,
    encoding: str = "utf-8",
    on_error: str = "fail",
    engine: str = "local",
    workers: int = 1,
    resume: bool = False,
    scan: bool = False,
    storage_options: dict[str, Any] | None = None,
    master: str | None = None,
    otlp_signal: str | None = None,
    max_locations: int = 1000,
    progress: Callable[[int], Progress] | None = None,
    stdout_file: str | None = None,
) -> JobResult:
    """Mask (or, with ``scan``, only scan) files, directories, globs and URLs.

    Returns a :class:`JobResult`; its ``exit_code`` says how the worst part fared. With
    ``on_error="fail"`` the job stops at the first failing part (parts already committed stay,
    and are in the manifest); otherwise every other part is still done. Without ``output``,
    one input file is written to ``stdout_file`` (the CLI copies it to stdout when the job
    succeeds), and several are an error.
    """
    if on_error not in ON_ERROR:
        raise InputError(f"--on-error: expected one of {', '.join(ON_ERROR)}")
    if engine not in ENGINES:
        raise InputError(f"--engine: expected one of {', '.join(ENGINES)}")
    options = Options(
        policy=_policy(policy, profile),
        fmt=fmt,
        columns=tuple(columns) if columns else None,
        encoding=encoding,
        on_error=on_error,
        scan=scan,
        max_locations=max_locations,
        storage_options=dict(storage_options or {}),
        otlp_signal=otlp_signal,
    )
    try:
        "".encode(encoding)
    except LookupError:
        raise InputError(f"--encoding: unknown encoding {encoding!r}") from None
    tasks, root = plan(inputs, output, options, stdout_file)
    phash = policy_hash(options.policy)
    manifest = Manifest(root, phash) if root is not None else None
    result = JobResult(engine=engine, workers=workers, output=output)
    if manifest is not None and resume:
        _remove_stale(root)
        manifest.load()
        todo = []
        for t in tasks:
            size = Location(t.input, options.storage_options).size()
            out = Location(t.output, options.storage_options) if t.output else None
            if manifest.done(t.rel, size, out):
                result.resumed.append(t.rel)
            else:
                todo.append(t)
        tasks = todo
    tick = progress(sum(_size(t, options) for t in tasks)) if progress else None
    started = time.perf_counter()
    try:
        for part in _engine(engine, tasks, options, workers, master):
            result.parts.append(part)
            if manifest is not None:
                manifest.record(part, engine)
                manifest.save()
            if tick is not None:
                tick(part)
            if part.error and on_error == "fail":
                result.stopped = True
                break
    finally:
        result.seconds = time.perf_counter() - started
    return result


def _remove_stale(root: Location | None) -> None:
    """Temporary parts a killed run left behind (local outputs; object stores have none)."""
    if root is None or not root.local or not os.path.isdir(root.fs_path):
        return
    for directory, _, files in os.walk(root.fs_path):
        for name in files:
            if name.startswith(TMP_PREFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(directory, name))


def _size(task: Task, options: Options) -> int:
    try:
        return Location(task.input, options.storage_options).size()
    except InputError:
        return 0


def _engine(
    engine: str, tasks: list[Task], options: Options, workers: int, master: str | None
) -> Iterator[PartResult]:
    if not tasks:
        return iter(())
    if engine == "ray":
        from tracemask.batch._ray import run_parts as ray_parts  # noqa: PLC0415

        return ray_parts(tasks, options, workers)
    if engine == "spark":
        from tracemask.batch._spark import run_parts as spark_parts  # noqa: PLC0415

        return spark_parts(tasks, options, workers, master)
    return _local(tasks, options, workers)


def _local(tasks: list[Task], options: Options, workers: int) -> Iterator[PartResult]:
    from tracemask.batch._split import merge, split  # noqa: PLC0415

    # Few big Parquet files and several workers: their row groups are shared out too.
    tasks, pieces = split(tasks, options, workers)
    if workers <= 1 or len(tasks) == 1:
        for task in tasks:
            yield run_part(task, options)
        return
    # spawn: workers start clean (no inherited threads or locks), each builds its own Masker.
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(run_part, t, options) for t in tasks]
        try:
            for future in cf.as_completed(futures):
                result = future.result()
                entry = pieces.get(result.rel)
                if entry is None:
                    yield result
                    continue
                entry["results"][result.output] = result
                if len(entry["results"]) == len(entry["pieces"]):
                    yield merge(entry, options)
        finally:
            for f in futures:
                f.cancel()
            for entry in pieces.values():
                shutil.rmtree(entry["dir"], ignore_errors=True)


def ordered(results: Iterable[PartResult]) -> list[PartResult]:
    return sorted(results, key=lambda p: p.rel)


def tqdm_progress(quiet: bool) -> Callable[[int], Progress] | None:
    """A progress bar on stderr (files, records, MB, MB/s, ETA) when it is a terminal."""
    if quiet or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm  # noqa: PLC0415 - the batch extra
    except ImportError:
        return None

    def start(total: int) -> Progress:
        bar = tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr, desc="tracemask")
        state = {"files": 0, "records": 0}

        def tick(part: PartResult) -> None:
            state["files"] += 1
            state["records"] += part.records
            bar.set_postfix(files=state["files"], records=state["records"], refresh=False)
            bar.update(part.size)
            if bar.n >= total:
                bar.close()

        return tick

    return start


__all__ = ["MANIFEST_NAME", "JobResult", "plan", "replace", "run_job", "tqdm_progress"]

"""Batch jobs: throughput per engine and per worker on a synthetic archive (JSONL.gz + Parquet).

    python benchmarks/bench_batch.py --mb 16                       # local 1 and 2 workers
    python benchmarks/bench_batch.py --mb 16 --engines local:1,local:2,ray:2,spark:2

The archive is seeded and every record's text is new (no masking cache helps): chat messages
with names, emails, phones, cards and keys planted in prose, trace ids and model names as
decoys. Half the bytes are JSON Lines (gzip), half Parquet with nested columns. Ray and Spark
are started before the clock (their start-up is printed apart); each run writes to a fresh
directory. Prints a Markdown table: wall time, MB/s (uncompressed input bytes), MB/s per
worker and its ratio to the single-process engine's, the same per CPU-second spent in the
workers (robust on a shared machine, blind to framework overhead outside the parts), and the
peak RSS of a worker.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tracemask.batch import run_job

_PROSE = (
    "please review the quarterly report and send the summary to the team before friday "
    "the customer asked about the order status and the refund policy for damaged items "
    "our model returned an answer that cites the contract clause and the invoice number"
)
WORDS = _PROSE.split()
FIRST = ["Maria", "John", "Aiko", "Lars", "Fatima", "Chen", "Olga", "Pedro", "Amara", "Noah"]
LAST = ["Garcia", "Smith", "Tanaka", "Berg", "Khan", "Wei", "Ivanova", "Silva", "Okafor", "Lee"]


def _luhn(prefix: str) -> str:
    digits = [int(c) for c in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        doubled = d * 2 if i % 2 == 0 else d
        total += doubled - 9 if doubled > 9 else doubled
    return prefix + str((10 - total % 10) % 10)


def _text(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    planted = [
        f"my name is {name}",
        f"mail {name.split(maxsplit=1)[0].lower()}.{rng.randrange(10**6)}@example.org",
        f"call +1 415 555 {rng.randrange(10**4):04d}",
        f"card {_luhn('4' + ''.join(str(rng.randrange(10)) for _ in range(14)))}",
        f"key sk-{''.join(rng.choice('abcdefghijklmnopqrstuvwxyz0123456789') for _ in range(40))}",
    ]
    for p in rng.sample(planted, 2):
        words.insert(rng.randrange(len(words)), p)
    return " ".join(words) + f" ref {rng.randrange(10**9)}"


def record(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "trace_id": f"{rng.getrandbits(128):032x}",
        "span_id": f"{rng.getrandbits(64):016x}",
        "i": i,
        "model": rng.choice(["gpt-4o-mini", "claude-3-5-sonnet", "llama-3.1-70b"]),
        "input": [{"role": "user", "content": _text(rng, 60)}],
        "output": {"role": "assistant", "content": _text(rng, 40)},
        "usage": {"prompt_tokens": rng.randrange(2000), "completion_tokens": rng.randrange(500)},
        "metadata": {"user_email": f"u{rng.randrange(10**6)}@example.com", "env": "prod"},
    }


def make_archive(root: Path, mb: float, files: int, seed: int = 0) -> int:
    """Write ``files`` JSONL.gz and ``files`` Parquet files, ``mb`` MB of JSON in all."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    rng = random.Random(seed)
    per_file = int(mb * 1e6 / (2 * files))
    total = 0
    i = 0
    for k in range(files):
        lines, size = [], 0
        while size < per_file:
            line = json.dumps(record(rng, i)) + "\n"
            lines.append(line)
            size += len(line)
            i += 1
        total += size
        (root / f"traces-{k:03d}.jsonl.gz").write_bytes(gzip.compress("".join(lines).encode()))
        rows, size = [], 0
        while size < per_file:
            r = record(rng, i)
            size += len(json.dumps(r))
            rows.append(
                {
                    "trace_id": r["trace_id"],
                    "prompt": r["input"][0]["content"],
                    "completion": r["output"]["content"],
                    "meta": r["metadata"] | {"tokens": r["usage"]["prompt_tokens"]},
                    "tags": [r["model"], r["metadata"]["user_email"]],
                }
            )
            i += 1
        total += size
        pq.write_table(
            pa.Table.from_pylist(rows), root / f"runs-{k:03d}.parquet", row_group_size=2000
        )
    return total


def main() -> None:  # noqa: PLR0915 - one linear script
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=16, help="uncompressed JSON size of the archive")
    ap.add_argument("--files", type=int, default=4, help="files of each format")
    ap.add_argument("--engines", default="local:1,local:2", help="engine:workers,...")
    ap.add_argument("--dir", default=None, help="work directory (default: a temporary one)")
    args = ap.parse_args()
    work = Path(args.dir or tempfile.mkdtemp(prefix="bench-batch-"))
    src = work / "in"
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    started = time.perf_counter()
    size = make_archive(src, args.mb, args.files)
    on_disk = sum(p.stat().st_size for p in src.iterdir())
    print(
        f"archive: {size / 1e6:.1f} MB of JSON ({on_disk / 1e6:.1f} MB on disk, "
        f"{2 * args.files} files), made in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    rows = []
    base = None
    base_cpu = None
    for spec in args.engines.split(","):
        engine, _, w = spec.partition(":")
        workers = int(w or 1)
        if engine == "ray":
            import ray  # noqa: PLC0415

            t = time.perf_counter()
            if not ray.is_initialized():
                ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
            print(f"ray start-up: {time.perf_counter() - t:.1f} s", file=sys.stderr)
        if engine == "spark":
            from tracemask.batch._spark import session  # noqa: PLC0415

            t = time.perf_counter()
            session(f"local[{workers}]")
            print(f"spark start-up: {time.perf_counter() - t:.1f} s", file=sys.stderr)
        out = work / f"out-{engine}-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        result = run_job([str(src)], str(out), engine=engine, workers=workers)
        wall = time.perf_counter() - t
        assert result.exit_code == 0, [p.error for p in result.parts]
        rate = size / 1e6 / wall
        per_worker = rate / workers
        if base is None and engine == "local" and workers == 1:
            base = rate
        rss = max(p.peak_rss_mb for p in result.parts)
        cpu = sum(p.cpu_seconds for p in result.parts)
        cpu_rate = size / 1e6 / cpu
        if base_cpu is None and engine == "local" and workers == 1:
            base_cpu = cpu_rate
        n = result.summary()["records"]
        rows.append((engine, workers, wall, rate, per_worker, rss, n, cpu_rate))
        print(f"{engine}:{workers} done in {wall:.1f} s", file=sys.stderr)
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}"
    )
    print(f"Archive: {size / 1e6:.1f} MB JSON, {2 * args.files} files\n")
    print(
        "| engine | workers | records | wall s | MB/s | MB/s per worker "
        "| per worker / 1-process | MB per CPU-s in workers | same / 1-process "
        "| peak RSS per worker (MB) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for engine, workers, wall, rate, pw, rss, n, cpu_rate in rows:
        ratio = f"{pw / base:.2f}" if base else "n/a"
        cpu_ratio = f"{cpu_rate / base_cpu:.2f}" if base_cpu else "n/a"
        print(
            f"| {engine} | {workers} | {n} | {wall:.1f} | {rate:.2f} | {pw:.2f} "
            f"| {ratio} | {cpu_rate:.2f} | {cpu_ratio} | {rss:.0f} |"
        )
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""``tracemask redact`` of one JSON Lines file, end to end, with 1 and N worker processes.

Writes a file of trace payloads no Masker has seen (``TraceGenerator`` seeds from 100 up, 40
payloads per seed, one compact JSON document per line), then runs, in turn and ``--runs`` times
each, ``python -m tracemask redact --format jsonl FILE -o OUT --jobs N`` for every N of
``--jobs``, and the start-up probe (the same command on a one-line file). Prints, per command,
median wall and CPU seconds (the children's CPU: the workers' included) and MB/s, and checks
that every output is byte-identical to the first.

    python benchmarks/bench_cli_jsonl.py --mb 6 --jobs 1,2 --runs 2

Needs the bench extra (Faker). On a shared machine, read the CPU figures and the ratios of one
run; wall time gains from workers need idle cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_file(path: Path, mb: float, seed: int) -> int:
    from tracemask.bench.generator import TraceGenerator  # noqa: PLC0415 - bench extra

    size = 0
    with path.open("w", encoding="utf-8") as f:
        while size < mb * 1e6:
            for payload in TraceGenerator(seed).corpus(40):
                line = json.dumps(payload.obj, ensure_ascii=False) + "\n"
                f.write(line)
                size += len(line.encode("utf-8"))
            seed += 1
    return size


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of ``cmd`` (CPU of its process tree, as reaped)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)  # noqa: S603 - our interpreter
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=float, default=6.0, help="input size in MB [6]")
    parser.add_argument("--jobs", default="1,2", help="worker counts to compare [1,2]")
    parser.add_argument("--runs", type=int, default=2, help="runs of each command [2]")
    parser.add_argument("--seed", type=int, default=100, help="first generator seed [100]")
    args = parser.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    with tempfile.TemporaryDirectory(prefix="tracemask-cli-bench-") as tmp:
        root = Path(tmp)
        src = root / "in.jsonl"
        size = make_file(src, args.mb, args.seed)
        tiny = root / "tiny.jsonl"
        tiny.write_text('{"msg": "mail jane.doe@example.com"}\n', encoding="utf-8")
        print(f"input: {size / 1e6:.2f} MB, seeds from {args.seed}; load {os.getloadavg()}")
        base = [sys.executable, "-m", "tracemask", "redact", "--format", "jsonl"]
        startup = [timed([*base, str(tiny), "-o", str(root / "t.out")]) for _ in range(5)]
        print(
            f"start-up (one-line file): wall {statistics.median(w for w, _ in startup):.3f} s,"
            f" CPU {statistics.median(c for _, c in startup):.3f} s (median of 5)"
        )
        results: dict[int, list[tuple[float, float]]] = {j: [] for j in jobs}
        for _ in range(args.runs):
            for j in jobs:  # interleaved: drift of a shared machine hits every N alike
                out = root / f"out{j}.jsonl"
                results[j].append(timed([*base, str(src), "-o", str(out), "--jobs", str(j)]))
        first = (root / f"out{jobs[0]}.jsonl").read_bytes()
        for j in jobs:
            same = (root / f"out{j}.jsonl").read_bytes() == first
            wall = statistics.median(w for w, _ in results[j])
            cpu = statistics.median(c for _, c in results[j])
            print(
                f"--jobs {j}: wall {wall:.2f} s ({size / wall / 1e6:.2f} MB/s), CPU {cpu:.2f} s"
                f" ({size / cpu / 1e6:.2f} MB/CPU-s); output identical to --jobs {jobs[0]}: {same}"
            )
        print(f"load at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()

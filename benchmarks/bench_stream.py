"""Streaming benchmark: what ``StreamMasker`` adds to an LLM stream.

Generates LLM-like responses (2-20 KB, planted cards, IBANs, emails, phones, keys, JWTs, PEM
blocks, names, addresses) cut into ~4-character deltas (1-8), feeds them through a
``StreamMasker`` and reports, as Markdown:

- first-byte delay: characters fed before the first non-empty output, the same in seconds at
  a typical 200 characters/s (~50 tokens/s) stream, and the CPU time spent until then;
- throughput: MB/s of the stream (every feed + close) against ``Masker.mask_text`` on the whole
  text in the same run (caches cleared), and the ratio;
- per-delta CPU cost of ``feed`` (p50, p99, max).

    python benchmarks/bench_stream.py                    # 40 responses, default StreamMasker
    python benchmarks/bench_stream.py --responses 100 --hold-back 128 --step 32
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.stream._texts import deltas, planted_text  # noqa: E402

from tracemask import Masker, StreamMasker  # noqa: E402

CHARS_PER_SECOND = 200.0  # ~50 tokens/s at ~4 characters per token


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:  # noqa: PLR0915 - one linear measurement script
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hold-back", type=int, default=256)
    parser.add_argument("--step", type=int, default=64)
    parser.add_argument("--backend", default="auto")
    args = parser.parse_args()

    masker = Masker(backend=args.backend)
    rng = random.Random(args.seed)
    docs = [planted_text(rng, rng.randint(2_000, 20_000))[0] for _ in range(args.responses)]
    streams = [deltas(rng, d) for d in docs]
    masker.mask_text("warm up jane.doe@example.com 4111 1111 1111 1111")

    first_chars: list[int] = []
    first_cpu: list[float] = []
    per_delta: list[float] = []
    stream_time = whole_time = 0.0
    total = sum(len(d) for d in docs)
    for doc, pieces in zip(docs, streams, strict=True):
        masker.compiled.clear_caches()
        t0 = time.perf_counter()
        expected = masker.mask_text(doc)
        whole_time += time.perf_counter() - t0

        masker.compiled.clear_caches()
        sm = StreamMasker(masker, hold_back=args.hold_back, step=args.step)
        out: list[str] = []
        fed = 0
        spent = 0.0
        first = None
        for piece in pieces:
            t0 = time.perf_counter()
            emitted = sm.feed(piece)
            dt = time.perf_counter() - t0
            per_delta.append(dt)
            spent += dt
            fed += len(piece)
            if emitted and first is None:
                first = (fed, spent)
            out.append(emitted)
        t0 = time.perf_counter()
        out.append(sm.close())
        spent += time.perf_counter() - t0
        stream_time += spent
        if first is None:
            first = (fed, spent)
        first_chars.append(first[0])
        first_cpu.append(first[1])
        assert "".join(out) == expected, "stream output differs from mask_text"

    mb = total / 1e6
    print(f"responses: {len(docs)}, {total / 1e3:.0f} K characters, {len(per_delta)} deltas")
    print(f"StreamMasker(hold_back={args.hold_back}, step={args.step}), backend {masker.backend}")
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs\n")
    print("| measure | p50 | p90 | max |")
    print("|---|---|---|---|")
    fc = [float(c) for c in first_chars]
    row = [statistics.median(fc), _pct(fc, 0.9), max(fc)]
    print("| first-byte delay, characters | " + " | ".join(f"{v:.0f}" for v in row) + " |")
    secs = [v / CHARS_PER_SECOND for v in row]
    print("| same at 200 chars/s, s | " + " | ".join(f"{v:.2f}" for v in secs) + " |")
    cpu = [statistics.median(first_cpu) * 1e3, _pct(first_cpu, 0.9) * 1e3, max(first_cpu) * 1e3]
    print("| CPU until first output, ms | " + " | ".join(f"{v:.2f}" for v in cpu) + " |")
    print()
    print("| per-delta feed() CPU | p50 | p99 | max | mean |")
    print("|---|---|---|---|---|")
    us = [v * 1e6 for v in per_delta]
    print(
        f"| µs | {_pct(us, 0.5):.1f} | {_pct(us, 0.99):.0f} | {max(us):.0f}"
        f" | {statistics.fmean(us):.1f} |"
    )
    print()
    print("| throughput | MB/s |")
    print("|---|---|")
    print(f"| StreamMasker (all deltas + close) | {mb / stream_time:.2f} |")
    print(f"| mask_text on the whole text | {mb / whole_time:.2f} |")
    print(f"| ratio stream / whole | {whole_time / stream_time:.2f} |")


if __name__ == "__main__":
    main()

"""Cold throughput probe: a fresh ``Masker`` per run, so no string has been seen before.

Prints MB/s over the bench corpus and, with ``--detectors``, each detector's share of the time
(its ``detect`` wrapped); with ``--profile``, the top functions by own time. Usage::

    python benchmarks/bench_cold.py [--seed 7] [--payloads 150] [--detectors] [--profile]
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import time
from collections.abc import Callable, Iterable
from typing import Any

from tracemask import Masker
from tracemask.bench.generator import TraceGenerator, compact_size


def _wrap(detector: Any, spent: collections.Counter[str]) -> None:
    original: Callable[..., Iterable[Any]] = detector.detect

    def timed(text: str, *args: Any, **kwargs: Any) -> list[Any]:
        start = time.process_time()
        found = list(original(text, *args, **kwargs))
        spent[detector.name] += time.process_time() - start
        return found

    object.__setattr__(detector, "detect", timed)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--payloads", type=int, default=150)
    ap.add_argument("--detectors", action="store_true", help="time each detector's detect")
    ap.add_argument("--profile", action="store_true", help="print the top functions")
    args = ap.parse_args()
    payloads = [p.obj for p in TraceGenerator(seed=args.seed).corpus(args.payloads)]
    size = sum(compact_size(p) for p in payloads)
    # Lexicons, databases and detector regexes are loaded once per process, some on first use:
    # a throwaway Masker masks other payloads first, so that the timed runs exclude them.
    warm = Masker()
    for payload in TraceGenerator(seed=args.seed + 1000).corpus(20):
        warm.mask(payload.obj)

    def run(spent: collections.Counter[str] | None = None) -> None:
        masker = Masker()
        if spent is not None:
            for detector in masker.compiled.engine.detectors:
                _wrap(detector, spent)
        for payload in payloads:
            masker.mask(payload)

    start = time.process_time()
    run()
    elapsed = time.process_time() - start
    print(f"{size / 1e6:.2f} MB, cold: {size / 1e6 / elapsed:.2f} MB/s ({elapsed:.2f} s CPU)")
    if args.detectors:
        spent: collections.Counter[str] = collections.Counter()
        start = time.process_time()
        run(spent)
        total = time.process_time() - start
        for name, seconds in spent.most_common(15):
            print(f"{name:28s} {seconds:7.3f} s  {100 * seconds / total:5.1f} %")
    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        run()
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()

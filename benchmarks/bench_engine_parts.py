"""The engine's parts, timed apart on the strings a cold run detects in (steadier than MB/s).

Collects every string the engine is asked about while masking the bench corpus, then times,
best of ``--reps`` (process CPU time): the prefilter over all of them, and each pattern
detector over the strings its trigger selects (a fresh detector per rep, so its memos start
empty); with ``--compile``, the prefilter's Hyperscan compile with the disk cache off. Run it
against two trees to compare a change::

    PYTHONPATH=OLD/src python benchmarks/bench_engine_parts.py > old.txt
    PYTHONPATH=NEW/src python benchmarks/bench_engine_parts.py > new.txt
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

from tracemask import Masker
from tracemask.bench.generator import TraceGenerator
from tracemask.detectors._pattern import DetectorSettings, PatternDetector


def _best(reps: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(reps):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--payloads", type=int, default=150)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--compile", action="store_true", help="time the prefilter compile")
    args = ap.parse_args()
    masker = Masker()
    engine = masker.compiled.engine
    texts: list[str] = []
    detect = engine.detect

    def collect(text: str, field: str | None = None) -> Any:
        texts.append(text)
        return detect(text, field)

    engine.detect = collect  # type: ignore[method-assign]
    for payload in TraceGenerator(seed=args.seed).corpus(args.payloads):
        masker.mask(payload.obj)
    engine.detect = detect  # type: ignore[method-assign]
    prefilter = engine.prefilter
    print(f"{len(texts)} strings, {sum(map(len, texts)) / 1e6:.2f} M characters")
    print(f"{'prefilter':28s} {_best(args.reps, lambda: [prefilter.hits(t) for t in texts]):.4f} s")
    triggered = [d for d in engine.detectors if getattr(d, "trigger", "")]
    selected: dict[int, list[str]] = {i: [] for i in range(len(triggered))}
    for text in texts:
        for i in prefilter.hits(text):
            selected[i].append(text)
    for i, det in enumerate(triggered):
        if not isinstance(det, PatternDetector):
            continue
        cls = type(det)
        chosen = selected[i]

        def run(cls: type[PatternDetector] = cls, chosen: list[str] = chosen) -> None:
            fresh = cls.create(DetectorSettings())
            for text in chosen:
                list(fresh.detect(text))

        print(f"{det.name:28s} {_best(args.reps, run):.4f} s  ({len(chosen)} strings)")
    if args.compile:
        from tracemask.detectors import _prefilter  # noqa: PLC0415

        os.environ[_prefilter.ENV_CACHE_DIR] = "off"
        triggers = [(d.trigger, bool(d.ignore_case)) for d in triggered]

        def compile_once() -> None:
            _prefilter._COMPILED.clear()
            _prefilter.HyperscanPrefilter(triggers)

        print(f"{'prefilter compile':28s} {_best(1, compile_once):.3f} s")


if __name__ == "__main__":
    main()

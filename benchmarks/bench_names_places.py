"""Cold cost of the name and address detectors alone, on the strings a real run gives them.

``record`` masks the bench corpus with a fresh ``Masker`` and keeps every string the engine
hands to ``PersonDetector`` and ``LocationDetector``, in call order (the two share work on a
string, so the order matters). ``replay`` runs that sequence through fresh detectors (cold:
nothing remembered from an earlier rep) and prints each detector's CPU time, best of ``--reps``.
Record once, then replay with each source tree to compare (ratios from one session)::

    python benchmarks/bench_names_places.py record /tmp/seq.pkl [--seeds 7]
    PYTHONPATH=OLD/src python benchmarks/bench_names_places.py replay /tmp/seq.pkl
    PYTHONPATH=NEW/src python benchmarks/bench_names_places.py replay /tmp/seq.pkl

The file holds raw corpus strings (synthetic data from the bench generator): keep it local.
"""

from __future__ import annotations

import argparse
import pickle
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tracemask import Masker
from tracemask.bench.generator import TraceGenerator
from tracemask.detectors.pii.address import LocationDetector
from tracemask.detectors.pii.person import PersonDetector

NAMES = ("PersonDetector", "LocationDetector")


def record(out: Path, seeds: list[int], payloads: int) -> None:
    calls: list[tuple[str, str]] = []
    masker = Masker()
    for detector in masker.compiled.engine.detectors:
        name = type(detector).__name__
        if name in NAMES:
            original: Callable[..., Iterable[Any]] = detector.detect

            def detect(text: str, *a: Any, _o: Any = original, _n: str = name) -> Any:
                calls.append((_n, text))
                return _o(text, *a)

            object.__setattr__(detector, "detect", detect)
    for seed in seeds:
        for payload in TraceGenerator(seed=seed).corpus(payloads):
            masker.mask(payload.obj)
    out.write_bytes(pickle.dumps(calls))
    size = sum(len(t) for _, t in calls)
    print(f"{len(calls)} calls, {size / 1e6:.2f} M characters -> {out}")


def replay(path: Path, reps: int) -> None:
    calls: list[tuple[str, str]] = pickle.loads(path.read_bytes())  # noqa: S301 - own file
    Masker()  # as in a real run: the engine picks the backend (imports Hyperscan when there)
    best: dict[str, float] = {}
    for _ in range(reps):
        warm = {"PersonDetector": PersonDetector(), "LocationDetector": LocationDetector()}
        for detector in warm.values():  # lexicons and databases: once per process
            list(detector.detect("Warm Up at 12 Main Street in Paris"))
        fresh = {"PersonDetector": PersonDetector(), "LocationDetector": LocationDetector()}
        spent = dict.fromkeys(fresh, 0.0)
        for name, text in calls:
            start = time.process_time()
            list(fresh[name].detect(text))
            spent[name] += time.process_time() - start
        for name, seconds in spent.items():
            best[name] = min(best.get(name, seconds), seconds)
    size = sum(len(t) for _, t in calls) / 1e6
    total = sum(best.values())
    parts = "  ".join(f"{n.removesuffix('Detector')} {s:.3f} s" for n, s in best.items())
    print(f"{parts}  total {total:.3f} s  ({size:.2f} M characters, best of {reps})")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("out", type=Path)
    r.add_argument("--seeds", default="7")
    r.add_argument("--payloads", type=int, default=150)
    p = sub.add_parser("replay")
    p.add_argument("path", type=Path)
    p.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    if args.cmd == "record":
        record(args.out, [int(s) for s in args.seeds.split(",")], args.payloads)
    else:
        replay(args.path, args.reps)


if __name__ == "__main__":
    main()

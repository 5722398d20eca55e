"""Record or compare every finding of the default policy: a speed change must lose none.

Records, per backend: the masked output of each bench-corpus payload (seeds given) and the
findings of ``Masker.detect`` on every record of the labelled data files. Usage::

    python benchmarks/findings_snapshot.py record OUT.json [--seeds 0,7] [--data FILE.jsonl ...]
    python benchmarks/findings_snapshot.py compare OLD.json NEW.json

The snapshot holds hashes of masked payloads (never raw values) and finding offsets/entities.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from tracemask import Masker
from tracemask.bench.generator import TraceGenerator


def record(seeds: list[int], data: list[str], payloads: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for backend in ("hyperscan", "re"):
        m = Masker(backend=backend)
        corpus: dict[str, str] = {}
        for seed in seeds:
            gen = TraceGenerator(seed=seed)
            for i, p in enumerate(gen.corpus(payloads)):
                masked = m.mask(p.obj)
                blob = json.dumps(masked, sort_keys=True, default=str).encode()
                corpus[f"{seed}:{i}"] = hashlib.sha256(blob).hexdigest()
        texts: dict[str, list[list[object]]] = {}
        for path in data:
            for n, line in enumerate(Path(path).read_text().splitlines()):
                text = json.loads(line)["text"]
                texts[f"{Path(path).name}:{n}"] = [
                    [f.start, f.end, f.entity, f.recognizer, round(f.score, 6)]
                    for f in m.detect(text)
                ]
        out[backend] = {"corpus": corpus, "texts": texts}
    return out


def compare(
    old: dict[str, dict[str, dict[str, object]]], new: dict[str, dict[str, dict[str, object]]]
) -> int:
    diffs = 0
    for backend in sorted(set(old) | set(new)):
        for part in ("corpus", "texts"):
            a, b = old.get(backend, {}).get(part, {}), new.get(backend, {}).get(part, {})
            keys = sorted(set(a) | set(b))
            bad = [k for k in keys if a.get(k) != b.get(k)]
            diffs += len(bad)
            print(f"{backend:9s} {part:6s} {len(keys):5d} items, {len(bad)} differ {bad[:10]}")
    return 1 if diffs else 0


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("record")
    r.add_argument("out")
    r.add_argument("--seeds", default="0,7")
    r.add_argument("--payloads", type=int, default=150)
    r.add_argument(
        "--data", nargs="*", default=sorted(map(str, Path("/work/shared/data").glob("*.jsonl")))
    )
    c = sub.add_parser("compare")
    c.add_argument("old")
    c.add_argument("new")
    args = ap.parse_args()
    if args.cmd == "record":
        snap = record([int(s) for s in args.seeds.split(",")], args.data, args.payloads)
        Path(args.out).write_text(json.dumps(snap, sort_keys=True))
        return 0
    return compare(json.loads(Path(args.old).read_text()), json.loads(Path(args.new).read_text()))


if __name__ == "__main__":
    sys.exit(main())

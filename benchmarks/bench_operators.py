"""What each operator costs: per value, and end to end on the shared SDK samples.

For every operator the same Masker policy is built with that operator as the default; the
script times (process CPU, best of ``--reps``) ``operator.apply`` on a fixed list of values, and
``Masker.mask`` over the payloads in ``../shared/samples`` with the text cache cleared before
each payload (so every value is detected and replaced again). Ratios against ``replace``, in
the same run, are what to compare across machines.

    python benchmarks/bench_operators.py
    python benchmarks/bench_operators.py --samples ../shared/samples --reps 7
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from tracemask import Masker
from tracemask.encryption import generate_key, key_line

VALUES = [
    ("EMAIL_ADDRESS", "Jane.Doe@acme-corp.io"),
    ("PHONE_NUMBER", "+1 (415) 867-5309"),
    ("CREDIT_CARD", "4111 1111 1111 1111"),
    ("PERSON", "Jennifer Kucharski"),
    ("LOCATION", "1600 Pennsylvania Avenue"),
    ("API_KEY", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
]
_VALUE_CALLS = 1998
OPERATORS: dict[str, dict[str, Any]] = {
    "replace": {"type": "replace"},
    "mask": {"type": "mask", "keep_last": 4},
    "hash": {"type": "hash", "key": "bench"},
    "pseudonymize": {"type": "pseudonymize", "key": "bench"},
    "pseudonymize counter": {"type": "pseudonymize", "key": "bench", "style": "counter"},
    "pseudonymize trace": {"type": "pseudonymize", "key": "bench", "scope": "trace"},
    "surrogate": {"type": "surrogate", "key": "bench"},
    "encrypt": {"type": "encrypt", "keys_env": "TRACEMASK_BENCH_KEYS"},
}


def _best(fn: Any, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "samples"
    parser.add_argument("--samples", type=Path, default=default)
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    os.environ["TRACEMASK_BENCH_KEYS"] = key_line("k1", generate_key())
    payloads = [json.loads(p.read_text()) for p in sorted(args.samples.glob("*.json"))]
    size = sum(len(json.dumps(p)) for p in payloads)
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}; {len(payloads)} payloads, {size / 1e3:.0f} KB"
    )
    print("\n| operator | µs per value | x replace | payloads ms (cold cache) | x replace |")
    print("|---|--:|--:|--:|--:|")
    base: tuple[float, float] | None = None
    for name, spec in OPERATORS.items():
        masker = Masker({"default_operator": spec})
        op = masker.compiled.operator("EMAIL_ADDRESS")
        ctx = masker.compiled.context({"trace": "bench"})

        def values(op: Any = op, ctx: Any = ctx, masker: Masker = masker) -> None:
            for _ in range(_VALUE_CALLS // len(VALUES)):
                for entity, value in VALUES:
                    masker.compiled.replacement(op, value, entity, ctx)

        def end_to_end(masker: Masker = masker) -> None:
            for p in payloads:
                masker.compiled.clear_caches()
                masker.mask(p, scope={"trace": "bench"})

        per_value = _best(values, args.reps) / _VALUE_CALLS * 1e6
        whole = _best(end_to_end, args.reps) * 1e3
        base = base or (per_value, whole)
        print(
            f"| {name} | {per_value:.1f} | {per_value / base[0]:.1f} | {whole:.1f} | "
            f"{whole / base[1]:.2f} |"
        )


if __name__ == "__main__":
    main()

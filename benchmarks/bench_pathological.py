"""Cost of pathological inputs: time per MB must stay flat from 100 KB to 10 MB.

Each input is one long string made of a single repeated unit (a digit run, ``Aaa `` words,
``key: value`` lines, ``a@``, base64, hex, names in prose…): the shapes that make a regex engine
report a match at nearly every offset or a detector keep state per candidate. A quadratic path
shows as seconds-per-MB growing with the size.

    python benchmarks/bench_pathological.py                 # every input, 0.1 / 1 / 10 MB
    python benchmarks/bench_pathological.py --sizes 0.1,1   # quicker
    python benchmarks/bench_pathological.py --inputs digits,names --backend re

Each size runs in a fresh ``Masker`` (so no text cache is hit); the table shows seconds per
MB and the ratio of the largest size's s/MB to the smallest's (≈1 means linear).
"""

from __future__ import annotations

import argparse
import base64
import random
import sys
import time

from tracemask import Masker, Policy

#: Repeated units, by name.
UNITS: dict[str, str] = {
    "digits": "1",
    "digits-spaced": "1 ",
    "digits-dashed": "12-",
    "digit-letter": "1a",
    "Aaa": "Aaa ",
    "key-value": "key: value\n",
    "a@": "a@",
    "hex": "0123456789abcdef",
    "names": "John Smith met Mary Jones in Paris. ",
    "street": "12 Main Street, ",
}


def _base64(size: int) -> str:
    rng = random.Random(7)
    raw = bytes(rng.getrandbits(8) for _ in range(size * 3 // 4 + 3))
    return base64.b64encode(raw).decode("ascii")[:size]


def make(name: str, size: int) -> str:
    """The input ``name`` of about ``size`` characters."""
    if name == "base64":
        return _base64(size)
    unit = UNITS[name]
    return (unit * (size // len(unit) + 1))[:size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="0.1,1,10", help="sizes in MB, comma separated")
    parser.add_argument("--inputs", default=",".join([*UNITS, "base64"]))
    parser.add_argument("--backend", default="auto", choices=("auto", "hyperscan", "re"))
    args = parser.parse_args(argv)
    sizes = [float(s) for s in args.sizes.split(",")]
    names = args.inputs.split(",")
    policy = Policy()
    print(f"backend={Masker(policy, backend=args.backend).backend}  sizes (MB): {sizes}\n")
    header = " | ".join(f"{s:g} MB s/MB" for s in sizes)
    print(f"| input | {header} | growth |")
    print("|---|" + "---:|" * (len(sizes) + 1))
    for name in names:
        per_mb: list[float] = []
        for mb in sizes:
            text = make(name, int(mb * 1_000_000))
            masker = Masker(policy, backend=args.backend)
            start = time.perf_counter()
            masker.mask_text(text)
            per_mb.append((time.perf_counter() - start) / mb)
        cells = " | ".join(f"{v:.3f}" for v in per_mb)
        growth = per_mb[-1] / per_mb[0] if per_mb[0] > 0 else float("nan")
        print(f"| {name} | {cells} | {growth:.2f}x |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

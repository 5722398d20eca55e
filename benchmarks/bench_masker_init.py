"""Cost of building a Masker: the first in a process (loads lexicons, compiles the prefilter),
each other policy's first (it reuses the default's prefilter database where it can), and every
one after it (shares them), for the default policy and a few others.

    python benchmarks/bench_masker_init.py
    TRACEMASK_CACHE_DIR=off python benchmarks/bench_masker_init.py   # no compiled-database cache
"""

from __future__ import annotations

import statistics
import time

T0 = time.perf_counter()
from tracemask import Masker  # noqa: E402 - the import is part of what is measured

POLICIES = {
    "default": None,
    "names off, GB phones": {"entities": {"PERSON": {"enabled": False}}, "phone_regions": ["GB"]},
    "counter pseudonyms": {
        "default_operator": {"type": "pseudonymize", "key": "k", "style": "counter"}
    },
}


def main() -> None:
    imported = time.perf_counter()
    Masker()
    first = time.perf_counter()
    print(f"import tracemask: {1e3 * (imported - T0):.0f} ms")
    print(f"first Masker(): {1e3 * (first - imported):.0f} ms (lexicons, Hyperscan compile)")
    for name, policy in POLICIES.items():
        start = time.perf_counter()
        Masker(policy)  # this policy's first build (its own prefilter, or a reused one)
        print(f"Masker({name}), its first: {1e3 * (time.perf_counter() - start):.0f} ms")
        times = []
        for _ in range(30):
            start = time.perf_counter()
            Masker(policy)
            times.append(1e3 * (time.perf_counter() - start))
        print(f"Masker({name}) after the first: median {statistics.median(times):.2f} ms")


if __name__ == "__main__":
    main()

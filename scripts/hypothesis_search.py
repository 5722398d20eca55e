"""Randomized Hypothesis search, outside CI: run the property tests again and again with fresh
seeds until the time is up or a counterexample turns up.

The test suite itself is deterministic (``tests/ci_plugin.py``); this is the long, random job
that finds new counterexamples. When one is found, pin it in the test with ``@example(...)``
and fix the engine. Usage::

    python scripts/hypothesis_search.py --minutes 20           # every module using Hypothesis
    python scripts/hypothesis_search.py --minutes 5 tests/property

Exit status: 0 when no counterexample was found, 1 with the failing seed otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def property_modules() -> list[str]:
    """Test modules that use Hypothesis."""
    found = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        if "from hypothesis import" in text and "@given" in text:
            found.append(str(path.relative_to(ROOT)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="time budget (default 10)")
    parser.add_argument("paths", nargs="*", help="test files or folders (default: all)")
    args = parser.parse_args(argv)
    paths = args.paths or property_modules()
    env = {**os.environ, "HYPOTHESIS_PROFILE": "search"}
    deadline = time.monotonic() + args.minutes * 60
    rounds = 0
    while time.monotonic() < deadline:
        seed = random.SystemRandom().randrange(2**32)
        rounds += 1
        print(f"round {rounds}: --hypothesis-seed={seed}", flush=True)
        cmd = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
        cmd += [f"--hypothesis-seed={seed}", *paths]
        proc = subprocess.run(cmd, cwd=ROOT, env=env, check=False)  # noqa: S603 - our own tests
        if proc.returncode != 0:
            print(
                f"counterexample found (seed {seed}): pin it with @example(...) in the failing "
                f"test; replay with HYPOTHESIS_PROFILE=search pytest --hypothesis-seed={seed}",
                file=sys.stderr,
            )
            return 1
    print(f"no counterexample in {rounds} round(s) of {len(paths)} module(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

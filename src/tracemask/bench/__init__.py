"""``tracemask bench``: a seeded trace-payload generator and a side-by-side benchmark.

Importing this package imports the standard library only; Faker, orjson, matplotlib,
pyinstrument and the compared systems (Presidio, spaCy, LangSmith) are imported when used.
"""

from tracemask.bench._markdown import render_markdown
from tracemask.bench.generator import DECODE, KINDS, Payload, Plant, TraceGenerator, compact_size
from tracemask.bench.runner import Accuracy, BenchConfig, run_bench, survives
from tracemask.bench.systems import DEFAULT_SYSTEMS, SYSTEMS, System, make

__all__ = [
    "DECODE",
    "DEFAULT_SYSTEMS",
    "KINDS",
    "SYSTEMS",
    "Accuracy",
    "BenchConfig",
    "Payload",
    "Plant",
    "System",
    "TraceGenerator",
    "compact_size",
    "make",
    "render_markdown",
    "run_bench",
    "survives",
]

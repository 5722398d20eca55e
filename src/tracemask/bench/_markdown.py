"""Markdown tables of a ``tracemask bench`` result (the dict :func:`run_bench` returns)."""

from __future__ import annotations

from typing import Any

from tracemask.bench.generator import CATEGORY_NAMES, CATEGORY_PII, CATEGORY_SECRET

#: Category of each planted entity (for the by-entity table).
_ENTITY_CATEGORY = {
    "PERSON": CATEGORY_NAMES,
    "LOCATION": CATEGORY_NAMES,
    "API_KEY": CATEGORY_SECRET,
    "PASSWORD": CATEGORY_SECRET,
    "PRIVATE_KEY": CATEGORY_SECRET,
}


def _share(d: dict[str, Any]) -> str:
    if d["rate"] is None:
        return "n/a"
    return f"{100 * d['rate']:.1f} % ({d['n']}/{d['of']})"


#: The sign of a ratio in tables.
TIMES = "\u00d7"


def _ratio(x: float | None) -> str:
    if x is None:
        return "—"
    if x >= 10:
        return f"{x:,.0f}{TIMES}"
    return f"{x:.2f}{TIMES}" if x >= 0.1 else f"{x:.2g}{TIMES}"


def _mbps(x: float) -> str:
    return f"{x:,.1f}" if x >= 1 else f"{x:.3f}"


def _us(x: float) -> str:
    return f"{x:,.0f}"


def _size(n: float) -> str:
    if n >= 1e6:
        return f"{n / 1e6:.1f} MB"
    if n >= 1e3:
        return f"{n / 1e3:.1f} KB"
    return f"{n:.0f} B"


def _table(header: list[str], rows: list[list[str]], align: str) -> list[str]:
    sep = ["---" if a == "l" else "--:" for a in align]
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(sep) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _unavailable_rows(result: dict[str, Any], width: int) -> list[list[str]]:
    return [[name, why] + [""] * (width - 2) for name, why in result["unavailable"].items()]


def _intro(result: dict[str, Any]) -> list[str]:
    m = result["machine"]
    c = result["corpus"]
    cfg = result["config"]
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(c["kinds"].items()))
    clock = (
        "process CPU time (the machine is shared: time given to other processes is not"
        " counted; on an idle machine wall time is the same)."
        if cfg.get("clock", "cpu") == "cpu"
        else "wall time."
    )
    load = m.get("load_average") or []
    load_end = m.get("load_average_end") or []
    busy = (
        f" Load average (1/5/15 min) {'/'.join(map(str, load))} at the start,"
        f" {'/'.join(map(str, load_end))} at the end."
        if load
        else ""
    )
    commit = f" Commit: `{m['commit']}`." if m.get("commit") else ""
    return [
        "# tracemask bench",
        "",
        f"- Date: {m['date']}.{commit} Machine: {m['cpu']}, {m['usable_cores']} usable cores "
        f"({m['cores']} online), {m['implementation']} {m['python']}, {m['os']}.{busy}",
        f"- Command: `{cfg['command']}`",
        f"- Corpus (seed {cfg['seed']}): {c['payloads']} payloads ({kinds}), "
        f"{_size(c['bytes'])} of compact JSON, sizes {_size(c['size_min'])} / "
        f"{_size(c['size_p50'])} / {_size(c['size_max'])} (min / median / max); "
        f"{c['planted']} planted values, {c['decoys']} decoys.",
        f"- {cfg['reps']} repetitions, interleaved (system order rotates); medians. MB/s = "
        "compact-JSON bytes / masking time, one core. Ratios: tracemask MB/s / system MB/s on "
        "the payloads that system ran, per repetition, median.",
        f"- Clock: {clock}",
        "- Leak: a planted value counts as leaked when it, or any run of half its characters,"
        " is still readable where it was planted. Decoys kept: still there verbatim.",
    ]


def _throughput(result: dict[str, Any]) -> list[str]:
    header = [
        "system",
        "payloads",
        "MB/s",
        f"tracemask {TIMES}",
        "p50 µs",
        "p99 µs",
        "leak: PII + secrets",
        "leak: all planted",
        "decoys kept",
    ]
    rows = []
    for r in result["throughput"]:
        a = r["accuracy"]
        rows.append(
            [
                r["label"],
                str(r["payloads"]),
                _mbps(r["mb_per_s"]),
                _ratio(r.get("tracemask_ratio")),
                _us(r["p50_us"]),
                _us(r["p99_us"]),
                _share(a["leak_structured"]),
                _share(a["leak_all"]),
                _share(a["decoys_kept"]),
            ]
        )
    rows += _unavailable_rows(result, len(header))
    return ["## Throughput and accuracy on the corpus", "", *_table(header, rows, "lrrrrrrrr")]


#: Column headings of the tracemask systems in the by-kind/size tables.
_MODES = {
    "tracemask": "cold",
    "tracemask-warm": "warm",
    "tracemask-nocache": "caches cleared per payload",
    "tracemask-re": "re prefilter (cold)",
}


def _headline(result: dict[str, Any]) -> list[str]:
    """Cold and warm MB/s side by side: the two numbers a reader looks for first."""
    rows = {r["system"]: r for r in result["throughput"]}
    cold, warm = rows.get("tracemask"), rows.get("tracemask-warm")
    if cold is None:
        return []
    line = (
        f"**Cold: {_mbps(cold['mb_per_s'])} MB/s** (a fresh `Masker` per repetition: no string"
        " seen before, the headline)"
    )
    if warm is not None:
        line += (
            f"; warm: {_mbps(warm['mb_per_s'])} MB/s (the same payloads seen before: text cache"
            " hits, as repeated prompts get in real traffic)"
        )
    return [line + "."]


def _breakdown(breakdown: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for axis, title in (("by_kind", "payload kind"), ("by_size", "payload size")):
        rows_in = breakdown.get(axis) or []
        if not rows_in:
            continue
        names = list(rows_in[0]["mb_per_s"])
        header = [title, "payloads", "mean size"]
        header += [f"{_MODES.get(n, n)} MB/s" for n in names]
        header += [f"{_MODES.get(n, n)} p50 µs" for n in names]
        rows = [
            [
                r["group"],
                str(r["payloads"]),
                _size(r["mean_size"]),
                *[_mbps(r["mb_per_s"][n]) for n in names],
                *[_us(r["p50_us"][n]) for n in names],
            ]
            for r in rows_in
        ]
        out += [
            f"## Cold and warm by {title}",
            "",
            *_table(header, rows, "lrr" + "r" * 2 * len(names)),
            "",
        ]
    return out[:-1]


def _latency(result: dict[str, Any]) -> list[str]:
    header = ["system", "payloads", "p50 µs", "p99 µs", "MB/s", f"tracemask {TIMES}"]
    rows = [
        [
            r["label"],
            str(r["payloads"]),
            _us(r["p50_us"]),
            _us(r["p99_us"]),
            _mbps(r["mb_per_s"]),
            _ratio(r.get("tracemask_ratio")),
        ]
        for r in result["latency"]
    ]
    rows += _unavailable_rows(result, len(header))
    title = f"## Latency per payload, ~4 KB payloads (mean {_size(result['latency_mean_size'])})"
    return [title, "", *_table(header, rows, "lrrrrr")]


def _by_entity(systems: list[dict[str, Any]]) -> list[str]:
    entities = sorted(
        {e for r in systems for e in r["accuracy"]["by_entity"]},
        key=lambda e: (_ENTITY_CATEGORY.get(e, CATEGORY_PII), e),
    )
    header = ["entity", "category"] + [r["system"] for r in systems]
    rows = []
    for e in entities:
        row = [e, _ENTITY_CATEGORY.get(e, CATEGORY_PII)]
        for r in systems:
            d = r["accuracy"]["by_entity"].get(e)
            row.append(f"{d['leaked']}/{d['planted']}" if d else "—")
        rows.append(row)
    title = "## Leaks by planted entity (leaked / planted)"
    return [title, "", *_table(header, rows, "ll" + "r" * len(systems))]


def _by_case(systems: list[dict[str, Any]]) -> list[str]:
    cases = sorted(
        {c for r in systems for c in r["accuracy"].get("by_case", {})},
        key=lambda c: (c != "standard", c),
    )
    header = ["case", *[r["system"] for r in systems]]
    rows = []
    for c in cases:
        row = [c]
        for r in systems:
            d = r["accuracy"].get("by_case", {}).get(c)
            row.append(
                f"{_pct(d['leaked'], d['planted'])} ({d['leaked']}/{d['planted']})" if d else "—"
            )
        rows.append(row)
    title = "## Leaks by case (leaked / planted)"
    note = (
        "`standard`: values in the shapes detectors are written for; the others are what real "
        "traffic carries too: `bad_checksum_keyed` (wrong Luhn/IBAN/SSA values under telling "
        "keys and `key: value` lines), `national_phone` (Faker phone formats of 38 locales), "
        "`password_in_code` (chosen passwords in code and config), `stream_chunks` (values split "
        "across stored stream chunks), `cjk_text` (values next to CJK letters), `base64` "
        "(values inside base64 of JSON)."
    )
    return [title, "", note, "", *_table(header, rows, "l" + "r" * len(systems))]


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:.1f} %" if den else "—"


def _by_decoy(systems: list[dict[str, Any]]) -> list[str]:
    kinds = sorted({k for r in systems for k in r["accuracy"]["decoys_by_kind"]})
    header = ["decoy", *[r["system"] for r in systems]]
    rows = []
    for k in kinds:
        row = [k]
        for r in systems:
            d = r["accuracy"]["decoys_by_kind"].get(k)
            row.append(f"{d['damaged']}/{d['total']}" if d else "—")
        rows.append(row)
    title = "## Decoys damaged by kind (damaged / total)"
    return [title, "", *_table(header, rows, "l" + "r" * len(systems))]


def _cold(cold: dict[str, Any]) -> list[str]:
    header = [
        "system",
        "import + setup ms",
        "first call ms",
        "total ms",
        "total CPU ms",
        "peak RSS MB",
    ]
    rows = []
    for name, d in cold.items():
        if "error" in d or "skipped" in d:
            rows.append([name, d.get("error") or d["skipped"], "", "", "", ""])
            continue
        rows.append(
            [
                name,
                f"{d['setup_ms']:,.0f}",
                f"{d['first_call_ms']:,.1f}",
                f"{d['total_ms']:,.0f}",
                f"{d['total_cpu_ms']:,.0f}",
                f"{d['peak_rss_mb']:,.0f}",
            ]
        )
    return [
        "## Cold start and memory (fresh interpreter each run)",
        "",
        "Import + setup + first call on one ~4 KB payload (wall clock, and the process's CPU"
        " time), then masking payloads for up to 2 s; peak RSS (VmHWM) of that process. `none`"
        " is the interpreter with the corpus loaded. Medians of the runs.",
        "",
        *_table(header, rows, "lrrrrr"),
    ]


def _scaling(scaling: dict[str, Any]) -> list[str]:
    header = ["input", "size", "ms", "MB/s", "ns/byte"]
    labelled = [
        (label, r)
        for kind, label in (("payload", "one LangSmith run"), ("string", "one string"))
        for r in scaling[kind]
    ]
    labelled += [
        (f"batch of {r['n']} payloads ({r['us_per_payload']:,.0f} µs each)", r)
        for r in scaling["batch"]
    ]
    rows = [
        [
            label,
            _size(r["bytes"]),
            f"{r['ms']:,.2f}",
            _mbps(r["mb_per_s"]),
            f"{r['ns_per_byte']:.1f}",
        ]
        for label, r in labelled
    ]
    return [
        "## Scaling (tracemask, caches cleared before each call)",
        "",
        "Cost grows linearly when ns/byte stays flat.",
        "",
        *_table(header, rows, "lrrrr"),
    ]


def _profile(prof: dict[str, Any]) -> list[str]:
    header = ["function", "calls", "own %", "cumulative %"]
    rows = [
        [f"`{r['function']}`", f"{r['calls']:,}", f"{r['own_pct']:.1f}", f"{r['cum_pct']:.1f}"]
        for r in prof["top"]
    ]
    title = (
        "## Profile of the cold path (tracemask, a fresh Masker per pass; cProfile, full"
        f" output in `{prof['file']}`)"
    )
    return [title, "", *_table(header, rows, "lrrr")]


def render_markdown(result: dict[str, Any]) -> str:
    """The whole result as Markdown."""
    sections = [_intro(result)]
    if headline := _headline(result):
        sections.append(headline)
    sections.append(_throughput(result))
    if result.get("breakdown"):
        sections.append(_breakdown(result["breakdown"]))
    sections.append(_latency(result))
    systems = result["throughput"]
    if systems:
        sections += [_by_entity(systems), _by_case(systems), _by_decoy(systems)]
    if result.get("cold_start"):
        sections.append(_cold(result["cold_start"]))
    if result.get("scaling"):
        sections.append(_scaling(result["scaling"]))
    if result.get("profile"):
        sections.append(_profile(result["profile"]))
    sections.append([f"Run time: {result['seconds']:.0f} s."])
    return "\n\n".join("\n".join(lines) for lines in sections) + "\n"

"""PNG charts of a ``tracemask bench`` result (matplotlib, from the ``bench`` extra)."""

from __future__ import annotations

import os
from typing import Any


def write_charts(result: dict[str, Any], directory: str) -> list[str]:
    """Write ``throughput.png``, ``leak_vs_damage.png`` and (with scaling) ``scaling.png``.

    Returns the paths written.

    Raises:
        ImportError: matplotlib is not installed (``pip install 'tracemask[bench]'``).
    """
    try:
        import matplotlib  # noqa: PLC0415 - bench extra
    except ImportError as exc:
        raise ImportError("charts need matplotlib: pip install 'tracemask[bench]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    os.makedirs(directory, exist_ok=True)
    charts = [("throughput.png", _throughput), ("leak_vs_damage.png", _leak_vs_damage)]
    if result.get("scaling"):
        charts.append(("scaling.png", _scaling))
    written = []
    for name, draw in charts:
        fig = draw(plt, result)
        fig.tight_layout()
        path = os.path.join(directory, name)
        fig.savefig(path, dpi=120)
        plt.close(fig)
        written.append(path)
    return written


def _throughput(plt: Any, result: dict[str, Any]) -> Any:
    """MB/s per system, log scale; tracemask in blue."""
    rows = result["throughput"]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(rows) + 1.6))
    corpus = result["corpus"]["payloads"]
    labels = [
        r["label"] if r["payloads"] == corpus else f"{r['label']} ({r['payloads']} payloads)"
        for r in rows
    ][::-1]
    values = [r["mb_per_s"] for r in rows][::-1]
    colors = ["#1f77b4" if r["system"].startswith("tracemask") else "#999999" for r in rows][::-1]
    ax.barh(labels, values, color=colors)
    ax.set_xscale("log")
    ax.set_xlabel("MB/s of compact JSON, one core (log scale)")
    machine = result["machine"]
    ax.set_title(
        f"Masking throughput on trace payloads\n{machine['cpu']}, {machine['date']}", fontsize=10
    )
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:,.1f}" if v >= 1 else f" {v:.3f}", va="center", fontsize=8)
    ax.set_xlim(min(values) / 2, max(values) * 8)
    return fig


def _leak_vs_damage(plt: Any, result: dict[str, Any]) -> Any:
    """Leak rate against decoy damage per system: lower left is better."""
    fig, ax = plt.subplots(figsize=(7, 5))
    for r in result["throughput"]:
        a = r["accuracy"]
        # The floor masks nothing; the cache-free variant has tracemask's accuracy exactly.
        if r["system"] in ("orjson", "tracemask-nocache") or a["leak_structured"]["rate"] is None:
            continue
        damage = 100 * (1 - (a["decoys_kept"]["rate"] or 0.0))
        structured = 100 * a["leak_structured"]["rate"]
        everything = 100 * (a["leak_all"]["rate"] or 0.0)
        ax.scatter([structured], [damage], s=60, zorder=3)
        ax.scatter([everything], [damage], s=60, facecolors="none", edgecolors="grey", zorder=3)
        ax.plot([structured, everything], [damage, damage], color="lightgrey", zorder=1)
        ax.annotate(
            r["label"], (structured, damage), textcoords="offset points", xytext=(6, 6), fontsize=8
        )
    ax.set_xlabel("planted values leaked, % (filled: PII + secrets; hollow: incl. names/addresses)")
    ax.set_ylabel("decoys damaged, %")
    ax.set_xlim(0, 105)
    ax.set_ylim(bottom=0)
    ax.set_title("Leak rate vs decoy damage (lower left is better)", fontsize=10)
    ax.grid(alpha=0.3)
    return fig


def _scaling(plt: Any, result: dict[str, Any]) -> Any:
    """ns per byte against input size: flat means linear cost."""
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for kind, label in (("payload", "one LangSmith run"), ("string", "one string")):
        pts = result["scaling"][kind]
        ax.plot([p["bytes"] for p in pts], [p["ns_per_byte"] for p in pts], "o-", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("input size, bytes (log scale)")
    ax.set_ylabel("ns per byte (flat = linear cost)")
    ax.set_ylim(bottom=0)
    ax.set_title("tracemask cost per byte from 1 KB to 10 MB", fontsize=10)
    ax.legend()
    ax.grid(alpha=0.3)
    return fig

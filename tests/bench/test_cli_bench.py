"""``tracemask bench``: a quick run through the real entry point, and unavailable systems."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import pytest

from tests.conftest import Run
from tracemask.bench import SYSTEMS, BenchConfig, System, render_markdown, run_bench
from tracemask.bench.generator import Payload
from tracemask.bench.runner import _breakdown, _Runner
from tracemask.bench.systems import DEFAULT_SYSTEMS, make
from tracemask.cli import run as cli_run


def test_quick_run_prints_every_table(run: Run, tmp_path: Path) -> None:
    for module in ("faker", "orjson", "matplotlib"):  # the bench extra (CI installs it)
        pytest.importorskip(module)
    proc = run("bench", "--quick", "--json", "out.json", "--charts", "img", timeout=120)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for title in (
        "## Throughput and accuracy on the corpus",
        "## Latency per payload, ~4 KB payloads",
        "## Leaks by planted entity",
        "## Decoys damaged by kind",
        "## Cold start and memory",
        "## Scaling",
        "## Cold and warm by payload kind",
        "## Cold and warm by payload size",
    ):
        assert title in out, title
    assert "**Cold: " in out
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    ran = {r["system"] for r in doc["throughput"]}
    # Every default system either ran or is listed as not installed: nothing is dropped.
    assert ran | set(doc["unavailable"]) == set(DEFAULT_SYSTEMS)
    assert {"tracemask", "tracemask-nocache", "orjson"} <= ran
    for name, why in doc["unavailable"].items():
        assert why.startswith("not installed"), (name, why)
        assert f"| {name} | not installed" in out
    rows = {r["system"]: r for r in doc["throughput"]}
    tm = rows["tracemask"]
    assert tm["mb_per_s"] > 0
    assert tm["p99_us"] >= tm["p50_us"] > 0
    assert "tracemask_ratio" not in tm
    assert all("tracemask_ratio" in r for name, r in rows.items() if name != "tracemask")
    # The floor masks nothing: every planted value leaks, every decoy survives.
    floor = rows["orjson"]["accuracy"]
    assert floor["leak_all"]["rate"] == 1.0
    assert floor["decoys_kept"]["rate"] == 1.0
    # tracemask catches most structured PII and secrets; names are another issue's.
    assert tm["accuracy"]["leak_structured"]["rate"] < 0.5
    assert doc["cold_start"]["tracemask"]["total_ms"] > 0
    assert doc["cold_start"]["none"]["peak_rss_mb"] > 0
    assert doc["scaling"]["payload"]
    assert doc["scaling"]["batch"]
    assert doc["machine"]["cores"] >= 1
    assert "commit" in doc["machine"]
    # Cold and warm apart, per kind and per size: the groups cover the corpus once each.
    for axis in ("by_kind", "by_size"):
        groups = doc["breakdown"][axis]
        assert sum(g["payloads"] for g in groups) == doc["corpus"]["payloads"]
        assert sum(g["bytes"] for g in groups) == doc["corpus"]["bytes"]
        for g in groups:
            assert {"tracemask", "tracemask-warm"} <= set(g["mb_per_s"])
            assert all(v > 0 for v in g["mb_per_s"].values())
    kinds = {g["group"]: g["payloads"] for g in doc["breakdown"]["by_kind"]}
    assert kinds == doc["corpus"]["kinds"]
    assert {p.name for p in (tmp_path / "img").iterdir()} == {
        "throughput.png",
        "leak_vs_damage.png",
        "scaling.png",
    }


class _Missing(System):
    name = "missing"
    label = "Not here"
    modules: ClassVar[tuple[str, ...]] = ("tracemask_bench_no_such_module",)


def test_unavailable_system_is_reported_not_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("faker")  # the payload generator: the bench extra (CI installs it)
    monkeypatch.setitem(SYSTEMS, "missing", _Missing)
    cfg = BenchConfig.quick_config(
        systems=("tracemask", "missing"), scaling=False, cold_start=False, payloads=4
    )
    result: dict[str, Any] = run_bench(cfg)
    assert result["unavailable"] == {
        "missing": "not installed (tracemask_bench_no_such_module; "
        "pip install 'tracemask[compare]')"
    }
    assert [r["system"] for r in result["throughput"]] == ["tracemask"]
    assert "| missing | not installed (tracemask_bench_no_such_module;" in render_markdown(result)


def test_unknown_system_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_run(["bench", "--quick", "--systems", "tracemask,nope"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1
    assert err[0].startswith("tracemask: error: ")
    assert "unknown system nope" in err[0]
    with pytest.raises(ValueError, match="unknown system"):
        make("nope")


def test_bad_policy_fails_before_generating(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_run(["bench", "--quick", "--policy", "no-such-policy.yaml"]) == 2
    assert capsys.readouterr().err.startswith("tracemask: error: ")


class _Timed(System):
    name = "tracemask"
    label = "tracemask"


class _TimedWarm(System):
    name = "tracemask-warm"
    label = "warm"


class _TimedRe(System):
    name = "tracemask-re"
    label = "re"


def _payload(kind: str, size: int) -> Payload:
    return Payload(kind=kind, obj={}, size=size, plants=(), decoys=())


def test_breakdown_by_kind_and_size_keeps_cold_and_warm_apart() -> None:
    payloads = [_payload("chat_body", 500), _payload("chat_body", 2_000), _payload("otlp", 20_000)]
    cold = _Runner(_Timed(), [0, 1, 2])
    warm = _Runner(_TimedWarm(), [0, 1, 2])
    # Two repetitions; seconds per payload index.
    cold.times = [{0: 0.001, 1: 0.002, 2: 0.010}, {0: 0.001, 1: 0.002, 2: 0.030}]
    warm.times = [{0: 0.0001, 1: 0.0001, 2: 0.0002}, {0: 0.0001, 1: 0.0001, 2: 0.0002}]
    subset = _Runner(_TimedRe(), [0])  # ran one payload only: left out of the groups
    subset.times = [{0: 1.0}]
    out = _breakdown([cold, warm, subset], payloads)
    kinds = {g["group"]: g for g in out["by_kind"]}
    assert set(kinds) == {"chat_body", "otlp"}
    chat = kinds["chat_body"]
    assert chat["payloads"] == 2
    assert chat["bytes"] == 2_500
    assert chat["mb_per_s"]["tracemask"] == pytest.approx(2_500 / 0.003 / 1e6)
    assert chat["mb_per_s"]["tracemask-warm"] == pytest.approx(2_500 / 0.0002 / 1e6)
    assert set(chat["mb_per_s"]) == {"tracemask", "tracemask-warm"}
    # The median of the repetitions: (20 KB / 10 ms, 20 KB / 30 ms) -> their mean of two.
    otlp = kinds["otlp"]["mb_per_s"]["tracemask"]
    assert otlp == pytest.approx((2.0 + 20_000 / 0.030 / 1e6) / 2)
    sizes = [g["group"] for g in out["by_size"]]
    assert sizes == ["< 1 KB", "1-4 KB", "16-64 KB"]
    md = render_markdown_breakdown(out)
    assert "| chat_body | 2 | 1.2 KB | 0.833 | 12.5 |" in md


def render_markdown_breakdown(breakdown: dict[str, Any]) -> str:
    from tracemask.bench._markdown import _breakdown as table  # noqa: PLC0415

    return "\n".join(table(breakdown))

"""``tracemask eval`` and ``tracemask bench``: detection scores and speed."""

from __future__ import annotations

import json
import os
import shlex
import sys
import time
from typing import Any

import click

from tracemask.cli._app import (
    EXIT_CODES_HELP,
    EXIT_OK,
    cli,
    make_masker,
    policy_option,
    profile_option,
)
from tracemask.cli._io import output
from tracemask.exceptions import InputError
from tracemask.policy import load_policy


def _write_json(doc: Any, out: str) -> None:
    """Write ``doc`` as indented JSON to ``out`` (``-``: stdout), atomically for files."""
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    with output(out) as write:
        write(text)


@cli.command("eval", epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="DATA.jsonl...")
@click.option(
    "--label-map",
    "label_map",
    metavar="FILE",
    default=None,
    help='JSON mapping each source\'s labels to canonical ones ({"sources": {...}}). '
    "Without it, gold labels must already be canonical.",
)
@policy_option
@profile_option
@click.option(
    "--json", "json_out", metavar="OUT", default=None, help="Also write the full results as JSON."
)
def eval_command(
    *,
    paths: tuple[str, ...],
    label_map: str | None,
    policy: str | None,
    profile: str | None,
    json_out: str | None,
) -> int:
    """Score detection on labelled JSONL ({"text", "spans": [{start, end, label}], "source"}).

    Prints Markdown tables to stdout: precision, recall and F1 per canonical entity with exact
    and overlap span matching, micro averages, character-level leak recall and precision, and
    the share of records without gold spans that got a finding; overall and per source.
    """
    from tracemask.evaluation import LabelMap, evaluate, render_markdown, report_json  # noqa: PLC0415

    labels = LabelMap.load(label_map) if label_map is not None else None
    masker = make_masker(policy, profile)
    name = policy or os.environ.get("TRACEMASK_POLICY") or "default"
    report = evaluate(paths, masker, labels, policy_name=name)
    click.echo(render_markdown(report), nl=False)
    if json_out is not None:
        _write_json(report_json(report), json_out)
    return EXIT_OK


def _systems_list(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    from tracemask.bench import SYSTEMS  # noqa: PLC0415

    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown system {', '.join(unknown) or '(none)'}; choose from {', '.join(SYSTEMS)}",
            param_hint="'--systems'",
        )
    return names


@cli.command("bench", epilog=EXIT_CODES_HELP)
@click.option("--quick", is_flag=True, help="A smoke run of a few seconds (small corpus, 2 reps).")
@click.option("--payloads", type=click.IntRange(1), default=None, help="Corpus size [400].")
@click.option("--reps", type=click.IntRange(1), default=None, help="Repetitions [5].")
@click.option("--seed", type=int, default=0, show_default=True, help="Corpus seed.")
@click.option(
    "--systems",
    metavar="A,B,...",
    default=None,
    help="Systems to compare (default: tracemask, tracemask-nocache, presidio, "
    "presidio-spacy, langsmith, orjson; also tracemask-re).",
)
@policy_option
@click.option("--no-scaling", is_flag=True, help="Skip the 1 KB to 10 MB scaling table.")
@click.option("--no-cold-start", is_flag=True, help="Skip the fresh-process cold start probe.")
@click.option(
    "--wall-clock",
    is_flag=True,
    help="Time with the wall clock instead of process CPU time (CPU time ignores other "
    "processes on a shared machine).",
)
@click.option(
    "--profile",
    "profile_out",
    metavar="OUT",
    default=None,
    help="Profile tracemask's hot path; write pyinstrument + cProfile text to OUT.",
)
@click.option("--charts", metavar="DIR", default=None, help="Write PNG charts to DIR.")
@click.option(
    "--json", "json_out", metavar="OUT", default=None, help="Also write the full results as JSON."
)
def bench_command(
    *,
    quick: bool,
    payloads: int | None,
    reps: int | None,
    seed: int,
    systems: str | None,
    policy: str | None,
    no_scaling: bool,
    no_cold_start: bool,
    wall_clock: bool,
    profile_out: str | None,
    charts: str | None,
    json_out: str | None,
) -> int:
    """Benchmark tracemask side by side with Presidio, LangSmith and the orjson floor.

    Generates a seeded corpus of realistic trace payloads (LangSmith runs, OTLP requests,
    LiteLLM payloads, chat bodies; 200 B to 50 KB) with planted personal data, secrets and
    decoys, and prints Markdown tables: MB/s, p50/p99 latency, leak rate and decoys kept per
    system, cold start and peak RSS, and scaling from 1 KB to 10 MB. Systems that are not
    installed are listed as such (install the bench and compare extras).
    """
    from tracemask.bench import BenchConfig, render_markdown, run_bench  # noqa: PLC0415

    load_policy(policy)  # a bad policy fails here, in one line, before anything is generated
    command = "tracemask " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    options: dict[str, Any] = {
        "payloads": payloads,
        "reps": reps,
        "seed": seed,
        "systems": _systems_list(systems),
        "policy": policy,
        "scaling": not no_scaling,
        "cold_start": not no_cold_start,
        "clock": "wall" if wall_clock else "cpu",
        "profile": profile_out,
        "charts": charts,
        "command": command,
    }
    if quick:
        cfg = BenchConfig.quick_config(**options)
    else:
        cfg = BenchConfig(**{k: v for k, v in options.items() if v is not None})
    started = time.perf_counter()

    def log(message: str) -> None:
        click.echo(f"tracemask bench: [{time.perf_counter() - started:5.1f} s] {message}", err=True)

    try:
        result = run_bench(cfg, log=log)
    except ImportError as exc:
        raise InputError(str(exc)) from None
    click.echo(render_markdown(result), nl=False)
    if json_out is not None:
        _write_json(result, json_out)
    return EXIT_OK

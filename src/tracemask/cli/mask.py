"""``tracemask redact``, ``detect`` and ``scan``: masking and finding in files and stdin."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import click

from tracemask._report import Report
from tracemask._scope import SCOPE_KINDS, use_scope
from tracemask.cli._app import (
    EXIT_CODES_HELP,
    EXIT_FINDINGS,
    EXIT_OK,
    cli,
    format_option,
    input_argument,
    make_masker,
    policy_option,
    profile_option,
)
from tracemask.cli._io import Input, lines, output, parse_json, read_all, same_file, split_eol
from tracemask.cli._job import Job
from tracemask.cli._tables import path_label, report_text, safe_report, table
from tracemask.exceptions import InputError


def parse_scopes(values: Sequence[str]) -> dict[str, str]:
    scopes: dict[str, str] = {}
    for value in values:
        kind, sep, ident = value.partition("=")
        if not sep or kind not in SCOPE_KINDS or not ident:
            raise click.BadParameter(
                f"expected KIND=ID with KIND one of {', '.join(SCOPE_KINDS)}", param_hint="--scope"
            )
        scopes[kind] = ident
    return scopes


#: Files that ``scan`` picks up when it walks a directory.
SCAN_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson", ".log", ".txt"})


@cli.command(epilog=EXIT_CODES_HELP)
@input_argument
@format_option
@click.option(
    "-o",
    "--output",
    "out",
    metavar="OUT",
    default=None,
    help="Write here (atomically) instead of stdout. Never the input itself.",
)
@policy_option
@profile_option
@click.option("--report", is_flag=True, help="Print counts by entity and path to stderr.")
@click.option(
    "--scope",
    "scopes",
    metavar="KIND=ID",
    multiple=True,
    callback=lambda _ctx, _param, value: parse_scopes(value),
    help="Scope id for scoped pseudonyms (trace=…, session=…, tenant=…); repeatable. "
    "Without it each JSON document or line gets a fresh scope.",
)
def redact(
    *,
    path: str,
    fmt: str,
    out: str | None,
    policy: str | None,
    profile: str | None,
    report: bool,
    scopes: dict[str, str],
) -> int:
    """Mask a JSON, JSONL or text file (or stdin) and write the result.

    JSONL and text are streamed line by line; unchanged lines and documents are copied as they
    are. The input is never modified.
    """
    src = Input(path)
    if out is not None and out != "-" and not src.is_stdin and same_file(out, path):
        raise InputError(f"{out}: refusing to overwrite the input")
    masker = make_masker(policy, profile)
    counts = Report()
    with output(out) as write, use_scope(**scopes):
        Job(masker, src, counts).run(fmt, write)
    if report:
        click.echo(report_text(safe_report(counts, masker)), err=True)
    return EXIT_OK


@cli.command(epilog=EXIT_CODES_HELP)
@input_argument
@click.option(
    "--jsonl",
    is_flag=True,
    help='Input lines are {"id": ..., "text": ...}; write {"id": ..., "spans": [...]} per line.',
)
@policy_option
@profile_option
def detect(*, path: str, jsonl: bool, policy: str | None, profile: str | None) -> int:
    """Print the sensitive spans found in text (offsets are Python str offsets, end exclusive).

    Without --jsonl the whole input is one text and one {"spans": [...]} object is printed.
    """
    src = Input(path)
    masker = make_masker(policy, profile)
    with output(None) as write, src.open() as stream:
        if not jsonl:
            text = read_all(src, stream.read())  # BOM kept: offsets match the decoded file
            spans = [f.to_dict() for f in masker.detect(text)]
            write(json.dumps({"spans": spans}, ensure_ascii=False) + "\n")
            return EXIT_OK
        for number, line in lines(src, stream):
            content, _ = split_eol(line)
            if not content.strip():
                write(line)
                continue
            record = parse_json(content, src, number)
            if not isinstance(record, dict):
                raise src.error("expected a JSON object", number)
            value = record.get("text")
            if not isinstance(value, str):
                raise src.error('no "text" field holding a string', number)
            spans = [f.to_dict() for f in masker.detect(value)]
            write(json.dumps({"id": record.get("id"), "spans": spans}, ensure_ascii=False) + "\n")
    return EXIT_OK


def _scan_files(paths: Iterable[str]) -> Iterator[str]:
    for path in paths:
        if path != "-" and os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in sorted(files):
                    if Path(name).suffix.lower() in SCAN_SUFFIXES:
                        yield os.path.join(root, name)
        else:
            yield path


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@policy_option
@profile_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def scan(*, paths: tuple[str, ...], policy: str | None, profile: str | None, as_json: bool) -> int:
    """Check files for unmasked personal data and secrets (a leak check for logs and exports).

    Directories are walked for *.json, *.jsonl, *.ndjson, *.log and *.txt. Prints counts by
    file, path and entity, never values. Exits 1 when anything is found, 0 when clean.
    """
    masker = make_masker(policy, profile)
    results: list[tuple[str, Report]] = []
    for path in _scan_files(paths):
        src = Input(path)
        report = Report()
        Job(masker, src, report).run("auto", lambda _s: None)
        results.append((masker.mask_text(src.name), safe_report(report, masker)))
    total = sum(r.total for _, r in results)
    if as_json:
        doc = {
            "total": total,
            "files": [{"file": name, **r.to_dict()} for name, r in results],
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        rows = [
            (name, path_label(p), e, str(n))
            for name, r in results
            for (p, e), n in sorted(r.by_path_entity.items())
        ]
        if rows:
            click.echo(table(("FILE", "PATH", "ENTITY", "COUNT"), rows))
        dirty = sum(1 for _, r in results if r)
        if total:
            click.echo(f"{total} finding(s) in {dirty} of {len(results)} file(s)")
        else:
            click.echo(f"clean: no findings in {len(results)} file(s)")
    return EXIT_FINDINGS if total else EXIT_OK

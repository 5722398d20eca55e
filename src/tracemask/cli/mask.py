"""``tracemask redact``, ``detect`` and ``scan``: masking and finding in files and stdin."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

import click

from tracemask import Masker
from tracemask._explain import explain
from tracemask._report import Report
from tracemask._scope import SCOPE_KINDS, use_scope
from tracemask.cli import _lines
from tracemask.cli._app import (
    EXIT_CODES_HELP,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USER,
    cli,
    format_option,
    make_masker,
    policy_option,
    profile_option,
)
from tracemask.cli._archive import (
    ARCHIVE_FORMATS,
    LEGACY_FORMATS,
    copy_to_stdout,
    fail_line,
    import_batch,
    is_one_plain_file,
    spool_path,
    summary_table,
    write_json,
)
from tracemask.cli._io import Input, format_of, lines, output, parse_json, same_file, split_eol
from tracemask.cli._job import Job
from tracemask.cli._tables import path_label, report_text, safe_report, table
from tracemask.exceptions import InputError, MaskingError


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


_engine_options = [
    click.option(
        "--engine",
        type=click.Choice(["local", "ray", "spark"]),
        default="local",
        show_default=True,
        help="local: this machine (--workers processes); ray: Ray Data ($RAY_ADDRESS or a "
        "local Ray); spark: PySpark (local[N], or --master).",
    ),
    click.option(
        "--workers",
        "-j",
        "--jobs",
        "workers",
        type=click.IntRange(1),
        default=None,
        help="Parallel worker processes. One JSON Lines file is masked in chunks of lines by "
        "N workers, output in input order (default: the CPUs available; stdin: 1). Archives: "
        "files or row groups per worker (default: 1 for local, the CPU count for ray/spark).",
    ),
    click.option("--master", metavar="URL", default=None, help="Spark master (default local[N])."),
    click.option(
        "--columns",
        metavar="A,B,...",
        default=None,
        help="Parquet/CSV: only these columns (default: every text column).",
    ),
    click.option(
        "--encoding",
        default="utf-8",
        show_default=True,
        help="Text, JSON Lines and CSV encoding.",
    ),
    click.option(
        "--on-error",
        "on_error",
        type=click.Choice(["fail", "skip", "quarantine"]),
        default=None,
        help="A record or file that cannot be read or masked: stop (fail, redact's default), "
        "drop it (skip, scan's default), or store it masked as text under _quarantine/.",
    ),
    click.option("--quiet", "-q", is_flag=True, help="No progress bar."),
    click.option(
        "--report-json",
        "report_json",
        metavar="FILE",
        default=None,
        help="Write the summary report (counts, throughput, errors; never values) as JSON.",
    ),
    click.option(
        "--otlp-signal",
        type=click.Choice(["traces", "logs"]),
        default=None,
        help="OTLP protobuf files: the signal (default: logs when the name says log).",
    ),
]


def _archive_options(f: Any) -> Any:
    for option in reversed(_engine_options):
        f = option(f)
    return f


def _columns(value: str | None) -> list[str] | None:
    return [c.strip() for c in value.split(",") if c.strip()] if value else None


def _progress(quiet: bool) -> Any:
    from tracemask.batch._job import tqdm_progress  # noqa: PLC0415 - archive jobs only

    return tqdm_progress(quiet)


def _default_workers(engine: str, workers: int | None) -> int:
    if workers is not None:
        return workers
    return 1 if engine == "local" else max(1, os.cpu_count() or 1)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, metavar="[PATH|DIR|GLOB|URL]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(ARCHIVE_FORMATS),
    default="auto",
    show_default=True,
    help="Input format; auto: by extension (.json, .jsonl/.ndjson, .csv, .parquet, .binpb, "
    ".log/.txt; then .gz/.zst/.bz2), else by content.",
)
@click.option(
    "-o",
    "--output",
    "out",
    metavar="OUT",
    default=None,
    help="A file, or a directory/URL under which the input layout is mirrored (with "
    "_tracemask_manifest.json). Default: stdout for one input. Never an input itself.",
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
@click.option(
    "--resume", is_flag=True, help="Skip parts the manifest lists as done under this policy."
)
@_archive_options
def redact(
    *,
    paths: tuple[str, ...],
    fmt: str,
    out: str | None,
    policy: str | None,
    profile: str | None,
    report: bool,
    scopes: dict[str, str],
    resume: bool,
    engine: str,
    workers: int | None,
    master: str | None,
    columns: str | None,
    encoding: str,
    on_error: str | None,
    quiet: bool,
    report_json: str | None,
    otlp_signal: str | None,
) -> int:
    """Mask files, directories, globs or URLs (s3://, gs://, az://), or stdin, and write them.

    JSON, JSON Lines (plain, .gz, .zst, .bz2; OTel file-exporter lines), CSV, Parquet (nested
    columns walked), OTLP protobuf and text/log files are streamed record by record; unchanged
    records are copied as they are. Outputs are written atomically; the inputs are never
    modified. Nothing reaches stdout before the whole input is masked (stdin is streamed).
    """
    paths = paths or ("-",)
    one_file = is_one_plain_file(paths, out)
    plain = (
        one_file
        and fmt in LEGACY_FORMATS
        and engine == "local"
        and not resume
        and on_error in (None, "fail")
        and columns is None
        and encoding.lower().replace("_", "-") in ("utf-8", "utf8")
        and report_json is None
    )
    if plain:
        return _redact_one(paths[0], fmt, out, policy, profile, report, scopes, workers)
    if "-" in paths:
        raise click.UsageError("stdin cannot be combined with archive options or other inputs")
    batch = import_batch()
    spooled = out is None or out == "-"
    spool = spool_path() if spooled else None
    try:
        with use_scope(**scopes):
            result = batch.run_job(
                paths,
                None if spooled else out,
                stdout_file=spool,
                policy=make_masker(policy, profile).policy,
                fmt=fmt,
                columns=_columns(columns),
                encoding=encoding,
                on_error=on_error or "fail",
                engine=engine,
                workers=_default_workers(engine, workers),
                resume=resume,
                master=master,
                otlp_signal=otlp_signal,
                progress=_progress(quiet),
            )
        summary = result.summary()
        if report_json is not None:
            write_json(report_json, summary)
        if result.exit_code:
            fatal = next(p.error for p in result.parts if p.error)
            fail_line(fatal or "failed")
            if report:
                click.echo(summary_table(summary), err=True)
            return int(result.exit_code)
        if spool is not None:
            copy_to_stdout(spool)
    finally:
        if spool is not None:
            with contextlib.suppress(OSError):
                os.unlink(spool)
    if report:
        click.echo(summary_table(summary), err=True)
    return EXIT_OK


def _redact_one(  # noqa: PLR0917 - the command's own options, passed on
    path: str,
    fmt: str,
    out: str | None,
    policy: str | None,
    profile: str | None,
    report: bool,
    scopes: dict[str, str],
    jobs: int | None,
) -> int:
    """One plain file or stdin: the streaming path, formatting of each record kept.

    JSON Lines (by flag or extension) go in chunks through ``mask_many`` and ``jobs`` worker
    processes (:mod:`tracemask.cli._lines`); stdin is streamed line by line unless ``--jobs``
    asks for workers.
    """
    src = Input(path)
    if out is not None and out != "-" and not src.is_stdin and same_file(out, path):
        raise InputError(f"{out}: refusing to overwrite the input")
    masker = make_masker(policy, profile)
    counts = Report()
    chunked = format_of(src, fmt) == "jsonl" and (not src.is_stdin or jobs is not None)
    if chunked:
        workers = jobs if jobs is not None else _lines.default_jobs()
        if workers > 1 and _lines.order_dependent(masker):
            if jobs is not None:
                click.echo(
                    "tracemask: note: one worker: counter pseudonyms are numbered in input order",
                    err=True,
                )
            workers = 1
        with output(out, spool=not src.is_stdin) as write, src.open() as stream:
            _lines.run(
                masker,
                src,
                stream,
                write,
                counts,
                jobs=workers,
                scopes=scopes,
                policy=policy,
                profile=profile,
            )
    else:
        with output(out, spool=not src.is_stdin) as write, use_scope(**scopes):
            Job(masker, src, counts).run(fmt, write)
    if report:
        click.echo(report_text(safe_report(counts, masker)), err=True)
    return EXIT_OK


class _DetectJob(Job):
    """Reads like ``redact`` (JSON, JSON Lines, text, sniffed), writes findings instead."""

    def __init__(self, masker: Masker, src: Input, emit: Callable[[dict[str, Any]], None]) -> None:
        super().__init__(masker, src, Report())
        self.emit = emit
        self.record = 0
        self.name = masker.mask_text(src.name)  # a file name can hold personal data too

    def _mask(self, obj: Any, line: int | None) -> Any:
        self.record += 1
        try:
            found = explain(self.masker, obj)
        except MaskingError as exc:
            where = f"{self.src.name}: line {line}" if line is not None else self.src.name
            raise MaskingError(f"{where}: {exc}") from None
        for f in found:
            self.emit({"file": self.name, "record": self.record, "line": line, **f.to_dict()})
        return obj

    def _mask_json_text(self, text: str, obj: Any, line: int | None) -> str:
        self._mask(obj, line)
        return text


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, metavar="[PATH|-]...")
@format_option
@click.option(
    "--jsonl",
    is_flag=True,
    help='Labelled-data mode: input lines are {"id": ..., "text": ...}; write '
    '{"id": ..., "spans": [...]} per line.',
)
@policy_option
@profile_option
def detect(
    *, paths: tuple[str, ...], fmt: str, jsonl: bool, policy: str | None, profile: str | None
) -> int:
    """Print what would be masked in JSON, JSON Lines or text files, one finding per line.

    Each finding names its file, record (1-based; "line" too for JSON Lines and text), the JSON
    path of the string (JSON inside strings continues the path), the str offsets of the span in
    that string (end exclusive), the entity, score and detector, and why: a detector (with the
    context word or field name that counted), a key rule or a path rule. Never the value.
    """
    masker = make_masker(policy, profile)
    paths = paths or ("-",)
    if jsonl:
        if len(paths) > 1:
            raise click.UsageError("--jsonl takes one input")
        return _detect_labelled(masker, Input(paths[0]))
    with output(None) as write:

        def emit(finding: dict[str, Any]) -> None:
            write(json.dumps(finding, ensure_ascii=False) + "\n")

        for path in paths:
            _DetectJob(masker, Input(path), emit).run(fmt, lambda _s: None)
    return EXIT_OK


def _detect_labelled(masker: Masker, src: Input) -> int:
    """``--jsonl``: the ``{"id", "text"}`` → ``{"id", "spans"}`` contract of labelled data."""
    with output(None) as write, src.open() as stream:
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


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="PATH|DIR|GLOB|URL...")
@policy_option
@profile_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--html",
    "html_out",
    metavar="FILE",
    default=None,
    help="Also write a self-contained HTML report (charts and tables by entity, file and "
    "path; counts only, never values).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(ARCHIVE_FORMATS),
    default="auto",
    show_default=True,
    help="Input format (auto: by extension).",
)
@click.option(
    "--max-locations",
    type=click.IntRange(0),
    default=1000,
    show_default=True,
    help="Findings listed one by one per file (all are counted).",
)
@_archive_options
def scan(
    *,
    paths: tuple[str, ...],
    policy: str | None,
    profile: str | None,
    as_json: bool,
    html_out: str | None,
    fmt: str,
    max_locations: int,
    engine: str,
    workers: int | None,
    master: str | None,
    columns: str | None,
    encoding: str,
    on_error: str | None,
    quiet: bool,
    report_json: str | None,
    otlp_signal: str | None,
) -> int:
    """Check files for unmasked personal data and secrets (a leak check for logs and exports).

    Takes files, directories (walked for .json, .jsonl, .ndjson, .csv, .parquet, .binpb, .log,
    .txt, compressed or not), globs and URLs. Prints each finding's file, record number (line
    for text and JSON Lines) and path, counts by file, path and entity; never values. Exits 1
    when anything is found, 0 when clean; an unreadable file is reported and the scan goes on
    (exit 2 if nothing was found).
    """
    masker = make_masker(policy, profile)
    if paths == ("-",):
        report = Report()
        Job(masker, Input("-"), report).run("auto", lambda _s: None)
        results: list[tuple[str, dict[str, Any], list[dict[str, Any]], str | None]] = [
            ("<stdin>", safe_report(report, masker).to_dict(), [], None)
        ]
        code = 0
    else:
        batch = import_batch()
        result = batch.run_job(
            paths,
            None,
            policy=masker.policy,
            fmt=fmt,
            columns=_columns(columns),
            encoding=encoding,
            on_error=on_error or "skip",
            engine=engine,
            workers=_default_workers(engine, workers),
            scan=True,
            master=master,
            otlp_signal=otlp_signal,
            max_locations=max_locations,
            progress=_progress(quiet),
        )
        if report_json is not None:
            write_json(report_json, result.summary())
        results = [
            (masker.mask_text(p.input), p.report, p.locations, p.error)
            for p in sorted(result.parts, key=lambda p: p.input)
        ]
        code = result.exit_code
        for p in result.parts:
            for e in ([p.error] if p.error else []) + p.errors:
                fail_line(masker.mask_text(e))
    total = sum(int(r["total"]) for _, r, _, _ in results)
    if html_out is not None:
        from tracemask.cli._html import render_scan_html  # noqa: PLC0415 - --html only

        page = render_scan_html([(name, r, err) for name, r, _, err in results])
        with output(html_out) as write:
            write(page)
    if as_json:
        doc = {
            "total": total,
            "files": [
                {"file": name, **r, "findings": locs, **({"error": err} if err else {})}
                for name, r, locs, err in results
            ],
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for name, _, locs, _ in results:
            for loc in locs:
                where = f"line {loc['line']}" if "line" in loc else f"record {loc['record']}"
                click.echo(
                    f"{name}: {where}: {path_label(loc['path'])}: {loc['entity']}"
                    + (f" x{loc['count']}" if loc["count"] > 1 else "")
                )
        rows = [
            (name, path_label(p), e, str(n))
            for name, r, _, _ in results
            for p, entities in r["by_path"].items()
            for e, n in entities.items()
        ]
        if rows:
            click.echo(table(("FILE", "PATH", "ENTITY", "COUNT"), rows))
        dirty = sum(1 for _, r, _, _ in results if r["total"])
        if total:
            click.echo(f"{total} finding(s) in {dirty} of {len(results)} file(s)")
        else:
            click.echo(f"clean: no findings in {len(results)} file(s)")
    if total:
        return EXIT_FINDINGS
    return EXIT_USER if code else EXIT_OK

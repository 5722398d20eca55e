"""The ``tracemask`` command line: ``redact``, ``detect``, ``scan``, ``decrypt``, ``keygen``,
``eval``, ``bench``, ``policy``, ``serve`` and ``sink``.

Every user error prints one line, ``tracemask: error: <where>: <what>``, and never a value from
the data. Exit codes: 0 ok, 1 findings (``scan`` only), 2 user error, 3 masking failure,
4 decryption failure (``decrypt`` only).
"""

from __future__ import annotations

import contextlib
import getpass
import itertools
import json
import os
import shlex
import socket
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

import click
import yaml

from tracemask import __version__
from tracemask._jsonstr import encode_like
from tracemask._masker import Masker
from tracemask._report import Report
from tracemask._scope import SCOPE_KINDS, use_scope
from tracemask.encryption import (
    DEFAULT_KEYS_ENV,
    KeyRing,
    Restored,
    decrypt,
    generate_key,
    key_line,
    load_keyring,
    new_key_id,
)
from tracemask.encryption._aead import require as _require_cryptography
from tracemask.encryption._decrypt import reencode
from tracemask.exceptions import DecryptionError, InputError, MaskingError, TracemaskError
from tracemask.policy import load_policy

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USER = 2
EXIT_MASKING = 3
EXIT_DECRYPT = 4
_EXIT_PIPE = 141  # 128 + SIGPIPE: the reader went away (``tracemask redact big.jsonl | head``)

#: Inputs larger than this show a progress bar on stderr (when stderr is a terminal).
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
_PROGRESS_STEP = 1024 * 1024
#: Files that ``scan`` picks up when it walks a directory.
SCAN_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson", ".log", ".txt"})
FORMATS = ("auto", "json", "jsonl", "text")

_BOM = b"\xef\xbb\xbf"
_HIDDEN = "**********"  # what pydantic prints for a SecretStr
_EXIT_CODES_HELP = """\b
Exit codes:
  0  ok
  1  findings (scan only)
  2  user error: bad input, policy, file or flag
  3  masking failure
  4  decryption failure (decrypt only): unknown or wrong key, edited token"""


# -- reading ---------------------------------------------------------------------------------


class _Input:
    """A file or stdin, read as bytes (so that nothing is translated and offsets hold)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.is_stdin = path == "-"
        self.name = "<stdin>" if self.is_stdin else path
        self.size: int | None = None
        if not self.is_stdin:
            try:
                st = os.stat(path)
            except OSError as exc:
                raise InputError(f"{path}: cannot read ({exc.strerror})") from None
            if stat.S_ISDIR(st.st_mode):
                raise InputError(f"{path}: is a directory")
            self.size = st.st_size if stat.S_ISREG(st.st_mode) else None

    @contextlib.contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        if self.is_stdin:
            yield sys.stdin.buffer
            return
        try:
            f = open(self.path, "rb")  # noqa: SIM115 - closed below, errors mapped to one line
        except OSError as exc:
            raise InputError(f"{self.path}: cannot read ({exc.strerror})") from None
        with f:
            yield f

    def error(self, message: str, line: int | None = None) -> InputError:
        where = f"{self.name}: line {line}" if line is not None else self.name
        return InputError(f"{where}: {message}")


def _decode(raw: bytes, src: _Input, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line += raw.count(b"\n", 0, exc.start)
        raise src.error("not valid UTF-8", line) from None


def _read_all(src: _Input, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise src.error("not valid UTF-8", data.count(b"\n", 0, exc.start) + 1) from None


def _split_eol(text: str) -> tuple[str, str]:
    """Split a line into its content and its line ending (``\\r\\n``, ``\\n`` or none)."""
    if text.endswith("\r\n"):
        return text[:-2], "\r\n"
    if text.endswith("\n"):
        return text[:-1], "\n"
    return text, ""


def _split_lines(text: str) -> Iterator[str]:
    """Lines of ``text`` split at ``\n`` only (``str.splitlines`` also splits at ``\x0c`` etc.)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def _parse_json(text: str, src: _Input, line: int | None) -> Any:
    """``json.loads`` with errors as one line naming the file and line, never the content."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = exc.lineno if line is None else line
        raise src.error(f"invalid JSON ({exc.msg}, column {exc.colno})", at) from None
    except RecursionError:
        raise src.error("JSON nested too deeply", line) from None


def _lines(src: _Input, stream: IO[bytes], head: Iterable[bytes] = ()) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, decoded_line)`` lazily, line endings kept, BOM dropped."""
    raws = itertools.chain(head, stream)
    bar = _progress(src)
    done = 0
    try:
        for number, raw in enumerate(raws, start=1):
            if number == 1 and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]  # noqa: PLW2901
            if bar is not None:
                done += len(raw)
                if done >= _PROGRESS_STEP:
                    bar.update(done)
                    done = 0
            yield number, _decode(raw, src, number)
        if bar is not None:
            bar.update(done)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def _progress(src: _Input) -> Any:
    if src.size is None or src.size <= PROGRESS_MIN_BYTES:
        return None
    if not sys.stderr.isatty():
        return None
    bar = click.progressbar(length=src.size, label=src.name, file=sys.stderr)
    bar.__enter__()
    return bar


def _format_of(src: _Input, fmt: str) -> str:
    """The format fixed by the flag or the file extension, or ``"auto"`` (sniff the content)."""
    if fmt != "auto":
        return fmt
    suffix = Path(src.path).suffix.lower() if not src.is_stdin else ""
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    return "auto"


# -- masking ---------------------------------------------------------------------------------


class _Job:
    """One input masked into one writer (``scan`` passes a writer that drops the text)."""

    def __init__(self, masker: Masker, src: _Input, report: Report) -> None:
        self.masker = masker
        self.src = src
        self.report = report

    def _mask(self, obj: Any, line: int | None) -> Any:
        try:
            return self.masker.mask(obj, report=self.report)
        except MaskingError as exc:
            where = f"{self.src.name}: line {line}" if line is not None else self.src.name
            raise MaskingError(f"{where}: {exc}") from None

    def _mask_json_text(self, text: str, obj: Any, line: int | None) -> str:
        masked = self._mask(obj, line)
        if masked == obj:
            return text  # unchanged: keep the original bytes, formatting and all
        return encode_like(text, masked)

    def run(self, fmt: str, write: Callable[[str], object]) -> None:
        with self.src.open() as stream:
            fmt = _format_of(self.src, fmt)
            if fmt == "json":
                self._document(self._read_all(stream), write)
            elif fmt == "jsonl":
                self._jsonl(_lines(self.src, stream), write)
            elif fmt == "text":
                self._text(_lines(self.src, stream), write)
            else:
                self._auto(stream, write)

    def _read_all(self, stream: IO[bytes], head: bytes = b"") -> str:
        return _read_all(self.src, head + stream.read()).removeprefix("\ufeff")

    def _document(self, text: str, write: Callable[[str], object]) -> None:
        obj = _parse_json(text, self.src, None)
        write(self._mask_json_text(text, obj, None))

    def _jsonl(self, lines: Iterable[tuple[int, str]], write: Callable[[str], object]) -> None:
        for number, line in lines:
            content, eol = _split_eol(line)
            if not content.strip():
                write(line)
                continue
            obj = _parse_json(content, self.src, number)
            write(self._mask_json_text(content, obj, number) + eol)

    def _text(self, lines: Iterable[tuple[int, str]], write: Callable[[str], object]) -> None:
        for number, line in lines:
            content, eol = _split_eol(line)
            write(self._mask(content, number) + eol)

    def _lenient(self, lines: Iterable[tuple[int, str]], write: Callable[[str], object]) -> None:
        """Sniffed line input: lines holding a JSON object/array are masked as JSON, the rest
        as text (so key rules apply to JSON lines even when ``json_in_strings`` is off)."""
        for number, line in lines:
            content, eol = _split_eol(line)
            stripped = content.strip()
            if stripped[:1] in ("{", "[") and stripped[-1:] in ("}", "]"):
                try:
                    obj = json.loads(content)
                except (ValueError, RecursionError):
                    pass
                else:
                    write(self._mask_json_text(content, obj, number) + eol)
                    continue
            write(self._mask(content, number) + eol)

    def _auto(self, stream: IO[bytes], write: Callable[[str], object]) -> None:
        # A JSON document when the first non-blank line starts one that only the whole input
        # completes; otherwise lines (JSONL and text alike), streamed.
        head: list[bytes] = []
        for raw in stream:
            head.append(raw)
            if raw.strip():
                break
        first = b"".join(head).removeprefix(_BOM).strip()
        if first[:1] in (b"{", b"["):
            try:
                json.loads(first)
            except (ValueError, RecursionError):
                text = self._read_all(stream, b"".join(head))
                try:
                    obj = json.loads(text)
                except (ValueError, RecursionError):
                    # Not JSON after all: mask it as lines of text (already in memory).
                    self._lenient(enumerate(_split_lines(text), start=1), write)
                else:
                    write(self._mask_json_text(text, obj, None))
                return
        self._lenient(_lines(self.src, stream, head), write)


# -- writing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _output(out: str | None, *, private: bool = False) -> Iterator[Callable[[str], object]]:
    """Yield a writer to stdout, or to ``out`` atomically (temp file + ``os.replace``).

    A new file gets the umask's mode, or ``0600`` when ``private`` (decrypted data); a file
    being replaced keeps its mode.
    """
    if out is None or out == "-":
        stdout = sys.stdout.buffer
        yield lambda s: stdout.write(s.encode("utf-8"))
        stdout.flush()
        return
    target = Path(out)
    directory = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"{out}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            yield lambda s: f.write(s.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _mode_for(target, 0o600 if private else None))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(target: Path, new: int | None = None) -> int:
    """The mode of the file being replaced, else ``new``, else the default (0666 & ~umask)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    if new is not None:
        return new
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _same_file(a: str, b: str) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return Path(a).resolve() == Path(b).resolve()


# -- reports ---------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: int = 1) -> str:
    """An aligned text table; the last ``numeric`` columns are right-aligned."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    split = len(header) - numeric
    out = []
    for row in [header, *rows]:
        cells = [c.ljust(w) for c, w in zip(row[:split], widths[:split], strict=True)]
        cells += [c.rjust(w) for c, w in zip(row[split:], widths[split:], strict=True)]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def _safe(report: Report, masker: Masker) -> Report:
    """``report`` with its paths masked: dict keys are data too (``{"jane@x.com": ...}``)."""
    safe = Report(fields=report.fields)
    for (path, entity), n in report.by_path_entity.items():
        safe.add(entity, masker.mask_text(path), n)
    return safe


def _path_label(path: str) -> str:
    return path or "(root)"


def _report_text(report: Report) -> str:
    if not report:
        return "nothing masked"
    by_entity = [(e, str(n)) for e, n in sorted(report.by_entity.items())]
    by_entity.append(("total", str(report.total)))
    by_path = [(_path_label(p), e, str(n)) for (p, e), n in sorted(report.by_path_entity.items())]
    return (
        _table(("ENTITY", "COUNT"), by_entity)
        + "\n\n"
        + _table(("PATH", "ENTITY", "COUNT"), by_path)
    )


# -- commands --------------------------------------------------------------------------------


def _masker(policy: str | None, profile: str | None) -> Masker:
    return Masker(policy, profile=profile)


_policy_option = click.option(
    "--policy",
    "policy",
    metavar="FILE",
    default=None,
    help="Policy file or preset name (default: $TRACEMASK_POLICY, else the default policy).",
)
_profile_option = click.option(
    "--profile", metavar="NAME", default=None, help="Profile of the policy to apply."
)
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Input format; auto: by extension (.json, .jsonl, .ndjson), else by content.",
)
_input_argument = click.argument("path", default="-", metavar="[PATH|-]")


def _parse_scopes(values: Sequence[str]) -> dict[str, str]:
    scopes: dict[str, str] = {}
    for value in values:
        kind, sep, ident = value.partition("=")
        if not sep or kind not in SCOPE_KINDS or not ident:
            raise click.BadParameter(
                f"expected KIND=ID with KIND one of {', '.join(SCOPE_KINDS)}", param_hint="--scope"
            )
        scopes[kind] = ident
    return scopes


class _PipeClosed(Exception):  # noqa: N818 - not an error: the reader stopped reading
    """stdout's reader went away; raised instead of ``BrokenPipeError``, which click would
    turn into exit 1 (our "findings" code)."""


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _PipeClosed from None


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=_EXIT_CODES_HELP,
)
@click.version_option(
    __version__, "--version", prog_name="tracemask", message="%(prog)s %(version)s"
)
def cli() -> None:
    """Mask personal data and secrets in LLM traces, logs and exports."""


@cli.command(epilog=_EXIT_CODES_HELP)
@_input_argument
@_format_option
@click.option(
    "-o",
    "--output",
    "out",
    metavar="OUT",
    default=None,
    help="Write here (atomically) instead of stdout. Never the input itself.",
)
@_policy_option
@_profile_option
@click.option("--report", is_flag=True, help="Print counts by entity and path to stderr.")
@click.option(
    "--scope",
    "scopes",
    metavar="KIND=ID",
    multiple=True,
    callback=lambda _ctx, _param, value: _parse_scopes(value),
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
    src = _Input(path)
    if out is not None and out != "-" and not src.is_stdin and _same_file(out, path):
        raise InputError(f"{out}: refusing to overwrite the input")
    masker = _masker(policy, profile)
    counts = Report()
    with _output(out) as write, use_scope(**scopes):
        _Job(masker, src, counts).run(fmt, write)
    if report:
        click.echo(_report_text(_safe(counts, masker)), err=True)
    return EXIT_OK


@cli.command(epilog=_EXIT_CODES_HELP)
@_input_argument
@click.option(
    "--jsonl",
    is_flag=True,
    help='Input lines are {"id": ..., "text": ...}; write {"id": ..., "spans": [...]} per line.',
)
@_policy_option
@_profile_option
def detect(*, path: str, jsonl: bool, policy: str | None, profile: str | None) -> int:
    """Print the sensitive spans found in text (offsets are Python str offsets, end exclusive).

    Without --jsonl the whole input is one text and one {"spans": [...]} object is printed.
    """
    src = _Input(path)
    masker = _masker(policy, profile)
    with _output(None) as write, src.open() as stream:
        if not jsonl:
            text = _read_all(src, stream.read())  # BOM kept: offsets match the decoded file
            spans = [f.to_dict() for f in masker.detect(text)]
            write(json.dumps({"spans": spans}, ensure_ascii=False) + "\n")
            return EXIT_OK
        for number, line in _lines(src, stream):
            content, _ = _split_eol(line)
            if not content.strip():
                write(line)
                continue
            record = _parse_json(content, src, number)
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


@cli.command(epilog=_EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@_policy_option
@_profile_option
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def scan(*, paths: tuple[str, ...], policy: str | None, profile: str | None, as_json: bool) -> int:
    """Check files for unmasked personal data and secrets (a leak check for logs and exports).

    Directories are walked for *.json, *.jsonl, *.ndjson, *.log and *.txt. Prints counts by
    file, path and entity, never values. Exits 1 when anything is found, 0 when clean.
    """
    masker = _masker(policy, profile)
    results: list[tuple[str, Report]] = []
    for path in _scan_files(paths):
        src = _Input(path)
        report = Report()
        _Job(masker, src, report).run("auto", lambda _s: None)
        results.append((masker.mask_text(src.name), _safe(report, masker)))
    total = sum(r.total for _, r in results)
    if as_json:
        doc = {
            "total": total,
            "files": [{"file": name, **r.to_dict()} for name, r in results],
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        rows = [
            (name, _path_label(p), e, str(n))
            for name, r in results
            for (p, e), n in sorted(r.by_path_entity.items())
        ]
        if rows:
            click.echo(_table(("FILE", "PATH", "ENTITY", "COUNT"), rows))
        dirty = sum(1 for _, r in results if r)
        if total:
            click.echo(f"{total} finding(s) in {dirty} of {len(results)} file(s)")
        else:
            click.echo(f"clean: no findings in {len(results)} file(s)")
    return EXIT_FINDINGS if total else EXIT_OK


def _write_json(doc: Any, out: str) -> None:
    """Write ``doc`` as indented JSON to ``out`` (``-``: stdout), atomically for files."""
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    with _output(out) as write:
        write(text)


@cli.command("eval", epilog=_EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, metavar="DATA.jsonl...")
@click.option(
    "--label-map",
    "label_map",
    metavar="FILE",
    default=None,
    help='JSON mapping each source\'s labels to canonical ones ({"sources": {...}}). '
    "Without it, gold labels must already be canonical.",
)
@_policy_option
@_profile_option
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
    masker = _masker(policy, profile)
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


@cli.command("bench", epilog=_EXIT_CODES_HELP)
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
@_policy_option
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


@cli.group("policy")
def policy_group() -> None:
    """Show or check policies."""


@policy_group.command("show")
@_policy_option
@_profile_option
def policy_show(*, policy: str | None, profile: str | None) -> int:
    """Print the effective policy as YAML (keys of keyed operators are hidden)."""
    loaded = load_policy(policy, profile=profile)
    data = _hide_keys(loaded.model_dump(mode="json"))
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), nl=False)
    return EXIT_OK


def _hide_keys(value: Any) -> Any:
    """Hide ``key`` strings everywhere: ``profiles`` holds raw dicts that SecretStr misses."""
    if isinstance(value, dict):
        return {
            k: _HIDDEN if k == "key" and isinstance(v, str) and v else _hide_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_hide_keys(v) for v in value]
    return value


@policy_group.command("check")
@click.argument("file", metavar="FILE")
def policy_check(file: str) -> int:
    """Validate a policy file: print "ok", or the error and exit 2."""
    load_policy(file)
    click.echo("ok")
    return EXIT_OK


# -- decrypt and keygen ---------------------------------------------------------------------


class _DecryptJob(_Job):
    """One input decrypted into one writer: :class:`_Job`'s reading, with decrypt for mask."""

    def __init__(self, keyring: KeyRing, src: _Input, restored: Restored) -> None:
        self.keyring = keyring
        self.src = src
        self.restored = restored

    def _mask(self, obj: Any, line: int | None) -> Any:
        try:
            return decrypt(obj, self.keyring, restored=self.restored)[0]
        except DecryptionError as exc:
            where = f"{self.src.name}: line {line}" if line is not None else self.src.name
            raise DecryptionError(f"{where}: {exc}") from None

    def _mask_json_text(self, text: str, obj: Any, line: int | None) -> str:
        restored = self._mask(obj, line)
        return text if restored == obj else reencode(text, restored)


class _Audit:
    """The audit record of one ``decrypt`` run: who, when, what, how many; never values.

    The log file is opened before anything is decrypted, so that a run that cannot be
    recorded does not happen.
    """

    def __init__(self, log: str | None, record: dict[str, Any]) -> None:
        self.record = record
        self.fd: int | None = None
        if log is not None:
            try:
                self.fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            except OSError as exc:
                raise InputError(f"{log}: cannot write audit log ({exc.strerror})") from None

    def finish(self, restored: Restored, outcome: str, code: int, error: str | None) -> None:
        self.record |= {"outcome": outcome, "exit": code, **restored.to_dict()}
        if error is not None:
            self.record["error"] = error
        line = json.dumps(self.record, ensure_ascii=False, separators=(",", ":"))
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"tracemask: audit: {line}\n")
            sys.stderr.flush()
        if self.fd is not None:
            try:
                # One write of one line with O_APPEND: concurrent runs never interleave records.
                os.write(self.fd, (line + "\n").encode("utf-8"))
            finally:
                os.close(self.fd)
                self.fd = None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (containers): the uid still identifies
        return f"uid:{os.getuid()}" if hasattr(os, "getuid") else "unknown"


def _audit_name(path: str | None, stdio: str) -> str:
    return stdio if path in (None, "-") else os.path.abspath(str(path))


def _failure(exc: BaseException) -> tuple[str, int, str]:
    """Outcome, exit code and a message safe to record (tracemask's own errors name no values)."""
    if isinstance(exc, DecryptionError):
        return "failed", EXIT_DECRYPT, str(exc)
    if isinstance(exc, MaskingError):
        return "failed", EXIT_MASKING, str(exc)
    if isinstance(exc, (TracemaskError, click.ClickException)):
        return "error", EXIT_USER, " ".join(str(exc).split())
    if isinstance(exc, (KeyboardInterrupt, click.Abort)):
        return "interrupted", 130, "interrupted"
    if isinstance(exc, (_PipeClosed, BrokenPipeError)):
        return "interrupted", _EXIT_PIPE, "output closed"
    return "error", EXIT_MASKING, f"internal error ({type(exc).__name__})"


@cli.command("decrypt", epilog=_EXIT_CODES_HELP)
@_input_argument
@_format_option
@click.option(
    "-o",
    "--output",
    "out",
    metavar="OUT",
    default=None,
    help="Write here (atomically; a new file is mode 0600) instead of stdout. Never the input.",
)
@click.option(
    "--keys-file",
    metavar="FILE",
    default=None,
    help="Key file: KEY_ID:BASE64_KEY lines, or JSON (see docs/encryption.md).",
)
@click.option(
    "--key-provider",
    metavar="MODULE:ATTR",
    default=None,
    help="A callable returning the keys (e.g. one that unwraps them with a cloud KMS).",
)
@click.option(
    "--keys-env",
    metavar="NAME",
    default=DEFAULT_KEYS_ENV,
    show_default=True,
    help="Environment variable holding KEY_ID:BASE64_KEY entries, used without the above.",
)
@click.option(
    "--audit-log",
    "audit_log",
    metavar="FILE",
    default=None,
    help="Also append the audit record to FILE (JSON Lines, created mode 0600).",
)
def decrypt_command(
    *,
    path: str,
    fmt: str,
    out: str | None,
    keys_file: str | None,
    key_provider: str | None,
    keys_env: str,
    audit_log: str | None,
) -> int:
    """Restore the values of encrypted tokens, for holders of the key.

    Reads JSON, JSONL or text holding <ENTITY:enc:v1:KEY_ID:...> tokens (the encrypt operator's
    output) and writes it with the original values back in place.

    Keys: --key-provider, else --keys-file, else $TRACEMASK_ENCRYPTION_KEYS (or --keys-env).
    Every run writes one audit record to stderr, and appends it to --audit-log: time (UTC),
    user, host, input, output, tokens restored per entity, key ids, outcome; never values. A
    token that does not decrypt (key not loaded, wrong key, edited or moved token) stops the
    run with exit 4; with -o nothing is written then. The input is never modified.
    """
    if keys_file is not None and key_provider is not None:
        raise click.UsageError("use --keys-file or --key-provider, not both")
    src = _Input(path)
    if out is not None and out != "-" and not src.is_stdin and _same_file(out, path):
        raise InputError(f"{out}: refusing to overwrite the input")
    if key_provider is not None:
        keys = f"provider:{key_provider}"
    else:
        keys = f"file:{os.path.abspath(keys_file)}" if keys_file else f"env:{keys_env}"
    audit = _Audit(
        audit_log,
        {
            "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "event": "decrypt",
            "user": _user(),
            "host": socket.gethostname(),
            "input": _audit_name(path, "<stdin>"),
            "output": _audit_name(out, "<stdout>"),
            "format": fmt,
            "keys": keys,
            "tracemask": __version__,
        },
    )
    restored = Restored()
    try:
        try:
            _require_cryptography("tracemask decrypt")
        except ImportError as exc:
            raise click.ClickException(str(exc)) from None
        keyring = load_keyring(keys_env=keys_env, keys_file=keys_file, key_provider=key_provider)
        with _output(out, private=True) as write:
            _DecryptJob(keyring, src, restored).run(fmt, write)
    except BaseException as exc:
        audit.finish(restored, *_failure(exc))
        raise
    audit.finish(restored, "ok", EXIT_OK, None)
    return EXIT_OK


@cli.command("keygen", epilog=_EXIT_CODES_HELP)
@click.option(
    "--key-id", metavar="ID", default=None, help="Key id (default: k<YYYYMMDD>-<4 hex digits>)."
)
@click.option(
    "--size",
    type=click.Choice(["32", "48", "64"]),
    default="64",
    show_default=True,
    help="Key bytes: 64 is AES-256-SIV.",
)
def keygen(*, key_id: str | None, size: str) -> int:
    """Print a new random encryption key as one KEY_ID:BASE64_KEY line.

    Put it first in $TRACEMASK_ENCRYPTION_KEYS (entries separated by commas) or in a key file
    to make it the active key; keep the old keys after it so that their tokens still decrypt.
    """
    click.echo(key_line(key_id or new_key_id(), generate_key(int(size))))
    return EXIT_OK


# -- serve and the local sink ---------------------------------------------------------------

_SERVER_EXTRA = "tracemask serve needs the server extra: pip install 'tracemask[server]'"
_SERVER_MODULES = frozenset(
    {"starlette", "uvicorn", "httpx", "anyio", "prometheus_client", "google", "opentelemetry"}
)


@cli.command(epilog=_EXIT_CODES_HELP)
@click.option(
    "--config",
    "config",
    metavar="FILE",
    default=None,
    help="Policy YAML with a server: section (default: $TRACEMASK_CONFIG).",
)
@_policy_option
@_profile_option
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 4318).")
@click.option("--upstream", metavar="URL", default=None, help="OTLP/HTTP endpoint to forward to.")
@click.option("--data-dir", metavar="DIR", default=None, help="Local sink directory.")
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default=None,
)
@click.option("--check", is_flag=True, help='Validate the configuration, print "ok" and exit.')
def serve(
    *,
    config: str | None,
    policy: str | None,
    profile: str | None,
    host: str | None,
    port: int | None,
    upstream: str | None,
    data_dir: str | None,
    log_level: str | None,
    check: bool,
) -> int:
    """Run the masking service: Langfuse callback, OTLP gateway, /v1/mask (see docs/server.md).

    Without an upstream, masked OTLP batches go to a local sink under --data-dir that
    'tracemask sink list|export' reads. SIGHUP or an edited config file reloads the policies.
    """
    from tracemask.server._config import ConfigSource, load_config  # noqa: PLC0415

    flags = (("host", host), ("port", port), ("log_level", log_level))
    overrides: dict[str, Any] = {k: v for k, v in flags if v is not None}
    if upstream is not None:
        overrides["upstream"] = {"endpoint": upstream}
    if data_dir is not None:
        overrides["sink"] = {"dir": data_dir}
    source = ConfigSource(path=config, policy=policy, profile=profile, overrides=overrides)
    loaded = load_config(source)
    if check:
        click.echo("ok")
        return EXIT_OK
    try:
        from tracemask.server._run import run_server  # noqa: PLC0415
    except ImportError as exc:
        if (exc.name or "").split(".")[0] in _SERVER_MODULES:
            raise click.ClickException(_SERVER_EXTRA) from None
        raise
    run_server(loaded)
    return EXIT_OK


def _sink_dir(directory: str | None) -> str:
    from tracemask.server._config import DEFAULT_SINK_DIR  # noqa: PLC0415

    return directory or os.environ.get("TRACEMASK_SINK_DIR") or DEFAULT_SINK_DIR


_sink_dir_option = click.option(
    "--data-dir",
    "data_dir",
    metavar="DIR",
    default=None,
    help="Sink directory (default: $TRACEMASK_SINK_DIR, else ./tracemask-data).",
)


@cli.group("sink")
def sink_group() -> None:
    """Inspect what 'tracemask serve' stored locally (masked OTLP batches)."""


def _batches(data_dir: str | None) -> Iterator[Any]:
    from tracemask.server._sink import read_batches  # noqa: PLC0415

    directory = _sink_dir(data_dir)
    try:
        yield from read_batches(directory)
    except FileNotFoundError as exc:
        raise InputError(str(exc)) from None


@sink_group.command("list")
@_sink_dir_option
@click.option("--limit", type=int, default=20, show_default=True, help="Newest batches shown.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per batch.")
def sink_list(*, data_dir: str | None, limit: int, as_json: bool) -> int:
    """List stored batches: id, time, signal, items, findings, size."""
    rows = list(itertools.islice(reversed(list(_batches(data_dir))), max(limit, 0)))[::-1]
    if as_json:
        for b in rows:
            meta = {"id": b.id, "time": b.time, "signal": b.signal, "items": b.items}
            meta |= {"findings": b.findings, "bytes": b.size}
            click.echo(json.dumps(meta))
        return EXIT_OK
    if not rows:
        click.echo("no batches")
        return EXIT_OK
    table = [
        (str(b.id), b.time, b.signal, str(b.items), str(b.findings), str(b.size)) for b in rows
    ]
    click.echo(_table(("ID", "TIME", "SIGNAL", "ITEMS", "FINDINGS", "BYTES"), table, numeric=3))
    return EXIT_OK


@sink_group.command("export")
@_sink_dir_option
@click.option("--id", "ids", type=int, multiple=True, help="Only these batches (repeatable).")
@click.option("--signal", type=click.Choice(["traces", "logs"]), default=None)
@click.option("-o", "--output", "out", metavar="OUT", default=None, help="Write here.")
def sink_export(
    *, data_dir: str | None, ids: tuple[int, ...], signal: str | None, out: str | None
) -> int:
    """Write stored batches as JSONL: one OTLP JSON export request per line."""
    wanted = set(ids)
    with _output(out) as write:
        for b in _batches(data_dir):
            if (wanted and b.id not in wanted) or (signal and b.signal != signal):
                continue
            write(b.body + "\n")
    return EXIT_OK


# -- entry point -----------------------------------------------------------------------------


def _fail(message: str, code: int) -> int:
    with contextlib.suppress(OSError, ValueError):
        sys.stderr.write(f"tracemask: error: {message}\n")
        sys.stderr.flush()
    return code


def _usage_message(exc: click.UsageError) -> str:
    message = " ".join(exc.format_message().split()).rstrip(".")
    ctx = exc.ctx
    if ctx is not None:
        message += f" (see '{ctx.command_path} --help')"
    return message


def run(argv: list[str] | None = None) -> int:
    """Run the CLI with ``argv`` and return the exit code (errors already printed)."""
    try:
        rv = cli.main(args=argv, prog_name="tracemask", standalone_mode=False)
    except click.UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
            click.echo(exc.ctx.get_help(), err=True)  # bare ``tracemask``: help, as click does
            return EXIT_USER
        return _fail(_usage_message(exc), EXIT_USER)
    except click.ClickException as exc:
        return _fail(" ".join(exc.format_message().split()), EXIT_USER)
    except click.Abort:
        return _fail("interrupted", 130)
    except MaskingError as exc:
        return _fail(str(exc), EXIT_MASKING)
    except DecryptionError as exc:
        return _fail(str(exc), EXIT_DECRYPT)
    except TracemaskError as exc:
        return _fail(str(exc), EXIT_USER)
    except (_PipeClosed, BrokenPipeError):
        # Silence the flush at exit: stdout's reader is gone.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return _EXIT_PIPE
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or type(exc).__name__}", EXIT_USER)
    except Exception as exc:
        if os.environ.get("TRACEMASK_DEBUG"):
            raise
        # The message of an unexpected error may hold data: print its type only.
        return _fail(
            f"internal error ({type(exc).__name__}); set TRACEMASK_DEBUG=1 for details",
            EXIT_MASKING,
        )
    return rv if isinstance(rv, int) else EXIT_OK


def main() -> None:
    """Console-script entry point."""
    sys.exit(run())

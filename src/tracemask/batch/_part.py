"""One part (one input file) masked or scanned, record by record, with bounded memory.

Formats: JSON Lines (plain, ``.gz``, ``.zst``, ``.bz2``; OTel file-exporter JSON lines are
JSON Lines whose records are OTLP requests), one JSON document, CSV, Parquet (row group by row
group), OTLP protobuf (the file exporter's length-prefixed messages) and text/log lines. Every
value is masked by :class:`tracemask.Masker`; this module only reads and writes.

A record that cannot be read or masked is a :class:`RecordError` handled by ``on_error``:
``fail`` stops the part, ``skip`` drops the record, ``quarantine`` drops it from the output and
stores it, masked as text, beside the output. A part that cannot be read at all (truncated or
corrupt stream, bad Parquet) is a :class:`PartError`; its output is never committed.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import hashlib
import io
import itertools
import json
import struct
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from tracemask._jsonstr import encode_like
from tracemask._masker import Masker
from tracemask._report import Report
from tracemask.batch._storage import Location
from tracemask.exceptions import InputError, MaskingError, TracemaskError
from tracemask.policy import Policy

COMPRESSIONS = {".gz": "gzip", ".zst": "zstd", ".bz2": "bz2"}
FORMAT_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".binpb": "otlp-proto",
    ".pb": "otlp-proto",
    ".log": "text",
    ".txt": "text",
}
#: File names a directory walk picks up.
SUFFIXES = frozenset(s + c for s in FORMAT_SUFFIXES for c in ("", *COMPRESSIONS))
FORMATS = ("auto", "jsonl", "json", "csv", "parquet", "otlp-proto", "text")
ON_ERROR = ("fail", "skip", "quarantine")
_WITHHELD = "<WITHHELD: masking failed>"
_CHUNK = 1 << 20
#: JSON Lines records masked per ``Masker.mask_many`` call.
JSONL_BATCH = 256


class PartError(TracemaskError):
    """A whole part cannot be read (the message names the file and where, never data)."""


class RecordError(TracemaskError):
    """One record cannot be read or masked."""

    def __init__(self, message: str, *, masking: bool = False) -> None:
        super().__init__(message)
        self.masking = masking


@dataclass(frozen=True)
class Options:
    """What every part of a job shares; travels to workers by value (pickled)."""

    policy: Policy
    fmt: str = "auto"
    columns: tuple[str, ...] | None = None
    encoding: str = "utf-8"
    on_error: str = "fail"
    scan: bool = False
    max_locations: int = 1000
    storage_options: dict[str, Any] = field(default_factory=dict)
    otlp_signal: str | None = None


@dataclass(frozen=True)
class Task:
    """One part: its input, its relative path, its output and quarantine file (or none)."""

    input: str
    rel: str
    output: str | None
    quarantine: str | None
    #: Parquet only: the row groups ``[start, stop)`` of a file split between workers.
    row_groups: tuple[int, int] | None = None
    #: Records before this piece's first row (record numbers stay those of the whole file).
    first_record: int = 0


@dataclass
class PartResult:
    """What one part did: counts, findings by entity and path (paths masked), never values."""

    rel: str
    input: str
    output: str | None
    format: str
    size: int = 0
    sha256: str = ""
    records: int = 0
    written: int = 0
    skipped: int = 0
    quarantined: int = 0
    report: dict[str, Any] = field(default_factory=dict)
    locations: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error: str | None = None
    exit_code: int = 0
    seconds: float = 0.0
    #: CPU seconds the worker spent on the part, its Masker's construction excluded (wall
    #: ``seconds`` also includes waiting for a CPU).
    cpu_seconds: float = 0.0
    #: Peak resident memory of the worker process that ran the part, in MB (0: unknown).
    peak_rss_mb: float = 0.0


# -- masker per process -------------------------------------------------------------------

_MASKERS: dict[str, Masker] = {}  # per worker process: built once per policy, reused by parts


def policy_hash(policy: Policy) -> str:
    """A stable hash of everything in ``policy`` that changes the output (keys included)."""

    def reveal(value: Any) -> Any:
        if hasattr(value, "get_secret_value"):
            return value.get_secret_value()
        if isinstance(value, dict):
            return {str(k): reveal(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [reveal(v) for v in value]
        return value

    data = json.dumps(reveal(policy.model_dump()), sort_keys=True, default=str)
    return "sha256:" + hashlib.sha256(data.encode("utf-8")).hexdigest()


def masker_for(policy: Policy) -> Masker:
    key = policy_hash(policy)
    masker = _MASKERS.get(key)
    if masker is None:
        masker = _MASKERS[key] = Masker(policy)
    return masker


# -- format and compression ---------------------------------------------------------------


def split_name(name: str) -> tuple[str, str | None]:
    """``(format, compression)`` by file name: ``a.jsonl.gz`` → ``("jsonl", "gzip")``."""
    lower = name.lower()
    compression = None
    for suffix, comp in COMPRESSIONS.items():
        if lower.endswith(suffix):
            compression = comp
            lower = lower[: -len(suffix)]
            break
    for suffix, fmt in FORMAT_SUFFIXES.items():
        if lower.endswith(suffix):
            return fmt, compression
    return "text", compression


class _Counting(io.RawIOBase):
    """Reads through to ``raw``, hashing and counting the bytes (the input's checksum)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.hash = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.hash.update(data)
        self.count += n
        return n


def _decompressed(raw: Any, compression: str | None) -> Any:
    if compression is None:
        return io.BufferedReader(raw, _CHUNK)
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(raw, "rb")
    zstd = _zstandard()
    return io.BufferedReader(zstd.ZstdDecompressor().stream_reader(raw), _CHUNK)


def _compressed(out: IO[bytes], compression: str | None) -> Any:
    if compression is None:
        return out
    if compression == "gzip":
        # mtime 0: the same input gives the same bytes on every run and engine.
        return gzip.GzipFile(filename="", fileobj=out, mode="wb", mtime=0)
    if compression == "bz2":
        return bz2.BZ2File(out, "wb")
    zstd = _zstandard()
    return zstd.ZstdCompressor().stream_writer(out, closefd=False)


def _zstd_errors() -> tuple[type[BaseException], ...]:
    try:
        import zstandard  # noqa: PLC0415
    except ImportError:
        return ()
    return (zstandard.ZstdError,)


def _zstandard() -> Any:
    try:
        import zstandard  # noqa: PLC0415 - the batch extra
    except ImportError:
        raise InputError(
            ".zst files need the batch extra: pip install 'tracemask[batch]'"
        ) from None
    return zstandard


_STREAM_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error)


def _stream_error(
    name: str, compression: str | None, counter: _Counting, exc: BaseException
) -> str:
    what = {"gzip": "gzip", "bz2": "bzip2", "zstd": "zstd"}.get(compression or "", "")
    if isinstance(exc, EOFError) or "end-of-stream" in str(exc):
        return f"{name}: truncated {what} stream (input ends at byte {counter.count})".replace(
            "  ", " "
        )
    return f"{name}: corrupt {what} stream near input byte {counter.count}".replace("  ", " ")


# -- the part -----------------------------------------------------------------------------


class _Part:
    def __init__(self, task: Task, options: Options) -> None:
        self.task = task
        self.opt = options
        self.masker = masker_for(options.policy)
        self.src = Location(task.input, options.storage_options)
        self.name = task.input
        fmt, self.compression = split_name(task.input.rsplit("/", 1)[-1])
        self.fmt = fmt if options.fmt == "auto" else options.fmt
        self.result = PartResult(task.rel, task.input, task.output, self.fmt)
        self.report = Report()
        self.quarantine: list[str] = []
        self._pending: tuple[int, int | None, str] | None = None

    # -- records --

    def _mask(self, obj: Any, rep: Report) -> Any:
        try:
            return self.masker.mask(obj, report=rep)
        except MaskingError as exc:
            raise RecordError(str(exc), masking=True) from None

    def _record(
        self, number: int, line: int | None, work: Callable[[Report], bytes | None]
    ) -> bytes | None:
        """Run one record's ``work``; count it, note where findings are, handle its error."""
        self.result.records += 1
        rep = Report()
        try:
            out = work(rep)
        except RecordError as exc:
            self._failed(number, line, str(exc), masking=exc.masking)
            return None
        self.report.merge(rep)
        if rep and len(self.result.locations) < self.opt.max_locations:
            for (path, entity), n in sorted(rep.by_path_entity.items()):
                loc: dict[str, Any] = {"record": number}
                if line is not None:
                    loc["line"] = line
                loc |= {"path": self.masker.mask_text(path), "entity": entity, "count": n}
                self.result.locations.append(loc)
        self.result.written += out is not None
        return out

    def _failed(self, number: int, line: int | None, message: str, *, masking: bool) -> None:
        where = f"{self.name}: record {number}" + (f" (line {line})" if line is not None else "")
        text = f"{where}: {message}"
        if self.opt.on_error == "fail":
            raise RecordError(text, masking=masking)
        self.result.errors.append(text)
        if self.opt.on_error == "skip":
            self.result.skipped += 1
            return
        self.result.quarantined += 1
        self._pending = (number, line, message)

    def _quarantine(self, raw: str) -> None:
        """Store the record that just failed, masked as text; never raw."""
        pending = self._pending
        if pending is None:
            return
        self._pending = None
        number, line, message = pending
        try:
            text = self.masker.mask_text(raw.rstrip("\r\n"))
        except Exception:  # noqa: BLE001 - fail closed: nothing unmasked is stored
            text = _WITHHELD
        doc = {"file": self.task.input, "record": number, "line": line, "error": message}
        self.quarantine.append(json.dumps({**doc, "text": text}, ensure_ascii=False))

    # -- formats --

    def run(self) -> PartResult:
        started = time.perf_counter()
        self.result.size = self.src.size()
        if self.fmt == "parquet":
            self._parquet()
        else:
            self._stream()
        if self.quarantine and self.task.quarantine and not self.opt.scan:
            data = ("\n".join(self.quarantine) + "\n").encode("utf-8")
            Location(self.task.quarantine, self.opt.storage_options).write_bytes(data)
        self.result.report = _safe(self.report, self.masker)
        self.result.seconds = time.perf_counter() - started
        return self.result

    def _stream(self) -> None:
        with self.src.open_read() as raw:
            counter = _Counting(raw)
            try:
                stream = _decompressed(counter, self.compression)
                if self.opt.scan or self.task.output is None:
                    self._formats(stream, None)
                else:
                    out_loc = Location(self.task.output, self.opt.storage_options)
                    with out_loc.commit() as tmp, open(tmp, "wb") as f:
                        sink = _compressed(f, self.compression)
                        self._formats(stream, sink)
                        sink.close()
                        # A corrupt tail stops the part before its output is committed.
            except (*_STREAM_ERRORS, *_zstd_errors()) as exc:
                raise PartError(_stream_error(self.name, self.compression, counter, exc)) from None
            self.result.sha256 = counter.hash.hexdigest()

    def _formats(self, stream: IO[bytes], sink: IO[bytes] | None) -> None:
        write = sink.write if sink is not None else (lambda _b: 0)
        fmt = self.fmt
        if fmt == "json":
            fmt = self._sniff(stream)
        if fmt == "json":
            self._document(stream, write)
        elif fmt == "jsonl":
            self._jsonl(stream, write)
        elif fmt == "csv":
            self._csv(stream, write)
        elif fmt == "otlp-proto":
            self._otlp_proto(stream, write)
        else:
            self._text(stream, write)
        # Drain the rest: a truncated compressed tail must surface as an error.
        while stream.read(_CHUNK):
            pass

    def _sniff(self, stream: IO[bytes]) -> str:
        """``.json`` files: one document, or JSON lines (OTel's file exporter writes those)."""
        peek = stream.peek(_CHUNK) if hasattr(stream, "peek") else b""
        first = peek.split(b"\n", 1)[0].strip()
        if first[:1] in (b"{", b"[") and b"\n" in peek.strip():
            try:
                json.loads(first)
            except ValueError:
                return "json"
            return "jsonl"
        return "json"

    def _lines(self, stream: IO[bytes]) -> Iterator[tuple[int, int, bytes]]:
        """``(line number, byte offset, raw line)`` of the decompressed stream."""
        offset = 0
        for number, raw in enumerate(stream, start=1):
            yield number, offset, raw
            offset += len(raw)

    def _decode(self, raw: bytes, offset: int) -> str:
        try:
            return raw.decode(self.opt.encoding)
        except UnicodeDecodeError as exc:
            raise RecordError(
                f"not valid {self.opt.encoding} at byte offset {offset + exc.start}"
            ) from None
        except LookupError:
            raise InputError(f"unknown encoding {self.opt.encoding!r}") from None

    def _jsonl(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        otlp = _otlp_masker()
        # Batches through Masker.mask_many when no record needs its own scope or findings list
        # (scoped pseudonyms: each line is its own scope; scan: findings per record).
        batched = not self.opt.scan and not self.masker.scope_kinds
        lines = self._lines(stream)
        while chunk := list(itertools.islice(lines, JSONL_BATCH if batched else 1)):
            parsed: list[tuple[int, bytes, str, str, Any]] = []
            for number, offset, raw in chunk:
                if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                    raw = raw[3:]  # noqa: PLW2901
                if not raw.strip():
                    parsed.append((number, raw, "", "", _BLANK))
                    continue
                try:
                    text = self._decode(raw, offset)
                    content = text.rstrip("\r\n")
                    obj = _parse(content)
                except RecordError as exc:
                    self._record(number, number, _raiser(exc))
                    self._quarantine(raw.decode(self.opt.encoding, "replace"))
                    continue
                parsed.append((number, raw, content, text[len(content) :], obj))
            plain = [
                obj
                for _, _, _, _, obj in parsed
                if obj is not _BLANK and not (otlp is not None and _is_otlp(obj))
            ]
            masked = self._mask_many(plain) if batched and plain else None
            outs = iter(masked or ())
            for number, raw, content, eol, obj in parsed:
                if obj is _BLANK:
                    write(raw)
                    continue
                work: Callable[[Report], bytes]
                if otlp is not None and _is_otlp(obj):
                    work = self._otlp_work(otlp, content, eol, obj)
                elif masked is not None:
                    m = next(outs)
                    out = content if m == obj else encode_like(content, m)
                    work = _constant((out + eol).encode("utf-8"))
                else:
                    work = self._json_work(content, eol, obj)
                data = self._record(number, number, work)
                if data is not None:
                    write(data)
                else:
                    self._quarantine(raw.decode(self.opt.encoding, "replace"))

    def _mask_many(self, objs: list[Any]) -> list[Any] | None:
        """``objs`` masked in one ``mask_many`` call, or ``None`` when one of them fails (the
        records are then masked one by one, so that the failing one is named and handled)."""
        rep = Report()
        try:
            masked = list(self.masker.mask_many(objs, report=rep))
        except MaskingError:
            return None
        self.report.merge(rep)
        return masked

    def _json_work(self, content: str, eol: str, obj: Any) -> Callable[[Report], bytes]:
        def work(rep: Report) -> bytes:
            masked = self._mask(obj, rep)
            out = content if masked == obj else encode_like(content, masked)
            return (out + eol).encode("utf-8")

        return work

    def _otlp_work(
        self, otlp: _OtlpMasker, content: str, eol: str, obj: dict[str, Any]
    ) -> Callable[[Report], bytes]:
        def work(rep: Report) -> bytes:
            try:
                masked_text = otlp(self.masker, content, obj, rep)
            except MaskingError as exc:
                raise RecordError(str(exc), masking=True) from None
            if masked_text is None:
                return self._json_work(content, eol, obj)(rep)
            return (masked_text + eol).encode("utf-8")

        return work

    def _document(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        data = stream.read()

        def work(rep: Report) -> bytes:
            text = self._decode(data, 0).removeprefix("\ufeff")
            obj = _parse(text)
            masked = self._mask(obj, rep)
            return (text if masked == obj else encode_like(text, masked)).encode("utf-8")

        out = self._record(1, None, work)
        if out is not None:
            write(out)
        else:
            self._quarantine(data.decode(self.opt.encoding, "replace"))

    def _text(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        enc = self.opt.encoding
        for number, offset, raw in self._lines(stream):

            def work(rep: Report, raw: bytes = raw, offset: int = offset) -> bytes:
                text = self._decode(raw, offset)
                content = text.rstrip("\r\n")
                masked: str = self._mask(content, rep)
                return (masked + text[len(content) :]).encode(enc)

            out = self._record(number, number, work)
            if out is not None:
                write(out)
            else:
                self._quarantine(raw.decode(enc, "replace"))

    def _csv(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        text = io.TextIOWrapper(stream, encoding=self.opt.encoding, newline="")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        try:
            reader = csv.reader(text)
            header = next(reader, None)
            if header is None:
                return
            columns = self.opt.columns or tuple(header)
            missing = [c for c in columns if c not in header]
            if missing:
                raise PartError(f"{self.name}: no column {', '.join(missing)} in the CSV header")
            index = [header.index(c) for c in columns]
            writer.writerow(header)
            write(out.getvalue().encode(self.opt.encoding))
            for number, row in enumerate(reader, start=1):
                line = reader.line_num

                def work(rep: Report, row: list[str] = row) -> bytes:
                    cells = {header[i]: row[i] for i in index if i < len(row)}
                    masked = self._mask(cells, rep)
                    new = list(row)
                    for i in index:
                        if i < len(row):
                            new[i] = masked[header[i]]
                    out.seek(0)
                    out.truncate()
                    writer.writerow(new)
                    return out.getvalue().encode(self.opt.encoding)

                data = self._record(number, line, work)
                if data is not None:
                    write(data)
                else:
                    self._quarantine(",".join(row))
        except UnicodeDecodeError as exc:
            raise PartError(f"{self.name}: not valid {self.opt.encoding} ({exc.reason})") from None
        except csv.Error as exc:
            raise PartError(f"{self.name}: invalid CSV ({exc})") from None
        finally:
            text.detach()

    def _otlp_proto(self, stream: IO[bytes], write: Callable[[bytes], object]) -> None:
        from tracemask.batch._otlp import mask_otlp_message  # noqa: PLC0415

        signal = self.opt.otlp_signal or ("logs" if "log" in self.name.lower() else "traces")
        number = 0
        while True:
            head = stream.read(4)
            if not head:
                return
            size = struct.unpack(">I", head)[0] if len(head) == 4 else -1
            body = stream.read(size) if size >= 0 else b""
            if len(body) < size or size < 0:
                if number == 0 and _is_otlp_request(head + body, signal):
                    # Not the file exporter's length-prefixed stream but one bare export
                    # request, as an OTLP/HTTP exporter posts it (a captured body): kept bare.
                    self._otlp_bare(head + body, signal, write)
                    return
                raise PartError(
                    f"{self.name}: truncated OTLP protobuf stream (expected the file exporter's "
                    f"length-prefixed requests, or one OTLP {signal} export request)"
                )
            number += 1

            def work(rep: Report, body: bytes = body) -> bytes:
                try:
                    masked = mask_otlp_message(self.masker, body, signal, rep)
                except MaskingError as exc:
                    raise RecordError(str(exc), masking=True) from None
                except ValueError as exc:
                    raise RecordError(str(exc)) from None
                return struct.pack(">I", len(masked)) + masked

            out = self._record(number, None, work)
            if out is not None:
                write(out)
            else:
                self._quarantine("(OTLP protobuf message withheld)")

    def _otlp_bare(self, data: bytes, signal: str, write: Callable[[bytes], object]) -> None:
        from tracemask.batch._otlp import mask_otlp_message  # noqa: PLC0415

        def work(rep: Report) -> bytes:
            try:
                return mask_otlp_message(self.masker, data, signal, rep)
            except MaskingError as exc:
                raise RecordError(str(exc), masking=True) from None
            except ValueError as exc:
                raise RecordError(str(exc)) from None

        out = self._record(1, None, work)
        if out is not None:
            write(out)
        else:
            self._quarantine("(OTLP protobuf message withheld)")

    def _parquet(self) -> None:
        pa = _pyarrow()
        import pyarrow.parquet as pq  # noqa: PLC0415

        if self.task.row_groups is None:  # a piece's file is hashed once, by the job
            digest = hashlib.sha256()
            with self.src.open_read() as raw:
                while chunk := raw.read(_CHUNK):
                    digest.update(chunk)
            self.result.sha256 = digest.hexdigest()
        with self.src.open_read() as raw:
            try:
                pf = pq.ParquetFile(raw)
            except (pa.ArrowException, OSError) as exc:
                raise PartError(
                    f"{self.name}: not a readable Parquet file ({type(exc).__name__})"
                ) from None
            schema = pf.schema_arrow
            try:
                from tracemask.batch._arrow import text_columns  # noqa: PLC0415

                columns = text_columns(schema, self.opt.columns)
            except KeyError as exc:
                raise PartError(
                    f"{self.name}: no column {exc.args[0]} in the Parquet schema"
                ) from None
            codec = "snappy"
            if pf.metadata.num_row_groups and pf.metadata.num_columns:
                codec = pf.metadata.row_group(0).column(0).compression.lower()
            if self.opt.scan or self.task.output is None:
                self._row_groups(pf, schema, columns, None)
                return
            out_loc = Location(self.task.output, self.opt.storage_options)
            with out_loc.commit() as tmp:
                writer = pq.ParquetWriter(tmp, schema, compression=codec)
                try:
                    self._row_groups(pf, schema, columns, writer)
                finally:
                    writer.close()

    def _row_groups(self, pf: Any, schema: Any, columns: list[str], writer: Any) -> None:
        pa = _pyarrow()
        number = self.task.first_record
        start, stop = self.task.row_groups or (0, pf.metadata.num_row_groups)
        for i in range(start, stop):
            try:
                table = pf.read_row_group(i)
            except (pa.ArrowException, OSError) as exc:
                raise PartError(
                    f"{self.name}: row group {i} is not readable ({type(exc).__name__})"
                ) from None
            rows = table.to_pylist()
            kept: list[dict[str, Any]] = []
            for row in rows:
                number += 1

                def work(rep: Report, row: dict[str, Any] = row, kept: list[Any] = kept) -> bytes:
                    cells = {c: row[c] for c in columns}
                    masked = self._mask(cells, rep)
                    kept.append({**row, **masked})
                    return b""

                if self._record(number, None, work) is None:
                    self._quarantine(json.dumps({c: row[c] for c in columns}, default=str))
            if writer is not None and (kept or not rows):
                writer.write_table(pa.Table.from_pylist(kept, schema=schema))


def _pyarrow() -> Any:
    try:
        import pyarrow  # noqa: PLC0415 - the batch extra
    except ImportError:
        raise InputError("Parquet needs the batch extra: pip install 'tracemask[batch]'") from None
    return pyarrow


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON ({exc.msg}, column {exc.colno})") from None
    except RecursionError:
        raise RecordError("JSON nested too deeply") from None


_OtlpMasker = Callable[[Masker, str, dict[str, Any], Report], "str | None"]
_BLANK: Any = object()  # a blank line in a JSON Lines chunk: copied as it is


def _is_otlp(obj: Any) -> bool:
    return isinstance(obj, dict) and ("resourceSpans" in obj or "resourceLogs" in obj)


def _raiser(exc: RecordError) -> Callable[[Report], bytes]:
    def work(_rep: Report) -> bytes:
        raise exc

    return work


def _constant(data: bytes) -> Callable[[Report], bytes]:
    return lambda _rep: data


def _otlp_masker() -> _OtlpMasker | None:
    try:
        from tracemask.batch._otlp import mask_otlp_json  # noqa: PLC0415
    except ImportError:
        return None
    return mask_otlp_json


def _safe(report: Report, masker: Masker) -> dict[str, Any]:
    """``report`` as a dict with its paths masked: keys are data too."""
    safe = Report(fields=report.fields)
    for (path, entity), n in report.by_path_entity.items():
        safe.add(entity, masker.mask_text(path), n)
    return safe.to_dict()


def run_part(task: Task, options: Options) -> PartResult:
    """Mask (or scan) one part; errors are returned in the result, never raised.

    ``exit_code`` is 2 for an unreadable part or record (user data), 3 for a masking failure.
    """
    part = _Part(task, options)  # builds (or reuses) this process's Masker
    cpu = time.process_time()
    try:
        return _with_rss(part.run(), cpu)
    except RecordError as exc:
        part.result.error = str(exc)
        part.result.exit_code = 3 if exc.masking else 2
    except (PartError, InputError) as exc:
        part.result.error = str(exc)
        part.result.exit_code = 2
    except MaskingError as exc:
        part.result.error = f"{task.input}: {exc}"
        part.result.exit_code = 3
    except Exception as exc:  # noqa: BLE001 - a worker must report, and never print a value
        part.result.error = f"{task.input}: internal error ({type(exc).__name__})"
        part.result.exit_code = 3
    part.result.report = _safe(part.report, part.masker)
    return _with_rss(part.result, cpu)


def _with_rss(result: PartResult, cpu: float) -> PartResult:
    result.cpu_seconds = round(time.process_time() - cpu, 3)
    try:
        import resource  # noqa: PLC0415 - POSIX only

        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):
        return result
    result.peak_rss_mb = round(kb / 1024, 1)  # Linux reports KiB
    return result


def _is_otlp_request(data: bytes, signal: str) -> bool:
    """``data`` parses as one OTLP ``signal`` export request holding at least one resource."""
    from google.protobuf.message import DecodeError  # type: ignore[import-untyped]  # noqa: PLC0415

    if signal == "logs":
        from opentelemetry.proto.collector.logs.v1 import logs_service_pb2 as pb  # noqa: PLC0415

        message: Any = pb.ExportLogsServiceRequest()
        field = "resource_logs"
    else:
        from opentelemetry.proto.collector.trace.v1 import trace_service_pb2 as tpb  # noqa: PLC0415

        message = tpb.ExportTraceServiceRequest()
        field = "resource_spans"
    try:
        message.ParseFromString(data)
    except DecodeError:
        return False
    return len(getattr(message, field)) > 0

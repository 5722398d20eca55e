"""Reading inputs and writing outputs for the CLI: files or stdio, as bytes, errors as one line.

Inputs are read as bytes so that nothing is translated and offsets hold; outputs go to stdout or
to a file written atomically (temp file + ``os.replace``). Errors name the file and line, never
the content.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import click

from tracemask.exceptions import InputError

#: Inputs larger than this show a progress bar on stderr (when stderr is a terminal).
PROGRESS_MIN_BYTES = 8 * 1024 * 1024
_PROGRESS_STEP = 1024 * 1024
FORMATS = ("auto", "json", "jsonl", "text")
#: Output held in memory before a spooled stdout moves it to a temporary file.
SPOOL_MAX_MEMORY = 8 * 1024 * 1024

BOM = b"\xef\xbb\xbf"


# -- reading ---------------------------------------------------------------------------------


class Input:
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


def decode(raw: bytes, src: Input, line: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line += raw.count(b"\n", 0, exc.start)
        raise src.error("not valid UTF-8", line) from None


def read_all(src: Input, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise src.error("not valid UTF-8", data.count(b"\n", 0, exc.start) + 1) from None


def split_eol(text: str) -> tuple[str, str]:
    """Split a line into its content and its line ending (``\\r\\n``, ``\\n`` or none)."""
    if text.endswith("\r\n"):
        return text[:-2], "\r\n"
    if text.endswith("\n"):
        return text[:-1], "\n"
    return text, ""


def split_lines(text: str) -> Iterator[str]:
    """Lines of ``text`` split at ``\n`` only (``str.splitlines`` also splits at ``\x0c`` etc.)."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        yield text[start:end]
        start = end


def parse_json(text: str, src: Input, line: int | None) -> Any:
    """``json.loads`` with errors as one line naming the file and line, never the content."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at = exc.lineno if line is None else line
        raise src.error(f"invalid JSON ({exc.msg}, column {exc.colno})", at) from None
    except RecursionError:
        raise src.error("JSON nested too deeply", line) from None


def lines(src: Input, stream: IO[bytes], head: Iterable[bytes] = ()) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, decoded_line)`` lazily, line endings kept, BOM dropped."""
    raws = itertools.chain(head, stream)
    bar = progress(src)
    done = 0
    try:
        for number, raw in enumerate(raws, start=1):
            if number == 1 and raw.startswith(BOM):
                raw = raw[len(BOM) :]  # noqa: PLW2901
            if bar is not None:
                done += len(raw)
                if done >= _PROGRESS_STEP:
                    bar.update(done)
                    done = 0
            yield number, decode(raw, src, number)
        if bar is not None:
            bar.update(done)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)


def progress(src: Input) -> Any:
    if src.size is None or src.size <= PROGRESS_MIN_BYTES:
        return None
    if not sys.stderr.isatty():
        return None
    bar = click.progressbar(length=src.size, label=src.name, file=sys.stderr)
    bar.__enter__()
    return bar


def format_of(src: Input, fmt: str) -> str:
    """The format fixed by the flag or the file extension, or ``"auto"`` (sniff the content)."""
    if fmt != "auto":
        return fmt
    suffix = Path(src.path).suffix.lower() if not src.is_stdin else ""
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    return "auto"


# -- writing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def output(
    out: str | None, *, private: bool = False, spool: bool = False
) -> Iterator[Callable[[str], object]]:
    """Yield a writer to stdout, or to ``out`` atomically (temp file + ``os.replace``).

    A new file gets the umask's mode, or ``0600`` when ``private`` (decrypted data); a file
    being replaced keeps its mode. With ``spool``, stdout gets nothing until the whole output
    is made (a file's records are held in a temporary file, so an error halfway through
    prints no partial output); without it, stdout is streamed (pipes, ``tail -f``).
    """
    if (out is None or out == "-") and spool:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_MEMORY) as held:
            yield lambda s: held.write(s.encode("utf-8"))
            held.seek(0)
            stdout = sys.stdout.buffer
            while chunk := held.read(1 << 16):
                stdout.write(chunk)
            stdout.flush()
        return
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
        os.chmod(tmp, mode_for(target, 0o600 if private else None))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def mode_for(target: Path, new: int | None = None) -> int:
    """The mode of the file being replaced, else ``new``, else the default (0666 & ~umask)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    if new is not None:
        return new
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def same_file(a: str, b: str) -> bool:
    with contextlib.suppress(OSError):
        return os.path.samefile(a, b)
    return Path(a).resolve() == Path(b).resolve()

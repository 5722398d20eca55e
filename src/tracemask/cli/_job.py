"""One input masked into one writer: the JSON, JSONL, text and sniffed-lines readers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import IO, Any

from tracemask._jsonstr import encode_like
from tracemask._masker import Masker
from tracemask._report import Report
from tracemask.cli._io import (
    BOM,
    Input,
    format_of,
    lines,
    parse_json,
    read_all,
    split_eol,
    split_lines,
)
from tracemask.exceptions import MaskingError

# -- masking ---------------------------------------------------------------------------------


class Job:
    """One input masked into one writer (``scan`` passes a writer that drops the text)."""

    def __init__(self, masker: Masker, src: Input, report: Report) -> None:
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
            fmt = format_of(self.src, fmt)
            if fmt == "json":
                self._document(self._read_all(stream), write)
            elif fmt == "jsonl":
                self._jsonl(lines(self.src, stream), write)
            elif fmt == "text":
                self._text(lines(self.src, stream), write)
            else:
                self._auto(stream, write)

    def _read_all(self, stream: IO[bytes], head: bytes = b"") -> str:
        return read_all(self.src, head + stream.read()).removeprefix("\ufeff")

    def _document(self, text: str, write: Callable[[str], object]) -> None:
        obj = parse_json(text, self.src, None)
        write(self._mask_json_text(text, obj, None))

    def _jsonl(self, lines: Iterable[tuple[int, str]], write: Callable[[str], object]) -> None:
        for number, line in lines:
            content, eol = split_eol(line)
            if not content.strip():
                write(line)
                continue
            obj = parse_json(content, self.src, number)
            write(self._mask_json_text(content, obj, number) + eol)

    def _text(self, lines: Iterable[tuple[int, str]], write: Callable[[str], object]) -> None:
        for number, line in lines:
            content, eol = split_eol(line)
            write(self._mask(content, number) + eol)

    def _lenient(self, lines: Iterable[tuple[int, str]], write: Callable[[str], object]) -> None:
        """Sniffed line input: lines holding a JSON object/array are masked as JSON, the rest
        as text (so key rules apply to JSON lines even when ``json_in_strings`` is off)."""
        for number, line in lines:
            content, eol = split_eol(line)
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
        first = b"".join(head).removeprefix(BOM).strip()
        if first[:1] in (b"{", b"["):
            try:
                json.loads(first)
            except (ValueError, RecursionError):
                text = self._read_all(stream, b"".join(head))
                try:
                    obj = json.loads(text)
                except (ValueError, RecursionError):
                    # Not JSON after all: mask it as lines of text (already in memory).
                    self._lenient(enumerate(split_lines(text), start=1), write)
                else:
                    write(self._mask_json_text(text, obj, None))
                return
        self._lenient(lines(self.src, stream, head), write)

"""Decoded views: a string with its escapes undone, and the way back to its offsets.

Trace payloads carry values escaped for the medium they passed through: a query string in
``url.full`` (``?email=jane.doe%40example.com``, ``phone=%2B14155550132``, ``name=Jane+Doe``),
an HTML body (``jane&#64;example.com``), JSON text quoted once more (``jane\\u0040example.com``).
No detector sees an email in ``jane.doe%40example.com``; in the decoded view it is plain. The
engine detects in the view as well as in the string and maps each finding back to the escapes
it came from, so the masked output keeps its escaping (``?email=<EMAIL_ADDRESS>``).

Escapes are undone up to three layers deep (``%2540`` is ``%40`` is ``@``).
"""

from __future__ import annotations

import bisect
import html
import re
from dataclasses import dataclass

#: How many layers of escaping are undone (``%252540`` needs three).
MAX_LAYERS = 3

# One pattern per kind of escape, each led by a literal so that ``re`` skips ahead with a fast
# search: scanning with one alternation of them visits every position. A run of percent
# escapes is one token, so that the UTF-8 bytes of one character (``%C3%A9``) decode together.
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_UNICODE = re.compile(r"\\u[0-9A-Fa-f]{4}")
_KINDS = (("%", _PERCENT), ("&", _ENTITY), ("\\u", _UNICODE))
# A ``+`` between two characters of a query or form value (``name=Jane+Doe``) is a space.
_PLUS = re.compile(r"\+")
_QUERY = re.compile(r"[?&][^\s=&?#]{1,64}=")


@dataclass(frozen=True, slots=True)
class _Layer:
    """One layer of undone escapes: ``text`` and, per decoded piece, where it came from."""

    text: str
    # Sorted decoded offsets where a piece starts; a piece is either a literal run (offsets
    # shift by a constant) or one decoded character (spans its whole escape).
    starts: tuple[int, ...]
    origins: tuple[int, ...]  # original offset where each piece starts
    escaped: tuple[int, ...]  # 0 for a literal run, else the length of the piece's escape

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the text this layer was decoded from that ``[start, end)`` came from."""
        return self._point(start, False), self._point(end - 1, True)

    def _point(self, offset: int, after: bool) -> int:
        i = bisect.bisect_right(self.starts, offset) - 1
        origin, width = self.origins[i], self.escaped[i]
        if width:
            return origin + width if after else origin
        return origin + (offset - self.starts[i]) + (1 if after else 0)


@dataclass(frozen=True, slots=True)
class View:
    """``text``: the string with up to :data:`MAX_LAYERS` layers of escaping undone."""

    text: str
    layers: tuple[_Layer, ...]

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original string that ``text[start:end]`` was decoded from."""
        for layer in reversed(self.layers):
            start, end = layer.original(start, end)
        return start, end


def decoded_view(text: str) -> View | None:
    """``text`` with its percent, HTML and ``\\u`` escapes (and form ``+``) undone, or ``None``
    when it holds none."""
    if not ("%" in text or "&" in text or "\\u" in text or ("+" in text and "=" in text)):
        return None
    layers: list[_Layer] = []
    current = text
    for _ in range(MAX_LAYERS):
        layer = _decode(current)
        if layer is None:
            break
        layers.append(layer)
        current = layer.text
    return View(current, tuple(layers)) if layers else None


def _decode(text: str) -> _Layer | None:
    tokens: list[tuple[int, int, list[str]]] = []
    for mark, pattern in _KINDS:
        if mark in text:
            for m in pattern.finditer(text):
                chars = _unescape(m.group())
                if chars is not None:
                    tokens.append((m.start(), m.end(), chars))
    if "+" in text and "=" in text and _QUERY.search(text):
        for m in _PLUS.finditer(text):
            i = m.start()
            before, after = text[i - 1 : i], text[i + 1 : i + 2]
            if before and after and before not in " \t\n+=&?" and after not in " \t\n+&":
                tokens.append((i, i + 1, [" "]))
    if not tokens:
        return None
    tokens.sort()
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    escaped: list[int] = []
    pos = out = 0
    for start, end, chars in tokens:
        if start > pos:
            starts.append(out)
            origins.append(pos)
            escaped.append(0)
            parts.append(text[pos:start])
            out += start - pos
        for char, width, offset in _pieces(chars, start, end):
            starts.append(out)
            origins.append(offset)
            escaped.append(width)
            parts.append(char)
            out += len(char)
        pos = end
    starts.append(out)
    origins.append(pos)
    escaped.append(0)
    parts.append(text[pos:])
    return _Layer("".join(parts), tuple(starts), tuple(origins), tuple(escaped))


def _unescape(token: str) -> list[str] | None:
    """The characters an escape token stands for (per UTF-8 sequence for percent runs), or
    ``None`` when it is not an escape after all (``&nosuchentity;``)."""
    if token[0] == "%":
        return _percent(bytes.fromhex(token.replace("%", "")))
    if token[0] == "&":
        char = html.unescape(token)
        return None if char == token else [char]
    return [chr(int(token[2:], 16))]


def _percent(raw: bytes) -> list[str]:
    """One entry per byte: the character a UTF-8 sequence starts, ``""`` for its other bytes
    (so that each entry lines up with its three-character escape)."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        lead = raw[i]
        size = 1 if lead < 0xC0 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        try:
            char = raw[i : i + size].decode("utf-8")
        except UnicodeDecodeError:
            char, size = "\ufffd", 1
        out.append(char)
        out.extend([""] * (size - 1))
        i += size
    return out


def _pieces(chars: list[str], start: int, end: int) -> list[tuple[str, int, int]]:
    """``(character, width of its escape, offset of its escape)`` for each decoded character
    of the escape token ``[start, end)``."""
    if len(chars) == 1:
        return [(chars[0], end - start, start)]
    # A percent run: three characters of escape per byte; a character's escape covers the
    # bytes up to the next character.
    out: list[tuple[str, int, int]] = []
    for i, char in enumerate(chars):
        if not char:
            continue
        j = i + 1
        while j < len(chars) and not chars[j]:
            j += 1
        out.append((char, 3 * (j - i), start + 3 * i))
    return out

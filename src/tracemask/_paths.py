"""JSON paths as tracemask writes them, and globs over them."""

from __future__ import annotations

import re
from collections.abc import Sequence

PathSegment = str | int


def render_path(segments: Sequence[PathSegment], *, fold_indices: bool = False) -> str:
    """Render segments as ``a.b.0[c.d]``: keys with ``.``/``[``/``]`` and entry names in brackets.

    Named entries' names (OTLP attributes, HAR headers) arrive as ``"[name]"`` segments already.
    With ``fold_indices`` list indices are written ``*`` (used in reports, so that paths stay
    few).
    """
    out: list[str] = []
    for seg in segments:
        if isinstance(seg, int):
            text = "*" if fold_indices else str(seg)
        elif seg.startswith("[") and seg.endswith("]"):
            out.append(seg)
            continue
        elif "." in seg or "[" in seg or "]" in seg or not seg:
            out.append(f"[{seg}]")
            continue
        else:
            text = seg
        out.append(f".{text}" if out else text)
    return "".join(out)


_TOKEN = re.compile(r"\[[^\]]*\]|[^.\[]+")


def _tokens(path: str) -> list[str]:
    return _TOKEN.findall(path)


class PathGlob:
    """A compiled path glob: ``*`` is one segment, ``**`` any number (including none)."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        parts = []
        for token in _tokens(pattern):
            if token == "**":
                parts.append(r"(?:\x1f[^\x1f]*)*")
            elif token == "*":
                parts.append(r"\x1f[^\x1f]*")
            elif token == "[*]":
                parts.append(r"\x1f\[[^\x1f]*\]")
            else:
                parts.append("\x1f" + re.escape(token))
        self._regex = re.compile("".join(parts) + r"\Z")

    def matches(self, segments: Sequence[PathSegment]) -> bool:
        """Return whether the glob matches the path made of ``segments`` exactly."""
        joined = "".join(
            "\x1f" + (seg if isinstance(seg, str) and seg.startswith("[") else _plain(seg))
            for seg in segments
        )
        return self._regex.match(joined) is not None


def _plain(seg: PathSegment) -> str:
    if isinstance(seg, int):
        return str(seg)
    if "." in seg or "[" in seg or "]" in seg or not seg:
        return f"[{seg}]"
    return seg

"""JSON inside strings: recognise it, decode it, and re-encode it in the style it came in."""

from __future__ import annotations

import json
import re
from typing import Any

_OPENERS = frozenset('{["')
_CLOSERS = {"{": "}", "[": "]", '"': '"'}


def looks_like_json(text: str) -> bool:
    """Cheap test: does ``text`` start and end like a JSON object, array or string?"""
    if len(text) < 2:
        return False
    first = text[0]
    if first in " \t\r\n":
        stripped = text.strip()
        if len(stripped) < 2:
            return False
        first, last = stripped[0], stripped[-1]
    else:
        last = text[-1]
        if last in " \t\r\n":
            last = text.rstrip()[-1]
    return first in _OPENERS and _CLOSERS[first] == last


def decode(text: str) -> tuple[bool, Any]:
    """Return ``(True, value)`` when ``text`` is valid JSON, else ``(False, None)``."""
    try:
        return True, json.loads(text)
    except (ValueError, RecursionError):
        # Truncated or invalid JSON, or nesting deeper than the json module can take: the
        # caller masks the raw text instead, which still finds every value it detects.
        return False, None


def encode_like(original: str, value: Any) -> str:
    """Encode ``value`` as JSON in the style of ``original`` (separators, indent, escapes)."""
    ensure_ascii = original.isascii() and "\\u" in original
    lead = original[: len(original) - len(original.lstrip())]
    trail = original[len(original.rstrip()) :]
    body = original.strip()
    indent: int | None = None
    if "\n" in body:
        second_line = body.split("\n", 2)[1] if body.count("\n") else ""
        indent = len(second_line) - len(second_line.lstrip(" ")) or 2
    candidates: list[tuple[str, str]] = (
        [(",", ": ")]
        if indent is not None
        else [(", ", ": "), (",", ":"), (",", ": "), (", ", ":")]
    )
    for item_sep, key_sep in candidates:
        if indent is None and not _uses(body, item_sep, key_sep):
            continue
        return lead + _dumps(value, ensure_ascii, indent, item_sep, key_sep) + trail
    return lead + _dumps(value, ensure_ascii, indent, ", ", ": ") + trail


def _uses(body: str, item_sep: str, key_sep: str) -> bool:
    # Decide from the text outside string literals: cheap enough, run only on changed values.
    outside = _outside_strings(body)
    has_items = "," in outside
    has_keys = ":" in outside
    item_ok = not has_items or (item_sep == ", ") == (", " in outside)
    key_ok = not has_keys or (key_sep == ": ") == (": " in outside)
    return item_ok and key_ok


_STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _outside_strings(body: str) -> str:
    return _STRING_LITERAL.sub("", body)


def _dumps(value: Any, ensure_ascii: bool, indent: int | None, item: str, key: str) -> str:
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=(item, key))

"""Authorized unmasking: encrypted tokens back to their values, in text and JSON-like data."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from tracemask import _jsonstr
from tracemask._paths import PathSegment, render_path
from tracemask.encryption._keyring import KeyRing
from tracemask.encryption._token import TOKEN, TokenError, unseal
from tracemask.exceptions import DecryptionError

if TYPE_CHECKING:
    from tracemask.detectors._engine import DetectionEngine

T = TypeVar("T")
#: Cheap test before the regex: every encrypted token contains this.
_MARK = ":enc:v"


@dataclass
class Restored:
    """How many tokens were decrypted, by entity and by key id (never values)."""

    by_entity: Counter[str] = field(default_factory=Counter)
    by_key: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Tokens decrypted in all."""
        return sum(self.by_entity.values())

    def to_dict(self) -> dict[str, Any]:
        """``{"total", "by_entity", "key_ids"}``, sorted: what an audit record holds."""
        return {
            "total": self.total,
            "by_entity": dict(sorted(self.by_entity.items())),
            "key_ids": sorted(self.by_key),
        }


def decrypt_text(text: str, keyring: KeyRing, *, restored: Restored | None = None) -> str:
    """Return ``text`` with every encrypted token replaced by its value (no JSON decoding).

    Raises:
        DecryptionError: a token's key is not in ``keyring``, or the token does not
            authenticate (wrong key, edited, moved to another entity); the message names
            the line and column and the key id, never a value. Nothing is returned half done.
        ImportError: the ``encryption`` extra (``cryptography``) is not installed.
    """
    return _Decryptor(keyring, restored or Restored(), json_in_strings=False).text(text, [])


def decrypt(
    obj: T,
    keyring: KeyRing,
    *,
    restored: Restored | None = None,
    json_in_strings: bool = True,
) -> tuple[T, Restored]:
    """Return a copy of ``obj`` with every encrypted token decrypted, and the counts.

    ``obj`` is a JSON-like value (dicts, lists, tuples, strings at any depth; other values are
    kept as they are) and is never mutated. Strings holding JSON are decoded, decrypted and
    re-encoded in their own style, so a value with quotes or backslashes stays valid JSON; pass
    ``json_in_strings=False`` for output of a policy with ``json_in_strings: false``. Counts
    are added to ``restored`` when given (one :class:`Restored` over many records).

    Raises:
        DecryptionError: as :func:`decrypt_text`; the message names the JSON path.
    """
    counts = restored if restored is not None else Restored()
    value = _Decryptor(keyring, counts, json_in_strings=json_in_strings).value(obj, [])
    return value, counts


#: What ``json.dumps(ensure_ascii=True)`` escapes beyond what every encoder escapes.
_ESCAPED_IF_ASCII = re.compile(r"[^\x00-\x7e]")


def reencode(original: str, value: Any) -> str:
    """Encode ``value`` as JSON in the style of ``original``, the masked JSON it came from.

    As :func:`tracemask._jsonstr.encode_like`, except that an ASCII-only original is written
    as ``json.dumps`` writes by default (``ensure_ascii``: DEL and non-ASCII as ``\\u``
    escapes): the masked text cannot tell whether its tokens' values were escaped, and that
    default is what Python-made traces use.
    """
    encoded = _jsonstr.encode_like(original, value)
    if original.isascii():
        # These characters can only be inside string literals, where an escape means the same.
        encoded = _ESCAPED_IF_ASCII.sub(lambda m: json.dumps(m.group())[1:-1], encoded)
    return encoded


class _Decryptor:
    def __init__(self, keyring: KeyRing, restored: Restored, *, json_in_strings: bool) -> None:
        self.keyring = keyring
        self.restored = restored
        self.json_in_strings = json_in_strings

    def text(self, text: str, path: list[PathSegment]) -> str:
        if _MARK not in text:
            return text
        parts: list[str] = []
        pos = 0
        found: list[tuple[str, str]] = []
        for match in TOKEN.finditer(text):
            try:
                value = unseal(self.keyring, match)
            except TokenError as exc:
                where = _where(path, text, match.start())
                entity = match.group("entity")
                raise DecryptionError(f"{where}: {entity} token: {exc}") from None
            parts += (text[pos : match.start()], value)
            pos = match.end()
            found.append((match.group("entity"), match.group("kid")))
        if not found:
            return text
        parts.append(text[pos:])
        # Count only once the whole string succeeded: a failure leaves the counts as they were.
        for entity, key_id in found:
            self.restored.by_entity[entity] += 1
            self.restored.by_key[key_id] += 1
        return "".join(parts)

    def string(self, text: str, path: list[PathSegment]) -> str:
        if _MARK not in text:
            return text
        if self.json_in_strings and _jsonstr.looks_like_json(text):
            # Mirrors the masker: JSON held in a string was decoded, masked and re-encoded,
            # so values go back into the decoded document and are escaped by re-encoding.
            ok, decoded = _jsonstr.decode(text)
            if ok and isinstance(decoded, (dict, list, str)):
                before = self.restored.total
                new = self.value(decoded, path)
                return reencode(text, new) if self.restored.total != before else text
        return self.text(text, path)

    def value(self, obj: Any, path: list[PathSegment]) -> Any:
        """Rebuild ``obj`` with strings decrypted; iterative, so any depth works."""
        if isinstance(obj, str):
            return self.string(obj, path)
        children = _children(obj)
        if children is None:
            return obj
        stack: list[_Frame] = [_Frame(obj, children)]
        while True:
            frame = stack[-1]
            step = next(frame.items, None)
            if step is None:
                built = frame.build()
                stack.pop()
                if not stack:
                    return built
                del path[-1]
                stack[-1].out.append(built)
                continue
            seg, child = step
            path.append(seg)
            if isinstance(child, str):
                frame.out.append(self.string(child, path))
            else:
                grand = _children(child)
                if grand is not None:
                    stack.append(_Frame(child, grand))
                    continue  # the segment stays on the path until the frame is built
                frame.out.append(child)
            del path[-1]


class _Frame:
    __slots__ = ("items", "out", "src")

    def __init__(self, src: Any, items: Iterator[tuple[PathSegment, Any]]) -> None:
        self.src = src
        self.items = items
        self.out: list[Any] = []

    def build(self) -> Any:
        if isinstance(self.src, dict):
            return dict(zip(self.src, self.out, strict=True))
        if isinstance(self.src, tuple):
            return tuple(self.out)
        return self.out


def _children(obj: Any) -> Iterator[tuple[PathSegment, Any]] | None:
    if isinstance(obj, dict):
        return ((k if isinstance(k, (str, int)) else str(k), v) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return enumerate(obj)
    return None


def _where(path: list[PathSegment], text: str, offset: int) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    at = f"line {line}, column {column}" if "\n" in text else f"column {column}"
    return f"path {_safe_path(path)}, {at}" if path else at


def _safe_path(path: list[PathSegment]) -> str:
    """The JSON path with personal data in its keys masked (keys are data too; masking keeps
    them as they came). Built only when an error is reported."""
    rendered = render_path(path)
    try:
        findings = _path_engine().detect(rendered)
    except Exception:  # noqa: BLE001 - an error message must not fail
        return "(path withheld)"
    parts: list[str] = []
    pos = 0
    for f in findings:
        parts += [rendered[pos : f.start], f"<{f.entity}>"]
        pos = f.end
    return "".join([*parts, rendered[pos:]])


@functools.cache
def _path_engine() -> DetectionEngine:
    # The built-in detectors (what the default policy runs), made on the first error only, and
    # not a Masker: the encrypt operator imports this package, which must not import the masker.
    from tracemask.detectors._engine import DetectionEngine  # noqa: PLC0415 - on error only
    from tracemask.detectors._pattern import DetectorSettings  # noqa: PLC0415
    from tracemask.detectors.catalog import BUILTIN  # noqa: PLC0415

    settings = DetectorSettings()
    return DetectionEngine([cls.create(settings) for cls in BUILTIN], backend="re")

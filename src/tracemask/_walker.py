"""The walker: rebuilds a JSON-like value with every string masked, at any depth.

It is iterative (an explicit stack, no recursion), so 10,000 levels of nesting cost nothing
special, and it builds new containers at every level, so the caller's object is never mutated
nor aliased. Strings holding JSON are decoded, walked and re-encoded in their own style.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from tracemask import _jsonstr
from tracemask._paths import PathSegment, render_path
from tracemask._report import Report
from tracemask.operators import Drop, Keep

if TYPE_CHECKING:
    from tracemask._masker import Masker, _Rule

_MAP, _SEQ, _DATACLASS, _MODEL = 0, 1, 2, 3
#: One child of a container: its path segment, its key (for key rules), its value.
_Item = tuple[PathSegment, "str | None", Any]
_DROP = object()


def _is_pydantic(value: object) -> bool:
    return hasattr(type(value), "model_fields") and hasattr(value, "model_copy")


def _otlp_key(item: object) -> str | None:
    """Return ``k`` when ``item`` is an OTLP ``KeyValue`` (``{"key": k, "value": …}``)."""
    if type(item) is dict and len(item) <= 2 and "key" in item and "value" in item:
        key = item["key"]
        if type(key) is str:
            return key
    return None


class _Frame:
    __slots__ = ("changed", "i", "items", "kind", "otlp", "out", "rule", "seg", "src")

    def __init__(  # noqa: PLR0917 - built on the hot path, positional on purpose
        self,
        kind: int,
        src: Any,
        items: list[_Item],
        seg: PathSegment,
        rule: _Rule | None,
        otlp: str | None = None,
    ) -> None:
        self.kind = kind
        self.src = src
        self.items = items
        self.i = 0
        self.out: list[Any] = []
        self.seg = seg
        self.rule = rule
        self.changed = False
        self.otlp = otlp


class Walk:
    """One masking pass over one value; collects a :class:`Report` when asked."""

    def __init__(self, masker: Masker, report: Report | None, base: tuple[PathSegment, ...] = ()):
        self.m = masker
        self.report = report
        self.base = base
        self.stack: list[_Frame] = []
        #: Segment of the child being processed (for error messages).
        self.current: PathSegment | None = None

    # -- paths -------------------------------------------------------------------------------

    def path(self, seg: PathSegment | None = None) -> tuple[PathSegment, ...]:
        """The path of the current node (``seg`` appended), from the walk's base."""
        segs = [f.seg for f in self.stack[2:]]
        if seg is not None and len(self.stack) > 1:
            segs.append(seg)
        return self.base + tuple(segs)

    def report_path(self, seg: PathSegment | None) -> Callable[[], str]:
        return lambda: render_path(self.path(seg), fold_indices=True)

    # -- the walk ----------------------------------------------------------------------------

    def run(self, root: Any, rule: _Rule | None = None) -> tuple[Any, bool]:
        """Return ``(masked_copy, changed)``."""
        holder = _Frame(_SEQ, None, [("", None, root)], "", rule)
        self.stack.append(holder)
        while self.stack:
            frame = self.stack[-1]
            if frame.i >= len(frame.items):
                self.stack.pop()
                built = self._build(frame)
                if not self.stack:
                    return built, frame.changed
                parent = self.stack[-1]
                parent.changed = parent.changed or frame.changed
                self._deliver(parent, frame.seg, built)
                continue
            seg, key, child = frame.items[frame.i]
            frame.i += 1
            self.current = seg
            if frame.otlp is not None and seg == "key":
                frame.out.append((seg, child))  # an attribute's name is not data
                continue
            rule = frame.rule
            if rule is None and key is not None:
                rule = self.m.key_rule(key)
            if self.m.has_path_rules:
                path_rule = self.m.path_rule(self.path(seg))
                if path_rule is not None:
                    rule = path_rule
            if rule is not None and isinstance(rule.operator, Drop):
                frame.changed = True
                if self.report is not None:
                    self.report.add(rule.entity, render_path(self.path(seg), fold_indices=True))
                continue
            pushed = self._push(child, seg, rule)
            if pushed:
                continue
            new = self._leaf(child, seg, rule)
            if new is not child:
                frame.changed = True
            self._deliver(frame, seg, new)
        raise AssertionError("unreachable")  # pragma: no cover

    def _deliver(self, frame: _Frame, seg: PathSegment, value: Any) -> None:
        if frame.kind == _SEQ:
            frame.out.append(value)
        else:
            frame.out.append((frame.items[frame.i - 1][0] if frame.kind != _MAP else seg, value))

    def _push(self, value: Any, seg: PathSegment, rule: _Rule | None) -> bool:
        t = type(value)
        items: list[_Item]
        if t is dict or (isinstance(value, Mapping) and t is not str):
            otlp = _otlp_key(value)
            if otlp is not None:
                # An OTLP attribute: its value is keyed by the attribute name, not by "value".
                items = [("key", None, value["key"]), ("value", otlp, value["value"])]
                self.stack.append(_Frame(_MAP, value, items, seg, rule, otlp))
                return True
            items = [(k, k if type(k) is str else None, v) for k, v in value.items()]
            self.stack.append(_Frame(_MAP, value, items, seg, rule))
            return True
        if t is list or t is tuple or (isinstance(value, (list, tuple, set, frozenset))):
            seq = list(value)
            segs: list[PathSegment] = []
            for i, item in enumerate(seq):
                k = _otlp_key(item)
                segs.append(f"[{k}]" if k is not None else i)
            items = [(s, None, v) for s, v in zip(segs, seq, strict=True)]
            self.stack.append(_Frame(_SEQ, value, items, seg, rule))
            return True
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            items = [(f.name, f.name, getattr(value, f.name)) for f in dataclasses.fields(value)]
            self.stack.append(_Frame(_DATACLASS, value, items, seg, rule))
            return True
        if _is_pydantic(value):
            names = list(type(value).model_fields)
            extra = getattr(value, "model_extra", None) or {}
            items = [(n, n, getattr(value, n, None)) for n in names]
            items.extend((n, n, v) for n, v in extra.items())
            self.stack.append(_Frame(_MODEL, value, items, seg, rule))
            return True
        return False

    def _build(self, frame: _Frame) -> Any:
        src = frame.src
        if frame.kind == _MAP:
            if frame.otlp is not None:
                return dict(frame.out)
            if type(src) is dict or src is None:
                return dict(frame.out)
            try:
                return type(src)(frame.out)
            except TypeError:
                return dict(frame.out)
        if frame.kind == _SEQ:
            if src is None:
                return frame.out[0]
            t = type(src)
            if t is list:
                return frame.out
            if t is tuple:
                return tuple(frame.out)
            if hasattr(src, "_fields"):  # namedtuple
                return t(*frame.out)
            return t(frame.out)
        if frame.kind == _DATACLASS:
            clone = copy.copy(src)
            for name, value in frame.out:
                object.__setattr__(clone, name, value)
            return clone
        return src.model_copy(update=dict(frame.out))

    # -- leaves ------------------------------------------------------------------------------

    def _leaf(self, value: Any, seg: PathSegment, rule: _Rule | None) -> Any:
        if type(value) is str:
            return self.string(value, seg, rule)
        if isinstance(value, (bytes, bytearray)) and self.m.policy.mask_bytes:
            try:
                text = bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                return value
            masked = self.string(text, seg, rule)
            return value if masked is text else type(value)(masked.encode("utf-8"))
        if isinstance(value, str):  # a str subclass (e.g. an Enum member): mask as plain str
            masked = self.string(str(value), seg, rule)
            return value if masked == value else masked
        return value

    def string(self, text: str, seg: PathSegment | None, rule: _Rule | None) -> str:
        """Mask one string found at ``seg`` under ``rule`` (a key/path rule, or ``None``)."""
        m = self.m
        if rule is not None and isinstance(rule.operator, Keep):
            return text
        if m.policy.json_in_strings and _jsonstr.looks_like_json(text):
            ok, decoded = _jsonstr.decode(text)
            if ok and isinstance(decoded, (dict, list, str)):
                nested = Walk(m, self.report, self.path(seg))
                new, changed = nested.run(decoded, rule)
                if not changed:
                    return text
                return _jsonstr.encode_like(text, new)
        if rule is not None:
            if not text or m.is_mask_token(text):
                return text
            if self.report is not None:
                self.report.add(rule.entity, render_path(self.path(seg), fold_indices=True))
                self.report.fields += 1
            return rule.operator.apply(text, rule.entity)
        return m.mask_string(text, self.report, self.report_path(seg))

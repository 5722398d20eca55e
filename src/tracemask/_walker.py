"""The walker: rebuilds a JSON-like value with every string masked, at any depth.

Two traversals share one set of leaf rules. The common case, plain dicts, lists and strings a
few hundred levels deep, takes a tight recursive walk; any subtree deeper than
``RECURSION_LIMIT`` is handed to an iterative walk with an explicit stack, so 10,000 levels
cost nothing special and no recursion limit is ever hit. Both build new containers at every
level, so the caller's object is never mutated nor aliased. Strings holding JSON are decoded,
walked and re-encoded in their own style.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tracemask import _jsonstr
from tracemask._paths import PathSegment, render_path
from tracemask._report import Report
from tracemask._tokens import is_token
from tracemask.detectors._engine import MIN_TEXT_LENGTH

if TYPE_CHECKING:
    from tracemask._compiled import CompiledPolicy, Context, Rule

#: Depth from which the iterative walk takes over (well below Python's default limit of 1000).
RECURSION_LIMIT = 200

_SCALARS = frozenset({int, float, bool, type(None)})
_MISSING: Any = object()
_DROPPED: Any = object()
#: First characters of strings worth trying as JSON (whitespace may precede a document).
_JSON_FIRST = frozenset('{[" \t\r\n')
#: OTLP JSON ``AnyValue`` members that are typed scalars spelled as strings (int64 as decimal,
#: bytes as base64): a masked token in their place would break the type, so they are kept.
_OTLP_TYPED = frozenset({"intValue", "bytesValue"})
_INT_LITERAL = re.compile(r"-?[0-9]{1,20}")
_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def _typed_scalar(key: Any, value: str) -> bool:
    """An OTLP ``intValue`` / ``bytesValue`` written as a string, in its own shape: kept, as a
    masked token would break the type. Any other string under those names is masked."""
    if key == "intValue":
        return bool(_INT_LITERAL.fullmatch(value))
    return bool(_BASE64.fullmatch(value))


_LEAVES = frozenset({str, int, float, bool, type(None)})
#: Keys that wrap a value without naming it (OTLP ``AnyValue`` members, ``{"value": …}``): the
#: field name of what they hold is the key above them.
_WRAPPERS = frozenset(
    {"value", "values", "stringValue", "arrayValue", "kvlistValue", "string_value",
     "array_value", "kvlist_value", "intValue", "bytesValue", ""}
)  # fmt: skip
_MAP, _SEQ, _DATACLASS, _MODEL = 0, 1, 2, 3
#: One child of a container: its path segment, its key (for key rules), its value.
_Item = tuple[PathSegment, "str | None", Any]


def _otlp_key(item: dict[Any, Any]) -> str | None:
    """Return ``k`` when ``item`` is an OTLP ``KeyValue`` (``{"key": k, "value": …}``)."""
    if len(item) == 2 and "key" in item and "value" in item:
        key = item["key"]
        if type(key) is str:
            return key
    return None


def _is_pydantic(value: object) -> bool:
    return hasattr(type(value), "model_fields") and hasattr(value, "model_copy")


def _children(value: Any) -> tuple[int, list[_Item]] | None:
    """Split a container into ``(kind, items)``; ``None`` for a leaf."""
    if isinstance(value, Mapping):
        return _MAP, [(k, k if type(k) is str else None, v) for k, v in value.items()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return _SEQ, [(i, None, v) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _DATACLASS, [
            (f.name, f.name, getattr(value, f.name)) for f in dataclasses.fields(value)
        ]
    if _is_pydantic(value):
        items: list[_Item] = [(n, n, getattr(value, n, None)) for n in type(value).model_fields]
        extra = getattr(value, "model_extra", None) or {}
        items.extend((n, n, v) for n, v in extra.items())
        # Private attributes (``_hidden_params`` and the like) can hold request data too, and
        # ``model_copy`` would share them with the caller's object: walk them as well.
        private = getattr(value, "__pydantic_private__", None) or {}
        items.extend((n, n, v) for n, v in private.items())
        return _MODEL, items
    return None


def _rebuild(kind: int, src: Any, out: list[Any]) -> Any:
    """Build a container of ``src``'s type from masked children ``out``."""
    if kind == _MAP:
        if type(src) is dict:
            return dict(out)
        try:
            return type(src)(out)
        except TypeError:
            return dict(out)
    if kind == _SEQ:
        t = type(src)
        if t is list:
            return out
        if t is tuple:
            return tuple(out)
        if hasattr(src, "_fields"):  # a namedtuple
            return t(*out)
        return t(out)
    if kind == _DATACLASS:
        clone = copy.copy(src)
        for name, value in out:
            object.__setattr__(clone, name, value)
        return clone
    private_names = getattr(src, "__pydantic_private__", None) or {}
    fields = {k: v for k, v in out if k not in private_names}
    clone = src.model_copy(update=fields)
    if private_names:
        masked_private = {k: v for k, v in out if k in private_names}
        object.__setattr__(clone, "__pydantic_private__", {**private_names, **masked_private})
    return clone


class _Frame:
    __slots__ = ("i", "items", "kind", "otlp", "out", "rule", "seg", "src")

    def __init__(  # noqa: PLR0917 - built on the hot path, positional on purpose
        self,
        kind: int,
        src: Any,
        items: list[_Item],
        seg: PathSegment,
        rule: Rule | None,
        otlp: str | None,
    ) -> None:
        self.kind = kind
        self.src = src
        self.items = items
        self.i = 0
        self.out: list[Any] = []
        self.seg = seg
        self.rule = rule
        self.otlp = otlp


class Walk:
    """One masking pass over one value; fills a :class:`Report` when given one."""

    def __init__(
        self,
        compiled: CompiledPolicy,
        report: Report | None,
        ctx: Context,
        base: tuple[PathSegment, ...] = (),
        field: str | None = None,
    ) -> None:
        self.m = compiled
        self.ctx = ctx
        self.report = report
        self.base = base
        #: Path of the node being visited, below ``base`` (the recursive walk pushes and pops).
        self.segs: list[PathSegment] = []
        #: Strings changed or fields dropped so far: a JSON string is re-encoded only if this moves.
        self.changes = 0
        #: The key or index of the leaf being visited (string leaves are not pushed on ``segs``).
        self.current: PathSegment | None = None
        self.key_cache = compiled.key_cache
        self.cache = ctx.cache
        self.json_in_strings = compiled.json_in_strings
        #: The name of the field holding the node being visited (the nearest naming key: an
        #: OTLP attribute key, a dict key; list indices and value wrappers are skipped). It is
        #: evidence for what its strings hold (``billing_phone``, ``customer_iban``).
        self.field = field

    def path(self) -> tuple[PathSegment, ...]:
        """The path of the node being visited."""
        return self.base + tuple(self.segs)

    def run(self, root: Any, rule: Rule | None = None) -> tuple[Any, bool]:
        """Return ``(masked_copy, changed)``."""
        before = self.changes
        new = self.node(root, rule, 0)
        return new, self.changes != before

    # -- shared rules ------------------------------------------------------------------------

    def child_rule(self, rule: Rule | None, key: str | None, seg: PathSegment) -> Rule | None:
        """The rule of child ``seg`` (inherited, else its key's; a path rule overrides both)."""
        if rule is None and key is not None:
            rule = self.m.key_rule(key)
        if self.m.has_path_rules:
            rule = self.m.path_rule((*self.path(), seg)) or rule
        return rule

    def dropped(self, rule: Rule) -> None:
        """Count the removal of child ``self.current`` under a drop ``rule``."""
        self.changes += 1
        if self.report is not None:
            self.report.add(rule.entity, self.where())

    def leaf_path(self) -> tuple[PathSegment, ...]:
        """The path of the leaf being visited (``self.current`` under the current node)."""
        return self.path() if self.current is None else (*self.path(), self.current)

    def where(self) -> str:
        """The report path of the leaf being visited (list indices folded).

        Keys come from the data and may themselves hold personal data (an email used as a
        dict key), so the rendered path is masked too before it goes into a report.
        """
        return self.m.mask_string(render_path(self.leaf_path(), fold_indices=True), self.ctx)[0]

    # -- recursive walk (the fast path) ------------------------------------------------------

    def node(self, v: Any, rule: Rule | None, depth: int) -> Any:  # noqa: PLR0915 - hot path, inlined on purpose
        """Mask ``v`` found at the current path."""
        t = type(v)
        if t is str:
            return self.string(v, rule)
        if t in _SCALARS:
            return v
        if depth >= RECURSION_LIMIT:
            return self.iterate(v, rule)
        segs = self.segs
        if t is dict:
            kv = _otlp_key(v)
            if kv is not None:
                # An OTLP attribute: its name is not data, its value is keyed by that name.
                r = self.child_rule(rule, kv, "value")
                segs.append("value")
                self.current = None
                outer = self.field
                self.field = kv
                value = self.node(v["value"], None if r is not None and r.drop else r, depth + 1)
                self.field = outer
                segs.pop()
                return {"key": v["key"], "value": value}
            out: dict[Any, Any] = {}
            outer = self.field
            fast = not self.m.has_path_rules
            key_cache = self.key_cache
            for k, x in v.items():
                if fast and rule is None and type(k) is str:
                    r = key_cache.get(k, _MISSING)
                    if r is _MISSING:
                        r = self.m.key_rule(k)
                else:
                    r = self.child_rule(rule, k if type(k) is str else None, k)
                self.field = k if type(k) is str and k not in _WRAPPERS else outer
                tx = type(x)
                if tx is str and not (r is not None and r.drop):
                    if k in _OTLP_TYPED and len(v) == 1 and _typed_scalar(k, x):
                        out[k] = x  # an OTLP int64/bytes value written as a string
                        continue
                    self.current = k
                    out[k] = self.string(x, r)
                elif tx in _SCALARS and r is None:
                    out[k] = x
                elif (new := self.child(x, k, r, depth)) is not _DROPPED:
                    out[k] = new
            self.field = outer
            return out
        if t is list:
            items: list[Any] = []
            fast = not self.m.has_path_rules
            for i, x in enumerate(v):
                tx = type(x)
                if tx is str:
                    if fast:
                        self.current = i
                        items.append(self.string(x, rule))
                        continue
                elif tx in _SCALARS:
                    items.append(x)
                    continue
                kv = _otlp_key(x) if tx is dict else None
                seg: PathSegment = i if kv is None else f"[{kv}]"
                r = rule if fast and kv is None else self.child_rule(rule, kv, seg)
                if (new := self.child(x, seg, r, depth)) is not _DROPPED:
                    items.append(new)
            return items
        split = _children(v)
        if split is None:
            return self.leaf(v, rule)
        kind, children = split
        rebuilt: list[Any] = []
        outer = self.field
        for seg, key, x in children:
            self.field = key if key is not None and key not in _WRAPPERS else outer
            new = self.child(x, seg, self.child_rule(rule, key, seg), depth)
            if new is not _DROPPED:
                rebuilt.append(new if kind == _SEQ else (seg, new))
        self.field = outer
        return _rebuild(kind, v, rebuilt)

    def child(self, x: Any, seg: PathSegment, rule: Rule | None, depth: int) -> Any:
        """Mask child ``x`` at ``seg`` under ``rule``; ``_DROPPED`` when the rule removes it."""
        if rule is not None and rule.drop:
            self.current = seg
            self.dropped(rule)
            return _DROPPED
        self.segs.append(seg)
        self.current = None
        new = self.node(x, rule, depth + 1)
        self.segs.pop()  # not in ``finally``: a failure's path is read from ``segs``
        return new

    # -- iterative walk (any depth) ----------------------------------------------------------

    def iterate(self, root: Any, rule: Rule | None) -> Any:
        """Mask ``root`` with an explicit stack: the same rules as :meth:`node`, no recursion."""
        base_depth = len(self.segs)
        holder = _Frame(_SEQ, [], [("", None, root)], "", rule, None)
        stack = [holder]
        while True:
            frame = stack[-1]
            if frame.i == len(frame.items):
                stack.pop()
                built = frame.out if frame is holder else _rebuild_frame(frame)
                if frame is holder:
                    return built[0]
                del self.segs[base_depth + len(stack) - 1 :]
                parent = stack[-1]
                parent.out.append(built if parent.kind == _SEQ else (frame.seg, built))
                continue
            seg, key, child = frame.items[frame.i]
            frame.i += 1
            if frame is holder:
                r = rule
            else:
                del self.segs[base_depth + len(stack) - 1 :]
                if frame.otlp is not None:
                    if seg == "key":
                        frame.out.append((seg, child))  # an attribute's name is not data
                        continue
                    r = frame.rule  # decided, with the attribute's name, by the list above
                else:
                    kv = _otlp_key(child) if type(child) is dict else None
                    r = self.child_rule(frame.rule, kv if kv is not None else key, seg)
                    if r is not None and r.drop:
                        self.current = seg
                        self.dropped(r)
                        continue
                self.segs.append(seg)
                self.current = None
            split = None if type(child) in _LEAVES else _split_for_stack(child)
            if split is not None:
                kind, items, otlp = split
                stack.append(_Frame(kind, child, items, seg, r, otlp))
                continue
            if (
                key in _OTLP_TYPED
                and frame.kind == _MAP
                and len(frame.items) == 1
                and type(child) is str
                and _typed_scalar(key, child)
            ):
                new = child  # an OTLP int64/bytes value written as a string
            else:
                outer = self.field
                self.field = _stack_field(stack, key, outer)
                new = self.leaf(child, r)
                self.field = outer
            frame.out.append(new if frame.kind == _SEQ else (seg, new))

    # -- leaves ------------------------------------------------------------------------------

    def leaf(self, value: Any, rule: Rule | None) -> Any:
        """Mask a value that is not a container."""
        if type(value) is str:
            return self.string(value, rule)
        if isinstance(value, (bytes, bytearray)) and self.m.mask_bytes:
            try:
                text = bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                return value
            masked = self.string(text, rule)
            return value if masked is text else type(value)(masked.encode("utf-8"))
        if isinstance(value, str):  # a str subclass (e.g. a str Enum member)
            masked = self.string(str(value), rule)
            return value if masked == value else masked
        return value

    def string(self, text: str, rule: Rule | None) -> str:
        """Mask one string at the current path under ``rule`` (a key/path rule, or ``None``)."""
        m = self.m
        field = self.field
        if field is not None and m.engine.field_evidence(field) is None:
            field = None  # the name says nothing: the text alone decides (and shares the cache)
        if rule is None:
            # The hot path: most strings in a trace are short ids and enum-like values.
            if len(text) < MIN_TEXT_LENGTH and field is None:
                return text
            if not (self.json_in_strings and text and text[0] in _JSON_FIRST):
                if field is not None:
                    masked, entities = m.mask_string(text, self.ctx, field)
                else:
                    cached = self.cache.get(text)
                    masked, entities = m.compute(text, self.ctx) if cached is None else cached
                if entities:
                    self._count(entities)
                return masked
        elif rule.keep:
            return text
        if self.json_in_strings and _jsonstr.looks_like_json(text):
            if rule is None and self.report is None:
                cached = self.cache.get(text)
                if cached is not None:
                    if cached[0] is not text:
                        self.changes += 1
                    return cached[0]
            ok, decoded = _jsonstr.decode(text)
            if ok and isinstance(decoded, (dict, list, str)):
                nested = Walk(m, self.report, self.ctx, self.leaf_path(), self.field)
                new, changed = nested.run(decoded, rule)
                masked = _jsonstr.encode_like(text, new) if changed else text
                if changed:
                    self.changes += 1
                if rule is None and self.report is None:
                    m.remember(text, masked, self.ctx)
                return masked
        if rule is not None:
            if not text or is_token(text):
                return text
            self.changes += 1
            if self.report is not None:
                self.report.add(rule.entity, self.where())
                self.report.fields += 1
            return m.replacement(rule.operator, text, rule.entity, self.ctx)
        masked, entities = m.mask_string(text, self.ctx, field)
        if entities:
            self._count(entities)
        return masked

    def _count(self, entities: tuple[str, ...]) -> None:
        self.changes += 1
        if self.report is not None:
            where = self.where()
            for entity in entities:
                self.report.add(entity, where)
            self.report.fields += 1


def _stack_field(stack: list[_Frame], key: str | None, outer: str | None) -> str | None:
    """The field name of a leaf met by the iterative walk under ``key``: the nearest naming
    key on the stack."""
    if key is not None and key not in _WRAPPERS:
        return key
    for frame in reversed(stack):
        if frame.otlp is not None:
            return frame.otlp
        if type(frame.seg) is str and frame.seg not in _WRAPPERS and frame.seg[:1] != "[":
            return frame.seg
    return outer


def _split_for_stack(value: Any) -> tuple[int, list[_Item], str | None] | None:
    if type(value) is dict:
        otlp = _otlp_key(value)
        if otlp is not None:
            return _MAP, [("key", None, value["key"]), ("value", None, value["value"])], otlp
    if type(value) is list:
        items: list[_Item] = []
        for i, x in enumerate(value):
            otlp = _otlp_key(x) if type(x) is dict else None
            items.append((f"[{otlp}]" if otlp is not None else i, None, x))
        return _SEQ, items, None
    split = _children(value)
    return None if split is None else (split[0], split[1], None)


def _rebuild_frame(frame: _Frame) -> Any:
    if frame.otlp is not None:
        return dict(frame.out)
    return _rebuild(frame.kind, frame.src, frame.out)

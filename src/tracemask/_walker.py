"""The walker: rebuilds a JSON-like value with every string masked, at any depth.

It knows JSON-like trees only (dicts, lists, tuples, sets, dataclasses, pydantic models, str,
bytes and scalars) plus one generic convention, the *named entry*: a dict that is exactly
``{key|name|Key|Name: str, value|Value: X}`` (OTLP attributes, HAR headers and cookies, AWS
tags). Its name is not data: it keys the value's rules and is the value's field name (its path
segment is ``[name]`` in a list); the name itself is masked only if it holds a finding. Wire
formats beyond that (OTLP ids, typed int64/bytes) are the adapters' business.

Two traversals share one set of rules (:meth:`Walk.expand` decides every child's rule, field
and fate; :meth:`Walk.leaf` masks every leaf). The common case, plain dicts, lists and strings
a few hundred levels deep, takes a tight recursive walk; any subtree deeper than
``RECURSION_LIMIT`` is handed to an iterative walk with an explicit stack, so 10,000 levels cost
nothing special and no recursion limit is ever hit. Both build new containers at every level, so
the caller's object is never mutated nor aliased. Strings holding JSON are decoded, walked and
re-encoded in their own style.

Each string is masked knowing its *field*: the nearest naming key (a dict key, a named entry's
name; list indices and value wrappers such as ``value`` or OTLP's ``stringValue`` are skipped).
The detection engine uses it as evidence (``billing_phone``, ``customer_iban``).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from tracemask import _base64, _jsonstr
from tracemask._chunks import Premasked, stage
from tracemask._paths import PathSegment, render_path
from tracemask._report import Report
from tracemask._tokens import is_token
from tracemask.detectors._engine import MIN_TEXT_LENGTH
from tracemask.detectors.fields import is_stand_in

if TYPE_CHECKING:
    from tracemask._compiled import CompiledPolicy, Context, Rule
    from tracemask._finding import Finding

#: Entities of the built-in whole-value key rules (``password``, ``token``...).
_SECRET_RULES = frozenset({"PASSWORD", "SECRET"})
#: Depth from which the iterative walk takes over (well below Python's default limit of 1000).
RECURSION_LIMIT = 200

_SCALARS = frozenset({int, float, bool, type(None)})
_MISSING: Any = object()
_DROPPED: Any = object()
#: First characters of strings worth trying as JSON (whitespace may precede a document).
_JSON_FIRST = frozenset('{[" \t\r\n')
_LEAVES = frozenset({str, int, float, bool, type(None)})
_MAP, _SEQ, _DATACLASS, _MODEL = 0, 1, 2, 3
#: What happens to one child: walked under its rule, removed, or (a named entry's name)
#: masked by detection only.
_WALK, _DROP, _NAME = 0, 1, 2
#: Named entries: ``{name_key: str, value_key: X}`` in any of these spellings.
_NAME_KEYS = ("key", "name", "Key", "Name")
_VALUE_KEYS = ("value", "Value")
#: A typed integer spelled as a string (``{"intValue": "42"}``, int64 in JSON): kept as is,
#: since a token in its place would break the type; anything else under the key is masked.
INT_LITERAL = re.compile(r"-?[0-9]{1,20}")
#: Keys that wrap a value without naming it (OTLP ``AnyValue`` members, ``{"value": …}``): the
#: field name of what they hold is the key above them.
_WRAPPERS = frozenset(
    {"value", "values", "stringValue", "arrayValue", "kvlistValue", "string_value",
     "array_value", "kvlist_value", "intValue", "bytesValue", ""}
)  # fmt: skip
#: One child of a container: its path segment, its value, its rule, its field, its fate.
_Item = tuple[PathSegment, Any, "Rule | None", "str | None", int]


def _field_of(key: Any, field: str | None) -> str | None:
    """The field of a child under ``key`` in a container whose field is ``field``."""
    return key if type(key) is str and key not in _WRAPPERS else field


def named_entry(d: dict[Any, Any]) -> tuple[str, str] | None:
    """``(name_key, value_key)`` when ``d`` is a named entry, else ``None``."""
    if len(d) != 2:
        return None
    for vk in _VALUE_KEYS:
        if vk in d:
            for nk in _NAME_KEYS:
                if nk in d:
                    return (nk, vk) if type(d[nk]) is str else None
            return None
    return None


#: JSON Schema: the types and keywords of a schema node (a tool's parameters, a response format).
_SCHEMA_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
_SCHEMA_KEYWORDS = frozenset(
    {
        "type", "description", "title", "format", "enum", "const", "default", "examples",
        "items", "properties", "required", "additionalProperties", "pattern", "minLength",
        "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems",
        "maxItems", "uniqueItems", "anyOf", "oneOf", "allOf", "not", "$ref", "$defs",
        "definitions", "nullable", "deprecated", "readOnly", "writeOnly", "multipleOf",
        "propertyNames", "patternProperties", "prefixItems", "contentMediaType", "strict",
    }
)  # fmt: skip


def _unless_schema(v: dict[Any, Any], rule: Rule | None) -> Rule | None:
    """``rule``, or ``None`` when ``v`` is a JSON Schema node: ``{"billing_address": {"type":
    "string"}}`` in a tool's parameters describes a field, it holds no address. Detection
    still runs on the schema's strings (a description or a default can hold a value)."""
    if rule is None or rule.drop or rule.keep:
        return rule
    kind = v.get("type")
    kinds = [kind] if type(kind) is str else kind if type(kind) is list and kind else [None]
    if not all(type(k) is str and k in _SCHEMA_TYPES for k in kinds):
        return rule
    return None if all(k in _SCHEMA_KEYWORDS for k in v) else rule


def _kept_int(key: Any, value: str, container: dict[Any, Any]) -> bool:
    """Whether ``container[key] = value`` is a typed integer written as a string."""
    return key == "intValue" and len(container) == 1 and INT_LITERAL.fullmatch(value) is not None


def _is_pydantic(value: object) -> bool:
    return hasattr(type(value), "model_fields") and hasattr(value, "model_copy")


def _children(value: Any) -> tuple[int, list[tuple[PathSegment, str | None, Any]]] | None:
    """Split a container into ``(kind, [(segment, key, child)])``; ``None`` for a leaf."""
    if isinstance(value, Mapping):
        return _MAP, [(k, k if type(k) is str else None, v) for k, v in value.items()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return _SEQ, [(i, None, v) for i, v in enumerate(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _DATACLASS, [
            (f.name, f.name, getattr(value, f.name)) for f in dataclasses.fields(value)
        ]
    if _is_pydantic(value):
        items = [(n, n, getattr(value, n, None)) for n in type(value).model_fields]
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
    __slots__ = ("i", "items", "kind", "out", "seg", "src")

    def __init__(self, kind: int, src: Any, items: list[_Item], seg: PathSegment) -> None:
        self.kind = kind
        self.src = src
        self.items = items
        self.i = 0
        self.out: list[Any] = []
        self.seg = seg


class Walk:
    """One masking pass over one value; fills a :class:`Report` when given one.

    Args:
        compiled: the compiled policy (rules, caches, engine).
        report: filled with counts and paths (never values), or ``None``.
        ctx: the call's scope ids and text cache.
        base: path of the value walked (a JSON string's path, a batch item's index).
        field: field name of the value walked (a JSON string's own field).
    """

    #: Whether a container met twice is masked once (see ``memo``); a walk that records
    #: each path it masks turns it off.
    dedupe: ClassVar[bool] = True

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
        self.field = field
        #: Path of the node being visited, below ``base`` (the recursive walk pushes and pops).
        self.segs: list[PathSegment] = []
        #: Strings changed or fields dropped so far: a JSON string is re-encoded only if this moves.
        self.changes = 0
        #: The key or index of the leaf being visited (string leaves are not pushed on ``segs``).
        self.current: PathSegment | None = None
        self.key_cache = compiled.key_cache
        self.cache = ctx.cache
        self.json_in_strings = compiled.json_in_strings
        #: Whether results may depend on the field (then the cache is keyed by it too).
        self.by_field = compiled.engine.uses_fields
        #: Dicts and lists met more than once in this walk (LiteLLM's payloads hold the same
        #: metadata, headers and messages under two or three keys), masked once: what a
        #: container becomes depends only on itself, its rule and its field, unless path rules
        #: or a report (which counts each path) are in play. As ``copy.deepcopy``, the output
        #: shares what the input shared. Key: (id, rule's id, field) -> (container, its masked
        #: copy, changes counted masking it); the container is kept so that its id stays its.
        self.memo: dict[tuple[int, int, str | None], tuple[Any, Any, int]] | None = (
            {} if self.dedupe and report is None and not compiled.has_path_rules else None
        )

    def path(self) -> tuple[PathSegment, ...]:
        """The path of the node being visited."""
        return self.base + tuple(self.segs)

    def run(self, root: Any, rule: Rule | None = None) -> tuple[Any, bool]:
        """Return ``(masked_copy, changed)``."""
        before = self.changes
        new = self.node(root, rule, 0, self.field)
        return new, self.changes != before

    # -- shared rules ------------------------------------------------------------------------

    def child_rule(self, rule: Rule | None, key: str | None, seg: PathSegment) -> Rule | None:
        """The rule of child ``seg`` (inherited, else its key's; a path rule overrides both)."""
        if rule is None and key is not None:
            rule = self.m.key_rule(key)
        if self.m.has_path_rules:
            rule = self.m.path_rule((*self.path(), seg)) or rule
        return rule

    def expand(
        self, v: Any, rule: Rule | None, field: str | None
    ) -> tuple[int, list[_Item]] | None:
        """Split container ``v`` (at the current path, under ``rule``) into its children, each
        with its path segment, rule, field and fate; ``None`` for a leaf.

        The one place that decides children: both traversals follow it (the recursive one
        inlines the same decisions for plain dicts and lists, its hot path).
        """
        if type(v) is dict:
            entry = named_entry(v)
            if entry is not None:
                return _MAP, self._entry_items(v, entry, rule)
            rule = _unless_schema(v, rule)
            items: list[_Item] = []
            for k, x in v.items():
                r = self.child_rule(rule, k if type(k) is str else None, k)
                items.append((k, x, r, _field_of(k, field), _fate(r)))
            return _MAP, items
        if type(v) is list:
            items = []
            for i, x in enumerate(v):
                entry = named_entry(x) if type(x) is dict else None
                if entry is None:
                    r = self.child_rule(rule, None, i) if self.m.has_path_rules else rule
                    items.append((i, x, r, field, _fate(r)))
                else:
                    name = x[entry[0]]
                    seg = f"[{name}]"
                    r = self.child_rule(rule, name, seg)
                    items.append((seg, x, r, field, _fate(r)))
            return _SEQ, items
        split = _children(v)
        if split is None:
            return None
        kind, children = split
        out: list[_Item] = []
        if rule is None and not self.m.has_path_rules:
            # The common case for model and dataclass fields (hundreds on some pydantic
            # models): the key's rule, from the cache when it is there (child_rule's decisions).
            key_cache = self.key_cache
            for child_seg, key, x in children:
                if key is None:
                    out.append((child_seg, x, None, field, _WALK))
                    continue
                r = key_cache.get(key, _MISSING)
                if r is _MISSING:
                    r = self.m.key_rule(key)
                out.append((child_seg, x, r, _field_of(key, field), _fate(r)))
            return kind, out
        for child_seg, key, x in children:
            r = self.child_rule(rule, key, child_seg)
            out.append((child_seg, x, r, _field_of(key, field), _fate(r)))
        return kind, out

    def _entry_items(
        self, v: dict[Any, Any], entry: tuple[str, str], rule: Rule | None
    ) -> list[_Item]:
        """A named entry's two children: its name (masked by detection only, never by a rule)
        and its value, whose rule and field come from the name."""
        nk, vk = entry
        name: str = v[nk]
        named: _Item = (nk, name, rule if rule is not None and rule.keep else None, None, _NAME)
        value: _Item = (vk, v[vk], self.child_rule(rule, name, vk), name, _WALK)
        return [named, value] if next(iter(v)) == nk else [value, named]

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

    def node(self, v: Any, rule: Rule | None, depth: int, field: str | None) -> Any:
        """Mask ``v`` found at the current path."""
        t = type(v)
        if t is str:
            return self.string(v, rule, field)
        if t in _SCALARS:
            return self.number(v, rule, field) if t is int else v
        memo = self.memo
        if memo is None or (t is not dict and t is not list) or not v:
            return self._node(v, t, rule, depth, field)
        key = (id(v), id(rule), field)
        hit = memo.get(key)
        if hit is not None and hit[0] is v:
            self.changes += hit[2]
            return hit[1]
        before = self.changes
        new = self._node(v, t, rule, depth, field)
        memo[key] = (v, new, self.changes - before)
        return new

    def _node(self, v: Any, t: type, rule: Rule | None, depth: int, field: str | None) -> Any:
        """:meth:`node` for a value that is neither a string nor a scalar."""
        if depth >= RECURSION_LIMIT:
            return self.iterate(v, rule, field)
        if t is list and rule is None and v:
            # A stored stream (a list of chunks): masked across chunk boundaries.
            staged = stage(v, field, self.mask_joined)
            if staged is not None:
                v = staged
        if not self.m.has_path_rules:
            if t is dict:
                entry = named_entry(v) if len(v) == 2 else None
                if entry is None:
                    return self._plain_dict(v, rule, depth, field)
                return self._plain_entry(v, entry, rule, depth)
            if t is list:
                return self._plain_list(v, rule, depth, field)
        split = self.expand(v, rule, field)
        if split is None:
            return self.leaf(v, rule, field)
        kind, items = split
        out: list[Any] = []
        for seg, x, r, f, fate in items:
            new = self.child(x, seg, r, f, fate, depth, v)
            if new is not _DROPPED:
                out.append(new if kind == _SEQ else (seg, new))
        if kind == _MAP and type(v) is dict:
            return dict(out)
        return _rebuild(kind, v, out)

    def _plain_dict(
        self, v: dict[Any, Any], rule: Rule | None, depth: int, field: str | None
    ) -> dict[Any, Any]:
        """:meth:`expand`'s decisions for a dict without path rules, inlined (the hot path)."""
        rule = _unless_schema(v, rule)
        out: dict[Any, Any] = {}
        key_cache = self.key_cache
        segs = self.segs
        for k, x in v.items():
            if rule is None and type(k) is str:
                r = key_cache.get(k, _MISSING)
                if r is _MISSING:
                    r = self.m.key_rule(k)
            else:
                r = rule
            if r is not None and r.drop:
                self.current = k
                self.dropped(r)
                continue
            tx = type(x)
            if tx is str:
                if k == "intValue" and _kept_int(k, x, v):
                    self.current = k
                    out[k] = self.int_literal(x, r, field)
                    continue
                self.current = k
                f = k if type(k) is str and k not in _WRAPPERS else field  # _field_of, inlined
                out[k] = self.string(x, r, f)
            elif tx in _SCALARS and r is None:
                out[k] = x
                if tx is int and x and type(k) is str and self.by_field:
                    # Only under a telling name (``phone``, ``pin``) is an integer looked at.
                    f = k if k not in _WRAPPERS else field
                    if f is not None and self.m.telling(f) is not None:
                        self.current = k
                        out[k] = self.number(x, None, f)
            else:
                segs.append(k)
                self.current = None
                out[k] = self.node(x, r, depth + 1, _field_of(k, field))
                segs.pop()  # not in ``finally``: a failure's path is read from ``segs``
        return out

    def _plain_entry(
        self, v: dict[Any, Any], entry: tuple[str, str], rule: Rule | None, depth: int
    ) -> dict[Any, Any]:
        """:meth:`_entry_items`'s decisions without path rules, inlined (the hot path)."""
        nk, vk = entry
        name: str = v[nk]
        r = rule if rule is not None else self.m.key_rule(name)
        out: dict[Any, Any] = {}
        for k in v:
            if k == nk:
                self.current = nk
                out[nk] = name if rule is not None and rule.keep else self.string(name, None, None)
            else:
                out[vk] = self.child(v[vk], vk, r, name, _WALK, depth, v)
        return out

    def _plain_list(
        self, v: list[Any], rule: Rule | None, depth: int, field: str | None
    ) -> list[Any]:
        """:meth:`expand`'s decisions for a list without path rules, inlined (the hot path)."""
        items: list[Any] = []
        segs = self.segs
        for i, x in enumerate(v):
            tx = type(x)
            if tx is str:
                self.current = i
                items.append(self.string(x, rule, field))
                continue
            if tx in _SCALARS:
                if tx is int:
                    self.current = i
                    items.append(self.number(x, rule, field))
                else:
                    items.append(x)
                continue
            entry = named_entry(x) if tx is dict and len(x) == 2 else None
            if entry is None:
                seg: PathSegment = i
                r = rule
            else:
                name = x[entry[0]]
                seg = f"[{name}]"
                r = self.child_rule(rule, name, seg)
                if r is not None and r.drop:
                    self.current = seg
                    self.dropped(r)
                    continue
            segs.append(seg)
            self.current = None
            items.append(self.node(x, r, depth + 1, field))
            segs.pop()
        return items

    def child(  # noqa: PLR0917 - positional on purpose
        self,
        x: Any,
        seg: PathSegment,
        rule: Rule | None,
        field: str | None,
        fate: int,
        depth: int,
        parent: Any,
    ) -> Any:
        """Mask child ``x`` of ``parent`` at ``seg``; ``_DROPPED`` when its rule removes it."""
        if fate == _DROP:
            self.current = seg
            self.dropped(rule)  # type: ignore[arg-type]
            return _DROPPED
        tx = type(x)
        if tx in _SCALARS:  # what node() returns for them, without the push and pop
            if tx is int:
                self.current = seg
                return self.number(x, rule, field)
            return x
        if tx is str:
            self.current = seg
            if fate == _NAME:
                return self.string(x, rule, None)
            if type(parent) is dict and _kept_int(seg, x, parent):
                return self.int_literal(x, rule, field)
            return self.string(x, rule, field)
        self.segs.append(seg)
        self.current = None
        new = self.node(x, rule, depth + 1, field)
        self.segs.pop()  # not in ``finally``: a failure's path is read from ``segs``
        return new

    # -- iterative walk (any depth) ----------------------------------------------------------

    def iterate(self, root: Any, rule: Rule | None, field: str | None) -> Any:
        """Mask ``root`` with an explicit stack, following :meth:`expand` like :meth:`node`.

        While a frame's items are processed, ``segs`` holds that frame's path (the root's is
        the path :meth:`node` was called at), so rules and error paths see what they would see
        in the recursive walk.
        """
        base_depth = len(self.segs)
        holder = _Frame(_SEQ, [], [("", root, rule, field, _WALK)], "")
        stack = [holder]
        while True:
            frame = stack[-1]
            if frame.i == len(frame.items):
                stack.pop()
                if frame is holder:
                    return frame.out[0]
                built = _rebuild(frame.kind, frame.src, frame.out)
                parent = stack[-1]
                parent.out.append(built if parent.kind == _SEQ else (frame.seg, built))
                continue
            seg, x, r, f, fate = frame.items[frame.i]
            frame.i += 1
            top = frame is holder
            if not top:
                del self.segs[base_depth + len(stack) - 2 :]
            if fate == _DROP:
                self.current = seg
                self.dropped(r)  # type: ignore[arg-type]
                continue
            if fate == _WALK and type(x) not in _LEAVES:
                if not top:
                    self.segs.append(seg)
                self.current = None
                if type(x) is list and r is None and x:
                    x = stage(x, f, self.mask_joined) or x  # a stored stream (see node)
                split = self.expand(x, r, f)
                if split is not None:
                    stack.append(_Frame(split[0], x, split[1], seg))
                    continue
                if not top:
                    self.segs.pop()
            self.current = None if top else seg
            if fate == _NAME:
                new = self.string(x, r, None)
            elif type(x) is str and type(frame.src) is dict and _kept_int(seg, x, frame.src):
                new = self.int_literal(x, r, f)
            else:
                new = self.leaf(x, r, f)
            frame.out.append(new if frame.kind == _SEQ else (seg, new))

    # -- leaves ------------------------------------------------------------------------------

    def leaf(self, value: Any, rule: Rule | None, field: str | None) -> Any:
        """Mask a value that is not a container."""
        if type(value) is str:
            return self.string(value, rule, field)
        if type(value) is int:
            return self.number(value, rule, field)
        if type(value) is Premasked:
            if rule is not None and (rule.keep or rule.entity not in _SECRET_RULES):
                return self.string(value.original, rule, field)
            # A secret-key rule over a stream piece is the protocol's name for the piece
            # (LangSmith's ``new_token`` ``token``), not what it holds: the joined stream was
            # scanned by every detector, secrets included.
            if value.entities:
                self._count(value.entities)
            elif value.text != value.original:
                self.changes += 1
            return value.text
        if isinstance(value, (bytes, bytearray)) and self.m.mask_bytes:
            try:
                text = bytes(value).decode("utf-8")
            except UnicodeDecodeError:
                return value
            masked = self.string(text, rule, field)
            return value if masked is text else type(value)(masked.encode("utf-8"))
        if isinstance(value, str):  # a str subclass (e.g. a str Enum member)
            masked = self.string(str(value), rule, field)
            return value if masked == value else masked
        return value

    def number(self, value: int, rule: Rule | None, field: str | None) -> int:
        """An integer at the current path: ``0`` where its digits, as a string, would be masked
        (a PIN under ``pin``, a phone number under ``phone``, a card number under
        ``card_number``), else ``value``. The type is kept, so the payload's schema is too."""
        if value == 0:
            return value  # what a masked integer is: masking it again finds nothing
        if rule is None:
            if field is None or not self.by_field or self.m.telling(field) is None:
                return value  # token counts, timestamps, ids: nothing says they are personal
        elif rule.keep:
            return value
        text = str(value)
        return value if self.string(text, rule, field) == text else 0

    def int_literal(self, value: str, rule: Rule | None, field: str | None) -> str:
        """A typed integer written as a string (``{"intValue": "4155550132"}``, OTLP/JSON's
        int64): masked as :meth:`number` masks it, and written back as a string."""
        number = int(value)
        masked = self.number(number, rule, field)
        return value if masked == number else str(masked)

    def string(self, text: str, rule: Rule | None, field: str | None) -> str:
        """Mask one string at the current path under ``rule`` (a key/path rule, or ``None``)."""
        m = self.m
        if field is not None:
            # A name that says nothing is dropped: the text alone decides (one cache entry).
            field = m.telling(field) if self.by_field else None
        if rule is None:
            # The hot path: most strings in a trace are short ids and enum-like values.
            if len(text) < MIN_TEXT_LENGTH and (field is None or not text):
                return text
            if not (self.json_in_strings and text[0] in _JSON_FIRST):
                key = text if field is None else m.cache_key(text, field)
                cached = self.cache.get(key)
                if cached is None and len(text) >= _base64.MIN_LENGTH:
                    encoded = _base64.decode(text)
                    if encoded is not None:
                        inner = self.base64(text, encoded, field)
                        if inner is not None:
                            return inner
                masked, entities = m.compute(text, self.ctx, field) if cached is None else cached
                if entities:
                    self._count(entities)
                return masked
        elif rule.keep:
            return text
        if self.json_in_strings and _jsonstr.looks_like_json(text):
            if rule is None and self.report is None:
                cached = self.cache.get(text if field is None else m.cache_key(text, field))
                if cached is not None:
                    if cached[0] is not text:
                        self.changes += 1
                    return cached[0]
            ok, decoded = _jsonstr.decode(text)
            if ok and isinstance(decoded, (dict, list, str)):
                nested = Walk(m, self.report, self.ctx, self.leaf_path(), field)
                new, changed = nested.run(decoded, rule)
                masked = _jsonstr.encode_like(text, new) if changed else text
                if changed:
                    self.changes += 1
                if rule is None and self.report is None:
                    m.remember(text, masked, self.ctx, field)
                return masked
        if rule is not None:
            if not text or is_token(text):
                return text
            if rule.entity in _SECRET_RULES and is_stand_in(text):
                return text  # "${DB_PASSWORD}", "<your-key>", "****": no secret, keep it readable
            self.changes += 1
            if self.report is not None:
                self.report.add(rule.entity, self.where())
                self.report.fields += 1
            return m.replacement(rule.operator, text, rule.entity, self.ctx)
        masked, entities = m.mask_string(text, self.ctx, field)
        if entities:
            self._count(entities)
        return masked

    def base64(self, text: str, encoded: _base64.Encoded, field: str | None) -> str | None:
        """Mask the text a base64 string holds (JSON walked as JSON) and re-encode it in the
        string's own style; ``None`` when nothing inside needs masking."""
        m = self.m
        inner = encoded.text
        before = self.changes
        if self.json_in_strings and _jsonstr.looks_like_json(inner):
            masked = self.string(inner, None, field)
        else:
            masked, entities = m.mask_string(inner, self.ctx, field)
            if entities:
                self._count(entities)
        if masked == inner:
            self.changes = before
            m.remember(text, text, self.ctx, field)
            return None
        result = _base64.encode(encoded, masked)
        if self.report is None:
            m.remember(text, result, self.ctx, field)
        return result

    def mask_joined(self, text: str) -> tuple[list[Finding], list[str]]:
        """Findings in a stream's joined text and what replaces each (for :mod:`_chunks`)."""
        m = self.m
        findings = m.engine.detect(text)
        return findings, [
            m.replacement(m.operator(f.entity), text[f.start : f.end], f.entity, self.ctx)
            for f in findings
        ]

    def _count(self, entities: tuple[str, ...]) -> None:
        self.changes += 1
        if self.report is not None:
            where = self.where()
            for entity in entities:
                self.report.add(entity, where)
            self.report.fields += 1


def _fate(rule: Rule | None) -> int:
    return _DROP if rule is not None and rule.drop else _WALK

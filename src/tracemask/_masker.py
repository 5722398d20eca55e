"""``Masker``: the one entry point. Compiles a policy once; masks any JSON-like value."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from tracemask._finding import Finding
from tracemask._keys import KeyMatcher
from tracemask._paths import PathGlob, PathSegment, render_path
from tracemask._report import Report
from tracemask._scope import current_scope
from tracemask._tokens import is_token
from tracemask._walker import Walk
from tracemask.detectors._engine import MIN_TEXT_LENGTH, DetectionEngine
from tracemask.detectors.catalog import build_detectors
from tracemask.exceptions import MaskingError, TracemaskError
from tracemask.operators import Drop, Keep
from tracemask.policy import Policy, load_policy
from tracemask.typing import Operator

T = TypeVar("T")

#: Masked results of strings up to this length are cached per Masker.
_CACHE_MAX_LEN = 65_536
_CACHE_MAX_ENTRIES = 8192
#: Characters held by the cache at most (~8 MB of keys): long strings such as RAG chunks and
#: system prompts repeat across a trace's spans, but must not grow memory without bound.
_CACHE_MAX_CHARS = 8_000_000
#: Scoped pseudonyms make results depend on the scope: one smaller cache per recent scope.
_SCOPED_CACHES = 64
_SCOPED_CACHE_MAX_CHARS = 500_000


class TextCache(dict[str, tuple[str, tuple[str, ...]]]):
    """Masked results of recent strings, ``text -> (masked, entities)``, bounded in size."""

    def __init__(self, max_chars: int) -> None:
        super().__init__()
        self.max_chars = max_chars
        self.chars = 0

    def put(self, text: str, result: tuple[str, tuple[str, ...]]) -> None:
        """Keep ``result`` for ``text`` unless the string is too long to be worth keeping."""
        if len(text) > _CACHE_MAX_LEN:
            return
        if len(self) >= _CACHE_MAX_ENTRIES or self.chars + len(text) > self.max_chars:
            # Clearing wholesale is cheaper than LRU bookkeeping on the hot path, and a race
            # with another thread can only cost a recomputation.
            self.clear()
        self[text] = result
        self.chars += len(text)

    def clear(self) -> None:
        """Forget every result."""
        super().clear()
        self.chars = 0


@dataclass(frozen=True)
class Context:
    """One masking call's scope ids (kind -> id) and the cache of results valid under them."""

    ids: Mapping[str, str]
    cache: TextCache


@dataclass(frozen=True)
class _Rule:
    """A key or path rule, compiled: the entity it reports and the operator it applies."""

    entity: str
    operator: Operator
    drop: bool = field(init=False)
    keep: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "drop", isinstance(self.operator, Drop))
        object.__setattr__(self, "keep", isinstance(self.operator, Keep))


class Masker:
    """Masks personal data and secrets in strings and JSON-like values.

    Args:
        policy: a :class:`~tracemask.Policy`, a dict, a path to a YAML policy, a preset name, or
            ``None`` for ``$TRACEMASK_POLICY`` or else the default policy.
        profile: a profile of the policy to apply (``None``: ``$TRACEMASK_PROFILE``).
        backend: prefilter engine: ``"auto"`` (Hyperscan when installed), ``"hyperscan"``, ``"re"``.

    Raises:
        PolicyError: the policy is invalid (the message names the field), or a keyed operator
            has no key.

    A ``Masker`` is immutable after construction and safe to share between threads.
    """

    def __init__(
        self,
        policy: Policy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
        *,
        profile: str | None = None,
        backend: str = "auto",
    ) -> None:
        self.policy = load_policy(policy, profile=profile)
        p = self.policy
        self._engine = DetectionEngine(
            build_detectors(p),
            thresholds={e: r.threshold for e, r in p.entities.items() if r.threshold is not None},
            default_threshold=p.threshold,
            allow={e: r.allow for e, r in p.entities.items() if r.allow},
            backend=backend,
        )
        self._default_operator = p.default_operator.bind()
        self._operators: dict[str, Operator] = {
            e: r.operator.bind() for e, r in p.entities.items() if r.operator is not None
        }
        key_operator = p.key_operator.bind()
        key_rules = [_Rule(kr.entity, kr.operator.bind()) for kr in p.key_rules]
        key_rules += [_Rule("PASSWORD", key_operator), _Rule("SECRET", key_operator)]
        n = len(p.key_rules)
        names = [(kr.keys, i) for i, kr in enumerate(p.key_rules)]
        names += [(p.password_keys, n), (p.secret_keys, n + 1)]
        # Personal fields by name (``first_name``, ``shipping_address``): masked whole with the
        # entity's own operator, when the entity is enabled.
        for entity, keys in (("PERSON", p.person_keys), ("LOCATION", p.location_keys)):
            if p.rule(entity).enabled and keys:
                names.append((keys, len(key_rules)))
                key_rules.append(_Rule(entity, self.operator(entity)))
        self._key_rules = tuple(key_rules)
        self._keys = KeyMatcher.build(names)
        self._path_rules = tuple(
            (PathGlob(pr.path), _Rule(pr.entity, pr.operator.bind())) for pr in p.path_rules
        )
        self.has_path_rules = bool(self._path_rules)
        #: Rules by raw key, filled as keys are met (bounded; read lock-free by the walker).
        self.key_cache: dict[str, _Rule | None] = {}
        #: Masked results of recent strings (bounded): traces repeat prompts and metadata.
        self.text_cache = TextCache(_CACHE_MAX_CHARS)
        operators = [self._default_operator, *self._operators.values()]
        operators += [r.operator for r in self._key_rules]
        operators += [r.operator for _, r in self._path_rules]
        #: Scope kinds some operator's output depends on (``("trace",)``); usually none.
        self.scope_kinds = tuple(sorted({k for o in operators if (k := o.scope_kind)}))
        self._root = Context({}, self.text_cache)
        self._contexts: dict[tuple[str, ...], Context] = {}

    def __repr__(self) -> str:
        return f"<Masker detectors={len(self._engine.detectors)} backend={self.backend}>"

    @property
    def backend(self) -> str:
        """The prefilter engine in use: ``"hyperscan"`` or ``"re"``."""
        return self._engine.prefilter.backend

    # -- public API --------------------------------------------------------------------------

    def mask(
        self, obj: T, *, report: Report | None = None, scope: Mapping[str, str] | None = None
    ) -> T:
        """Return a masked copy of ``obj``: same shape and types, only strings changed.

        Handles dicts, lists, tuples, strings (JSON inside them too), bytes (when the policy's
        ``mask_bytes`` is on), dataclasses and pydantic models, at any depth. ``obj`` is never
        mutated. Pass a :class:`Report` to have it filled with counts (never values).

        ``scope`` holds the ids (``{"trace": …, "session": …, "tenant": …}``) that scoped
        pseudonyms are stable within; default: :func:`~tracemask.use_scope`'s. A kind the
        policy scopes by but the call does not name gets a fresh id, so the call's pseudonyms
        link to nothing outside it.

        Raises:
            MaskingError: masking failed; the message names the JSON path, never the value.
        """
        walk = Walk(self, report, self.context(scope))
        try:
            masked, _ = walk.run(obj)
        except TracemaskError:
            raise
        except Exception as exc:  # noqa: BLE001 - any bug must surface as MaskingError, no value
            where = self._safe_path(walk)
            raise MaskingError(f"masking failed at {where}: {type(exc).__name__}") from None
        return masked  # type: ignore[no-any-return]

    def _safe_path(self, walk: Walk) -> str:
        """The failing path for an error message, itself masked: keys can hold personal data."""
        try:
            return self.mask_text(render_path(walk.leaf_path())) or "(root)"
        except Exception:  # noqa: BLE001 - the engine itself may be what failed
            return "(path withheld)"

    def mask_text(self, text: str, *, scope: Mapping[str, str] | None = None) -> str:
        """Return ``text`` with every finding replaced (plain text: no JSON decoding)."""
        return self.mask_string(text, self.context(scope))[0]

    def detect(self, text: str) -> list[Finding]:
        """Return the findings in ``text``: sorted, non-overlapping, above their thresholds."""
        return self._engine.detect(text)

    def clear_cache(self) -> None:
        """Forget cached results (benchmarks use it to measure cold work)."""
        self.text_cache.clear()
        self._contexts.clear()
        self.key_cache.clear()

    def scan(self, obj: Any) -> Report:
        """Return a :class:`Report` of what :meth:`mask` would mask in ``obj``."""
        report = Report()
        self.mask(obj, report=report)
        return report

    def mask_findings(
        self, text: str, findings: list[Finding], *, scope: Mapping[str, str] | None = None
    ) -> str:
        """Return ``text`` with ``findings`` (from :meth:`detect`) replaced by their operators."""
        return self._replace(text, findings, self.context(scope))

    # -- used by the walker ------------------------------------------------------------------

    def context(self, scope: Mapping[str, str] | None) -> Context:
        """The context of a call with ``scope`` (default: the current :func:`use_scope`)."""
        if not self.scope_kinds:
            return self._root
        if scope is None:
            scope = current_scope() or {}
        ids = tuple(scope.get(kind) or "" for kind in self.scope_kinds)
        if not all(ids):
            # Fail closed: without an id the call's pseudonyms must not link to other calls.
            fresh = [v or f"call:{secrets.token_hex(8)}" for v in ids]
            return Context(
                dict(zip(self.scope_kinds, fresh, strict=True)), TextCache(_SCOPED_CACHE_MAX_CHARS)
            )
        ctx = self._contexts.get(ids)
        if ctx is None:
            if len(self._contexts) >= _SCOPED_CACHES:
                self._contexts.clear()
            ctx = Context(
                dict(zip(self.scope_kinds, ids, strict=True)), TextCache(_SCOPED_CACHE_MAX_CHARS)
            )
            self._contexts[ids] = ctx
        return ctx

    def replacement(self, operator: Operator, value: str, entity: str, ctx: Context) -> str:
        """What ``operator`` writes for ``value`` under the scope of ``ctx``."""
        kind = operator.scope_kind
        return operator.apply(value, entity, ctx.ids[kind] if kind else "")

    def key_rule(self, key: str) -> _Rule | None:
        """Return the rule for values under ``key``, or ``None``."""
        try:
            return self.key_cache[key]
        except KeyError:
            pass
        index = self._keys.match(key)
        rule = self._key_rules[index] if index is not None else None
        if len(self.key_cache) < _CACHE_MAX_ENTRIES:
            self.key_cache[key] = rule
        return rule

    def path_rule(self, path: tuple[PathSegment, ...]) -> _Rule | None:
        """Return the rule of the first path rule matching ``path``, or ``None``."""
        for glob, rule in self._path_rules:
            if glob.matches(path):
                return rule
        return None

    def is_mask_token(self, text: str) -> bool:
        """Whether ``text`` is already a masked token, which masking leaves as it is."""
        return is_token(text)

    def operator(self, entity: str) -> Operator:
        """The operator applied to findings of ``entity``."""
        return self._operators.get(entity, self._default_operator)

    def mask_string(self, text: str, ctx: Context) -> tuple[str, tuple[str, ...]]:
        """Mask findings in one string (no JSON decoding); return it and the entities found."""
        if len(text) < MIN_TEXT_LENGTH:
            return text, ()
        cached = ctx.cache.get(text)
        return self.compute(text, ctx) if cached is None else cached

    def remember(self, text: str, masked: str, ctx: Context) -> None:
        """Cache the masked form of a JSON-holding string (its entities are not kept)."""
        ctx.cache.put(text, (masked, ()))

    def compute(self, text: str, ctx: Context) -> tuple[str, tuple[str, ...]]:
        """Detect and mask ``text`` (no cache lookup); remember the result when it is short."""
        findings = self._engine.detect(text)
        if not findings:
            result: tuple[str, tuple[str, ...]] = (text, ())
        else:
            result = (self._replace(text, findings, ctx), tuple(f.entity for f in findings))
        ctx.cache.put(text, result)
        return result

    def _replace(self, text: str, findings: list[Finding], ctx: Context) -> str:
        parts: list[str] = []
        pos = 0
        for f in findings:
            parts.append(text[pos : f.start])
            value = text[f.start : f.end]
            parts.append(self.replacement(self.operator(f.entity), value, f.entity, ctx))
            pos = f.end
        parts.append(text[pos:])
        return "".join(parts)

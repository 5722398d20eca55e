"""``CompiledPolicy``: everything built from one policy, owned in one place.

A :class:`~tracemask.Masker` is a facade over one ``CompiledPolicy``; the walker depends on this
module alone. It holds the detection engine, the operator table, the key and path rules, the
text caches and the pseudonym stores: two Maskers built from one policy share nothing mutable
(only the process-wide immutable lexicons and compiled prefilter databases).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tracemask._finding import Finding
from tracemask._keys import KeyMatcher
from tracemask._paths import PathGlob, PathSegment
from tracemask._scope import current_scope
from tracemask.detectors._engine import MIN_TEXT_LENGTH, DetectionEngine
from tracemask.detectors._pattern import DetectorSettings
from tracemask.detectors.catalog import BUILTIN
from tracemask.detectors.custom import DenyListDetector, RegexRecognizer
from tracemask.detectors.fields import field_detector
from tracemask.detectors.pii.national_ids import NationalIdDetector
from tracemask.operators import Drop, Keep, OperatorSpec, Stores, UserOperatorSpec
from tracemask.policy import Policy
from tracemask.typing import Detector, Operator, is_bindable, is_prefetching

#: Masked results of strings up to this length are cached per compiled policy.
CACHE_MAX_LEN = 65_536
CACHE_MAX_ENTRIES = 8192
#: Characters held by the cache at most (~8 MB of keys): long strings such as RAG chunks and
#: system prompts repeat across a trace's spans, but must not grow memory without bound.
CACHE_MAX_CHARS = 8_000_000
#: Scoped pseudonyms make results depend on the scope: one smaller cache per recent scope.
SCOPED_CACHES = 64
SCOPED_CACHE_MAX_CHARS = 500_000

#: A masked string and the entities found in it.
Masked = tuple[str, tuple[str, ...]]
#: A text-cache key: the text, or ``(field evidence, text)`` when the field changes the result.
CacheKey = Hashable


class TextCache(dict[CacheKey, Masked]):
    """Masked results of recent strings, ``key -> (masked, entities)``, bounded in size."""

    def __init__(self, max_chars: int) -> None:
        super().__init__()
        self.max_chars = max_chars
        self.chars = 0

    def put(self, key: CacheKey, text: str, result: Masked) -> None:
        """Keep ``result`` of ``text`` under ``key`` unless the string is too long to keep."""
        if len(text) > CACHE_MAX_LEN:
            return
        if len(self) >= CACHE_MAX_ENTRIES or self.chars + len(text) > self.max_chars:
            # Clearing wholesale is cheaper than LRU bookkeeping on the hot path, and a race
            # with another thread can only cost a recomputation.
            self.clear()
        self[key] = result
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
class Rule:
    """A key or path rule, compiled: the entity it reports and the operator it applies."""

    entity: str
    operator: Operator
    drop: bool = field(init=False)
    keep: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "drop", isinstance(self.operator, Drop))
        object.__setattr__(self, "keep", isinstance(self.operator, Keep))


class CompiledPolicy:
    """A policy compiled once: detectors, operators, key/path rules, caches, stores.

    Args:
        policy: the validated policy.
        backend: prefilter engine: ``"auto"``, ``"hyperscan"`` or ``"re"``.
        detectors: user detectors (objects fitting :class:`tracemask.typing.Detector`), run
            after the built-in ones (which win ties).
        operators: user operators by the ``type`` name a policy uses for them.

    Raises:
        PolicyError: a keyed operator has no key, a store cannot be opened.
    """

    def __init__(
        self,
        policy: Policy,
        *,
        backend: str = "auto",
        detectors: Sequence[Detector] = (),
        operators: Mapping[str, Operator] | None = None,
    ) -> None:
        self.policy = p = policy
        self._user_operators = dict(operators or {})
        #: Pseudonym stores opened by this policy's operators (``memory`` is private to it).
        self.stores = Stores()
        user = [d for d in detectors if p.rule(d.entity).enabled]
        self.engine = DetectionEngine(
            (*build_detectors(p), *user),
            thresholds={e: r.threshold for e, r in p.entities.items() if r.threshold is not None},
            default_threshold=p.threshold,
            allow={e: r.allow for e, r in p.entities.items() if r.allow},
            backend=backend,
        )
        #: Detectors faster over many strings at once (NER): fed before a value is walked.
        self.prefetchers = tuple(d for d in self.engine.detectors if is_prefetching(d))
        self.json_in_strings = p.json_in_strings
        self.mask_bytes = p.mask_bytes
        self._default_operator = self._bind(p.default_operator)
        self._operators: dict[str, Operator] = {
            e: self._bind(r.operator) for e, r in p.entities.items() if r.operator is not None
        }
        # Key rules: the rule's own operator, else the entity's (the same bound operator as for
        # its findings in text: one pseudonym per value either way), else ``key_operator``
        # (``Policy.key_rule_operator`` states the order).
        key_operator = self._bind(p.key_operator)

        def key_rule(entity: str, own: OperatorSpec | None = None) -> Rule:
            if own is not None:
                return Rule(entity, self._bind(own))
            return Rule(entity, self._operators.get(entity, key_operator))

        named: list[tuple[Iterable[str], Rule]] = [
            (kr.keys, key_rule(kr.entity, kr.operator)) for kr in p.key_rules
        ]
        # Values under secret-looking keys: masked whole, unless the policy turned the entity
        # off (``entities: {PASSWORD: {enabled: false}}`` must not be silently ignored).
        for entity, keys in (("PASSWORD", p.password_keys), ("SECRET", p.secret_keys)):
            if p.rule(entity).enabled and keys:
                named.append((keys, key_rule(entity)))
        # Personal fields by name (``first_name``, ``shipping_address``): masked whole with the
        # entity's own operator, when the entity is enabled.
        for entity, keys in (("PERSON", p.person_keys), ("LOCATION", p.location_keys)):
            if p.rule(entity).enabled and keys:
                named.append((keys, Rule(entity, self.operator(entity))))
        self._keys: KeyMatcher[Rule] = KeyMatcher.build(named)
        self._path_rules = tuple(
            (PathGlob(pr.path), Rule(pr.entity, self._bind(pr.operator))) for pr in p.path_rules
        )
        self.has_path_rules = bool(self._path_rules)
        #: Rules by raw key, filled as keys are met (bounded; read lock-free by the walker).
        self.key_cache: dict[str, Rule | None] = {}
        self._evidence: dict[str, str | None] = {}
        #: Masked results of recent strings (bounded): traces repeat prompts and metadata.
        self.text_cache = TextCache(CACHE_MAX_CHARS)
        every = [self._default_operator, *self._operators.values()]
        every += [r.operator for _, r in named]
        every += [r.operator for _, r in self._path_rules]
        #: Every bound operator of the policy (the server's ``/deanonymize`` finds its keys here).
        self.bound_operators: tuple[Operator, ...] = tuple(every)
        #: Scope kinds some operator's output depends on (``("trace",)``); usually none.
        self.scope_kinds = tuple(sorted({k for o in every if (k := o.scope_kind)}))
        self._root = Context({}, self.text_cache)
        self._contexts: dict[tuple[str, ...], Context] = {}

    def _bind(self, spec: Operator) -> Operator:
        """The runnable operator of a policy's operator spec (user operators looked up)."""
        op: Operator = spec
        if isinstance(spec, UserOperatorSpec):
            op = self._user_operators[spec.type]
        if is_bindable(op):
            op = op.bind(self.stores)
        return op

    @property
    def backend(self) -> str:
        """The prefilter engine in use: ``"hyperscan"`` or ``"re"``."""
        return self.engine.prefilter.backend

    def clear_caches(self) -> None:
        """Forget cached results (benchmarks use it to measure cold work)."""
        self.text_cache.clear()
        self._contexts.clear()
        self.key_cache.clear()
        self._evidence.clear()

    # -- scopes ------------------------------------------------------------------------------

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
                dict(zip(self.scope_kinds, fresh, strict=True)), TextCache(SCOPED_CACHE_MAX_CHARS)
            )
        ctx = self._contexts.get(ids)
        if ctx is None:
            if len(self._contexts) >= SCOPED_CACHES:
                self._contexts.clear()
            ctx = Context(
                dict(zip(self.scope_kinds, ids, strict=True)), TextCache(SCOPED_CACHE_MAX_CHARS)
            )
            self._contexts[ids] = ctx
        return ctx

    # -- rules -------------------------------------------------------------------------------

    def operator(self, entity: str) -> Operator:
        """The operator applied to findings of ``entity``."""
        return self._operators.get(entity, self._default_operator)

    def key_rule(self, key: str) -> Rule | None:
        """Return the rule for values under ``key``, or ``None``."""
        try:
            return self.key_cache[key]
        except KeyError:
            pass
        rule = self._keys.match(key)
        if len(self.key_cache) < CACHE_MAX_ENTRIES:
            self.key_cache[key] = rule
        return rule

    def path_rule(self, path: tuple[PathSegment, ...]) -> Rule | None:
        """Return the rule of the first path rule matching ``path``, or ``None``."""
        for glob, rule in self._path_rules:
            if glob.matches(path):
                return rule
        return None

    # -- strings -----------------------------------------------------------------------------

    def evidence(self, field: str) -> str | None:
        """What the field name ``field`` says about its values (the engine's summary), or
        ``None``; remembered per name (bounded), since names repeat across payloads."""
        try:
            return self._evidence[field]
        except KeyError:
            pass
        found = self.engine.field_evidence(field)
        if len(self._evidence) < CACHE_MAX_ENTRIES:
            self._evidence[field] = found
        return found

    def telling(self, field: str | None) -> str | None:
        """``field`` when its name is evidence for the engine, else ``None`` (the text alone
        decides, and results are shared with every other field that says nothing)."""
        if field is None or not self.engine.uses_fields or self.evidence(field) is None:
            return None
        return field

    def cache_key(self, text: str, field: str | None) -> CacheKey:
        """The text-cache key of ``text`` met under ``field``: a result that depends on the
        field is never served for another field."""
        if field is None or not self.engine.uses_fields:
            return text
        evidence = self.evidence(field)
        return text if evidence is None else (evidence, text)

    def replacement(self, operator: Operator, value: str, entity: str, ctx: Context) -> str:
        """What ``operator`` writes for ``value`` under the scope of ``ctx``."""
        kind = operator.scope_kind
        return operator.apply(value, entity, ctx.ids[kind] if kind else "")

    def mask_string(self, text: str, ctx: Context, field: str | None = None) -> Masked:
        """Mask findings in one string (no JSON decoding); return it and the entities found."""
        if len(text) < MIN_TEXT_LENGTH and (not text or self.telling(field) is None):
            return text, ()
        cached = ctx.cache.get(self.cache_key(text, field))
        return self.compute(text, ctx, field) if cached is None else cached

    def remember(self, text: str, masked: str, ctx: Context, field: str | None = None) -> None:
        """Cache the masked form of a JSON-holding string (its entities are not kept)."""
        ctx.cache.put(self.cache_key(text, field), text, (masked, ()))

    def compute(self, text: str, ctx: Context, field: str | None = None) -> Masked:
        """Detect and mask ``text`` (no cache lookup); remember the result when it is short."""
        findings = self.engine.detect(text, field)
        if not findings:
            result: Masked = (text, ())
        else:
            result = (self.replace(text, findings, ctx), tuple(f.entity for f in findings))
        ctx.cache.put(self.cache_key(text, field), text, result)
        return result

    def replace(self, text: str, findings: Sequence[Finding], ctx: Context) -> str:
        """Return ``text`` with ``findings`` (sorted, disjoint) replaced by their operators."""
        parts: list[str] = []
        pos = 0
        for f in findings:
            parts.append(text[pos : f.start])
            value = text[f.start : f.end]
            parts.append(self.replacement(self.operator(f.entity), value, f.entity, ctx))
            pos = f.end
        parts.append(text[pos:])
        return "".join(parts)


def build_detectors(policy: Policy) -> tuple[Detector, ...]:
    """Instantiate the detectors a policy enables: deny lists, built-ins, NER, national ids,
    then its custom recognizers."""
    detectors: list[Detector] = []
    for entity, rule in policy.entities.items():
        if rule.deny:
            detectors.append(DenyListDetector(entity, rule.deny))
    settings = DetectorSettings(phone_regions=policy.phone_regions)
    detectors.extend(cls.create(settings) for cls in BUILTIN if policy.rule(cls.entity).enabled)
    hinted = {*policy.field_hints, "PERSON", "LOCATION", "PASSWORD"}
    field_values = _field_values(
        tuple((e, tuple(names)) for e, names in policy.field_hints.items()),
        policy.person_keys,
        policy.location_keys,
        frozenset(e for e in hinted if policy.rule(e).enabled),
        name_keys=policy.name_keys,
        password_keys=policy.password_keys,
    )
    if field_values is not None:
        detectors.append(field_values)
    detectors.extend(_ner_detectors(policy))
    if policy.rule("NATIONAL_ID").enabled:
        detectors.extend(NationalIdDetector(kind) for kind in policy.national_ids)
    detectors.extend(
        RegexRecognizer(
            spec.name,
            spec.entity,
            spec.pattern,
            score=spec.score,
            context=spec.context,
            ignore_case=spec.ignore_case,
            validator=spec.validator,
        )
        for spec in policy.recognizers
        if policy.rule(spec.entity).enabled
    )
    return tuple(detectors)


@functools.lru_cache(maxsize=16)
def _field_values(
    hints: tuple[tuple[str, tuple[str, ...]], ...],
    person_keys: tuple[str, ...],
    location_keys: tuple[str, ...],
    enabled: frozenset[str],
    *,
    name_keys: tuple[str, ...] = (),
    password_keys: tuple[str, ...] = (),
) -> Detector | None:
    """The field-evidence detector of one set of field hints, built once per process (its
    tables take ~20 ms to build and are immutable; its name memo is bounded and pure)."""
    return field_detector(
        dict(hints),
        person_keys=person_keys,
        location_keys=location_keys,
        name_keys=name_keys,
        password_keys=password_keys,
        enabled=enabled.__contains__,
    )


def _ner_detectors(policy: Policy) -> list[Detector]:
    """The optional NER backend of ``policy.ner``, listed after the pattern detectors so that
    they win ties."""
    spec = policy.ner
    if spec.backend is None:
        return []
    from tracemask.detectors.ner import build_ner  # noqa: PLC0415 - only NER policies need it

    entities = [e for e in spec.entities if policy.rule(e).enabled]
    if not entities:
        return []
    options = {**spec.options, "min_chars": spec.min_chars}
    return [build_ner(spec.backend, spec.model, entities, **options)]

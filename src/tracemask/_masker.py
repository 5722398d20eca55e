"""``Masker``: the one entry point, a small facade over a :class:`CompiledPolicy`."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from tracemask._compiled import CompiledPolicy, Context
from tracemask._finding import Finding
from tracemask._paths import PathSegment, render_path
from tracemask._report import Report
from tracemask._walker import Walk
from tracemask.exceptions import MaskingError, PolicyError, TracemaskError
from tracemask.operators import BUILTIN_OPERATORS
from tracemask.policy import Policy, load_policy
from tracemask.typing import Detector, Operator

T = TypeVar("T")

#: Items of ``mask_many`` whose strings a prefetching detector (NER) sees in one batch.
PREFETCH_BATCH = 64


class Masker:
    """Masks personal data and secrets in strings and JSON-like values.

    Args:
        policy: a :class:`~tracemask.Policy`, a dict, a path to a YAML policy, a preset name, or
            ``None`` for ``$TRACEMASK_POLICY`` or else the default policy.
        profile: a profile of the policy to apply (``None``: ``$TRACEMASK_PROFILE``).
        backend: prefilter engine: ``"auto"`` (Hyperscan when installed), ``"hyperscan"``, ``"re"``.
        detectors: user detectors, any objects fitting :class:`tracemask.typing.Detector`
            (``name``, ``entity``, ``detect(text)`` returning :class:`~tracemask.Finding`);
            they run after the built-in ones, and their entity is configured in the policy like
            any other.
        operators: user operators by name, objects fitting :class:`tracemask.typing.Operator`
            (``scope_kind`` and ``apply(value, entity, scope="")``); the policy names them as
            ``{"type": name}`` wherever it names an operator.

    Raises:
        PolicyError: the policy is invalid (the message names the field), a keyed operator
            has no key, or a user operator's name is taken by a built-in one.

    A ``Masker`` is immutable after construction and safe to share between threads.
    """

    def __init__(
        self,
        policy: Policy | Mapping[str, Any] | str | os.PathLike[str] | None = None,
        *,
        profile: str | None = None,
        backend: str = "auto",
        detectors: Sequence[Detector] = (),
        operators: Mapping[str, Operator] | None = None,
    ) -> None:
        operators = dict(operators or {})
        _check_extensions(detectors, operators)
        self.policy = load_policy(
            policy, profile=profile, operators=operators, entities={d.entity for d in detectors}
        )
        #: Everything built from the policy: engine, rules, caches, stores (see ``_compiled``).
        self.compiled = CompiledPolicy(
            self.policy, backend=backend, detectors=detectors, operators=operators
        )
        #: Scope kinds (``"trace"``, ``"session"``…) some operator's output depends on.
        self.scope_kinds: tuple[str, ...] = self.compiled.scope_kinds

    def __repr__(self) -> str:
        return f"<Masker detectors={len(self.compiled.engine.detectors)} backend={self.backend}>"

    @property
    def backend(self) -> str:
        """The prefilter engine in use: ``"hyperscan"`` or ``"re"``."""
        return self.compiled.backend

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
        ctx = self.compiled.context(scope)
        if self.compiled.prefetchers:
            self._prefetch([obj])
        return self._mask(obj, report, ctx, ())

    def mask_many(
        self,
        objs: Iterable[T],
        *,
        report: Report | None = None,
        scope: Mapping[str, str] | None = None,
    ) -> Iterator[T]:
        """Mask each of ``objs`` as :meth:`mask` would, lazily, in order.

        The per-call work (scope resolution, cache lookup) is done once for the batch; all
        items share ``scope`` (so a fresh id drawn for an unnamed kind links the batch's
        pseudonyms, as one call would). Errors name the item's index in the path (``[3].a``).
        """
        ctx = self.compiled.context(scope)
        if not self.compiled.prefetchers:
            return (self._mask(obj, report, ctx, (), item=i) for i, obj in enumerate(objs))
        return self._batched(iter(objs), report, ctx)

    def _batched(self, objs: Iterator[T], report: Report | None, ctx: Context) -> Iterator[T]:
        """``mask_many`` with prefetching detectors: each batch's strings are prefetched first."""
        index = 0
        while batch := list(itertools.islice(objs, PREFETCH_BATCH)):
            self._prefetch(batch)
            for obj in batch:
                yield self._mask(obj, report, ctx, (), item=index)
                index += 1

    def _prefetch(self, objs: Iterable[Any]) -> None:
        texts = list(_strings(objs))
        # A failure here is not the caller's error: detect() redoes the work and fails closed.
        with contextlib.suppress(Exception):
            for detector in self.compiled.prefetchers:
                detector.prefetch(texts)

    def mask_text(self, text: str, *, scope: Mapping[str, str] | None = None) -> str:
        """Return ``text`` with every finding replaced (plain text: no JSON decoding)."""
        return self.compiled.mask_string(text, self.compiled.context(scope))[0]

    def detect(self, text: str) -> list[Finding]:
        """Return the findings in ``text``: sorted, non-overlapping, above their thresholds."""
        return self.compiled.engine.detect(text)

    def scan(self, obj: Any) -> Report:
        """Return a :class:`Report` of what :meth:`mask` would mask in ``obj``."""
        report = Report()
        self.mask(obj, report=report)
        return report

    def _mask(
        self,
        obj: T,
        report: Report | None,
        ctx: Context,
        base: tuple[PathSegment, ...],
        *,
        item: int | None = None,
    ) -> T:
        # ``item`` (a batch item's index) names the item in errors only: path rules and report
        # paths are those of the item alone, as ``mask`` sees them (with the index in front, a
        # path rule ``user.email`` matched nothing in ``mask_many``: its values went out).
        walk = Walk(self.compiled, report, ctx, base)
        try:
            masked, _ = walk.run(obj)
        except TracemaskError:
            raise
        except Exception as exc:  # noqa: BLE001 - any bug must surface as MaskingError, no value
            prefix: tuple[PathSegment, ...] = () if item is None else (item,)
            where = self._safe_path(walk, ctx, prefix)
            raise MaskingError(f"masking failed at {where}: {type(exc).__name__}") from None
        return masked  # type: ignore[no-any-return]

    def _safe_path(self, walk: Walk, ctx: Context, prefix: tuple[PathSegment, ...] = ()) -> str:
        """The failing path for an error message, itself masked: keys can hold personal data."""
        try:
            path = render_path((*prefix, *walk.leaf_path()))
            return self.compiled.mask_string(path, ctx)[0] or "(root)"
        except Exception:  # noqa: BLE001 - the engine itself may be what failed
            return "(path withheld)"


def _check_extensions(detectors: Sequence[Detector], operators: Mapping[str, Operator]) -> None:
    """Fail at construction, naming the culprit, when a user extension does not fit."""
    for det in detectors:
        if not isinstance(det, Detector):
            raise TypeError(
                f"detector {det!r} does not fit tracemask.typing.Detector "
                "(it needs name, entity and detect(text))"
            )
    for name, op in operators.items():
        if name in BUILTIN_OPERATORS:
            raise PolicyError(f"operators: {name!r} is a built-in operator's name")
        if not isinstance(op, Operator):
            raise TypeError(
                f"operator {name!r} does not fit tracemask.typing.Operator "
                "(it needs scope_kind and apply(value, entity, scope=''))"
            )


def _strings(values: Iterable[Any]) -> Iterator[str]:
    """The strings in dicts, lists and tuples of ``values`` (what prefetching sees)."""
    stack = list(values)
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)

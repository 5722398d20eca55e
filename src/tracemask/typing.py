"""Public contracts of tracemask, as structural protocols.

Any object that has the right shape is accepted; no base class is required:
``Masker(policy, detectors=[...], operators={...})`` takes user detectors and operators as they
are. The optional extensions (:class:`TriggeredDetector`, :class:`BindableOperator`) are
recognised by shape too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeGuard, Union, runtime_checkable

if TYPE_CHECKING:
    from tracemask._finding import Finding

#: A JSON-like value as tracemask walks it: scalars, mappings and sequences.
JSONValue = Union[  # noqa: UP007 - a runtime alias with string forward references
    str, int, float, bool, None, Mapping[str, "JSONValue"], Sequence["JSONValue"]
]


@runtime_checkable
class Detector(Protocol):
    """Finds sensitive spans in a string.

    ``detect`` returns findings with ``start``/``end`` as Python ``str`` offsets (end exclusive).
    """

    @property
    def name(self) -> str:
        """The detector's name, reported in findings."""
        ...

    @property
    def entity(self) -> str:
        """The entity it reports (a detector may report more than one; this is the main one)."""
        ...

    def detect(self, text: str) -> Iterable[Finding]:
        """Return the findings of this detector in ``text``."""
        ...


@runtime_checkable
class TriggeredDetector(Detector, Protocol):
    """A detector the engine runs only on strings its ``trigger`` matches.

    ``trigger`` is a regex in the subset Python ``re`` (ASCII) and Hyperscan share, matched once
    per string by the one-pass prefilter; it must match wherever the detector can find something
    (a necessary condition). An empty trigger means "run on every string".
    """

    @property
    def trigger(self) -> str:
        """The prefilter regex."""
        ...

    @property
    def ignore_case(self) -> bool:
        """Whether ``trigger`` is matched case-insensitively."""
        ...


@runtime_checkable
class FieldAwareDetector(Detector, Protocol):
    """A detector that reads evidence from the name of the field holding a string.

    The walker hands each string's field name (nearest dict key or named-entry name) to the
    engine, which asks these detectors first.
    """

    def field_evidence(self, field: str) -> str | None:
        """A short, value-free summary of what ``field`` says (``"PHONE_NUMBER/phone"``), or
        ``None`` when the name says nothing. Results are cached per text and summary."""
        ...

    def field_findings(self, text: str, field: str) -> list[Finding] | None:
        """Findings that ``field`` supports in its value ``text``; ``None`` when the field
        says nothing."""
        ...


@runtime_checkable
class PrefetchingDetector(Detector, Protocol):
    """A detector that is faster over many strings at once (an NER model runs in batches).

    ``Masker.mask`` and ``mask_many`` call ``prefetch`` with the strings of the value (or of a
    batch of values) before masking them; the following ``detect`` calls are answered from
    what it computed.
    """

    def prefetch(self, texts: Iterable[str]) -> None:
        """Work on ``texts`` now, for the ``detect`` calls that follow."""
        ...


@runtime_checkable
class Operator(Protocol):
    """Turns one sensitive value into what is written in its place."""

    @property
    def scope_kind(self) -> str | None:
        """The scope kind (``"trace"``…) whose id the output depends on, or ``None``."""
        ...

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        """Return the replacement for ``value`` of kind ``entity``; ``scope`` is the call's
        trace/session/tenant id for operators whose output depends on one."""
        ...


@runtime_checkable
class PseudonymStore(Protocol):
    """Assigns stable per-scope numbers to digests (``<PERSON_1>``, ``<PERSON_2>``…)."""

    def number(self, scope: str, entity: str, digest: str) -> int:
        """The number of ``digest`` among values of ``entity`` in ``scope`` (1, 2, …)."""
        ...


class StoreOpener(Protocol):
    """The pseudonym stores of one compiled policy, by spec (``"memory"``, ``"sqlite:PATH"``)."""

    def open(self, spec: str) -> PseudonymStore:
        """The store named ``spec``, opened once per compiled policy."""
        ...


@runtime_checkable
class BindableOperator(Operator, Protocol):
    """An operator that needs resources before it runs (keys, pseudonym stores).

    The compiled policy calls ``bind`` once with its own stores and uses the returned operator.
    """

    def bind(self, stores: StoreOpener | None = None) -> Operator:
        """Return the operator ready to run; raise ``PolicyError`` if it cannot be."""
        ...


# Fast shape checks for the engine's hot set-up path: ``isinstance`` with a runtime-checkable
# protocol costs ~0.1 ms on Python 3.11, and a policy compiles ~50 detectors. Each checks what
# its protocol requires, and no more.


def is_triggered(detector: Detector) -> TypeGuard[TriggeredDetector]:
    """Whether ``detector`` has a prefilter ``trigger`` (see :class:`TriggeredDetector`)."""
    return isinstance(getattr(detector, "trigger", None), str) and hasattr(detector, "ignore_case")


def is_field_aware(detector: Detector) -> TypeGuard[FieldAwareDetector]:
    """Whether ``detector`` reads field names (see :class:`FieldAwareDetector`)."""
    return callable(getattr(detector, "field_findings", None)) and callable(
        getattr(detector, "field_evidence", None)
    )


def is_prefetching(detector: Detector) -> TypeGuard[PrefetchingDetector]:
    """Whether ``detector`` works in batches (see :class:`PrefetchingDetector`)."""
    return callable(getattr(detector, "prefetch", None))


def is_bindable(operator: Operator) -> TypeGuard[BindableOperator]:
    """Whether ``operator`` needs binding before it runs (see :class:`BindableOperator`)."""
    return callable(getattr(operator, "bind", None))

"""Public contracts of tracemask, as structural protocols.

Any object that has the right shape is accepted; no base class is required.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, Union, runtime_checkable

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

"""The base of every operator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from tracemask.typing import StoreOpener


class _Operator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @property
    def scope_kind(self) -> str | None:
        """Which id of a masking call's scope the output depends on (``None``: none).

        Pseudonyms use it so that one value maps to one token per trace, session or tenant.
        """
        return None

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        """Return what replaces ``value``, a sensitive value of kind ``entity``.

        ``scope`` is the id of the operator's :attr:`scope_kind` for this call (a trace id, a
        session id); operators without a scope ignore it.
        """
        raise NotImplementedError

    def bind(self, stores: StoreOpener | None = None) -> _Operator:
        """Return the operator ready to run (keys resolved, stores opened in ``stores``, the
        compiled policy's; ``None``: private ones); raise ``PolicyError`` if it cannot."""
        del stores
        return self

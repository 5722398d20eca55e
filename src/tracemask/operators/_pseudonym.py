"""``pseudonymize``: one value, one stable token per scope, without storing values."""

from __future__ import annotations

import sqlite3
from typing import Literal

from pydantic import Field, PrivateAttr

from tracemask.exceptions import PolicyError
from tracemask.operators._keyed import _Keyed
from tracemask.operators._normalize import normalize
from tracemask.operators._stores import PseudonymStore, Stores
from tracemask.typing import StoreOpener

#: Scopes a pseudonym can be stable within. ``global`` links a value across every trace.
ScopeKind = Literal["global", "trace", "session", "tenant"]


class Pseudonymize(_Keyed):
    """Replace a value with a token that is the same wherever the value appears in a scope.

    ``style="hash"`` writes ``<PERSON_7f3a9c21>``: a keyed HMAC of the normalised value, the
    scope id and the entity, so nothing is stored and nothing can be reversed or linked to
    another scope without the key. ``style="counter"`` writes ``<PERSON_1>``, ``<PERSON_2>``…:
    numbers assigned in order of first appearance in the scope and kept in ``store``
    (``"memory"``: this process; ``"sqlite:PATH"``: every process using that file), which holds
    keyed digests only.

    Values are normalised per entity first (emails lower-cased, phones in E.164, cards without
    separators), so variants of one value get one token.
    """

    type: Literal["pseudonymize"] = "pseudonymize"
    scope: ScopeKind = "global"
    style: Literal["hash", "counter"] = "hash"
    length: int = Field(default=8, ge=6, le=32)
    store: str = "memory"
    _store: PseudonymStore | None = PrivateAttr(default=None)

    @property
    def scope_kind(self) -> str | None:
        return None if self.scope == "global" else self.scope

    def bind(self, stores: StoreOpener | None = None) -> Pseudonymize:
        bound = super().bind()
        assert isinstance(bound, Pseudonymize)
        if bound is self:  # the policy's own instance stays unbound
            bound = self.model_copy()
        if self.style == "counter":
            try:
                bound._store = (stores or Stores()).open(self.store)
            except (ValueError, sqlite3.Error, OSError) as exc:
                raise PolicyError(f"operator 'pseudonymize': store: {exc}") from None
        return bound

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        digest = self.digest(self.scope, scope, entity, normalize(entity, value)).hex()
        if self.style == "hash":
            return f"<{entity}_{digest[: self.length]}>"
        if self._store is None:
            raise PolicyError("operator 'pseudonymize' used before its store was bound")
        # The store sees a keyed digest of the scope too: session ids can be personal data.
        scope_digest = self.digest("scope", self.scope, scope).hex()[:32]
        return f"<{entity}_{self._store.number(scope_digest, entity, digest)}>"

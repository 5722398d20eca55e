"""``encrypt``: reversible masking for holders of the key (``tracemask decrypt``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, PrivateAttr, model_validator

from tracemask.encryption._aead import require
from tracemask.encryption._keyring import KeyRing
from tracemask.encryption._sources import DEFAULT_KEYS_ENV, load_keyring
from tracemask.encryption._token import TOKEN, seal
from tracemask.exceptions import KeyRingError, PolicyError
from tracemask.operators._base import _Operator

if TYPE_CHECKING:
    from tracemask.typing import StoreOpener

__all__ = ["TOKEN", "Encrypt"]


class Encrypt(_Operator):
    """Replace the value with ``<ENTITY:enc:v1:KEY_ID:…>``: deterministic AES-SIV encryption.

    Equal values give equal tokens (joins and counts still work); the entity is authenticated
    with the value, so a token moved to another entity does not decrypt. Keys come from
    ``key_provider`` (``"module:attribute"``), else ``keys_file``, else the environment
    variable ``keys_env``; ``key_id`` picks the encrypting key (default: the ring's active
    key). Needs the ``encryption`` extra (``cryptography``).
    """

    type: Literal["encrypt"] = "encrypt"
    key_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]{1,32}$")
    keys_env: str = Field(default=DEFAULT_KEYS_ENV, min_length=1)
    keys_file: str | None = Field(default=None, min_length=1)
    key_provider: str | None = Field(default=None, pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
    _ring: KeyRing | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_source(self) -> Encrypt:
        if self.keys_file is not None and self.key_provider is not None:
            raise ValueError("set keys_file or key_provider, not both")
        return self

    def _source_field(self) -> str:
        if self.key_provider is not None:
            return "key_provider"
        return "keys_file" if self.keys_file is not None else "keys_env"

    def bind(self, stores: StoreOpener | None = None) -> Encrypt:
        del stores
        try:
            require("operator 'encrypt'")
        except ImportError as exc:
            raise PolicyError(str(exc)) from None
        try:
            ring = load_keyring(
                keys_env=self.keys_env, keys_file=self.keys_file, key_provider=self.key_provider
            )
        except KeyRingError as exc:
            raise PolicyError(f"operator 'encrypt': {self._source_field()}: {exc}") from None
        if self.key_id is not None:
            if self.key_id not in ring:
                raise PolicyError(
                    f"operator 'encrypt': key_id: key '{self.key_id}' is not in the key ring "
                    f"({', '.join(ring.ids)} loaded from {self._source_field()})"
                )
            ring = ring.with_active(self.key_id)
        bound = self.model_copy()  # the policy's own instance stays unbound
        bound._ring = ring
        return bound

    @property
    def keyring(self) -> KeyRing | None:
        """The keys resolved by :meth:`bind` (``None`` before); ids only in its repr."""
        return self._ring

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        if self._ring is None:
            raise PolicyError("operator 'encrypt' used before its keys were bound")
        return seal(self._ring, self._ring.active, entity, value)

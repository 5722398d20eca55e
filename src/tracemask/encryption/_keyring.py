"""``KeyRing``: encryption keys by id, one of them active for encrypting."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from tracemask.encryption._aead import siv
from tracemask.exceptions import KeyRingError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV

#: What a key id may be: it is written into every token, so short and URL-safe.
KEY_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}\Z")
#: AES-SIV key sizes in bytes (AES-128, AES-192 and AES-256 in SIV mode: two keys each).
KEY_SIZES = (32, 48, 64)


def check_key_id(key_id: str) -> str:
    """Return ``key_id`` if it is a valid key id, else raise :class:`KeyRingError`."""
    if not isinstance(key_id, str) or not KEY_ID.match(key_id):
        raise KeyRingError("a key id is 1-32 characters from A-Z a-z 0-9 _ . -")
    return key_id


class KeyRing:
    """Encryption keys by id: the ``active`` key encrypts, every key in the ring decrypts.

    A token names the id of the key that made it, so keys rotated out of active use still
    decrypt as long as they stay in the ring. Key bytes never appear in the ring's repr, in
    errors or in logs; there is deliberately no public accessor for them.
    """

    __slots__ = ("_active", "_ciphers", "_keys")

    def __init__(self, keys: Mapping[str, bytes], active: str | None = None) -> None:
        """``keys`` maps key ids to 32, 48 or 64 random bytes; ``active`` defaults to the first."""
        if not keys:
            raise KeyRingError("the key ring is empty")
        checked: dict[str, bytes] = {}
        for key_id, key in keys.items():
            check_key_id(key_id)
            if not isinstance(key, (bytes, bytearray)):
                raise KeyRingError(f"key '{key_id}': expected bytes, got {type(key).__name__}")
            if len(key) not in KEY_SIZES:
                raise KeyRingError(
                    f"key '{key_id}': {len(key)} bytes; AES-SIV keys are 32, 48 or 64 bytes"
                )
            checked[key_id] = bytes(key)
        if active is None:
            active = next(iter(checked))
        elif active not in checked:
            raise KeyRingError(
                f"active key '{active}' is not in the key ring ({self._list(checked)})"
            )
        self._keys = checked
        self._active = active
        # AESSIV objects by key id, made on first use (races only cost a recomputation).
        self._ciphers: dict[str, AESSIV] = {}

    @staticmethod
    def _list(keys: Mapping[str, bytes]) -> str:
        return "has " + ", ".join(keys)

    @property
    def active(self) -> str:
        """The id of the key that encrypts."""
        return self._active

    @property
    def ids(self) -> tuple[str, ...]:
        """Every key id in the ring, in order."""
        return tuple(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"KeyRing(ids={self.ids!r}, active={self._active!r})"

    def with_active(self, key_id: str) -> KeyRing:
        """A copy of the ring in which ``key_id`` (already in the ring) encrypts."""
        return KeyRing(self._keys, active=key_id)

    def without(self, key_id: str) -> KeyRing:
        """A copy of the ring without ``key_id``: its tokens no longer decrypt."""
        keys = {k: v for k, v in self._keys.items() if k != key_id}
        return KeyRing(keys, active=None if key_id == self._active else self._active)

    def merged(self, other: KeyRing) -> KeyRing:
        """A ring with ``self``'s keys, then ``other``'s (``self`` wins on equal ids), and
        ``self``'s active key: how a new key joins the ones still needed to decrypt."""
        extra = {k: v for k, v in other._keys.items() if k not in self._keys}
        return KeyRing({**self._keys, **extra}, active=self._active)

    def cipher(self, key_id: str) -> AESSIV:
        """The AES-SIV cipher of ``key_id``; raise ``KeyError`` when the ring has no such key.

        Raises ``ImportError`` (naming the ``encryption`` extra) without ``cryptography``.
        """
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            cipher = siv(self._keys[key_id])
            self._ciphers[key_id] = cipher
        return cipher

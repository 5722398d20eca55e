"""Operators that need a secret key: the key's sources and the keyed digest they share."""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import TYPE_CHECKING

from pydantic import SecretStr

from tracemask.exceptions import PolicyError
from tracemask.operators._base import _Operator

if TYPE_CHECKING:
    from tracemask.typing import StoreOpener


class _Keyed(_Operator):
    """An operator whose output is derived from an HMAC-SHA256 key.

    The key comes from ``key`` (discouraged in files) or the environment variable ``key_env``.
    Without a key a digest of a low-entropy value (a phone number) could be reversed by brute
    force, so there is no unkeyed mode.
    """

    key_env: str = "TRACEMASK_HASH_KEY"
    key: SecretStr | None = None

    def bind(self, stores: StoreOpener | None = None) -> _Keyed:
        del stores
        if self.key is not None:
            return self
        raw = os.environ.get(self.key_env)
        if not raw:
            raise PolicyError(
                f"operator '{self.type}': no key; set the environment variable {self.key_env} "  # type: ignore[attr-defined]
                "or 'key' in the policy"
            )
        return self.model_copy(update={"key": SecretStr(raw)})

    def digest(self, *parts: str) -> bytes:
        """HMAC-SHA256 of ``parts`` (NUL-separated, so that no two part lists collide)."""
        if self.key is None:
            raise PolicyError(f"operator '{self.type}' used before its key was bound")  # type: ignore[attr-defined]
        data = b"\x00".join(p.encode("utf-8", "surrogatepass") for p in parts)
        return hmac.new(self.key.get_secret_value().encode(), data, hashlib.sha256).digest()

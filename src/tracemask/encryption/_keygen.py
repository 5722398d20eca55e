"""New keys: random bytes from the OS, written as ``KEY_ID:BASE64_KEY`` lines."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime, timezone

from tracemask.encryption._keyring import KEY_SIZES, check_key_id
from tracemask.exceptions import KeyRingError


def generate_key(size: int = 64) -> bytes:
    """A new random AES-SIV key of ``size`` bytes (64: AES-256-SIV, the default; 32 or 48)."""
    if size not in KEY_SIZES:
        raise KeyRingError(f"key size {size}: AES-SIV keys are 32, 48 or 64 bytes")
    return secrets.token_bytes(size)


def new_key_id() -> str:
    """A fresh key id that sorts by creation date: ``k20250115-3f9a``."""
    return f"k{datetime.now(timezone.utc):%Y%m%d}-{secrets.token_hex(2)}"


def key_line(key_id: str, key: bytes) -> str:
    """``KEY_ID:BASE64_KEY``: one entry of a key file or of ``$TRACEMASK_ENCRYPTION_KEYS``."""
    check_key_id(key_id)
    return f"{key_id}:{base64.b64encode(key).decode('ascii')}"

"""Reversible masking: the ``encrypt`` operator's keys, and authorized decryption.

The ``encrypt`` operator (:class:`tracemask.operators.Encrypt`) writes
``<ENTITY:enc:v1:KEY_ID:…>`` tokens with deterministic AES-SIV; :func:`decrypt` and
:func:`decrypt_text` (and ``tracemask decrypt``) restore the values for holders of the key.
Keys live in a :class:`KeyRing` loaded from an environment variable, a file or a
:class:`KeyProvider`. See docs/encryption.md. Needs the ``encryption`` extra to encrypt or
decrypt; loading keys and :func:`generate_key` do not.
"""

from __future__ import annotations

from tracemask.encryption._decrypt import Restored, decrypt, decrypt_text
from tracemask.encryption._keygen import generate_key, key_line, new_key_id
from tracemask.encryption._keyring import KEY_SIZES, KeyRing
from tracemask.encryption._sources import (
    DEFAULT_KEYS_ENV,
    KeyProvider,
    from_env,
    from_file,
    from_provider,
    load_keyring,
    parse_keys,
)
from tracemask.encryption._token import TOKEN
from tracemask.exceptions import DecryptionError, KeyRingError

__all__ = [
    "DEFAULT_KEYS_ENV",
    "KEY_SIZES",
    "TOKEN",
    "DecryptionError",
    "KeyProvider",
    "KeyRing",
    "KeyRingError",
    "Restored",
    "decrypt",
    "decrypt_text",
    "from_env",
    "from_file",
    "from_provider",
    "generate_key",
    "key_line",
    "load_keyring",
    "new_key_id",
    "parse_keys",
]

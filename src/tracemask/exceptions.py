"""Errors raised by tracemask.

Every message names *what* and *where* (a policy field, a file and line, a JSON path) and never
carries a raw value from the data being masked.
"""

from __future__ import annotations


class TracemaskError(Exception):
    """Base class of every error tracemask raises on purpose."""


class PolicyError(TracemaskError, ValueError):
    """A policy could not be loaded or validated; the message names the field and the reason."""


class MaskingError(TracemaskError):
    """Masking a value failed; the message names the JSON path, never the value."""


class InputError(TracemaskError, ValueError):
    """Input data could not be read (malformed JSON, unknown format); names file and line."""


class KeyRingError(TracemaskError, ValueError):
    """Encryption keys could not be loaded; names the source (variable, file and line, provider)
    and never key material."""


class DecryptionError(TracemaskError):
    """A token could not be decrypted (unknown key id, wrong key, tampered or moved token).

    The message names where (JSON path or line and column) and the key id, never a value.
    """

"""The one place that imports ``cryptography`` (an optional extra), lazily."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV

#: How to get the extra; prefixed with what needs it ("operator 'encrypt' needs ...").
MISSING = "needs cryptography: pip install 'tracemask[encryption]'"


def require(who: str = "tracemask encryption") -> None:
    """Raise ``ImportError("<who> needs cryptography: pip install ...")`` without the extra."""
    try:
        import cryptography.hazmat.primitives.ciphers.aead  # noqa: F401, PLC0415
    except ImportError as exc:
        raise ImportError(f"{who} {MISSING}", name=exc.name) from None


def siv(key: bytes) -> AESSIV:
    """An AES-SIV cipher for ``key``; ``ImportError`` naming the extra without it."""
    require()
    from cryptography.hazmat.primitives.ciphers.aead import AESSIV  # noqa: PLC0415

    return AESSIV(key)


def invalid_tag() -> type[Exception]:
    """The exception AES-SIV raises when a ciphertext does not authenticate."""
    require()
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415

    return InvalidTag

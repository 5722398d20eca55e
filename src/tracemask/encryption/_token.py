"""The encrypted token: ``<ENTITY:enc:v1:KEY_ID:CIPHERTEXT>``, made and opened."""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING

from tracemask.encryption._aead import invalid_tag

if TYPE_CHECKING:
    from tracemask.encryption._keyring import KeyRing

#: An encrypted token: entity, format version, key id, unpadded base64url of the AES-SIV output.
#: The masking engine recognises the same grammar as already masked (``tracemask._tokens``).
TOKEN = re.compile(
    r"<(?P<entity>[A-Z][A-Z0-9_/]*):enc:v(?P<version>[0-9]+)"
    r":(?P<kid>[A-Za-z0-9_.-]{1,32}):(?P<data>[A-Za-z0-9_-]+)>"
)
#: The token format this module writes and reads.
VERSION = 1
#: Bound into every ciphertext with the entity, so that a token cannot be replayed under another
#: format version or entity (AES-SIV authenticates the associated data).
_CONTEXT = b"tracemask:enc:v1"
#: First plaintext byte: the payload format (UTF-8 text). It also keeps the plaintext non-empty,
#: which older ``cryptography`` releases require of AES-SIV.
_TEXT = b"\x00"
_ENTITY = re.compile(r"[A-Z][A-Z0-9_/]*\Z")
_NOT_ENTITY = re.compile(r"[^A-Z0-9_/]")


class TokenError(Exception):
    """Why one token did not open; the message names the key id, never a value."""


def token_entity(entity: str) -> str:
    """``entity`` as the token grammar allows (``[A-Z][A-Z0-9_/]*``); valid names are unchanged.

    Key and path rules may name any entity (``customer-ref``): the token shows, and the
    ciphertext is bound to, this spelling, which is what decryption reads back.
    """
    if _ENTITY.match(entity):
        return entity
    name = _NOT_ENTITY.sub("_", entity.upper())
    return name if name[:1].isalpha() else f"X{name}"


def _associated(entity: str) -> list[bytes]:
    return [_CONTEXT, entity.encode("ascii")]


def seal(ring: KeyRing, key_id: str, entity: str, value: str) -> str:
    """Encrypt ``value`` of kind ``entity`` with key ``key_id`` of ``ring`` into a token.

    Deterministic: equal ``(key, entity, value)`` give equal tokens, so joins still work.
    """
    name = token_entity(entity)
    plaintext = _TEXT + value.encode("utf-8", "surrogatepass")
    sealed = ring.cipher(key_id).encrypt(plaintext, _associated(name))
    data = base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")
    return f"<{name}:enc:v{VERSION}:{key_id}:{data}>"


def unseal(ring: KeyRing, match: re.Match[str]) -> str:
    """The value of the token ``match`` (a :data:`TOKEN` match); raise :class:`TokenError`."""
    entity, version, key_id, data = match.group("entity", "version", "kid", "data")
    if int(version) != VERSION:
        raise TokenError(f"token format v{version} is not supported (this tracemask reads v1)")
    if key_id not in ring:
        raise TokenError(f"key '{key_id}' is not in the key ring ({', '.join(ring.ids)} loaded)")
    try:
        sealed = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        sealed = b""
    # A changed last character can decode to the same bytes (unused low bits): refuse anything
    # but the canonical encoding, so that every edit of a token is reported.
    if base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii") != data:
        raise TokenError(f"token is malformed (not canonical base64url; key '{key_id}')")
    try:
        plaintext = ring.cipher(key_id).decrypt(sealed, _associated(entity))
    except (invalid_tag(), ValueError):
        raise TokenError(
            f"token does not authenticate with key '{key_id}' "
            "(wrong key, edited token, or token moved to another entity)"
        ) from None
    if plaintext[:1] != _TEXT:
        raise TokenError(f"token payload format is unknown (key '{key_id}')")
    try:
        return plaintext[1:].decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise TokenError(f"token payload is not text (key '{key_id}')") from None

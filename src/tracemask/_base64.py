"""Base64 that holds text: decoded, masked and re-encoded in its own style.

Payloads carry UTF-8 JSON or text as base64: OTLP ``bytesValue`` attributes, data URLs
(``data:application/json;base64,…``), message queue bodies, tool results, URL-safe tokens of
JSON. A value inside is readable by anyone who decodes it. :func:`decode` recognises such a
string (cheap gates first: length, no space, ASCII, the alphabet; then a decode that must give
printable UTF-8); :func:`encode` writes masked text back in the same alphabet (standard or
URL-safe), padding and data-URL header. Binary (images, protobuf, random keys) decodes to
something that is not text and stays untouched; so do hex ids and digests.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

#: Shortest base64 considered (12 bytes): shorter strings are ids and words.
MIN_LENGTH = 16
#: Longest base64 considered (characters).
MAX_LENGTH = 16_000_000

_ALPHABET = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_HEX = frozenset("0123456789abcdefABCDEF")
#: Data URL media types that are binary by definition.
_BINARY_MEDIA = ("image/", "audio/", "video/", "font/", "application/octet-stream",
                 "application/pdf", "application/zip", "application/x-protobuf")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Encoded:
    """A base64 string's decoded text and how to write it back."""

    text: str
    prefix: str  # a data URL's header, up to and including the comma
    urlsafe: bool
    padded: bool


def decode(value: str) -> Encoded | None:
    """The text ``value`` encodes as base64, or ``None`` (not base64, or binary)."""
    n = len(value)
    if n < MIN_LENGTH or n > MAX_LENGTH:
        return None
    prefix = ""
    payload = value
    if value.startswith("data:"):
        comma = value.find(",", 5, 256)
        header = value[:comma] if comma > 0 else ""
        if not header.endswith(";base64") or header[5:].startswith(_BINARY_MEDIA):
            return None
        prefix, payload = value[: comma + 1], value[comma + 1 :]
    elif " " in value or not value.isascii():
        return None
    if len(payload) < MIN_LENGTH or _ALPHABET.fullmatch(payload) is None:
        return None
    body = payload.rstrip("=")
    if len(body) % 4 == 1 or set(body) <= _HEX:
        return None  # impossible length, hex ids and digests
    urlsafe = "-" in body or "_" in body
    if urlsafe and ("+" in body or "/" in body):
        return None
    try:
        raw = base64.b64decode(
            body + "=" * (-len(body) % 4), altchars=b"-_" if urlsafe else None, validate=True
        )
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not _is_text(text):
        return None
    # Unpadded base64 shows as a length that is no multiple of 4; a multiple of 4 without "="
    # is standard padded base64 that needed none.
    return Encoded(text, prefix, urlsafe, payload.endswith("=") or len(payload) % 4 == 0)


def encode(encoded: Encoded, text: str) -> str:
    """``text`` as base64 in the style of ``encoded``."""
    raw = text.encode("utf-8")
    out = (base64.urlsafe_b64encode(raw) if encoded.urlsafe else base64.b64encode(raw)).decode()
    if not encoded.padded:
        out = out.rstrip("=")
    return encoded.prefix + out


def _is_text(text: str) -> bool:
    """Printable text (line breaks and tabs allowed) with a letter: not a binary blob."""
    if not text or not any(c.isalpha() for c in text[:64]):
        return False
    return text.replace("\n", " ").replace("\r", " ").replace("\t", " ").isprintable()

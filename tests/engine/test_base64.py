"""Base64 holding text or JSON is decoded, masked and re-encoded; binary stays."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker
from tracemask._base64 import decode, encode

DOC = {"phone": "+44 20 7946 0958", "email": "jane.doe@example.com", "note": "call me"}
TEXT = "contact: jane.doe@example.com, card 4111 1111 1111 1111"


def _std(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_json_inside_base64_is_walked(masker: Masker) -> None:
    out = masker.mask({"payload": _std(json.dumps(DOC).encode())})
    inner = json.loads(base64.b64decode(out["payload"]))
    assert inner == {"phone": "<PHONE_NUMBER>", "email": "<EMAIL_ADDRESS>", "note": "call me"}


@pytest.mark.parametrize(
    ("wrap", "unwrap"),
    [
        (_std, base64.b64decode),
        (_url, lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))),
        (
            lambda raw: "data:text/plain;base64," + _std(raw),
            lambda s: base64.b64decode(s.split(",", 1)[1]),
        ),
    ],
)
def test_text_inside_base64_in_its_own_style(masker: Masker, wrap, unwrap) -> None:  # type: ignore[no-untyped-def]
    encoded = wrap(TEXT.encode())
    out = masker.mask({"body": encoded})["body"]
    assert unwrap(out).decode() == masker.mask_text(TEXT)
    assert out.startswith("data:text/plain;base64,") == encoded.startswith("data:")
    assert out.endswith("=") <= encoded.endswith("=")  # unpadded stays unpadded


def test_otlp_bytes_value_keeps_its_type(masker: Masker) -> None:
    attr = {"key": "payload", "value": {"bytesValue": _std(json.dumps(DOC).encode())}}
    out = masker.mask({"attributes": [attr]})["attributes"][0]["value"]["bytesValue"]
    assert json.loads(base64.b64decode(out, validate=True))["email"] == "<EMAIL_ADDRESS>"


@pytest.mark.parametrize(
    "value",
    [
        _std(hashlib.sha384(b"an opaque binary id").digest()),  # random-looking, stable
        _std(bytes(range(256))),
        "data:image/png;base64," + _std(b"\x89PNG\r\n\x1a\n" + bytes(64)),
        "4bf92f3577b34da6a3ce929d0e0e4736",
        "550e8400-e29b-41d4-a716-446655440000",
        "b7e23ec29af22b0b4e41da31e868d57226121c84",
        _std(b"nothing personal in this text at all"),
    ],
)
def test_binary_ids_and_clean_text_stay(masker: Masker, value: str) -> None:
    assert masker.mask({"v": value}) == {"v": value}


def test_masking_is_idempotent(masker: Masker) -> None:
    once = masker.mask({"b": _std(TEXT.encode())})
    assert masker.mask(once) == once


def test_decode_gates() -> None:
    assert decode("short") is None
    assert decode("has a space in it, long enough") is None
    assert decode("ab" * 20) is None  # hex
    enc = decode(_url(b"hello world, hello base64"))
    assert enc is not None
    assert enc.urlsafe or not enc.padded
    assert encode(enc, enc.text) == _url(b"hello world, hello base64")


_LOCAL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12)
_MASKER = Masker()


@given(
    _LOCAL,
    st.text(alphabet="abcdefgh ,.:", max_size=30),
    st.sampled_from(["std", "url", "data"]),
)
def test_any_planted_email_is_masked_inside_base64(local: str, filler: str, style: str) -> None:
    email = f"{local}@example.org"
    raw = f"{filler} mail {email} {filler}".encode()
    value = {"std": _std(raw), "url": _url(raw), "data": "data:text/plain;base64," + _std(raw)}[
        style
    ]
    out = _MASKER.mask({"v": value})["v"]
    payload = out.split(",", 1)[1] if style == "data" else out
    decoded = base64.b64decode(payload + "=" * (-len(payload) % 4), altchars=b"-_")
    assert email.encode() not in decoded
    assert b"<EMAIL_ADDRESS>" in decoded

"""The pure helpers behind the secret detectors: entropy, checksums, decoding, shape filters."""

from __future__ import annotations

import base64
import json
import random
import string
import zlib

import pytest

from tracemask.detectors.secrets import _checks as checks

_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


def _reference_base62(number: int) -> str:
    """An independent base62 encoder, to check ``crc32_base62`` against."""
    out = ""
    while number:
        number, rem = divmod(number, 62)
        out = _B62[rem] + out
    return out.rjust(6, "0")


@pytest.mark.parametrize("seed", range(20))
def test_crc32_base62_matches_zlib_and_an_independent_base62(seed: int) -> None:
    body = "".join(random.Random(seed).choices(string.ascii_letters + string.digits, k=30))
    assert checks.crc32_base62(body) == _reference_base62(zlib.crc32(body.encode()))
    assert checks.has_valid_crc32_suffix(body + _reference_base62(zlib.crc32(body.encode())))


def test_crc32_suffix_rejects_a_changed_character() -> None:
    body = "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=30))
    token = body + checks.crc32_base62(body)
    broken = ("A" if token[3] != "A" else "B").join((token[:3], token[4:]))
    assert not checks.has_valid_crc32_suffix(broken)
    assert not checks.has_valid_crc32_suffix("short")
    assert not checks.has_valid_crc32_suffix("é" * 36)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", 0.0), ("aaaa", 0.0), ("ab", 1.0), ("abcd", 2.0), ("0123456789abcdef", 4.0)],
)
def test_shannon_entropy(value: str, expected: float) -> None:
    assert checks.shannon_entropy(value) == pytest.approx(expected)


def test_base62_encode_pads_and_handles_zero() -> None:
    assert checks.base62_encode(0) == "0"
    assert checks.base62_encode(61, 3) == "00z"
    assert checks.base62_encode(62) == "10"


@pytest.mark.parametrize(
    "raw", [b"", b"user:password", b"\xff\xfe\x00binary", b'{"alg":"HS256"}', b"a" * 31]
)
def test_b64decode_loose_round_trips_standard_and_urlsafe(raw: bytes) -> None:
    assert checks.b64decode_loose(base64.b64encode(raw).decode()) == raw
    assert checks.b64decode_loose(base64.urlsafe_b64encode(raw).decode().rstrip("=")) == raw


@pytest.mark.parametrize("value", ["a", "abcde", "not base64!", "ab$d"])
def test_b64decode_loose_rejects_non_base64(value: str) -> None:
    assert checks.b64decode_loose(value) is None


def test_decode_json_object() -> None:
    def segment(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")

    assert checks.decode_json_object(segment({"alg": "none"})) == {"alg": "none"}
    assert checks.decode_json_object(segment([1, 2])) is None
    assert checks.decode_json_object(segment("text")) is None
    assert checks.decode_json_object("eyJub3QganNvbg") is None  # '{"not json'


@pytest.mark.parametrize(
    "value",
    [
        "4bf92f3577b34da6a3ce929d0e0e4736",  # W3C trace id
        "00f067aa0ba902b7",  # span id
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",  # sha1 / git SHA
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # sha256
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # traceparent
        "123e4567-e89b-12d3-a456-426614174000",  # UUID
    ],
)
def test_hash_like_values(value: str) -> None:
    assert checks.is_hash_like(value)


@pytest.mark.parametrize("value", ["4bf92f3577b34da6a3ce929d0e0e47", "AIhq5Xyb1Gga9Q0x", "zz" * 16])
def test_not_hash_like(value: str) -> None:
    assert not checks.is_hash_like(value)


@pytest.mark.parametrize(
    ("value", "dummy"),
    [
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("sk-proj-xxxxxxxxxxxxxxxx", True),
        ("Zq8Lw3Nv6Tb1Hx123456", True),
        ("Zq8Lw3Nv6Tb1Hxfedcba", True),
        ("Zq8Lw3Nv6Tb1Hx000000", True),
        ("Zq8Lw3Nv6Tb1Hx9Kd4Rm", False),
        ("OsnN_there-are-not-the-keys-you-want", True),
        ("mcF-hLK_JoBxXUNJy1kU7-WSbk0", False),
    ],
)
def test_looks_dummy(value: str, dummy: bool) -> None:
    assert checks.looks_dummy(value) is dummy


def test_sequences_can_be_allowed_for_structured_tokens() -> None:
    assert checks.has_sequence("AgEAAAAAAB")
    assert not checks.looks_dummy("AgEAAAAAAB", sequences=False)


@pytest.mark.parametrize(
    ("value", "wordy"),
    [
        ("getUserPasswordHash", True),
        ("attached_file_0", True),
        ("claude-3-5-sonnet-20241022", True),
        ("text-embedding-3-small", True),
        ("YOUR_API_KEY", True),
        ("AIhq5Xyb1Gga9Q0", False),
        ("F1lT3ReDw17hQoT3s", False),
        ("KJHhJKhKU7yguyuyfrtsdESffhjgkhYT", False),
        ("1ace4d19-fa7e-b4e2-c3f0-9129474bcd81", False),
        ("12345", False),
    ],
)
def test_is_wordy(value: str, wordy: bool) -> None:
    assert checks.is_wordy(value) is wordy


@pytest.mark.parametrize(
    "value",
    [
        "/usr/local/bin/python",
        "./config/settings.yaml",
        "C:\\Users\\me",
        "https://api.openai.com/v1/chat",
        "src/tracemask/detectors",
        "os.environ.get",
        "1.2.3",
    ],
)
def test_path_like(value: str) -> None:
    assert checks.is_path_like(value)


@pytest.mark.parametrize(
    "value", ["RMkMm8niUJ1iuhAA+AAyugy3fFt/rtrf7GFQ9xz1", "P//2p8lJreW51DuF4EynVTSo", "Prl23Db#@"]
)
def test_not_path_like(value: str) -> None:
    assert not checks.is_path_like(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "null",
        "None",
        "changeme",
        "REDACTED",
        "${DB_PASSWORD}",
        "${DB_PASSWORD:-x}",
        "$DB_PASSWORD",
        "{{ vault_password }}",
        "%(password)s",
        "%s",
        "%DB_PASS%",
        "<your-api-key>",
        "[REDACTED]",
        "@PASSWORD@",
        "{password}",
        "your_api_key_here",
        "YOUR_TOKEN",
        "********",
        "xxxxxxxx",
        "sk-xxxx",
        "aaaaaaaa",
    ],
)
def test_placeholders(value: str) -> None:
    assert checks.is_placeholder(value)


@pytest.mark.parametrize("value", ["hunter2", "Prl23Db#@", "cackle!", "AIhq5Xyb1Gga9Q0"])
def test_not_placeholders(value: str) -> None:
    assert not checks.is_placeholder(value)


@pytest.mark.parametrize(
    ("value", "classes"), [("abc", 1), ("aB", 2), ("aB1", 3), ("aB1#", 4), ("", 0)]
)
def test_char_classes(value: str, classes: int) -> None:
    assert checks.char_classes(value) == classes


def test_base64_media_prefixes() -> None:
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(16)).decode()
    assert checks.is_base64_media(png)
    assert not checks.is_base64_media("AIhq5Xyb1Gga9Q0")

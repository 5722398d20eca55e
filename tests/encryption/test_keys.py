"""Key rings and where keys come from: variable, file, provider; generation; rotation."""

from __future__ import annotations

import base64
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from tracemask.encryption import (
    KeyRing,
    KeyRingError,
    from_env,
    from_file,
    from_provider,
    generate_key,
    key_line,
    load_keyring,
    new_key_id,
    parse_keys,
)

from .conftest import K1, K2

B64_K1 = base64.b64encode(K1).decode()
URLSAFE_K2 = base64.urlsafe_b64encode(K2).decode().rstrip("=")


def assert_no_key(message: str) -> None:
    for key in (K1, K2):
        for text in (base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode()):
            assert text.rstrip("=")[:16] not in message


# -- KeyRing ---------------------------------------------------------------------------------


def test_first_key_is_active_unless_named() -> None:
    assert KeyRing({"a": K1, "b": K2}).active == "a"
    assert KeyRing({"a": K1, "b": K2}, active="b").active == "b"
    assert KeyRing({"a": K1, "b": K2}).ids == ("a", "b")


@pytest.mark.parametrize(
    ("keys", "active", "expected"),
    [
        ({}, None, "the key ring is empty"),
        ({"a": b"x" * 16}, None, "key 'a': 16 bytes; AES-SIV keys are 32, 48 or 64 bytes"),
        ({"a b": K1}, None, "a key id is 1-32 characters"),
        ({"x" * 33: K1}, None, "a key id is 1-32 characters"),
        ({"a": K1}, "b", "active key 'b' is not in the key ring"),
        ({"a": "not bytes"}, None, "key 'a': expected bytes, got str"),
    ],
)
def test_bad_rings_are_refused(
    keys: Mapping[str, bytes], active: str | None, expected: str
) -> None:
    with pytest.raises(KeyRingError, match=expected):
        KeyRing(keys, active)


def test_rotation_helpers_keep_ids_and_active() -> None:
    ring = KeyRing({"k1": K1})
    rotated = KeyRing({"k2": K2}).merged(ring)
    assert rotated.ids == ("k2", "k1")
    assert rotated.active == "k2"
    assert rotated.with_active("k1").active == "k1"
    assert rotated.without("k2").ids == ("k1",)
    assert rotated.without("k2").active == "k1"
    assert "k1" in rotated
    assert len(rotated) == 2


# -- variable and text format ----------------------------------------------------------------


def test_env_accepts_standard_and_urlsafe_base64_with_or_without_padding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEYS", f" k1:{B64_K1} , k2:{URLSAFE_K2} ")
    ring = from_env("KEYS")
    assert ring.ids == ("k1", "k2")
    assert ring.active == "k1"
    # Both keys are really the ones given: a token of each decrypts with a ring built directly.
    from tracemask.encryption import decrypt_text  # noqa: PLC0415
    from tracemask.encryption._token import seal  # noqa: PLC0415

    direct = KeyRing({"k1": K1, "k2": K2})
    for kid in ("k1", "k2"):
        assert decrypt_text(seal(ring, kid, "X", "v"), direct) == "v"


def test_env_unset_or_empty_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEYS", raising=False)
    with pytest.raises(KeyRingError, match=r"environment variable KEYS is not set .*keygen"):
        from_env("KEYS")
    monkeypatch.setenv("KEYS", "  ")
    with pytest.raises(KeyRingError, match="KEYS is not set"):
        from_env("KEYS")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"k1:{B64_K1},{B64_K1}", r"\$KEYS: entry 2: expected KEY_ID:BASE64_KEY"),
        (f"k1:{B64_K1},k1:{B64_K1}", r"entry 2: key id 'k1' appears twice"),
        (f"k1:{B64_K1[:-4]}!!!!", r"entry 1: key 'k1': key is not base64"),
        ("k1:" + base64.b64encode(b"x" * 20).decode(), r"\$KEYS: key 'k1': 20 bytes"),
    ],
    # Stable ids: the keys are random, and pytest-xdist workers must collect the same names.
    ids=["extra-entry", "duplicate-id", "not-base64", "short-key"],
)
def test_env_errors_name_the_entry_never_the_key(
    monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    monkeypatch.setenv("KEYS", text)
    with pytest.raises(KeyRingError, match=expected) as info:
        from_env("KEYS")
    assert_no_key(str(info.value))


def test_parse_keys_skips_comments_and_blank_lines() -> None:
    text = f"# rotated 2025-01\n\nk2:{URLSAFE_K2}  # active\nk1:{B64_K1}\n"
    ring = parse_keys(text, "keys.txt")
    assert ring.ids == ("k2", "k1")
    assert ring.active == "k2"


# -- files -----------------------------------------------------------------------------------


def private(path: Path, text: str) -> str:
    path.write_text(text)
    path.chmod(0o600)
    return str(path)


def test_line_file_and_json_file(tmp_path: Path) -> None:
    lines = from_file(private(tmp_path / "keys.txt", f"k1:{B64_K1}\nk2:{URLSAFE_K2}\n"))
    assert (lines.ids, lines.active) == (("k1", "k2"), "k1")
    doc = {"active": "k2", "keys": {"k1": B64_K1, "k2": URLSAFE_K2}}
    as_json = from_file(private(tmp_path / "keys.json", json.dumps(doc)))
    assert (as_json.ids, as_json.active) == (("k1", "k2"), "k2")


def test_file_errors_name_the_line(tmp_path: Path) -> None:
    path = private(tmp_path / "keys.txt", f"k1:{B64_K1}\n\nnot a key line\n")
    with pytest.raises(KeyRingError, match=r"keys.txt: line 3: expected KEY_ID:BASE64_KEY"):
        from_file(path)
    bad_json = private(tmp_path / "keys.json", '{"keys": {"k1": 5}}')
    with pytest.raises(KeyRingError, match=r"key 'k1': expected a base64 string"):
        from_file(bad_json)
    doc = json.dumps({"active": "k9", "keys": {"k1": B64_K1}})
    unknown_active = private(tmp_path / "k2.json", doc)
    with pytest.raises(KeyRingError, match=r"active key 'k9' is not in the key ring"):
        from_file(unknown_active)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.txt"
    private(path, f"k1:{B64_K1}\n")
    path.chmod(0o644)
    expected = r"accessible to other users \(mode 0644\); run: chmod 600"
    with pytest.raises(KeyRingError, match=expected):
        from_file(str(path))
    path.chmod(0o640)  # group-readable is allowed (a service group may need it)
    assert from_file(str(path)).ids == ("k1",)


# -- providers -------------------------------------------------------------------------------


@pytest.fixture
def provider_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module ``fake_kms`` with providers, importable for the test's duration."""
    (tmp_path / "fake_kms.py").write_text(
        "import base64\n"
        f"K1 = base64.b64decode({B64_K1!r})\n"
        "def keys():\n"
        "    return {'new': base64.b64encode(K1).decode(), 'old': K1}\n"
        "def ring():\n"
        "    from tracemask.encryption import KeyRing\n"
        "    return KeyRing({'a': K1, 'b': K1}, active='b')\n"
        "def broken():\n"
        "    raise RuntimeError('secret material ' + base64.b64encode(K1).decode())\n"
        "class Nested:\n"
        "    @staticmethod\n"
        "    def keys():\n"
        "        return {'nested': K1}\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "fake_kms"
    sys.modules.pop("fake_kms", None)


def test_provider_returning_a_mapping_or_a_ring(provider_module: str) -> None:
    ring = from_provider(f"{provider_module}:keys")
    assert (ring.ids, ring.active) == (("new", "old"), "new")
    assert from_provider(f"{provider_module}:ring").active == "b"
    assert from_provider(f"{provider_module}:Nested.keys").ids == ("nested",)
    assert load_keyring(key_provider=f"{provider_module}:keys", keys_file="ignored").ids[0] == "new"


def test_provider_failure_shows_the_type_not_the_message(provider_module: str) -> None:
    with pytest.raises(KeyRingError) as info:
        from_provider(f"{provider_module}:broken")
    assert str(info.value) == f"key provider '{provider_module}:broken' failed (RuntimeError)"
    assert_no_key(str(info.value))
    assert isinstance(info.value.__cause__, RuntimeError)  # kept for debugging in Python


# -- generation ------------------------------------------------------------------------------


def test_generated_keys_are_random_and_sized() -> None:
    assert len(generate_key()) == 64
    assert len(generate_key(32)) == 32
    assert generate_key() != generate_key()
    with pytest.raises(KeyRingError, match="key size 16"):
        generate_key(16)


def test_key_line_parses_back() -> None:
    kid = new_key_id()
    key = generate_key(48)
    ring = parse_keys(key_line(kid, key), "line")
    assert ring.ids == (kid,)
    assert len(kid) <= 32
    assert ring.active == kid

"""``decrypt`` and ``decrypt_text``: values back, errors that name places and keys, not values."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tracemask import Masker
from tracemask.encryption import KeyRing, Restored, decrypt, decrypt_text
from tracemask.encryption._token import seal
from tracemask.exceptions import DecryptionError, TracemaskError

from .conftest import ENCRYPT_ALL, K1, K2, env_value

EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
TRICKY = 'say "hi" \\ back\n\ttab \u00e9 \U0001f600'  # quotes, backslash, controls, non-ASCII


def tok(value: str, entity: str = "SECRET", kid: str = "k1", ring: KeyRing | None = None) -> str:
    return seal(ring or KeyRing({"k1": K1, "k2": K2}), kid, entity, value)


def test_decrypt_text_restores_every_token_and_counts(ring: KeyRing) -> None:
    email, phone = tok(EMAIL, "EMAIL_ADDRESS"), tok(PHONE, "PHONE_NUMBER", "k2")
    text = f"a {email} b {phone} {email}"
    restored = Restored()
    assert decrypt_text(text, ring, restored=restored) == f"a {EMAIL} b {PHONE} {EMAIL}"
    assert restored.to_dict() == {
        "total": 3,
        "by_entity": {"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1},
        "key_ids": ["k1", "k2"],
    }


def test_text_without_tokens_is_returned_as_is(ring: KeyRing) -> None:
    text = "no tokens <EMAIL_ADDRESS> <PERSON:1a2b3c4d5e6f> :enc:v1 here"
    assert decrypt_text(text, ring) is text
    value, restored = decrypt({"a": [text, 1, None]}, ring)
    assert value == {"a": [text, 1, None]}
    assert restored.total == 0


def test_decrypt_keeps_shape_and_does_not_mutate(ring: KeyRing) -> None:
    obj: dict[str, Any] = {
        "t": (tok(EMAIL), 1.5),
        "l": [None, True, {"x": tok(PHONE, "PHONE_NUMBER")}],
        "n": 3,
    }
    before = copy.deepcopy(obj)
    value, restored = decrypt(obj, ring)
    assert obj == before
    assert value == {"t": (EMAIL, 1.5), "l": [None, True, {"x": PHONE}], "n": 3}
    assert isinstance(value["t"], tuple)
    assert restored.total == 2


def test_values_go_back_into_json_strings_escaped(ring: KeyRing) -> None:
    inner = json.dumps({"note": f"x {tok(TRICKY)} y", "n": [1, 2]})
    twice = json.dumps(json.dumps({"deep": tok(TRICKY)}))  # doubly encoded
    value, restored = decrypt({"attr": inner, "twice": twice}, ring)
    assert json.loads(value["attr"]) == {"note": f"x {TRICKY} y", "n": [1, 2]}
    assert json.loads(json.loads(value["twice"])) == {"deep": TRICKY}
    assert value["attr"].startswith('{"note": ')  # the embedded JSON keeps its style
    assert restored.total == 2


def test_json_in_strings_off_inserts_raw(ring: KeyRing) -> None:
    text = '{"a": "' + tok("plain") + '"}'
    assert decrypt(text, ring, json_in_strings=False)[0] == '{"a": "plain"}'
    assert decrypt_text(text, ring) == '{"a": "plain"}'


def test_invalid_json_looking_text_is_decrypted_as_text(ring: KeyRing) -> None:
    text = "{not json " + tok(TRICKY) + "}"
    assert decrypt(text, ring)[0] == "{not json " + TRICKY + "}"


def test_any_depth(ring: KeyRing) -> None:
    deep: Any = tok(EMAIL)
    for i in range(5000):
        deep = [deep] if i % 2 else {"k": deep}
    value, restored = decrypt(deep, ring)
    for i in reversed(range(5000)):
        value = value[0] if i % 2 else value["k"]
    assert value == EMAIL
    assert restored.total == 1


# -- failures --------------------------------------------------------------------------------


def flip(token: str, index: int) -> str:
    """``token`` with the character at ``index`` of its base64 part changed."""
    head, data = token[:-1].rsplit(":", 1)
    chars = list(data)
    chars[index] = "A" if chars[index] != "A" else "B"
    return f"{head}:{''.join(chars)}>"


@pytest.mark.parametrize("index", [0, 5, 20, -2, -1])
def test_tampered_token_raises_and_names_the_key_not_the_value(ring: KeyRing, index: int) -> None:
    token = tok(EMAIL, "EMAIL_ADDRESS")
    with pytest.raises(DecryptionError) as info:
        decrypt_text(f"x {flip(token, index)}", ring)
    message = str(info.value)
    assert "key 'k1'" in message
    assert "column 3" in message
    assert EMAIL not in message
    assert isinstance(info.value, TracemaskError)


def test_truncated_token_raises(ring: KeyRing) -> None:
    token = tok(EMAIL)
    short = token[:-6] + ">"
    with pytest.raises(DecryptionError, match="key 'k1'"):
        decrypt_text(short, ring)


def test_wrong_key_with_the_same_id_raises(ring: KeyRing) -> None:
    other = KeyRing({"k1": K2})  # same id, other bytes: e.g. a key file from another env
    with pytest.raises(DecryptionError, match=r"does not authenticate with key 'k1' \(wrong key"):
        decrypt_text(tok(EMAIL), other)


def test_error_names_json_path_and_line(ring: KeyRing) -> None:
    foreign = tok("b", kid="zz9", ring=KeyRing({"zz9": K1}))
    obj = {"messages": [{"content": "ok " + tok("a")}, {"content": "one\ntwo " + foreign}]}
    with pytest.raises(DecryptionError) as info:
        decrypt(obj, ring)
    assert str(info.value) == (
        "path messages.1.content, line 2, column 5: SECRET token: "
        "key 'zz9' is not in the key ring (k1, k2 loaded)"
    )


def test_error_path_inside_json_string(ring: KeyRing) -> None:
    obj = {"attr": json.dumps({"inner": [tok("v", kid="gone", ring=KeyRing({"gone": K2}))]})}
    expected = r"^path attr\.inner\.0, column 1: SECRET token: key 'gone'"
    with pytest.raises(DecryptionError, match=expected):
        decrypt(obj, ring)


def test_personal_data_in_keys_is_masked_in_error_paths(ring: KeyRing) -> None:
    obj = {EMAIL: tok("v", kid="gone", ring=KeyRing({"gone": K2}))}
    with pytest.raises(DecryptionError) as info:
        decrypt(obj, ring)
    assert EMAIL not in str(info.value)
    assert "<EMAIL_ADDRESS>" in str(info.value)


def test_unsupported_version_raises(ring: KeyRing) -> None:
    token = tok("v").replace(":enc:v1:", ":enc:v2:")
    with pytest.raises(DecryptionError, match="token format v2 is not supported"):
        decrypt_text(token, ring)


def test_failure_leaves_no_partial_result_and_counts_only_successes(ring: KeyRing) -> None:
    restored = Restored()
    bad = tok("v", kid="gone", ring=KeyRing({"gone": K2}))
    with pytest.raises(DecryptionError):
        decrypt_text(f"{tok('a')} {bad}", ring, restored=restored)
    assert restored.total == 0


# -- rotation --------------------------------------------------------------------------------


def test_key_rotation(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = {"msg": f"mail {EMAIL}"}
    monkeypatch.setenv("TRACEMASK_ENCRYPTION_KEYS", env_value(("k1", K1)))
    old = Masker(ENCRYPT_ALL, backend="re").mask(payload)
    assert ":enc:v1:k1:" in old["msg"]

    # Rotate: k2 first (active), k1 kept so that old tokens still decrypt.
    monkeypatch.setenv("TRACEMASK_ENCRYPTION_KEYS", env_value(("k2", K2), ("k1", K1)))
    new = Masker(ENCRYPT_ALL, backend="re").mask(payload)
    assert ":enc:v1:k2:" in new["msg"]
    both = KeyRing({"k2": K2, "k1": K1})
    assert decrypt(old, both)[0] == payload
    assert decrypt(new, both)[0] == payload
    assert decrypt([old, new], both)[1].by_key == {"k1": 1, "k2": 1}

    # Retire k1: new tokens still decrypt, old ones fail with an error naming k1.
    retired = both.without("k1")
    assert decrypt(new, retired)[0] == payload
    with pytest.raises(DecryptionError, match=r"key 'k1' is not in the key ring \(k2 loaded\)"):
        decrypt(old, retired)

"""The ``encrypt`` operator: token grammar, determinism, binding of keys, policy errors."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tracemask import Masker
from tracemask._tokens import is_token
from tracemask.encryption import KeyRing, decrypt_text
from tracemask.exceptions import DecryptionError, PolicyError
from tracemask.operators import BUILTIN_OPERATORS, Encrypt
from tracemask.operators._encrypt import TOKEN
from tracemask.policy import load_policy

from .conftest import ENCRYPT_ALL, K1, K2, env_value

EMAIL = "jane.doe@example.com"
#: The grammar promised to the masking engine, spelled out independently of the module.
GRAMMAR = re.compile(r"<[A-Z][A-Z0-9_/]*:enc:v\d+:[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9_-]+>\Z")


def bound(ring_env: str, monkeypatch: pytest.MonkeyPatch, **fields: str) -> Encrypt:
    monkeypatch.setenv("TRACEMASK_ENCRYPTION_KEYS", ring_env)
    return Encrypt(**fields).bind()  # type: ignore[arg-type]


def test_token_has_the_promised_form(keys_env: str) -> None:
    token = Encrypt().bind().apply(EMAIL, "EMAIL_ADDRESS")
    assert GRAMMAR.match(token), token
    assert TOKEN.fullmatch(token)
    assert token.startswith("<EMAIL_ADDRESS:enc:v1:k1:")
    assert "=" not in token  # unpadded base64url
    assert is_token(token)  # the engine leaves it alone
    assert EMAIL not in token


def test_equal_values_give_equal_tokens_and_different_values_do_not(keys_env: str) -> None:
    op = Encrypt().bind()
    again = Encrypt().bind()  # another binding of the same keys: same tokens (joins work)
    assert op.apply(EMAIL, "EMAIL_ADDRESS") == again.apply(EMAIL, "EMAIL_ADDRESS")
    assert op.apply(EMAIL, "EMAIL_ADDRESS") != op.apply("john.doe@example.com", "EMAIL_ADDRESS")
    # The entity is bound in: the same value under another entity gives another ciphertext.
    email_data = op.apply(EMAIL, "EMAIL_ADDRESS").rsplit(":", 1)[1]
    person_data = op.apply(EMAIL, "PERSON").rsplit(":", 1)[1]
    assert email_data != person_data


def test_token_moved_to_another_entity_does_not_decrypt(keys_env: str, ring: KeyRing) -> None:
    token = Encrypt().bind().apply(EMAIL, "EMAIL_ADDRESS")
    moved = token.replace("<EMAIL_ADDRESS:", "<PERSON:")
    assert decrypt_text(token, ring) == EMAIL
    with pytest.raises(DecryptionError, match="does not authenticate with key 'k1'") as info:
        decrypt_text(moved, ring)
    assert EMAIL not in str(info.value)


def test_key_id_picks_the_encrypting_key(monkeypatch: pytest.MonkeyPatch) -> None:
    op = bound(env_value(("k1", K1), ("k2", K2)), monkeypatch, key_id="k2")
    assert op.apply(EMAIL, "EMAIL_ADDRESS").startswith("<EMAIL_ADDRESS:enc:v1:k2:")
    assert op.keyring is not None
    assert op.keyring.active == "k2"


def test_entity_names_outside_the_grammar_are_normalised(keys_env: str, ring: KeyRing) -> None:
    token = Encrypt().bind().apply("ref-123", "customer-ref")
    assert token.startswith("<CUSTOMER_REF:enc:v1:k1:")
    assert GRAMMAR.match(token)
    assert decrypt_text(token, ring) == "ref-123"


def test_empty_and_unusual_values_round_trip(keys_env: str, ring: KeyRing) -> None:
    op = Encrypt().bind()
    for value in ["", " ", "a\x00b", "caf\u00e9 \U0001f600", "\ud800 lone surrogate", "<X>"]:
        assert decrypt_text(op.apply(value, "SECRET"), ring) == value


def test_repr_and_dump_hold_no_key_material(keys_env: str) -> None:
    op = Encrypt().bind()
    texts = [repr(op), str(op), repr(op.keyring), str(op.model_dump())]
    for text in texts:
        for key in (K1, K2):
            assert key.hex() not in text
            assert keys_env.split(",", maxsplit=1)[0].split(":")[1] not in text
    assert repr(op.keyring) == "KeyRing(ids=('k1', 'k2'), active='k1')"


def test_policy_accepts_encrypt_as_operator_spec() -> None:
    policy = load_policy({"entities": {"PERSON": {"operator": {"type": "encrypt", "key_id": "a"}}}})
    operator = policy.entities["PERSON"].operator
    assert isinstance(operator, Encrypt)
    assert operator.key_id == "a"
    assert BUILTIN_OPERATORS["encrypt"] is Encrypt


def test_unbound_operator_refuses_to_run() -> None:
    with pytest.raises(PolicyError, match="before its keys were bound"):
        Encrypt().apply(EMAIL, "EMAIL_ADDRESS")


# -- errors at Masker build ------------------------------------------------------------------


def test_missing_key_env_fails_at_masker_build(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEMASK_ENCRYPTION_KEYS", raising=False)
    with pytest.raises(PolicyError) as info:
        Masker(ENCRYPT_ALL, backend="re")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("operator 'encrypt': keys_env: ")
    assert "TRACEMASK_ENCRYPTION_KEYS is not set" in message


def test_other_keys_env_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEMASK_ENCRYPTION_KEYS", raising=False)
    monkeypatch.setenv("MY_KEYS", env_value(("team-a", K2)))
    masker = Masker({"default_operator": {"type": "encrypt", "keys_env": "MY_KEYS"}}, backend="re")
    assert ":enc:v1:team-a:" in masker.mask_text(f"mail {EMAIL}")


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"key_id": "k9"}, "operator 'encrypt': key_id: key 'k9' is not in the key ring"),
        ({"key_id": "bad id"}, "key_id"),
        ({"keys_file": "k.txt", "key_provider": "m:f"}, "keys_file or key_provider, not both"),
        ({"key_provider": "no-colon"}, "key_provider"),
        ({"keys_file": "/nonexistent/keys"}, "operator 'encrypt': keys_file: /nonexistent/keys"),
        ({"key_provider": "no_such_module_xyz:f"}, "cannot import no_such_module_xyz"),
    ],
)
def test_bad_fields_fail_with_one_line_naming_the_field(
    keys_env: str, fields: dict[str, str], expected: str
) -> None:
    with pytest.raises(PolicyError) as info:
        Masker({"default_operator": {"type": "encrypt", **fields}}, backend="re")
    assert expected in str(info.value)
    assert "\n" not in str(info.value)
    assert keys_env.split(":", 1)[1] not in str(info.value)


def test_bad_key_in_env_names_the_entry_not_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    short = env_value(("k1", K1)) + ",k2:c2hvcnQ="  # "short": 5 bytes
    monkeypatch.setenv("TRACEMASK_ENCRYPTION_KEYS", short)
    with pytest.raises(PolicyError) as info:
        Masker(ENCRYPT_ALL, backend="re")
    message = str(info.value)
    assert "$TRACEMASK_ENCRYPTION_KEYS: " in message
    assert "key 'k2': 5 bytes" in message
    assert "c2hvcnQ" not in message


def test_core_does_not_import_cryptography() -> None:
    code = (
        "import sys, tracemask; tracemask.Masker(backend='re');print('cryptography' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_cryptography_is_a_clear_policy_error() -> None:
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "import os; from tracemask import Masker, PolicyError\n"
        "from tracemask.encryption import generate_key, key_line\n"
        "os.environ['TRACEMASK_ENCRYPTION_KEYS'] = key_line('k1', generate_key())\n"
        "try:\n"
        "    Masker({'default_operator': {'type': 'encrypt'}}, backend='re')\n"
        "except PolicyError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        "operator 'encrypt' needs cryptography: pip install 'tracemask[encryption]'"
    )


# -- through the engine ----------------------------------------------------------------------


def test_masking_encrypted_output_changes_nothing(encrypting: Masker) -> None:
    payload = {
        "msg": f"mail {EMAIL} or call +1 (415) 555-0132, card 4111 1111 1111 1111",
        "password": "hunter2-hunter2",
        "attrs": '{"note": "reach jane.doe@example.com", "ip": "203.0.113.7"}',
    }
    once = encrypting.mask(payload)
    assert once != payload
    assert EMAIL not in str(once)
    assert encrypting.mask(once) == once
    assert encrypting.scan(once).total == 0
    assert Masker(backend="re").mask(once) == once  # a replace-only masker leaves tokens too

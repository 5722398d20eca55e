"""Operators: what replaces a value, and that each is idempotent under re-masking."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from tracemask import Masker
from tracemask.operators import Hash, Keep, Mask, Redact, Replace


def test_replace_redact_keep() -> None:
    assert Replace().apply("x", "EMAIL_ADDRESS") == "<EMAIL_ADDRESS>"
    assert Replace(template="[{entity}]").apply("x", "PHONE_NUMBER") == "[PHONE_NUMBER]"
    assert Redact().apply("secret", "SECRET") == ""
    assert Keep().apply("v", "X") == "v"


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        (Mask(keep_last=4), "4111 1111 1111 1111", "**** **** **** 1111"),
        (Mask(), "jane@example.com", "****@*******.***"),
        (Mask(char="#", keep_first=1), "secret", "s#####"),
        (Mask(keep_last=4), "abc", "***"),  # never reveals more than half
    ],
)
def test_mask(op: Mask, value: str, expected: str) -> None:
    assert op.apply(value, "X") == expected


@pytest.mark.parametrize("entity", ["PASSWORD", "API_KEY", "SECRET", "PRIVATE_KEY"])
def test_mask_overwrites_a_secrets_symbols_too(entity: str) -> None:
    # "s3cret!" -> "******!" told anyone reading the trace the password's last character.
    assert Mask().apply("s3cret!#", entity) == "********"
    assert Mask(keep_first=2).apply("sk-proj-Ab_9", entity) == "sk**********"
    assert Mask().apply("line one\nline-two", entity) == "**** ***\n********"


def test_a_masked_secret_masks_again_to_itself() -> None:
    masker = Masker({"entities": {"PASSWORD": {"operator": {"type": "mask"}}}})
    once = masker.mask({"password": "p@ss-w0rd!"})
    assert once == {"password": "**********"}
    assert masker.mask(once) == once


def test_hash_is_keyed_deterministic_and_normalised() -> None:
    op = Hash(key=SecretStr("k"))
    a = op.apply("Jane.Doe@Example.com", "EMAIL_ADDRESS")
    assert a == op.apply("jane.doe@example.com", "EMAIL_ADDRESS")
    assert a != Hash(key=SecretStr("other")).apply("jane.doe@example.com", "EMAIL_ADDRESS")
    assert a.startswith("<EMAIL_ADDRESS:")
    assert len(a) == len("<EMAIL_ADDRESS:>") + 12
    assert "k" not in repr(op).split("key=")[1][:12]  # the key is a SecretStr


def test_operator_config_is_validated() -> None:
    with pytest.raises(ValidationError):
        Mask(keep_last=-1)
    with pytest.raises(ValidationError):
        Hash(key=SecretStr("k"), length=4)
    with pytest.raises(ValidationError):
        Hash(key=SecretStr("k"), template="<{entity}>")


@pytest.mark.parametrize(
    "operator",
    [
        {"type": "replace"},
        {"type": "redact"},
        {"type": "mask", "keep_last": 4},
        {"type": "hash", "key": "k"},
    ],
)
def test_every_operator_is_idempotent_through_the_masker(operator: dict[str, object]) -> None:
    masker = Masker({"default_operator": operator, "key_operator": operator})
    payload = {"m": "card 4111 1111 1111 1111 mail jane.doe@example.com", "password": "hunter2"}
    once = masker.mask(payload)
    assert "4111 1111 1111 1111" not in once["m"]
    assert "jane.doe@example.com" not in once["m"]
    assert once["password"] != "hunter2"
    assert masker.mask(once) == once

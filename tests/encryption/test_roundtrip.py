"""Hypothesis: whatever an encrypting masker masks, ``decrypt`` restores exactly."""

from __future__ import annotations

import json
import os
import random
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask.encryption import TOKEN, KeyRing, decrypt
from tracemask.testing import fake_card, fake_email, fake_iban, fake_ssn, fake_us_phone

from .conftest import ENCRYPT_ALL, K1, K2, env_value

_saved = os.environ.get("TRACEMASK_ENCRYPTION_KEYS")
os.environ["TRACEMASK_ENCRYPTION_KEYS"] = env_value(("k1", K1), ("k2", K2))
try:
    # Built once at import: a Masker is immutable and serves every example.
    MASKER = Masker(ENCRYPT_ALL, backend="re")
    SAME_KEYS = Masker(ENCRYPT_ALL, backend="re")  # another instance: the same tokens
finally:
    if _saved is None:
        del os.environ["TRACEMASK_ENCRYPTION_KEYS"]
    else:
        os.environ["TRACEMASK_ENCRYPTION_KEYS"] = _saved
RING = KeyRing({"k1": K1, "k2": K2})
PLAIN = Masker(backend="re")  # replace-only: tells whether anything sensitive is left

FAKES = (fake_email, fake_card, fake_iban, fake_ssn, fake_us_phone)
planted = st.builds(
    lambda make, seed: make(random.Random(seed)),
    st.sampled_from(FAKES),
    st.integers(0, 2**32),
) | st.sampled_from(["+1 (415) 555-0132", "203.0.113.7", "sk-proj-" + "a1B2c3D4e5" * 4])
words = st.sampled_from(
    ["hello", "World", "order", "id", "2024-08-06", "v1.2.3", "gpt-4o", "card", "call", "mail"]
)
free_text = st.lists(st.one_of(words, planted, st.text(max_size=10)), min_size=1, max_size=8).map(
    " ".join
)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), free_text)
keys = st.one_of(
    st.sampled_from(["msg", "content", "password", "api_key", "first_name", "email", "id"]),
    st.text(max_size=8),
)


def json_like(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
            st.tuples(children, children),
        ),
        max_leaves=20,
    )


def dumps(value: Any, style: int) -> str:
    """JSON held in a string, in the styles traces use: default, compact, ASCII-escaped."""
    if style == 0:
        return json.dumps(value, default=list)
    if style == 1:
        return json.dumps(value, default=list, separators=(",", ":"), ensure_ascii=False)
    return json.dumps(value, default=list, ensure_ascii=True, separators=(",", ": "))


with_json_strings = json_like(
    st.one_of(
        scalars,
        st.builds(dumps, json_like(scalars), st.integers(0, 2)),
    )
)
common = settings(
    max_examples=examples(250), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def same_json(a: Any, b: Any) -> bool:
    """Equal, except that strings holding JSON may differ in how their JSON escapes text, and
    an integer of ``b`` masked to ``0`` comes back ``0`` in ``a`` (see :func:`zeroed_like`)."""
    if isinstance(a, str) and isinstance(b, str):
        if a == b:
            return True
        try:
            return same_json(json.loads(a), json.loads(b))
        except ValueError:
            return False
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is int:
        return a in (b, 0)
    return bool(a == b)


def zeroed_like(payload: Any, masked: Any) -> Any:
    """``payload`` with the integers ``masked`` zeroed (an integer under a personal key cannot
    hold a ciphertext: it is ``0``, and decrypting cannot bring it back)."""
    if type(payload) is int and type(masked) is int:
        assert masked in (payload, 0)
        return masked
    if isinstance(payload, dict) and isinstance(masked, dict) and list(payload) == list(masked):
        return {k: zeroed_like(v, masked[k]) for k, v in payload.items()}
    if (
        isinstance(payload, (list, tuple))
        and type(masked) is type(payload)
        and len(payload) == len(masked)
    ):
        return type(payload)(zeroed_like(x, y) for x, y in zip(payload, masked, strict=True))
    return payload


@common
@given(json_like(scalars))
def test_decrypt_restores_exactly_what_was_masked(payload: Any) -> None:
    masked = MASKER.mask(payload)
    restored, counts = decrypt(masked, RING)
    assert restored == zeroed_like(payload, masked)
    if masked != zeroed_like(payload, masked):  # something was encrypted, not only zeroed
        assert counts.total > 0
        assert counts.by_key.keys() == {"k1"}


@common
@given(with_json_strings)
def test_decrypt_restores_json_held_in_strings(payload: Any) -> None:
    masked = MASKER.mask(payload)
    restored, _ = decrypt(masked, RING)
    # Byte-exact but for one ambiguity: whether a restored value was \u-escaped inside its
    # embedded JSON (the masked text cannot tell; see docs/encryption.md).
    assert same_json(restored, payload)


@common
@given(json_like(scalars))
@example("order +1 (415) 555-0132 (206) 555-0197")  # a token was read as a context word
def test_nothing_sensitive_is_left_in_encrypted_output(payload: Any) -> None:
    masked = MASKER.mask(payload)
    # What a replace masker would still find in the encrypted output: nothing.
    assert PLAIN.scan(masked).total == 0


#: Words that are no context cue: the same value is then found as the same entity everywhere
#: (a digit run next to "call" is a phone number, next to "hello" an SSN: other tokens).
neutral = st.sampled_from(["hello", "World", "the", "v1.2.3", "gpt-4o", "2024-08-06"])


@common
@given(planted, neutral, neutral)
def test_same_value_same_token_wherever_it_appears(value: str, before: str, after: str) -> None:
    in_text = TOKEN.findall(MASKER.mask_text(f"{before} {value}"))
    in_json = TOKEN.findall(MASKER.mask({"a": [f"{after} {value} {before}"]})["a"][0])
    by_other_masker = TOKEN.findall(SAME_KEYS.mask_text(f"{value} {after}"))
    assert len(in_text) == 1
    assert in_text == in_json == by_other_masker


def test_every_planted_kind_is_encrypted_and_restored() -> None:
    rng = random.Random(7)
    values = [make(rng) for make in FAKES]
    payload = {"msg": " and ".join(values), "password": "hunter2-hunter2", "first_name": "Jane"}
    masked = MASKER.mask(payload)
    assert all(v not in json.dumps(masked) for v in values)
    restored, counts = decrypt(masked, RING)
    assert restored == payload
    assert set(counts.by_entity) >= {
        "EMAIL_ADDRESS",
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "PHONE_NUMBER",
        "PASSWORD",
        "PERSON",
    }


@common
@given(with_json_strings)
# Found by the derandomized CI profile: the long token pushed "order" (a negative context word
# of phone numbers) out of the window, so the phone was masked on the second pass only.
@example("order ynbiqp.zjplsgqej@example.com (206) 555-0197")
# The same after the number: the address pushed "call" out of the window, the token did not.
@example("order (206) 555-0197 ynbiqp.zjplsgqej@example.com call")
def test_masking_encrypted_output_is_idempotent(payload: Any) -> None:
    once = MASKER.mask(payload)
    assert MASKER.mask(once) == once

"""Hypothesis properties of ``Masker.mask``: the invariants every adapter relies on."""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask.encryption import generate_key, key_line

MASKER = Masker()  # immutable and thread-safe: one instance serves every example

PLANTED = [
    "jane.doe@example.com",
    "+1 (415) 555-0132",
    "4111 1111 1111 1111",
    "DE89 3704 0044 0532 0130 00",
    "123-45-6780",
    "203.0.113.7",
]

words = st.sampled_from(
    ["hello", "World", "order", "id", "2024-08-06", "v1.2.3", "gpt-4o", "the", "card", "call", ""]
)
free_text = st.lists(
    st.one_of(words, st.sampled_from(PLANTED), st.text(max_size=12)), max_size=8
).map(" ".join)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), free_text)
keys = st.one_of(
    st.sampled_from(["msg", "content", "password", "api_key", "id"]), st.text(max_size=8)
)


def json_like(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(keys, children, max_size=5),
            st.tuples(children, children),
        ),
        max_leaves=25,
    )


values = json_like(scalars)
# Strings that hold JSON, the way trace attributes do.
with_json_strings = json_like(
    st.one_of(scalars, json_like(scalars).map(lambda v: json.dumps(v, default=list)))
)


def same_shape(a: Any, b: Any) -> bool:
    """Equal except for the content of strings and masked integers (``0``: type kept)."""
    if isinstance(a, str):
        return isinstance(b, str)
    if type(a) is not type(b):
        return False
    if type(a) is int:
        return b in (a, 0)
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_shape(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same_shape(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # noqa: PLR0124 - NaN-safe comparison


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in strings(v)]
    return []


common = settings(
    max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@common
@given(values)
def test_same_schema_out_as_in(value: Any) -> None:
    assert same_shape(value, MASKER.mask(value))


@common
@given(with_json_strings)
def test_input_is_never_mutated(value: Any) -> None:
    before = copy.deepcopy(value)
    MASKER.mask(value)
    assert value == before


@common
@given(with_json_strings)
# A planted value next to an ISO date: once masked as "<PHONE_NUMBER>-08-06", a phone number
# that ended inside the date (found by fresh runs of these properties).
@example("001-58-5941 2024-08-06")
@example("123-45-6780 2024-08-06")
@example("+1 (415) 555-0132 4111 1111 1111 1111")
def test_masking_is_idempotent(value: Any) -> None:
    once = MASKER.mask(value)
    assert MASKER.mask(once) == once


@common
@given(with_json_strings)
@example("123-45-6780 2024-08-06")
@example(["+1 (415) 555-0132 2024-08-06", "4111 1111 1111 1111 2024-08-06"])
def test_no_planted_value_survives(value: Any) -> None:
    out = MASKER.mask(value)
    for text in strings(out):
        for planted in PLANTED:
            assert planted not in text
            assert json.dumps(planted)[1:-1] not in text


@common
@given(st.integers(min_value=1, max_value=3000), st.sampled_from(PLANTED))
def test_any_depth_is_walked(depth: int, planted: str) -> None:
    value: Any = {"leaf": f"x {planted} y"}
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    node = MASKER.mask(value)
    for i in reversed(range(depth)):
        node = node[0] if i % 2 else node["k"]
    assert node == {"leaf": f"x {MASKER.mask(planted)} y"}
    assert planted not in node["leaf"]


# A variable of its own, so that no other test's view of TRACEMASK_ENCRYPTION_KEYS changes.
os.environ["TRACEMASK_PROPERTY_TEST_KEYS"] = key_line("k1", generate_key())
OPERATOR_MASKERS = [
    Masker({"default_operator": operator, "key_operator": operator})
    for operator in (
        {"type": "hash", "key": "k"},
        {"type": "pseudonymize", "key": "k"},
        {"type": "pseudonymize", "key": "k", "style": "counter", "scope": "trace"},
        {"type": "mask", "keep_last": 2},
        {"type": "encrypt", "keys_env": "TRACEMASK_PROPERTY_TEST_KEYS"},
    )
]


@common
@given(with_json_strings, st.sampled_from(OPERATOR_MASKERS))
def test_masking_is_idempotent_for_every_operator(value: Any, masker: Masker) -> None:
    scope = {"trace": "idempotency"}
    once = masker.mask(value, scope=scope)
    assert masker.mask(once, scope=scope) == once
    for text in strings(once):
        for planted in PLANTED:
            assert planted not in text


small = st.one_of(
    scalars, st.lists(scalars, max_size=3), st.dictionaries(keys, scalars, max_size=3)
)
shared_parts = st.one_of(
    st.dictionaries(keys, small, min_size=1, max_size=4), st.lists(small, min_size=1, max_size=4)
)


@settings(common, max_examples=examples(100))
@given(
    shared_parts,
    st.lists(st.tuples(st.sampled_from(["a", "password", "body"]), keys), max_size=4),
    # Deterministic operators (encryption draws a fresh nonce per call).
    st.sampled_from([MASKER, *OPERATOR_MASKERS[:4]]),
)
def test_a_container_held_twice_is_masked_as_two_copies(
    part: Any, places: list[tuple[str, str]], masker: Masker
) -> None:
    # LiteLLM payloads hold one metadata dict under several keys; the walker masks it once per
    # rule and field and shares the result: the output must equal that of unshared copies, and
    # share where the input shared.
    doc: dict[str, Any] = {"metadata": part, "x": {"metadata": part}}
    for outer, inner in places:  # fresh dicts only: the part never holds itself
        doc.setdefault(outer, {})[inner] = part
    masked = masker.mask(doc)
    assert masked == masker.mask(copy.deepcopy(doc))
    assert masked["metadata"] is masked["x"]["metadata"]  # same rule and field
    assert not [p for p in PLANTED if p in json.dumps(masked, default=str)]

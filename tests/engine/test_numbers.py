"""Integers under personal keys: masked to ``0``, type kept; other integers untouched."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker

MASKER = Masker()


@pytest.mark.parametrize(
    ("key", "value", "entity"),
    [
        ("phone", 4155550132, "PHONE_NUMBER"),
        ("card_number", 4111111111111111, "CREDIT_CARD"),
        ("pin", 1234, "PASSWORD"),
        ("password", 20240806, "PASSWORD"),
        ("national_id", 12345678901, "NATIONAL_ID"),
        ("mrn", 123456, "NATIONAL_ID"),
    ],
)
def test_a_number_under_a_personal_key_becomes_zero(key: str, value: int, entity: str) -> None:
    payload = {"tool": "lookup", "arguments": {key: value}}
    assert MASKER.mask(payload) == {"tool": "lookup", "arguments": {key: 0}}
    assert MASKER.scan(payload).by_entity == {entity: 1}


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("tokens", 1280),
        ("completion_tokens", 4111111111111111),  # a number, but nothing says it is a card
        ("timestamp", 1733600000),
        ("user_id", 12345),
        ("phone_count", 3),  # a telling name, but not a phone number's shape
        ("phone_verified", True),
        ("card", 4242),
        ("status_code", 200),
    ],
)
def test_other_numbers_are_kept(key: str, value: Any) -> None:
    payload = {"data": {key: value}}
    assert MASKER.mask(payload) == payload


def test_numbers_in_lists_otlp_values_and_deep_payloads() -> None:
    deep: dict[str, Any] = {"phone": 4155550132}
    for _ in range(5000):  # beyond the recursive walk: the iterative one
        deep = {"next": deep}
    payload = {
        "phones": [4155550132, "n/a"],
        "attributes": [{"key": "user.phone", "value": {"intValue": 4155550132}}],
        "deep": deep,
    }
    out = MASKER.mask(payload)
    assert out["phones"] == [0, "n/a"]
    assert out["attributes"][0]["value"] == {"intValue": 0}
    node = out["deep"]
    while "next" in node:
        node = node["next"]
    assert node == {"phone": 0}


def test_a_keep_rule_keeps_the_number() -> None:
    masker = Masker({"key_rules": [{"keys": ["pin"], "operator": {"type": "keep"}}]})
    assert masker.mask({"pin": 1234}) == {"pin": 1234}


def test_path_rules_reach_numbers_too() -> None:
    masker = Masker(
        {
            "path_rules": [
                {"path": "user.code", "entity": "PASSWORD", "operator": {"type": "replace"}}
            ]
        }
    )
    assert masker.mask({"user": {"code": 987654, "age": 3}}) == {"user": {"code": 0, "age": 3}}


@given(
    st.dictionaries(
        st.sampled_from(["phone", "pin", "card_number", "tokens", "id", "mrn", "x"]),
        st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False)),
    )
)
def test_numbers_keep_their_type_and_the_input_is_not_mutated(payload: dict[str, Any]) -> None:
    before = copy.deepcopy(payload)
    out = MASKER.mask(payload)
    assert payload == before
    assert out.keys() == payload.keys()
    for key, value in payload.items():
        assert type(out[key]) is type(value)
        assert out[key] in (value, 0)
    assert MASKER.mask(out) == out


def test_an_otlp_json_int64_under_a_personal_key_is_masked_as_a_string() -> None:
    # OTLP/JSON writes int64 values as decimal strings: they stay strings.
    attributes = [
        {"key": "user.phone", "value": {"intValue": "4155550132"}},
        {"key": "enduser.pin", "value": {"intValue": "1234"}},
        {"key": "http.status_code", "value": {"intValue": "200"}},
        {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "4111111111111111"}},
    ]
    out = MASKER.mask({"attributes": attributes})["attributes"]
    assert [a["value"]["intValue"] for a in out] == ["0", "0", "200", "4111111111111111"]
    deep: dict[str, Any] = {"attributes": attributes}
    for _ in range(3000):  # the iterative walk takes the same decision
        deep = {"next": deep}
    node = MASKER.mask(deep)
    while "next" in node:
        node = node["next"]
    assert [a["value"]["intValue"] for a in node["attributes"]] == [
        "0",
        "0",
        "200",
        "4111111111111111",
    ]


def test_a_masked_integer_is_no_finding() -> None:
    masked = MASKER.mask({"pin": 1234, "phone": 4155550132})
    assert masked == {"pin": 0, "phone": 0}
    assert MASKER.scan(masked).total == 0

"""Name keys: ``name``, ``user``, ``author``… hold a person's name as often as a tool's or a
span's; their value is a PERSON only when the name lexicons read it as one."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask._fieldnames import NAME_KEYS
from tracemask.detectors.fields import SHAPES


@pytest.fixture(scope="module")
def masker() -> Masker:
    return Masker()


# Lower-case, snake_case and dotted names: the person detector reads capitals and cues, so
# before name keys these reached the trace whole.
NAMES = [
    ({"name": "maria garcia"}, "name"),
    ({"role": "user", "name": "maria_garcia", "content": "hi"}, "name"),  # OpenAI participant
    ({"user": "jose lopez"}, "user"),
    ({"author": "john smith"}, "author"),
    ({"username": "john.smith"}, "username"),
    ({"assignee": "mary-jane watson"}, "assignee"),
    ({"sender": "jose l. lopez"}, "sender"),
    ({"customer": "MARIA GARCIA"}, "customer"),
    ({"metadata": {"patient": "maria garcia"}}, "metadata.patient"),
]

# What ``name`` keys hold in traces besides people, and names too ambiguous to take.
KEPT = [
    {"name": "get_weather"},
    {"name": "retrieve documents"},
    {"name": "ChatOpenAI"},
    {"name": "RunnableSequence"},
    {"name": "claude"},  # one word: a first name alone is not taken
    {"name": "rose garden"},  # every word a dictionary word
    {"name": "Mark Complete"},
    {"name": "grace_hopper_search"},
    {"name": "maria said"},  # a lower-case dictionary word after the name
    {"name": "will smith"},  # a function word
    {"name": "openai.chat"},
    {"name": "summary_v2"},
    {"user": "u_12345"},
    {"owner": "platform-team"},
]


def _leaf(obj: dict[str, Any], dotted: str) -> Any:
    cur: Any = obj
    for part in dotted.split("."):
        cur = cur[part]
    return cur


@pytest.mark.parametrize(("payload", "path"), NAMES)
def test_names_under_name_keys_are_masked(
    masker: Masker, payload: dict[str, Any], path: str
) -> None:
    assert _leaf(masker.mask(payload), path) == "<PERSON>"


@pytest.mark.parametrize("payload", KEPT)
def test_other_values_under_name_keys_stay(masker: Masker, payload: dict[str, Any]) -> None:
    assert masker.mask(payload) == payload


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: maria garcia", "name: <PERSON>"),
        ("customer: maria garcia said hi", "customer: <PERSON> said hi"),
        # A person's key in text used to take only the first lower-case word: the surname
        # leaked ("patient name: <PERSON> garcia").
        ("patient name: maria garcia was admitted", "patient name: <PERSON> was admitted"),
        ("first name: jose", "first name: <PERSON>"),
        ("Name: John went home", "Name: <PERSON> went home"),
        ("tool name: get_weather", "tool name: get_weather"),
    ],
)
@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_name_keys_in_text(backend: str, text: str, expected: str) -> None:
    assert Masker(backend=backend).mask_text(text) == expected


def test_the_policy_can_drop_or_replace_name_keys() -> None:
    assert Masker({"name_keys": []}).mask({"name": "maria garcia"}) == {"name": "maria garcia"}
    custom = Masker({"name_keys": ["operator"]})
    assert custom.mask({"operator": "maria garcia"}) == {"operator": "<PERSON>"}
    assert custom.mask({"name": "maria garcia"}) == {"name": "maria garcia"}


def test_person_disabled_means_no_name_keys() -> None:
    off = Masker({"entities": {"PERSON": {"enabled": False}}})
    assert off.mask({"name": "maria garcia"}) == {"name": "maria garcia"}


def test_every_name_key_is_normalised_and_unique() -> None:
    assert len(set(NAME_KEYS)) == len(NAME_KEYS)
    for key in NAME_KEYS:
        body = key.strip("*")
        assert body == body.lower(), key
        assert not any(c in body for c in " _-."), key


_GIVEN = ["maria", "jose", "john", "mary", "ahmed", "priya", "wei", "olga"]
_SURNAMES = ["garcia", "lopez", "smith", "johnson", "nguyen", "patel", "kowalski", "hilton"]


@settings(max_examples=examples(200))
@given(
    st.sampled_from(_GIVEN),
    st.sampled_from(_SURNAMES),
    st.sampled_from([" ", "_", ".", "  "]),
    st.sampled_from([str.lower, str.title, str.upper]),
)
def test_given_then_surname_is_a_listed_name(first: str, last: str, sep: str, case: Any) -> None:
    value = case(f"{first}{sep}{last}")
    assert SHAPES["listed_name"].fits(value), value


@settings(max_examples=examples(200))
@given(
    st.lists(
        st.sampled_from(["the", "get", "search", "run", "data", "tool", "v2"]),
        min_size=1,
        max_size=4,
    )
)
def test_words_that_are_no_names_are_never_a_listed_name(words: list[str]) -> None:
    assert not SHAPES["listed_name"].fits(" ".join(words))
    assert not SHAPES["listed_name"].fits("_".join(words))

"""Strict policies: no silently ignored setting; typos get a suggestion; one clean line."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest
import yaml

from tracemask import Finding, Masker, PolicyError, load_policy
from tracemask._compiled import build_detectors
from tracemask.policy import describe_policy, policy_schema
from tracemask.policy._describe import render_comments


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # The policy: all three were accepted and silently ignored.
        ({"entities": {"CREDITCARD": {"enabled": False}}}, "did you mean CREDIT_CARD?"),
        ({"entities": {"PERSONS": {"enabled": False}}}, "did you mean PERSON?"),
        ({"entities": {"EMAIL": {"allow": ["a@b.co"]}}}, "did you mean EMAIL_ADDRESS?"),
        ({"entities": {"SSN": {}}}, "did you mean US_SSN?"),
        ({"entities": {"email_address": {}}}, "did you mean EMAIL_ADDRESS?"),
        ({"entities": {"WIDGET": {}}}, "unknown entity (a custom entity needs a recognizer"),
        ({"treshold": 0.3}, "treshold: unknown setting (did you mean threshold?)"),
        (
            {"entities": {"EMAIL_ADDRESS": {"alow": []}}},
            "alow: unknown setting (did you mean allow?)",
        ),
        (
            {"entities": {"EMAIL_ADDRESS": {"operator": {"type": "mask", "keep_lst": 4}}}},
            "operator.mask.keep_lst: unknown setting (did you mean keep_last?)",
        ),
        ({"default_operator": {"type": "hsh"}}, "(did you mean hash?)"),
        ({"key_rules": [{"keys": ["a"], "operatr": {}}]}, "key_rules.0.operatr"),
        ({"fail_mode": "close"}, "(did you mean closed?)"),
        ({"ner": {"backnd": "spacy"}}, "ner.backnd: unknown setting (did you mean backend?)"),
        # Profiles are checked when the policy loads, not on the day one is selected.
        ({"profiles": {"prod": {"entities": {"CREDITCARD": {}}}}}, "profiles.prod: entities."),
        ({"profiles": {"prod": {"treshold": 0.2}}}, "profiles.prod: treshold"),
    ],
)
def test_unknown_names_fail_with_a_suggestion(data: dict[str, object], expected: str) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(data)
    assert expected in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        # Entities the policy itself defines are known.
        {"entities": {"EMPLOYEE_ID": {"deny": ["E-1"]}}},
        {
            "recognizers": [{"name": "emp", "entity": "EMP", "pattern": r"EMP-\d+"}],
            "entities": {"EMP": {"threshold": 0.2}},
        },
        {"key_rules": [{"keys": ["ref"], "entity": "CUSTOMER"}], "entities": {"CUSTOMER": {}}},
        {"path_rules": [{"path": "a.b", "entity": "RAW"}], "entities": {"RAW": {"enabled": False}}},
    ],
)
def test_entities_defined_by_the_policy_are_allowed(data: dict[str, object]) -> None:
    load_policy(data)


def test_entities_of_user_detectors_are_allowed_when_named() -> None:
    data = {"entities": {"TICKET_ID": {"threshold": 0.9}}}
    with pytest.raises(PolicyError, match="TICKET_ID"):
        load_policy(data)
    assert "TICKET_ID" in load_policy(data, entities=["TICKET_ID"]).entities


def test_a_bad_re2_pattern_is_one_clean_line() -> None:
    # RE2 logs parse errors to stderr through absl; run in a child to see the real fd 2.
    code = (
        "from tracemask import load_policy, PolicyError\n"
        "try:\n"
        "    load_policy({'recognizers': [{'name': 'r', 'entity': 'X', 'pattern': '(a'}]})\n"
        "except PolicyError as e:\n"
        "    print(e)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout == "policy: recognizers.0.pattern: not a valid RE2 pattern: missing ): (a\n"
    assert proc.stderr == ""


def test_describe_lists_every_builtin_entity_with_operator_and_threshold() -> None:
    policy = load_policy(
        {"threshold": 0.6, "entities": {"CREDIT_CARD": {"operator": {"type": "mask"}}}}
    )
    doc = describe_policy(policy, build_detectors(policy))
    rows = {e["entity"]: e for e in doc["entities"]}
    assert {"EMAIL_ADDRESS", "CREDIT_CARD", "PERSON", "API_KEY", "US_SSN"} <= set(rows)
    assert rows["CREDIT_CARD"]["operator"] == "mask"
    assert rows["EMAIL_ADDRESS"]["operator"] == "replace"
    assert rows["EMAIL_ADDRESS"]["threshold"] == 0.6
    assert rows["EMAIL_ADDRESS"]["detectors"] == [
        "EmailDetector",
        "SpelledEmailDetector",
        "FieldValue",
    ]
    assert {o["type"] for o in doc["operators"]} >= {"replace", "hash", "encrypt", "drop"}
    assert any(kr["entity"] == "PASSWORD" and "password" in kr["keys"] for kr in doc["key_rules"])


def test_reference_comments_keep_the_policy_loadable() -> None:
    policy = load_policy(
        {"entities": {"EMAIL_ADDRESS": {"operator": {"type": "hash", "key": "k"}}}}
    )
    text = render_comments(describe_policy(policy, build_detectors(policy)))
    assert all(not line or line.startswith("#") for line in text.splitlines())
    assert "hash (key: ***)" in text
    assert "k)" not in text.replace("key: ***)", "")


def test_schema_validates_the_shipped_presets_and_lists_entities() -> None:
    schema = json.loads(json.dumps(policy_schema()))  # what `tracemask policy schema` prints
    assert "CREDIT_CARD" in schema["properties"]["entities"]["properties"]
    validator = jsonschema.Draft202012Validator(schema)
    validator.check_schema(schema)
    presets = resources.files("tracemask.policy") / "presets"
    for name in ("default", "strict"):
        validator.validate(yaml.safe_load((presets / f"{name}.yaml").read_text()) or {})
    validator.validate({"entities": {"EMP_ID": {"threshold": 0.2}}})
    for bad in (
        {"treshold": 0.3},
        {"entities": {"EMAIL_ADDRESS": {"operator": {"type": "hsh"}}}},
        {"entities": {"email": {}}},
        {"threshold": 2},
    ):
        assert not validator.is_valid(bad), bad


def test_masker_refuses_a_keyed_operator_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEMASK_HASH_KEY", raising=False)
    with pytest.raises(PolicyError, match="no key"):
        Masker({"default_operator": {"type": "hash"}})


def test_masker_allows_the_entity_of_a_user_detector() -> None:
    class Ticket:
        name = "ticket"
        entity = "TICKET_ID"

        def detect(self, text: str) -> list[Finding]:
            i = text.find("TCK-")
            return [] if i < 0 else [Finding(i, i + 8, "TICKET_ID", 0.9, "ticket")]

    policy = {"entities": {"TICKET_ID": {"operator": {"type": "redact"}}}}
    with pytest.raises(PolicyError, match="TICKET_ID"):
        Masker(policy)
    assert Masker(policy, detectors=[Ticket()]).mask_text("see TCK-1234 now") == "see  now"

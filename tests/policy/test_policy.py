"""Policy loading: formats, profiles, env precedence and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracemask import Masker, Policy, PolicyError, load_policy

EMAIL = "jane.doe@example.com"


def test_default_policy_is_valid_and_round_trips() -> None:
    policy = load_policy()
    assert policy == Policy()
    assert load_policy(policy.model_dump()) == policy


def test_yaml_file_and_preset(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\nentities:\n  EMAIL_ADDRESS: {enabled: false}\n")
    masker = Masker(path)
    assert masker.mask(EMAIL) == EMAIL
    assert Masker(str(path)).mask(EMAIL) == EMAIL
    assert load_policy("strict").threshold == 0.35


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"threshold": 2}, "threshold: Input should be less than or equal to 1"),
        (
            {"entities": {"EMAIL_ADDRESS": {"operator": {"type": "nope"}}}},
            "entities.EMAIL_ADDRESS.operator",
        ),
        ({"entities": {"email": {}}}, "entities: entity names are upper case"),
        (
            {"entities": {"X": {"operator": {"type": "drop"}}}},
            "operator 'drop' removes a whole field",
        ),
        (
            {"recognizers": [{"name": "r", "entity": "X", "pattern": "(a"}]},
            "not a valid RE2 pattern",
        ),
        ({"recognizers": [{"name": "r", "entity": "X", "pattern": "(?<=a)b"}]}, "RE2"),
        ({"national_ids": ["xx.nope"]}, "unknown national id 'xx.nope'"),
        ({"phone_regions": ["ZZ"]}, "unknown phone region 'ZZ'"),
        ({"unknown_field": 1}, "unknown_field: unknown setting"),
        ({"default_operator": {"type": "mask", "char": "a"}}, "char must not be a letter or digit"),
        (
            {"default_operator": {"type": "replace", "template": "<{nope}>"}},
            "template may only use",
        ),
    ],
)
def test_bad_policies_fail_with_one_line_naming_the_field(
    data: dict[str, object], expected: str
) -> None:
    with pytest.raises(PolicyError) as info:
        load_policy(data)
    message = str(info.value)
    assert expected in message
    assert "\n" not in message


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\nentities:\n  EMAIL: [unclosed\n")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(path) in str(info.value)
    assert "line" in str(info.value)


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read policy"):
        load_policy(tmp_path / "missing.yaml")
    path = tmp_path / "list.yaml"
    path.write_text("- a\n")
    with pytest.raises(PolicyError, match="a policy is a mapping"):
        load_policy(path)


def test_profiles_override_and_env_precedence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("threshold: 0.5\nprofiles:\n  loose: {threshold: 0.9}\n")
    assert load_policy(path, profile="loose").threshold == 0.9
    with pytest.raises(PolicyError, match="no profile 'nope'"):
        load_policy(path, profile="nope")
    monkeypatch.setenv("TRACEMASK_POLICY", str(path))
    monkeypatch.setenv("TRACEMASK_PROFILE", "loose")
    assert load_policy().threshold == 0.9
    with pytest.raises(PolicyError, match="no profile 'loose'"):
        load_policy({"threshold": 0.2})  # the env profile applies to explicit policies too
    monkeypatch.delenv("TRACEMASK_PROFILE")
    assert load_policy({"threshold": 0.2}).threshold == 0.2


@pytest.mark.parametrize("preset", ["default", "strict"])
def test_bundled_presets_load(preset: str) -> None:
    assert Masker(preset).mask("jane.doe@example.com") == "<EMAIL_ADDRESS>"


def test_hash_operator_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEMASK_HASH_KEY", raising=False)
    with pytest.raises(PolicyError, match="TRACEMASK_HASH_KEY"):
        Masker({"default_operator": {"type": "hash"}})
    monkeypatch.setenv("TRACEMASK_HASH_KEY", "k1")
    a = Masker({"default_operator": {"type": "hash"}}).mask(EMAIL)
    monkeypatch.setenv("TRACEMASK_HASH_KEY", "k2")
    b = Masker({"default_operator": {"type": "hash"}}).mask(EMAIL)
    assert a.startswith("<EMAIL_ADDRESS:")
    assert a != b


def test_entities_thresholds_allow_and_deny() -> None:
    masker = Masker(
        {
            "entities": {
                "EMAIL_ADDRESS": {"allow": ["support@acme.example"]},
                "PROJECT": {"deny": ["Project Falcon"]},
                "PHONE_NUMBER": {"threshold": 0.99},
            }
        }
    )
    text = "support@acme.example and jane.doe@example.com on project falcon, +1 (415) 555-0132"
    assert masker.mask(text) == (
        "support@acme.example and <EMAIL_ADDRESS> on <PROJECT>, +1 (415) 555-0132"
    )


def test_custom_recognizer_with_context_and_validator() -> None:
    masker = Masker(
        {
            "recognizers": [
                {"name": "employee", "entity": "EMPLOYEE_ID", "pattern": r"\bEMP-\d{6}\b"},
                {
                    "name": "acct",
                    "entity": "ACCOUNT",
                    "pattern": r"\b(?P<value>\d{16})\b",
                    "validator": "luhn",
                    "score": 0.3,
                    "context": ["account"],
                },
            ]
        }
    )
    assert masker.mask("badge EMP-004211") == "badge <EMPLOYEE_ID>"
    assert masker.mask("account 3590730093437731") == "account <ACCOUNT>"
    assert masker.mask("ref 4111111111111112") == "ref 4111111111111112"


def test_policy_objects_pass_through_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = load_policy(
        {
            "default_operator": {"type": "mask", "keep_last": 2},
            "profiles": {"loud": {"default_operator": {"type": "replace"}}},
        }
    )
    monkeypatch.setenv("TRACEMASK_PROFILE", "nope")  # resolved objects ignore the env profile
    assert load_policy(policy) is policy
    assert Masker(policy).mask("jane.doe@example.com").endswith("om")
    assert Masker(policy, profile="loud").mask("jane.doe@example.com") == "<EMAIL_ADDRESS>"

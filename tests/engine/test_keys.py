"""Key-name matching: separators, case, dotted names and suffixes."""

from __future__ import annotations

import pytest

from tracemask._keys import KeyMatcher

MATCHER = KeyMatcher.build(
    [
        (["user.id"], 0),
        (["api_key", "*_token"], 1),
        (["*.card.number"], 2),
        (["password"], 3),
    ]
)


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("user.id", 0),
        ("User.ID", 0),
        ("session.id", None),
        ("service.instance.id", None),
        ("API-Key", 1),
        ("apiKey", 1),
        ("http.request.header.x_api_key", None),  # xapikey is not apikey
        ("http.request.header.api-key", 1),
        ("github_token", 1),
        ("token", 1),  # separators are dropped: "*_token" is "*token"
        ("payment.card.number", 2),
        ("card.number", None),
        ("DB_PASSWORD", None),
        ("Password", 3),
        ("tokens", None),
    ],
)
def test_matching(key: str, rule: int | None) -> None:
    assert MATCHER.match(key) == rule


def test_earlier_rules_win() -> None:
    matcher = KeyMatcher.build([(["*key"], 0), (["apikey"], 1)])
    assert matcher.match("api_key") == 0


def test_turning_password_off_turns_off_its_key_rule_too() -> None:
    """``entities: {PASSWORD: {enabled: false}}`` was silently ignored for values under
    password keys; now it acts on them like on the detectors. SECRET is independent."""
    from tracemask import Masker  # noqa: PLC0415

    payload = {"password": "hunter2", "api_key": "my-service-token-2024"}
    assert Masker().mask(payload) == {"password": "<PASSWORD>", "api_key": "<SECRET>"}
    off = Masker({"entities": {"PASSWORD": {"enabled": False}}})
    assert off.mask(payload) == {"password": "hunter2", "api_key": "<SECRET>"}


def test_entity_operator_applies_to_values_found_by_key_name() -> None:
    """``entities.PASSWORD.operator`` covers every PASSWORD, also the values under password
    keys (it was silently ignored there: only ``key_operator`` applied)."""
    from tracemask import Masker  # noqa: PLC0415

    payload = {"password": "hunter2", "note": "my password is hunter2", "api_key": "svc-2024-x"}
    masker = Masker({"entities": {"PASSWORD": {"operator": {"type": "mask", "char": "#"}}}})
    out = masker.mask(payload)
    assert out["password"] == "#######"
    assert "hunter2" not in out["note"]
    assert out["api_key"] == "<SECRET>"  # SECRET keeps key_operator (replace)


def test_key_operator_is_the_fallback_and_rules_own_operator_wins() -> None:
    from tracemask import Masker  # noqa: PLC0415

    policy = {
        "key_operator": {"type": "redact"},
        "entities": {"SECRET": {"operator": {"type": "replace", "template": "[{entity}]"}}},
        "key_rules": [
            {"keys": ["pin"], "entity": "PASSWORD"},  # no operator: PASSWORD has none either
            {"keys": ["ref"], "entity": "SECRET"},  # no operator: SECRET's own
            {"keys": ["otp"], "entity": "SECRET", "operator": {"type": "keep"}},  # its own
        ],
    }
    out = Masker(policy).mask(
        {"password": "hunter2", "pin": "1234", "api_key": "svc-2024-x", "ref": "r-9", "otp": "77"}
    )
    assert out == {"password": "", "pin": "", "api_key": "[SECRET]", "ref": "[SECRET]", "otp": "77"}


def test_policy_show_reports_the_operator_key_rules_apply() -> None:
    from tracemask import Masker  # noqa: PLC0415
    from tracemask.policy import load_policy  # noqa: PLC0415
    from tracemask.policy._describe import describe  # noqa: PLC0415

    policy = load_policy({"entities": {"PASSWORD": {"operator": {"type": "redact"}}}})
    doc = describe(policy, Masker(policy).compiled.engine.detectors)
    by_entity = {kr["entity"]: kr["operator"] for kr in doc["key_rules"]}
    assert by_entity["PASSWORD"] != by_entity["SECRET"]
    assert "redact" in by_entity["PASSWORD"]
    off = load_policy({"entities": {"SECRET": {"enabled": False}}})
    assert "SECRET" not in {kr["entity"] for kr in describe(off, ())["key_rules"]}

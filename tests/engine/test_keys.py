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

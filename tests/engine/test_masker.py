"""Masker behaviour on JSON-like values: shape kept, input untouched, JSON inside strings."""

from __future__ import annotations

import base64
import copy
import dataclasses
import json
from collections import OrderedDict, namedtuple

import pydantic
import pytest

from tracemask import Masker, MaskingError, Report
from tracemask._compiled import Context

EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
CARD = "4111 1111 1111 1111"


def test_masks_strings_and_keeps_everything_else(masker: Masker) -> None:
    payload = {
        "msg": f"reach me at {EMAIL}",
        "n": 3,
        "f": 1.5,
        "ok": True,
        "none": None,
        "list": [EMAIL, 7, {"x": PHONE}],
        "tuple": ("a", CARD),
    }
    out = masker.mask(payload)
    assert out == {
        "msg": "reach me at <EMAIL_ADDRESS>",
        "n": 3,
        "f": 1.5,
        "ok": True,
        "none": None,
        "list": ["<EMAIL_ADDRESS>", 7, {"x": "<PHONE_NUMBER>"}],
        "tuple": ("a", "<CREDIT_CARD>"),
    }
    assert list(out) == list(payload)
    assert type(out["tuple"]) is tuple


def test_never_mutates_nor_aliases_input(masker: Masker) -> None:
    payload = {"a": [{"b": EMAIL}], "c": {"d": "clean"}}
    before = copy.deepcopy(payload)
    out = masker.mask(payload)
    assert payload == before
    assert out["c"] is not payload["c"]
    assert out["a"] is not payload["a"]


def test_ids_versions_and_timestamps_survive(masker: Masker) -> None:
    keep = {
        "traceId": "4bf92f3577b34da6a3ce929d0e0e4736",
        "spanId": "00f067aa0ba902b8",
        "uuid": "8eeadc35-c2f8-4c6e-bb0a-84c4fc46fb38",
        "sha": "9fceb02d0ae598e95dc970b74767f19372d61af8",
        "ts": "1795400489304694939",
        "ms": "1767225600000",
        "iso": "2026-01-01T00:00:00.000Z",
        "version": "1.45.2",
        "model": "gpt-4o-2024-08-06",
        "claude": "claude-3-5-sonnet-20241022",
        "order": "order 4111111111111112 shipped",
        "title": "Hello World from Quarterly Revenue Report",
        "tokens": "prompt_tokens=61 completion_tokens=24",
    }
    assert masker.mask(keep) == keep


def test_json_inside_strings_keeps_its_style(masker: Masker) -> None:
    compact = json.dumps({"email": EMAIL, "n": 1}, separators=(",", ":"))
    spaced = json.dumps({"email": EMAIL, "n": 1})
    indented = json.dumps({"email": EMAIL, "n": [1, 2]}, indent=2)
    out = masker.mask({"c": compact, "s": spaced, "i": indented})
    assert out["c"] == '{"email":"<EMAIL_ADDRESS>","n":1}'
    assert out["s"] == '{"email": "<EMAIL_ADDRESS>", "n": 1}'
    assert out["i"] == json.dumps({"email": "<EMAIL_ADDRESS>", "n": [1, 2]}, indent=2)


def test_json_with_ascii_escapes_is_decoded_before_matching(masker: Masker) -> None:
    encoded = json.dumps({"note": f"José, {EMAIL}"})  # ensure_ascii: Jos\u00e9
    assert "\\u00e9" in encoded
    out = masker.mask(encoded)
    assert out == '{"note": "Jos\\u00e9, <EMAIL_ADDRESS>"}'


def test_doubly_encoded_json(masker: Masker) -> None:
    inner = json.dumps({"arguments": json.dumps({"email": EMAIL})})
    out = masker.mask({"v": inner})
    assert EMAIL not in out["v"]
    assert json.loads(json.loads(out["v"])["arguments"]) == {"email": "<EMAIL_ADDRESS>"}


def test_json_string_scalar_like_langfuse_v5_metadata(masker: Masker) -> None:
    assert masker.mask(json.dumps(EMAIL)) == '"<EMAIL_ADDRESS>"'


def test_unchanged_json_strings_are_returned_verbatim(masker: Masker) -> None:
    odd = '{"a" :1,   "b":[1,2 ]}'
    assert masker.mask(odd) == odd


def test_truncated_json_falls_back_to_text(masker: Masker) -> None:
    truncated = '{"messages": [{"content": "mail ' + EMAIL + '", "role": "us'
    out = masker.mask(truncated)
    assert EMAIL not in out
    assert out.startswith('{"messages": [{"content": "mail <EMAIL_ADDRESS>"')


def test_deep_nesting_has_no_limit(masker: Masker) -> None:
    depth = 10_000
    payload: object = EMAIL
    for i in range(depth):
        payload = {"k": payload} if i % 2 else [payload]
    out = masker.mask(payload)
    node = out
    for _ in range(depth):
        node = node["k"] if isinstance(node, dict) else node[0]
    assert node == "<EMAIL_ADDRESS>"


def test_deeply_nested_json_string_is_still_masked(masker: Masker) -> None:
    text = "[" * 5000 + json.dumps(EMAIL) + "]" * 5000
    out = masker.mask(text)
    assert EMAIL not in out
    assert out.count("[") == 5000


def test_key_rules_mask_whole_values(masker: Masker) -> None:
    payload = {
        "password": "hunter2",
        "API-Key": "abc123",
        "clientSecret": "s3cr3t-value",
        "headers": {"Authorization": "Bearer abc.def", "X-Api-Key": "k"},
        "db_password": "pw",
        "github_token": "t0k3n",
        "max_tokens": 256,
        "token_count": "12",
        "session.id": "sess_2024_11_jd",
        "auth": {"user": "bob", "pin": 1234},
    }
    out = masker.mask(payload)
    assert out["password"] == "<PASSWORD>"
    assert out["API-Key"] == "<SECRET>"
    assert out["clientSecret"] == "<SECRET>"
    assert out["headers"] == {"Authorization": "<SECRET>", "X-Api-Key": "<SECRET>"}
    assert out["db_password"] == "<PASSWORD>"
    assert out["github_token"] == "<SECRET>"
    assert out["max_tokens"] == 256
    assert out["token_count"] == "12"
    assert out["session.id"] == "sess_2024_11_jd"
    assert out["auth"] == {"user": "<SECRET>", "pin": 0}  # an integer PIN too (type kept)


def test_otlp_attribute_keys_drive_key_rules(masker: Masker) -> None:
    attrs = [
        {"key": "http.request.header.authorization", "value": {"stringValue": "Basic dXNlcg=="}},
        {"key": "user.id", "value": {"stringValue": "user_8812"}},
    ]
    out = masker.mask({"attributes": attrs})
    assert out["attributes"][0] == {
        "key": "http.request.header.authorization",
        "value": {"stringValue": "<SECRET>"},
    }
    assert out["attributes"][1] == attrs[1]


def test_path_rules_keep_drop_and_replace() -> None:
    masker = Masker(
        {
            "path_rules": [
                {"path": "spans.*.attributes[debug.raw]", "operator": {"type": "keep"}},
                {"path": "spans.*.attributes[internal]", "operator": {"type": "drop"}},
                {"path": "**.notes", "entity": "NOTE", "operator": {"type": "replace"}},
            ]
        }
    )
    span = {
        "attributes": [
            {"key": "debug.raw", "value": {"stringValue": EMAIL}},
            {"key": "internal", "value": {"stringValue": "x"}},
            {"key": "other", "value": {"stringValue": EMAIL}},
        ],
        "meta": {"notes": "free text"},
    }
    out = masker.mask({"spans": [span]})
    attrs = out["spans"][0]["attributes"]
    assert [a["key"] for a in attrs] == ["debug.raw", "other"]
    assert attrs[0]["value"]["stringValue"] == EMAIL
    assert attrs[1]["value"]["stringValue"] == "<EMAIL_ADDRESS>"
    assert out["spans"][0]["meta"]["notes"] == "<NOTE>"


def test_drop_key_rule_removes_field() -> None:
    masker = Masker({"key_rules": [{"keys": ["ssn"], "operator": {"type": "drop"}}]})
    assert masker.mask({"ssn": "x", "a": 1}) == {"a": 1}


@dataclasses.dataclass(frozen=True)
class Message:
    role: str
    content: str
    meta: dict[str, str]


class Model(pydantic.BaseModel):
    name: str
    items: list[str]


Point = namedtuple("Point", ["label", "n"])


def test_dataclasses_pydantic_namedtuples_and_mappings(masker: Masker) -> None:
    msg = Message("user", f"mail {EMAIL}", {"phone": PHONE})
    out = masker.mask(msg)
    assert isinstance(out, Message)
    assert out == Message("user", "mail <EMAIL_ADDRESS>", {"phone": "<PHONE_NUMBER>"})
    assert msg.content == f"mail {EMAIL}"

    model = Model(name=EMAIL, items=[CARD])
    masked = masker.mask(model)
    assert isinstance(masked, Model)
    assert masked.name == "<EMAIL_ADDRESS>"
    assert masked.items == ["<CREDIT_CARD>"]
    assert model.name == EMAIL

    assert masker.mask(Point(EMAIL, 1)) == Point("<EMAIL_ADDRESS>", 1)
    ordered = masker.mask(OrderedDict([("b", EMAIL), ("a", 1)]))
    assert isinstance(ordered, OrderedDict)
    assert list(ordered.items()) == [("b", "<EMAIL_ADDRESS>"), ("a", 1)]


def test_bytes_are_left_alone_unless_policy_says_so() -> None:
    data = {"b": EMAIL.encode()}
    assert Masker().mask(data) == data
    assert Masker({"mask_bytes": True}).mask(data) == {"b": b"<EMAIL_ADDRESS>"}


def test_report_counts_without_values(masker: Masker) -> None:
    report = Report()
    masker.mask({"a": [f"{EMAIL} {PHONE}", EMAIL], "password": "x"}, report=report)
    assert report.by_entity == {"EMAIL_ADDRESS": 2, "PHONE_NUMBER": 1, "PASSWORD": 1}
    assert report.by_path["a.*"] == 3
    rendered = json.dumps(report.to_dict())
    assert EMAIL not in rendered
    assert "hunter" not in rendered


def test_scan_detect_and_mask_text(masker: Masker) -> None:
    report = masker.scan({"x": EMAIL})
    assert report.total == 1
    findings = masker.detect(f"to {EMAIL} or {PHONE}")
    assert [(f.entity, f.start, f.end) for f in findings] == [
        ("EMAIL_ADDRESS", 3, 23),
        ("PHONE_NUMBER", 27, 44),
    ]
    assert EMAIL not in repr(findings)
    assert masker.mask_text(json.dumps({"e": EMAIL})) == '{"e": "<EMAIL_ADDRESS>"}'


def test_masked_tokens_are_not_masked_again() -> None:
    masker = Masker(
        {
            "key_operator": {"type": "hash", "key": "k"},
            "default_operator": {"type": "hash", "key": "k"},
        }
    )
    once = masker.mask({"password": "hunter2", "m": EMAIL})
    assert once["password"].startswith("<PASSWORD:")
    assert masker.mask(once) == once


def test_internal_errors_become_masking_errors_without_values(
    masker: Masker, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(text: str, field: str | None = None) -> list[object]:
        raise RuntimeError(text)

    monkeypatch.setattr(masker.compiled.engine, "detect", boom)
    with pytest.raises(MaskingError) as info:
        masker.mask({"a": {"b": [f"mail {EMAIL} please"]}})
    assert "a.b.0" in str(info.value)
    assert EMAIL not in str(info.value)


def test_error_paths_are_masked_too(masker: Masker, monkeypatch: pytest.MonkeyPatch) -> None:
    real = masker.compiled.compute

    def fail_on_value(
        text: str, ctx: Context, field: str | None = None
    ) -> tuple[str, tuple[str, ...]]:
        if "please" in text:
            raise RuntimeError(text)
        return real(text, ctx, field)

    monkeypatch.setattr(masker.compiled, "compute", fail_on_value)
    with pytest.raises(MaskingError) as info:
        masker.mask({EMAIL: ["mail me please"]})
    assert EMAIL not in str(info.value)
    assert "<EMAIL_ADDRESS>" in str(info.value)


def test_otlp_typed_scalars_are_kept(masker: Masker) -> None:
    attrs = [
        {"key": "order.ref", "value": {"intValue": "4111111111111111"}},
        {"key": "password", "value": {"intValue": "1234"}},
        {"key": "blob", "value": {"bytesValue": "amFuZS5kb2VAZXhhbXBsZS5jb20="}},
        {"key": "note", "value": {"stringValue": "card 4111111111111111"}},
    ]
    out = masker.mask({"attributes": attrs})["attributes"]
    assert out[0]["value"] == attrs[0]["value"]  # a typed integer, and nothing says it is a card
    # ... but under a password key its digits are the password: masked, still an int64 string
    assert out[1]["value"] == {"intValue": "0"}
    # bytes holding UTF-8 text are masked inside and stay base64 (the type is kept)
    assert out[2]["value"] == {"bytesValue": base64.b64encode(b"<EMAIL_ADDRESS>").decode()}
    assert out[3]["value"] == {"stringValue": "card <CREDIT_CARD>"}


class WithPrivate(pydantic.BaseModel):
    text: str
    _hidden: dict[str, str] = pydantic.PrivateAttr(default_factory=dict)


def test_pydantic_private_attributes_are_masked_and_not_shared(masker: Masker) -> None:
    model = WithPrivate(text=EMAIL)
    model._hidden["api_base"] = f"https://x.example/?owner={EMAIL}"
    out = masker.mask(model)
    assert out.text == "<EMAIL_ADDRESS>"
    assert EMAIL not in out._hidden["api_base"]
    assert out._hidden is not model._hidden
    assert EMAIL in model._hidden["api_base"]


def test_json_strings_are_cached_without_changing_results(masker: Masker) -> None:
    text = json.dumps({"m": EMAIL, "password": "x"})
    first = masker.mask({"a": text})
    second = masker.mask({"a": text})
    report = Report()
    third = masker.mask({"a": text}, report=report)
    assert first == second == third
    assert report.by_entity == {"EMAIL_ADDRESS": 1, "PASSWORD": 1}


def test_personal_fields_by_key_name(masker: Masker) -> None:
    out = masker.mask(
        {
            "first_name": "Jo",
            "customer": {"fullName": "Jane Q. Doe", "shipping_address": "1 Infinite Loop"},
            "zip_code": "95014",
            "service.name": "billing-bot",
            "model_name": "gpt-4o",
            "tool_name": "update_card",
            "server.address": "api.openai.com",
        }
    )
    assert out == {
        "first_name": "<PERSON>",
        "customer": {"fullName": "<PERSON>", "shipping_address": "<LOCATION>"},
        "zip_code": "<LOCATION>",
        "service.name": "billing-bot",
        "model_name": "gpt-4o",
        "tool_name": "update_card",
        "server.address": "api.openai.com",
    }
    off = Masker({"entities": {"PERSON": {"enabled": False}}})
    assert off.mask({"first_name": "Jo"}) == {"first_name": "Jo"}


def test_text_cache_is_bounded_by_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    import tracemask._compiled as compiled_module  # noqa: PLC0415

    monkeypatch.setattr(compiled_module, "CACHE_MAX_CHARS", 1000)
    masker = Masker()
    for i in range(50):
        masker.mask(f"note {i}: " + "x" * 90)
    assert sum(len(str(k)) for k in masker.compiled.text_cache) <= 1000
    assert masker.mask(f"long {EMAIL} " + "y" * 500) == "long <EMAIL_ADDRESS> " + "y" * 500


def test_a_masked_token_is_not_a_context_word() -> None:
    """``<PHONE_NUMBER>`` holds the word "phone": read as context it would vouch for the next
    number on a second pass only, and masking would not be idempotent."""
    masker = Masker()
    text = "order +1 (415) 555-0132 (206) 555-0197"
    once = masker.mask_text(text)
    assert masker.mask_text(once) == once

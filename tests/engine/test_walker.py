"""The walker: named entries, typed integers, field names, and the two traversals agreeing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker, MaskingError, Report
from tracemask import _walker as walker_module

EMAIL = "jane.doe@example.com"


def test_named_entries_in_every_spelling_key_their_value(masker: Masker) -> None:
    har_headers = [
        {"name": "Authorization", "value": "Bearer abc.def.ghi"},
        {"name": "Accept", "value": "application/json"},
    ]
    aws_tags = [{"Key": "owner_email", "Value": EMAIL}, {"Key": "password", "Value": "hunter22"}]
    out = masker.mask({"headers": har_headers, "Tags": aws_tags})
    assert out["headers"] == [
        {"name": "Authorization", "value": "<SECRET>"},
        {"name": "Accept", "value": "application/json"},
    ]
    assert out["Tags"] == [
        {"Key": "owner_email", "Value": "<EMAIL_ADDRESS>"},
        {"Key": "password", "Value": "<PASSWORD>"},
    ]


def test_a_named_entry_name_is_masked_only_when_it_holds_a_finding(masker: Masker) -> None:
    entries = [{"key": f"mailto.{EMAIL}", "value": "x"}, {"key": "http.method", "value": "GET"}]
    out = masker.mask({"attributes": entries})
    assert EMAIL not in json.dumps(out)
    assert out["attributes"][1] == {"key": "http.method", "value": "GET"}
    # Not a named entry: three keys, or a non-string name.
    assert masker.mask({"key": "password", "value": "hunter22", "x": 1})["value"] == "hunter22"
    assert masker.mask({"key": 3, "value": EMAIL}) == {"key": 3, "value": "<EMAIL_ADDRESS>"}


def test_named_entry_path_segments_and_drop() -> None:
    drop = {"path": "spans.*.attributes[internal]", "operator": {"type": "drop"}}
    m = Masker({"path_rules": [drop]})
    span = {"attributes": [{"name": "internal", "value": "x"}, {"name": "other", "value": EMAIL}]}
    report = Report()
    out = m.mask({"spans": [span]}, report=report)
    assert out == {"spans": [{"attributes": [{"name": "other", "value": "<EMAIL_ADDRESS>"}]}]}
    assert set(report.by_path) == {
        "spans.*.attributes[internal]",
        "spans.*.attributes[other].value",
    }


def test_a_drop_rule_reaching_an_entry_value_never_leaves_it_unmasked() -> None:
    m = Masker({"key_rules": [{"keys": ["password"], "operator": {"type": "drop"}}]})
    out = m.mask({"attr": {"key": "password", "value": {"stringValue": "hunter22"}}})
    assert "hunter22" not in json.dumps(out)


def test_typed_integers_are_kept_only_as_integer_literals(masker: Masker) -> None:
    doc = {
        "a": {"intValue": "4111111111111111"},
        "b": {"intValue": f"mail {EMAIL}"},
        "c": {"intValue": "4111111111111111", "other": 1},
        "d": {"bytesValue": f"mail {EMAIL}"},
    }
    out = masker.mask(doc)
    assert out["a"] == doc["a"]
    assert out["b"] == {"intValue": "mail <EMAIL_ADDRESS>"}
    assert out["c"]["intValue"] == "<CREDIT_CARD>"
    assert out["d"] == {"bytesValue": "mail <EMAIL_ADDRESS>"}  # generic JSON: just a string


class _Recorder:
    """Stands in for the engine's field evidence: records what each string was masked under."""

    def __init__(self, masker: Masker, monkeypatch: pytest.MonkeyPatch) -> None:
        engine = masker.compiled.engine
        self.seen: list[tuple[str, str | None]] = []
        real = masker.compiled.compute

        def compute(text: str, ctx: Any, field: str | None = None) -> Any:
            self.seen.append((text, field))
            return real(text, ctx, field)

        def evidence(field: str) -> str | None:
            return "phone" if field.lower().startswith("phone") else None

        monkeypatch.setattr(masker.compiled, "compute", compute)
        monkeypatch.setattr(engine, "field_evidence", evidence)
        monkeypatch.setattr(engine, "uses_fields", True)

    def field_of(self, text: str) -> str | None:
        fields = {f for t, f in self.seen if t == text}
        assert len(fields) == 1, fields
        return fields.pop()


def test_each_string_is_masked_knowing_its_field(monkeypatch: pytest.MonkeyPatch) -> None:
    masker = Masker()
    rec = _Recorder(masker, monkeypatch)
    doc = {
        "user": {"phone_home": "text one here", "phone_list": ["text two here"]},
        "attributes": [{"key": "phone.billing", "value": {"stringValue": "text three here"}}],
        "list": [
            {"key": "phone.k", "value": {"arrayValue": {"values": [{"stringValue": "text four"}]}}}
        ],
        "raw": json.dumps({"phone_inner": "text five here", "phone_more": ["text six here"]}),
        "deep": {"a": {"phone_b": "text seven here", "c": 1}},
        "notes": "text nine here",
    }
    masker.mask(doc)
    assert rec.field_of("text one here") == "phone_home"
    assert rec.field_of("text two here") == "phone_list"  # a list item: the nearest key
    assert rec.field_of("text three here") == "phone.billing"  # through the type wrapper
    assert rec.field_of("text four") == "phone.k"  # through arrayValue.values
    assert rec.field_of("text five here") == "phone_inner"  # JSON inside a string
    assert rec.field_of("text six here") == "phone_more"
    assert rec.field_of("text seven here") == "phone_b"
    assert rec.field_of("text nine here") is None  # a field that says nothing is dropped
    assert masker.mask_text("text eight here") == "text eight here"
    assert rec.field_of("text eight here") is None


def test_the_text_cache_never_serves_a_result_across_evidence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    masker = Masker()
    rec = _Recorder(masker, monkeypatch)
    masker.mask({"phone": "same text here", "notes": "same text here", "other": "same text here"})
    # One computation per distinct evidence: "phone", and none (notes, other: the text alone).
    assert [f for t, f in rec.seen if t == "same text here"] == ["phone", None]
    masker.mask({"phone_work": "same text here"})
    assert len([t for t, _ in rec.seen if t == "same text here"]) == 2  # same evidence: cached


# -- the two traversals are one set of rules --------------------------------------------------

POLICIES = [
    None,
    {"path_rules": [{"path": "**.attributes[secret.*]", "operator": {"type": "drop"}}]},
    {
        "key_rules": [{"keys": ["note"], "entity": "NOTE", "operator": {"type": "drop"}}],
        "path_rules": [
            {"path": "a.**", "entity": "A", "operator": {"type": "replace"}},
            {"path": "**[keep.me]", "operator": {"type": "keep"}},
        ],
    },
]
MASKERS = [Masker(p) for p in POLICIES]

leaf = st.one_of(
    st.none(),
    st.integers(),
    st.sampled_from(["plain", EMAIL, f"mail {EMAIL}", "4111 1111 1111 1111", "12", "hunter22"]),
)
keys = st.sampled_from(["a", "b", "note", "password", "intValue", "stringValue", "msg", "value"])
names = st.sampled_from(["keep.me", "secret.x", "password", "user.email", f"to.{EMAIL}"])


def _trees(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
        st.builds(lambda n, v: {"key": n, "value": v}, names, children),
        st.builds(lambda n, v: {"Name": n, "Value": v}, names, children),
        st.builds(lambda v: {"attributes": v}, st.lists(children, max_size=3)),
        st.tuples(children, children),
        children.map(json.dumps),
    )


trees = st.recursive(leaf, _trees, max_leaves=30)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees, st.sampled_from(range(len(MASKERS))))
def test_iterative_walk_equals_recursive_walk(value: Any, which: int) -> None:
    masker = MASKERS[which]
    recursive_report, iterative_report = Report(), Report()
    recursive = masker.mask(value, report=recursive_report)
    original = walker_module.RECURSION_LIMIT
    walker_module.RECURSION_LIMIT = 0  # every container through the iterative walk
    try:
        iterative = masker.mask(value, report=iterative_report)
    finally:
        walker_module.RECURSION_LIMIT = original
    assert iterative == recursive
    assert iterative_report.by_entity == recursive_report.by_entity
    assert iterative_report.by_path_entity == recursive_report.by_path_entity
    assert iterative_report.fields == recursive_report.fields


def test_both_traversals_name_the_same_failing_path(monkeypatch: pytest.MonkeyPatch) -> None:
    masker = Masker()
    real = masker.compiled.engine.detect

    def boom(text: str, field: str | None = None) -> list[Any]:
        if text == "some text":
            raise RuntimeError(text)
        return real(text, field)

    monkeypatch.setattr(masker.compiled.engine, "detect", boom)
    doc = {"a": [{"key": "k.x", "value": {"stringValue": "some text"}}]}
    messages = []
    for limit in (200, 0):
        monkeypatch.setattr(walker_module, "RECURSION_LIMIT", limit)
        with pytest.raises(MaskingError) as info:
            masker.mask(doc)
        messages.append(str(info.value))
    assert messages[0] == messages[1]
    assert messages[0] == "masking failed at a[k.x].value.stringValue: RuntimeError"


def test_a_json_schema_under_a_personal_field_name_is_not_personal_data() -> None:
    """Tool definitions name their parameters ``billing_address``, ``password``…: the schema
    describes the field, it holds no value. A real value under the same names is masked."""
    masker = Masker()
    tool = {
        "type": "function",
        "function": {
            "name": "update_card",
            "parameters": {
                "type": "object",
                "properties": {
                    "billing_address": {"type": "string", "description": "Street and city"},
                    "password": {"type": ["string", "null"], "minLength": 8},
                    "customer_name": {"type": "string", "enum": ["a", "b"]},
                },
                "required": ["billing_address"],
            },
        },
    }
    assert masker.mask(tool) == tool
    for deep in (False, True):
        data = {"billing_address": {"street": "1 Main St", "city": "Springfield"}}
        out = masker.mask(_nest(data, 300) if deep else data)
        flat = out
        while deep and isinstance(flat, list):
            flat = flat[0]
        assert flat == {"billing_address": {"street": "<LOCATION>", "city": "<LOCATION>"}}
    # Not a schema (a value key): the rule holds.
    out = masker.mask({"home_address": {"type": "string", "value": "1 Main St"}})
    assert out["home_address"]["value"] == "<LOCATION>"


def _nest(value: object, depth: int) -> object:
    for _ in range(depth):
        value = [value]
    return value

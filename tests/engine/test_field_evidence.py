"""The walker hands each string's field name to the engine: structure is evidence."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker, Report

PHONE = "71 23 45 67"  # a national number in no known format: no detector reports it alone
CARD = "4111 1111 1111 1112"  # Luhn fails


def test_the_value_alone_is_not_reported(masker: Masker) -> None:
    assert masker.mask_text(PHONE) == PHONE
    assert masker.mask_text(CARD) == CARD


def test_json_keys(masker: Masker) -> None:
    doc = {"customer": {"billingPhone": PHONE, "cc_number": CARD, "ssn_last4": "1234"}}
    assert masker.mask(doc) == {
        "customer": {
            "billingPhone": "<PHONE_NUMBER>",
            "cc_number": "<CREDIT_CARD>",
            "ssn_last4": "<US_SSN>",
        }
    }


def test_lists_and_value_wrappers_inherit_the_field(masker: Masker) -> None:
    doc = {"phones": [PHONE, {"value": PHONE}], "mobile": {"values": [PHONE]}}
    assert masker.mask(doc) == {
        "phones": ["<PHONE_NUMBER>", {"value": "<PHONE_NUMBER>"}],
        "mobile": {"values": ["<PHONE_NUMBER>"]},
    }


def test_otlp_attribute_keys(masker: Masker) -> None:
    attrs = [
        {"key": "langfuse.trace.metadata.billing_phone", "value": {"stringValue": PHONE}},
        {"key": "user.phone_number", "value": {"stringValue": "415.867.2290x123"}},
        {"key": "service.name", "value": {"stringValue": PHONE}},
        {"key": "server.address", "value": {"stringValue": "api.openai.com"}},
    ]
    out = masker.mask({"attributes": attrs})["attributes"]
    assert [a["value"]["stringValue"] for a in out] == [
        "<PHONE_NUMBER>",
        "<PHONE_NUMBER>",
        PHONE,
        "api.openai.com",
    ]


def test_tool_call_arguments_in_a_json_string(masker: Masker) -> None:
    call = {"function": {"name": "lookup", "arguments": json.dumps({"telefono": "612 34 56 78"})}}
    out = masker.mask(call)
    assert json.loads(out["function"]["arguments"]) == {"telefono": "<PHONE_NUMBER>"}


def test_header_names(masker: Masker) -> None:
    out = masker.mask({"headers": {"X-Customer-Phone": PHONE, "X-Request-Id": PHONE}})
    assert out == {"headers": {"X-Customer-Phone": "<PHONE_NUMBER>", "X-Request-Id": PHONE}}


def test_shape_decides(masker: Masker) -> None:
    doc = {
        "phone_verified": "yes",
        "phone": "unknown",
        "card_count": "3",
        "card_type": "visa",
        "ssn_last4_present": "yes",
        "dob": "n/a",
        "email_verified": "true",
        "address": "localhost:4317",
    }
    assert masker.mask(doc) == doc


def test_one_text_under_two_fields_is_cached_apart(masker: Masker) -> None:
    doc = {"order_ref": PHONE, "phone": PHONE, "again": PHONE}
    assert masker.mask(doc) == {"order_ref": PHONE, "phone": "<PHONE_NUMBER>", "again": PHONE}
    # and the other way round, with the cache warm
    assert masker.mask({"phone": PHONE, "order_ref": PHONE}) == {
        "phone": "<PHONE_NUMBER>",
        "order_ref": PHONE,
    }


def test_deep_documents_keep_field_evidence(masker: Masker) -> None:
    doc: Any = {"phone": PHONE}
    for _ in range(400):  # past the recursive walk's depth: the iterative walk takes over
        doc = {"x": doc}
    out = masker.mask(doc)
    for _ in range(400):
        out = out["x"]
    assert out == {"phone": "<PHONE_NUMBER>"}


def test_report_counts_field_findings(masker: Masker) -> None:
    report = Report()
    masker.mask({"a": {"customer_iban": "DE00 1234 5678 9012 3456 78"}}, report=report)
    assert report.by_entity == {"IBAN_CODE": 1}


@given(
    st.sampled_from(["phone", "billingPhone", "Telefonnummer", "cc_number", "iban", "dob"]),
    st.text(max_size=40),
)
def test_field_evidence_keeps_the_schema_and_is_idempotent(field: str, value: str) -> None:
    masker = _MASKER
    doc = {"outer": [{field: value}]}
    once = masker.mask(doc)
    assert list(once) == ["outer"]
    assert list(once["outer"][0]) == [field]
    assert isinstance(once["outer"][0][field], str)
    assert masker.mask(once) == once
    assert doc == {"outer": [{field: value}]}  # input untouched


_MASKER = Masker()
# Detector regexes, the lexicon and libphonenumber's metadata load on first use: once here, not
# inside the first example's Hypothesis deadline (it failed that way on a loaded machine).
_MASKER.mask({"phone": "+1 415 555 0132", "note": "Jane Doe, 12 Main Street, jane@example.com"})


@pytest.mark.parametrize(
    "value", ["DE00 1234 5678 9012 3456 78", "FR76 3000 6000 0112 3456 7890 189"]
)
def test_invalid_ibans_under_a_telling_key(masker: Masker, value: str) -> None:
    assert masker.mask({"customer_iban": value}) == {"customer_iban": "<IBAN_CODE>"}


@pytest.mark.parametrize(
    "value", ["${DB_PASSWORD}", "$DB_PASSWORD", "{{ vault.db }}", "<your-api-key>", "****",
              "xxxxxxxx", "[REDACTED]", "%(password)s"]
)  # fmt: skip
def test_stand_ins_under_secret_keys_stay_readable(masker: Masker, value: str) -> None:
    doc = {"password": value, "api_key": value}
    assert masker.mask(doc) == doc


@pytest.mark.parametrize("value", ["changeme", "password123", "hunter2", "x", "$ecret1"])
def test_real_values_under_secret_keys_are_masked(masker: Masker, value: str) -> None:
    assert masker.mask({"password": value}) == {"password": "<PASSWORD>"}

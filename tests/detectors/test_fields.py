"""Field evidence: field names in every naming style and language, shapes, decoys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker
from tracemask._fieldnames import FIELD_HINTS
from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._prefilter import build_prefilter
from tracemask.detectors.fields import KeyValueDetector, build_table, normalize_field
from tracemask.exceptions import PolicyError

# (field name, value, entity): values no detector reports alone (failed checksums, unknown
# national formats, short or partial values), under names in every style and language.
HINTED = [
    ("phone", "020 7946 0958", "PHONE_NUMBER"),
    ("billingPhone", "(555) 010-4477", "PHONE_NUMBER"),
    ("billing-phone", "0612 345 678", "PHONE_NUMBER"),
    ("user.phone_number", "415.867.2290x123", "PHONE_NUMBER"),
    ("langfuse.trace.metadata.billing_phone", "+44 20 7946 0958", "PHONE_NUMBER"),
    ("customerMobile", "0171 2345678", "PHONE_NUMBER"),
    ("phone2", "030 1234567", "PHONE_NUMBER"),
    ("Tel.", "01 23 45 67 89", "PHONE_NUMBER"),
    ("telefono", "612 34 56 78", "PHONE_NUMBER"),
    ("telefono_cliente", "+34 612 34 56 78", "PHONE_NUMBER"),
    ("Telefonnummer", "030 1234567", "PHONE_NUMBER"),
    ("téléphone", "06 12 34 56 78", "PHONE_NUMBER"),
    ("numero_de_telephone", "06 12 34 56 78", "PHONE_NUMBER"),
    ("handynummer", "0151 23456789", "PHONE_NUMBER"),
    ("customer_iban", "DE00 1234 5678 9012 3456 78", "IBAN_CODE"),
    ("IBAN", "FR7630006000011234567890188", "IBAN_CODE"),
    ("kontonummer", "DE12500105170648489891", "IBAN_CODE"),
    ("cc_number", "4111 1111 1111 1112", "CREDIT_CARD"),
    ("cardNumber", "5500-0000-0000-0005", "CREDIT_CARD"),
    ("credit_card", "4000056655665557", "CREDIT_CARD"),
    ("kreditkartennummer", "4111111111111112", "CREDIT_CARD"),
    ("numero_tarjeta", "4111 1111 1111 1112", "CREDIT_CARD"),
    ("ssn", "000-12-3456", "US_SSN"),
    ("ssn_last4", "1234", "US_SSN"),
    ("socialSecurityNumber", "123 45 6789", "US_SSN"),
    ("dob", "12/03/1980", "DATE_OF_BIRTH"),
    ("date_of_birth", "1980-03-12", "DATE_OF_BIRTH"),
    ("birthDate", "March 12, 1980", "DATE_OF_BIRTH"),
    ("geburtsdatum", "12.03.1980", "DATE_OF_BIRTH"),
    ("fecha_nacimiento", "12/03/1980", "DATE_OF_BIRTH"),
    ("date_naissance", "12 mars 1980", "DATE_OF_BIRTH"),
    ("email", "jane.doe@intranet", "EMAIL_ADDRESS"),
    ("contactEmail", "j@x.y", "EMAIL_ADDRESS"),
    ("courriel", "marie@exemple.fr", "EMAIL_ADDRESS"),
    ("passport_number", "C01X00T47", "NATIONAL_ID"),
    ("national_id", "AB 12 34 56 C", "NATIONAL_ID"),
    ("codice_fiscale", "RSSMRA80A01H501U", "NATIONAL_ID"),
    ("mrn", "00123456", "NATIONAL_ID"),  # HIPAA: a medical record number
    ("account_number", "1234567890", "BANK_ACCOUNT"),
    ("routingNumber", "021000021", "BANK_ACCOUNT"),
    ("sort_code", "12-34-56", "BANK_ACCOUNT"),
    ("customer_bank_account", "0012 3456 7890", "BANK_ACCOUNT"),
    ("patient_mrn", "A-778812", "NATIONAL_ID"),
    ("medical_record_number", "4471-22", "NATIONAL_ID"),
    ("health_plan_number", "XK1234567", "NATIONAL_ID"),
    ("driver_license", "D1234-56789-01234", "NATIONAL_ID"),
    ("adresse", "12 rue de la Paix, Paris", "LOCATION"),
    ("address", "221B Baker Street", "LOCATION"),
    ("city", "Springfield", "LOCATION"),
]

# (field name, value): telling names over values that are not of the entity's shape.
DECOYS = [
    ("phone_verified", "yes"),
    ("phone", "unknown"),
    ("phone", "N/A"),
    ("phone_count", "3"),
    ("card_count", "3"),
    ("card", "Visa ending 4242"),
    ("card_type", "visa"),
    ("ssn_last4_present", "yes"),
    ("ssn", "true"),
    ("dob", "unknown"),
    ("email_verified", "false"),
    ("server.address", "api.openai.com"),
    ("address", "0.0.0.0:4317"),
    ("ip_address", "10.0.0.1"),
    ("address", "https://example.com/a b"),
    ("iban", "missing"),
    ("passport", "none"),
    ("mrn", "n/a"),
    ("account_number", "000000"),
    ("account_number_verified", "true"),
    ("routing_number", "12"),
    ("patient_id", "true"),
    ("order_id", "4111111111111112"),
    ("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736"),
    ("model", "gpt-4o-2024-08-06"),
    ("phone", "2024-08-06"),
    ("mobile", "v1.2.3"),
]


@pytest.fixture(scope="module")
def engine() -> DetectionEngine:
    return Masker().compiled.engine


@pytest.mark.parametrize(("field", "value", "entity"), HINTED)
def test_a_telling_field_masks_a_value_of_its_shape(
    engine: DetectionEngine, field: str, value: str, entity: str
) -> None:
    findings = engine.detect(value, field)
    assert [(value[f.start : f.end], f.entity) for f in findings] == [(value, entity)]
    assert engine.field_evidence(field) is not None


@pytest.mark.parametrize(("field", "value"), DECOYS)
def test_shape_decides_under_a_telling_field(
    engine: DetectionEngine, field: str, value: str
) -> None:
    assert engine.detect(value, field) == engine.detect(value)


def test_a_shaped_run_inside_a_longer_value(engine: DetectionEngine) -> None:
    value = "Tel. 020 7946 0958 (home)"
    spans = [value[f.start : f.end] for f in engine.detect(value, "phone")]
    assert spans == ["020 7946 0958"]


def test_fields_naming_nothing_give_no_evidence(engine: DetectionEngine) -> None:
    for field in ("id", "status", "model", "tokens", "hotel", "span", "phoneVerified"):
        assert engine.field_evidence(field) is None, field
    # ``name`` says "maybe a person": its value is read with the name lexicons.
    assert engine.field_evidence("name") == "PERSON/listed_name"


def test_evidence_is_value_free_and_shared_by_styles(engine: DetectionEngine) -> None:
    styles = ["billing_phone", "billingPhone", "billing-phone", "Billing Phone", "x.billing_phone"]
    assert {engine.field_evidence(s) for s in styles} == {"PHONE_NUMBER/phone"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phone: 020 7946 0958", "Phone: <PHONE_NUMBER>"),
        ("iban=DE00 1234 5678 9012 3456 78", "iban=<IBAN_CODE>"),
        ("card_number: 4111 1111 1111 1112", "card_number: <CREDIT_CARD>"),
        ("Telefonnummer := 030 1234567", "Telefonnummer := <PHONE_NUMBER>"),
        ("Date of birth: 12 March 1980", "Date of birth: <DATE_OF_BIRTH>"),
        ("ssn: 001-58-5941 2024-08-06", "ssn: <US_SSN> 2024-08-06"),
        ("Call my phone: 555 123 4567 today", "Call my phone: <PHONE_NUMBER> today"),
        ("Vorname: Hans\nNachname: Meier", "Vorname: <PERSON>\nNachname: <PERSON>"),
        ("Street: 12 Main St; city=Springfield", "Street: <LOCATION>; city=<LOCATION>"),
        ('{"phone": "0612 345 678",', '{"phone": "<PHONE_NUMBER>",'),
        ("GET /u?phone=0612345678&ok=1", "GET /u?phone=<PHONE_NUMBER>&ok=1"),
        ("Teléfono: 612 34 56 78", "Teléfono: <PHONE_NUMBER>"),
        ("Straße: Hauptstraße 5", "Straße: <LOCATION>"),
        ("Patient MRN: 00123456", "Patient MRN: <NATIONAL_ID>"),
        ("Account number: 1234567890", "Account number: <BANK_ACCOUNT>"),
        ("acct no: 9876543210", "acct no: <BANK_ACCOUNT>"),
        (
            "/u?email=a.b@example.com&phone=+14155550132",
            "/u?email=<EMAIL_ADDRESS>&phone=<PHONE_NUMBER>",
        ),
    ],
)
def test_key_value_pairs_in_text(backend: str, text: str, expected: str) -> None:
    assert Masker(backend=backend).mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "phone_verified: true, card_count: 3, ssn_last4_present: yes",
        "Date: 2024-08-06 version: 1.2.3 tokens: 1234 cost=0.0021",
        "phone: unknown; email: n/a",
        "card: Visa ending 4242",
        "url: https://example.com/a?b=c",
        "server.address: api.openai.com:443",
        "order_id=4111111111111112 status=shipped",
    ],
)
def test_key_value_decoys_survive(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


def test_the_trigger_is_a_necessary_condition() -> None:
    """Every pair the detector reports is in a string its prefilter trigger matches."""
    table = build_table(FIELD_HINTS, lambda _: True)
    det = KeyValueDetector(table)
    prefilter = build_prefilter([(det.trigger, True)], "re")
    for field, value, _entity in HINTED:
        for sep in (": ", "=", " := ", '": "'):
            text = f"{field}{sep}{value}"
            if list(det.detect(text)):
                assert prefilter.hits(text) == [0], text


def test_every_table_name_matches_itself() -> None:
    table = build_table(FIELD_HINTS, lambda _: True)
    for entity, names in FIELD_HINTS.items():
        for name in names:
            hint = table.hint(name.strip("*"))
            assert hint is not None, name
            # A more specific name of another entity may win ("cardnumber" vs "*number").
            assert hint.entity == entity or len(name) > 3, name


def test_normalize_field() -> None:
    assert normalize_field("Billing-Phone") == "billingphone"
    assert normalize_field("Straße") == "strasse"
    assert normalize_field("Téléphone") == "telephone"
    assert normalize_field("user.phone_number") == "userphonenumber"


def test_disabled_entities_get_no_hints() -> None:
    m = Masker({"entities": {"PHONE_NUMBER": {"enabled": False}}})
    assert m.compiled.engine.field_evidence("phone") is None
    assert m.mask_text("Phone: 020 7946 0958") == "Phone: 020 7946 0958"


def test_policy_replaces_the_hints() -> None:
    m = Masker({"field_hints": {"PHONE_NUMBER": ["*rufnr"]}})
    assert m.compiled.engine.field_evidence("kunde_rufnr") == "PHONE_NUMBER/phone"
    assert m.compiled.engine.field_evidence("phone") is None


def test_unknown_hint_entity_is_a_policy_error() -> None:
    with pytest.raises(PolicyError, match="field_hints"):
        Masker({"field_hints": {"TICKET": ["ticket"]}})


@pytest.mark.parametrize("sep", [": ", "=", " := "])
@pytest.mark.parametrize(("field", "value"), DECOYS)
def test_text_decoys_never_gain_a_field_finding(
    masker: Masker, field: str, value: str, sep: str
) -> None:
    findings = [f for f in masker.detect(f"{field}{sep}{value}") if f.recognizer == "FieldValue"]
    assert findings == []


_DIGITLESS = st.text(st.characters(categories=["L", "Zs"], exclude_characters="\n"), max_size=30)


@given(st.sampled_from([f for f, _, e in HINTED if e not in ("PERSON", "LOCATION")]), _DIGITLESS)
def test_no_digits_no_numeric_field_finding(field: str, value: str) -> None:
    """Phones, cards, IBANs, SSNs, ids and dates hold digits: letters alone never fit."""
    hint = _ENGINE.detect(value, field)
    assert all(f.entity in ("PERSON", "LOCATION", "EMAIL_ADDRESS") for f in hint)


_MODULE_MASKER = Masker()
_ENGINE = _MODULE_MASKER.compiled.engine


_SHAPED = {
    "PHONE_NUMBER": st.from_regex(r"\+?[1-9][0-9]{1,3}( [0-9]{2,4}){2,3}", fullmatch=True),
    "CREDIT_CARD": st.from_regex(r"[3-6][0-9]{3}( [0-9]{4}){3}", fullmatch=True),
    "IBAN_CODE": st.from_regex(r"[A-Z]{2}[0-9]{2}( [0-9]{4}){4}", fullmatch=True),
    "US_SSN": st.from_regex(r"[0-9]{3}-[0-9]{2}-[0-9]{4}", fullmatch=True),
}
_NAMES = {
    "PHONE_NUMBER": ["Phone", "billing_phone", "Telefonnummer", "telefono", "mobile"],
    "CREDIT_CARD": ["card_number", "Card number", "cc_number", "kreditkarte"],
    "IBAN_CODE": ["IBAN", "customer_iban", "Kontonummer"],
    "US_SSN": ["SSN", "social_security_number", "customer_ssn"],
}


@st.composite
def _pair(draw: st.DrawFn) -> tuple[str, str, str]:
    entity = draw(st.sampled_from(sorted(_SHAPED)))
    name = draw(st.sampled_from(_NAMES[entity]))
    sep = draw(st.sampled_from([": ", "=", " := ", " = ", ":\t"]))
    value = draw(_SHAPED[entity])
    prefix = draw(st.sampled_from(["", "note\n", "2024-08-06T12:00:00Z INFO ", "{"]))
    return entity, value, f"{prefix}{name}{sep}{value}\nstatus: ok"


@given(_pair())
def test_any_shaped_value_after_a_telling_key_is_masked_once(pair: tuple[str, str, str]) -> None:
    """Whatever its checksum, a shaped value after a telling key is masked whole, the line
    around it is kept, and masking again changes nothing."""
    _entity, value, text = pair
    masker = _MODULE_MASKER
    once = masker.mask_text(text)
    assert value not in once
    assert once.endswith("\nstatus: ok")
    assert masker.mask_text(once) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Address: 1 Bowen Outlook\nWest Patricia, WA, 2697\nok", "Address: <LOCATION>\nok"),
        ("Address: Kossuth utca 186.\nH-9028 Szeged", "Address: <LOCATION>"),
        ("Adresse: 12 rue de la Paix\r\n75002 Paris\r\nMerci", "Adresse: <LOCATION>\r\nMerci"),
        ("Address: 221B Baker Street\nLondon NW1 6XE", "Address: <LOCATION>"),
        (  # the value on the line after its name
            "Shipping address:\n12 Main Street\nSpringfield, IL 62704\nThanks!",
            "Shipping address:\n<LOCATION>\nThanks!",
        ),
        ("Name:\nJohn Smith\nRole: admin", "Name:\n<PERSON>\nRole: admin"),
    ],
)
def test_an_address_over_several_lines(backend: str, text: str, expected: str) -> None:
    assert Masker(backend=backend).mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Address: 12 Main St\nOrder 12345 shipped",
        "Address: 12 Main St\nThanks for your help, 2 items",
        "Address: 5 Elm St.\nv1.2.3 released",
        "Address: 5 Elm St\nStatus: 200",
    ],
)
def test_the_line_after_an_address_stays_unless_it_is_a_locality(text: str) -> None:
    masked = Masker().mask_text(text)
    assert masked.split("\n", 1)[1] == text.split("\n", 1)[1]

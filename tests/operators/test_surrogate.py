"""``surrogate``: realistic fakes, deterministic, from reserved ranges where those exist."""

from __future__ import annotations

import ipaddress
import random
import re

import phonenumbers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask.detectors import validators
from tracemask.operators import Surrogate
from tracemask.testing import fake_card, fake_email, fake_ssn, fake_us_phone

OP = Surrogate(key=SecretStr("test-key"))
MASKER = Masker({"default_operator": {"type": "surrogate", "key": "test-key"}})


def test_email_becomes_a_reserved_example_address() -> None:
    fake = OP.apply("Jane.Doe@acme.io", "EMAIL_ADDRESS")
    assert re.fullmatch(r"[a-z]+\.[a-z]+\d{1,2}@example\.(com|net|org)", fake)
    assert fake == OP.apply("jane.doe@ACME.io", "EMAIL_ADDRESS")  # normalised first
    assert OP.apply(fake, "EMAIL_ADDRESS") == fake  # a fake is left as it is


@pytest.mark.parametrize("phone", ["(415) 867-5309", "415-867-5309", "+1 415 867 5309"])
def test_phone_keeps_its_format_in_the_fictional_range(phone: str) -> None:
    fake = OP.apply(phone, "PHONE_NUMBER")
    assert re.sub(r"\d", "9", fake) == re.sub(r"\d", "9", phone)
    number = phonenumbers.parse(fake, "US")
    assert str(number.national_number)[3:8] == "55501"
    assert OP.apply(fake, "PHONE_NUMBER") == fake


def test_foreign_phone_becomes_a_fictional_us_number() -> None:
    fake = OP.apply("+44 20 7946 0958", "PHONE_NUMBER")
    assert re.fullmatch(r"\+1 \d{3}-555-01\d\d", fake)


@pytest.mark.parametrize("seed", range(20))
def test_card_is_a_luhn_valid_test_number_of_the_same_shape(seed: int) -> None:
    card = fake_card(random.Random(seed))
    fake = OP.apply(card, "CREDIT_CARD")
    digits = validators.digits_only(fake)
    assert validators.luhn(digits)
    assert re.sub(r"\d", "9", fake) == re.sub(r"\d", "9", card)
    assert digits[:6] in {"424242", "555555", "378282", "601111"}
    assert digits != validators.digits_only(card)
    assert OP.apply(fake, "CREDIT_CARD") == fake


def test_ssn_moves_to_the_never_issued_area() -> None:
    ssn = fake_ssn(random.Random(1))
    fake = OP.apply(ssn, "US_SSN")
    assert fake[0] == "9"
    assert re.sub(r"\d", "9", fake) == re.sub(r"\d", "9", ssn)
    assert OP.apply(fake, "US_SSN") == fake


@pytest.mark.parametrize(("ip", "net"), [("10.1.2.3", "192.0.0.0/8"), ("fe80::1", "2001:db8::/32")])
def test_ip_moves_to_documentation_networks(ip: str, net: str) -> None:
    fake = OP.apply(ip, "IP_ADDRESS")
    address = ipaddress.ip_address(fake)
    assert address.version == ipaddress.ip_address(ip).version
    assert address in ipaddress.ip_network("2001:db8::/32") or str(address).startswith(
        ("192.0.2.", "198.51.100.", "203.0.113.")
    )
    assert OP.apply(fake, "IP_ADDRESS") == fake


def test_iban_keeps_country_length_and_a_valid_check() -> None:
    fake = OP.apply("DE89 3704 0044 0532 0130 00", "IBAN_CODE")
    compact = fake.replace(" ", "")
    assert compact[:2] == "DE"
    assert len(compact) == 22
    assert validators.iban(compact)
    assert compact != "DE89370400440532013000"


def test_names_keep_their_shape_and_case() -> None:
    two = OP.apply("Jane Doe", "PERSON")
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z']+", two)
    assert OP.apply("jane doe", "PERSON") == two.lower()  # one person, one fake, same case
    assert re.fullmatch(r"[A-Z]+, [A-Z]+", OP.apply("DOE, JANE", "PERSON"))
    assert " " not in OP.apply("Jane", "PERSON")
    assert two != "Jane Doe"


def test_locations_become_a_street_or_a_city() -> None:
    assert re.fullmatch(r"\d+ [A-Z][a-z']+ [A-Z][a-z]+", OP.apply("12 Oak Street", "LOCATION"))
    assert OP.apply("Springfield", "LOCATION").isalpha()


def test_secrets_get_a_token_not_a_fake() -> None:
    token = OP.apply("ghp_" + "a" * 36, "API_KEY")
    assert re.fullmatch(r"<API_KEY_[0-9a-f]{8}>", token)


def test_fakes_depend_on_the_key() -> None:
    other = Surrogate(key=SecretStr("other"))
    values = ["Jane Doe", "jane@acme.io"]
    entities = ["PERSON", "EMAIL_ADDRESS"]
    assert [OP.apply(v, e) for v, e in zip(values, entities, strict=True)] != [
        other.apply(v, e) for v, e in zip(values, entities, strict=True)
    ]


def real_looking_phone(rng: random.Random) -> str:
    # fake_us_phone draws from the fictional 555-01XX range, which surrogates keep as they are.
    area = rng.choice([212, 312, 415, 617, 206])
    return f"({area}) {rng.randint(201, 549)}-{rng.randint(1000, 9999)}"


RESERVED = [
    lambda r: fake_email(r, domain="acme.io"),
    fake_card,
    fake_ssn,
    real_looking_phone,
]


def test_a_value_already_in_the_fictional_range_is_kept() -> None:
    phone = fake_us_phone(random.Random(3))
    assert OP.apply(phone, "PHONE_NUMBER") == phone


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.tuples(st.sampled_from(RESERVED), st.integers(0, 10_000)), max_size=5))
def test_masking_with_reserved_range_fakes_is_idempotent_and_leaks_nothing(
    picks: list[tuple[object, int]],
) -> None:
    values = [make(random.Random(seed)) for make, seed in picks]  # type: ignore[operator]
    text = " | ".join(f"value {v} here" for v in values)
    once = MASKER.mask_text(text)
    assert MASKER.mask_text(once) == once
    for v in values:
        assert v not in once

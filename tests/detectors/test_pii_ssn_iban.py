from __future__ import annotations

import random

import pytest

from tests.detectors._tables import spans
from tracemask.detectors.pii.iban import IbanDetector
from tracemask.detectors.pii.ssn import UsSsnDetector
from tracemask.testing import fake_iban, fake_ssn

SSN_POSITIVES = [
    ("ssn 123-45-6780 on file", "123-45-6780"),
    ("my SSN is 123456780", "123456780"),
    ("social security 123 45 6780", "123 45 6780"),
    ("my ssn is 912456789", "912456789"),  # invented (area 9xx), but named
]
SSN_NEGATIVES = [
    "id 000-12-3456",  # area 000
    "id 666-12-3456",  # area 666
    "id 912-12-3456",  # area 9xx
    "id 123-00-4567",  # group 00
    "id 123-45-0000",  # serial 0000
    "order 123456780",  # bare, no context
    "Suite 680 36 4022 Oakridge",  # spaced, no context
    "078-05-1120",  # the Woolworth wallet number
]


@pytest.mark.parametrize(("text", "value"), SSN_POSITIVES)
def test_ssn_positives(text: str, value: str, backend: str) -> None:
    assert spans(UsSsnDetector(), text, backend) == [("US_SSN", value)]


@pytest.mark.parametrize("text", SSN_NEGATIVES)
def test_ssn_negatives(text: str, backend: str) -> None:
    assert spans(UsSsnDetector(), text, backend) == []


def test_generated_ssns(backend: str) -> None:
    rng = random.Random(3)
    for _ in range(50):
        ssn = fake_ssn(rng)
        assert spans(UsSsnDetector(), f"SSN {ssn}.", backend) == [("US_SSN", ssn)]


IBAN_POSITIVES = [
    ("IBAN DE89 3704 0044 0532 0130 00 please", "DE89 3704 0044 0532 0130 00"),
    ("to GB82WEST12345698765432.", "GB82WEST12345698765432"),
    ("FR1420041010050500013M02606", "FR1420041010050500013M02606"),
    ("iban de89 3704 0044 0532 0130 00", "de89 3704 0044 0532 0130 00"),  # typed in lower case
]
IBAN_NEGATIVES = [
    "DE89 3704 0044 0532 0130 01",  # checksum off by one
    "XX89370400440532013000",  # unknown country
    "DE8937040044053201300",  # wrong length for DE
    "ID12 is not an account",
    "ab12 cdef 0123 4567 89ab",  # lower-case hex groups: no registry length
    "de893704004405320130",  # lower case, compact: as often a hex id
]


@pytest.mark.parametrize(("text", "value"), IBAN_POSITIVES)
def test_iban_positives(text: str, value: str, backend: str) -> None:
    assert spans(IbanDetector(), text, backend) == [("IBAN_CODE", value)]


@pytest.mark.parametrize("text", IBAN_NEGATIVES)
def test_iban_negatives(text: str, backend: str) -> None:
    assert spans(IbanDetector(), text, backend) == []


@pytest.mark.parametrize("country", ["DE", "FR", "NL", "ES", "IT", "CH", "NO", "MT"])
def test_generated_ibans(country: str, backend: str) -> None:
    value = fake_iban(random.Random(country), country)
    assert spans(IbanDetector(), f"iban: {value}", backend) == [("IBAN_CODE", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("SSN 912-45-6789", "912-45-6789"),  # area 9xx: invented, still an SSN by context
        ("social security: 000-12-3456", "000-12-3456"),
        ("社会安全号码846-15-5715", "846-15-5715"),  # CJK letters are not part of the token
    ],
)
def test_ssn_shapes_with_context(text: str, value: str, backend: str) -> None:
    assert spans(UsSsnDetector(), text, backend) == [("US_SSN", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("IBAN DE89 3704 0044 0532 0130 01", "DE89 3704 0044 0532 0130 01"),  # bad check
        ("Konto: DE12 3456 7890 1234 5678 90", "DE12 3456 7890 1234 5678 90"),
        ("iban GB00WEST12345698765432", "GB00WEST12345698765432"),
    ],
)
def test_iban_with_wrong_check_digits_next_to_an_iban_word(
    text: str, value: str, backend: str
) -> None:
    assert spans(IbanDetector(), text, backend) == [("IBAN_CODE", value)]


@pytest.mark.parametrize("text", ["code DE89 3704 0044 0532 0130 01", "XX89 3704 0044 0532 01"])
def test_iban_with_wrong_check_digits_alone_is_not_an_iban(text: str, backend: str) -> None:
    assert spans(IbanDetector(), text, backend) == []

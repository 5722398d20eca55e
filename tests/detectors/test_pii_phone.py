from __future__ import annotations

import pytest

from tests.detectors._tables import spans
from tracemask.detectors.pii.phone import PhoneNumberDetector

POSITIVES = [
    ("Hi, I'm Jane (+1 (415) 555-0132).", "+1 (415) 555-0132"),
    ("call +44 20 7946 0958 today", "+44 20 7946 0958"),
    ("tel: 0044 20 7946 0958", "0044 20 7946 0958"),
    ("ring (415) 555-0132", "(415) 555-0132"),
    ("office 617-555-1212", "617-555-1212"),
    ("office 617.555.1212", "617.555.1212"),
    ("SON ROB 285-482-5518 AND", "285-482-5518"),  # unassigned area code, NANP shape
    ("phone: 6175551212", "6175551212"),  # bare digits with context
    ("+49 30 901820", "+49 30 901820"),
    ("call 1-209-964-8716 now", "1-209-964-8716"),
]
NEGATIVES = [
    "released 2024-08-06 at noon",
    "date 06/08/2024 and 6.8.2024",
    "epoch 1767225600",  # bare digits, no context
    "order 6175551212 shipped",  # bare digits, negative context
    "version 1.4.2.3333",
    "gpt-4o-2024-08-06",
    "total 1234567",
    "ip 192.168.10.200",
    "at 2025-08-11 18:41:38 UTC",
    "created 2025-08-11 1842 items",
    "ref 00 2024-08-06",  # a count then an ISO date, not +20 24 08 06
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_finds_phone_numbers(text: str, value: str, backend: str) -> None:
    assert spans(PhoneNumberDetector(), text, backend) == [("PHONE_NUMBER", value)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_non_phones(text: str, backend: str) -> None:
    assert spans(PhoneNumberDetector(), text, backend) == []


def test_regions_change_national_parsing(backend: str) -> None:
    text = "call 020 7946 0958"
    assert spans(PhoneNumberDetector(regions=("GB",)), text, backend) == [
        ("PHONE_NUMBER", "020 7946 0958")
    ]

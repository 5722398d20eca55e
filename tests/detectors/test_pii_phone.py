from __future__ import annotations

import phonenumbers
import pytest

from tests.detectors._tables import spans
from tracemask import Masker
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
    "at 2026-01-20T03:56:50.284203+00:00",  # fractional seconds
    "phone changed. Order #62171796 was placed",  # an order number, even near "phone"
    "took 05.272543 s",
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


# National numbers of other regions, with a phone word nearby (in the language of the text).
CUED_NATIONAL = [
    ("call 020 7946 0958 today", "020 7946 0958"),  # GB
    ("Telefon: 030 1234567", "030 1234567"),  # DE
    ("téléphone 01 23 45 67 89", "01 23 45 67 89"),  # FR
    ("teléfono 912 345 678", "912 345 678"),  # ES
    ("chiamami al 347 123 4567", "347 123 4567"),  # IT
    ("call me at 0612345678", "0612345678"),  # NL, bare digits
    ("Tel. 06-12345678", "06-12345678"),  # NL
    ("电话13800138000", "13800138000"),  # CN, no space after the CJK word
    ("phone (11) 91234-5678", "(11) 91234-5678"),  # BR
    ("mobile 98765 43210", "98765 43210"),  # IN
]


@pytest.mark.parametrize(("text", "value"), CUED_NATIONAL)
def test_national_numbers_of_any_region_with_a_phone_word(
    text: str, value: str, backend: str
) -> None:
    assert spans(PhoneNumberDetector(), text, backend) == [("PHONE_NUMBER", value)]


@pytest.mark.parametrize("text", ["ref 30 1234567", "lot 912 345 678", "id 6 12 34 56 78"])
def test_national_numbers_of_other_regions_need_a_phone_word(text: str, backend: str) -> None:
    assert spans(PhoneNumberDetector(), text, backend) == []


@pytest.mark.parametrize("value", ["020 7946 0958", "0780 420 269", "021 180 49 03", "079-4280992"])
def test_grouped_numbers_with_a_trunk_prefix_valid_in_a_region(value: str, backend: str) -> None:
    assert spans(PhoneNumberDetector(), f"see {value} below", backend) == [("PHONE_NUMBER", value)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("415.867.2290x123", "415.867.2290x123"),
        ("call +1 415 555 0132 ext. 12 now", "+1 415 555 0132 ext. 12"),
        ("office (415) 555-0132 x7", "(415) 555-0132 x7"),
        ("+44 20 7946 0958 extension 4411", "+44 20 7946 0958 extension 4411"),
    ],
)
def test_extensions_are_part_of_the_number(text: str, value: str, backend: str) -> None:
    assert spans(PhoneNumberDetector(), text, backend) == [("PHONE_NUMBER", value)]


@pytest.mark.parametrize(
    "text",
    [
        "001-58-5941 2024-08-06",  # "+1 585 941 2024" would end inside the date
        "call 001-58-5941 2024-08-06",
        "phone 415 555 0132 2024-08-06",
        "tel 0044 20 7946 31.12.2024",
    ],
)
def test_a_date_is_never_part_of_a_phone_number(text: str, backend: str) -> None:
    for _, value in spans(PhoneNumberDetector(), text, backend):
        assert "2024" not in value


def test_the_tail_of_an_iban_is_not_a_phone_number(backend: str) -> None:
    assert spans(PhoneNumberDetector(), "IBAN DE89 3704 0044 0532 0130 01", backend) == []


def test_libphonenumber_keeps_its_metadata_regexes_compiled() -> None:
    # Its per-call recompiling through ``re``'s bounded cache cost ~15 % of a cold verdict.
    from phonenumbers import re_util  # noqa: PLC0415

    if not hasattr(phonenumbers, "enable_pattern_cache"):
        pytest.skip("this phonenumbers release has no pattern cache")
    PhoneNumberDetector()  # importing the detector turns the library's cache on
    assert re_util._COMPILED_PATTERNS is not None
    # Numbers the detector's own metadata path does not answer still go to the library, whose
    # compiled patterns are then kept (this test alone must see it: no earlier test's call).
    phonenumbers.is_valid_number(phonenumbers.parse("+44 20 7946 0958", None))
    assert re_util._COMPILED_PATTERNS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A country code and a wrong length: a messaging word next to it decides.
        ("call or text +54 9 3819 5158", "call or text <PHONE_NUMBER>"),
        ("texted me from +44 7700 900123", "texted me from <PHONE_NUMBER>"),
    ],
)
def test_messaging_words_are_phone_cues(text: str, expected: str) -> None:
    assert Masker().mask_text(text) == expected


def test_the_word_text_alone_is_no_cue() -> None:
    assert Masker().mask_text("the text has 12345678 chars") == "the text has 12345678 chars"

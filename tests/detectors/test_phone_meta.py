"""The phone detector's own reading of libphonenumber's metadata agrees with libphonenumber.

``tracemask.detectors.pii._phone_meta`` answers ``parse``, ``is_valid_number`` and
``is_possible_number_with_reason`` with fewer Python calls; every answer must be the library's:
on numbers of every region and type (as written nationally, internationally, from abroad),
mutated ones (a digit changed, added or dropped, separators moved), random digit strings and
inputs it hands to the library (letters, extensions).
"""

from __future__ import annotations

import functools
import re

import phonenumbers
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, national_significant_number

from tests.ci_plugin import examples
from tracemask.detectors import validators
from tracemask.detectors.pii import _phone_meta, phone
from tracemask.detectors.pii.phone import PhoneNumberDetector

pytestmark = pytest.mark.skipif(not _phone_meta.USABLE, reason="another metadata layout")

#: Every supported region, plus the inputs libphonenumber treats specially: no region, the
#: non-geographic "001", an unknown one and a lower-case one.
REGIONS: tuple[str | None, ...] = (*sorted(phonenumbers.SUPPORTED_REGIONS), None, "001", "ZZ", "us")
_FORMATS = (PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL)


@functools.cache
def _written() -> tuple[str, ...]:
    """Each region's example number of each type, written every way libphonenumber writes it."""
    out: list[str] = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in range(12):
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            out.extend(phonenumbers.format_number(number, f) for f in _FORMATS)
            out.extend(
                phonenumbers.format_out_of_country_calling_number(number, abroad)
                for abroad in ("US", "GB", "DE", "RU", "JP")
            )
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        number = phonenumbers.example_number_for_non_geo_entity(code)
        if number is not None:
            out.extend(phonenumbers.format_number(number, f) for f in _FORMATS)
    return tuple(dict.fromkeys(out))


@functools.cache
def _nsns() -> tuple[tuple[int, str], ...]:
    """(calling code, national significant number) of every example number."""
    out = []
    for text in _written():
        try:
            number = phonenumbers.parse(text, None)
        except phonenumbers.NumberParseException:
            continue
        out.append((number.country_code or 0, national_significant_number(number)))
    return tuple(dict.fromkeys(out))


def _library(text: str, region: str | None) -> tuple[int, str] | None:
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number.country_code or 0, national_significant_number(number)


def _agrees(text: str, region: str | None) -> None:
    parsed = _phone_meta.parse(text, region)
    assert parsed == _library(text, region), (text, region)
    if parsed is not None:
        number = phonenumbers.parse(text, region)
        assert _phone_meta.is_valid(*parsed) == phonenumbers.is_valid_number(number), parsed
        reason = phonenumbers.is_possible_number_with_reason(number)
        assert _phone_meta.possible_reason(*parsed) == reason, parsed


_SEPARATORS = " ()./-"
_edit = st.tuples(
    st.sampled_from(("set", "insert", "delete", "separator", "cut")),
    st.integers(0, 40),
    st.sampled_from("0123456789"),
)


def _mutate(text: str, edits: list[tuple[str, int, str]]) -> str:
    chars = list(text)
    for how, where, digit in edits:
        at = where % (len(chars) + 1)
        if how == "set" and at < len(chars):
            chars[at] = digit
        elif how == "insert":
            chars.insert(at, digit)
        elif how == "delete" and at < len(chars):
            del chars[at]
        elif how == "separator":
            chars.insert(at, _SEPARATORS[int(digit) % len(_SEPARATORS)])
        elif how == "cut":
            chars = chars[:at] or chars
    return "".join(chars)


#: Prefixes people write numbers with: international, trunk, another region's exit code.
_PREFIXES = ("", "", "", "+", "00", "011", "0", "8", "1 ", "+(", "(", "810", "0011", "+0", "++")

written_numbers = st.builds(
    lambda text, prefix, edits: prefix + _mutate(text, edits),
    st.sampled_from(_written()),
    st.sampled_from(_PREFIXES),
    st.lists(_edit, max_size=3),
)
plain_strings = st.text(alphabet="0123456789 ()./-+", max_size=22)
#: What ``parse`` hands to libphonenumber: letters (vanity numbers, extensions), "#", ";".
other_strings = st.builds(
    lambda a, b, c: a + b + c,
    st.text(alphabet="0123456789 -+", max_size=12),
    st.sampled_from(("x12", " ext. 7", "#3", "ABC", ";ext=5", "tel:", "\uff11\uff12", "e")),
    st.text(alphabet="0123456789 -", max_size=6),
)


@settings(max_examples=examples(3000), deadline=None)
@given(st.one_of(written_numbers, plain_strings, other_strings), st.sampled_from(REGIONS))
@example("+1 268 464 1234", None)  # Antigua: +1 and the region's leading digits
@example("1 415 555 0132", "US")  # the region's calling code written without "+"
@example("011 44 20 7946 0958", "US")  # the US exit code
@example("8 (495) 123-45-67", "RU")  # Russia's trunk prefix 8
@example("+0 123 456", None)  # "+" then no calling code
@example("+39 06 698 12345", None)  # the Vatican inside Italy's +39
@example("0 11 2345 6789", "AR")  # a national prefix with a transform rule
@example("12", "US")  # two digits alone are viable
@example("+12", None)
def test_parse_and_verdicts_are_the_librarys(text: str, region: str | None) -> None:
    _agrees(text, region)


def test_every_example_number_as_written() -> None:
    """Each example number in each written form, in its own region and with none."""
    for text in _written():
        for region in (None, "US", "GB", "DE", "IN", "BR"):
            _agrees(text, region)


@settings(max_examples=examples(3000), deadline=None)
@given(
    st.one_of(
        st.sampled_from(_nsns()),
        st.tuples(
            st.sampled_from((*sorted(phonenumbers.COUNTRY_CODE_TO_REGION_CODE), 0, 999)),
            st.text(alphabet="0123456789", min_size=1, max_size=17),
        ),
    ),
    st.lists(_edit.filter(lambda e: e[0] != "separator"), max_size=2),
)
def test_validity_of_any_national_number(
    number: tuple[int, str], edits: list[tuple[str, int, str]]
) -> None:
    code, nsn = number
    nsn = _mutate(nsn, edits) or nsn
    built = _phone_meta._number(code, nsn)
    assert national_significant_number(built) == nsn
    assert _phone_meta.is_valid(code, nsn) == phonenumbers.is_valid_number(built), (code, nsn)
    assert _phone_meta.possible_reason(code, nsn) == phonenumbers.is_possible_number_with_reason(
        built
    )


def test_valid_numbers_of_every_region_are_valid() -> None:
    """Not a vacuous agreement: the example numbers are valid, and for shared calling codes
    (+1, +7, +44…) the region found by leading digits or number types decides."""
    assert len(_nsns()) > 900  # 995 in phonenumbers 8.13.0, more in later releases
    assert all(_phone_meta.is_valid(code, nsn) for code, nsn in _nsns())
    assert not _phone_meta.is_valid(1, "2685550000")  # Antigua's leading digits, not a number
    assert _phone_meta.is_valid(1, "2684641234")


# The phone detector's judges, written with libphonenumber's calls as before the tables: the
# detector must give the same verdict on any candidate.
_DETECTOR = PhoneNumberDetector(regions=("US", "GB"))


def _judge_reference(value: str, regions: tuple[str, ...]) -> float | None:
    digits = validators.digits_only(value)
    if not (7 <= len(digits) <= 15) or phone._DATE_LIKE.match(value) or len(set(digits)) < 3:
        return None
    if phone._DATE_PREFIX.match(value) or phone._ISO_DATE.search(value):
        return None
    international = value[0] == "+" or value.startswith("00")
    bare = value.isdigit()
    candidate = "+" + value[2:] if value.startswith("00") else value
    if candidate.startswith("+("):
        candidate = "+" + candidate[2:].replace(")", "", 1)
    for region in (None,) if international else regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return 0.85 if international else (0.4 if bare else 0.75)
        if phonenumbers.is_possible_number(number) and not bare:
            if international or "(" in value or phone._NANP_SHAPE.match(value):
                return 0.55
            return 0.35
        if international and phonenumbers.is_possible_number_with_reason(number) in (
            phonenumbers.ValidationResult.TOO_SHORT,
            phonenumbers.ValidationResult.INVALID_LENGTH,
        ):
            return 0.2
    return None


def _elsewhere_reference(value: str, regions: tuple[str, ...]) -> float | None:
    if value[0] == "+" or value.startswith(("00", "(+")):
        return None
    digits = validators.digits_only(value)
    if not (6 <= len(digits) <= 13) or len(set(digits)) < 3 or phone._ISO_DATE.search(value):
        return None
    if value.isdigit() and len(digits) > 11:
        return None
    for region in regions:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return 0.3 if value.isdigit() else 0.35
    return None


_CANDIDATE = re.compile(r"[+(0-9]")


@settings(max_examples=examples(1500), deadline=None)
@given(st.one_of(written_numbers, plain_strings, other_strings))
@example("+1 (415) 555-0132")
@example("0044 20 7946 0958")
@example("+(370) 612 34567")
@example("020 7946 0958")
@example("6175551212")
@example("+54 9 3143 8124")  # too short for its country: 0.2, a phone word decides
@example("+47 222 222")  # a length between two of Norway's: 0.2 as well
def test_detector_verdicts_are_libphonenumbers(value: str) -> None:
    value = value.strip()
    if not value or _CANDIDATE.match(value) is None:
        return
    assert _DETECTOR._judge(value) == _judge_reference(value, _DETECTOR.regions), value
    expected = _elsewhere_reference(value, _DETECTOR._elsewhere)
    assert _DETECTOR._judge_elsewhere(value) == expected, value

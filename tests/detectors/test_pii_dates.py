"""DATE_OF_BIRTH (a date after a birth cue) and AGE (a number with its unit or cue)."""

from __future__ import annotations

import re

import pytest

from tests.detectors._tables import spans
from tracemask import Masker
from tracemask.detectors.pii.dates import AgeDetector, DateOfBirthDetector

DOB = [
    ("She was born on 10/5/1971. Her maiden name is Clark", "10/5/1971"),
    ("DOB: 1971-05-10", "1971-05-10"),
    ("date of birth is May 10, 1971", "May 10, 1971"),
    ("born in 1985 in Ohio", "1985"),
    ("birthday 12/31/1999", "12/31/1999"),
    ("D.O.B. 3rd of March 1960", "3rd of March 1960"),
]
NOT_DOB = [
    "released 2024-08-06 at noon",
    "gpt-4o-2024-08-06",
    "born on 13/45/2020",
    "the DOB field is required",
    "reborn 2020-01-01",
]
AGES = [
    ("74 YO WOMAN TRANSFERRED", "74", 0.45),
    ("This pleasant 74y old woman", "74", 0.45),
    ("a 92-year-old man", "92", 0.85),
    ("aged 95", "95", 0.85),
    ("70y/o male", "70", 0.45),
]
NOT_AGES = ["page 34", "usage 45", "within 5 years", "v1.92-year-old", "age 300"]


@pytest.mark.parametrize(("text", "value"), DOB)
def test_finds_dates_of_birth(text: str, value: str, backend: str) -> None:
    assert spans(DateOfBirthDetector(), text, backend) == [("DATE_OF_BIRTH", value)]


@pytest.mark.parametrize("text", NOT_DOB)
def test_ignores_other_dates(text: str, backend: str) -> None:
    assert spans(DateOfBirthDetector(), text, backend) == []


@pytest.mark.parametrize(("text", "value", "score"), AGES)
def test_ages_over_89_pass_the_default_threshold(
    text: str, value: str, score: float, backend: str
) -> None:
    assert spans(AgeDetector(), text, backend, threshold=0.35) == [("AGE", value)]
    assert spans(AgeDetector(), text, backend) == ([("AGE", value)] if score >= 0.5 else [])


@pytest.mark.parametrize("text", NOT_AGES)
def test_ignores_numbers_without_an_age_cue(text: str, backend: str) -> None:
    assert spans(AgeDetector(), text, backend, threshold=0.35) == []


@pytest.mark.parametrize("backend", ["hyperscan", "re"])
@pytest.mark.parametrize(
    "text",
    ["aged 97", "Age: 97", "age is 104", "AGE WAS 99", "age ٩٧ ans", "age\u017f 99", "97 y/o"],
)
def test_age_trigger_lets_every_age_through(text: str, backend: str) -> None:
    masker = Masker(backend=backend)
    assert [f.entity for f in masker.detect(text)] == ["AGE"]


def test_age_trigger_ignores_words_ending_in_age() -> None:
    regex = re.compile(AgeDetector.trigger, re.ASCII | re.IGNORECASE)
    assert regex.search("the message on page 3 shows usage: high") is None

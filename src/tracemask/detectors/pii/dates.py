"""Dates of birth (a date next to a birth cue) and ages (a number next to an age cue).

A date alone is not personal data in a trace (timestamps are everywhere); a date right after
``born``, ``date of birth``, ``DOB`` or ``birthday`` is. An age needs its unit or cue
(``74 year old``, ``74 y/o``, ``aged 74``, ``age: 74``). Ages of 90 and over are identifying on
their own (HIPAA Safe Harbor) and score 0.85; younger ages score 0.45, below the default
threshold: the ``strict`` preset (0.35) masks them.
"""

from __future__ import annotations

import re

from tracemask.detectors._pattern import PatternDetector

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
#: Numeric and written dates: 10/5/1971, 1971-05-10, 10.05.71, May 10, 1971, 10th of May 1971.
DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"
    rf"|{_MONTHS}[ \t]+\d{{1,2}}{_ORD},?[ \t]+\d{{4}}"
    rf"|\d{{1,2}}{_ORD}[ \t]+(?:of[ \t]+)?{_MONTHS},?[ \t]+\d{{4}}"
    rf"|{_MONTHS}[ \t]+\d{{4}})"
)
_BIRTH_CUE = (
    r"(?:\bborn(?:[ \t]+(?:on|in))?|\bdate[ \t]+of[ \t]+birth|\bbirth[ \t_-]?(?:date|day)"
    r"|\bdob\b|\bd\.o\.b\.?|\bb-?day)"
)


class DateOfBirthDetector(PatternDetector):
    """A date within a few words after a birth cue: ``born on 10/5/1971``, ``DOB: 1971-05-10``."""

    entity = "DATE_OF_BIRTH"
    trigger = r"born|birth|dob|d\.o\.b|b-?day"
    ignore_case = True
    patterns = (
        rf"{_BIRTH_CUE}[ \t]*(?:[:=\-][ \t]*)?(?:(?:is|was|on|in|of|the)[ \t]+){{0,2}}"
        rf"(?P<value>{DATE})(?![\w/.-]*\d)",
        # "born in 1971" (a year alone only after "born in").
        r"\bborn[ \t]+in[ \t]+(?P<value>(?:19|20)\d{2})\b",
    )
    score = 0.9

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        numbers = [int(n) for n in re.findall(r"\d+", value)]
        if any(n > 31 and not 1000 <= n <= 2100 for n in numbers):
            return None  # "13/45/2020" is no date
        years = [n for n in numbers if n >= 1000]
        if years and not 1880 <= years[0] <= 2100:
            return None
        return self.score


class AgeDetector(PatternDetector):
    """A person's age with its unit or cue: ``74 year old``, ``74 YO``, ``aged 74``."""

    entity = "AGE"
    # "age" alone fired on every "message", "page" and "usage" (1,085 runs, no finding, on the
    # bench corpus). After the cue comes its number or one of ": = is was of"; any non-ASCII
    # character stands for what case-insensitive Unicode matching allows (a digit, the long s
    # U+017F). The ASCII word boundary holds wherever the pattern's Unicode one does.
    trigger = r"[0-9][ \t-]*y|\bage[ds]?[ \t]*(?:[0-9:=iwo]|[^\x00-\x7f])"
    ignore_case = True
    patterns = (
        r"(?=\d)(?<![\w.,/-])(?P<value>\d{1,3})[ \t-]*(?:years?|yrs?|y)[ \t-]*old\b",
        r"(?=\d)(?<![\w.,/-])(?P<value>\d{1,3})[ \t]*(?:y\.o\.?|y/o|yo)(?![a-z])",
        r"\bage[ds]?[ \t]*(?::|=|is|was|of)?[ \t]*(?P<value>\d{1,3})(?![\w.,/%-])",
    )
    score = 0.85

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        digits = re.sub(r"\D", "", value)
        if not digits:
            return None
        age = int(digits)
        if not 0 < age <= 125:
            return None
        return 0.85 if age >= 90 else 0.45

"""Phone numbers: a permissive candidate regex, then ``phonenumbers`` on candidates only."""

from __future__ import annotations

import re

import phonenumbers

from tracemask.detectors import validators
from tracemask.detectors._pattern import DetectorSettings, PatternDetector

_DATE_LIKE = re.compile(
    r"(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])$"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20)?\d{2}$"
)


_DATE_PREFIX = re.compile(
    r"(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?![0-9])"
)
#: An ISO date inside a candidate ("ref 00 2024-08-06"): phone numbers are never grouped 4-2-2.
_ISO_DATE = re.compile(r"(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![0-9])")
# 3-3-4 digits with one separator: the North American shape, even when the area code is unassigned.
_NANP_SHAPE = re.compile(r"[0-9]{3}([.-])[0-9]{3}\1[0-9]{4}$")


_MAX_VERDICTS = 4096


class PhoneNumberDetector(PatternDetector):
    """International (``+``/``00``) and national formats, validated by libphonenumber.

    Scoring: a valid international number 0.85; a valid national number with separators 0.75
    (0.55 when only *possible*, e.g. fictional 555 numbers written ``(555) 555-1234``); a bare
    digit run 0.4, so that it needs a context word ("phone", "call", …) to be reported.

    Args:
        regions: regions tried, in order, for numbers without a country code.
    """

    entity = "PHONE_NUMBER"
    trigger = r"[0-9][0-9 ().-]{5,}[0-9]"
    patterns = (
        r"(?<![\w+/.-])(?P<value>"
        r"(?:\+|00)[1-9][0-9]{0,2}[ .-]?(?:\(0?[0-9]{1,4}\)[ .-]?)?"
        r"[0-9]{1,5}(?:[ .-]?[0-9]{1,5}){1,5}"
        r"|\([0-9]{2,5}\)[ .-]?[0-9]{2,4}(?:[ .-]?[0-9]{2,4}){1,3}"
        r"|[0-9]{2,5}[ .-][0-9]{2,4}(?:[ .-][0-9]{2,5}){1,3}"
        r"|[0-9]{3}[ .-][0-9]{7}"
        r"|1[ .-][0-9]{3}[ .-][0-9]{3}[ .-][0-9]{4}"
        r"|[0-9]{10,11}"
        r")(?![\w-]|\.\d)",
    )
    context = (
        "phone", "tel", "telephone", "mobile", "cell", "call", "fax", "contact", "reach",
        "whatsapp", "sms", "text me", "dial", "ph", "number", "reached", "pager", "beeper",
    )  # fmt: skip
    score = 0.75
    trim_separators = " .-"

    @classmethod
    def create(cls, settings: DetectorSettings) -> PhoneNumberDetector:
        return cls(regions=settings.phone_regions)

    def __init__(self, regions: tuple[str, ...] = ("US",)) -> None:
        super().__init__()
        self.regions = tuple(regions)
        # libphonenumber costs ~25 us a call and the same candidates recur across a trace's
        # strings: remember verdicts (bounded; depends on the value only, not its context).
        self._verdicts: dict[str, float | None] = {}

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if text[end : end + 1] == ":" and text[end + 1 : end + 2].isdigit():
            return None  # "2025-08-11 18:41:38": a date and an hour, not a number
        try:
            return self._verdicts[value]
        except KeyError:
            pass
        verdict = self._judge(value)
        if len(self._verdicts) >= _MAX_VERDICTS:
            self._verdicts.clear()
        self._verdicts[value] = verdict
        return verdict

    def _judge(self, value: str) -> float | None:
        digits = validators.digits_only(value)
        if not (7 <= len(digits) <= 15) or _DATE_LIKE.match(value) or len(set(digits)) < 3:
            return None
        if _DATE_PREFIX.match(value) or _ISO_DATE.search(value):
            return None  # a date followed or preceded by more numbers (a time, a count)
        international = value[0] == "+" or value.startswith("00")
        bare = value.isdigit()
        # "00" is the international call prefix in most of the world: parse it as "+".
        candidate = "+" + value[2:] if value.startswith("00") else value
        for region in (None,) if international else self.regions:
            try:
                number = phonenumbers.parse(candidate, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                if international:
                    return 0.85
                return 0.4 if bare else self.score
            if phonenumbers.is_possible_number(number) and not bare:
                if international or "(" in value or _NANP_SHAPE.match(value):
                    return 0.55
                return 0.35
        return None

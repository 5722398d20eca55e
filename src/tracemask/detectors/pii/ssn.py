"""US Social Security numbers."""

from __future__ import annotations

from tracemask.detectors import validators
from tracemask.detectors._pattern import PatternDetector


class UsSsnDetector(PatternDetector):
    """``AAA-GG-SSSS`` with SSA rules (no 000/666/9xx area, no 00 group, no 0000 serial).

    Dashed numbers score above the threshold on their own; spaced ones and bare nine-digit runs
    need a context word such as "SSN" nearby.
    """

    entity = "US_SSN"
    trigger = r"[0-9]{3}[ -]?[0-9]{2}[ -]?[0-9]{4}"
    patterns = (r"(?<![\w.-])(?P<value>[0-9]{3}([ -]?)[0-9]{2}\2[0-9]{4})(?![\w-]|\.\d)",)
    context = ("ssn", "social security", "social sec", "ss#", "ss #", "taxpayer", "tin")
    score = 0.65

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        number = validators.digits_only(value)
        if not validators.us_ssn(number):
            return None
        if "-" in value:
            return self.score
        # Spaced or bare nine digits are as often other numbers: they need a context word.
        return self.score - 0.2 if " " in value else self.score - 0.4

"""International bank account numbers."""

from __future__ import annotations

from tracemask.detectors import validators
from tracemask.detectors._pattern import PatternDetector


class IbanDetector(PatternDetector):
    """IBANs, compact or in groups of four, with the country's length and the mod-97 checksum."""

    entity = "IBAN_CODE"
    trigger = r"[A-Z]{2}[0-9]{2}"
    patterns = (
        r"(?<![A-Za-z0-9])(?P<value>[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,7}"
        r"(?:[ -]?[A-Z0-9]{1,4})?)(?![A-Za-z0-9])",
    )
    score = 0.95
    trim_separators = " -"

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        return self.score if validators.iban(value) else None

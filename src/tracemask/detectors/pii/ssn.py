"""US Social Security numbers."""

from __future__ import annotations

from tracemask.detectors import validators
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.pii._shapes import not_after, not_before


class UsSsnDetector(PatternDetector):
    """``AAA-GG-SSSS`` with SSA rules (no 000/666/9xx area, no 00 group, no 0000 serial).

    Dashed numbers score above the threshold on their own; spaced ones and bare nine-digit runs
    need a context word such as "SSN" nearby. The SSA rules are evidence, not a veto: an
    SSN-shaped value that breaks them (an invented ``912-45-6789``) scores 0.2, and a context
    word makes it an SSN.
    """

    entity = "US_SSN"
    # The pattern's whole shape between ASCII word boundaries (the pattern's own boundaries
    # are stricter): digit runs longer than nine (timestamps, ids, cards) do not run it.
    trigger = r"\b(?:[0-9]{9}|[0-9]{3}-[0-9]{2}-[0-9]{4}|[0-9]{3} [0-9]{2} [0-9]{4})\b"
    patterns = (
        r"(?=[0-9])" + not_before(".-") + r"(?P<value>[0-9]{3}([ -]?)[0-9]{2}\2[0-9]{4})"
        r"" + not_after("-") + r"(?!\.\d)",
    )
    context = (
        "ssn", "ssns", "social security", "social sec", "soc sec", "ss#", "ss #", "ss no",
        "taxpayer", "tin", "itin", "seguro social", "sécurité sociale", "sozialversicherung",
        "社会安全号码", "社会保障号", "社會安全號碼", "ソーシャルセキュリティ",
    )  # fmt: skip
    score = 0.65

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        number = validators.digits_only(value)
        if len(set(number)) < 2:
            return None  # 000-00-0000, 999-99-9999: placeholders
        if not validators.us_ssn(number):
            # An invented or mistyped SSN: a context word ("SSN is 912456789") lifts it.
            return 0.2
        if "-" in value:
            return self.score
        # Spaced or bare nine digits are as often other numbers: they need a context word.
        return self.score - 0.2 if " " in value else self.score - 0.4

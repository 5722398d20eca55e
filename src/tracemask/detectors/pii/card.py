"""Payment card numbers (PAN): Luhn checksum plus issuer (IIN) ranges and lengths."""

from __future__ import annotations

from tracemask.detectors import validators
from tracemask.detectors._pattern import PatternDetector


class CreditCardDetector(PatternDetector):
    """12-19 digit PANs, plain or grouped by spaces or dashes, that pass Luhn and an IIN check."""

    entity = "CREDIT_CARD"
    trigger = r"[0-9]{4}[ -]?[0-9]{4}"
    patterns = (
        # 4-4-4-4(-3) groups with one consistent separator, Amex 4-6-5, or a plain digit run.
        r"(?<![\w.-])(?P<value>[0-9]{4}([ -]?)[0-9]{4}\2[0-9]{4}\2[0-9]{1,4}(?:\2[0-9]{3})?)"
        r"(?![\w-]|\.\d)",
        r"(?<![\w.-])(?P<value>3[47][0-9]{2}[ -][0-9]{6}[ -][0-9]{5})(?![\w-]|\.\d)",
        r"(?<![\w.-])(?P<value>[0-9]{12,19})(?![\w-]|\.\d)",
    )
    context = ("card", "credit", "debit", "visa", "mastercard", "amex", "pan", "cc", "payment")
    negative_context = ("order", "invoice", "tracking", "shipment", "ticket", "account no")
    score = 0.9
    trim_separators = " -"

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        number = validators.digits_only(value)
        if not (12 <= len(number) <= 19) or len(set(number)) < 2:
            return None
        if not validators.luhn(number):
            return None
        score = self.score
        if not validators.card_iin(number):
            # Luhn-valid but from no known issuer range: one number in ten passes Luhn by
            # chance, so only a context word ("card", "visa", …) makes it a card.
            score -= 0.6
        elif number == value and len(number) < 16:
            # A bare 12-15 digit run is as often an id as a card.
            score -= 0.5
        return score

"""Payment card numbers (PAN): Luhn checksum plus issuer (IIN) ranges and lengths."""

from __future__ import annotations

import re

from tracemask.detectors import validators
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.pii._context_gate import from_gate
from tracemask.detectors.pii._shapes import IBAN_HEAD, not_after, not_before

#: The lookahead first lets ``re`` skip to digits (see the phone detector).
_BEFORE = r"(?=[0-9])" + not_before(".-")
_AFTER = not_after("-") + r"(?!\.\d)"
_IBAN_HEAD = re.compile(IBAN_HEAD)
#: An Amex number's whole shape without the lookarounds: a literal "3" first lets ``re`` jump
#: between threes, where the pattern stops at every digit.
_AMEX = re.compile(r"3[47][0-9]{2}[ -][0-9]{6}[ -][0-9]{5}")


#: Issuer prefixes that fix a short card's length: Amex 15, Diners 14, Visa 13.
_NARROW_SHORT = re.compile(r"3[47][0-9]{13}\Z|3(?:0[0-5]|[689][0-9])[0-9]{11}\Z|4[0-9]{12}\Z")


class CreditCardDetector(PatternDetector):
    """12-19 digit PANs, plain or grouped by spaces, dashes or dots.

    The checksum and the issuer range are evidence, not a verdict: a Luhn-valid number from a
    known issuer scores 0.9 on its own; one typed with a wrong digit scores 0.2, which a card
    word nearby ("card", "Visa", "Kreditkarte", "tarjeta") lifts over the threshold.
    """

    entity = "CREDIT_CARD"
    # The patterns' whole shapes between ASCII word boundaries (theirs are stricter): UUID
    # groups, timestamps and short digit groups do not run them.
    trigger = (
        r"\b(?:[0-9]{12,19}|[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{1,4}(?:-[0-9]{3})?"
        r"|[0-9]{4} [0-9]{4} [0-9]{4} [0-9]{1,4}(?: [0-9]{3})?"
        r"|[0-9]{4}\.[0-9]{4}\.[0-9]{4}\.[0-9]{1,4}(?:\.[0-9]{3})?"
        r"|3[47][0-9]{2}[ -][0-9]{6}[ -][0-9]{5})\b"
    )
    patterns = (
        # 4-4-4-4(-3) groups with one consistent separator (people type dots too), Amex 4-6-5,
        # or a plain digit run.
        rf"{_BEFORE}(?P<value>[0-9]{{4}}([ .-]?)[0-9]{{4}}\2[0-9]{{4}}\2[0-9]{{1,4}}"
        rf"(?:\2[0-9]{{3}})?){_AFTER}",
        rf"{_BEFORE}(?P<value>3[47][0-9]{{2}}[ -][0-9]{{6}}[ -][0-9]{{5}}){_AFTER}",
        rf"{_BEFORE}(?P<value>[0-9]{{12,19}}){_AFTER}",
    )
    context = (
        "card", "cards", "credit", "debit", "visa", "mastercard", "master card", "amex",
        "american express", "discover", "maestro", "unionpay", "jcb", "diners", "pan", "cc",
        "ccn", "cvv", "cvc", "payment", "paid with", "pay with", "expiry", "exp",
        "karte", "kreditkarte", "kartennummer", "carte", "carte bancaire", "tarjeta",
        "carta", "cartão", "kaart", "creditcard", "karta", "kort", "kortnummer",
        "卡", "卡号", "信用卡", "银行卡", "カード", "카드", "بطاقة", "карт", "kartica", "kartu",
    )  # fmt: skip
    negative_context = ("order", "invoice", "tracking", "shipment", "ticket", "account no")
    score = 0.9
    trim_separators = " .-"

    def __init__(self) -> None:
        super().__init__()
        grouped, amex, plain = self._compiled
        self._compiled = (grouped, from_gate(amex, _AMEX), plain)

    def _trim(self, text: str, start: int, end: int) -> tuple[int, float | None]:
        if _IBAN_HEAD.search(text, max(0, start - 40), start):
            # validate's first check, which reads only the start: no shorter cut can pass.
            return end, None
        return super()._trim(text, start, end)

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if _IBAN_HEAD.search(text, max(0, start - 40), start):
            return None  # the digit groups of an IBAN
        number = validators.digits_only(value)
        if not (12 <= len(number) <= 19) or len(set(number)) < 2:
            return None
        grouped = number != value
        if not validators.luhn(number):
            # A mistyped or invented card: the shape must be a card's (grouped 4-4-4-4 or a
            # known issuer), and then only a card word makes it one.
            if grouped or validators.card_iin(number):
                return 0.2
            return None
        score = self.score
        if not validators.card_iin(number):
            # Luhn-valid but from no known issuer range: one number in ten passes Luhn by
            # chance, so only a context word ("card", "visa", …) makes it a card.
            score -= 0.6
        elif not grouped and len(number) < 16:
            # A bare 12-15 digit run is as often an id as a card, unless its issuer prefix is
            # narrow and fixes this very length: Amex (34/37, 15 digits), Diners (14) and
            # Visa (4, 13). With the checksum, an id takes that shape 1 to 4 times in 1,000
            # (an epoch in milliseconds starts with 1); a negative word ("order") still wins.
            score -= 0.25 if _NARROW_SHORT.match(number) else 0.5
        return score


class CardSecurityCodeDetector(PatternDetector):
    """A card's security code after its name: ``CVV 123``, ``cvc2: 4567``, ``security code is
    987``. PCI DSS forbids keeping it after authorisation; three digits alone say nothing, so
    only the name makes them one (``{"cvv": …}`` in JSON is a key rule)."""

    entity = "CREDIT_CARD"
    ignore_case = True
    trigger = r"\b(?:cvv2?|cvc2?|csc|security code)\b"
    patterns = (
        r"\b(?:cvv2?|cvc2?|csc|security code)\b[ \t]*(?:[:=#]|is|was)?[ \t]*[\"']?"
        r"(?P<value>[0-9]{3,4})\b(?![.,/:-]?[0-9])",
    )
    score = 0.85

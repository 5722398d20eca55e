"""International bank account numbers."""

from __future__ import annotations

import re

from tracemask.detectors import validators
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.pii._context_gate import from_gate
from tracemask.detectors.pii._shapes import not_after, not_before

#: Per pattern, what every match holds two characters after its start (after the country
#: letters): the check digits and two groups. A plain digit class first lets ``re`` jump
#: between digits, where the patterns (lookarounds first) stop at every letter.
_AFTER_COUNTRY = (
    re.compile(r"[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2}"),
    re.compile(r"[0-9]{2}(?: [a-z0-9]{4}){2}"),
)


class IbanDetector(PatternDetector):
    """IBANs, compact or in groups of four.

    The country's length and the mod-97 checksum are evidence: a valid IBAN scores 0.95; one
    with the right country and length but wrong check digits (typed or invented) 0.25, and one
    of a known country with a length off by a few characters 0.15: an "IBAN" (or "Konto",
    "compte", "cuenta"…) word nearby lifts them over the threshold.
    """

    entity = "IBAN_CODE"
    trigger = r"[A-Z]{2}[0-9]{2}|[a-z]{2}[0-9]{2} [a-z0-9]{4} "
    patterns = (
        r"(?=[A-Z])"
        + not_before("A-Za-z0-9")
        + r"(?P<value>[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,4})?)"
        + not_after("A-Za-z0-9"),
        # Typed in lower case ("iban de89 3704 0044 …"): grouped by spaces, as people type it
        # (a compact lower-case run is as often a hex id).
        r"(?=[a-z])"
        + not_before("A-Za-z0-9")
        + r"(?P<value>[a-z]{2}[0-9]{2}(?: [a-z0-9]{4}){2,7}(?: [a-z0-9]{1,4})?)"
        + not_after("A-Za-z0-9"),
    )
    context = (
        "iban", "bank", "account", "acct", "bic", "swift", "sepa", "wire", "transfer",
        "konto", "kontonummer", "bankverbindung", "überweisung", "compte", "rib", "virement",
        "cuenta", "transferencia", "conto", "bonifico", "conta", "rekening", "rekeningnummer",
        "rachunek", "kontonr", "tilinumero", "银行账户", "账号", "口座", "계좌", "حساب", "счет",
        "счёт",
    )  # fmt: skip
    score = 0.95
    trim_separators = " -"

    def __init__(self) -> None:
        super().__init__()
        self._compiled = tuple(
            from_gate(regex, gate, back=2)
            for regex, gate in zip(self._compiled, _AFTER_COUNTRY, strict=True)
        )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if validators.iban(value):
            return self.score
        compact = "".join(value.split()).replace("-", "").upper()
        expected = validators.IBAN_LENGTHS.get(compact[:2])
        if value.islower() and len(compact) != expected:
            return None  # lower case: only a registry country and its exact length
        if expected is None or len(compact) != expected:
            # A country outside the registry, or a length the registry does not give it
            # (generated and invented IBANs): a valid mod-97 checksum is strong evidence
            # (1 in 97 by chance), a wrong one needs a context word and a plausible length.
            if not 15 <= len(compact) <= 34:
                return None
            if _mod97(compact):
                return 0.55
            if expected is None:
                return 0.15
        if len(compact) == expected:
            return 0.25
        if abs(len(compact) - expected) <= 2:
            return 0.15
        return None


def _mod97(compact: str) -> bool:
    """The ISO 7064 mod-97 check of an IBAN, whatever its country and length."""
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1

"""The built-in detectors, as an explicit tuple (the compiled policy instantiates the enabled
ones with :meth:`~tracemask.detectors._pattern.PatternDetector.create`)."""

from __future__ import annotations

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.pii.address import LocationDetector
from tracemask.detectors.pii.address_intl import IntlAddressDetector
from tracemask.detectors.pii.card import CardSecurityCodeDetector, CreditCardDetector
from tracemask.detectors.pii.crypto import CryptoWalletDetector
from tracemask.detectors.pii.dates import AgeDetector, DateOfBirthDetector
from tracemask.detectors.pii.email import EmailDetector, SpelledEmailDetector
from tracemask.detectors.pii.iban import IbanDetector
from tracemask.detectors.pii.network import IPv4Detector, IPv6Detector, MacAddressDetector
from tracemask.detectors.pii.person import PersonDetector
from tracemask.detectors.pii.phone import PhoneNumberDetector
from tracemask.detectors.pii.ssn import UsSsnDetector
from tracemask.detectors.secrets import SECRET_DETECTORS

#: Built-in structured-PII detectors, in priority order for ties.
PII_DETECTORS: tuple[type[PatternDetector], ...] = (
    EmailDetector,
    SpelledEmailDetector,
    CreditCardDetector,
    CardSecurityCodeDetector,
    IbanDetector,
    UsSsnDetector,
    IPv4Detector,
    IPv6Detector,
    MacAddressDetector,
    CryptoWalletDetector,
    PhoneNumberDetector,
    DateOfBirthDetector,
    AgeDetector,
    LocationDetector,
    IntlAddressDetector,
    PersonDetector,
)

#: Every built-in detector class: secrets first (they are the most specific).
BUILTIN: tuple[type[PatternDetector], ...] = SECRET_DETECTORS + PII_DETECTORS


def builtin_entities() -> tuple[str, ...]:
    """Return the entities the built-in detectors report, sorted."""
    return tuple(sorted({cls.entity for cls in BUILTIN} | {"NATIONAL_ID"}))

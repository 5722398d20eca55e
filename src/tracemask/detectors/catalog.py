"""The built-in detectors, as an explicit tuple, and the builder that applies a policy to them."""

from __future__ import annotations

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.custom import DenyListDetector, RegexRecognizer
from tracemask.detectors.pii.card import CreditCardDetector
from tracemask.detectors.pii.crypto import CryptoWalletDetector
from tracemask.detectors.pii.email import EmailDetector
from tracemask.detectors.pii.iban import IbanDetector
from tracemask.detectors.pii.national_ids import NationalIdDetector
from tracemask.detectors.pii.network import IPv4Detector, IPv6Detector, MacAddressDetector
from tracemask.detectors.pii.phone import PhoneNumberDetector
from tracemask.detectors.pii.ssn import UsSsnDetector
from tracemask.detectors.secrets import SECRET_DETECTORS
from tracemask.policy import Policy
from tracemask.typing import Detector

#: Built-in structured-PII detectors, in priority order for ties.
PII_DETECTORS: tuple[type[PatternDetector], ...] = (
    EmailDetector,
    CreditCardDetector,
    IbanDetector,
    UsSsnDetector,
    IPv4Detector,
    IPv6Detector,
    MacAddressDetector,
    CryptoWalletDetector,
    PhoneNumberDetector,
)

#: Every built-in detector class: secrets first (they are the most specific).
BUILTIN: tuple[type[PatternDetector], ...] = SECRET_DETECTORS + PII_DETECTORS


def builtin_entities() -> tuple[str, ...]:
    """Return the entities the built-in detectors report, sorted."""
    return tuple(sorted({cls.entity for cls in BUILTIN} | {"NATIONAL_ID"}))


def build_detectors(policy: Policy) -> tuple[Detector, ...]:
    """Instantiate the detectors a policy enables, then its custom recognizers and deny lists."""
    detectors: list[Detector] = []
    for entity, rule in policy.entities.items():
        if rule.deny:
            detectors.append(DenyListDetector(entity, rule.deny))
    for cls in BUILTIN:
        if not policy.rule(cls.entity).enabled:
            continue
        if cls is PhoneNumberDetector:
            detectors.append(PhoneNumberDetector(regions=policy.phone_regions))
        else:
            detectors.append(cls())
    if policy.rule("NATIONAL_ID").enabled:
        detectors.extend(NationalIdDetector(kind) for kind in policy.national_ids)
    detectors.extend(
        RegexRecognizer(
            spec.name,
            spec.entity,
            spec.pattern,
            score=spec.score,
            context=spec.context,
            ignore_case=spec.ignore_case,
            validator=spec.validator,
        )
        for spec in policy.recognizers
        if policy.rule(spec.entity).enabled
    )
    return tuple(detectors)

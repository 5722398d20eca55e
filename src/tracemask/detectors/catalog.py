"""The built-in detectors, as an explicit tuple, and the builder that applies a policy to them."""

from __future__ import annotations

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.custom import DenyListDetector, RegexRecognizer
from tracemask.detectors.data import Lexicon
from tracemask.detectors.pii.address import LocationDetector
from tracemask.detectors.pii.card import CreditCardDetector
from tracemask.detectors.pii.crypto import CryptoWalletDetector
from tracemask.detectors.pii.dates import AgeDetector, DateOfBirthDetector
from tracemask.detectors.pii.email import EmailDetector
from tracemask.detectors.pii.iban import IbanDetector
from tracemask.detectors.pii.national_ids import NationalIdDetector
from tracemask.detectors.pii.network import IPv4Detector, IPv6Detector, MacAddressDetector
from tracemask.detectors.pii.person import PersonDetector
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
    DateOfBirthDetector,
    AgeDetector,
    LocationDetector,
    PersonDetector,
)

#: Every built-in detector class: secrets first (they are the most specific).
BUILTIN: tuple[type[PatternDetector], ...] = SECRET_DETECTORS + PII_DETECTORS


def builtin_entities() -> tuple[str, ...]:
    """Return the entities the built-in detectors report, sorted."""
    return tuple(sorted({cls.entity for cls in BUILTIN} | {"NATIONAL_ID"}))


def build_detectors(policy: Policy) -> tuple[Detector, ...]:
    """Instantiate the detectors a policy enables, then its custom recognizers and deny lists."""
    detectors: list[Detector] = []
    lexicon = Lexicon()  # shared by the name and place detectors; read on first use
    for entity, rule in policy.entities.items():
        if rule.deny:
            detectors.append(DenyListDetector(entity, rule.deny))
    for cls in BUILTIN:
        if not policy.rule(cls.entity).enabled:
            continue
        if cls is PhoneNumberDetector:
            detectors.append(PhoneNumberDetector(regions=policy.phone_regions))
        elif cls is PersonDetector or cls is LocationDetector:
            # Read the name lists now, not in the first request (about 50 ms, once per policy).
            detectors.append(cls(lexicon=lexicon.load()))
        else:
            detectors.append(cls())
    detectors.extend(_ner_detectors(policy))
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


def _ner_detectors(policy: Policy) -> list[Detector]:
    """The optional NER backend of ``policy.ner``, listed after the pattern detectors so that
    they win ties."""
    spec = policy.ner
    if spec.backend is None:
        return []
    from tracemask.detectors.ner import build_ner  # noqa: PLC0415 - only NER policies need it

    entities = [e for e in spec.entities if policy.rule(e).enabled]
    if not entities:
        return []
    options = {**spec.options, "min_chars": spec.min_chars}
    return [build_ner(spec.backend, spec.model, entities, **options)]

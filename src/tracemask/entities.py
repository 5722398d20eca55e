"""The entities tracemask knows: one row each, the single source of every per-entity table.

A row names the entity, says what it is, how evaluation scores it, how its values are
normalised before pseudonymisation, which fake ``surrogate`` writes for it and which labels of
the NER backends mean it. The tables in ``evaluation``, ``operators`` and ``detectors.ner`` are
derived from :data:`ENTITIES`; ``tests/test_entities.py`` checks that every detector's entity
has a row. A new entity is one new row here.

This module imports nothing from the package: everything else may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

#: How a value is normalised so that variants of one value get one pseudonym (see
#: ``operators/_normalize.py``): ``exact`` (secrets: a case difference is another secret),
#: ``email`` (case-folded), ``phone`` (E.164), ``compact`` (no separators, upper case),
#: ``words`` (whitespace collapsed, case-folded).
Normalizer = Literal["exact", "email", "phone", "compact", "words"]
#: The fake ``surrogate`` writes (see ``operators/_surrogate.py``); ``None``: a pseudonym token.
SurrogateKind = Literal["person", "location", "email", "phone", "card", "ssn", "ip", "iban"]
#: NER backends whose model labels map to entities.
NerBackend = Literal["presidio", "spacy", "transformers", "gliner", "comprehend"]


@dataclass(frozen=True)
class Entity:
    """One entity: what it is and how each part of tracemask treats it."""

    name: str
    description: str
    #: The canonical label evaluation scores it as (the shared ``label_map.json`` vocabulary).
    label: str
    category: Literal["personal", "secret"] = "personal"
    normalize: Normalizer = "words"
    surrogate: SurrogateKind | None = None
    #: Whether a part of a value is still sensitive alone (a card's last digits, a surname):
    #: where a finding of another entity wins part of it, the rest stays masked. Not so for
    #: an email's domain, a date's year or an IP address's last octets.
    parts_sensitive: bool = True
    #: Labels of each NER backend that mean this entity (transformers labels are matched
    #: upper case without ``B-``/``I-`` prefixes, ``_`` or ``-``).
    ner: Mapping[NerBackend, tuple[str, ...]] = field(default_factory=dict)


#: Every entity, in the display order of evaluation reports.
ENTITIES: tuple[Entity, ...] = (
    Entity(
        "PERSON",
        "a person's name",
        "PERSON",
        surrogate="person",
        ner={
            "presidio": ("PERSON",),
            "spacy": ("PERSON", "PER"),
            "transformers": (
                "PER",
                "PERSON",
                "NAME",
                "FIRSTNAME",
                "LASTNAME",
                "MIDDLENAME",
                "GIVENNAME",
                "SURNAME",
            ),
            "gliner": ("person",),
            "comprehend": ("NAME",),
        },
    ),
    Entity(
        "EMAIL_ADDRESS",
        "an email address",
        "EMAIL_ADDRESS",
        normalize="email",
        surrogate="email",
        parts_sensitive=False,
        ner={"presidio": ("EMAIL_ADDRESS",), "comprehend": ("EMAIL",)},
    ),
    Entity(
        "PHONE_NUMBER",
        "a phone number",
        "PHONE_NUMBER",
        normalize="phone",
        surrogate="phone",
        ner={"presidio": ("PHONE_NUMBER",), "comprehend": ("PHONE",)},
    ),
    Entity(
        "US_SSN",
        "a US social security number",
        "US_SSN",
        normalize="compact",
        surrogate="ssn",
        ner={"presidio": ("US_SSN",), "comprehend": ("SSN",)},
    ),
    Entity(
        "CREDIT_CARD",
        "a payment card number",
        "CREDIT_CARD",
        normalize="compact",
        surrogate="card",
        ner={"presidio": ("CREDIT_CARD",), "comprehend": ("CREDIT_DEBIT_NUMBER",)},
    ),
    Entity(
        "IBAN_CODE",
        "an international bank account number",
        "IBAN_CODE",
        normalize="compact",
        surrogate="iban",
        ner={"presidio": ("IBAN_CODE",), "comprehend": ("INTERNATIONAL_BANK_ACCOUNT_NUMBER",)},
    ),
    Entity(
        "BANK_ACCOUNT",
        "a bank account or routing number (an IBAN is IBAN_CODE)",
        "OTHER",
        normalize="compact",
        ner={
            "presidio": ("US_BANK_NUMBER", "ABA_ROUTING_NUMBER"),
            "comprehend": ("BANK_ACCOUNT_NUMBER", "BANK_ROUTING"),
        },
    ),
    Entity(
        "IP_ADDRESS",
        "an IPv4 or IPv6 address",
        "IP_ADDRESS",
        normalize="email",  # case-folded: IPv6 hex digits are case-insensitive
        surrogate="ip",
        parts_sensitive=False,
        ner={"presidio": ("IP_ADDRESS",), "comprehend": ("IP_ADDRESS",)},
    ),
    Entity(
        "LOCATION",
        "a street address or a place",
        "LOCATION/ADDRESS",
        surrogate="location",
        ner={
            "presidio": ("LOCATION", "GPE"),
            "spacy": ("GPE", "LOC", "FAC"),
            "transformers": (
                "LOC",
                "LOCATION",
                "GPE",
                "ADDRESS",
                "STREET",
                "STREETADDRESS",
                "CITY",
                "STATE",
                "COUNTY",
                "ZIPCODE",
                "BUILDINGNUMBER",
                "SECONDARYADDRESS",
            ),
            "gliner": ("street address", "city", "country"),
            "comprehend": ("ADDRESS",),
        },
    ),
    Entity("ADDRESS", "a postal address (labelled data's name for LOCATION)", "LOCATION/ADDRESS"),
    Entity(
        "DATE_TIME",
        "a date or time",
        "DATE_TIME",
        parts_sensitive=False,
        ner={"presidio": ("DATE_TIME",), "comprehend": ("DATE_TIME",)},
    ),
    Entity(
        "DATE_OF_BIRTH",
        "a date of birth",
        "DATE_TIME",
        parts_sensitive=False,
        ner={"transformers": ("DOB",), "gliner": ("date of birth",)},
    ),
    Entity(
        "URL",
        "a URL",
        "URL",
        normalize="exact",
        parts_sensitive=False,
        ner={"presidio": ("URL",), "comprehend": ("URL",)},
    ),
    Entity("USERNAME", "a user name or handle", "USERNAME", ner={"comprehend": ("USERNAME",)}),
    Entity(
        "PASSWORD",
        "a password",
        "PASSWORD",
        "secret",
        normalize="exact",
        ner={"comprehend": ("PASSWORD", "PIN")},
    ),
    Entity(
        "API_KEY",
        "a provider API key or bearer credential",
        "API_KEY/SECRET",
        "secret",
        normalize="exact",
        ner={"comprehend": ("AWS_ACCESS_KEY",)},
    ),
    Entity(
        "SECRET",
        "a secret value (token, signature, key)",
        "API_KEY/SECRET",
        "secret",
        normalize="exact",
        ner={"comprehend": ("AWS_SECRET_KEY", "CREDIT_DEBIT_CVV")},
    ),
    Entity(
        "PRIVATE_KEY", "a private key (PEM, JWK)", "API_KEY/SECRET", "secret", normalize="exact"
    ),
    Entity(
        "ORGANIZATION",
        "an organisation's name",
        "ORGANIZATION",
        ner={
            "presidio": ("ORGANIZATION", "ORG"),
            "spacy": ("ORG",),
            "transformers": ("ORG", "ORGANIZATION", "COMPANYNAME"),
            "gliner": ("organization",),
        },
    ),
    Entity(
        "NATIONAL_ID",
        "a national identity number",
        "ID_NUMBER",
        ner={
            "comprehend": (
                "PASSPORT_NUMBER",
                "DRIVER_ID",
                "UK_NATIONAL_INSURANCE_NUMBER",
                "UK_UNIQUE_TAXPAYER_REFERENCE_NUMBER",
                "UK_NATIONAL_HEALTH_SERVICE_NUMBER",
                "CA_SOCIAL_INSURANCE_NUMBER",
                "CA_HEALTH_NUMBER",
                "US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER",
                "IN_PERMANENT_ACCOUNT_NUMBER",
                "IN_AADHAAR",
                "IN_NREGA",
                "IN_VOTER_NUMBER",
            )
        },
    ),
    Entity("CRYPTO", "a cryptocurrency wallet address", "CRYPTO", normalize="exact"),
    Entity(
        "MAC_ADDRESS",
        "a network hardware address",
        "MAC_ADDRESS",
        normalize="compact",
        parts_sensitive=False,
        ner={"comprehend": ("MAC_ADDRESS",)},
    ),
    Entity("UUID", "a UUID that identifies a person or account", "UUID"),
    Entity(
        "AGE",
        "a person's age",
        "AGE",
        parts_sensitive=False,
        ner={"transformers": ("AGE",), "comprehend": ("AGE",)},
    ),
)

#: Rows by entity name.
BY_NAME: Mapping[str, Entity] = {e.name: e for e in ENTITIES}


def ner_labels(backend: NerBackend) -> dict[str, str]:
    """``model label -> entity`` for one NER backend, derived from the rows."""
    return {label: e.name for e in ENTITIES for label in e.ner.get(backend, ())}

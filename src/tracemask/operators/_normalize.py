"""Canonical forms of values, so that variants of one value get one pseudonym.

``Jane.Doe@Example.com`` and ``jane.doe@example.com`` are one mailbox; ``(415) 555-0132`` and
``+14155550132`` one phone; ``4111 1111 1111 1111`` and ``4111111111111111`` one card.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

from tracemask.entities import ENTITIES, Normalizer

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")
#: Region assumed for phone numbers written without a country code.
DEFAULT_PHONE_REGION = "US"


def _words(value: str) -> str:
    return _SPACES.sub(" ", value.strip()).casefold()


def _email(value: str) -> str:
    return value.strip().casefold()


def _compact(value: str) -> str:
    return _NOT_ALNUM.sub("", value).upper()


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, DEFAULT_PHONE_REGION)
    except phonenumbers.NumberParseException:
        return (
            "+" + _NOT_ALNUM.sub("", value) if value.lstrip().startswith("+") else _compact(value)
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _exact(value: str) -> str:
    return value


_BY_KIND: dict[Normalizer, Callable[[str], str]] = {
    "exact": _exact,
    "email": _email,
    "phone": _phone,
    "compact": _compact,
    "words": _words,
}
#: Each entity's normaliser, from its row in ``tracemask.entities`` (others: ``words``).
_BY_ENTITY: dict[str, Callable[[str], str]] = {e.name: _BY_KIND[e.normalize] for e in ENTITIES}


def normalize(entity: str, value: str) -> str:
    """Return the canonical form of ``value``, a value of kind ``entity``.

    Emails are lower-cased, phones put in E.164, cards/IBANs/SSNs stripped of separators;
    secrets stay exact; anything else has its whitespace collapsed and is case-folded.
    """
    return _BY_ENTITY.get(entity, _words)(value)

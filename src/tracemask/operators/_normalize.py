"""Canonical forms of values, so that variants of one value get one pseudonym.

``Jane.Doe@Example.com`` and ``jane.doe@example.com`` are one mailbox; ``(415) 555-0132`` and
``+14155550132`` one phone; ``4111 1111 1111 1111`` and ``4111111111111111`` one card.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

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


#: Entities whose values are compared exactly: a secret differing in case is another secret.
_EXACT = frozenset(
    {"API_KEY", "SECRET", "PASSWORD", "PRIVATE_KEY", "AUTH_TOKEN", "JWT", "CRYPTO", "URL"}
)

_BY_ENTITY: dict[str, Callable[[str], str]] = {
    "EMAIL_ADDRESS": _email,
    "PHONE_NUMBER": _phone,
    "CREDIT_CARD": _compact,
    "IBAN_CODE": _compact,
    "US_SSN": _compact,
    "MAC_ADDRESS": _compact,
    "IP_ADDRESS": _email,  # IPv6 hex digits are case-insensitive
}


def normalize(entity: str, value: str) -> str:
    """Return the canonical form of ``value``, a value of kind ``entity``.

    Emails are lower-cased, phones put in E.164, cards/IBANs/SSNs stripped of separators;
    secrets stay exact; anything else has its whitespace collapsed and is case-folded.
    """
    if entity in _EXACT:
        return value
    return _BY_ENTITY.get(entity, _words)(value)

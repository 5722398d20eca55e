"""Helpers for testing code that uses tracemask: fake-but-valid values.

The factories make values that pass tracemask's validators (Luhn, mod-97, SSA rules) without
being anyone's real data, so tests never need to paste real PII.
"""

from __future__ import annotations

import random
import string

from tracemask.detectors.validators import IBAN_LENGTHS, luhn


def luhn_complete(partial: str) -> str:
    """Return ``partial`` plus the check digit that makes it pass Luhn."""
    for digit in "0123456789":
        if luhn(partial + digit):
            return partial + digit
    raise AssertionError("unreachable: one digit always completes a Luhn number")


def fake_card(rng: random.Random | None = None, prefix: str = "4", length: int = 16) -> str:
    """Return a Luhn-valid card number with ``prefix`` and ``length`` digits."""
    rng = rng or random.Random()
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return luhn_complete(body)


def fake_iban(rng: random.Random | None = None, country: str = "DE") -> str:
    """Return a compact IBAN for ``country`` with a valid mod-97 checksum."""
    rng = rng or random.Random()
    bban = "".join(rng.choice(string.digits) for _ in range(IBAN_LENGTHS[country] - 4))
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    check = 98 - int(numeric) % 97
    return f"{country}{check:02d}{bban}"


def fake_ssn(rng: random.Random | None = None) -> str:
    """Return a dashed US SSN that passes the SSA rules (area 001-665, 667-899)."""
    rng = rng or random.Random()
    area = rng.choice([a for a in range(1, 900) if a != 666])
    return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"


def fake_email(rng: random.Random | None = None, domain: str = "example.com") -> str:
    """Return an address at ``domain`` with a random local part."""
    rng = rng or random.Random()
    first = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 8)))
    last = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 10)))
    return f"{first}.{last}@{domain}"


def fake_us_phone(rng: random.Random | None = None) -> str:
    """Return a valid-format US number in the fictional 555-01xx block: ``(415) 555-01NN``."""
    rng = rng or random.Random()
    area = rng.choice(["212", "312", "415", "617", "646", "702", "206", "303"])
    return f"({area}) 555-01{rng.randint(0, 99):02d}"

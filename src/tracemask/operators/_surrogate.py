"""``surrogate``: realistic, deterministic fakes in place of values.

Each fake is drawn from a range reserved for examples wherever one exists, so that a fake can
never be someone's real value and masking a fake leaves it as it is (idempotent): emails at
``example.com`` (RFC 2606), phone numbers ``555-01XX`` (NANP fictional), SSNs in the never-issued
``9XX`` area, IPs in the documentation networks (RFC 5737, RFC 3849), cards on the networks'
published test BINs with a valid Luhn digit. Names, places and IBANs have no reserved range:
their fakes are realistic and deterministic, but masking a fake again gives another fake.
Entities with no sensible fake (secrets, ids, dates) get a pseudonym token.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable, Sequence
from typing import Literal

from tracemask.detectors import data, validators
from tracemask.entities import ENTITIES, SurrogateKind
from tracemask.operators._keyed import _Keyed
from tracemask.operators._normalize import normalize

_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = (".test", ".example", ".invalid", ".localhost")
#: The networks' published test BINs: Visa, Mastercard, Amex, Discover.
_TEST_BINS = {"4": "424242", "5": "555555", "2": "555555", "3": "378282", "6": "601111"}
_DOC_V4 = tuple(
    ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
)
_DOC_V6 = ipaddress.ip_network("2001:db8::/32")
_DIGIT = re.compile(r"\d")
_STREETS = ("Street", "Avenue", "Road", "Lane", "Drive", "Court", "Place", "Way")
#: Well-known cities: a fake place should read like one.
_CITIES = (
    "Amsterdam",
    "Atlanta",
    "Austin",
    "Barcelona",
    "Berlin",
    "Boston",
    "Chicago",
    "Dallas",
    "Denver",
    "Dublin",
    "Hamburg",
    "Houston",
    "Lisbon",
    "London",
    "Lyon",
    "Madrid",
    "Melbourne",
    "Miami",
    "Milan",
    "Munich",
    "Oslo",
    "Paris",
    "Phoenix",
    "Portland",
    "Prague",
    "Rome",
    "Seattle",
    "Stockholm",
    "Sydney",
    "Toronto",
    "Vancouver",
    "Vienna",
    "Warsaw",
    "Zurich",
)


class _Names:
    """Common given names and surnames from the bundled lexicon, loaded once."""

    _lock = threading.Lock()
    given: Sequence[str] = ()
    surnames: Sequence[str] = ()

    @classmethod
    def load(cls) -> type[_Names]:
        if not cls.given:
            with cls._lock:
                if not cls.given:
                    lex = data.shared_lexicon()
                    ambiguous = data.WORD | data.STOP | data.PLACE
                    tokens = lex.tokens
                    cls.surnames = sorted(
                        w.title()
                        for w, b in tokens.items()
                        if b & data.TOP_SURNAME and not b & (ambiguous | data.GIVEN) and w.isalpha()
                    )
                    cls.given = sorted(
                        w.title()
                        for w, b in tokens.items()
                        if b & data.FREQUENT_GIVEN and not b & ambiguous and w.isalpha()
                    )
        return cls


def _pick(items: Sequence[str], seed: int) -> str:
    return items[seed % len(items)]


def _like_case(fake: str, original: str) -> str:
    if original.isupper():
        return fake.upper()
    if original.islower():
        return fake.lower()
    return fake


def _fill_digits(template: str, digits: str) -> str:
    """``template`` with its digits replaced, in order, by ``digits``."""
    it = iter(digits)
    return _DIGIT.sub(lambda _: next(it), template)


class Surrogate(_Keyed):
    """Replace a value with a realistic fake of the same kind and format.

    ``jane.doe@acme.io`` becomes something like ``maria.lopez42@example.com``, ``(415)
    555-2671`` becomes ``(318) 555-0147``, a Visa card a Luhn-valid ``4242 42…`` test number.
    The fake is derived from a keyed HMAC of the normalised value: the same value gives the same
    fake everywhere (joins and counts still work), and the value cannot be recovered from it.
    Meant for traces fed to evaluation or fine-tuning, where a token would read unnaturally.
    """

    type: Literal["surrogate"] = "surrogate"

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        seed = int.from_bytes(self.digest("surrogate", entity, normalize(entity, value))[:8], "big")
        maker = _MAKERS.get(entity)
        fake = maker(value, seed) if maker is not None else None
        # No sensible fake (a secret, an id): a pseudonym token, still one per value.
        return fake if fake is not None else f"<{entity}_{seed & 0xFFFF_FFFF:08x}>"


def _person(value: str, seed: int) -> str:
    names = _Names.load()
    given = _pick(names.given, seed)
    surname = _pick(names.surnames, seed >> 20)
    words = value.split()
    if len(words) == 1:
        fake = given
    elif "," in value:
        fake = f"{surname}, {given}"
    else:
        fake = f"{given} {surname}"
    return _like_case(fake, value)


def _location(value: str, seed: int) -> str:
    names = _Names.load()
    if value[:1].isdigit():
        number = 10 + seed % 9890
        fake = f"{number} {_pick(names.surnames, seed >> 16)} {_pick(_STREETS, seed >> 40)}"
    else:
        fake = _pick(_CITIES, seed)
    return _like_case(fake, value)


def _email(value: str, seed: int) -> str | None:
    domain = value.rpartition("@")[2].casefold()
    if domain in _RESERVED_DOMAINS or domain.endswith(_RESERVED_TLDS):
        return value
    names = _Names.load()
    local = f"{_pick(names.given, seed)}.{_pick(names.surnames, seed >> 20)}{seed % 100}"
    return f"{local.lower()}@{_pick(_RESERVED_DOMAINS, seed >> 40)}"


def _phone(value: str, seed: int) -> str:
    digits = validators.digits_only(value)
    national = digits[1:] if len(digits) == 11 and digits[0] == "1" else digits
    if len(national) == 10 and national[3:8] == "55501":
        return value  # already a fictional number
    area = str(201 + seed % 780)
    if area[1:] == "11":  # N11 codes are service codes, not areas
        area = area[0] + "12"
    fake = f"{area}55501{(seed >> 12) % 100:02d}"
    if len(digits) == 10:
        return _fill_digits(value, fake)
    if len(digits) == 11 and digits[0] == "1":
        return _fill_digits(value, "1" + fake)
    return f"+1 {fake[:3]}-{fake[3:6]}-{fake[6:]}"


def _card(value: str, seed: int) -> str:
    digits = validators.digits_only(value)
    if any(digits.startswith(b) for b in _TEST_BINS.values()):
        return value
    bin_ = _TEST_BINS.get(digits[:1], "424242")
    body = bin_ + f"{seed:020d}"[: len(digits) - len(bin_) - 1]
    for check in "0123456789":
        if validators.luhn(body + check):
            return _fill_digits(value, body + check)
    raise AssertionError("unreachable: one check digit always satisfies Luhn")


def _ssn(value: str, seed: int) -> str:
    digits = validators.digits_only(value)
    fake = f"9{seed % 100:02d}{(seed >> 8) % 99 + 1:02d}{(seed >> 16) % 9999 + 1:04d}"
    if len(digits) != 9:
        return f"{fake[:3]}-{fake[3:5]}-{fake[5:]}"
    return value if digits[0] == "9" else _fill_digits(value, fake)


def _ip(value: str, seed: int) -> str | None:
    try:
        address = ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return None
    if address.version == 4:
        if any(address in net for net in _DOC_V4):
            return value
        net = _DOC_V4[seed % 3]
        return str(net[1 + (seed >> 8) % 254])
    if address in _DOC_V6:
        return value
    return str(_DOC_V6[seed & 0xFFFF_FFFF_FFFF])


def _iban(value: str, seed: int) -> str | None:
    compact = re.sub(r"\s", "", value).upper()
    if len(compact) < 15 or not compact[:2].isalpha():
        return None
    rnd = f"{seed:020d}" * 2
    bban = "".join(rnd[i % len(rnd)] if c.isdigit() else c for i, c in enumerate(compact[4:]))
    numeric = "".join(str(int(c, 36)) for c in bban + compact[:2] + "00")
    check = f"{98 - int(numeric) % 97:02d}"
    fake = compact[:2] + check + bban
    if " " in value:
        return " ".join(fake[i : i + 4] for i in range(0, len(fake), 4))
    return fake


_BY_KIND: dict[SurrogateKind, Callable[[str, int], str | None]] = {
    "person": _person,
    "location": _location,
    "email": _email,
    "phone": _phone,
    "card": _card,
    "ssn": _ssn,
    "ip": _ip,
    "iban": _iban,
}
#: Each entity's fake maker, from its row in ``tracemask.entities``.
_MAKERS: dict[str, Callable[[str, int], str | None]] = {
    e.name: _BY_KIND[e.surrogate] for e in ENTITIES if e.surrogate is not None
}

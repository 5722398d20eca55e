"""IP addresses (v4, v6) and MAC addresses.

Each pattern opens with a lookahead on its first character: ``re`` then skips to candidate
positions (a lookbehind first makes it try every position).
"""

from __future__ import annotations

import ipaddress
import re

from tracemask.detectors import validators
from tracemask.detectors._pattern import PatternDetector

_VERSION_BEFORE = re.compile(
    r"(?:\bv|\bversion[\s:=]*|\bver[\s:=.]*|\brelease[\s:=]*|==|>=|<=|~=|@|\bbuild[\s:=]*)$",
    re.IGNORECASE,
)


def _hostless(value: str) -> bool:
    """Unspecified, loopback, broadcast or netmask: an address of no one."""
    address = ipaddress.ip_address(value)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1
    if address.is_unspecified or address.is_loopback:
        return True
    if isinstance(address, ipaddress.IPv4Address):
        # 255.255.255.255 and netmasks such as 255.255.255.0 or 255.255.0.0.
        bits = int(address)
        inverted = ~bits & 0xFFFFFFFF
        return str(address).startswith("255.") and inverted & (inverted + 1) == 0
    return False


class IPv4Detector(PatternDetector):
    """Dotted-quad IPv4 addresses; version strings (``v1.2.3.4``, ``==1.2.3.4``) are rejected.

    Addresses that name no host are not personal data and are kept: unspecified
    (``0.0.0.0``), loopback (``127.0.0.1``), broadcast, and netmasks (``255.255.255.0``).
    """

    name = "IPAddressV4Detector"
    entity = "IP_ADDRESS"
    trigger = r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}"
    patterns = (
        r"(?=[0-9])(?<![\w.-])(?P<value>(?:[0-9]{1,3}\.){3}[0-9]{1,3})(?:/[0-9]{1,2})?(?![\w-]|\.\d)",
    )
    #: The first "." comes at most 3 characters after the match's start.
    anchors = ((".", 3),)
    negative_context = ("version", "release", "build", "oid")
    score = 0.85

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if not validators.ip_address(value):
            return None
        if any(len(part) > 1 and part[0] == "0" for part in value.split(".")):
            return None  # leading zeros: an OID or a version, not an address
        if _hostless(value):
            return None
        if _VERSION_BEFORE.search(text[max(0, start - 10) : start]):
            return None
        return self.score


class IPv6Detector(PatternDetector):
    """IPv6 addresses in any of their textual forms, validated by :mod:`ipaddress`."""

    name = "IPAddressV6Detector"
    entity = "IP_ADDRESS"
    # What ``validate`` requires of a finding: a "::", or eight groups (seven colons, the
    # first seven groups then each 1-4 hex digits and a colon). A time ("12:34:56") is neither.
    trigger = r"::|(?:[0-9A-Fa-f]{1,4}:){7}"
    patterns = (
        r"(?=[0-9A-Fa-f:])(?<![\w:.])(?P<value>(?:[0-9A-Fa-f]{1,4}:|::?)(?:[0-9A-Fa-f]{0,4}:){1,7}"
        r"(?:[0-9A-Fa-f]{1,4}|(?:[0-9]{1,3}\.){3}[0-9]{1,3})?)(?![\w:]|\.\d)",
    )
    #: The first ":" comes at most 4 characters after the match's start.
    anchors = ((":", 4),)
    score = 0.85

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if value.count(":") < 2 or not validators.ip_address(value):
            return None
        if "::" not in value and value.count(":") < 7:
            return None
        if value.endswith("::") or _hostless(value):
            return None  # loopback/unspecified, and ``Foo::`` scopes in code
        return self.score


class MacAddressDetector(PatternDetector):
    """EUI-48 MAC addresses (``aa:bb:cc:dd:ee:ff``, ``aa-bb-…``, ``aabb.ccdd.eeff``)."""

    entity = "MAC_ADDRESS"
    # The patterns' whole shapes (six groups, one separator; three dotted groups of four): a
    # date ("2024-08-06") is not one.
    trigger = (
        r"(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}|(?:[0-9A-Fa-f]{2}-){5}[0-9A-Fa-f]{2}"
        r"|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}"
    )
    patterns = (
        r"(?=[0-9A-Fa-f])(?<![\w:-])(?P<value>[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\2){4}[0-9A-Fa-f]{2})(?![\w:-])",
        r"(?=[0-9A-Fa-f])(?<![\w.])(?P<value>[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4})(?![\w.])",
    )
    #: Colon or dash (either) in the first form; the first "." 4 characters in, in the second.
    anchors = (None, (".", 4))
    score = 0.8

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        hexdigits = value.replace(":", "").replace("-", "").replace(".", "").lower()
        if len(set(hexdigits)) == 1:
            return None  # 00:00:…, ff:ff:… are placeholders and broadcast
        # Cisco dotted form needs a letter, or it is a version/ip-like triple of numbers.
        if "." in value and hexdigits.isdigit():
            return None
        return self.score

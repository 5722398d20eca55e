"""Pure checksum and range validators used by detectors on candidates.

Each takes the candidate string and returns ``True`` when it is well-formed. None of them raises
on bad input.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math

_DIGITS = frozenset("0123456789")


def digits_only(value: str) -> str:
    """Return the ASCII digits of ``value``, in order."""
    return "".join(c for c in value if c in _DIGITS)


def luhn(number: str) -> bool:
    """Return whether the digit string ``number`` passes the Luhn (mod-10) checksum."""
    if not number or not number.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = ord(ch) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# Issuer identification number prefixes (ISO/IEC 7812) of cards in circulation, with lengths.
_CARD_RANGES: tuple[tuple[int, int, tuple[int, ...]], ...] = (
    (4, 4, (13, 16, 19)),  # Visa
    (51, 55, (16,)),  # Mastercard
    (2221, 2720, (16,)),  # Mastercard 2-series
    (34, 34, (15,)),  # American Express
    (37, 37, (15,)),
    (300, 305, (14, 16, 17, 18, 19)),  # Diners Club
    (36, 36, (14, 16, 17, 18, 19)),
    (38, 39, (14, 16, 17, 18, 19)),
    (6011, 6011, (16, 17, 18, 19)),  # Discover
    (644, 649, (16, 17, 18, 19)),
    (65, 65, (16, 17, 18, 19)),
    (622126, 622925, (16, 17, 18, 19)),
    (3528, 3589, (16, 17, 18, 19)),  # JCB
    (1800, 1800, (15,)),  # JCB, 15-digit legacy ranges
    (2131, 2131, (15,)),
    (62, 62, (16, 17, 18, 19)),  # UnionPay
    (81, 81, (16, 17, 18, 19)),
    (50, 50, (12, 13, 14, 15, 16, 17, 18, 19)),  # Maestro
    (56, 58, (12, 13, 14, 15, 16, 17, 18, 19)),
    (6304, 6304, (12, 13, 14, 15, 16, 17, 18, 19)),
    (6759, 6759, (12, 13, 14, 15, 16, 17, 18, 19)),
    (676770, 676774, (12, 13, 14, 15, 16, 17, 18, 19)),
    (2200, 2204, (16, 17, 18, 19)),  # Mir
    (60, 60, (16,)),  # RuPay
    (6521, 6522, (16,)),
    (4026, 4026, (16,)),  # Visa Electron (covered by 4, kept for clarity)
)


def card_iin(number: str) -> bool:
    """Return whether ``number`` starts with a known card IIN and has a length that IIN issues."""
    n = len(number)
    for low, high, lengths in _CARD_RANGES:
        width = len(str(low))
        if n >= width and low <= int(number[:width]) <= high and n in lengths:
            return True
    return False


def us_ssn(number: str) -> bool:
    """Return whether a 9-digit string is a possible US SSN (SSA area/group/serial rules)."""
    if len(number) != 9 or not number.isdigit():
        return False
    area, group, serial = number[:3], number[3:5], number[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    # Numbers the SSA voided after they were used in advertising, and all-same digits.
    return number not in ("078051120", "219099999", "123456789") and len(set(number)) > 1


# Length of the IBAN per country (SWIFT IBAN registry).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban(value: str) -> bool:
    """Return whether ``value`` (separators allowed) is an IBAN with a valid mod-97 checksum."""
    compact = "".join(value.split()).replace("-", "").upper()
    if len(compact) < 15 or not compact.isalnum() or not compact.isascii():
        return False
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return int(numeric) % 97 == 1


def ip_address(value: str) -> bool:
    """Return whether ``value`` is a valid IPv4 or IPv6 address (no zone, no prefix)."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def base58check(value: str) -> bool:
    """Return whether ``value`` is Base58Check-encoded (4-byte double-SHA256 checksum)."""
    num = 0
    for c in value:
        idx = _B58_INDEX.get(c)
        if idx is None:
            return False
        num = num * 58 + idx
    pad = len(value) - len(value.lstrip("1"))
    raw = num.to_bytes((num.bit_length() + 7) // 8, "big")
    data = b"\x00" * pad + raw
    if len(data) < 5:
        return False
    payload, check = data[:-4], data[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == check


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def bech32(value: str) -> bool:
    """Return whether ``value`` is a valid bech32 or bech32m string (BIP-173/BIP-350)."""
    if value.lower() != value and value.upper() != value:
        return False
    value = value.lower()
    pos = value.rfind("1")
    if pos < 1 or pos + 7 > len(value) or len(value) > 90:
        return False
    hrp, data = value[:pos], value[pos + 1 :]
    try:
        values = [_BECH32.index(c) for c in data]
    except ValueError:
        return False
    chk = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= _BECH32_GEN[i] if ((top >> i) & 1) else 0
    return chk in (1, 0x2BC830A3)


def shannon_entropy(value: str) -> float:
    """Return the Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for c in value:
        counts[c] = counts.get(c, 0) + 1
    n = len(value)
    return -sum(k / n * math.log2(k / n) for k in counts.values())

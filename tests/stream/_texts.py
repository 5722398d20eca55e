"""LLM-like texts with planted sensitive values, shared by the stream tests and the benchmark."""

from __future__ import annotations

import base64
import json
import random
import string
import textwrap
import zlib

from tracemask.testing import fake_card, fake_email, fake_iban, fake_ssn, fake_us_phone

_ALNUM = string.ascii_letters + string.digits
_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_DASHES = "-" * 5

FILLER = (
    "Sure, here is a summary of the account history.",
    "The order shipped on 2024-08-06 with tracking id 4bf92f3577b34da6.",
    "Model gpt-4o-mini answered in 812 ms (v1.2.3).",
    "Let me know if there is anything else I can help with.",
    "The invoice lists 3 items and a total of 129.90 EUR.",
    "I checked the logs for trace 0af7651916cd43dd8448eb211c80319c.",
    "Next, update the configuration and restart the service.",
    "Ticket T-1042 was escalated to the billing team.",
    "\n\n",
    "- step one\n- step two\n",
)


def _github_token(rng: random.Random) -> str:
    body = "".join(rng.choice(_ALNUM) for _ in range(30))
    number, suffix = zlib.crc32(body.encode()), ""
    while number:
        number, rem = divmod(number, 62)
        suffix = _B62[rem] + suffix
    return "gh" + "p_" + body + suffix.rjust(6, "0")


def _aws_key(rng: random.Random) -> str:
    # Digits included: an all-letter body reads as a word and is spared on purpose.
    body = [rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(14)]
    return "AKIA" + "".join(body) + str(rng.randint(2, 7)) + str(rng.randint(2, 7))


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _jwt(rng: random.Random) -> str:
    claims = {"sub": str(rng.randrange(10**9)), "name": "Jane", "iat": 1}
    parts = [json.dumps({"alg": "HS256", "typ": "JWT"}).encode(), json.dumps(claims).encode()]
    return ".".join([*(_b64url(p) for p in parts), _b64url(rng.randbytes(32))])


def _pem(rng: random.Random) -> str:
    lines = "\n".join(textwrap.wrap(base64.b64encode(rng.randbytes(600)).decode(), 64))
    return f"{_DASHES}BEGIN PRIVATE KEY{_DASHES}\n{lines}\n{_DASHES}END PRIVATE KEY{_DASHES}"


def _password(rng: random.Random) -> str:
    return "Zq8!" + "".join(rng.choice(_ALNUM) for _ in range(10))


#: (template, value maker): the template puts the value in a sentence with its usual cue.
PLANTS = (
    ("card {} on file", fake_card),
    ("IBAN {} for the refund", fake_iban),
    ("SSN {} on the form", fake_ssn),
    ("my email is {} thanks", fake_email),
    ("call me at {} tomorrow", fake_us_phone),
    ("export GITHUB_TOKEN={}", _github_token),
    ("aws_access_key_id = {}", _aws_key),
    ("password: {}\n", _password),
    ("Authorization: Bearer {}", _jwt),
    ("key:\n{}\n", _pem),
)
#: Values the detectors find through context or dictionaries: checked for equality, not leaks.
SOFT = (
    "Please forward it to Dr. Jacob van Gameren today.",
    "Send it to 10 Downing Street, London.",
    "Patient: SMITH, JOHN was seen on Monday.",
)


def planted_text(rng: random.Random, size: int) -> tuple[str, list[str]]:
    """A text of about ``size`` characters and the sensitive values planted in it."""
    parts: list[str] = []
    values: list[str] = []
    length = 0
    while length < size:
        roll = rng.random()
        if roll < 0.25:
            template, make = rng.choice(PLANTS)
            value = make(rng)
            values.append(value)
            piece = template.format(value)
        elif roll < 0.3:
            piece = rng.choice(SOFT)
        else:
            piece = rng.choice(FILLER)
        parts.append(piece)
        length += len(piece) + 1
    return " ".join(parts), values


def deltas(rng: random.Random, text: str, mean: int = 4) -> list[str]:
    """``text`` cut into LLM-like deltas of 1..2*mean characters."""
    out, i = [], 0
    while i < len(text):
        n = rng.randint(1, 2 * mean)
        out.append(text[i : i + n])
        i += n
    return out

"""Random tokens for every row of the provider format table, for tests and the secrets eval set.

``sample(regex, rng)`` walks the parsed regex and draws each character at random from the class
the regex allows, so a sample has the row's prefix, alphabet and length but no valid checksum
and no resemblance to any published example. Keyed rows (``asana… = "…"``) are drawn with one
of a few realistic joins between the provider's name and the value.
"""

from __future__ import annotations

import random
import re
import string
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812
from re import _parser  # type: ignore[attr-defined]

from tracemask.detectors.secrets._formats import KEYED_ASSIGN, Format

_PRINTABLE = string.ascii_letters + string.digits
_CATEGORY = {
    C.CATEGORY_DIGIT: string.digits,
    C.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    C.CATEGORY_SPACE: " ",
}
#: Joins between a provider's name and the value of a keyed row, and the closing text.
KEYED_JOINS = (
    ('_API_KEY="', '"'),
    ("_client_secret: ", ""),
    ('.token = "', '";'),
    ("_SECRET=", "\n"),
    ("_access_token': '", "'"),
)


def _chars(items: list[tuple[object, object]]) -> str:
    """The characters an ``IN`` set allows (negated sets draw from letters and digits)."""
    allowed: list[str] = []
    negate = False
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            allowed.append(chr(arg))  # type: ignore[arg-type]
        elif op is C.RANGE:
            lo, hi = arg  # type: ignore[misc]
            allowed.extend(chr(c) for c in range(lo, hi + 1))
        elif op is C.CATEGORY:
            allowed.extend(_CATEGORY.get(arg, _PRINTABLE))
    if negate:
        return "".join(c for c in _PRINTABLE if c not in allowed)
    return "".join(allowed)


def _walk(tree: object, rng: random.Random, out: list[str]) -> None:
    for op, arg in tree:  # type: ignore[attr-defined]
        if op is C.LITERAL:
            out.append(chr(arg))
        elif op is C.NOT_LITERAL or op is C.ANY:
            out.append(rng.choice(_PRINTABLE))
        elif op is C.IN:
            out.append(rng.choice(_chars(arg)))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = arg
            hi = min(hi, lo + 40) if hi is not C.MAXREPEAT else lo + 40
            for _ in range(rng.randint(lo, max(lo, hi))):
                _walk(sub, rng, out)
        elif op is C.SUBPATTERN:
            _walk(arg[-1], rng, out)
        elif op is C.BRANCH:
            _walk(rng.choice(arg[1]), rng, out)
        elif op is C.ATOMIC_GROUP:
            _walk(arg, rng, out)
        # AT, ASSERT, ASSERT_NOT, GROUPREF_EXISTS: zero-width or unused here


def sample(regex: str, rng: random.Random) -> str:
    """A random string ``regex`` matches (lookarounds are checked by the caller)."""
    out: list[str] = []
    _walk(_parser.parse(regex), rng, out)
    return "".join(out)


def format_sample(fmt: Format, rng: random.Random, attempts: int = 50) -> tuple[str, str]:
    """Return ``(text, value)``: a string holding one token of ``fmt`` and the token itself.

    Keyed rows get a realistic key name and join; prefixed rows are the bare token.
    """
    for _ in range(attempts):
        regex, tail = fmt.regex, ""
        if KEYED_ASSIGN in regex:
            join, tail = rng.choice(KEYED_JOINS)
            regex = regex.replace(KEYED_ASSIGN, re.escape(join))
        text = sample(regex, rng) + tail
        match = re.fullmatch(f"(?a){fmt.regex}", text[: len(text) - len(tail)])
        if match is None:
            continue
        group: str | int = "value" if "value" in match.re.groupindex else 0
        value = match.group(group)
        if len(set(value)) > 8 or len(value) < 20:
            return text, value
    raise ValueError(f"no sample for {fmt.name}")

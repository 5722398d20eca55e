"""Pure helpers shared by the secret detectors: entropy, checksums, decoding, shape filters.

Everything here works on one candidate string (never on a whole payload), returns plain values
and keeps no state. None of these functions log, raise on bad input or echo their argument.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections import Counter

BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

_HEX = re.compile(r"[0-9a-fA-F]+")
_DIGIT = re.compile(r"[0-9]")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
#: W3C ``traceparent`` (version-traceid-spanid-flags), key fingerprints (``1f:51:ae:…``) and
#: other hex ids joined by ``-``/``_``/``:``.
_HEX_COMPOSITE = re.compile(r"[0-9a-fA-F]{1,64}(?:[-_:][0-9a-fA-F]{1,64}){1,31}")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}://")
#: A path or module name segment: a number, or a name without inner capitals (``src``, ``Users``).
_PATH_SEGMENT = re.compile(r"[0-9]+|[A-Za-z_~$@][a-z0-9_~-]*(?:\.[a-z0-9]{1,5})?")
_CAPS_DIGITS = re.compile(r"[A-Z]{2}[0-9]|[0-9][A-Z]{2}")
_PIECES = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_ENGLISH_VOWELS = frozenset("aeiouyAEIOUY")
_WORD_PART = re.compile(r"[a-z]{2,}")
_WORD_SEPARATORS = re.compile(r"[-_.]")
#: How media and documents start once base64-encoded (PNG, JPEG, GIF, WebP/RIFF, PDF, ZIP, gzip).
_BASE64_MEDIA_PREFIXES = ("iVBORw0KGg", "/9j/", "R0lGOD", "UklGR", "JVBERi", "UEsDB", "H4sI")
#: Case-insensitive markers of documentation and test values.
_DUMMY_MARKERS = ("example", "xmpl", "sample", "dummy", "placeholder", "redacted", "xxxxxx")


#: Words before ``token`` naming a token that is no credential (pagination, tokenizers, usage).
TOKEN_STOPS = (
    "next", "page", "continuation", "pagination", "sync", "cursor", "max", "num", "total",
    "prompt", "completion", "input", "output", "reasoning", "cached", "bos", "eos", "pad", "unk",
    "sep", "cls", "mask", "stop", "special", "cancellation", "client", "request", "idempotency",
    "correlation", "trace", "change", "starting", "unit",
)  # fmt: skip
#: Words before ``key`` naming a key that is no credential (databases, caches, public keys).
KEY_STOPS = (
    "public", "pub", "publishable", "primary", "foreign", "sort", "partition", "cache",
    "idempotency", "dedup", "lookup", "routing", "shard", "row", "object", "hash", "range",
    "unique", "sequence", "translation",
)  # fmt: skip


def not_after(word: str, stops: tuple[str, ...]) -> str:
    """Lookbehinds rejecting ``word`` right after a stop word (``next_token``, ``publicKey``)."""
    return "".join(f"(?<!{w}.{word})(?<!{w}{word})" for w in stops)


def ascii_patterns(*patterns: str) -> tuple[str, ...]:
    """Give ``patterns`` ASCII semantics (``\\s``, ``\\w``, case folding), like the triggers'."""
    return tuple(f"(?a){pattern}" for pattern in patterns)


def shannon_entropy(value: str) -> float:
    """Return the Shannon entropy of ``value`` in bits per character (0.0 for "")."""
    if not value:
        return 0.0
    length = len(value)
    counts = Counter(value).values()
    # Each distinct count's term worked out once; summed in the same order as one term per
    # character class, so the result is the same float to the last bit.
    terms = {n: n / length * math.log2(n / length) for n in set(counts)}
    return -sum(map(terms.__getitem__, counts))


def base62_encode(number: int, width: int = 0) -> str:
    """Encode a non-negative integer in base62 (``0-9A-Za-z``), left-padded with ``0``."""
    digits: list[str] = []
    while number:
        number, rem = divmod(number, 62)
        digits.append(BASE62_ALPHABET[rem])
    return "".join(reversed(digits)).rjust(width, "0") or "0"


def crc32_base62(data: str) -> str:
    """Return the 6-character base62 CRC32 checksum GitHub and npm append to their tokens."""
    return base62_encode(binascii.crc32(data.encode("ascii", "replace")), 6)


def has_valid_crc32_suffix(body: str) -> bool:
    """Whether the last 6 characters of ``body`` are the base62 CRC32 of the rest.

    This is the checksum of GitHub (``ghp_`` and siblings) and npm (``npm_``) tokens: ``body`` is
    the token without its prefix, 30 random characters followed by the 6-character checksum.
    """
    if len(body) <= 6 or not body.isascii():
        return False
    return crc32_base62(body[:-6]) == body[-6:]


def b64decode_loose(value: str) -> bytes | None:
    """Decode standard or URL-safe base64 with or without padding; ``None`` when it is not."""
    value = value.rstrip("=")
    if len(value) % 4 == 1:
        return None
    padded = value + "=" * (-len(value) % 4)
    altchars = b"-_" if ("-" in value or "_" in value) else None
    try:
        return base64.b64decode(padded, altchars=altchars, validate=True)
    except (binascii.Error, ValueError):
        return None


def decode_json_object(segment: str) -> dict[str, object] | None:
    """Decode a base64url segment holding a JSON object (a JWT header or claims), else ``None``."""
    raw = b64decode_loose(segment)
    if raw is None or not raw.startswith(b"{"):
        return None
    try:
        obj = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        return None
    return obj if isinstance(obj, dict) else None


def is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID in its canonical 8-4-4-4-12 hex form."""
    return len(value) == 36 and _UUID.fullmatch(value) is not None


def is_hex(value: str) -> bool:
    """Whether ``value`` is made of hexadecimal digits only."""
    return _HEX.fullmatch(value) is not None


def is_hash_like(value: str) -> bool:
    """Whether ``value`` looks like a digest or a trace id rather than a secret.

    Pure hex of the lengths of md5/trace ids (32), sha1/git SHAs (40), sha256 (64) and span ids
    (16); UUIDs; W3C ``traceparent`` values and other hex ids joined by separators.
    """
    if is_hex(value):
        return len(value) in (16, 32, 40, 64, 128)
    return is_uuid(value) or _HEX_COMPOSITE.fullmatch(value) is not None


def _run_regex(length: int) -> re.Pattern[str]:
    """A regex finding ``length`` repeated characters, or an ascending/descending run of digits
    or letters of that length (``000000``, ``123456``, ``abcdef``, ``FEDCBA``)."""
    runs: list[str] = []
    for alphabet in ("0123456789", "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
        for i in range(len(alphabet) - length + 1):
            run = alphabet[i : i + length]
            runs += [run, run[::-1]]
    return re.compile(rf"(.)\1{{{length - 1}}}|" + "|".join(runs))


_SEQUENCE = _run_regex(6)


#: Byte tables moving each byte one up, and one down: ``raw[:-1].translate(_UP)`` equals
#: ``raw[1:]`` at each position where the next character's code point is one higher.
_UP = bytes((b + 1) % 256 for b in range(256))
_DOWN = bytes((b - 1) % 256 for b in range(256))
_FIVE_ZEROS = bytes(5)


def _maybe_sequence(raw: bytes) -> bool:
    """A necessary condition for :data:`_SEQUENCE` on ASCII ``raw``: five neighbouring pairs in a
    row whose code points are equal, each one higher, or each one lower.

    Pairs are compared all at once: the XOR of ``raw[1:]`` with ``raw[:-1]`` moved (or not) by
    one has a zero byte wherever a pair fits, and six characters of a run give five zeros in a
    row. Repeats of ``\n`` and runs across alphabets (``789:;<``) pass too: the regex decides.
    """
    head, tail = raw[:-1], raw[1:]
    size = len(tail)
    bits = int.from_bytes(tail, "big")
    for moved in (head, head.translate(_UP), head.translate(_DOWN)):
        if _FIVE_ZEROS in (bits ^ int.from_bytes(moved, "big")).to_bytes(size, "big"):
            return True
    return False


def has_sequence(value: str) -> bool:
    """Whether ``value`` holds 6 repeated characters or a 6-long ascending/descending run.

    ``"aaaaaa"``, ``"123456"``, ``"abcdef"`` and ``"76543210"`` are; random tokens almost never
    hold one (the check CredSweeper uses to tell dummy values from real ones). An ASCII value
    goes through :func:`_maybe_sequence` first: the regex tries its 95 branches at every
    position, and random tokens seldom give it anything to confirm.
    """
    if len(value) < 6:
        return False
    if value.isascii() and not _maybe_sequence(value.encode("ascii")):
        return False
    return _SEQUENCE.search(value) is not None


def looks_dummy(value: str, *, sequences: bool = True) -> bool:
    """Whether a token is a documentation or test dummy rather than a live credential.

    True when it holds a marker word (``EXAMPLE``, ``dummy``, ``xxxxxx``…), a chain of four or
    more lower-case words, or (with ``sequences``) a run of repeated/sequential characters
    (``123456``, ``abcdef``, ``000000``).
    """
    lowered = value.lower()
    for marker in _DUMMY_MARKERS:
        if marker in lowered:
            return True
    if sequences and has_sequence(value):
        return True
    # A chain of lower-case words (``not-the-key-you-are-looking-for``) is prose, not random data:
    # four words at least, so three separators.
    if value.count("-") + value.count("_") + value.count(".") < 3:
        return False
    words = [p for p in _WORD_SEPARATORS.split(value) if _WORD_PART.fullmatch(p)]
    return len(words) >= 4 and sum(any(c in _ENGLISH_VOWELS for c in w) for w in words) >= 4


def char_classes(value: str) -> int:
    """Count the character classes (lower, upper, digit, other) present in ``value``."""
    if value.isascii():
        # The same four tests on ASCII, each one pass in C: only a-z change with upper(), only
        # A-Z with lower(), only 0-9 are digits, and isalnum() is false when one character is.
        return (
            (value.upper() != value)
            + (value.lower() != value)
            + (_DIGIT.search(value) is not None)
            + (value != "" and not value.isalnum())
        )
    return (
        any(c.islower() for c in value)
        + any(c.isupper() for c in value)
        + any(c.isdigit() for c in value)
        + any(not c.isalnum() for c in value)
    )


def is_wordy(value: str) -> bool:
    """Whether ``value`` reads as words or an identifier rather than random characters.

    Splits on separators, case changes and digit runs; identifiers (``get_user_password``,
    ``maxTokens``, ``claude-3-5-sonnet-20241022``, ``attached_file_0``) are made of few, long,
    vowel-bearing pieces, while random tokens break into many short ones.
    """
    if _CAPS_DIGITS.search(value):
        return False  # "G5UFABF0DAQ": capitals glued to digits are random, not an UPPER_NAME
    pieces = _PIECES.findall(value)
    alpha = [p for p in pieces if p.isalpha()]
    if not alpha:
        return False
    letters = sum(len(p) for p in alpha)
    if letters / len(alpha) < 3.0:
        return False
    # Single upper-case letters glued to digits are the mark of random tokens.
    if sum(len(p) <= 2 for p in alpha) > max(1, len(alpha) // 3):
        return False
    vowels = sum(c in _ENGLISH_VOWELS for p in alpha for c in p)
    return vowels / letters >= 0.25


def is_base64_media(value: str) -> bool:
    """Whether ``value`` starts like a base64-encoded image, PDF or archive."""
    return value.startswith(_BASE64_MEDIA_PREFIXES)


def is_path_like(value: str) -> bool:
    """Whether ``value`` is a file path, URL path or dotted module name rather than a token."""
    value = value.rstrip("/\\.")
    if value.startswith(("/", "./", "../", "~/", "\\\\")) or _URL.match(value):
        return True
    if len(value) > 2 and value[1] == ":" and value[2] in "\\/":
        return True  # C:\ or C:/
    for sep in ("/", "\\", "."):
        parts = value.split(sep)
        if len(parts) >= 2 and all(_PATH_SEGMENT.fullmatch(p) or is_wordy(p) for p in parts):
            return True
    return False


#: Values that stand for a credential rather than being one (compared case-insensitively).
PLACEHOLDER_WORDS = frozenset(
    {
        "none", "null", "nil", "undefined", "true", "false", "yes", "no", "n/a", "na", "empty",
        "unset", "default", "changeme", "change_me", "change-me", "changeit", "password",
        "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "api-key", "key",
        "redacted", "hidden", "masked", "removed", "omitted", "censored", "example", "sample",
        "test", "testing", "dummy", "fake", "placeholder", "required", "optional", "string",
        "str", "text", "value", "bearer", "basic", "xxx", "todo", "tbd", "fixme", "secret123",
        "password123", "mypassword", "yourpassword", "mysecret", "notasecret", "not-a-secret",
    }
)  # fmt: skip
_TEMPLATE = re.compile(
    r"""
    ^\$\{?[A-Za-z_][A-Za-z0-9_.]*\}?$     # $VAR ${VAR}
    | \$\{ | \{\{ | \{% | <%              # ${VAR:-x}, {{ var }}, {% tag %}, <%= erb %>
    | %\([A-Za-z_][A-Za-z0-9_]*\)[sdr]    # %(name)s
    | %[sdr](?![A-Za-z0-9]) | ^%[A-Za-z_][A-Za-z0-9_]*%$  # %s, '%s:%s', %VAR%
    | ^<[^<>]*>$ | ^\[[^\[\]]*\]$         # <your-key>, [REDACTED]
    | ^@[A-Za-z_]+@$ | ^\#\{.*\}$          # @VAR@, #{ruby}
    | ^\{[A-Za-z0-9_]*\}$                  # {0}, {password}
    | \{[A-Za-z_][A-Za-z0-9_.\[\]:'"]*\}    # f"Fn::{tag[1:]}", "{user.token}"
    | \{[0-9]*(?::[^{}]*)?\}                # "{}", "{0}", "{:0.1f}"
    | (?:^|_)\#[A-Za-z_]+\#(?:$|_)          # "__cb_#name#", not "Cjh#SI#W6"
    | ^(?:your|my|insert|enter|replace|put)[-_ ]?(?:own[-_ ]?)?[a-z]*[-_ ]?
      (?:key|token|secret|pass|password|here)s?$
    | [-_]here$
    | \*{3,} | \u2022{3,} | (?i:x{4,})    # masked ****, ••••, xxxx
    | \.\.\. | \u2026                      # elided in documentation: eyJ2IjoiMSIs...
    """,
    re.VERBOSE | re.IGNORECASE,
)


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is an empty, templated, masked or stand-in credential.

    ``None``/``null``/``""``, template references (``${VAR}``, ``{{ var }}``, ``%(x)s``, ``$VAR``,
    ``<your-key>``), masks (``****``, ``xxxx``) and stand-in words (``changeme``, ``redacted``,
    ``your_api_key_here``) are not secrets; detectors report nothing for them.
    """
    stripped = value.strip().strip("\"'`")
    if not stripped or stripped.casefold() in PLACEHOLDER_WORDS:
        return True
    if len(set(stripped)) == 1:
        return True
    if stripped.isascii() and not _may_be_template(stripped):
        return False
    return _TEMPLATE.search(stripped) is not None


#: A character one of which every match of :data:`_TEMPLATE` holds, bar the ``...``, ``xxxx``,
#: ``here`` and ``your…``/``my…`` branches (checked apart) and ``•``/``…`` (not ASCII).
_TEMPLATE_CHARS = frozenset("${%<[@#*")
_TEMPLATE_OPENERS = ("your", "my", "insert", "enter", "replace", "put")


def _may_be_template(value: str) -> bool:
    """A necessary condition for :data:`_TEMPLATE` on an ASCII ``value``, in a few C passes:
    the regex tries its branches at every position. On ASCII, ``lower()`` is exactly the
    regex's case folding (U+017F, U+212A and U+0131 would fold otherwise: those values take the
    regex)."""
    if not _TEMPLATE_CHARS.isdisjoint(value) or "..." in value:
        return True
    lowered = value.lower()
    return "xxxx" in lowered or "here" in lowered or lowered.startswith(_TEMPLATE_OPENERS)


_NAME_CHAIN = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*(?:[.:][A-Za-z_$][A-Za-z0-9_$]*)*")
_UPPER_SNAKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_SNAKE = re.compile(r"[a-z_$][a-z0-9_$]*_[a-z0-9_$]*")
_LOWER_RUN = re.compile(r"[a-z]{3,}")
#: camelCase/PascalCase of two humps or more: ``ApiKeyId``, ``getUserToken``.
_CAMEL = re.compile(r"(?:[a-z]+|[A-Z][a-z]+)(?:[A-Z][a-z]+)+[A-Z]?")


def is_code_name(value: str) -> bool:
    """Whether ``value`` reads as a name in code rather than a literal.

    Attribute chains and namespaced names (``settings.DB_PASSWORD``, ``ec2:InstanceID``),
    constants (``OPENAI_API_KEY``), snake_case variables (``crt_s3_creds``), camelCase names
    (``ApiKeyId``) and other names whose letters sit mostly in lower-case runs of three or more
    (``PKCS12PrivateKeyTypes``), where random tokens break them up.
    """
    if _NAME_CHAIN.fullmatch(value) is None:
        return False
    if "." in value or ":" in value or _UPPER_SNAKE.fullmatch(value) or _SNAKE.fullmatch(value):
        return True
    if _CAMEL.fullmatch(value):
        return True
    letters = sum(map(str.isalpha, value))
    in_runs = sum(len(run) for run in _LOWER_RUN.findall(value))
    return (letters > 0 and in_runs / letters >= 0.5) or is_wordy(value)


_RESOURCE_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*-[0-9a-f]{8,32}")
_FILE_EXTENSION = re.compile(r"[^.]+(?:\.[^.]+)*\.[a-z]{2,4}")
_PART_SEPARATORS = re.compile(r"[-_./:]+")
_PART_CHARS = frozenset("-_./:")


def is_name_like(value: str) -> bool:
    """Whether ``value`` is an identifier built of names rather than a random token.

    ARNs, cloud resource ids (``vpc-0a1b2c3d4e5f60718``, ``ipam-scope-02fc38cd4c48e7d38``),
    file names (``export-i-fh8sjjsq.ova``), chains of lower-case words (``x-goog-api-key``,
    ``failed-to-connect-to-db``) and composites holding a long word
    (``867139942017-EntitiesDetection-ab98…``).
    """
    if _PART_CHARS.isdisjoint(value):
        return False  # one part: no resource id, file name or chain (all hold a separator)
    if value.startswith("arn:") or ("-" in value and _RESOURCE_ID.fullmatch(value)):
        return True
    if "." in value and _FILE_EXTENSION.fullmatch(value):
        return True
    parts = [p for p in _PART_SEPARATORS.split(value) if p]
    if len(parts) < 2:
        return False
    if len(parts) <= 5 and any(len(p) >= 8 and p.isalpha() and is_wordy(p) for p in parts):
        return True
    if all(p.isalpha() and p.islower() and len(p) >= 3 for p in parts):
        return True  # known-fresh, not-a-token
    lower_words = sum(len(p) for p in parts if p.isalpha() and p.islower())
    return len(parts) >= 3 and lower_words >= 0.7 * sum(len(p) for p in parts)


_WORD_BEFORE = re.compile(r"([A-Za-z0-9_.-]{1,80})[\s\"'`\\]*\Z")
#: :data:`_WORD_BEFORE` read backwards, for :func:`word_before_blank`.
_WORD_BEFORE_REVERSED = re.compile(r"[\s\"'`\\]*([A-Za-z0-9_.-]{1,80})")


def word_before_blank(text: str, start: int) -> str | None:
    """The word before ``text[start:]`` when blanks (and quotes) alone separate them, else
    ``None``: ``password is hunter2`` gives ``"is"``, ``--password hunter2`` gives
    ``"--password"``, ``password = hunter2`` gives ``None``.
    """
    i = start - 1
    while i >= 0 and text[i] in "\"'`\\":
        i -= 1
    if i < 0 or not text[i].isspace():
        return None
    # _WORD_BEFORE searched forward from i - 96 tried every start, each running through its
    # word and back. Its match ends where the blanks and quotes ending at i begin (none of them
    # is a word character) and starts as far back as the word goes, 80 characters at most, not
    # before i - 96: one match of the mirror pattern on the window reversed.
    found = _WORD_BEFORE_REVERSED.match(text[max(0, i - 96) : i + 1][::-1])
    return found.group(1)[::-1] if found else None

"""Seeded generator of realistic LLM trace payloads, with planted sensitive values and decoys.

Four payload kinds, modelled on the payloads captured from the real SDKs in the shared samples:

* ``chat_body``: an OpenAI chat-completions request body (messages, tool calls with JSON-string
  arguments, tool schemas, metadata);
* ``langsmith_run``: a LangSmith run dict as the SDK posts it (inputs, outputs, ``extra.metadata``
  copied from the parent, runtime, events, sometimes an ``error`` traceback);
* ``otlp_request``: an OTLP/JSON ``ExportTraceServiceRequest`` with OpenInference
  (``input.value`` as a JSON string, flattened ``llm.input_messages.N.message.content``), OTel
  GenAI (``gen_ai.input.messages`` as a JSON string) and Langfuse attributes (JSON-encoded
  metadata strings), events and an exception stack trace;
* ``litellm_payload``: a LiteLLM ``StandardLoggingPayload`` (messages, response, metadata with
  the requester's IP, hidden params, error information).

Free text is English made of Faker sentences; about a third of free-text strings carry personal
data (names, addresses, emails, phones, cards, SSNs, IBANs, IPs, MACs, wallets) or secrets
(provider keys, JWTs, PEM keys, passwords in URLs and configs), code snippets carry keys, and
every payload carries decoys that a masker must leave alone: UUIDs, trace/span ids, response
and tool-call ids, git SHAs, digests, timestamps, versions, order and invoice numbers, amounts,
Title Case phrases.

Every payload comes with the list of what was planted and which decoys it holds, each with the
paths of the strings holding it. A path is a tuple of keys and indices; :data:`DECODE` in a path
means "decode this string as JSON and continue inside". Values are generated, never copied from
any dataset; cards pass Luhn, IBANs mod-97, SSNs the SSA rules, phone numbers libphonenumber,
GitHub tokens their CRC32, wallets Base58Check.

Needs the ``bench`` extra (Faker). Determinism: the same seed and the same Faker version give
the same corpus.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import datetime
import hashlib
import itertools
import json
import math
import random
import string
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from faker import Faker

#: Path segment meaning: the string here holds JSON; decode it and continue inside.
DECODE = "$json"

PathSeg = str | int
Path = tuple[PathSeg, ...]

KINDS = ("chat_body", "langsmith_run", "otlp_request", "litellm_payload")

#: Segment of a path meaning: the string here is base64 of text; decode it and continue inside.
DECODE_B64 = "$base64"

#: Planted values real traffic carries that validator-first detectors miss, each reported
#: as its own row (issue 12): values under telling keys whose checksum fails, national phone
#: formats of many locales, passwords people choose written in code and config, values split
#: across stored stream chunks, values next to CJK text, values inside base64.
HARD_CASES = (
    "bad_checksum_keyed",
    "national_phone",
    "password_in_code",
    "stream_chunks",
    "cjk_text",
    "base64",
)
#: Faker locales whose phone formats are planted (national formats, as people type them).
PHONE_LOCALES = (
    "en_GB", "de_DE", "fr_FR", "it_IT", "es_ES", "nl_NL", "pl_PL", "pt_BR", "pt_PT", "sv_SE",
    "da_DK", "fi_FI", "cs_CZ", "hu_HU", "ro_RO", "el_GR", "tr_TR", "en_IN", "en_AU", "ja_JP",
    "zh_CN", "ko_KR", "es_MX", "fr_CA", "de_AT", "de_CH", "no_NO", "uk_UA", "ru_RU", "he_IL",
    "en_IE", "sk_SK", "hr_HR", "bg_BG", "lv_LV", "lt_LT", "et_EE", "en_US",
)  # fmt: skip

#: Categories of planted values. ``names`` (PERSON, LOCATION) are realistic but covered by
#: another issue; leak rates are reported with and without them.
CATEGORY_PII = "pii"
CATEGORY_SECRET = "secret"
CATEGORY_NAMES = "names"
CATEGORIES = (CATEGORY_PII, CATEGORY_SECRET, CATEGORY_NAMES)

#: Smallest payload (compact JSON) each kind can take.
_MIN_SIZE = {"chat_body": 120, "langsmith_run": 500, "otlp_request": 1400, "litellm_payload": 900}

#: Timestamps fall in the two years from here (fixed: the corpus must not depend on the clock).
_EPOCH = datetime.datetime(2024, 7, 1, tzinfo=datetime.timezone.utc)

_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_ALNUM = string.ascii_letters + string.digits
_B64 = string.ascii_letters + string.digits + "+/"
_URLSAFE = string.ascii_letters + string.digits + "-_"
_HEX = "0123456789abcdef"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


@dataclass(frozen=True)
class Plant:
    """A value placed in a payload: sensitive (to be masked) or a decoy (to be kept).

    Args:
        value: the exact text placed.
        entity: what it is (``EMAIL_ADDRESS``, ``API_KEY``, ``PERSON``…; for decoys the decoy
            kind: ``uuid``, ``timestamp``, ``order_number``…).
        category: ``pii``, ``secret`` or ``names`` for planted values, ``decoy`` for decoys.
        paths: where it sits: every string of the payload that holds it.
        case: the hard case it stands for (see :data:`HARD_CASES`), ``standard`` otherwise.
        joined: the value is split across the strings at ``paths`` (stream chunks, in order):
            it has leaked when it can be read in them joined.
    """

    value: str
    entity: str
    category: str
    paths: tuple[Path, ...]
    case: str = "standard"
    joined: bool = False


@dataclass(frozen=True)
class Payload:
    """One generated payload and what it holds."""

    kind: str
    obj: Any
    size: int
    plants: tuple[Plant, ...]
    decoys: tuple[Plant, ...]


def compact_size(obj: Any) -> int:
    """Size in bytes of ``obj`` as compact JSON (UTF-8, no spaces): the unit of every MB/s."""
    return len(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def _dumps(obj: Any) -> str:
    """JSON-string attribute/argument encoding, as the SDKs write it (``json.dumps`` defaults)."""
    return json.dumps(obj)


# -- paths -----------------------------------------------------------------------------------


def leaves(obj: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Yield ``(path, string)`` for every string in ``obj``; strings holding JSON are decoded
    and their strings yielded instead, with :data:`DECODE` in the path."""
    if isinstance(obj, str):
        decoded = _decode_json(obj)
        if decoded is not None:
            yield from leaves(decoded, (*path, DECODE))
            return
        text = _decode_base64(obj)
        if text is not None:
            yield from leaves(text, (*path, DECODE_B64))
        else:
            yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, (*path, k))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from leaves(v, (*path, i))


def _decode_json(text: str) -> Any:
    head = text.lstrip()[:1]
    if head not in ("{", "[", '"'):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, (dict, list, str)) else None


def _decode_base64(text: str) -> str | None:
    """The JSON text ``text`` holds as base64 (the generator plants padded, standard base64 of
    JSON objects), or ``None``."""
    if len(text) < 16 or len(text) % 4 or not text.startswith("ey"):
        return None
    try:
        decoded = base64.b64decode(text, validate=True).decode("utf-8")
    except ValueError:
        return None
    return decoded if decoded.startswith("{") else None


_GONE: Any = object()


def _child(cur: Any, seg: PathSeg) -> Any:
    """``cur[seg]`` for a dict key or list index that exists, else :data:`_GONE`."""
    if isinstance(cur, dict):
        return cur.get(seg, _GONE)
    if isinstance(cur, list) and isinstance(seg, int) and 0 <= seg < len(cur):
        return cur[seg]
    return _GONE


def resolve(obj: Any, path: Path, memo: dict[Path, Any] | None = None) -> str | None:
    """The string at ``path`` in ``obj``.

    When the path cannot be followed to its end (a string no longer decodes as JSON, a key is
    gone), the last string reached is returned, so that a value can still be looked for in it;
    ``None`` when no string is reached at all (the field was dropped). ``memo`` keeps decoded
    JSON strings between calls on the same ``obj``.
    """
    cur = obj
    last: str | None = None
    for i, seg in enumerate(path):
        if seg == DECODE_B64:
            if not isinstance(cur, str):
                return last
            last = cur
            text = _decode_base64(cur)
            if text is None:
                return cur
            cur = text
        elif seg == DECODE:
            if not isinstance(cur, str):
                return last
            last = cur
            if memo is None:
                decoded = _decode_json(cur)
            else:
                decoded = memo.get(path[:i], _GONE)
                if decoded is _GONE:
                    decoded = memo[path[:i]] = _decode_json(cur)
            if decoded is None:
                return cur
            cur = decoded
        else:
            cur = _child(cur, seg)
            if cur is _GONE:
                return last
    return cur if isinstance(cur, str) else last


# -- value factories -------------------------------------------------------------------------


def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def _b62(number: int, width: int) -> str:
    out = ""
    while number:
        number, rem = divmod(number, 62)
        out = _B62[rem] + out
    return out.rjust(width, "0")


def _b58encode(raw: bytes) -> str:
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, rem = divmod(n, 58)
        out = _B58[rem] + out
    pad = len(raw) - len(raw.lstrip(b"\0"))
    return "1" * pad + out


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


_IBAN_SHAPES: dict[str, tuple[tuple[str, int], ...]] = {
    # country: (alphabet, count) parts of the BBAN
    "DE": (("d", 18),),
    "GB": (("A", 4), ("d", 14)),
    "FR": (("d", 23),),
    "NL": (("A", 4), ("d", 10)),
    "ES": (("d", 20),),
    "IT": (("A", 1), ("d", 22)),
    "CH": (("d", 17),),
}

_NON_US_REGIONS = ("GB", "DE", "FR", "IN", "AU", "CA", "BR", "ES", "NL", "IE", "MX")

_PASSWORD_WORDS = (
    "summer", "winter", "autumn", "falcon", "orange", "coffee", "dragon", "silver", "rocket",
    "monkey", "shadow", "harbor", "maple", "tiger", "violet", "cobalt", "sunset", "pepper",
)  # fmt: skip

_MODELS = (
    "gpt-4o-mini", "gpt-4o-2024-08-06", "gpt-4.1", "claude-3-5-sonnet-20241022",
    "claude-sonnet-4-20250514", "gemini-1.5-pro", "llama-3.1-70b-instruct", "o3-mini",
)  # fmt: skip

_TOOLS = (
    "lookup_customer", "search_orders", "update_card", "send_email", "run_sql",
    "get_weather", "create_ticket", "search_docs",
)  # fmt: skip


class TraceGenerator:
    """Makes payloads from a seed. One generator yields one deterministic sequence.

    Args:
        seed: the seed of every random choice (Python ``random`` and Faker).
        locale: Faker locale of names, addresses and prose.

    Raises:
        ImportError: Faker is not installed (``pip install 'tracemask[bench]'``).
    """

    def __init__(self, seed: int = 0, locale: str = "en_US") -> None:
        try:
            from faker import Faker  # noqa: PLC0415 - optional: the bench extra
        except ImportError as exc:
            raise ImportError(
                "the payload generator needs Faker: pip install 'tracemask[bench]'"
            ) from exc
        self.seed = seed
        self.rng = random.Random(seed)
        self.fake: Faker = Faker(locale)
        self.fake.seed_instance(seed)
        # A deployment reuses its system prompts and tool schemas across traces.
        self._system_prompts = [self._system_prompt() for _ in range(6)]
        self._plants: dict[str, tuple[str, str, str]] = {}
        self._decoys: dict[str, str] = {}
        #: Values split across stream chunks: (value, entity, category, chunk paths).
        self._joined: list[tuple[str, str, str, tuple[Path, ...]]] = []
        self._fakers: dict[str, Faker] = {}

    # -- corpus ------------------------------------------------------------------------------

    def corpus(self, n: int, min_size: int = 200, max_size: int = 50_000) -> list[Payload]:
        """``n`` payloads of random kinds, target sizes log-uniform in ``[min_size, max_size]``."""
        out = []
        for _ in range(n):
            target = int(math.exp(self.rng.uniform(math.log(min_size), math.log(max_size))))
            kinds = [k for k in KINDS if _MIN_SIZE[k] <= target] or ["chat_body"]
            out.append(self.payload(self.rng.choice(kinds), target))
        return out

    def payload(self, kind: str, target: int, *, track: bool = True) -> Payload:
        """One payload of ``kind`` of about ``target`` bytes of compact JSON.

        With ``track=False`` the plants and decoys are not located (for multi-megabyte
        payloads, where only speed is measured).
        """
        if kind not in KINDS:
            raise ValueError(f"unknown payload kind {kind!r}; expected one of {', '.join(KINDS)}")
        self._plants = {}
        self._decoys = {}
        self._joined = []
        render = getattr(self, f"_render_{kind}")
        convo = _Conversation(system=None)
        if target >= 1500:
            convo.system = self.rng.choice(self._system_prompts)
        convo.turns.append(self._user_turn(short=target < 600))
        obj = render(convo)
        size = compact_size(obj)
        exchanges = 1
        while size < target:
            # Grow by whole exchanges (a user turn, tool calls, an answer): estimate how many
            # are missing from the bytes per exchange so far, and add half of that, so that the
            # size approaches the target from below in a few renders.
            per_exchange = max(200, size // exchanges)
            missing = max(1, int(0.5 * (target - size) / per_exchange))
            for _ in range(missing):
                self._add_exchange(convo, short=target < 600)
            exchanges += missing
            obj = render(convo)
            size = compact_size(obj)
        plants: tuple[Plant, ...] = ()
        decoys: tuple[Plant, ...] = ()
        if track:
            plants, decoys = self._locate(obj)
        return Payload(kind, obj, size, plants, decoys)

    def long_text(self, target: int) -> str:
        """One string of about ``target`` characters: a long document with PII and decoys."""
        self._plants = {}
        self._decoys = {}
        parts: list[str] = []
        size = 0
        while size < target:
            part = self._free_text(sentences=self.rng.randint(4, 12))
            parts.append(part)
            size += len(part) + 2
        return "\n\n".join(parts)

    # -- locating ----------------------------------------------------------------------------

    def _locate(self, obj: Any) -> tuple[tuple[Plant, ...], tuple[Plant, ...]]:
        strings = list(leaves(obj))
        texts = [s for _, s in strings]
        # One search per value over all strings joined (NUL never occurs in a value).
        blob = "\0".join(texts)
        starts = []
        pos = 0
        for t in texts:
            starts.append(pos)
            pos += len(t) + 1

        def holders(value: str) -> list[int]:
            found: list[int] = []
            i = blob.find(value)
            while i >= 0:
                k = bisect.bisect_right(starts, i) - 1
                if i + len(value) <= starts[k] + len(texts[k]) and (not found or found[-1] != k):
                    found.append(k)
                i = blob.find(value, i + 1)
            return found

        plants = []
        for value, (entity, category, case) in self._plants.items():
            paths = tuple(strings[k][0] for k in holders(value))
            if paths:
                plants.append(Plant(value, entity, category, paths, case))
        for value, entity, category, chunk_paths in self._joined:
            plants.append(Plant(value, entity, category, chunk_paths, "stream_chunks", True))
        decoys = []
        for value, kind in self._decoys.items():
            paths = tuple(
                strings[k][0] for k in holders(value) if self._decoy_free(value, texts[k])
            )
            if paths:
                decoys.append(Plant(value, kind, "decoy", paths))
        return tuple(plants), tuple(decoys)

    def _decoy_free(self, value: str, text: str) -> bool:
        """Whether ``value`` occurs in ``text`` at least once outside every planted value (a
        version "1.4.2" inside the address "211.4.2.9" is not a decoy occurrence)."""
        start = text.find(value)
        if start < 0:
            return False
        covered: list[tuple[int, int]] = []
        for planted in self._plants:
            i = text.find(planted)
            while i >= 0:
                covered.append((i, i + len(planted)))
                i = text.find(planted, i + 1)
        while start >= 0:
            end = start + len(value)
            if not any(s < end and start < e for s, e in covered):
                return True
            start = text.find(value, start + 1)
        return False

    def _plant(self, value: str, entity: str, category: str, case: str = "standard") -> str:
        self._plants.setdefault(value, (entity, category, case))
        return value

    def _hard(self, value: str, case: str) -> str:
        """Mark an already planted ``value`` as standing for hard case ``case``."""
        entity, category, _ = self._plants[value]
        self._plants[value] = (entity, category, case)
        return value

    def _decoy(self, value: str, kind: str) -> str:
        if value not in self._plants:
            self._decoys.setdefault(value, kind)
        return value

    # -- random helpers ----------------------------------------------------------------------

    def _chars(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def _random_token(self, alphabet: str, n: int) -> str:
        """Random characters with at least one digit, one upper and one lower case letter when
        the alphabet has them (real tokens do; it keeps entropy checks honest)."""
        while True:
            tok = self._chars(alphabet, n)
            if (any(c.isdigit() for c in tok) or not any(c.isdigit() for c in alphabet)) and (
                any(c.isupper() for c in tok) or not any(c.isupper() for c in alphabet)
            ):
                return tok

    def _weighted(self, table: tuple[tuple[Callable[[], str], int], ...]) -> str:
        funcs, weights = zip(*table, strict=True)
        chosen: Callable[[], str] = self.rng.choices(funcs, weights=weights)[0]
        return chosen()

    # -- structured PII ----------------------------------------------------------------------

    def email(self) -> str:
        f = self.fake
        first, last = f.first_name().lower(), f.last_name().lower()
        local = self.rng.choice(
            [f"{first}.{last}", f"{first[0]}{last}", f"{first}{self.rng.randint(1, 99)}", first]
        )
        domain = self.rng.choice(
            ["gmail.com", "yahoo.com", "outlook.com", "icloud.com", "proton.me", f.domain_name()]
        )
        return self._plant(f"{local}@{domain}", "EMAIL_ADDRESS", CATEGORY_PII)

    def phone(self) -> str:
        import phonenumbers  # noqa: PLC0415 - a core dependency; only this factory needs it

        fmt = phonenumbers.PhoneNumberFormat
        r = self.rng.random()
        if r < 0.7:
            while True:
                digits = (
                    f"{self.rng.randint(201, 989)}{self.rng.randint(200, 999)}"
                    f"{self.rng.randint(0, 9999):04d}"
                )
                num = phonenumbers.parse("+1" + digits)
                if phonenumbers.is_valid_number(num):
                    break
            a, b, c = digits[:3], digits[3:6], digits[6:]
            value = self.rng.choice(
                [
                    f"({a}) {b}-{c}",
                    f"{a}-{b}-{c}",
                    f"{a}.{b}.{c}",
                    f"+1 {a}-{b}-{c}",
                    f"+1 ({a}) {b}-{c}",
                    f"+1{digits}",
                    f"1-{a}-{b}-{c}",
                ]
            )
        else:
            region = self.rng.choice(_NON_US_REGIONS)
            kind = phonenumbers.PhoneNumberType
            example = phonenumbers.example_number_for_type(
                region, self.rng.choice([kind.MOBILE, kind.MOBILE, kind.FIXED_LINE])
            ) or phonenumbers.example_number(region)
            assert example is not None
            nsn = str(example.national_number)
            for _ in range(50):
                keep = max(2, len(nsn) - 6)
                cand = nsn[:keep] + "".join(
                    self.rng.choice(string.digits) for _ in range(len(nsn) - keep)
                )
                num = phonenumbers.parse(f"+{example.country_code}{cand}")
                if phonenumbers.is_valid_number(num):
                    break
            else:
                num = example
            style = fmt.NATIONAL if r > 0.95 else self.rng.choice([fmt.INTERNATIONAL, fmt.E164])
            value = phonenumbers.format_number(num, style)
        return self._plant(value, "PHONE_NUMBER", CATEGORY_PII)

    def card(self) -> str:
        brand = self.rng.choices(["visa", "mc", "amex", "discover"], weights=[5, 3, 1, 1])[0]
        if brand == "amex":
            body = self.rng.choice(["34", "37"]) + self._chars(string.digits, 12)
            number = _luhn_complete(body)
            groups = [number[:4], number[4:10], number[10:]]
        else:
            prefix = {
                "visa": "4",
                "mc": str(self.rng.choice([51, 52, 53, 54, 55, 2221, 2720])),
                "discover": "6011",
            }[brand]
            number = _luhn_complete(prefix + self._chars(string.digits, 15 - len(prefix)))
            groups = [number[i : i + 4] for i in range(0, 16, 4)]
        sep = self.rng.choices([" ", "-", ""], weights=[5, 2, 3])[0]
        return self._plant(sep.join(groups), "CREDIT_CARD", CATEGORY_PII)

    def ssn(self) -> str:
        while True:
            area = self.rng.choice([a for a in range(1, 900) if a != 666])
            group, serial = self.rng.randint(1, 99), self.rng.randint(1, 9999)
            digits = f"{area:03d}{group:02d}{serial:04d}"
            # Never one of the SSA's voided advertising numbers or a run of one digit.
            if digits not in ("078051120", "219099999", "123456789") and len(set(digits)) > 1:
                break
        sep = self.rng.choices(["-", " "], weights=[9, 1])[0]
        return self._plant(f"{area:03d}{sep}{group:02d}{sep}{serial:04d}", "US_SSN", CATEGORY_PII)

    def iban(self) -> str:
        country = self.rng.choice(list(_IBAN_SHAPES))
        bban = "".join(
            self._chars(string.ascii_uppercase if kind == "A" else string.digits, n)
            for kind, n in _IBAN_SHAPES[country]
        )
        numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
        compact = f"{country}{98 - int(numeric) % 97:02d}{bban}"
        if self.rng.random() < 0.5:
            compact = " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
        return self._plant(compact, "IBAN_CODE", CATEGORY_PII)

    def ipv4(self) -> str:
        return self._plant(self.fake.ipv4_public(), "IP_ADDRESS", CATEGORY_PII)

    def ipv6(self) -> str:
        import ipaddress  # noqa: PLC0415

        # A /32-ish provider prefix, a subnet, then a random 64-bit interface id (SLAAC or
        # privacy address): zero groups, when any, sit in the routing prefix.
        head = self.rng.choice([0x2001, 0x2A00, 0x2A02, 0x2600, 0x2603, 0x2409, 0x2804])
        groups = [head, self.rng.randint(0x100, 0xFFFF)]
        groups += [self.rng.choice([0, self.rng.randint(0, 0xFFFF)]) for _ in range(2)]
        groups += [self.rng.randint(0x1, 0xFFFF) for _ in range(4)]
        addr = ipaddress.IPv6Address(":".join(f"{g:x}" for g in groups))
        return self._plant(addr.compressed, "IP_ADDRESS", CATEGORY_PII)

    def mac(self) -> str:
        octets = [self.rng.randint(0, 255) for _ in range(6)]
        octets[0] &= 0xFE  # unicast
        sep = self.rng.choice([":", "-"])
        text = sep.join(f"{o:02x}" for o in octets)
        return self._plant(
            text.upper() if self.rng.random() < 0.3 else text, "MAC_ADDRESS", CATEGORY_PII
        )

    def wallet(self) -> str:
        if self.rng.random() < 0.6:
            payload = bytes([self.rng.choice([0x00, 0x05])]) + self.rng.randbytes(20)
            check = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
            value = _b58encode(payload + check)
        else:
            value = "0x" + self._chars(_HEX, 40)
        return self._plant(value, "CRYPTO", CATEGORY_PII)

    def person(self) -> str:
        return self._plant(self.fake.name(), "PERSON", CATEGORY_NAMES)

    def address(self) -> str:
        f = self.fake
        value = f"{f.street_address()}, {f.city()}, {f.state_abbr()} {f.zipcode()}"
        return self._plant(value, "LOCATION", CATEGORY_NAMES)

    # -- secrets -----------------------------------------------------------------------------

    def openai_key(self) -> str:
        kind = self.rng.choice(["proj", "proj", "svcacct"])
        body = self._random_token(_URLSAFE, self.rng.choice([48, 74, 156]))
        return self._plant(f"sk-{kind}-{body}", "API_KEY", CATEGORY_SECRET)

    def anthropic_key(self) -> str:
        body = self._random_token(_URLSAFE, 93)
        return self._plant(f"sk-ant-api03-{body}AA", "API_KEY", CATEGORY_SECRET)

    def aws_key_id(self) -> str:
        body = self._random_token(string.ascii_uppercase + "234567", 16)
        return self._plant("AKIA" + body, "API_KEY", CATEGORY_SECRET)

    def aws_secret(self) -> str:
        return self._plant(self._random_token(_B64, 40), "API_KEY", CATEGORY_SECRET)

    def github_token(self) -> str:
        body = self._random_token(_ALNUM, 30)
        crc = _b62(binascii.crc32(body.encode("ascii")), 6)
        return self._plant(f"ghp_{body}{crc}", "API_KEY", CATEGORY_SECRET)

    def stripe_key(self) -> str:
        mode = self.rng.choice(["live", "test"])
        body = self._random_token(_ALNUM, self.rng.choice([24, 99]))
        return self._plant(f"sk_{mode}_{body}", "API_KEY", CATEGORY_SECRET)

    def slack_token(self) -> str:
        value = (
            f"xoxb-{self.rng.randint(10**11, 10**12 - 1)}-{self.rng.randint(10**12, 10**13 - 1)}"
            f"-{self._random_token(_ALNUM, 24)}"
        )
        return self._plant(value, "API_KEY", CATEGORY_SECRET)

    def google_key(self) -> str:
        return self._plant("AIza" + self._random_token(_URLSAFE, 35), "API_KEY", CATEGORY_SECRET)

    def hf_token(self) -> str:
        return self._plant(
            "hf_" + self._chars(string.ascii_letters, 34), "API_KEY", CATEGORY_SECRET
        )

    def sendgrid_key(self) -> str:
        value = f"SG.{self._random_token(_URLSAFE, 22)}.{self._random_token(_URLSAFE, 43)}"
        return self._plant(value, "API_KEY", CATEGORY_SECRET)

    def jwt(self) -> str:
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        iat = self.rng.randint(1_700_000_000, 1_770_000_000)
        claims = {
            "sub": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "email": self.fake.email(),
            "iat": iat,
            "exp": iat + 3600,
        }
        sig = _b64url(self.rng.randbytes(32))
        return self._plant(
            f"{header}.{_b64url(json.dumps(claims).encode())}.{sig}", "API_KEY", CATEGORY_SECRET
        )

    def bearer_token(self) -> str:
        return self._plant(
            self._random_token(_URLSAFE, self.rng.choice([32, 40, 64])), "API_KEY", CATEGORY_SECRET
        )

    def pem_key(self) -> str:
        body = base64.b64encode(b"\x30\x82\x04\xa4\x02\x01\x00\x02\x82\x01\x01\x00")
        body += base64.b64encode(self.rng.randbytes(1180))
        text = body.decode("ascii")
        lines = [text[i : i + 64] for i in range(0, len(text), 64)]
        value = "\n".join(
            ["-----BEGIN RSA PRIVATE KEY-----", *lines, "-----END RSA PRIVATE KEY-----"]
        )
        return self._plant(value, "PRIVATE_KEY", CATEGORY_SECRET)

    def password(self) -> str:
        w = self.rng.choice(_PASSWORD_WORDS)
        value = self.rng.choice(
            [
                f"{w.capitalize()}{self.rng.randint(1990, 2025)}!",
                f"{w}_{self._chars(_ALNUM, 6)}",
                self._random_token(_ALNUM + "!@#$%^&*", 14),
                f"{w.capitalize()}#{self.rng.randint(10, 99)}"
                + self._chars(string.ascii_lowercase, 3),
            ]
        )
        return self._plant(value, "PASSWORD", CATEGORY_SECRET)

    def _any_key(self) -> str:
        return self._weighted(
            (
                (self.openai_key, 5),
                (self.anthropic_key, 3),
                (self.github_token, 2),
                (self.stripe_key, 2),
                (self.slack_token, 1),
                (self.google_key, 1),
                (self.hf_token, 1),
                (self.sendgrid_key, 1),
                (self.aws_key_id, 1),
            )
        )

    # -- decoys ------------------------------------------------------------------------------

    def uuid(self) -> str:
        return self._decoy(str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), "uuid")

    def trace_id(self) -> str:
        return self._decoy(self._chars(_HEX, 32), "trace_id")

    def span_id(self) -> str:
        return self._decoy(self._chars(_HEX, 16), "span_id")

    def response_id(self) -> str:
        return self._decoy("chatcmpl-" + self._random_token(_ALNUM, 29), "response_id")

    def call_id(self) -> str:
        return self._decoy("call_" + self._random_token(_ALNUM, 24), "tool_call_id")

    def git_sha(self) -> str:
        return self._decoy(self._chars(_HEX, 40), "git_sha")

    def digest(self) -> str:
        return self._decoy(self._chars(_HEX, 64), "sha256")

    def timestamp(self) -> str:
        dt = _EPOCH + datetime.timedelta(seconds=self.rng.randint(0, 2 * 365 * 86400))
        dt = dt.replace(microsecond=self.rng.randint(0, 999_999))
        value = self.rng.choice(
            [
                dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
                dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
                dt.strftime("%Y-%m-%d %H:%M:%S"),
                dt.strftime("%Y-%m-%d"),
            ]
        )
        return self._decoy(value, "timestamp")

    def epoch_nanos(self) -> str:
        return self._decoy(
            str(
                self.rng.randint(1_700_000_000, 1_800_000_000) * 10**9
                + self.rng.randint(0, 10**9 - 1)
            ),
            "epoch",
        )

    def version(self) -> str:
        a, b, c = self.rng.randint(0, 4), self.rng.randint(0, 40), self.rng.randint(0, 30)
        value = self.rng.choice([f"{a}.{b}.{c}", f"v{a}.{b}.{c}", f"{a}.{b}.{c}-rc.{c % 5 + 1}"])
        return self._decoy(value, "version")

    def order_number(self) -> str:
        year = self.rng.randint(2022, 2026)
        value = self.rng.choice(
            [
                f"ORD-{year}-{self.rng.randint(10000, 999999)}",
                f"INV-{self.rng.randint(1000, 99999):06d}",
                f"#{self.rng.randint(1000000, 99999999)}",
                f"PO-{self.rng.randint(4500000000, 4599999999)}",
                f"SUP-{self.rng.randint(1000, 99999)}",
            ]
        )
        return self._decoy(value, "order_number")

    def amount(self) -> str:
        value = self.rng.choice(
            [
                f"${self.rng.randint(1, 9999):,}.{self.rng.randint(0, 99):02d}",
                f"EUR {self.rng.randint(1, 999)}.{self.rng.randint(0, 99):02d}",
            ]
        )
        return self._decoy(value, "amount")

    def title_phrase(self) -> str:
        value = self.rng.choice(
            [
                self.fake.catch_phrase().title(),
                f"{self.fake.bs().title()} Roadmap",
                self.rng.choice(
                    [
                        "Hello World", "Quarterly Business Review", "Customer Success Team",
                        "Getting Started Guide", "Release Notes", "Incident Postmortem",
                        "Billing Support Bot", "Refund Policy", "Terms Of Service",
                    ]
                ),
            ]
        )  # fmt: skip
        return self._decoy(value, "title_case")

    def customer_id(self) -> str:
        value = self.rng.choice(
            [f"cus_{self._random_token(_ALNUM, 14)}", f"user_{self.rng.randint(1000, 99999)}"]
        )
        return self._decoy(value, "customer_id")

    def _any_decoy(self) -> str:
        return self._weighted(
            (
                (self.uuid, 2),
                (self.order_number, 4),
                (self.timestamp, 3),
                (self.version, 3),
                (self.git_sha, 1),
                (self.digest, 1),
                (self.amount, 2),
                (self.title_phrase, 3),
                (self.response_id, 1),
                (self.customer_id, 2),
            )
        )

    # -- prose -------------------------------------------------------------------------------

    def _filler(self, n: int) -> str:
        return " ".join(self.fake.sentence(nb_words=self.rng.randint(6, 16)) for _ in range(n))

    def _pii_sentence(self) -> str:
        r = self.rng
        kind = r.choices(
            [
                "email", "phone", "contact", "card", "ssn", "iban", "ip", "mac", "wallet",
                "person", "address", "key", "password", "jwt",
            ],
            weights=[14, 10, 8, 8, 4, 4, 6, 2, 2, 10, 6, 6, 4, 2],
        )[0]  # fmt: skip
        if kind == "email":
            return r.choice(
                [
                    f"You can email me at {self.email()}.",
                    f"Please send the receipt to {self.email()} instead.",
                    f"The account is registered under {self.email()}.",
                ]
            )
        if kind == "phone":
            return r.choice(
                [
                    f"Call me at {self.phone()} after 5pm.",
                    f"My phone number changed to {self.phone()}.",
                    f"Reach the site manager on {self.phone()}.",
                ]
            )
        if kind == "contact":
            return f"I'm {self.person()}, {self.email()}, {self.phone()}."
        if kind == "card":
            return r.choice(
                [
                    f"My card {self.card()} was charged twice for order {self.order_number()}.",
                    f"Please update the card on file to {self.card()}, "
                    f"exp {r.randint(1, 12):02d}/{r.randint(26, 31)}.",
                    f"Refund it to {self.card()} please.",
                ]
            )
        if kind == "ssn":
            return r.choice(
                [
                    f"My SSN is {self.ssn()} if you need it for the form.",
                    f"Employee {self.person()} (SSN {self.ssn()}) starts on {self.timestamp()}.",
                ]
            )
        if kind == "iban":
            return f"Wire the refund to {self.iban()}, account holder {self.person()}."
        if kind == "ip":
            ip = self.ipv4() if r.random() < 0.8 else self.ipv6()
            return r.choice(
                [
                    f"Requests from {ip} have been failing since the {self.version()} deploy.",
                    f"The login came from {ip}, which I don't recognise.",
                ]
            )
        if kind == "mac":
            return f"Device {self.mac()} dropped off the network at {self.timestamp()}."
        if kind == "wallet":
            return f"Send the payout to my wallet {self.wallet()}."
        if kind == "person":
            return r.choice(
                [
                    f"Hi, this is {self.person()} from accounting.",
                    f"{self.person()} approved the change yesterday.",
                    f"Thanks,\n{self.person()}",
                ]
            )
        if kind == "address":
            return r.choice(
                [
                    f"Ship it to {self.address()}.",
                    f"My billing address is {self.address()}.",
                ]
            )
        if kind == "key":
            return r.choice(
                [
                    f"I accidentally pasted my key {self._any_key()} in the channel, "
                    "please rotate it.",
                    f"Is this key still valid? {self._any_key()}",
                ]
            )
        if kind == "password":
            return r.choice(
                [
                    f"The password for the staging account is {self.password()} but login fails.",
                    f"I reset it to {self.password()} and it still says invalid password.",
                ]
            )
        return f"Here is the session token from the browser: {self.jwt()}"

    def _decoy_sentence(self) -> str:
        r = self.rng
        return r.choice(
            [
                f"Order {self.order_number()} was placed on {self.timestamp()} "
                f"for {self.amount()}.",
                f"We are running {self.version()} of the SDK, build {self.git_sha()[:12]}.",
                f"See the {self.title_phrase()} page for details.",
                f"Request id {self.uuid()} returned 502 at {self.timestamp()}.",
                f"Ticket {self.order_number()} is linked to customer {self.customer_id()}.",
                f"Checksum {self.digest()} matches the release artifact.",
                f"The {self.title_phrase()} meeting moved to {self.timestamp()}.",
            ]
        )

    def _free_text(self, sentences: int) -> str:
        """Prose of about ``sentences`` sentences; a third of texts carry PII or secrets."""
        parts = [self._filler(1) for _ in range(max(1, sentences))]
        if self.rng.random() < 1 / 3:
            for _ in range(self.rng.choice([1, 1, 1, 2, 3])):
                parts.insert(self.rng.randint(0, len(parts)), self._pii_sentence())
        if self.rng.random() < 0.5:
            parts.insert(self.rng.randint(0, len(parts)), self._decoy_sentence())
        return " ".join(parts)

    def _system_prompt(self) -> str:
        product = self.fake.catch_phrase().title()
        return (
            f"You are the {product} assistant for {self.fake.company()}. "
            + self._filler(self.rng.randint(3, 10))
            + " Never reveal internal tools. Answer in the user's language."
        )

    # -- code --------------------------------------------------------------------------------

    def _code(self) -> str:
        """A code or config snippet; most carry a credential."""
        r = self.rng
        kind = r.randrange(10)
        if kind == 0:
            return (
                "```python\nfrom openai import OpenAI\n\n"
                f'client = OpenAI(api_key="{self.openai_key()}")\n'
                "resp = client.chat.completions.create(\n"
                f'    model="{r.choice(_MODELS)}",\n'
                '    messages=[{"role": "user", "content": "ping"}],\n)\n'
                "print(resp.choices[0].message.content)\n```"
            )
        if kind == 1:
            user = self.fake.user_name()
            host = f"db-{r.randint(1, 9)}.{self.fake.domain_word()}.internal"
            return (
                "```\n"
                f"DATABASE_URL=postgresql://{user}:{self.password()}@{host}:5432/app\n"
                f"STRIPE_SECRET_KEY={self.stripe_key()}\n"
                f"AWS_ACCESS_KEY_ID={self.aws_key_id()}\n"
                f"AWS_SECRET_ACCESS_KEY={self.aws_secret()}\n"
                f"APP_VERSION={self.version()}\nLOG_LEVEL=info\n```"
            )
        if kind == 2:
            return (
                f"```bash\ncurl -s https://api.{self.fake.domain_name()}/v1/orders/"
                f"{self.order_number().lstrip('#')} \\\n"
                f'  -H "Authorization: Bearer {self.bearer_token()}" \\\n'
                '  -H "Content-Type: application/json"\n```'
            )
        if kind == 3:
            return (
                "```yaml\ngithub:\n"
                f"  token: {self.github_token()}\n"
                f"  repo: {self.fake.user_name()}/{self.fake.domain_word()}\n"
                f'slack:\n  bot_token: {self.slack_token()}\n  channel: "#support-alerts"\n```'
            )
        if kind == 4:
            return f"Here is the deploy key, the server rejects it:\n{self.pem_key()}"
        if kind == 5:
            return (
                "```js\nimport Anthropic from '@anthropic-ai/sdk';\n"
                f"const client = new Anthropic({{ apiKey: '{self.anthropic_key()}' }});\n```"
            )
        if kind == 6:
            return (
                "```python\nimport requests\n\n"
                f'GOOGLE_API_KEY = "{self.google_key()}"\n'
                "r = requests.get('https://maps.googleapis.com/maps/api/geocode/json',\n"
                "                 params={'address': addr, 'key': GOOGLE_API_KEY})\n```"
            )
        if kind == 7:
            return (
                f"{self.timestamp()} DEBUG auth middleware: token={self.jwt()} "
                f"request_id={self.uuid()} latency_ms={r.randint(3, 900)}"
            )
        return (
            "```bash\n"
            f"pip install tracemask=={self.version().lstrip('v')}\n"
            f"git checkout {self.git_sha()}\n"
            f"sha256sum dist/app.whl  # {self.digest()}\n```"
        )

    # -- hard cases (issue 12: what real traffic carries) ------------------------------------

    def _locale_faker(self, locale: str) -> Faker:
        fake = self._fakers.get(locale)
        if fake is None:
            from faker import Faker  # noqa: PLC0415 - optional: the bench extra

            fake = self._fakers[locale] = Faker(locale)
            fake.seed_instance(f"{self.seed}:{locale}")
        return fake

    def national_phone(self) -> str:
        """A phone number as Faker writes it for one of many locales (national formats)."""
        while True:
            value = self._locale_faker(self.rng.choice(PHONE_LOCALES)).phone_number()
            if sum(c.isdigit() for c in value) >= 7:
                return self._plant(value, "PHONE_NUMBER", CATEGORY_PII, "national_phone")

    def bad_card(self) -> str:
        """A card number typed with one wrong digit: the Luhn check fails."""
        good = self.card()
        self._plants.pop(good)
        digits = [c for c in good if c.isdigit()]
        i = self.rng.randrange(1, len(digits))
        digits[i] = str((int(digits[i]) + self.rng.randint(1, 9)) % 10)
        it = iter(digits)
        value = "".join(next(it) if c.isdigit() else c for c in good)
        return self._plant(value, "CREDIT_CARD", CATEGORY_PII, "bad_checksum_keyed")

    def bad_iban(self) -> str:
        """An IBAN an LLM invented: right shape, wrong check digits."""
        good = self.iban()
        self._plants.pop(good)
        check = int(good[2:4])
        value = f"{good[:2]}{(check + self.rng.randint(1, 90)) % 97 + 2:02d}{good[4:]}"
        return self._plant(value, "IBAN_CODE", CATEGORY_PII, "bad_checksum_keyed")

    def bad_ssn(self) -> str:
        """An SSN the SSA never issues (area 000, 666 or 9xx) as typed into a form."""
        area = self.rng.choice(["000", "666", f"9{self.rng.randint(0, 99):02d}"])
        sep = self.rng.choice(["-", " ", ""])
        value = f"{area}{sep}{self.rng.randint(1, 99):02d}{sep}{self.rng.randint(1, 9999):04d}"
        return self._plant(value, "US_SSN", CATEGORY_PII, "bad_checksum_keyed")

    def chosen_password(self) -> str:
        """A password a person chose (words, years, a symbol), not a random string."""
        w = self.rng.choice(_PASSWORD_WORDS)
        value = self.rng.choice(
            [
                f"{w}{self.rng.randint(1, 999)}",
                f"{w.capitalize()}{self.rng.randint(1990, 2025)}!",
                f"{w.capitalize()}&{self.rng.randint(1, 9)}{w[::-1]}",
                f"{w}-{self.rng.choice(_PASSWORD_WORDS)}-{self.rng.randint(10, 99)}",
            ]
        )
        return self._plant(value, "PASSWORD", CATEGORY_SECRET, "password_in_code")

    _KEYS: ClassVar[dict[str, tuple[str, ...]]] = {
        "phone": ("billingPhone", "customer_phone", "phone_number", "telefono", "Telefonnummer",
                  "mobile", "contactPhone", "téléphone"),
        "card": ("cc_number", "cardNumber", "card_number", "credit_card", "kreditkartennummer"),
        "iban": ("customer_iban", "iban", "IBAN", "payout_iban", "bank_account"),
        "ssn": ("ssn", "social_security_number", "SSN", "customer_ssn"),
    }  # fmt: skip

    def _keyed_record(self) -> dict[str, Any]:
        """A record with telling keys over values no checksum accepts, and national phones."""
        r = self.rng
        rec: dict[str, Any] = {"customer_id": self.customer_id(), "updated_at": self.timestamp()}
        rec[r.choice(self._KEYS["phone"])] = self.national_phone()
        for kind, factory in (("card", self.bad_card), ("iban", self.bad_iban),
                              ("ssn", self.bad_ssn)):  # fmt: skip
            if r.random() < 0.6:
                rec[r.choice(self._KEYS[kind])] = factory()
        rec["phone_verified"] = r.random() < 0.5
        rec["card_count"] = r.randint(0, 4)
        return rec

    def _keyed_lines(self) -> str:
        """``key: value`` lines in text (a form pasted into chat, a log line)."""
        r = self.rng
        lines = [
            f"{r.choice(['Phone', 'Tel', 'Mobile', 'Telefon', 'Téléphone'])}: "
            + self.national_phone(),
            f"{r.choice(['Card number', 'card_number', 'CC'])}: {self.bad_card()}",
            f"{r.choice(['IBAN', 'iban', 'Bank account'])}{r.choice([': ', '='])}{self.bad_iban()}",
        ]
        if r.random() < 0.5:
            lines.append(f"SSN: {self.bad_ssn()}")
        r.shuffle(lines)
        return "Please update my details:\n" + "\n".join(lines)

    def _password_code(self) -> str:
        """A chosen password written in code or config, in one of the common forms."""
        pw = self.chosen_password()
        user = self.fake.user_name()
        return self.rng.choice(
            [
                f'```python\nconn = psycopg2.connect(host="db", user="{user}",\n'
                f'                        password="{pw}")\n```',
                f'```go\ndbPass := "{pw}"\n'
                'db, err := sql.Open("mysql", user+":"+dbPass+"@/app")\n```',
                f"```yaml\ndatabase:\n  user: {user}\n  password: {pw}\n```",
                f"```bash\nexport PGPASSWORD='{pw}'\npsql -U {user} app\n```",
                f"```ini\n[database]\nuser = {user}\npassword = {pw}\n```",
                f'```java\nString password = "{pw}";\n```',
                f"```js\nconst db = {{ user: '{user}', pass: '{pw}' }};\n```",
                f"login fails with my password {pw}, what is wrong?",
            ]
        )

    def _cjk_sentence(self) -> str:
        """A value right next to CJK letters (no space between them)."""
        r = self.rng
        kind = r.randrange(4)
        if kind == 0:
            mobile = f"1{r.choice('3456789')}{self._chars(string.digits, 9)}"
            value = self._plant(mobile, "PHONE_NUMBER", CATEGORY_PII, "cjk_text")
            return f"我的电话是{value}\uff0c请回电。"  # fullwidth comma
        if kind == 1:
            value = self._hard(self.ssn(), "cjk_text")
            return f"社会安全号码{value}"
        if kind == 2:
            value = self._hard(self.email(), "cjk_text")
            return f"メールアドレス\uff1a{value}までご連絡ください。"  # fullwidth colon
        value = self._hard(self.card(), "cjk_text")
        return f"카드번호{value}로 결제했습니다."

    def _base64_attachment(self) -> str:
        """Personal data inside base64 of JSON (an attachment, a queue message body)."""
        doc = {
            "email": self._hard(self.email(), "base64"),
            "phone": self._hard(self.phone(), "base64"),
            "note": self.title_phrase(),
        }
        return base64.b64encode(json.dumps(doc).encode("utf-8")).decode("ascii")

    def _hard_text(self) -> str:
        kind = self.rng.randrange(3)
        if kind == 0:
            return self._keyed_lines()
        if kind == 1:
            return self._free_text(1) + "\n\n" + self._password_code()
        return self._cjk_sentence()

    def _stream_text(self) -> tuple[str, list[tuple[str, str, str]]]:
        """An answer with personal data, to be stored as stream chunks; values not planted
        whole (they are split): returned with their entity and category."""
        values = []
        for factory in (self.email, self.phone, self.card):
            value = factory()
            entity, category, _ = self._plants.pop(value)
            values.append((value, entity, category))
        text = (
            f"Thanks! I have noted {values[0][0]} as your email, {values[1][0]} as your phone "
            f"and the card {values[2][0]}. {self._free_text(1)}"
        )
        return text, values

    def _stream_chunks(self, convo: _Conversation) -> list[str]:
        """The stream's text cut into chunks of 2-9 characters (fixed per conversation)."""
        assert convo.stream is not None
        text = convo.stream[0]
        if not convo.stream_cuts:
            pos, cuts = 0, []
            while pos < len(text):
                pos = min(len(text), pos + self.rng.randint(2, 9))
                cuts.append(pos)
            convo.stream_cuts = cuts
        bounds = [0, *convo.stream_cuts]
        return [text[a:b] for a, b in itertools.pairwise(bounds)]

    def _register_stream(self, convo: _Conversation, chunk_path: Callable[[int], Path]) -> None:
        """Record the split values of ``convo``'s stream with the paths of their chunks."""
        assert convo.stream is not None
        text, values = convo.stream
        bounds = [0, *convo.stream_cuts]
        self._joined = []
        for value, entity, category in values:
            start = text.find(value)
            end = start + len(value)
            paths = tuple(
                chunk_path(i)
                for i, (a, b) in enumerate(itertools.pairwise(bounds))
                if a < end and start < b
            )
            self._joined.append((value, entity, category, paths))

    # -- conversation ------------------------------------------------------------------------

    def _user_turn(self, *, short: bool = False) -> _Message:
        r = self.rng
        if short:
            return _Message("user", self._free_text(r.randint(1, 2)))
        roll = r.random()
        if roll < 0.2:
            content = self._free_text(r.randint(1, 3)) + "\n\n" + self._code()
        elif roll < 0.35:
            chunks = [self._rag_chunk() for _ in range(r.randint(1, 4))]
            content = (
                "Answer using the context below.\n\n"
                + "\n\n---\n\n".join(chunks)
                + "\n\nQuestion: "
                + self._free_text(1)
            )
        else:
            content = self._free_text(r.randint(1, 8))
        return _Message("user", content)

    def _rag_chunk(self) -> str:
        heading = self.title_phrase()
        body = self._free_text(self.rng.randint(3, 12))
        if self.rng.random() < 0.2:
            body += f" Contact {self.person()} at {self.email()} or {self.phone()}."
        return f"## {heading}\n\n{body}"

    def _tool_call(self) -> tuple[str, str]:
        r = self.rng
        name = r.choice(_TOOLS)
        args: dict[str, Any]
        if name == "lookup_customer":
            args = {"email": self.email()} if r.random() < 0.6 else {"phone": self.phone()}
        elif name == "search_orders":
            args = {"order_id": self.order_number(), "since": self.timestamp()}
        elif name == "update_card":
            args = {"customer_id": self.customer_id(), "card_number": self.card()}
        elif name == "send_email":
            args = {"to": self.email(), "subject": self.title_phrase(), "body": self._free_text(3)}
        elif name == "run_sql":
            args = {  # a query the model wrote, as logged: not executed anywhere
                "query": f"SELECT id, status FROM orders WHERE email = '{self.email()}' "  # noqa: S608
                f"AND created_at > '{self.timestamp()}' LIMIT {r.randint(5, 100)}"
            }
        elif name == "get_weather":
            args = {"city": self.fake.city(), "units": "metric"}
        elif name == "create_ticket":
            args = {"title": self.title_phrase(), "description": self._free_text(r.randint(1, 4))}
        else:
            args = {"query": self._free_text(1), "top_k": r.randint(3, 10)}
        return name, _dumps(args)

    def _tool_result(self, name: str) -> str:
        r = self.rng
        if name in ("lookup_customer", "update_card"):
            result: Any = {
                "customer_id": self.customer_id(),
                "name": self.person(),
                "email": self.email(),
                "address": self.address(),
                "card_last4": f"{r.randint(0, 9999):04d}",
                "created_at": self.timestamp(),
            }
        elif name in ("search_orders", "run_sql"):
            result = [
                {"id": self.order_number(), "status": r.choice(["shipped", "pending", "refunded"]),
                 "total": self.amount(), "updated_at": self.timestamp()}
                for _ in range(r.randint(1, 5))
            ]  # fmt: skip
        elif name == "search_docs":
            result = {"chunks": [self._rag_chunk() for _ in range(r.randint(1, 3))]}
        elif name == "get_weather":
            result = {"temp_c": r.randint(-5, 35), "conditions": r.choice(["rain", "sunny"])}
        else:
            result = {"ok": True, "id": self.uuid()}
        return _dumps(result)

    def _add_exchange(self, convo: _Conversation, *, short: bool = False) -> None:
        r = self.rng
        if convo.turns and convo.turns[-1].role == "assistant":
            convo.turns.append(self._user_turn(short=short))
        if not short and r.random() < 0.3:
            convo.turns.append(_Message("user", self._hard_text()))
        if not short and r.random() < 0.35:
            calls = []
            for _ in range(r.choice([1, 1, 2])):
                name, args = self._tool_call()
                calls.append((self.call_id(), name, args))
            convo.turns.append(_Message("assistant", None, tool_calls=calls))
            for call_id, name, _ in calls:
                convo.turns.append(_Message("tool", self._tool_result(name), tool_call_id=call_id))
        if not short and r.random() < 0.15:
            call_id = self.call_id()
            args = _dumps({"customer_id": self.customer_id()})
            convo.turns.append(
                _Message("assistant", None, tool_calls=[(call_id, "lookup_customer", args)])
            )
            result: Any = self._keyed_record()
            if r.random() < 0.4:
                result["attachment"] = self._base64_attachment()
            convo.turns.append(_Message("tool", _dumps(result), tool_call_id=call_id))
        if not short and convo.stream is None and r.random() < 0.2:
            convo.stream = self._stream_text()
        convo.turns.append(_Message("assistant", self._free_text(r.randint(1, 6))))

    # -- renderers ---------------------------------------------------------------------------

    def _openai_messages(self, convo: _Conversation) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if convo.system:
            out.append({"role": "system", "content": convo.system})
        for m in convo.turns:
            msg: dict[str, Any] = {"role": m.role, "content": m.content}
            if m.tool_calls:
                msg["tool_calls"] = [
                    {"id": cid, "type": "function", "function": {"name": name, "arguments": args}}
                    for cid, name, args in m.tool_calls
                ]
            if m.tool_call_id:
                msg["tool_call_id"] = m.tool_call_id
            out.append(msg)
        return out

    def _tools_schema(self, convo: _Conversation) -> list[dict[str, Any]]:
        names = sorted({name for m in convo.turns for _, name, _ in m.tool_calls})
        return [
            {
                "type": "function",
                "function": {
                    "name": n,
                    "description": f"{n.replace('_', ' ').capitalize()}.",
                    "parameters": {"type": "object", "properties": {}, "required": []},
                },
            }
            for n in names
        ]

    def _metadata(self, convo: _Conversation) -> dict[str, Any]:
        if convo.metadata is None:
            md: dict[str, Any] = {
                "session_id": f"sess_{self._random_token(_ALNUM, 12)}",
                "user_id": self.customer_id(),
                "app_version": self.version(),
                "environment": self.rng.choice(["production", "staging"]),
            }
            if self.rng.random() < 1 / 3:
                md["customer_email"] = self.email()
            if self.rng.random() < 0.15:
                md["billing_phone"] = self.phone()
            if self.rng.random() < 0.1:
                md["integration_key"] = self._any_key()
            convo.metadata = md
        return convo.metadata

    def _ids(self, convo: _Conversation) -> dict[str, str]:
        if not convo.ids:
            convo.ids = {
                "trace": self.trace_id(),
                "span": self.span_id(),
                "run": self.uuid(),
                "response": self.response_id(),
                "model": self.rng.choice(_MODELS),
                "start": self.timestamp(),
                "epoch": self.epoch_nanos(),
            }
        return convo.ids

    def _render_chat_body(self, convo: _Conversation) -> dict[str, Any]:
        ids = self._ids(convo)
        body: dict[str, Any] = {
            "model": ids["model"],
            "messages": self._openai_messages(convo),
            "temperature": 0.2,
        }
        tools = self._tools_schema(convo)
        if tools:
            body["tools"] = tools
        if convo.system:
            body["user"] = self._metadata(convo)["user_id"]
            body["metadata"] = self._metadata(convo)
        return body

    def _render_langsmith_run(self, convo: _Conversation) -> dict[str, Any]:
        ids = self._ids(convo)
        messages = self._openai_messages(convo)
        last = messages[-1] if messages[-1]["role"] == "assistant" else None
        inputs = messages if last is None else messages[:-1]
        run: dict[str, Any] = {
            "id": ids["run"],
            "trace_id": ids["run"],
            "dotted_order": f"{ids['start'].replace('-', '').replace(':', '')[:15]}Z{ids['run']}",
            "name": "ChatOpenAI",
            "run_type": "llm",
            "start_time": ids["start"],
            "inputs": {"messages": inputs},
            "outputs": {"choices": [{"message": last, "finish_reason": "stop"}]} if last else {},
            "tags": ["support"],
            "session_name": "support-bot",
            "extra": {
                "metadata": {
                    **self._metadata(convo),
                    "ls_provider": "openai",
                    "ls_model_name": ids["model"],
                },
                "runtime": {"sdk": "langsmith-py", "sdk_version": "0.15.1", "runtime": "python"},
            },
            "events": [{"name": "start", "time": ids["start"]}],
        }
        if convo.error is None and len(convo.turns) > 2:
            convo.error = self._error_text() if self.rng.random() < 0.15 else ""
        if convo.error:
            run["error"] = convo.error
        if convo.stream is not None:
            # A streamed run stores its chunks as a list of strings (LangSmith).
            run["outputs"]["output"] = self._stream_chunks(convo)
            self._register_stream(convo, lambda i: ("outputs", "output", i))
        return run

    def _error_text(self) -> str:
        r = self.rng
        detail = self._pii_sentence() if r.random() < 0.5 else self._decoy_sentence()
        return (
            "Traceback (most recent call last):\n"
            f'  File "/srv/app/handlers/{r.choice(_TOOLS)}.py", line {r.randint(10, 400)}, in run\n'
            "    result = client.call(payload)\n"
            f"ValueError: upstream rejected the request: {detail}"
        )

    def _render_otlp_request(self, convo: _Conversation) -> dict[str, Any]:
        ids = self._ids(convo)
        messages = self._openai_messages(convo)
        last = messages[-1] if messages[-1]["role"] == "assistant" else None
        md = self._metadata(convo)

        def kv(key: str, value: Any) -> dict[str, Any]:
            if isinstance(value, bool):
                return {"key": key, "value": {"boolValue": value}}
            if isinstance(value, int):
                return {"key": key, "value": {"intValue": str(value)}}
            return {"key": key, "value": {"stringValue": value}}

        common = [kv("user.id", md["user_id"]), kv("session.id", md["session_id"])]
        common += [kv(f"langfuse.trace.metadata.{k}", _dumps(v)) for k, v in md.items()]
        oi_attrs = [
            *common,
            kv("openinference.span.kind", "LLM"),
            kv("llm.model_name", ids["model"]),
            kv("input.value", _dumps({"messages": messages[:-1] if last else messages})),
            kv("input.mime_type", "application/json"),
        ]
        for i, m in enumerate(messages[:-1] if last else messages):
            oi_attrs.append(kv(f"llm.input_messages.{i}.message.role", m["role"]))
            if m["content"]:
                oi_attrs.append(kv(f"llm.input_messages.{i}.message.content", m["content"]))
        if last:
            oi_attrs.append(kv("output.value", last["content"]))
            oi_attrs.append(kv("llm.output_messages.0.message.content", last["content"]))
        genai_attrs = [
            *common,
            kv("gen_ai.operation.name", "chat"),
            kv("gen_ai.request.model", ids["model"]),
            kv("gen_ai.response.id", ids["response"]),
            kv(
                "gen_ai.input.messages",
                _dumps(
                    [
                        {"role": m["role"], "parts": [{"type": "text", "content": m["content"]}]}
                        for m in messages
                        if m["content"]
                    ][-4:]
                ),
            ),
            kv("gen_ai.usage.input_tokens", self.rng.randint(20, 4000)),
        ]
        start = int(ids["epoch"])
        spans = [
            {
                "traceId": ids["trace"],
                "spanId": ids["span"],
                "name": "ChatCompletion",
                "kind": 3,
                "startTimeUnixNano": ids["epoch"],
                "endTimeUnixNano": str(start + 850_000_000),
                "attributes": oi_attrs,
                "status": {"code": 1},
            },
            {
                "traceId": ids["trace"],
                "spanId": ids["span"][::-1],
                "parentSpanId": ids["span"],
                "name": f"chat {ids['model']}",
                "kind": 3,
                "startTimeUnixNano": ids["epoch"],
                "endTimeUnixNano": str(start + 840_000_000),
                "attributes": genai_attrs,
                "status": {},
            },
        ]
        if convo.error is None:
            convo.error = self._error_text() if self.rng.random() < 0.2 else ""
        if convo.error:
            message = convo.error.rsplit("\n", 1)[-1]
            spans[1]["events"] = [
                {
                    "timeUnixNano": str(start + 830_000_000),
                    "name": "exception",
                    "attributes": [
                        kv("exception.type", "ValueError"),
                        kv("exception.message", message),
                        kv("exception.stacktrace", convo.error),
                    ],
                }
            ]
            spans[1]["status"] = {"code": 2, "message": message}
        return {
            "resourceSpans": [
                {
                    "resource": {
                        "attributes": [
                            kv("service.name", "support-bot"),
                            kv("service.version", md["app_version"]),
                            kv("telemetry.sdk.language", "python"),
                            kv("deployment.environment.name", md["environment"]),
                        ]
                    },
                    "scopeSpans": [
                        {
                            "scope": {"name": "openinference.instrumentation.openai"},
                            "spans": spans,
                        }
                    ],
                }
            ]
        }

    def _render_litellm_payload(self, convo: _Conversation) -> dict[str, Any]:
        ids = self._ids(convo)
        messages = self._openai_messages(convo)
        last = messages[-1] if messages[-1]["role"] == "assistant" else None
        md = self._metadata(convo)
        if convo.client_ip is None:
            convo.client_ip = self.ipv4() if self.rng.random() < 0.5 else ""
        payload: dict[str, Any] = {
            "id": ids["response"],
            "litellm_call_id": ids["run"],
            "call_type": "completion",
            "stream": False,
            "model": ids["model"],
            "custom_llm_provider": "openai",
            "api_base": "https://api.openai.com/v1",
            "startTime": int(ids["epoch"]) / 1e9,
            "endTime": int(ids["epoch"]) / 1e9 + 0.85,
            "messages": messages[:-1] if last else messages,
            "response": {
                "id": ids["response"],
                "object": "chat.completion",
                "model": ids["model"],
                "choices": [{"index": 0, "finish_reason": "stop", "message": last}] if last else [],
                "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
            },
            "metadata": {
                "user_api_key_hash": self.digest(),
                "user_api_key_alias": "support-bot",
                "requester_ip_address": convo.client_ip or None,
                "requester_metadata": md,
            },
            "model_parameters": {"temperature": 0.2, "user": md["user_id"]},
            "end_user": md["user_id"],
            "error_str": None,
            "response_cost": 5.19e-05,
        }
        if convo.stream is not None:
            # A streaming call logged with its chunks (chat.completion.chunk objects).
            payload["stream"] = True
            payload["chunks"] = [
                {
                    "id": ids["response"],
                    "object": "chat.completion.chunk",
                    "model": ids["model"],
                    "choices": [{"index": 0, "delta": {"content": c}, "finish_reason": None}],
                }
                for c in self._stream_chunks(convo)
            ]
            self._register_stream(convo, lambda i: ("chunks", i, "choices", 0, "delta", "content"))
        return payload


@dataclass
class _Message:
    role: str
    content: str | None
    tool_calls: list[tuple[str, str, str]] = field(default_factory=list)
    tool_call_id: str | None = None


@dataclass
class _Conversation:
    system: str | None
    turns: list[_Message] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    ids: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    client_ip: str | None = None
    #: A streamed answer stored as chunks: its text and the values split in it.
    stream: tuple[str, list[tuple[str, str, str]]] | None = None
    stream_cuts: list[int] = field(default_factory=list)

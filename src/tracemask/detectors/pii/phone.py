"""Phone numbers: a permissive candidate regex, then ``phonenumbers`` on candidates only.

International numbers (``+44 …``, ``0044 …``) are judged by libphonenumber on their own. A
national number is judged in the policy's regions (``phone_regions``); when a phone word stands
near it ("call me at", "Telefon", "téléphone", "电话"), a number valid in any of the regions in
:data:`NATIONAL_REGIONS` is a phone too. Extensions (``x123``, ``ext. 12``) are part of the
number; a date is never part of one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import phonenumbers

from tracemask.detectors import validators
from tracemask.detectors._pattern import DetectorSettings, PatternDetector, context_window
from tracemask.detectors.pii import _phone_meta
from tracemask.detectors.pii._shapes import IBAN_HEAD, not_after, not_before

_DATE_LIKE = re.compile(
    r"(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])$"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20)?\d{2}$"
)
_DATE_PREFIX = re.compile(
    r"(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])(?![0-9])"
)
#: An ISO date inside a candidate ("ref 00 2024-08-06"): phone numbers are never grouped 4-2-2.
_ISO_DATE = re.compile(r"(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![0-9])")
#: Dates a candidate must not overlap: ISO, and day/month/year with a four-digit year.
_DATE_NEAR = re.compile(
    r"(?<![0-9])(?:(?:19|20)\d{2}([-/.])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])([-/.])(?:0?[1-9]|1[0-2])\2(?:19|20)\d{2})(?![0-9])"
)
# 3-3-4 digits with one separator: the North American shape, even when the area code is unassigned.
_NANP_SHAPE = re.compile(r"[0-9]{3}([.-])[0-9]{3}\1[0-9]{4}$")
#: An extension written after the number: ``x123``, ``ext. 12``, ``extension 7``, ``#4``.
_EXTENSION = (
    r"(?:[ \t]*(?:[xX]|[eE][xX][tT](?:[eE][nN][sS][iI][oO][nN])?\.?|#|[pP]oste|[dD]urchwahl)"
    r"[ \t]*[0-9]{1,6})"
)
_EXTENSION_AT_END = re.compile(_EXTENSION + r"\Z")
#: Digits and the separators of a written number, nothing an extension could start with.
_PLAIN = re.compile(r"[0-9 ()./+-]*")
_IBAN_HEAD = re.compile(IBAN_HEAD)
#: A US SSN's 3-2-4 grouping, and the 4-4-4-4 grouping of a card: no region writes phone
#: numbers so, and a number valid in some region must not win over them.
_SSN_SHAPE = re.compile(r"[0-9]{3}-[0-9]{2}-[0-9]{4}\Z")
_CARD_SHAPE = re.compile(r"(?<![0-9])[0-9]{4}([ -])[0-9]{4}\1[0-9]{4}\1[0-9]{1,4}(?![0-9])")
_DECIMAL = re.compile(r"[0-9]+\.[0-9]+\Z")
#: Digits continue after the candidate: it was cut from a longer run of digit groups.
_MORE_DIGITS = re.compile(r"[ ./-][0-9]")

#: Regions tried, when a phone word supports a national number, after the policy's own: the
#: regions of the languages and markets tracemask's users write in, most populous first.
NATIONAL_REGIONS: tuple[str, ...] = (
    "GB", "DE", "FR", "IN", "ES", "IT", "NL", "CA", "AU", "BR", "MX", "JP", "CN", "KR", "RU",
    "TR", "PL", "BE", "CH", "AT", "SE", "NO", "DK", "FI", "IE", "PT", "CZ", "SK", "HU", "RO",
    "BG", "GR", "HR", "SI", "RS", "UA", "LT", "LV", "EE", "LU", "MT", "CY", "IS", "NZ", "ZA",
    "NG", "KE", "GH", "EG", "MA", "SA", "AE", "IL", "IR", "PK", "BD", "NP", "LK", "TH", "VN",
    "ID", "MY", "SG", "PH", "TW", "HK", "AR", "CL", "CO", "PE", "VE", "EC", "UY", "AM", "GE",
    "AZ", "UZ", "KZ", "AL", "BA", "JO", "PS", "BH", "QA", "KW",
)  # fmt: skip

_MAX_VERDICTS = 4096
_POSSIBLE = (
    phonenumbers.ValidationResult.IS_POSSIBLE,
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
)
#: A calling code and a length its numbers never have (too short, or between two lengths).
_WRONG_LENGTH = (
    phonenumbers.ValidationResult.TOO_SHORT,
    phonenumbers.ValidationResult.INVALID_LENGTH,
)

# libphonenumber compiles its metadata regexes on every call through ``re``'s cache (bounded,
# shared with every other regex user, and a lookup of its own per call): its documented switch
# keeps them compiled instead. Compiled patterns, not verdicts: nothing about the numbers seen.
if hasattr(phonenumbers, "enable_pattern_cache"):  # recent releases; older ones lack it
    phonenumbers.enable_pattern_cache()


class PhoneNumberDetector(PatternDetector):
    """International (``+``/``00``) and national formats, validated by libphonenumber.

    Scoring: a valid international number 0.85; a valid national number with separators 0.75
    (0.55 when only *possible*, e.g. fictional 555 numbers written ``(555) 555-1234``); a bare
    digit run 0.4, so that it needs a context word ("phone", "call", …) to be reported. A
    number valid only in another region (``020 7946 0958`` under the US default) scores 0.35,
    which a phone word nearby lifts over the threshold.

    Args:
        regions: regions tried, in order, for numbers without a country code.
    """

    entity = "PHONE_NUMBER"
    trigger = r"[0-9][0-9 ()./-]{5,}[0-9]"
    patterns = (
        # A leading lookahead on the first character lets ``re`` skip to candidate positions
        # (a lookbehind first makes it try every position): twice as fast on prose.
        r"(?=[+(0-9])" + not_before(r"+/.:#-") + r"(?P<value>(?:"
        r"(?:\+\(?|00)[1-9][0-9]{0,2}\)?[ .-]?(?:\(0?[0-9]{1,4}\)[ .-]?)?"
        r"[0-9]{1,5}(?:[ ./-]?[0-9]{1,5}){1,5}"
        r"|\([0-9]{2,5}\)[ ./-]?[0-9]{1,5}(?:[ ./-]?[0-9]{2,5}){1,3}"
        r"|[0-9]{2,5}[ ./-][0-9]{1,4}(?:[ ./-][0-9]{2,5}){1,3}"
        r"|[0-9]{3}[ .-][0-9]{7}"
        r"|[0-9]{2,5}[ ./-][0-9]{5,8}"
        r"|1[ .-][0-9]{3}[ .-][0-9]{3}[ .-][0-9]{4}"
        r"|[0-9]{8,12}"
        rf"){_EXTENSION}?)" + not_after(r"-") + r"(?!\.\d)",
    )
    context = (
        # English
        "phone", "phones", "telephone", "tel", "mobile", "cell", "cellphone", "call", "calls",
        "called", "calling", "fax", "contact", "reach", "reached", "whatsapp", "sms", "text me",
        "dial", "ph", "number", "pager", "beeper", "landline", "hotline", "helpline", "ring me",
        "or text", "text us", "texted", "texting", "viber", "telegram", "wechat", "imessage",
        # German, Dutch, Scandinavian, Polish
        "telefon", "telefonnummer", "rufnummer", "handy", "handynummer", "mobil", "mobilnummer",
        "festnetz", "anrufen", "erreichbar", "nummer", "telefoon", "telefoonnummer", "mobiel",
        "bel", "bellen", "numer", "komórka", "tlf",
        # French, Spanish, Italian, Portuguese
        "téléphone", "tél", "portable", "numéro", "numero", "appelez", "appeler", "joindre",
        "teléfono", "telefono", "móvil", "movil", "celular", "llame", "llamar", "llámame",
        "número", "contacto", "cellulare", "chiamare", "chiamami", "recapito", "telefone",
        "telemóvel", "ligue", "contato",
        # Other scripts
        "телефон", "тел", "моб", "τηλέφωνο", "τηλ", "电话", "電話", "手机", "手機", "携帯",
        "전화", "휴대폰", "هاتف", "جوال", "טלפון", "โทร", "fone", "điện thoại", "telp",
    )  # fmt: skip
    negative_context = ("order", "invoice", "tracking", "ticket", "shipment", "po")
    score = 0.75
    trim_separators = " .-"

    @classmethod
    def create(cls, settings: DetectorSettings) -> PhoneNumberDetector:
        return cls(regions=settings.phone_regions)

    def __init__(self, regions: tuple[str, ...] = ("US",)) -> None:
        super().__init__()
        self.regions = tuple(regions)
        self._elsewhere = tuple(r for r in NATIONAL_REGIONS if r not in self.regions)
        # libphonenumber costs ~25 us a call and the same candidates recur across a trace's
        # strings: remember verdicts (bounded; depends on the value only, not its context).
        self._verdicts: dict[str, float | None] = {}
        self._anywhere: dict[str, float | None] = {}
        #: ``(text, start)``: no candidate starting at ``start`` in ``text`` can pass.
        self._dead: tuple[str, int] | None = None

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if text[end : end + 1] == ":" and text[end + 1 : end + 2].isdigit():
            return None  # "2025-08-11 18:41:38": a date and an hour, not a number
        overlap = _date_overlap(text, start, end)
        if overlap:
            # "001-58-5941 2024-08-06": a date is never part of a phone number
            if overlap == _FROM_START:
                self._dead = (text, start)
            return None
        if value[0] != "+" and _IBAN_HEAD.search(text, max(0, start - 40), start):
            self._dead = (text, start)
            return None  # the tail of an IBAN
        if _DECIMAL.match(value):
            return None  # "05.272543": the seconds of a timestamp, a measurement
        if _in_card_shape(text, start):
            self._dead = (text, start)
            return None  # four groups of four: a card (valid or not), never a phone
        # An extension holds a letter or "#": none in a plain number (most candidates).
        ext = None if _PLAIN.fullmatch(value) else _EXTENSION_AT_END.search(value)
        number = value[: ext.start()] if ext is not None else value
        verdict = _remember(self._verdicts, number, self._judge)
        if verdict is not None and verdict >= 0.5:
            return verdict
        if _MORE_DIGITS.match(text, end) or _SSN_SHAPE.match(number):
            return verdict  # cut from longer digit groups, or an SSN's shape: no other region
        trunk = number[0] == "0" and not number.isdigit()
        if trunk or self._cued(text, start, end):
            elsewhere = _remember(self._anywhere, number, self._judge_elsewhere)
            if elsewhere is not None:
                # A grouped number with a trunk prefix ("0780 420 269", "021 180 49 03") valid
                # in a region is a phone on its own; otherwise a phone word decides.
                elsewhere = 0.5 if trunk else elsewhere
                if verdict is None or elsewhere > verdict:
                    verdict = elsewhere
        return verdict

    def _trim(self, text: str, start: int, end: int) -> tuple[int, float | None]:
        """``PatternDetector._trim``, stopped once no shorter cut can pass (see
        :meth:`_trim_stops`).

        The rejections ``validate`` marks in ``_dead`` hold for every candidate starting at
        ``start`` (a date covering it, an IBAN's head before it, a card's groups from it). A
        mark is a fact about the text and the offset alone, whichever call set it; it is
        dropped when the candidate is done (``detect`` trims after every rejection), so the
        detector keeps no text once a candidate is judged.
        """
        try:
            return super()._trim(text, start, end)
        finally:
            self._dead = None

    def _trim_stops(self, text: str, start: int) -> bool:
        dead = self._dead
        return dead is not None and dead[0] is text and dead[1] == start

    def _cued(self, text: str, start: int, end: int) -> bool:
        """Whether a phone word stands in the context window (the one ``rescore`` reads)."""
        if self._context is None:
            return False
        return self._context.search(context_window(text, start, end)) is not None

    def _judge(self, value: str) -> float | None:
        digits = validators.digits_only(value)
        if not (7 <= len(digits) <= 15) or _DATE_LIKE.match(value) or len(set(digits)) < 3:
            return None
        if _DATE_PREFIX.match(value) or _ISO_DATE.search(value):
            return None  # a date followed or preceded by more numbers (a time, a count)
        international = value[0] == "+" or value.startswith("00")
        bare = value.isdigit()
        # "00" is the international call prefix in most of the world: parse it as "+".
        candidate = "+" + value[2:] if value.startswith("00") else value
        if candidate.startswith("+("):
            candidate = "+" + candidate[2:].replace(")", "", 1)  # "+(370) 612 34567"
        for region in (None,) if international else self.regions:
            parsed = _phone_meta.parse(candidate, region)
            if parsed is None:
                continue
            if _phone_meta.is_valid(*parsed):
                if international:
                    return 0.85
                return 0.4 if bare else self.score
            reason = _phone_meta.possible_reason(*parsed)
            if reason in _POSSIBLE and not bare:
                if international or "(" in value or _NANP_SHAPE.match(value):
                    return 0.55
                return 0.35
            if international and reason in _WRONG_LENGTH:
                # "+54 9 3143 8124": a country code and a wrong length; a phone word next to
                # it ("WhatsApp") decides. Too long ones are cut at a separator instead.
                return 0.2
        return None

    def _judge_elsewhere(self, value: str) -> float | None:
        """0.35 (0.3 bare) when ``value`` is a valid national number of another region."""
        if value[0] == "+" or value.startswith(("00", "(+")):
            return None  # international numbers carry their region: judged once, above
        digits = validators.digits_only(value)
        if not (6 <= len(digits) <= 13) or len(set(digits)) < 3 or _ISO_DATE.search(value):
            return None
        if value.isdigit() and len(digits) > 11:
            return None  # no region's national number is a bare run of 12 digits or more
        for region in self._elsewhere:
            parsed = _phone_meta.parse(value, region)
            if parsed is not None and _phone_meta.is_valid(*parsed):
                return 0.3 if value.isdigit() else 0.35
        return None


def _remember(
    cache: dict[str, float | None], value: str, judge: Callable[[str], float | None]
) -> float | None:
    try:
        return cache[value]
    except KeyError:
        pass
    verdict = judge(value)
    if len(cache) >= _MAX_VERDICTS:
        cache.clear()
    cache[value] = verdict
    return verdict


def _in_card_shape(text: str, start: int) -> bool:
    """Whether a candidate starting at ``start`` overlaps four digit groups written like a
    card (whatever its end: one starting there or 1-3 groups before and running past it)."""
    # Only groupings that start at the candidate or 1-3 groups before it: in
    # "+1 (415) 555-0132 4111 1111 1111 1111" the card is not "0132 4111 1111 1111".
    for back in (0, 5, 10, 15):
        at = start - back
        if at < 0 or (back and text[at + 4 : at + 5] not in (" ", "-")):
            return False
        m = _CARD_SHAPE.match(text, at)
        if m is not None and m.end() > start:
            return True
    return False


#: :func:`_date_overlap`'s answer when the date covers the candidate's first character: then
#: it overlaps every candidate starting there.
_FROM_START = 2


def _date_overlap(text: str, start: int, end: int) -> int:
    """0 when no date overlaps ``text[start:end]`` (one running past ``end`` included), else
    1, or :data:`_FROM_START` when the first overlapping date starts at or before ``start``."""
    for m in _DATE_NEAR.finditer(text, max(0, start - 10), min(len(text), end + 11)):
        if m.start() < end and start < m.end():
            return _FROM_START if m.start() <= start else 1
    return 0

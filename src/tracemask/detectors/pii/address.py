"""Street addresses, address blocks and place names (entity ``LOCATION``).

What is found, and how it is scored (before context; the default threshold is 0.5):

* **Streets**: a house number and a street type (``1668 Glyn St``, ``99 Park Avenue``), a street
  prefix (``Rue``, ``Via``, ``Calle``, ``ul.``, ``Rua``: ``44 Rue Abderrahmen Ziad``), a street
  word ending (``Parijsstraat 8``, ``Kiannonkatu 98``, ``Paul-Nevermann-Platz 47``), a PO box or a
  military address (``P.O. Box 175``, ``PSC 2905, Box 1278``, ``APO AE 99081``): 0.85.
  A number, capitalised words and a number (``172 Maneeži 75``): 0.75. Capitalised words and a
  number after an address cue (``lives at``, ``taxi to``, ``address:``): 0.7.
* **Address components** after a street, on the same line (comma separated) or on the next
  lines of a block: unit (``Apt. 026``, ``Suite 783``), city, region, country and postcode;
  each is a finding of its own (0.9), so that masking keeps the layout of the block.
* **Places** from the gazetteer (countries, US states, cities over 15,000 inhabitants, from
  GeoNames): a country 0.6, a city or region 0.45; after a place cue (``in``, ``from``,
  ``lives in``, ``moved to``) +0.3, and an unlisted capitalised word after a strong cue
  (``originally from``, ``street in``) 0.6.
* **Facilities** (clinical notes): the name before ``Hospital``, ``Hosp``, ``Medical Center``,
  ``Clinic`` (``Memorial Hospital``: ``Memorial``), and a facility after a transfer verb
  (``transferred to GH``, ``transfer to Quartermain 2``): 0.65.

The house number is part of the street finding; ``Hospital`` and ``Street`` words alone never
are findings.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterator, Mapping, Sequence

from tracemask._finding import Finding
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.data import (
    COUNTRY,
    GIVEN,
    PLACE,
    STOP,
    SURNAME,
    WORD,
    Lexicon,
    shared_lexicon,
)
from tracemask.detectors.pii._capitals import LETTER, UPPER, capital_runs
from tracemask.detectors.pii._gates import Anchor, Gates, anchored, finditer_at, lazy_regex


def _words(text: str) -> list[str]:
    """The whitespace-separated words of ``text`` (word lists are written as prose)."""
    return text.split()


_L = LETTER
# A capitalised word (any script), or ALL CAPS; inner hyphens and apostrophes allowed.
_CAP = rf"[{UPPER}]{_L}*(?:['\u2019-]{_L}+)*\.?"
#: Lower-case particles inside street and place names ("Via delle Coste", "Soto del Barco").
_PARTICLES = (
    "de|del|della|delle|dei|degli|dello|dal|dalla|di|da|do|dos|das|du|des|la|le|les|van|von|der"
    "|den|el|al|y|e|i|na|nad|am|an|im|auf|zum|zur"
)
# A word of a street name: capitalised, an abbreviation ("St."), or a lower-case particle.
_NAME_WORD = rf"(?:{_CAP}|(?:{_PARTICLES})(?=[ \t]))"
_SP = r"[ \t]+"
# A Title case word (not ALL CAPS: clinical shorthand "BP 124" is not a street), or "St."-like.
_LOWER_LETTER = rf"[^\W\d_{UPPER}]"
_TITLE = rf"(?:[{UPPER}]{_LOWER_LETTER}+(?:['\u2019-]{_L}+)*|[{UPPER}]{_LOWER_LETTER}?\.)"
_TITLE_WORD = rf"(?:{_TITLE}|(?:{_PARTICLES})(?=[ \t]))"
_NUM = r"\d{1,6}[A-Za-z]?(?:[/-]\d{1,4}[A-Za-z]?)?"

#: USPS suffixes in the plural and a few more (as Faker's street generators write them): also
#: plain English nouns ("5 Key Points"), so the words before them must not all be dictionary
#: words.
WEAK_STREET_TYPES = (
    "Streets|Roads|Lanes|Drives|Courts|Squares|Circles|Points|Views|Spurs|Ways|Parks|Ridges"
    "|Groves|Hills|Crossroad|Curve|Extension|Extensions|Estates|Passage|Rapids|Trafficway"
    "|Viaduct|Valleys|Villages|Unions|Trailer|Mountains|Manors|Isles|Forks|Fords|Forges|Lights"
    "|Locks|Mall|Ports|Shoals|Walks|Harbors|Junctions|Knolls|Loaf|Greens|Vistas"
)
_WEAK_TYPE_END = lazy_regex(
    rf"(?:{WEAK_STREET_TYPES})\.?(?:[ \t]+(?:North|South|East|West|N|S|E|W|NE|NW|SE|SW))?\Z"
)
STREET_TYPES = (
    "Street|St|Avenue|Ave|Av|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Place|Pl|Square|Sq"
    "|Terrace|Ter|Way|Parkway|Pkwy|Highway|Hwy|Circle|Cir|Trail|Trl|Row|Close|Crescent|Cres"
    "|Gardens|Gdns|Walk|Alley|Plaza|Loop|Path|Pike|Turnpike|Point|Pt|Flats|Mews|Hill|Heights"
    "|Grove|View|Ridge|Park|Estate|Bypass|Expressway|Freeway|Fwy|Crossing|Xing|Landing|Harbor"
    "|Harbour|Junction|Jct|Quay|Wharf|Green|Parade|Rise|Vale|Gate|Causeway|Esplanade|Promenade"
    "|Embankment|Broadway|Centre|Center|Creek|Cove|Glen|Hollow|Meadow|Meadows|Mill|Manor"
    "|Orchard|Pass|Pines|Port|Ranch|Run|Shore|Shores|Spring|Springs|Station|Summit|Track"
    "|Trace|Valley|Villa|Village|Villas|Wood|Woods|Knoll|Lake|Lakes|Fork|Forge|Ford|Fort"
    "|Field|Fields|Bluff|Bend|Branch|Brook|Burg|Camp|Canyon|Cape|Club|Corner|Corners|Course"
    "|Dale|Dam|Divide|Falls|Ferry|Garden|Haven|Inlet|Island|Isle|Key|Keys|Mission|Motorway"
    "|Mount|Mountain|Neck|Oval|Overpass|Plain|Plains|Prairie|Radial|Ramp|Rest|Route|Shoal"
    "|Skyway|Spur|Stream|Throughway|Tunnel|Underpass|Union|Ville|Vista|Well|Wells|Stravenue"
    f"|{WEAK_STREET_TYPES}"
)
STREET_PREFIXES = (
    "Rue|Rua|Via|Viale|Vicolo|Corso|Piazza|Piazzale|Largo|Strada|Calle|C/|Avenida|Avda\\.?"
    "|Av\\.|Avinguda|Carrer|Camino|Paseo|Pasaje|Plaza|Praça|Travessa|Rambla|Ronda|Chemin|Allée"
    "|Boulevard|Bd|Impasse|Quai|Place|Ulica|ul\\.|Ul\\.|al\\.|Al\\.|Aleja|Aleje|Plac|os\\.|Utca"
    "|Λεωφόρος|Λεωφ\\.|Οδός|\u03a1\\.|Ulitsa|ulitsa|Prospekt|Sokak|Soka\u011f\u0131|Cadde|Caddesi"
    "|Jalan|Jl\\.|Quadra|Rodovia|Alameda|Vila|Setor|Conjunto|Rotonda|Circuito|Diagonal|Carrera"
    "|Transversal|Cl\\.|Cr\\.|Cra\\.|Kr\\.|pl\\.|Pl\\.|Drumul|Splaiul|Intrarea|Piața|Șoseaua"
    "|ул\\.|пер\\.|алл\\.|наб\\.|пр\\.|просп\\.|ш\\.|бул\\.|пл\\.|вул\\.|ulitsa"
    "|Thanon|Đường|Calea|Strada|Bulevardul|Aleea|Nám\\.|náměstí|tř\\."
)
LOWER_STREET_PREFIXES = (
    "rue|avenue|av\\.|boulevard|bd|chemin|allée|impasse|place|quai|route|cours|via|viale|piazza"
    "|corso|vicolo|largo|calle|avenida|carrer|camino|paseo|plaza|rua|travessa|praça|alameda"
)
STREET_ENDINGS = (
    "straat|strasse|straße|str\\.|weg|vej|vejen|vegen|veien|vei|veg|gata|gatan|gaten|gade|gate"
    "|katu|kuja|tie|tien|polku|stien|sti|platz|allee|gasse|ring|damm|ufer|chaussee|steig|pfad"
    "|laan|plein|gracht|kade|dreef|steeg|singel|vägen|väg|gränd|stræti|vegur|braut|utca|útja"
    "|körút|tér|sor|iela|gatvė|tänav|ulica|ulice|cesta|trg|ulitsa|sokak|caddesi|bulvar\u0131"
    "|baan|bulevardi|kaari|rinne|raitti|väylä|stræde|plads|torv|vænget|torget|backen|stigen"
    "|bakken|grenda|gasse|straat|steenweg|lei|hof|markt|wall|zeile|promenade"
)
_UNIT = (
    r"(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Room|Rm\.?|Floor|Fl\.?|Bldg\.?|Building|#)"
    r"[ \t]*#?\d{1,5}[A-Za-z]?"
)
_UNIT_RE = lazy_regex(rf"(?i:{_UNIT})(?![\w])")
_BOX = (
    r"(?:P\.?[ \t]?O\.?[ \t]?Box|Post(?:al)?[ \t]?(?:Office[ \t])?Box|Postbox|Postfach|Apartado"
    r"|Caixa[ \t]Postal|Boîte[ \t]Postale|Skrytka[ \t]pocztowa)[ \t]+\d{1,6}"
    r"|(?:PSC|Unit|CMR)[ \t]+\d{1,5},?[ \t]+Box[ \t]+\d{1,5}"
    rf"|(?:USNS|USS|USNV|USCGC|HMS)[ \t]+{_CAP}(?:[ \t]+{_CAP})?"
    r"|(?:APO|FPO|DPO)[ \t]+(?:AA|AE|AP)[ \t]+\d{5}"
)

#: Streets, strongest shapes first. Each has a ``value`` group (the street line part).
_STREETS: tuple[tuple[re.Pattern[str], float], ...] = (
    (lazy_regex(rf"(?<![\w/.-])(?P<value>{_BOX})(?![\w])"), 0.85),
    (
        lazy_regex(
            rf"(?P<value>\d(?<![\w/.,-]\d)\d{{0,5}}[A-Za-z]?(?:[/-]\d{{1,4}}[A-Za-z]?)?"
            rf"(?:{_SP}{_NUM})?{_SP}(?:{_NAME_WORD}{_SP}){{0,4}}"
            rf"{_CAP}{_SP}(?:{STREET_TYPES})\.?(?:{_SP}(?:North|South|East|West|N|S|E|W|NE|NW|SE|SW)\b)?)"
            r"(?![\w-])",
        ),
        0.85,
    ),
    (
        lazy_regex(
            rf"(?<![\w/.-])(?P<value>(?:{STREET_PREFIXES}){_SP}"
            rf"(?:{_NAME_WORD}{_SP}){{0,5}}{_NAME_WORD}(?![°º])"
            rf"(?:,?{_SP}(?:N[°º]|No\.|nº|#|д\.|дом)?[ \t]*{_NUM})?)"
            r"(?![\w-])"
        ),
        0.8,
    ),
    (
        # "8, chemin Chantal Vasseur", "12 rue de la Paix", "5 via Roma": a house number, then a
        # street word in lower case (the French, Italian, Spanish, Portuguese way).
        lazy_regex(
            rf"(?<![\w/.,-])(?P<value>\d{{1,5}}[a-z]?,?{_SP}(?:{LOWER_STREET_PREFIXES}){_SP}"
            rf"(?:{_NAME_WORD}{_SP}){{0,5}}{_CAP})(?![\w-])"
        ),
        0.85,
    ),
    (
        lazy_regex(
            rf"(?P<value>\d(?<![\w/.,:+-]\d)\d{{0,5}}[A-Za-z]?{_SP}(?:{_TITLE_WORD}{_SP}){{0,3}}{_TITLE}"
            rf"{_SP}\d{{1,5}}[A-Za-z]?)(?=[ \t]*(?:[\n,;]|\Z|\.(?:[ \t]|\Z)))"
        ),
        0.75,
    ),
)
#: A street named without a house number: "Anderson Street", "Marina Fort Avenue".
_NAMED_STREET = lazy_regex(
    rf"(?<![\w/.-])(?P<value>(?:{_TITLE_WORD}{_SP}){{0,3}}{_TITLE}{_SP}"
    r"(?:Street|Avenue|Road|Lane|Boulevard|Drive|Court|Terrace|Parkway|Highway|Crescent|Alley"
    r"|Strasse|Straße|Straat))(?![\w-])"
)
#: A word then a house number ("Parijsstraat 8"), or a number then a word ("25 Hochstrasse"):
#: candidates for street-word endings, checked in Python (a regex over every ending is slow).
_WORD_THEN_NUMBER = lazy_regex(
    rf"(?P<word>{_L}(?<![\w-]{_L}){_L}{{2,}}(?:-{_L}{{2,}}){{0,3}})\.?{_SP}(?P<num>{_NUM})(?![\w-])"
)
_NUMBER_THEN_WORD = lazy_regex(
    rf"(?P<num>\d(?<![\w/.,:+-]\d)\d{{0,5}}[A-Za-z]?){_SP}(?P<word>{_L}{{3,}})(?![\w-])"
)
_ENDINGS = tuple(e.replace("\\.", ".") for e in STREET_ENDINGS.split("|"))

_ASCII_WORD = re.compile(r"[a-z]+")
#: Lower-case street words, ASCII part (``allée``, ``praça`` hold ``all``/``pra``… too).


_LOWER_PREFIX_WORDS = frozenset(
    w for p in LOWER_STREET_PREFIXES.replace("\\.", "").split("|") for w in _ASCII_WORD.findall(p)
)
_LOWER_PREFIXES_RE = LOWER_STREET_PREFIXES
#: Street-prefix literals, lower case (a substring test: some hold "." or "/").
_PREFIX_GATE = tuple(
    sorted({p.replace("\\.?", "").replace("\\.", ".").lower() for p in STREET_PREFIXES.split("|")})
)
#: Up to three street-name words and a house number before a street word (matched at the end).
_STREET_HEAD = lazy_regex(rf"(?:(?:{_NUM}){_SP})?(?:{_NAME_WORD}{_SP}){{0,3}}\Z")
#: Cheap gates: a regex only runs when one of its literal words is in the (lower-cased) text.
_BOX_GATE = (
    "box",
    "postfach",
    "apartado",
    "caixa",
    "boîte",
    "skrytka",
    "usns",
    "uss ",
    "usnv",
    "uscgc",
    "hms ",
    "apo ",
    "fpo ",
    "dpo ",
)
_CUE_GATE = (
    "live",
    "located",
    "reside",
    "moved",
    "ship",
    "deliver",
    "send",
    "mail",
    "taxi",
    "address",
    "it's",
    "its ",
)
#: Street words a street named without a house number ends with (lower case, for the gate).
_NAMED_GATE = (
    *("street", "avenue", "road", "lane", "boulevard", "drive", "court", "terrace", "parkway"),
    *("highway", "crescent", "alley", "strasse", "straße", "straat"),
)
#: Words every strong place cue holds ("lives in", "moved to", "originally from"…).
_PLACE_CUE_GATE = (
    *("live", "moved", "born", "based", "located", "from", "come", "street", "city", "town"),
    *("village", "year", "reside", "travel", "flew", "fly", "trip", "tribute"),
)
_TRANSFER_GATE = (
    "transfer",
    "admitted",
    "sent",
    "taken",
    "brought",
    "presented",
    "discharged",
    "d/c",
    "arrived",
    "return",
    "went",
    " go",
)
_FACILITY_GATE = ("hosp", "clinic", "medical", "med cent", "rehab", "infirmary", "nursing")
#: Capitalised words and a house number after an address cue ("lives at Maneeži 37").
_CUE_HEAD = (
    r"(?i:\b(?:lives?|living|lived|located|reside|resides|resided|moved|ship|deliver|send|mail"
    r"|taxi|address(?:[ \t]is)?|it'?s)[ \t]+(?:at|to|in|is|:)?[ \t]*"
    r"(?:the[ \t]+corner[ \t]+of[ \t]+)?)"
)
_CUED_STREET = lazy_regex(
    _CUE_HEAD + rf"(?P<value>(?:{_NUM}{_SP})?(?:{_NAME_WORD}{_SP}){{0,4}}{_CAP}{_SP}"
    r"\d{1,5}[A-Za-z]?)(?![\w.:/-])"
)
#: Street types that end a street written in lower case after an address cue.
_LOWER_TYPES = (
    "street|st|avenue|ave|road|rd|lane|ln|drive|boulevard|blvd|court|ct|place|pl|way|parkway"
    "|pkwy|highway|hwy|circle|cir|terrace|ter|trail|trl|crescent|close|square|sq"
)
#: An address cue, then a house number, up to three words and a street type, in lower case
#: ("i live at 12 main street", "ship to 1600 amphitheatre pkwy").
_CUED_LOWER_STREET = lazy_regex(
    _CUE_HEAD + r"(?P<value>\d{1,6}[a-z]?[ \t]+(?:[a-z][a-z'-]*\.?[ \t]+){0,3}"
    rf"(?:{_LOWER_TYPES})\.?(?![\w-])"
    # a unit: ", apt 3", " unit 4b", " #12"
    r"(?:,?[ \t]*(?:apt|apartment|unit|suite|ste|flat|#)\.?[ \t]*#?[a-z0-9-]{1,6}(?![\w-]))?)"
    # a town after it, in lower case too: kept only when it is a listed place
    r"(?:,?[ \t]+(?P<town>[a-z][a-z'-]+))?"
)
_STREET_TYPE_WORD = lazy_regex(rf"(?:{STREET_TYPES})\Z", re.IGNORECASE)

#: A component after a street: unit, "City", "City ST 12345", "Country 12345", postcode.
_POSTCODE = (
    r"(?:\d{4,6}(?:-\d{3,4})?|[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}|[A-Z]\d[A-Z][ \t]?\d[A-Z]\d"
    # PL 00-950, CZ/SK/SE/GR 931 64, NL 1234 AB
    r"|\d{2}-\d{3}|\d{3}[ \t]\d{2}(?![0-9])|\d{4}[ \t]?[A-Z]{2}(?![A-Za-z]))"
)
# A word of a place name: a period only after a short abbreviation ("St.", "Ft.").
_PLACE_WORD = (
    rf"(?:[{UPPER}]{_L}{{0,2}}\.|[{UPPER}]{_L}*(?:['\u2019-]{_L}+)*"
    r"|(?:de|del|della|di|da|do|dos|das|du|des|la|le|les|van|von|der|den|el|al|y|e|i|na|nad|am"
    r"|an|im|auf|sur|sous|en|upon|on|under)(?=[ \t]))"
)
_PLACE_WORDS = rf"(?:{_PLACE_WORD}|nan)(?:[ \t]+(?:{_PLACE_WORD}|\(\w+\)))*"
_COMPONENT = lazy_regex(
    rf"(?P<unit>{_UNIT})(?![\w])"
    rf"|(?P<place>{_PLACE_WORDS})(?:[ \t]*,?[ \t]+(?P<post>{_POSTCODE}))?(?![\w])"
    rf"|(?P<postonly>{_POSTCODE})(?:[ \t]+(?P<city>{_PLACE_WORDS}))?(?![\w])",
)
_US_STATES = frozenset(
    _words(
        "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
        "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP AA AE AP "
        "ON QC BC AB MB SK NS NB NL PE YT NT NU NSW VIC QLD TAS ACT"
    )
)

#: Cues before a place name; the strong ones also take an unlisted capitalised word.
_PLACE_CUE = lazy_regex(
    r"(?i:\b(?:in|from|to|at|near|visit|visiting|visited|via|across|around|outside|inside"
    r"|toward|towards|into))[ \t]+(?:the[ \t]+)?\Z"
)
_STRONG_PLACE_CUE = lazy_regex(
    r"(?i:\b(?:lives?[ \t]+in|living[ \t]+in|lived[ \t]+in|live[ \t]+in|moved[ \t]+to|born[ \t]+in"
    r"|based[ \t]+in|located[ \t]+in|originally[ \t]+from|i'?m[ \t]+from|i[ \t]+am[ \t]+from"
    r"|comes?[ \t]+from|street[ \t]+in|city[ \t]+of|town[ \t]+of|village[ \t]+of"
    r"|year[ \t]+in|reside[ \t]+in|resides[ \t]+in|travel(?:l?ed|l?ing)?[ \t]+to"
    r"|flew[ \t]+to|fly(?:ing)?[ \t]+to|trip[ \t]+to|tribute[ \t]+(?:here[ \t]+)?to))"
    r"[ \t]+(?:the[ \t]+)?\Z"
)
#: The same cues, matched forward on lower-case text (no leading ``\b``, so that the scan can
#: skip on the first letter): a candidate starting where one ends is cued.
_STRONG_PLACE_CUE_AT = lazy_regex(
    _STRONG_PLACE_CUE.pattern.replace(r"(?i:\b(?:", "(?:(?<![a-z])(?:").replace(r"\Z", "(?=\\S)")
)
#: Facility words: the capitalised words before them name a hospital or clinic.
_FACILITY_WORD = lazy_regex(
    r"(?i:(?<=[ \t])(?:hospital|hosp\b\.?|medical[ \t]+cent(?:er|re)|med[ \t]+cent(?:er|re)"
    r"|clinic|infirmary|nursing[ \t]+home|rehab\b))"
)
_FACILITY_HEAD = lazy_regex(
    rf"(?<![\w])(?P<value>(?:(?:St\.?|Saint|ST\.?){_SP})?(?:{_CAP}{_SP}){{0,2}}{_CAP})"
    r"(?:'s)?[ \t]+\Z"
)
#: A transfer verb, then a facility: an acronym or unlisted capitalised word, maybe a number.
_TRANSFER = lazy_regex(
    r"(?i:\b(?:transferred|transfered|transfer|transferring|admitted|sent|taken|brought"
    r"|presented|discharged|d/c'?d|arrived|returned|return|readmitted|went|go|going)"
    r"[ \t]+(?:back[ \t]+)?(?:to|from|at)[ \t]+(?:the[ \t]+)?)"
    rf"(?P<value>[{UPPER}]{_L}+(?:[ \t]+[{UPPER}]{_L}+)?)(?![/\w])"
)
#: Hospital units and clinical words that follow transfer verbs but are not places.
_NOT_FACILITY = frozenset(
    _words(
        """
    icu micu sicu ccu csru nicu picu pacu cvicu ctic tsicu or er ed ew ir ep cath lab ct mri
    floor home rehab unit room bed ward hospital hosp service team dr md pt pts patient
    the a an his her their this that same other another next previous prior outside
    osh neuro cardiac cardiology medicine surgery surgical oncology ortho radiology dialysis
    hd cvu tsicu vicu stepdown telemetry tele pcu ecu ccu ep endoscopy gi bronch echo
    """
    )
)


class LocationDetector(PatternDetector):
    """Street addresses, address blocks, places and facilities, as ``LOCATION``.

    Args:
        lexicon: name, word and place lists; detectors built by one policy share one.
    """

    entity = "LOCATION"
    # A digit, a capitalised word, a non-ASCII letter (``Zürich``), or a street prefix /
    # transfer verb in lower case.
    trigger = (
        r"[0-9]|\b[A-Z][A-Za-z]|[^\x00-\x7f]"
        r"|\b(?:rue|rua|via|calle|ul\.|transfer|admitted|hosp|from|in)\b"
    )
    score = 0.85

    def __init__(self, lexicon: Lexicon | None = None) -> None:
        super().__init__()
        self.lexicon = lexicon if lexicon is not None else shared_lexicon()
        self._gates = self.shared_scan = address_gates()
        self._place_plans: dict[str, tuple[tuple[int, int, tuple[str, ...], str], ...]] = {}

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield LOCATION findings in ``text``."""
        taken = _Taken()
        if " " not in text and "\t" not in text:
            # Streets, facilities, transfers and place cues all hold a space or tab: a string
            # without one (an id, a timestamp, a one-word value) can only be a listed place.
            yield from self._places(text, text, taken, cue_gate=False)
            return
        lower = text.lower()
        gates, at = self._gates.scan(lower, text.isascii())
        if not gates.isdisjoint(_STREET_GATES) and _DIGIT.search(text) is not None:
            for start, end, score in self._streets(text, gates, at):
                if _overlaps(taken, start, end):
                    continue
                taken.append((start, end))
                unit = _UNIT_BEFORE.search(text, max(0, start - 16), start)
                if unit is not None and not _overlaps(taken, unit.start(1), unit.end(1)):
                    taken.append(unit.span(1))
                    yield Finding(unit.start(1), unit.end(1), self.entity, 0.9, self.name)
                yield Finding(start, end, self.entity, score, self.name)
                yield from self._components(text, end, taken)
        if "named" in gates:
            for m in finditer_at(_NAMED_STREET, text, _named_starts(text)):
                start, end = m.span("value")
                if not _overlaps(taken, start, end) and self._street_ok(text, start, end):
                    taken.append((start, end))
                    yield Finding(start, end, self.entity, 0.6, self.name)
        cues = anchored(at, "place_cue")
        yield from self._places(text, lower, taken, "place_cue" in gates, cues)
        if "facility" in gates:
            yield from self._facilities(text, taken, anchored(at, "facility"))
        if "transfer" in gates:
            yield from self._transfers(text, taken, anchored(at, "transfer"))

    def _streets(
        self, text: str, gates: frozenset[str], at: Mapping[str, Sequence[int]] | None
    ) -> Iterator[tuple[int, int, float]]:
        """Street candidates ``(start, end, score)``, strongest shapes first (``at``: where the
        anchored regexes can start, see :func:`address_gates`)."""
        # The street regexes are long alternations that Python's ``re`` tries at every
        # position; cheap necessary conditions skip them on most strings, and where one opens,
        # a regex is tried only where a match can start (see ``_box_starts``, ``_numbers``).
        numbers: list[int] | None = None
        for i, (regex, score) in enumerate(_STREETS):
            if i == 0 and "box" not in gates:
                continue
            if i == 1 and "typed" not in gates:
                continue
            if i == 2 and "prefix" not in gates:
                continue
            if i == 3 and "lower_prefix" not in gates:
                continue
            if i == 4 and "numbered" not in gates:
                continue
            # Number, words, number (no street word to vouch for it), or a plain phrase before
            # a street type ("5 Key Points"): the words must not all be dictionary words.
            if i == 0:
                starts: Sequence[int] | None = _box_starts(text)
            elif i == 2:
                starts = anchored(at, "prefix")
            else:
                if numbers is None:
                    numbers = _numbers(text)
                starts = numbers
            for m in finditer_at(regex, text, starts):
                start, end = m.span("value")
                if i == 4 and not self._street_ok(text, start, end):
                    continue
                if (i == 3 or (i == 1 and _WEAK_TYPE_END.search(text, start, end))) and (
                    not self._named(text, start, end)
                ):
                    continue
                found = score
                if i == 2:  # a street prefix: take a house number before it
                    head = _NUMBER_BEFORE.search(text, max(0, start - 12), start)
                    if head is not None:
                        start = head.start()
                    if head is not None or _HAS_DIGIT.search(text, start, end):
                        found = 0.85  # "Rua X 12", "8, chemin Y": as sure as a street type
                yield start, end, found
        if "endings" in gates:
            for m in _words_then_number(text):
                if m.group("word").lower().endswith(_ENDINGS) and not self._plain(m.group("word")):
                    head = _STREET_HEAD.search(text, max(0, m.start() - 60), m.start())
                    start = head.start() if head is not None else m.start()
                    yield start, m.end(), 0.85
            if numbers is None:
                numbers = _numbers(text)
            for m in finditer_at(_NUMBER_THEN_WORD, text, numbers):
                if m.group("word").lower().endswith(_ENDINGS) and not self._plain(m.group("word")):
                    yield m.start(), m.end(), 0.85
        if "cue" not in gates:
            return
        for m in finditer_at(_CUED_STREET, text, anchored(at, "cue")):
            if self._street_ok(text, m.start("value"), m.end("value")):
                yield m.start("value"), m.end("value"), 0.7
        for m in finditer_at(_CUED_LOWER_STREET, text, anchored(at, "cue")):
            town = m.group("town")
            listed = town is not None and self.lexicon.flags(town) & PLACE
            yield m.start("value"), m.end("town") if listed else m.end("value"), 0.7

    def _plain(self, word: str) -> bool:
        """A dictionary word that is not a name: "string", "during", "delegate"."""
        f = self.lexicon.flags(word)
        return bool(f & (WORD | STOP)) and not f & (GIVEN | SURNAME)

    def _not_facility(self, word: str) -> bool:
        return word.lower() in _NOT_FACILITY or bool(self.lexicon.flags(word) & STOP)

    def _street_ok(self, text: str, start: int, end: int) -> bool:
        """Reject quantities and headings that have a street's shape ("Chapter 3 Section 5")."""
        value = text[start:end]
        words = [w for w in _WORDS.findall(value) if not _STREET_TYPE_WORD.match(w)]
        return (
            not words or not all(self._plain(w) for w in words) or bool(_PREFIX_ONLY.match(value))
        )

    def _named(self, text: str, start: int, end: int) -> bool:
        """Whether the street's name (its words but the street word) holds a word that is not
        a dictionary word: "44333 Omair Squares", not "5 Key Points" or "5 place Orders"."""
        words = _WORDS.findall(text, start, end)
        if _WEAK_TYPE_END.search(text, start, end):
            words = words[:-1]
        words = [w for w in words if w.lower() not in _LOWER_PREFIX_WORDS]
        return any(not self._plain(w) for w in words)

    # -- components after a street ---------------------------------------------------------

    def _components(self, text: str, pos: int, taken: _Taken) -> Iterator[Finding]:
        """Units, cities, regions, countries and postcodes after a street ending at ``pos``.

        Components are separated by commas, line breaks (one blank line and bullets allowed)
        or, for units, postcodes and listed places, by spaces; anything else ends the address.
        """
        n = len(text)
        lines = 0
        while pos < n:
            sep = _SEPARATOR.match(text, pos)
            if sep is None:
                return
            newlines = sep.group().count("\n")
            if newlines:
                lines += 1
                if newlines > 2 or lines > 5:
                    return
            spaced = not newlines and "," not in sep.group()
            pos = sep.end()
            m = _COMPONENT.match(text, pos)
            if m is None or m.end() == pos or not _BOUNDARY.match(text, m.end()):
                return
            found = list(self._component(text, m, spaced, bool(newlines)))
            if not found:
                return
            for f in found:
                if not _overlaps(taken, f.start, f.end):
                    taken.append((f.start, f.end))
                    yield f
            pos = m.end()

    def _ends_in_country(self, words: list[str]) -> bool:
        places = self.lexicon.places
        return any(
            places.get(" ".join(w.lower() for w in words[-k:])) == COUNTRY
            for k in (1, 2, 3)
            if k < len(words)
        )

    def _strong_next_line(self, text: str, pos: int) -> bool:
        """Whether the next line holds a listed place or a postcode."""
        m = _NEXT_LINE.match(text, pos)
        if m is None:
            return False
        line = m.group(1)
        words = _WORDS.findall(line)
        places = self.lexicon.places
        return bool(_POSTCODE_RE.search(line)) or any(
            " ".join(w.lower() for w in words[:k]) in places for k in (1, 2, 3)
        )

    def _component(
        self, text: str, m: re.Match[str], spaced: bool, newline: bool
    ) -> Iterator[Finding]:
        if m.group("unit"):
            yield Finding(m.start(), m.end(), self.entity, 0.9, self.name)
            return
        if m.group("postonly"):
            # "73513 Berchtesgaden", "42-649 Poznań": a postcode, then its town.
            yield Finding(m.start(), m.end("postonly"), self.entity, 0.9, self.name)
            city = m.group("city")
            if city and not all(self.lexicon.flags(w) & STOP for w in _WORDS.findall(city)):
                yield Finding(m.start("city"), m.end("city"), self.entity, 0.9, self.name)
            return
        place = m.group("place")
        words = _WORDS.findall(place)
        if not words or len(words) > 5:
            return
        places = self.lexicon.places
        key = " ".join(w.lower() for w in words)
        known = key in places
        if spaced and not known and not m.group("post") and not self._ends_in_country(words):
            return
        # A line of dictionary words ("Please call me") is not a place, unless it is one or it
        # is a short capitalised line followed by a listed place or a postcode ("West Brook").
        if (
            not known
            and all(self.lexicon.flags(w) & (WORD | STOP) for w in words)
            and not (len(words) == 1 and words[0] in _US_STATES)
            and not (
                newline
                and len(words) <= 3
                and all(w[0].isupper() for w in words)
                and self._strong_next_line(text, m.end())
            )
        ):
            return
        pstart, pend = m.span("place")
        post = m.group("post")
        if not known and len(words) > 1:
            # "Ebermannsdorf Belarus", "Soloi Cyprus": a city, then a listed country.
            for k in (3, 2, 1):
                tail = " ".join(w.lower() for w in words[-k:])
                if k < len(words) and places.get(tail) == COUNTRY:
                    cut = pend
                    for _ in range(k):
                        cut = text.rfind(" ", pstart, cut)
                    city_end = cut
                    while city_end > pstart and text[city_end - 1] in " \t,":
                        city_end -= 1
                    yield Finding(pstart, city_end, self.entity, 0.9, self.name)
                    yield Finding(cut + 1, pend, self.entity, 0.9, self.name)
                    if post:
                        yield Finding(m.start("post"), m.end("post"), self.entity, 0.9, self.name)
                    return
        if post and words[-1] in _US_STATES and len(words) > 1:
            # "Springfield IL 62704": city, then state and ZIP.
            cut = text.rfind(words[-1], pstart, pend)
            city_end = cut
            while city_end > pstart and text[city_end - 1] in " \t,":
                city_end -= 1
            yield Finding(pstart, city_end, self.entity, 0.9, self.name)
            yield Finding(cut, m.end("post"), self.entity, 0.9, self.name)
            return
        yield Finding(pstart, pend, self.entity, 0.9, self.name)
        if post:
            yield Finding(m.start("post"), m.end("post"), self.entity, 0.9, self.name)

    # -- places --------------------------------------------------------------------------------

    def _places(
        self,
        text: str,
        lower: str,
        taken: _Taken,
        cue_gate: bool = True,
        cues: Sequence[int] | None = None,
    ) -> Iterator[Finding]:
        runs = capital_runs(text)
        if not runs:
            return  # places are found in runs only, cued or not
        cued: set[int] = set()
        if cue_gate and (cues is None or cues):  # ``()``: no cue's first word in the string
            cue_text = lower if len(lower) == len(text) else text
            cued = {m.end() for m in finditer_at(_STRONG_PLACE_CUE_AT, cue_text, cues)}
        ends = sorted(cued)  # a run holds a cue when one ends inside it: a bisect per run
        plans = self._place_plans
        for base, run in runs:
            if cued and _any_within(ends, base, base + len(run)):
                found = self._cued_places(text, base, run, cued)
            else:
                plan = plans.get(run)
                if plan is None:
                    plan = self._place_plan(run)
                    if len(plans) >= _MAX_PLANS:
                        plans.clear()
                    plans[run] = plan
                if not plan:
                    continue
                found = (
                    (base + s, base + e, self._place_score(text, base + s, base + e, words, kind))
                    for s, e, words, kind in plan
                )
            for start, end, score in found:
                if score >= 0.3 and not _overlaps(taken, start, end):
                    taken.append((start, end))
                    yield Finding(start, end, self.entity, min(score, 1.0), self.name)

    def _place_plan(self, run: str) -> tuple[tuple[int, int, tuple[str, ...], str], ...]:
        """The listed places of a run with no cue in it, longest first from each word:
        ``(start, end, words, kind)`` relative to the run. It depends on the run's text alone,
        so each distinct run is looked up once (runs repeat across strings)."""
        if " " not in run and "\t" not in run and "," not in run:
            # One token, so one word (and maybe a period): "Paris", "St.", "Foo-Bar".
            word = run[:-1] if run.endswith(".") else run
            kind = self.lexicon.places.get(word.lower(), "")
            return ((0, len(word), (word,), kind),) if kind else ()
        if self.lexicon.place_words.isdisjoint(
            run.lower().replace(",", " ").replace(".", " ").split()
        ):
            return ()
        places = self.lexicon.places
        lengths = self.lexicon.place_lengths
        words = list(_WORDS.finditer(run))
        keys = [w.group().lower() for w in words]
        found = []
        i, n = 0, len(words)
        while i < n:
            # Longest listed place starting at word i (up to 4 words; none when no listed place
            # starts with this word).
            for k in range(min(4, n - i, lengths.get(keys[i], 0)), 0, -1):
                kind = places.get(" ".join(keys[i : i + k]), "")
                if kind:
                    group = tuple(w.group() for w in words[i : i + k])
                    found.append((words[i].start(), words[i + k - 1].end(), group, kind))
                    i += k
                    break
            else:
                i += 1
        return tuple(found)

    def _cued_places(
        self, text: str, base: int, run: str, cued: set[int]
    ) -> Iterator[tuple[int, int, float]]:
        """Places of a run in which a strong place cue ends (``from Gargara``): listed places,
        and unlisted capitalised words right after the cue."""
        places = self.lexicon.places
        words = list(_WORDS.finditer(run))
        i = 0
        while i < len(words):
            # Longest listed place starting at word i (up to 4 words).
            hit = 0
            kind = ""
            for k in range(min(4, len(words) - i), 0, -1):
                key = " ".join(w.group().lower() for w in words[i : i + k])
                kind = places.get(key, "")
                if kind:
                    hit = k
                    break
            start = base + words[i].start()
            if hit:
                end = base + words[i + hit - 1].end()
                group = tuple(w.group() for w in words[i : i + hit])
                yield start, end, self._place_score(text, start, end, group, kind)
                i += hit
            elif start in cued and not self.lexicon.flags(words[i].group()) & (WORD | STOP):
                # An unlisted capitalised word right after a strong cue: "from Gargara".
                j = i + 1
                while j < len(words) and not self.lexicon.flags(words[j].group()) & (WORD | STOP):
                    j += 1
                yield start, base + words[j - 1].end(), 0.6
                i = j
            else:
                i += 1

    def _place_score(
        self, text: str, start: int, end: int, words: tuple[str, ...], kind: str
    ) -> float:
        tokens = self.lexicon.tokens
        first = words[0]
        f = tokens.get(first.lower(), 0) if len(words) == 1 else 0
        ambiguous = bool(f & (WORD | STOP | GIVEN | SURNAME))
        if first.isupper() and len(first) <= 3:
            return 0.0  # "US", "UK", "IN": acronyms are too ambiguous without an address
        score = 0.6 if kind == COUNTRY else 0.45
        if ambiguous:
            score -= 0.2
        if first.isupper():
            score -= 0.3  # ALL CAPS: "AROUND ALOT" is no place
        if not _cue_word_before(text, start):
            pass
        elif _STRONG_PLACE_CUE.search(text, max(0, start - 30), start):
            score += 0.4
        elif _PLACE_CUE.search(text, max(0, start - 16), start):
            score += 0.3 if not ambiguous or kind == COUNTRY else 0.15
        return score

    # -- facilities ------------------------------------------------------------------------

    def _facilities(self, text: str, taken: _Taken, at: Sequence[int] | None) -> Iterator[Finding]:
        for fac in finditer_at(_FACILITY_WORD, text, at):
            m = _FACILITY_HEAD.search(text, max(0, fac.start() - 48), fac.start())
            if m is None:
                continue
            start, end = m.span("value")
            words = list(_WORDS.finditer(m.group("value")))
            # Drop leading function words and clinical words: "TRANSFERRED TO GH HOSPITAL".
            while words and self._not_facility(words[0].group()):
                words.pop(0)
            if not words or self._not_facility(words[-1].group()):
                continue
            start += words[0].start()
            if not _overlaps(taken, start, end):
                taken.append((start, end))
                yield Finding(start, end, self.entity, 0.7, self.name)

    def _transfers(self, text: str, taken: _Taken, at: Sequence[int] | None) -> Iterator[Finding]:
        for m in finditer_at(_TRANSFER, text, at):
            start, end = m.span("value")
            words = _WORDS.findall(m.group("value"))
            first = words[0]
            f = self.lexicon.tokens.get(first.lower(), 0)
            if first.lower() in _NOT_FACILITY or f & (WORD | STOP):
                continue
            if first.isupper() and not 2 <= len(first) <= 12:
                continue
            if len(words) > 1:
                f2 = self.lexicon.tokens.get(words[1].lower(), 0)
                if words[1].lower() in _NOT_FACILITY or f2 & (WORD | STOP):
                    end = start + len(first)
            if not _overlaps(taken, start, end):
                taken.append((start, end))
                yield Finding(start, end, self.entity, 0.65, self.name)


_DIGIT = re.compile(r"\d")
_HAS_DIGIT = _DIGIT
_NUMBER_BEFORE = lazy_regex(rf"(?<![\w/.,:+-]){_NUM}[ \t]+\Z")
_UNIT_BEFORE = lazy_regex(rf"(?<![\w])({_UNIT})[ \t]+\Z")
_NEXT_LINE = lazy_regex(
    r"[ \t]*\n(?:[ \t]*\n)?[ \t]*(?:[?*•·>|-]+[ \t]+)?(?:,[ \t]*)?([^\n]{1,60})"
)
_POSTCODE_RE = lazy_regex(rf"(?<![\w]){_POSTCODE}(?![\w])")
_WORDS = re.compile(rf"{_L}+(?:['\u2019-]{_L}+)*")
#: Between components: spaces, a comma, or line breaks then bullets.
_SEPARATOR = lazy_regex(
    r"[ \t]*(?:,[ \t]*|(?:\n[ \t]*)+(?:[?*•·>|-]+[ \t]+)?(?:,[ \t]*)?|(?<=[ \t]))"
)
#: A component ends at the end of the text or a line, or before , . ; ) or spaces.
_BOUNDARY = lazy_regex(r"\Z|[\n,.;)!?]|[ \t]")
_PREFIX_ONLY = lazy_regex(rf"(?:{_NUM}{_SP})?(?:{STREET_PREFIXES})")


#: Where a street regex that starts with a house number (``_STREETS[1]``, ``[3]``, ``[4]``,
#: ``_NUMBER_THEN_WORD``) can start: a digit not after a word character or one of ``/.,-``
#: (each regex's lookbehind excludes these, some more), its number's shape, then spaces, maybe
#: a second number (``_STREETS[1]``) and spaces, then a letter (each regex has a word there).
#: The number it consumes starts no other match (digits, letters, ``/``, ``-`` and commas are
#: excluded by the lookbehinds), so ``finditer`` reports every such start.
_NUMBER_START = re.compile(
    r"\d(?<![\w/.,-]\d)\d*[A-Za-z]?(?:[/-]\d+[A-Za-z]?)?,?"
    r"(?=[ \t]+(?:\d+[A-Za-z]?(?:[/-]\d+[A-Za-z]?)?[ \t]+)?[^\W\d_])"
)
#: Where ``_STREETS[0]`` (a PO box, a military address) can start: the first letter of one of
#: ``_BOX``'s alternatives, not after a word character or ``/.-`` (its lookbehind).
_BOX_START = re.compile(r"[PACBSUHFD](?<![\w/.-][PACBSUHFD])")
#: A space or tab, then a digit: where the house number of ``_WORD_THEN_NUMBER`` can begin.
_SPACE_DIGIT = re.compile(r"[ \t]\d")
#: The longest street-word ending: a word that ends with one ends so in the last this many
#: characters (lower-casing maps one character to at most three).
_ENDING_SPAN = 3 * max(map(len, _ENDINGS))


def _numbers(text: str) -> list[int]:
    """The offsets where a house-number street regex can start in ``text`` (``_NUMBER_START``)."""
    return [m.start() for m in _NUMBER_START.finditer(text)]


def _box_starts(text: str) -> list[int]:
    """The offsets where ``_STREETS[0]`` can start in ``text`` (``_BOX_START``)."""
    return [m.start() for m in _BOX_START.finditer(text)]


def _words_then_number(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_WORD_THEN_NUMBER`` whose word can end with a street-word ending.

    ``_WORD_THEN_NUMBER.finditer`` tries every position; a match is a word, maybe a period,
    spaces and a number, and no other match can start inside one (its letters follow letters or
    hyphens, its number's letters follow digits). So each match is the one found at the start of
    its word: for each space-then-digit, the word before it is looked at (cheaply first: whether
    the characters before it end with a street-word ending at all), and the regex tried at its
    start. The caller still checks the word itself.
    """
    n = 0
    for m in _SPACE_DIGIT.finditer(text):
        end = m.start()
        if end < n:
            continue
        while end and text[end - 1] in " \t":
            end -= 1
        if end and text[end - 1] == ".":
            end -= 1
        if not end or not text[end - 1].isalpha():
            continue  # a number, a symbol: every ending ends with a letter
        if not text[max(0, end - _ENDING_SPAN) : end].lower().endswith(_ENDINGS):
            continue
        start = end
        while start and (text[start - 1] == "-" or _is_letter(text[start - 1])):
            start -= 1
        found = _WORD_THEN_NUMBER.match(text, start)
        if found is not None:
            n = found.end()
            yield found


def _named_starts(text: str) -> list[int]:
    """The offsets where ``_NAMED_STREET`` can start in ``text``.

    A match is up to four words (letters, apostrophes, hyphens, periods) separated by spaces or
    tabs, then a street word of ``_NAMED_WORDS``: walking back from each occurrence of one, the
    start of each of the four words before it, and any place in them right after an apostrophe
    (``O'Brien``: the regex's lookbehind allows a start there).
    """
    starts: set[int] = set()
    for street in _NAMED_END.finditer(text):
        # One pass over the street words that end a word (the regex ends with ``(?![\w-])``:
        # "Roadmap", "Drives" end no match); no street word is a suffix of another, so no
        # occurrence that can end a match overlaps another.
        pos = street.start()
        for _ in range(4):
            end = pos
            while end and text[end - 1] in " \t":
                end -= 1
            if end == pos:
                break  # not after a space or tab: no word of the street's name before
            start = end
            while start and (text[start - 1] in _NAME_CHARS or _is_letter(text[start - 1])):
                start -= 1
            if start == end:
                break
            starts.add(start)
            starts.update(j + 1 for j in range(start, end) if text[j] in _APOSTROPHES)
            pos = start
    return sorted(starts)


#: What the words of a street's name hold besides letters.
_NAME_CHARS = "'\u2019-."
_APOSTROPHES = "'\u2019"


#: The last word of every place cue (``_PLACE_CUE``, ``_STRONG_PLACE_CUE``), or ``the``.
_PLACE_CUE_ENDS = frozenset(
    _words(
        "in to from of the at near visit visiting visited via across around outside inside "
        "toward towards into"
    )
)


def _cue_word_before(text: str, start: int) -> bool:
    """Whether a place cue can end right before ``start``: each ends with a word of
    ``_PLACE_CUE_ENDS`` then spaces or tabs. The cue regexes try every position of a window;
    most places have no cue, and the word before them is looked at first. A non-ASCII word
    is left to the regexes (their case folding matches dotless ``\u0131`` to ``i``)."""
    end = start
    while end and text[end - 1] in " \t":
        end -= 1
    if end == start:
        return False
    i = end
    while i and end - i <= 12 and text[i - 1].isalpha():
        i -= 1
    if i and end - i > 12 and text[i - 1].isalpha():
        return False  # a word longer than any cue's: no boundary before the cue's word
    word = text[i:end]
    return not word.isascii() or word.lower() in _PLACE_CUE_ENDS


def _any_within(sorted_offsets: Sequence[int], start: int, end: int) -> bool:
    """Whether one of ``sorted_offsets`` lies in ``[start, end)``."""
    i = bisect.bisect_left(sorted_offsets, start)
    return i < len(sorted_offsets) and sorted_offsets[i] < end


def _is_letter(char: str) -> bool:
    r"""``[^\W\d_]`` for one character: a word character that is not a decimal digit."""
    return char.isalnum() and not char.isdecimal()


#: The gates of :meth:`LocationDetector._streets`: with none open, it finds nothing.
_STREET_GATES = frozenset({"box", "typed", "prefix", "lower_prefix", "numbered", "endings", "cue"})

#: Distinct runs whose places are remembered (then the memo starts over).
_MAX_PLANS = 1 << 16


class _Taken:
    """Disjoint spans already reported, sorted: overlap tests in O(log n), so that a long text
    with thousands of places stays linear (a list scan made it quadratic)."""

    __slots__ = ("_ends", "_starts")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._ends, start + 1)  # first span ending after ``start``
        return i < len(self._starts) and self._starts[i] < end

    def append(self, span: tuple[int, int]) -> None:
        """Add ``span``; callers add only spans that overlap none already taken."""
        i = bisect.bisect_left(self._starts, span[0])
        self._starts.insert(i, span[0])
        self._ends.insert(i, span[1])


def _overlaps(taken: _Taken, start: int, end: int) -> bool:
    return taken.overlaps(start, end)


#: Title case street words, one of which every street named without a house number holds.
_NAMED_WORDS = (
    *("Street", "Avenue", "Road", "Lane", "Boulevard", "Drive", "Court", "Terrace", "Parkway"),
    *("Highway", "Crescent", "Alley", "Strasse", "Straße", "Straat"),
)


#: A street word of ``_NAMED_WORDS`` where a ``_NAMED_STREET`` match can end.
_NAMED_END = re.compile(rf"(?:{'|'.join(_NAMED_WORDS)})(?![\w-])")


def _prefix_literals(alternation: str) -> tuple[str, ...]:
    """The ASCII alternatives of a street-prefix alternation as lower-case literals (``\\.?``
    gives both forms)."""
    out: list[str] = []
    for alt in alternation.split("|"):
        forms = (alt.replace("\\.?", ""), alt.replace("\\.?", ".")) if "\\.?" in alt else (alt,)
        out.extend(f.replace("\\.", ".").lower() for f in forms if f.isascii())
    return tuple(dict.fromkeys(out))


#: Where the regexes tried only at anchors can start, in lower-cased ASCII text: each regex
#: begins with one of these literals (a superset is fine: the regex decides). The tests check
#: every match of each regex starts at an anchor.
_ANCHORS: dict[str, tuple[Anchor, ...]] = {
    # _STREETS[2]: (?<![\w/.-]) then a street prefix, then spaces.
    "prefix": tuple(Anchor(p, r"\b", r"[ \t]") for p in _prefix_literals(STREET_PREFIXES)),
    # _CUED_STREET: \b, a cue word, then spaces.
    "cue": tuple(
        Anchor(w, r"\b", r"[ \t]")
        for w in (
            *("live", "lives", "living", "lived", "located", "reside", "resides", "resided"),
            *("moved", "ship", "deliver", "send", "mail", "taxi", "address", "it's", "its"),
        )
    ),
    # _STRONG_PLACE_CUE_AT (on lower-cased text): (?<![a-z]) then the cue's first word.
    "place_cue": (
        *(Anchor(w) for w in ("liv", "moved", "born", "based", "located", "originally")),
        *(Anchor(w, after=r"[ \t]") for w in ("i'm", "im", "i")),
        *(Anchor(w) for w in ("come", "street", "city", "town", "village", "year", "reside")),
        *(Anchor(w) for w in ("travel", "flew", "fly", "trip", "tribute")),
    ),
    # _FACILITY_WORD: a space or tab, then a facility word.
    "facility": tuple(
        Anchor(w, r"[ \t]") for w in ("hosp", "med", "clinic", "infirmary", "nursing", "rehab")
    ),
    # _TRANSFER: \b, a transfer verb, then spaces.
    "transfer": tuple(
        Anchor(w, r"\b", r"[ \t]")
        for w in (
            *("transferred", "transfered", "transfer", "transferring", "admitted", "sent"),
            *("taken", "brought", "presented", "discharged", "d/c'd", "d/cd", "arrived"),
            *("returned", "return", "readmitted", "went", "go", "going"),
        )
    ),
}


#: The person detector's: a lower-case cue then a lower-case word (matched on lower-cased
#: text, in the gate scan).
#: The person detector's cues for lower-case names ("dr green", "husband jim", "hi maria"),
#: lower case, in the order its regex tries them: its regex, its prefilter trigger, the gate
#: and the gate's anchors below are all written from this one list.
LOWER_CUES = (
    "dr", "mr", "mrs", "ms", "prof", "son", "daughter", "wife", "husband", "mother", "father",
    "sister", "brother", "niece", "nephew", "grandson", "granddaughter", "grandaughter",
    "girlfriend", "boyfriend", "friend", "proxy", "my name is", "name is", "named", "i'm", "im",
    "i am", "hi", "hello", "hey", "dear", "thanks", "thank you", "regards", "cheers", "this is",
)  # fmt: skip
#: The cues as one alternation (letters, spaces and apostrophes: nothing to escape).
LOWER_CUE_ALTERNATION = "|".join(LOWER_CUES)
LOWER_CUE_HINT = rf"\b(?:{LOWER_CUE_ALTERNATION})\b\.?[ \t]*[,:-]?[ \t]*(?:\r?\n[ \t]*)?[a-z]"
#: Where the person detector's ``_LOWER`` can start: (?<![\w<]) then a cue, then \b.
LOWER_ANCHORS = tuple(Anchor(cue, r"\b", r"\b") for cue in LOWER_CUES)


#: A house number in the gates (lower-cased text): digits, maybe a letter and a ``/12b`` or
#: ``-3`` part, as the street regexes' numbers (``4B Kiannonkatu``, ``12/3 Main Street``).
_GATE_NUM = r"[0-9][a-z]?(?:[/-][0-9]{1,4}[a-z]?)?"


def address_gates(backend: str = "auto") -> Gates:
    """The address and person detectors' gates, compiled once per process and shared: both
    detectors scan the same strings, and :meth:`Gates.scan` answers the second from the
    first's scan."""
    return _gates(backend)


@functools.cache
def _gates(backend: str) -> Gates:
    return Gates(
        {
            "box": _BOX_GATE,
            "prefix": _PREFIX_GATE,
            "facility": _FACILITY_GATE,
            "transfer": _TRANSFER_GATE,
            "named": _NAMED_GATE,
            "place_cue": _PLACE_CUE_GATE,
        },
        {
            # A house number, then a street type on the same line ("12 Oak Ridge Dr").
            "typed": (rf"{_GATE_NUM}[ \t][^\n]{{0,120}}\b(?:{STREET_TYPES.lower()})\b", None),
            # A number, words, a number ending a line or clause ("172 Maneeži 75,").
            "numbered": (
                rf"{_GATE_NUM}[ \t]+[^ \t\n0-9][^\n]{{0,120}}"
                r"[ \t][0-9]{1,5}[a-z]?[ \t]*(?:[\n,;.]|$)",
                None,
            ),
            # A street-word ending then a house number, or a house number then such a word.
            "endings": (
                rf"(?:{STREET_ENDINGS})\.?[ \t]+[0-9]"
                rf"|{_GATE_NUM}[ \t]+[^ \t\n]{{0,40}}(?:{STREET_ENDINGS})",
                "|".join(re.escape(e) for e in _ENDINGS),
            ),
            # An address cue, then a number further on the line ("lives at Maneeži 37").
            "cue": (
                rf"(?:{'|'.join(re.escape(c) for c in _CUE_GATE)})[^\n]{{0,100}}[0-9]",
                "|".join(re.escape(c) for c in _CUE_GATE),
            ),
            # A house number, then a street word in lower case ("8, chemin …").
            "lower_prefix": rf"[0-9][a-z]?,?[ \t]+(?:{_LOWER_PREFIXES_RE})",
            # The person detector's: a lower-case cue, then a lower-case word ("dr green").
            "lower": LOWER_CUE_HINT,
        },
        backend=backend,
        anchors={**_ANCHORS, "lower": LOWER_ANCHORS},
    )

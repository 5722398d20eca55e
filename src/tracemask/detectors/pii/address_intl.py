# ruff: noqa: RUF001, RUF003  (other scripts' letters are what this module reads)
"""Street addresses in other scripts and national formats (entity ``LOCATION``).

:class:`~tracemask.detectors.pii.address.LocationDetector` reads addresses written the Latin,
English-like way: a house number, capitalised words and a street type. Much of the world writes
them otherwise: without capitals or spaces (Chinese, Japanese, Thai), with national markers
(Russian ``ул.`` and ``д.``, Hebrew ``רח'``, Georgian ``ქ.``, Korean ``로``/``길``), with the
administrative units first (``湖南省长沙市``, ``경기도 수원시``). This detector reads those.

Every rule needs an address **marker** (a street, road, house, building or district word or
its abbreviation) **and** either a house number or a second administrative unit: a city alone
(``我在北京工作``), a street named in prose without a number, a date (``2024年8月6日``), an
order number or a price in these scripts are not addresses. Scores: 0.85 for a marker with a
house number or a postcode, 0.75 for the weaker shapes (a Czech ``K Lesu 5``, a French street
named without a number).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tracemask._finding import Finding
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.pii._gates import lazy_regex
from tracemask.detectors.pii.address import STREET_TYPES

# -- letters of each script ------------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_KANA = "\u3040-\u30ff\u31f0-\u31ff\u3005\u3006\u30f6"
_HANGUL = "\uac00-\ud7a3"
_CYR = "\u0400-\u04ff"
_GREEK = "\u0370-\u03ff\u1f00-\u1fff"
_HEBREW = "\u05d0-\u05ea"
_ARABIC = "\u0620-\u065f\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f"
_THAI = "\u0e01-\u0e4e"
_GEORGIAN = "\u10a0-\u10ff\u1c90-\u1cbf"
_ARMENIAN = "\u0531-\u0587"
_INDIC = "\u0900-\u0dff"
#: Letters of the scripts above (the gate: a string holding none is Latin-only).
_SCRIPTS = (
    _HAN + _KANA + _HANGUL + _CYR + _GREEK + _HEBREW + _ARABIC + _THAI + _GEORGIAN + _ARMENIAN
)

#: Chinese characters that end a place name in prose ("我住在", "寄到", "地址是"): not part of
#: an address that follows them.
_ZH_STOP = "我你他她它们在住是到了于的从往寄送址为与把给请您位搬去来及或就都也还要这那个"
_ZH = rf"(?:(?![{_ZH_STOP}])[{_HAN}])"
_ZH_NUM = "[0-9一二三四五六七八九十百〇零两]"
_ZH_PROVINCES = (
    "北京|天津|上海|重庆|重慶|河北|山西|辽宁|遼寧|吉林|黑龙江|黑龍江|江苏|江蘇|浙江|安徽|福建"
    "|江西|山东|山東|河南|湖北|湖南|广东|廣東|海南|四川|贵州|貴州|云南|雲南|陕西|陝西|甘肃|甘肅"
    "|青海|台湾|臺灣|内蒙古|內蒙古|广西|廣西|西藏|宁夏|寧夏|新疆|香港|澳门|澳門"
)
_ZH_ADMIN = "(?:自治区|自治州|特别行政区|省|市|县|縣|区|區|州|盟|旗|镇|鎮|乡|鄉|街道|村)"
_ZH_ROAD = "(?:大道|大街|胡同|路|街|巷)"
# A house: a section (段), lanes and alleys (巷, 弄), a number or letter then 号/號/座/栋,
# "之2", then floors and rooms.
_ZH_HOUSE = (
    rf"(?:{_ZH_NUM}+段)?(?:[0-9]+[巷弄])*[0-9A-Za-z]{{1,5}}[号號座栋棟幢]"
    r"(?:之[0-9]+)?(?:[0-9]+[楼樓层層室Ff])*"
)

_JA = rf"(?:(?![はにでをへともがの、。])[{_HAN}{_KANA}])"
_JA_PREF = rf"(?:東京都|北海道|京都府|大阪府|{_JA}{{2,3}}県)"
_JA_BLOCK = r"(?:[0-9]+丁目(?:[0-9]+番地?)?(?:[0-9]+号)?|[0-9]+番地?(?:[0-9]+号)?)"

_HG = f"[{_HANGUL}]"
_CYR_CAP = "[\u0400-\u042f\u0490][\u0430-\u045f\u0491'ʼ\u2019-]+"
_CYR_WORD = rf"(?:{_CYR_CAP}|[0-9]{{1,3}}-(?:й|я|е|а|ий|ая|га|го)|[0-9]{{1,2}}(?=[ \t]{_CYR_CAP}))"
_CYR_STREET = (
    r"(?:ул\.|улица|просп\.|проспект|пр-т|пр\.|пер\.|переулок|пл\.|площадь|ш\.|шоссе|б-р|бул\."
    r"|бульвар|наб\.|набережная|проезд|пр-д|туп\.|тупик|алл\.|аллея|вул\.|вулиця|пров\.|провулок"
    r"|площа|майдан|узвіз|шосе|бульв\.|мкр\.|микрорайон)"
)
_CYR_PLACE = (
    r"(?:г\.|город|с\.|село|пос\.|п\.|пгт|д\.|дер\.|ст\.|ст-ца|к\.|клх|м\.|смт|х\.|аул|рп\.)"
)
_CYR_HOUSE = (
    r"(?:д\.|дом|буд\.|будинок|№)[ \t]?[0-9]{1,5}[а-яa-z]?(?:/[0-9]{1,4}[а-я]?)?"
    r"(?:,?[ \t]?(?:к\.|корп\.|корпус|стр\.|строение|кв\.|квартира|оф\.|офис)[ \t]?"
    r"[0-9]{1,5}[а-я]?(?:/[0-9]{1,4})?)*"
)
_GR_CAP = "[Α-ΩΆ-Ώ][α-ωά-ώϊϋΐΰ]+"
_GR_STREET = r"(?:Οδός|Οδ\.|Λεωφόρος|Λεωφ\.|Πλατεία|Πλ\.|Πάροδος|Παρ\.|Πεζόδρομος)"
_GR_POST = r"(?:Τ\.?Κ\.?[ \t]?)?[0-9]{3}[ \t]?[0-9]{2}"
_HE = "[\u05d0-\u05ea][\u05d0-\u05ea'\"\u05f3\u05f4-]*"
_HE_STREET = (
    "(?:רחוב|רח['\u05f3]|שדרות|שדרת|שד['\u05f3]|שביל|סמטת|סמ['\u05f3]|כיכר|ככר|משעול"
    "|שכונת|שכ['\u05f3])"
)
_AR = f"[{_ARABIC}][{_ARABIC}\u200c]*"
_AR_STREET = (
    "(?:شارع|زنقة|نهج|زقاق|جادة|خیابان|خيابان|کوچه|كوچه|بلوار|جاده"
    "|بن[ \t]?بست|بزرگراه|آزاد[ \t]راه|اتوبان|کوی|گذر)"
)
#: Squares: also "field", "arena" in prose, so only after a house number.
_AR_SQUARE = "(?:ساحة|ميدان|میدان)"
_AR_UNIT = "(?:واحد|طبقه|پلاک|سوئیت|رقم|شقة|عمارة)"
_TH = f"[{_THAI}]+"
# A Thai name after a unit abbreviation: two letters at least, no period after (``ต.ค.`` is
# October, ``อ.`` also a teacher's title before a name).
_TH_NAME = f"[{_THAI}]{{2,30}}(?!\\.[{_THAI}])"
_TH_UNIT = r"(?:ถ\.|ถนน|ซ\.|ซอย|ต\.|ตำบล|แขวง|อ\.|อำเภอ|เขต|จ\.|จังหวัด)"
_KA = f"[{_GEORGIAN}]+"
_KA_STREET = r"(?:ქ\.|ქუჩა|გამზ\.|გამზირი|შესახვ\.|შესახვევი|ჩიხი|მოედანი|ხეივანი)"
_HY = f"[{_ARMENIAN}]+"
_HY_STREET = r"(?:փ\.|փողոց|պող\.|պողոտա|նրբ\.|նրբանցք|թաղ\.|թաղամաս)"
_IN = f"[{_INDIC}][{_INDIC}\u200c\u200d]*"
_IN_STREET = (
    "(?:मार्ग|रोड|गली|पथ|नगर|कॉलोनी|सड़क|চত্বর|সড়ক|রোড|লেন|এভিনিউ|தெரு|சாலை|வீதி|நகர்|రోడ్డు|వీధి|ರಸ್ತೆ|ಬೀದಿ|റോഡ്)"
)
_IN_HOUSE = (
    "(?:मकान|घर|भवन|बिल्डिंग|फ्लैट|বিল্ডিং|বাড়ি|বাড়ী|বাসা|হোল্ডিং|ফ্ল্যাট|অ্যাপার্টমেন্ট|வீடு|கதவு"
    "|ఇంటి|ಮನೆ|वडा|वार्ड)[ \t]?(?:नं\\.?|नंबर|क्रमांक|সংখ্যা|নং|নম্বর|எண்|నం|ಸಂ)?[ \t]?[0-9]{1,5}"
)
#: English street words (USPS suffixes) beside ``STREET_TYPES``, after a name in another script.
_MORE_TYPES = (
    "Lock|Lodge|Wall|Cliff|Cliffs|Burgs|Light|Fall|Parkways|Bridge|Common|Commons|Flat|Gateway"
    "|Pine|Plaza|Square|Center|Centers|Crest|Expressway|Loop|Lane|Mall|Route"
)
#: A letter of a non-Latin script (a name written in it: "330 田中 Street").
_NON_LATIN = (
    r"(?:[^\W\d_A-Za-z\u00c0-\u024f\u1e00-\u1eff]"
    r"|[\u0900-\u0dff\u0e00-\u0e7f\u064b-\u065f\u05b0-\u05c7\u200c\u200d])"
)

# -- Latin-script national formats ----------------------------------------------------------

_CAP = "[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž'\u2019]+(?:-[A-ZÀ-ÖØ-ÞĀ-Ža-zß-öø-ÿā-ž][a-zß-öø-ÿā-ž'\u2019]+)*"
_CAPS = rf"{_CAP}(?:[ \t](?:{_CAP}|de|del|della|di|da|la|los|las|el|y|e|d'|des|du))*"
_SP = r"[ \t]+"
_VN = "[A-ZÀ-ỸĐ][a-zà-ỹđ]*(?:[ \t][A-ZÀ-ỸĐ0-9][a-zà-ỹđ0-9]*){0,4}"
_AZ = "[A-ZÇƏĞIİÖŞÜ][A-Za-zçəğıöşüÇƏĞIİÖŞÜ.]+"
#: An English unit word is no street's name ("69308 Johnson Plaza Suite 477": the street
#: detector's ``Plaza`` and ``Suite``, not a Spanish "Plaza Suite").
_NOT_UNIT = r"(?!(?:Suite|Apt|Unit|Floor|Room|Ste|Bldg|Building)\b)"
_LINE_END = r"(?=[ \t]*(?:[\n,;]|\Z|\.(?:[ \t]|\Z)))"


@dataclass(frozen=True)
class _Rule:
    """One address shape: ``regex`` runs only when one of ``needles`` is in the lower-cased
    text (none: no such test) and ``gate`` (a cheap search) matches it (``None``: no test)."""

    gate: re.Pattern[str] | None
    regex: re.Pattern[str]
    score: float
    needles: tuple[str, ...] = ()


def _rule(gate: str, regex: str, score: float = 0.85) -> _Rule:
    return _Rule(lazy_regex(gate), lazy_regex(regex), score)


def _latin(needles: str, regex: str, score: float = 0.85, gate: str | None = None) -> _Rule:
    """A Latin-script rule: ``needles``, ``|``-separated lower-case words (substring tests in
    C: a case-insensitive regex gate cost more than the rules), then maybe a ``gate``."""
    words = tuple(w.replace("\\.", ".") for w in needles.split("|"))
    return _Rule(lazy_regex(gate) if gate else None, lazy_regex(regex), score, words)


_RULES: tuple[_Rule, ...] = (
    # -- Chinese: a province then units, maybe a street and house; or a street and a house.
    _rule(
        f"(?:{_ZH_PROVINCES})",
        rf"(?:[0-9]{{3,6}}[ \t]?)?(?:{_ZH_PROVINCES})"
        rf"(?:(?:省|市|自治区)(?:{_ZH}{{1,6}}?{_ZH_ADMIN})+|(?:{_ZH}{{1,6}}?{_ZH_ADMIN}){{2,}})"
        rf"(?:{_ZH}{{0,10}}?{_ZH_ROAD}(?:{_ZH_HOUSE})?|[0-9A-Za-z]{{1,5}}[号號座栋棟幢])?"
        r"(?:[ \t]?[0-9]{6}(?![0-9]))?",
    ),
    _rule(
        "[路街巷道胡][^\n]{0,12}[0-9A-Za-z][^\n]{0,6}[号號座栋棟幢]",
        rf"(?:(?<![0-9])[0-9]{{3,6}}[ \t]?)?{_ZH}{{1,16}}{_ZH_ROAD}{_ZH_HOUSE}"
        r"(?:[ \t]?[0-9]{6}(?![0-9]))?",
    ),
    # -- Japanese: a postcode, a prefecture, a city or ward, then chome/ban/go or 1-2-3.
    _rule("〒", r"〒[ \t]?[0-9]{3}-?[0-9]{4}"),
    _rule(
        "[丁番]|[0-9]-[0-9]",
        rf"(?:〒[ \t]?[0-9]{{3}}-?[0-9]{{4}}[ \t]*)?{_JA_PREF}?{_JA}{{1,8}}?[市区町村郡]"
        rf"{_JA}{{0,10}}?(?:{_JA_BLOCK}|[0-9]{{1,4}}-[0-9]{{1,4}}(?:-[0-9]{{1,4}})?)"
        rf"(?:[ \t]?{_JA}{{1,12}}[0-9]{{1,4}}(?:号室)?(?![0-9]))?",
    ),
    # -- Korean: province/city/district, then a road (로, 길) and a building number; or a road
    # with a number in its name; or a road and number then "(…동)".
    _rule(
        "[시군구][ \t]",
        rf"(?:{_HG}{{1,6}}(?:특별시|광역시|특별자치시|특별자치도|도)[ \t]+)?"
        rf"(?:{_HG}{{1,6}}(?:시|군|구)[ \t]+){{1,2}}(?:{_HG}{{1,6}}(?:읍|면)[ \t]+)?"
        rf"(?:(?:{_HG}|[0-9]){{1,12}}?(?:대로|로|길|거리)(?:[ \t]?[0-9]{{1,4}}번?길)?"
        rf"|{_HG}{{1,6}}(?:동|리|가))[ \t]?[0-9]{{1,5}}(?:-[0-9]{{1,4}})?(?![0-9{_HANGUL}])"
        rf"(?:[ \t]?\({_HG}{{1,12}}\))?",
    ),
    _rule(
        "[로길][ \t]?[0-9]",
        rf"{_HG}{{1,10}}(?:[0-9]{{1,4}}번?(?:로|길)|(?:대로|로|길|거리)[ \t]?[0-9]{{1,4}}번?길)"
        rf"[ \t]?[0-9]{{1,5}}(?:-[0-9]{{1,4}})?(?![0-9{_HANGUL}])(?:[ \t]?\({_HG}{{1,12}}\))?",
    ),
    _rule(
        r"[0-9][ \t]?\(",
        rf"{_HG}{{2,10}}(?:대로|로|길|거리)[ \t]?[0-9]{{1,5}}(?:-[0-9]{{1,4}})?[ \t]?"
        rf"\({_HG}{{1,12}}(?:동|리|가|마을)\)",
    ),
    # -- Cyrillic: a street marker, a name, a house (д. 5 к. 2, буд. 7), or a number; with a
    # settlement before and a postcode around.
    _rule(
        _CYR_STREET,
        rf"(?:[0-9]{{5,6}},[ \t]?)?"
        rf"(?:{_CYR_PLACE}[ \t]?{_CYR_CAP}(?:[ \t-]{_CYR_CAP}){{0,2}},[ \t]?)?"
        rf"{_CYR_STREET}[ \t]?{_CYR_WORD}(?:[ \t]{_CYR_WORD}){{0,3}}"
        rf"(?:,?[ \t]?{_CYR_HOUSE}|,?[ \t][0-9]{{1,5}}[а-я]?(?:/[0-9]{{1,4}})?(?![0-9.,]?[0-9]))"
        rf"(?:,[ \t]?(?:{_CYR_CAP}(?:[ \t-]{_CYR_CAP}){{0,2}},[ \t]?)?[0-9]{{5,6}}(?![0-9]))?",
    ),
    _rule(
        _CYR_STREET,
        rf"{_CYR_CAP}(?:[ \t]{_CYR_CAP}){{0,2}}[ \t]{_CYR_STREET},?[ \t]?"
        rf"(?:{_CYR_HOUSE}|[0-9]{{1,5}}[а-я]?(?:/[0-9]{{1,4}})?(?![0-9.,]?[0-9]))",
    ),
    # -- Greek: a street word, a name and a number; or a name, a number, then a postcode.
    _rule(
        _GR_STREET,
        rf"{_GR_STREET}[ \t]{_GR_CAP}(?:[ \t]{_GR_CAP}){{0,3}}[ \t][0-9]{{1,4}}[α-ω]?"
        rf"(?:,?[ \t]*\n?[ \t]*{_GR_POST}(?:,?[ \t]+{_GR_CAP}(?:[ \t]{_GR_CAP}){{0,2}})?)?",
    ),
    _rule(
        "[0-9][ \t]?[0-9]{2}",
        rf"{_GR_CAP}(?:[ \t]{_GR_CAP}){{0,3}}[ \t][0-9]{{1,4}}(?:-[0-9]{{1,4}})?[α-ω]?,?"
        rf"[ \t]*\n?[ \t]*{_GR_POST}[ \t]+{_GR_CAP}(?:[ \t]{_GR_CAP}){{0,2}}",
    ),
    # -- Hebrew: a street word, a name and a number; a town and a postcode may follow.
    _rule(
        "[\u05d0-\u05ea]",
        rf"{_HE_STREET}[ \t]+{_HE}(?:[ \t]+{_HE}){{0,3}}[ \t]+[0-9]{{1,4}}[\u05d0-\u05ea]?"
        rf"(?![0-9])(?:,[ \t]*{_HE}(?:[ \t]+{_HE}){{0,2}}(?=[ \t]*(?:,[ \t]*[0-9]|\n|\Z)))?"
        r"(?:,[ \t]*[0-9]{5,7}(?![0-9]))?",
    ),
    _rule(
        "[0-9]{7}",
        rf"(?:{_HE}|[0-9]{{1,5}})(?:[ \t]+(?:{_HE}|[0-9]{{1,5}})){{0,3}}[ \t]+[0-9]{{1,4}}"
        rf"[\u05d0-\u05ea]?,[ \t]*{_HE}(?:[ \t]+{_HE}){{0,2}},[ \t]*[0-9]{{7}}(?![0-9])",
    ),
    # -- Cyrillic (Balkan): a name and number, then a postcode and town on the next line.
    _rule(
        r"[0-9][а-я]?[ \t]*\n[ \t]*[0-9]{4,6}[ \t]",
        rf"{_CYR_CAP}(?:[ \t]{_CYR_CAP}){{0,2}}[ \t][0-9]{{1,4}}[а-я]?(?:/[0-9]{{1,3}})?,?[ \t]*\n"
        rf"[ \t]*[0-9]{{4,6}}[ \t]{_CYR_CAP}(?:[ \t-]{_CYR_CAP}){{0,2}}",
    ),
    # -- Arabic and Persian: a house number, a street word and a name ("12 شارع …"); a street
    # word, a name and a number; or (Persian order) a number, a name, then the street word.
    _rule(
        _AR_STREET + "|" + _AR_SQUARE + "|حي|بلدية",
        rf"(?<![0-9.,/])[0-9]{{1,5}}[ \t]+(?:{_AR_STREET}|{_AR_SQUARE}|حي|بلدية)[ \t]+{_AR}"
        rf"(?:[ \t]+{_AR}){{0,3}}"
        rf"(?:[ \t]*[-–،,][ \t]*{_AR}(?:[ \t]+{_AR}){{0,2}})?",
    ),
    _rule(
        _AR_STREET + "|تونل|" + _AR_SQUARE,
        rf"(?<![0-9.,/])[0-9]{{1,5}}[ \t]+{_AR}(?:[ \t]+{_AR}){{0,2}}?[ \t]+"
        rf"(?:{_AR_STREET}|{_AR_SQUARE}|تونل)"
        rf"(?:[ \t]+{_AR_UNIT}[ \t]+[0-9]{{1,5}})?"
        rf"(?:[ \t]*\n[ \t]*{_AR}(?:[ \t]+{_AR}){{0,2}}[،,][ \t]*{_AR}(?:[ \t]+{_AR}){{0,2}}"
        r"[ \t]+[0-9]{4,10})?",
    ),
    _rule(
        _AR_STREET,
        rf"{_AR_STREET}(?:[ \t]+{_AR}){{1,4}}[ \t]*[،,]?[ \t]*(?:(?:{_AR_UNIT}|no\.?)[ \t]*)?"
        rf"[0-9]{{1,5}}(?![0-9])(?:[ \t]*[،,]?[ \t]*{_AR_UNIT}[ \t]*[0-9]{{1,5}})*",
    ),
    # -- Thai: a house number, then road, sub-district, district and province units.
    _rule(
        _TH_UNIT + "|หมู่",
        rf"(?<![0-9.,/])[0-9]{{1,5}}(?:/[0-9]{{1,4}})?[ \t]*(?:หมู่(?:ที่)?[ \t]?[0-9]{{1,3}}[ \t]*)?"
        rf"{_TH_UNIT}[ \t]?{_TH_NAME}(?:[ \t]*{_TH_UNIT}[ \t]?{_TH_NAME}|[ \t]+{_TH}){{0,5}}"
        r"(?:[ \t]+[0-9]{5}(?![0-9]))?",
    ),
    _rule(
        _TH_UNIT,
        rf"{_TH_UNIT}[ \t]?{_TH_NAME}(?:[ \t]*{_TH_UNIT}[ \t]?{_TH_NAME}){{1,5}}"
        rf"(?:[ \t]+{_TH}){{0,2}}"
        r"(?:[ \t]+[0-9]{5}(?![0-9]))?",
    ),
    # -- Georgian: a name, ქ. (street) or გამზ. (avenue), a number; a town may follow.
    _rule(
        _KA_STREET,
        rf"(?:(?:ქ\.|ქალაქი)[ \t]?{_KA},[ \t]?)?{_KA}(?:[ \t]{_KA}){{0,3}}[ \t]{_KA_STREET}"
        rf"[ \t]?(?:N|№)?[ \t]?[0-9]{{1,4}}(?:,[ \t]?{_KA}(?=[ \t]*(?:[\n.;]|\Z)))?",
    ),
    # -- Armenian: a town (ք.), a street and number, a flat (բն.).
    _rule(
        "[ք][.]|" + _HY_STREET,
        rf"(?:(?:ք\.|գ\.)[ \t]?{_HY},[ \t]?(?:{_HY}(?:[ \t]{_HY})?,[ \t]?)?(?:[0-9]{{4}},[ \t]?)?)"
        rf"(?:{_HY_STREET}[ \t])?{_HY}(?:[ \t]{_HY}){{0,2}}(?:[ \t]{_HY_STREET})?[ \t][0-9]{{1,4}}"
        rf"(?:,[ \t]?(?:բն\.|բնակարան)[ \t]?[0-9]{{1,4}})?",
    ),
    _rule(
        _HY_STREET,
        rf"{_HY}(?:[ \t]{_HY}){{0,2}}[ \t]{_HY_STREET}[ \t]?[0-9]{{1,4}}"
        rf"(?:,[ \t]?(?:բն\.|բնակարան)[ \t]?[0-9]{{1,4}})?",
    ),
    # -- Indic scripts: a house word and number; a street word with a number; a house number,
    # a name, then a town and a six-digit PIN.
    _rule(
        _IN_HOUSE.split("[ \t]?", maxsplit=1)[0],
        rf"(?:(?:{_IN}[ \t]){{1,3}}{_IN_STREET},?[ \t])?"
        rf"{_IN_HOUSE}(?:,[ \t]?{_IN}(?:[ \t]{_IN}){{0,2}}){{0,4}}"
        r"(?:,[ \t]?[0-9]{4,6}(?![0-9]))?"
        rf"(?:[ \t]*(?:\n[ \t]*{_IN}(?:[ \t]{_IN}){{0,2}}){{1,2}}[ \t-]?[0-9]{{5,6}}(?![0-9]))?",
    ),
    _rule(
        _IN_STREET,
        rf"(?:[0-9]{{1,5}}(?:/[0-9]{{1,4}})?,?[ \t]+(?:{_IN}[ \t]){{0,3}}{_IN_STREET}"
        rf"|(?:{_IN}[ \t]){{1,3}}{_IN_STREET},?[ \t][0-9]{{1,5}}(?![0-9]))",
    ),
    _rule(
        f"[{_INDIC}][^\n]{{0,40}}[0-9]{{6}}",
        rf"(?<![0-9.,/])[0-9]{{1,5}}(?:/[0-9]{{1,4}})?,?[ \t]+{_IN}(?:[ \t]{_IN}){{0,2}}"
        rf"(?:,?[ \t]*\n[ \t]*|,[ \t]*){_IN}(?:[ \t]{_IN}){{0,2}}[ \t-]?[0-9]{{6}}(?![0-9])",
    ),
    # -- A name in another script before an English street type ("330 田中 Street").
    _rule(
        _NON_LATIN,
        rf"(?<![\w/.,-])[0-9]{{1,6}}[ \t]+{_NON_LATIN}+(?:[ \t]+(?:{_NON_LATIN}+|{_CAP})){{0,2}}"
        rf"[ \t]+(?:{STREET_TYPES}|{_MORE_TYPES})\.?(?![\w-])"
        r"(?:[ \t]+(?:Apt\.|Suite|Unit)[ \t][0-9]{1,5})?"
        r"(?:[ \t]*\n[ \t]*[^\n,]{1,40},[ \t][A-Z]{2}[ \t][0-9]{5}(?![0-9]))?",
    ),
)

#: Latin-script national formats: gated by ASCII words (also the detector's trigger).
_LATIN_RULES: tuple[_Rule, ...] = (
    # Hungarian: "Kossuth utca 186." then "H-9028 Town".
    _latin(
        r"utca|út|tér|körút|krt\.|köz|sor|sétány|rakpart|fasor|lakótelep",
        rf"(?<![\w])(?:{_CAP}[ \t]){{1,3}}(?:utca|út|u\.|tér|körút|krt\.|köz|sor|sétány|rakpart"
        r"|fasor|lakótelep)[ \t][0-9]{1,4}(?:/[A-Za-z])?\.?"
        rf"(?:[ \t]*[\n,][ \t]*H-[0-9]{{4}}[ \t]{_CAP}(?:[ \t-]{_CAP}){{0,2}})?",
    ),
    # Czech and Slovak street names after a preposition: "K Lesu 5", "Na Příkopě 12/3".
    _rule(
        r"(?:^|[\s:,])(?:K|U|Na|Nad|Pod|V|Ve|Za|Před|Při|Mezi) [A-ZÀ-Ž]",
        rf"(?<![\w])(?:K|U|Na|Nad|Pod|V|Ve|Za|Před|Při|Mezi)[ \t]{_CAP}(?:[ \t]{_CAP})?"
        rf"[ \t][0-9]{{1,4}}(?:/[0-9]{{1,4}})?[a-z]?{_LINE_END}",
        0.75,
    ),
    # Italian: "Contrada Lucio, 36 Piano 6", "Borgo X, 7" then "84123, Salerno (SA)".
    _latin(
        r"contrada|c\.da|borgo|località|loc\.|frazione|fraz\.|salita|traversa|lungomare"
        r"|lungotevere|stradone|vico|rione|piazzetta|vicolo|via|viale|piazza|corso|largo|strada",
        r"(?<![\w])(?:Contrada|C\.da|Borgo|Località|Loc\.|Frazione|Fraz\.|Salita|Traversa"
        r"|Lungomare|Lungotevere|Stradone|Vico|Rione|Piazzetta|Vicolo|Via|Viale|Piazza|Corso"
        rf"|Largo|Strada)[ \t]{_NOT_UNIT}{_CAPS},?[ \t][0-9]{{1,4}}[a-zA-Z]?(?![0-9])"
        r"(?:[ \t](?:Piano|Interno|Int\.|Scala)[ \t][0-9A-Z]{1,3})*"
        rf"(?:[ \t]*\n[ \t]*[0-9]{{5}},?[ \t]{_CAPS}(?:[ \t]\([A-Z]{{2}}\))?)?",
    ),
    # Spanish: "Cañada de X 854 Piso 4", "Diag. 6 N° 36" then "Town 3300, Province".
    _latin(
        r"cañada|acceso|bajada|barranco|callejón|camino|carretera|cuesta|glorieta|paseo|pasaje"
        r"|plaza|rambla|ronda|senda|subida|travesía|urbanización|vía|diagonal|diag\.|calle"
        r"|avenida|av\.|avda\.|vial|continuación|peatonal|privada|cerrada|retorno"
        r"|prolongación|andador|circuito",
        r"(?<![\w])(?:Cañada|Acceso|Bajada|Barranco|Callejón|Camino|Carretera|Cuesta|Glorieta"
        r"|Paseo|Pasaje|Plaza|Rambla|Ronda|Senda|Subida|Travesía|Urbanización|Vía|Diagonal"
        r"|Diag\.|Calle|Avenida|Av\.|Avda\.|Vial|Continuación|Peatonal|Privada|Cerrada"
        rf"|Retorno|Prolongación|Andador|Circuito)[ \t]{_NOT_UNIT}"
        rf"(?:(?:de[ \t]la|de[ \t]los|de[ \t]las|del|de)[ \t])?(?:{_CAPS}|[0-9]{{1,3}})"
        r",?[ \t](?:N[°º][ \t]?|No\.?[ \t]?|#[ \t]?)?[0-9]{1,5}[A-Za-z]?(?![0-9])"
        r"(?:[ \t]*,?[ \t](?:Piso|Puerta|Dpto\.?|Depto\.?|Dto\.|Apt\.|Local|Oficina|Casa"
        r"|Edif\.|Interior|Torre)[ \t][0-9]{1,4}[A-Za-z]?)*"
        rf"(?:[ \t]*\n[ \t]*(?:{_CAPS}[ \t][0-9]{{4,5}},[ \t]{_CAPS}"
        rf"|{_CAPS}(?:[ \t][a-z]+){{0,2}},[ \t][A-Z]{{2,4}}[ \t][0-9]{{5}}(?:-[0-9]{{4}})?"
        rf"|{_CAPS},[ \t][0-9]{{5}}))?",
    ),
    # Colombian: "Calle 12 # 34-56", "Tr. 198 # 9-5 Sur".
    _latin(
        "#",
        r"(?<![\w])(?:Calle|Cl\.|Carrera|Cra\.|Kr\.|Tr\.|Transversal|Diagonal|Dg\.|Avenida"
        r"|Av\.|Ak\.|Ac\.)[ \t][0-9]{1,3}[A-Z]?(?:[ \t]Bis)?[ \t]?#[ \t]?[0-9]{1,3}[A-Z]?"
        r"-[0-9]{1,3}(?:[ \t](?:Sur|Este|Norte))?",
    ),
    # Brazilian: a street word, a name, a comma and the number ("Trevo Henry Azevedo, 34").
    _latin(
        r"trecho|trevo|distrito|vereda|viela|travessa|setor|quadra|rodovia|residencial"
        r"|recanto|núcleo|ladeira|jardim|estrada|esplanada|conjunto|condomínio|chácara"
        r"|loteamento|sítio|fazenda|alameda|praça|rua|avenida|lagoa|morro|vila|favela|colônia"
        r"|passarela|pátio|feira|área|lote|parque",
        r"(?<![\w])(?:Trecho|Trevo|Distrito|Vereda|Viela|Travessa|Setor|Quadra|Rodovia"
        r"|Residencial|Recanto|Núcleo|Ladeira|Jardim|Estrada|Esplanada|Conjunto|Condomínio"
        r"|Chácara|Loteamento|Sítio|Fazenda|Alameda|Praça|Rua|Avenida|Lagoa|Morro|Vila|Favela"
        rf"|Colônia|Passarela|Pátio|Feira|Área|Lote|Parque)[ \t]{_NOT_UNIT}{_CAPS}"
        r",[ \t][0-9]{1,5}(?![0-9])"
        rf"(?:[ \t]*\n[ \t]*{_CAPS}(?:[ \t]{_CAPS})*[ \t]*\n[ \t]*[0-9]{{5}}-[0-9]{{3}}"
        rf"[ \t]{_CAPS}(?:[ \t]/[ \t][A-Z]{{2}})?)?",
    ),
    # Vietnamese: house number, lane, street, then ward, district, province.
    _latin(
        r"ngõ|ngách|hẻm|kiệt|phố|đường|phường|quận|huyện|tỉnh|thành phố",
        rf"(?<![\w])(?:Số[ \t][0-9]{{1,5}}[A-Z]?,?[ \t])?(?:(?:Ngõ|Ngách|Hẻm|Kiệt)[ \t]"
        rf"[0-9]{{1,4}}(?:/[0-9]{{1,4}})?,?[ \t])*(?:Phố|Đường|Đại[ \t]lộ)[ \t]{_VN}"
        rf"(?:(?:[ \t]*,)?[ \t](?:[Pp]hường|[Qq]uận|[Hh]uyện|[Xx]ã|[Tt]hị[ \t]xã|[Tt]ỉnh"
        rf"|[Tt]hành[ \t]phố|TP\.)[ \t]{_VN})+",
    ),
    _latin(
        "số |ngõ |hẻm ",
        rf"(?<![\w])(?:Số|Ngõ|Hẻm)[ \t][0-9]{{1,5}}(?:/[0-9]{{1,4}})?[A-Z]?,?"
        rf"(?:[ \t](?:Ngõ|Ngách|Hẻm)[ \t][0-9]{{1,4}},?)*[ \t](?:Phố|Đường)[ \t]{_VN}",
    ),
    # Azerbaijani: district, settlement, street (küç., pr.), building (b.), flat (m.).
    _latin(
        r"küç|pr\.|ray\.",
        rf"(?<![\w])(?:{_AZ}[ \t]ray\.,[ \t])?(?:{_AZ}(?:[ \t]{_AZ}){{0,2}}[ \t]"
        rf"(?:qəs\.|qəsəbəsi|kəndi|k\.),[ \t])?{_AZ}(?:[ \t]{_AZ}){{0,2}}[ \t]"
        r"(?:küç\.|küçəsi|pr\.|prospekti|döngəsi|dalanı),[ \t]b\.[ \t]?[0-9]{1,4}"
        r"(?:,[ \t]m\.[ \t]?[0-9]{1,4})?",
    ),
    # Central European and Balkan: a street and number, then a postcode and town on the next
    # line ("Jilmová 6" / "348 41 Kosmonosy"); the postcode line vouches for the first.
    _latin(
        "\n",
        rf"(?<![\w]){_CAP}(?:[ \t](?:{_CAP}|[a-zß-ž]+)){{0,2}}[ \t][0-9]{{1,4}}[a-z]?"
        rf"(?:/[0-9]{{1,3}})?,?[ \t]*\n[ \t]*[0-9]{{3}}[ \t]?[0-9]{{2}}[ \t]"
        rf"{_CAP}(?:[ \t-]{_CAP}){{0,2}}(?=[ \t]*(?:\n|\Z|[,.;]))",
        0.75,
        r"[0-9][a-z]?[ \t]*\n[ \t]*[0-9]{3}[ \t]?[0-9]{2}[ \t]",
    ),
    # Chilean and Argentinian: a name, a house number, then a flat ("Mackenna 3920 Dpto. 486").
    _latin(
        r"dpto|depto|piso|oficina",
        rf"(?<![\w])(?:{_CAP}[ \t]){{1,3}}[0-9]{{1,5}}[ \t](?:Dpto\.?|Depto\.?|Piso|Oficina)"
        r"[ \t][0-9]{1,4}[A-Za-z]?",
    ),
    # French, lower-case street word: "rue Rapin 57", "boulevard Babey", "9284 rang Mathilde".
    _latin(
        r"rue|boulevard|chemin|allée|allé|impasse|ruelle|rang|montée|sentier",
        r"(?<![\w'’])(?:[0-9]{1,5},?[ \t]+)?(?:rue|boulevard|chemin|allée|allé|impasse|ruelle"
        rf"|rang|montée|sentier)[ \t](?:(?:de[ \t]la|de|du|des)[ \t]|d['’])?{_CAP}"
        rf"(?:[ \t-](?:{_CAP}|de|du|des|la|le))*(?:[ \t][0-9]{{1,4}}[a-z]?(?![0-9]))?"
        r"(?:[ \t]+(?:Suite|Apt\.|app\.)[ \t][0-9]{1,5})?"
        rf"(?:[ \t]*\n[ \t]*[0-9]{{4,5}}[ \t]{_CAP}(?:[ \t-]{_CAP})*)?",
    ),
    # Philippine subdivisions: "Block 16 Lot 80 Name Phase 8", "B13 L84 Name".
    _latin(
        "b",
        r"(?<![\w])(?:(?:Block|Blk\.?)[ \t]?[0-9]{1,4},?[ \t]+Lot[ \t]?[0-9]{1,4}"
        r"|B[0-9]{1,3}[ \t]L[0-9]{1,3})"
        rf"(?:[ \t]+{_CAP}){{0,4}}(?:[ \t]+Phase[ \t][0-9]{{1,3}})?",
        gate=r"Block|Blk|B[0-9]{1,3} L[0-9]",
    ),
    # Bangladesh and India in English: "Building No. 95", "House No. 12".
    _latin(
        r"building no|house no|holding no|flat no|plot no",
        r"(?<![\w])(?:Building|House|Holding|Flat|Plot)[ \t]No\.?[ \t]?[0-9]{1,5}[A-Za-z]?",
    ),
)


def _word_trigger(entries: tuple[tuple[str, str], ...]) -> str:
    """``\\b``, then one of the words of ``entries`` (``(words, what follows them)``, words
    ``|``-separated), as one alternation grouped by first character: Python's ``re`` (the
    portable prefilter) then tests each position's boundary once and compares its character
    with each group once, instead of with every word (it was a third of the ``re`` scan)."""
    groups: dict[str, list[str]] = {}
    for words, tail in entries:
        for word in words.split("|"):
            groups.setdefault(word[0], []).append(word[1:] + tail)
    return (
        r"\b(?:" + "|".join(f"{c}(?:{'|'.join(alts)})" for c, alts in sorted(groups.items())) + ")"
    )


_TRIGGER_WORDS = _word_trigger(
    (
        # Hungarian, Czech and Slovak.
        ("utca|ut|ter|krt|koz|sor|setany|rakpart|fasor|lakotelep", r"[ \t][0-9]"),
        ("k|u|na|nad|pod|v|ve|za|mezi", r"[ \t][a-z]+(?:[ \t][a-z]+)?[ \t][0-9]"),
        # Italian, Spanish and Brazilian street words, a house number further on the line.
        (
            "contrada|c\\.da|borgo|loc|frazione|fraz|salita|traversa|lungomare|lungotevere"
            "|stradone|vico|rione|piazzetta|vicolo|via|viale|piazza|corso|largo|strada"
            "|acceso|bajada|barranco|camino|carretera|cuesta|glorieta|paseo|pasaje|plaza"
            "|rambla|ronda|senda|subida|diagonal|diag|calle|avenida|av|avda|vial|peatonal"
            "|privada|cerrada|retorno|andador|circuito|trecho|trevo|distrito|vereda|viela"
            "|travessa|setor|quadra|rodovia|residencial|recanto|ladeira|jardim|estrada"
            "|esplanada|conjunto|loteamento|fazenda|alameda|rua|lagoa|morro|vila|favela"
            "|passarela|feira|lote|parque",
            r"\b[^\n]*[0-9]",
        ),
        ("dpto|depto|piso|oficina", r"\.?[ \t][0-9]"),
        # French streets may be named without a number.
        ("rue|boulevard|chemin|impasse|ruelle|rang|sentier", r"[ \t]"),
        ("block|blk\\.?", r"[ \t]?[0-9]"),
        ("b[0-9]{1,3}", r"[ \t]l[0-9]"),
        ("building|house|holding|flat|plot", r"[ \t]no\.?[ \t]?[0-9]"),
    )
)

_ANY_SCRIPT = lazy_regex(f"[{_SCRIPTS}{_INDIC}]")


class IntlAddressDetector(PatternDetector):
    """Street addresses in non-Latin scripts and in national formats, as ``LOCATION``.

    Each rule needs a script's address marker and a house number or a second administrative
    unit (see the module's docstring for what is covered).
    """

    entity = "LOCATION"
    ignore_case = True
    # A non-ASCII character (the same test on text and on UTF-8 bytes), or, for the ASCII
    # forms of the Latin-script rules, what each needs: its street word and (but for French
    # streets) a digit further on the line, a "# 12-3" house, a postcode on the next line.
    trigger = (
        r"[^\x00-\x7f]|"
        + _TRIGGER_WORDS
        + r"|,[ \t]b\.[ \t]?[0-9]|#[ \t]?[0-9]{1,3}[a-z]?-[0-9]"
        + r"|[0-9][a-z]?[ \t]*\n[ \t]*[0-9]{3}[ \t]?[0-9]{2}[ \t]"
    )
    score = 0.85

    def detect(self, text: str) -> Iterator[Finding]:
        """Yield LOCATION findings in ``text``."""
        taken: list[tuple[int, int]] = []
        if not text.isascii() and _ANY_SCRIPT.search(text) is not None:
            yield from self._apply(_RULES, text, "", taken)
        yield from self._apply(_LATIN_RULES, text, text.lower(), taken)

    def _apply(
        self, rules: tuple[_Rule, ...], text: str, lower: str, taken: list[tuple[int, int]]
    ) -> Iterator[Finding]:
        for rule in rules:
            if rule.needles and not any(n in lower for n in rule.needles):
                continue
            if rule.gate is not None and rule.gate.search(text) is None:
                continue
            for m in rule.regex.finditer(text):
                start, end = m.span()
                while end > start and text[end - 1] in " \t,.،-":
                    end -= 1
                if end - start < 4 or any(s <= start and end <= e for s, e in taken):
                    continue  # a part of an address already reported
                taken.append((start, end))
                yield Finding(start, end, self.entity, rule.score, self.name)

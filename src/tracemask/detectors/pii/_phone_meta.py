"""libphonenumber's ``parse`` and verdicts, answered from its own metadata with fewer calls.

The phone detector asks libphonenumber three things of a candidate: ``parse`` (in each region
tried), ``is_valid_number`` and ``is_possible_number_with_reason``. The library answers each
through chains of small Python calls: ``parse`` normalises digits one character at a time and
runs its extension regex; ``is_valid_number`` finds the number's region (for a calling code
shared by several regions, ``+1``, ``+7``, ``+44``…, by trying each region's number types in
turn) and then checks that region's number types again, each check four calls around one
regular expression. About 25 us a candidate, a hundred type checks for a Caribbean ``+1``
number.

This module gives the same answers from the same metadata: :func:`parse` reads plain numbers
(ASCII digits, separators, a leading ``+``) itself and hands anything else to the library;
:func:`is_valid` and :func:`possible_reason` take ``(calling code, national significant
number)``, which determine both verdicts. Per region, the compiled type patterns that can
match a national number of each length are gathered on first use and kept for the process:
immutable metadata, as libphonenumber's own pattern cache; no verdict about any number is kept.

Each function mirrors its libphonenumber counterpart step by step (named in the docstrings);
``tests/detectors/test_phone_meta.py`` checks that they agree on numbers of every region and
type as written nationally, internationally and from abroad, mutated, random and of every
length, and that the detector's verdicts are those of the library calls. Should the metadata
lack an attribute this reads (:data:`USABLE`), every answer is the library's own.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import phonenumbers
from phonenumbers import PhoneMetadata, national_significant_number

#: Metadata patterns compiled once per process (as ``phonenumbers.enable_pattern_cache``
#: does; not every release has it): bounded by the metadata.
re_compile = functools.cache(re.compile)

#: ``_number_type_helper``'s number types after the general description; the mobile one
#: counts only when the region's fixed-line and mobile patterns differ.
_TYPE_DESCS = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail", "fixed_line",
)  # fmt: skip
_NON_GEO = "001"  # phonenumberutil.REGION_CODE_FOR_NON_GEO_ENTITY
#: A general pattern and the type patterns that can match a number of one length.
_Plan = tuple[re.Pattern[str], tuple[re.Pattern[str], ...]]


class _Types:
    """One region's number types: does a national significant number match any of them?

    ``_number_type_helper(nsn, metadata) != UNKNOWN`` holds exactly when the general
    description matches and then any type description does; a description matches when its
    possible lengths (if it lists any) hold ``len(nsn)`` and its pattern matches all of
    ``nsn`` (``_is_number_matching_desc``; ``_match`` without prefix matching is a full
    match).
    """

    __slots__ = ("_by_length", "_descs", "_general")

    def __init__(self, metadata: Any) -> None:
        self._general = _desc(metadata.general_desc)
        names = list(_TYPE_DESCS)
        if not metadata.same_mobile_and_fixed_line_pattern:
            names.append("mobile")
        descs = (_desc(getattr(metadata, name)) for name in names)
        self._descs = tuple(d for d in descs if d is not None)
        self._by_length: dict[int, _Plan | None] = {}

    def match(self, nsn: str) -> bool:
        length = len(nsn)
        try:
            plan = self._by_length[length]
        except KeyError:
            plan = self._by_length[length] = self._plan(length)
        if plan is None:
            return False
        general, types = plan
        if general.fullmatch(nsn) is None:
            return False
        for pattern in types:  # noqa: SIM110 - a loop, not any(): no generator per number
            if pattern.fullmatch(nsn) is not None:
                return True
        return False

    def _plan(self, length: int) -> _Plan | None:
        """The patterns that can match a number of ``length`` digits, or ``None``: none can."""
        if self._general is None or not _fits(self._general[1], length):
            return None
        types = tuple(pattern for pattern, lengths in self._descs if _fits(lengths, length))
        return (self._general[0], types) if types else None


def _desc(desc: Any) -> tuple[re.Pattern[str], tuple[int, ...]] | None:
    """A description's compiled pattern and possible lengths; ``None``: it matches nothing."""
    if desc is None or not desc.national_number_pattern:
        return None
    return re_compile(desc.national_number_pattern), tuple(desc.possible_length)


def _fits(lengths: tuple[int, ...], length: int) -> bool:
    return len(lengths) == 0 or length in lengths


class _Region:
    """What ``is_valid_number`` needs of one region of a calling code."""

    __slots__ = ("leading", "ok", "types", "valid_types")

    def __init__(self, country_code: int, region: str) -> None:
        # _region_code_for_number_from_list reads metadata_for_region (None for "001").
        listed = PhoneMetadata.metadata_for_region(region.upper(), None)
        self.leading: re.Pattern[str] | None = None
        self.types: _Types | None = None
        if listed is not None:
            if listed.leading_digits is not None:
                self.leading = re_compile(listed.leading_digits)
            self.types = _Types(listed)
        # is_valid_number_for_region reads metadata_for_region_or_calling_code and demands
        # that a geographic region's calling code be the number's.
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region.upper())
        self.ok = metadata is not None and (
            region == _NON_GEO or metadata.country_code == country_code
        )
        self.valid_types: _Types | None = None
        if self.ok:
            self.valid_types = self.types if metadata is listed else _Types(metadata)


class _CallingCode:
    """``is_valid_number`` for the numbers of one calling code."""

    __slots__ = ("_regions", "_single")

    def __init__(self, country_code: int) -> None:
        # Every region of the code at once (libphonenumber loads a region's metadata when its
        # list search reaches it; an invalid +1 number reaches all 25).
        names = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
        self._regions = tuple(_Region(country_code, name) for name in names)
        self._single = self._regions[0] if len(self._regions) == 1 else None

    def valid(self, nsn: str) -> bool:
        if self._single is not None:
            return _valid_in(self._single, nsn)
        for region in self._regions:  # _region_code_for_number_from_list
            types = region.types
            if types is None:
                continue  # no metadata: the list search skips the region
            if region.leading is not None:
                if region.leading.match(nsn) is not None:
                    return _valid_in(region, nsn)
            elif types.match(nsn):
                if region.valid_types is types:
                    return True  # the same metadata's types just matched
                return _valid_in(region, nsn)
        return False  # no region (or no code): is_valid_number_for_region(number, None)


def _valid_in(region: _Region, nsn: str) -> bool:
    """``is_valid_number_for_region`` for the region ``region_code_for_number`` chose."""
    return region.valid_types is not None and region.valid_types.match(nsn)


_CODES: dict[int, _CallingCode] = {}


def _calling_code(country_code: int) -> _CallingCode:
    try:
        return _CODES[country_code]
    except KeyError:
        code = _CODES[country_code] = _CallingCode(country_code)
        return code


def is_valid(country_code: int, nsn: str) -> bool:
    """``phonenumbers.is_valid_number`` of the number with this calling code and national
    significant number (``national_significant_number``: leading zeros included)."""
    if not USABLE:  # pragma: no cover - another libphonenumber's metadata layout
        return bool(phonenumbers.is_valid_number(_number(country_code, nsn)))
    return _calling_code(country_code).valid(nsn)


def _number(country_code: int, nsn: str) -> phonenumbers.PhoneNumber:
    """The ``PhoneNumber`` ``parse`` makes of a calling code and national significant number."""
    number = phonenumbers.PhoneNumber(country_code=country_code, national_number=int(nsn))
    if len(nsn) > 1 and nsn[0] == "0":  # _set_italian_leading_zeros_for_phone_number
        number.italian_leading_zero = True
        zeros = len(nsn) - len(nsn.lstrip("0"))
        zeros = min(zeros, len(nsn) - 1)
        if zeros != 1:
            number.number_of_leading_zeros = zeros
    return number


def _fast_is_valid_number(number: phonenumbers.PhoneNumber) -> bool:
    """``phonenumbers.is_valid_number(number)``, from the per-region tables above."""
    return is_valid(number.country_code or 0, national_significant_number(number))


# --- parse -------------------------------------------------------------------------------

#: The inputs :func:`parse` reads itself: ASCII digits and the separators of a written phone
#: number, a ``+`` only in front. Anything else (letters, an extension, other scripts' digits,
#: RFC 3966) goes to ``phonenumbers.parse``.
_PLAIN = re.compile(r"\+?[0-9 ()./-]*")
_DROP_SEPARATORS = str.maketrans("", "", " ()./-+")
_MAX_INPUT = 250  # phonenumberutil._MAX_INPUT_STRING_LENGTH
_MIN_NSN = 2  # _MIN_LENGTH_FOR_NSN
_MAX_NSN = 17  # _MAX_LENGTH_FOR_NSN
_MAX_COUNTRY_CODE = 3  # _MAX_LENGTH_COUNTRY_CODE
_VR = phonenumbers.ValidationResult


class _Unparsable(Exception):  # noqa: N818 - control flow, never raised out
    """Where ``phonenumbers.parse`` raises ``NumberParseException``."""


def parse(number: str, region: str | None) -> tuple[int, str] | None:
    """``phonenumbers.parse(number, region)`` as ``(country code, national significant
    number)``, or ``None`` where it raises ``NumberParseException``.

    Plain numbers (:data:`_PLAIN`) are parsed here, mirroring ``phonenumberutil.parse`` step by
    step for the characters they can hold (no letters: no vanity numbers, no extension, no
    RFC 3966); libphonenumber's own ``parse`` (a dozen Python calls and a per-character
    digit normalisation) takes the others.
    """
    if not USABLE or _PLAIN.fullmatch(number) is None:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            return None
        return parsed.country_code or 0, national_significant_number(parsed)
    try:
        return _parse_plain(number, region)
    except _Unparsable:
        return None


def _parse_plain(number: str, region: str | None) -> tuple[int, str]:
    if len(number) > _MAX_INPUT:
        raise _Unparsable
    # _build_national_number_for_parsing -> _extract_possible_number: from the first "+" or
    # digit; trailing characters that are neither letters, digits nor "#" dropped; no "x"
    # (second number), ";phone-context=" or ";isub=" in a plain number.
    # (A plain number's first character that is no separator is its "+" or a digit.)
    national = number.lstrip(" ()./-").rstrip(" ()./-+")
    # _is_viable_phone_number: two digits alone, or three digits or more among separators.
    if len(national) < _MIN_NSN:
        raise _Unparsable
    digits = national.translate(_DROP_SEPARATORS)
    if not (len(digits) >= 3 or (len(national) == 2 and national.isdigit())):
        raise _Unparsable
    plus = national[0] == "+"
    # _check_region_for_parsing
    if not plus and region not in phonenumbers.SUPPORTED_REGIONS:
        raise _Unparsable
    # _maybe_strip_extension: every extension form needs a letter, "#", "," or ";".
    metadata: Any = None
    if region is not None:
        metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
    try:
        country_code, nsn = _extract_country_code(national, plus, metadata)
    except _InvalidCountryCode:
        if not plus:
            raise _Unparsable from None
        # parse strips the plus and tries again (its error now final).
        try:
            country_code, nsn = _extract_country_code(national[1:], False, metadata)
        except _InvalidCountryCode:
            raise _Unparsable from None
        if country_code == 0:
            raise _Unparsable from None
    if country_code != 0:
        number_region = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country_code][0]
        if number_region != region:
            metadata = PhoneMetadata.metadata_for_region_or_calling_code(
                country_code, number_region
            )
    else:
        nsn += digits  # _normalize(national): the digits, its "+" gone with the separators
        if region is not None:
            assert metadata is not None  # a supported region (checked above) has metadata
            country_code = metadata.country_code
    if len(nsn) < _MIN_NSN:
        raise _Unparsable
    if metadata is not None:
        potential = _strip_national_prefix(nsn, metadata)
        if _test_length(potential, metadata) not in (
            _VR.TOO_SHORT,
            _VR.IS_POSSIBLE_LOCAL_ONLY,
            _VR.INVALID_LENGTH,
        ):
            nsn = potential
    if len(nsn) > _MAX_NSN:
        raise _Unparsable
    # _set_italian_leading_zeros_for_phone_number keeps the leading zeros a national
    # significant number is written with: national_significant_number gives ``nsn`` back.
    return country_code, nsn


class _InvalidCountryCode(Exception):  # noqa: N818 - control flow, never raised out
    """``_maybe_extract_country_code`` raised ``INVALID_COUNTRY_CODE``."""


def _extract_country_code(national: str, plus: bool, metadata: Any) -> tuple[int, str]:
    """``_maybe_extract_country_code``: ``(0, "")`` when no calling code is present."""
    if plus:  # _maybe_strip_i18n_prefix_and_normalize: FROM_NUMBER_WITH_PLUS_SIGN
        full = national.translate(_DROP_SEPARATORS)
        international = True
    else:
        full = national.translate(_DROP_SEPARATORS)
        international = False
        if metadata is not None and metadata.international_prefix is not None:
            idd = re_compile(metadata.international_prefix).match(full)
            # _parse_prefix_as_idd: not when a "0" follows (no calling code starts so).
            if idd is not None and full[idd.end() : idd.end() + 1] != "0":
                full = full[idd.end() :]
                international = True
    if international:
        if len(full) <= _MIN_NSN:
            raise _Unparsable  # TOO_SHORT_AFTER_IDD
        if full and full[0] != "0":
            for size in range(1, min(len(full), _MAX_COUNTRY_CODE) + 1):
                code = int(full[:size])
                if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                    return code, full[size:]
        raise _InvalidCountryCode
    if metadata is not None:
        # A national number that starts with the region's own calling code, without "+".
        code_str = str(metadata.country_code)
        if full.startswith(code_str):
            potential = _strip_national_prefix(full[len(code_str) :], metadata)
            general = metadata.general_desc
            if (not _general_match(full, general) and _general_match(potential, general)) or (
                _test_length(full, metadata) == _VR.TOO_LONG
            ):
                return metadata.country_code, potential
    return 0, ""


def _general_match(number: str, desc: Any) -> bool:
    """``_match_national_number(number, desc, False)``: the pattern matches all of it."""
    if desc is None or not desc.national_number_pattern:
        return False
    return re_compile(desc.national_number_pattern).fullmatch(number) is not None


def _strip_national_prefix(number: str, metadata: Any) -> str:
    """The number ``_maybe_strip_national_prefix_carrier_code`` leaves."""
    prefix = metadata.national_prefix_for_parsing
    if len(number) == 0 or prefix is None or len(prefix) == 0:
        return number
    pattern = re_compile(prefix)
    match = pattern.match(number)
    if match is None:
        return number
    general = metadata.general_desc
    viable = _general_match(number, general)
    groups = match.groups()
    rule = metadata.national_prefix_transform_rule
    if rule is None or len(rule) == 0 or groups[len(groups) - 1] is None:
        rest = number[match.end() :]
    else:
        rest = pattern.sub(rule, number, count=1)
    if viable and not _general_match(rest, general):
        return number
    return rest


def _test_length(number: str, metadata: Any) -> int:
    """``_test_number_length(number, metadata)`` (type UNKNOWN: the general description)."""
    desc = metadata.general_desc
    possible = desc.possible_length
    if len(possible) == 0:  # pragma: no cover - as in libphonenumber
        possible = metadata.general_desc.possible_length
    length = len(number)
    if length in desc.possible_length_local_only:
        return int(_VR.IS_POSSIBLE_LOCAL_ONLY)
    if possible[0] == length:
        return int(_VR.IS_POSSIBLE)
    if possible[0] > length:
        return int(_VR.TOO_SHORT)
    if possible[-1] < length:
        return int(_VR.TOO_LONG)
    return int(_VR.IS_POSSIBLE) if length in possible[1:] else int(_VR.INVALID_LENGTH)


def possible_reason(country_code: int, nsn: str) -> int:
    """``phonenumbers.is_possible_number_with_reason`` of the number (a ``ValidationResult``)."""
    if not USABLE:  # pragma: no cover - another libphonenumber's metadata layout
        number = _number(country_code, nsn)
        return int(phonenumbers.is_possible_number_with_reason(number))
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None:
        return int(_VR.INVALID_COUNTRY_CODE)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, regions[0])
    return _test_length(nsn, metadata)


def _usable() -> bool:
    """Whether the metadata has every attribute the tables read (checked on one region)."""
    try:
        metadata: Any = PhoneMetadata.metadata_for_region("US", None)
        for name in (*_TYPE_DESCS, "mobile", "general_desc"):
            desc = getattr(metadata, name)
            if desc is not None:
                _ = desc.national_number_pattern, desc.possible_length
        _ = metadata.general_desc.possible_length_local_only
        _ = metadata.same_mobile_and_fixed_line_pattern, metadata.leading_digits
        _ = metadata.country_code, metadata.international_prefix
        _ = metadata.national_prefix_for_parsing, metadata.national_prefix_transform_rule
        _ = phonenumbers.COUNTRY_CODE_TO_REGION_CODE, phonenumbers.SUPPORTED_REGIONS
    except AttributeError:  # pragma: no cover - another libphonenumber's metadata layout
        return False
    return True


#: False when this libphonenumber's metadata lacks what the tables read: the phone detector
#: then calls ``phonenumbers`` itself.
USABLE = _usable()

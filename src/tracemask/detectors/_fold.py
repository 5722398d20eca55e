"""Width and digit folding: the view of a string the detectors read.

People type numbers in their script's digits (Arabic-Indic, Devanagari, ...) and, in CJK
text, in full-width forms (U+FF10 to U+FF19 for the digits, U+FF20 for the at sign). Every
detector is written for ASCII, so the engine hands them a folded copy: each non-ASCII decimal
digit becomes its ASCII digit, each full-width ASCII form its ASCII character, the ideographic
space a space.
Each of these is one code point for one code point, so a finding's offsets in the folded copy
are its offsets in the original, and the original's characters are what gets masked.
"""

from __future__ import annotations

import re
import unicodedata

# A non-ASCII decimal digit (any script: ``[^\D0-9]``), a full-width ASCII form, U+3000.
_FOLDABLE = re.compile(r"[^\D0-9]|[\uff01-\uff5e\u3000]")
_FULLWIDTH_OFFSET = 0xFF01 - 0x21


def _ascii(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if 0xFF01 <= code <= 0xFF5E:
        return chr(code - _FULLWIDTH_OFFSET)
    if code == 0x3000:
        return " "
    return str(unicodedata.digit(char))


def fold(text: str) -> str:
    """``text`` with non-ASCII digits and full-width forms as ASCII, code point for code point
    (``text`` itself, the same object, when there is nothing to fold)."""
    if text.isascii() or _FOLDABLE.search(text) is None:
        return text
    return _FOLDABLE.sub(_ascii, text)

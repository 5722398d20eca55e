"""Regex pieces shared by the structured-PII detectors.

Token boundaries: a number glued to a Latin word (``abc123-45-6789``) is part of that word, but
scripts written without spaces (Chinese, Japanese, Thai) and Arabic running into digits do not
make one token with them: ``社会安全号码846-15-5715`` holds the number ``846-15-5715``. So the
boundary classes below treat letters of those scripts as separators.
"""

from __future__ import annotations

#: Letters of scripts whose text runs into numbers without a space: Arabic, Thai, Lao, Hangul,
#: Hiragana, Katakana, CJK ideographs, CJK punctuation and full-width forms.
SPACELESS = (
    "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0e00-\u0eff\u1100-\u11ff\u3000-\u30ff"
    "\u3100-\u312f\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    "\uf900-\ufaff\uff00-\uffef"
)
#: A word character that joins a number into a longer token (``\w`` minus :data:`SPACELESS`).
JOINING = rf"[^\W{SPACELESS}]"


def not_before(extra: str = "") -> str:
    """A lookbehind: no joining word character (nor one of ``extra``) right before."""
    tail = f"(?<![{extra}])" if extra else ""
    return f"(?<!{JOINING}){tail}"


def not_after(extra: str = "") -> str:
    """A lookahead: no joining word character (nor one of ``extra``) right after."""
    tail = f"|[{extra}]" if extra else ""
    return f"(?!{JOINING}{tail})"


#: The head of an IBAN right before a candidate: the digit groups of
#: "DE89 3704 0044 0532 0130 00" are neither a phone number nor a card.
IBAN_HEAD = r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){0,7}[ -]?\Z"

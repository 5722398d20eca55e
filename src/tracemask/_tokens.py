"""What tracemask's own operators write, recognised so that masking never masks it again.

``<EMAIL_ADDRESS>`` (replace), ``<PERSON:1a2b3c4d5e6f>`` (hash), ``<PERSON_7f3a9c21>`` and
``<PERSON_3>`` (pseudonymize), ``<PERSON:enc:v1:k1:…>`` (encrypt). A detector may find a
"secret" inside a ciphertext or a "name" inside a token; findings that overlap a token are
dropped, which is what makes masking idempotent for every operator.
"""

from __future__ import annotations

import re

_BODY = (
    r"<[A-Z][A-Z0-9_/]*(?:_[0-9a-f]{4,64})?"
    r"(?::[0-9a-f]{8,64}|:enc:v[0-9]+:[A-Za-z0-9_.-]{1,32}:[A-Za-z0-9_-]+)?>"
)
TOKEN = re.compile(_BODY)
_WHOLE = re.compile(_BODY + r"\Z")


def is_token(text: str) -> bool:
    """Whether ``text`` is exactly one masked token."""
    return text[:1] == "<" and _WHOLE.match(text) is not None


def token_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every masked token in ``text``."""
    if "<" not in text:
        return []
    return [m.span() for m in TOKEN.finditer(text)]

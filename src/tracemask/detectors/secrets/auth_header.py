"""Credentials carried in HTTP authentication headers and command lines.

``Authorization``/``Proxy-Authorization`` values, bare ``Bearer <token>`` and ``Basic <b64>``
inside any string, API-key headers (``X-Api-Key: …``, ``api-key: …``, ``PRIVATE-TOKEN: …``) and
``curl --oauth2-bearer``/``curl -u user:pass``. Only the credential is reported: the header name
and the scheme word (``Bearer``, ``Basic``…) stay readable in the masked output.
"""

from __future__ import annotations

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets._checks import (
    ascii_patterns,
    b64decode_loose,
    char_classes,
    is_placeholder,
    is_wordy,
    shannon_entropy,
)

_TOKEN = r"[A-Za-z0-9._~+/=-]"
#: A credential never ends with the full stop of the sentence around it.
_LAST = r"[A-Za-z0-9_~+/=-]"
_SEP = r"\\?[\"']?\s{0,4}[:=]\s{0,4}\\?[\"']?"
_SCHEMES = r"(?:Bearer|Token|Bot|OAuth|JWT|ApiKey|Api-Key|SSWS|Splunk|GenieKey|Key|Negotiate|NTLM)"
#: The header name, not the tail of a longer word (``AggregationAuthorization``).
_HEADER = r"(?=[PpAa])(?:Proxy-)?(?<![A-Za-z0-9])Authorization"
_KEY_HEADERS = (
    r"(?:x-[a-z0-9-]{0,30}?(?:api-?key|token|secret|auth|signature|key)"
    r"|api-?key|private-token|ocp-apim-subscription-key)"
)


def credential_like(value: str) -> bool:
    """Whether a header value looks like a machine-issued credential, not prose or a stand-in."""
    if len(value) < 8 or is_placeholder(value) or is_wordy(value):
        return False
    if char_classes(value) >= 2 and any(map(str.isdigit, value)):
        return True
    return len(value) >= 20 and shannon_entropy(value) >= 3.0


def _basic_pair(value: str) -> bool:
    """Whether ``value`` is base64 of a printable ``user:password`` pair."""
    raw = b64decode_loose(value)
    if raw is None:
        return False
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return ":" in decoded and decoded.isprintable()


class AuthorizationHeader(PatternDetector):
    """Bearer, Basic and other scheme credentials, API-key headers and ``curl --oauth2-bearer``.

    Scores: 0.9 after an ``Authorization`` header or a decodable ``Basic`` pair, 0.85 for a bare
    ``Bearer`` token or an API-key header, 0.8 for an ``Authorization`` value without a scheme.
    """

    entity = "API_KEY"
    score = 0.9
    ignore_case = True
    trigger = (
        r"authorization|bearer\s{0,4}[\s:=]\s{0,4}\\?[\"']?[A-Za-z0-9._~+/=-]{8}"
        r"|basic\s{1,4}[A-Za-z0-9+/]{8}"
        rf"|(?:x-[a-z0-9-]{{0,30}}(?:key|token|secret|auth|signature)|api-?key|private-token"
        rf"|subscription-key){_SEP}"
    )
    patterns = ascii_patterns(
        # Authorization: <scheme> <credential>
        rf"{_HEADER}{_SEP}{_SCHEMES}\s{{1,4}}(?P<value>{_TOKEN}{{5,8191}}{_LAST})",
        # Authorization: <credential> (no scheme; not an unknown scheme and its parameters)
        rf"{_HEADER}{_SEP}(?P<value>{_TOKEN}{{15,8191}}{_LAST})(?![ \t]+[A-Za-z0-9])",
        # Authorization: Basic <base64>
        rf"{_HEADER}{_SEP}Basic\s{{1,4}}(?P<value>[A-Za-z0-9+/]{{6,8192}}={{0,2}})",
        # Bearer <token> and curl --oauth2-bearer <token>, anywhere
        rf"(?=[-Bb])(?<![A-Za-z0-9])(?:--oauth2-)?Bearer(?:\s{{1,4}}|\s{{0,4}}[:=]\s{{0,4}})\\?[\"']?"
        rf"(?P<value>{_TOKEN}{{7,8191}}{_LAST})",
        # Basic <base64 of user:password>, anywhere
        r"(?=[Bb])(?<![A-Za-z0-9])Basic\s{1,4}(?P<value>[A-Za-z0-9+/]{8,8192}={0,2})(?![A-Za-z0-9+/=])",
        # X-Api-Key: <key>, api-key: <key>, PRIVATE-TOKEN: <token>
        rf"(?=[XxAaPpOo])(?<![^\s\"'{{,]){_KEY_HEADERS}{_SEP}(?P<value>{_TOKEN}{{7,8191}}{_LAST})",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        before = text[max(0, start - 40) : start].lower()
        if before.rstrip().endswith("basic"):
            if _basic_pair(value):
                return self.score
            if "authorization" in before and credential_like(value):
                return 0.85
            return None
        if not credential_like(value):
            return None
        if "authorization" in before:
            return self.score if before.rstrip(" \"'\\:=").endswith(_SCHEME_TAILS) else 0.8
        return 0.85


_SCHEME_TAILS = tuple(
    s.lower()
    for s in (
        "Bearer", "Token", "Bot", "OAuth", "JWT", "ApiKey", "Api-Key", "SSWS", "Splunk",
        "GenieKey", "Key", "Negotiate", "NTLM",
    )
)  # fmt: skip


class CurlUserPassword(PatternDetector):
    """The password of ``curl -u user:password`` / ``curl --user user:password``."""

    entity = "PASSWORD"
    score = 0.85
    trigger = r"curl"
    patterns = ascii_patterns(
        r"curl(?:[^\n]|\\\r?\n){0,400}?\s(?:-u|--user)(?:\s{1,4}|=)\\?[\"']?"
        r"[^\s:\"'\\]{1,256}:(?P<value>[^\s\"'\\]{1,256})",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if len(value) < 3 or is_placeholder(value):
            return None
        return self.score

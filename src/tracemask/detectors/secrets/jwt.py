"""JSON Web Tokens: signed (JWS, three parts) and encrypted (JWE, five parts) compact tokens.

A candidate is three to five base64url segments joined by dots whose first segment starts with
``eyJ`` (the encoding of ``{"``). It is reported only when that header decodes to a JSON object
that names an ``alg`` or a ``typ``, which rules out look-alikes such as dotted base64 ids. The
whole token is one ``API_KEY`` span: header and claims identify the user, the signature is the
credential, and all three travel together.
"""

from __future__ import annotations

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets._checks import ascii_patterns, decode_json_object

_SEGMENT = r"[A-Za-z0-9_-]"


class JsonWebToken(PatternDetector):
    """A compact JWT/JWS/JWE whose header decodes to JSON with ``alg`` or ``typ``.

    Scores: 0.95 when the claims (second segment) decode to JSON too, 0.9 otherwise (JWE, or a
    token cut short by a log line limit).
    """

    entity = "API_KEY"
    score = 0.95
    trigger = r"eyJ"
    patterns = ascii_patterns(
        rf"eyJ{_SEGMENT}{{5,2000}}\.{_SEGMENT}{{2,20000}}\.{_SEGMENT}{{0,5000}}"
        rf"(?:\.{_SEGMENT}{{0,5000}}\.{_SEGMENT}{{0,5000}})?(?![A-Za-z0-9_-])",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        header_b64, claims_b64 = value.split(".", 2)[:2]
        header = decode_json_object(header_b64)
        if header is None or not ("alg" in header or "typ" in header):
            return None
        if decode_json_object(claims_b64) is not None:
            return self.score
        return 0.9

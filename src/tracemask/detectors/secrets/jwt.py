"""JSON Web Tokens: signed (JWS, three parts) and encrypted (JWE, five parts) compact tokens.

A candidate is three to five base64url segments joined by dots whose first segment starts with
``eyJ`` (the encoding of ``{"``). It is reported only when that header decodes to a JSON object
that names an ``alg`` or a ``typ``, which rules out look-alikes such as dotted base64 ids. The
whole token is one ``API_KEY`` span: header and claims identify the user, the signature is the
credential, and all three travel together.

A JWT wrapped once more in base64 (``ZXlK…``, as Kubernetes secrets and some config stores keep
them) is decoded and held to the same test.
"""

from __future__ import annotations

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets._checks import ascii_patterns, b64decode_loose, decode_json_object

_SEGMENT = r"[A-Za-z0-9_-]"


class JsonWebToken(PatternDetector):
    """A compact JWT/JWS/JWE whose header decodes to JSON with ``alg`` or ``typ``.

    Scores: 0.95 when the claims (second segment) decode to JSON too, 0.9 otherwise (JWE, or a
    token cut short by a log line limit).
    """

    entity = "API_KEY"
    score = 0.95
    trigger = r"eyJ|ZXlK"
    patterns = ascii_patterns(
        rf"eyJ{_SEGMENT}{{5,2000}}\.{_SEGMENT}{{2,20000}}\.{_SEGMENT}{{0,5000}}"
        rf"(?:\.{_SEGMENT}{{0,5000}}\.{_SEGMENT}{{0,5000}})?(?![A-Za-z0-9_-])",
        r"(?=ZXlK)(?<![A-Za-z0-9+/])ZXlK[A-Za-z0-9+/_-]{30,40000}={0,2}(?![A-Za-z0-9+/=_-])",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if value.startswith("ZXlK"):
            raw = b64decode_loose(value)
            if raw is None or not raw.isascii():
                return None
            inner = raw.decode("ascii").strip()
            if inner.count(".") not in (2, 4) or self.validate(inner, inner, 0, len(inner)) is None:
                return None
            return 0.9
        header_b64, claims_b64 = value.split(".", 2)[:2]
        header = decode_json_object(header_b64)
        if header is None or not ("alg" in header or "typ" in header):
            return None
        if decode_json_object(claims_b64) is not None:
            return self.score
        return 0.9

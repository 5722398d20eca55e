"""Private key material: PEM blocks, base64-encoded PEM blocks and private JSON Web Keys.

A PEM private key is reported as one ``PRIVATE_KEY`` span from ``-----BEGIN … PRIVATE KEY-----``
to the next ``-----END … PRIVATE KEY-----``, whatever lies between: real newlines, literal ``\\n``
escapes of JSON-encoded environment strings, string concatenation in source code, or log-line
prefixes. A block whose END line is missing (a payload cut short) is reported up to the end of
its base64 body, so that a truncated key is masked too.
"""

from __future__ import annotations

import re

from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets._checks import ascii_patterns, b64decode_loose

_KTY = re.compile(r'"kty\\?"')
_LABEL = r"[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?-----"
#: Characters of a key body, including escapes, quotes and ``+`` of concatenated source lines.
_BODY_CHAR = r"(?:[A-Za-z0-9+/=\s\\\"',:.]|-(?!----))"


class PemPrivateKey(PatternDetector):
    """A PEM private key block (PKCS#1, PKCS#8, EC, OpenSSH, PGP…), complete or truncated."""

    entity = "PRIVATE_KEY"
    score = 0.95
    trigger = r"-----BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY"
    patterns = ascii_patterns(
        # Up to the next END line, never across another BEGIN line; else the base64 body alone.
        rf"-----BEGIN{_LABEL}(?:(?:[^-]|-(?!----BEGIN)){{16,65536}}?-----END{_LABEL}"
        rf"|{_BODY_CHAR}{{0,65536}})",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        if "-----END" in value[10:]:
            return self.score
        body = value[value.index("-----", 10) + 5 :]
        if sum(c.isalnum() for c in body) < 32:
            return None
        return 0.9


class Base64PemPrivateKey(PatternDetector):
    """A PEM private key block encoded once more in base64 (Kubernetes secrets, CI variables)."""

    entity = "PRIVATE_KEY"
    score = 0.9
    trigger = r"LS0tLS1CRUdJTi"
    patterns = ascii_patterns(
        r"LS0tLS1CRUdJTi[A-Za-z0-9+/]{60,60000}={0,2}(?![A-Za-z0-9+/=])",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        head = b64decode_loose(value[:96])
        if head is None or b"PRIVATE KEY" not in head:
            return None
        return self.score


class JsonWebKey(PatternDetector):
    """The private members of a JSON Web Key (``d``, ``p``, ``q``, ``dp``, ``dq``, ``qi`` of RSA/EC
    keys, ``k`` of symmetric keys), inside an object that also has a ``"kty"`` member.

    ``validate`` requires the ``"kty"`` member, so the trigger is a necessary condition of every
    finding even though the pattern alone does not mention it.
    """

    entity = "PRIVATE_KEY"
    score = 0.9
    trigger = r"\"kty\\?\""
    patterns = ascii_patterns(
        r"\\?\"(?:d|p|q|dp|dq|qi|k)\\?\"\s{0,4}:\s{0,4}\\?\"(?P<value>[A-Za-z0-9_-]{16,8192})\\?\"",
    )

    def validate(self, value: str, text: str, start: int, end: int) -> float | None:
        opening = text.rfind("{", max(0, start - 8192), start)
        closing = text.find("}", end, end + 8192)
        if opening < 0 or closing < 0 or _KTY.search(text, opening, closing) is None:
            return None
        return self.score

"""PEM private key blocks, base64-encoded PEM and private JSON Web Keys (random key material)."""

from __future__ import annotations

import base64
import functools
import json
import random
import re
import textwrap

import pytest

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets import SECRET_DETECTORS
from tracemask.detectors.secrets.pem import Base64PemPrivateKey, JsonWebKey, PemPrivateKey

DASHES = "-" * 5


def pem(label: str = "PRIVATE KEY", size: int = 600, seed: int = 0, end: str | None = None) -> str:
    body = base64.b64encode(random.Random(seed).randbytes(size)).decode()
    lines = "\n".join(textwrap.wrap(body, 64))
    return f"{DASHES}BEGIN {label}{DASHES}\n{lines}\n{DASHES}END {end or label}{DASHES}"


@functools.cache
def _engine(cls: type[PatternDetector], backend: str) -> DetectionEngine:
    """One engine per detector and backend: engines are immutable, compiling is the slow part."""
    return DetectionEngine([cls()], backend=backend)


def findings(
    cls: type[PatternDetector], text: str, backend: str
) -> list[tuple[int, int, str, float]]:
    engine = _engine(cls, backend)
    return [(f.start, f.end, f.entity, f.score) for f in engine.detect(text)]


RSA = pem("RSA PRIVATE KEY", seed=1)
PKCS8 = pem(seed=2)
EC = pem("EC PRIVATE KEY", 120, 3)
OPENSSH = pem("OPENSSH PRIVATE KEY", 400, 4)
PGP = pem("PGP PRIVATE KEY BLOCK", 400, 5)
ENCRYPTED = pem("ENCRYPTED PRIVATE KEY", 700, 6)
MISMATCHED = pem("PRIVATE KEY", 300, 7, end="RSA PRIVATE KEY")
ESCAPED = PKCS8.replace("\n", "\\n")  # as in a JSON-decoded env string or a .env file
DOUBLE_ESCAPED = PKCS8.replace("\n", "\\\\n")
CONCATENATED = '"' + PKCS8.replace("\n", '\\n"\n + "') + '"'
LOGGED = PKCS8.replace("\n", "\n#6 0.245 ")
TRUNCATED = PKCS8[:300]


@pytest.mark.parametrize(
    ("text", "key", "score"),
    [
        (RSA, RSA, 0.95),
        (f"key.pem:\n{PKCS8}\n", PKCS8, 0.95),
        (EC, EC, 0.95),
        (OPENSSH, OPENSSH, 0.95),
        (PGP, PGP, 0.95),
        (ENCRYPTED, ENCRYPTED, 0.95),
        (MISMATCHED, MISMATCHED, 0.95),
        (f'{{"private_key": "{ESCAPED}\\n", "client_email": "x"}}', ESCAPED, 0.95),
        (f"PRIVATE_KEY={DOUBLE_ESCAPED}", DOUBLE_ESCAPED, 0.95),
        (f"k = {CONCATENATED};", CONCATENATED[1:-1], 0.95),
        (f"#6 0.245 {LOGGED}\n#6 DONE 0.3s", LOGGED, 0.95),
        (f"cut short: {TRUNCATED}", TRUNCATED, 0.9),
    ],
)
def test_finds_private_key_blocks(text: str, key: str, score: float, backend: str) -> None:
    start = text.index(key)
    assert findings(PemPrivateKey, text, backend) == [
        (start, start + len(key), "PRIVATE_KEY", score)
    ]
    assert re.search(PemPrivateKey.trigger, text, re.ASCII)


def test_two_keys_are_two_spans(backend: str) -> None:
    text = f"{RSA}\n\n{EC}"
    assert [(s, e) for s, e, _, _ in findings(PemPrivateKey, text, backend)] == [
        (0, len(RSA)),
        (len(RSA) + 2, len(text)),
    ]


@pytest.mark.parametrize(
    "text",
    [
        pem("PUBLIC KEY"),
        pem("CERTIFICATE"),
        pem("RSA PUBLIC KEY"),
        f"{DASHES}BEGIN PRIVATE KEY{DASHES}",  # a header with no body, as in docs
        f"{DASHES}BEGIN PRIVATE KEY{DASHES}\n...\n{DASHES}END PRIVATE KEY{DASHES}",
        "the header -----BEGIN PRIVATE KEY----- marks the start",
    ],
)
def test_ignores_public_material_and_empty_headers(text: str, backend: str) -> None:
    assert findings(PemPrivateKey, text, backend) == []


def test_base64_encoded_pem(backend: str) -> None:
    encoded = base64.b64encode(PKCS8.encode()).decode()
    text = f"data:\n  tls.key: {encoded}\n"
    start = text.index(encoded)
    assert findings(Base64PemPrivateKey, text, backend) == [
        (start, start + len(encoded), "PRIVATE_KEY", 0.9)
    ]
    public = base64.b64encode(pem("PUBLIC KEY").encode()).decode()
    assert findings(Base64PemPrivateKey, f"tls.crt: {public}", backend) == []


def _b64url(seed: int, size: int) -> str:
    return base64.urlsafe_b64encode(random.Random(seed).randbytes(size)).decode().rstrip("=")


def test_private_jwk_members(backend: str) -> None:
    jwk = {
        "kty": "RSA",
        "n": _b64url(1, 256),
        "e": "AQAB",
        "d": _b64url(2, 256),
        "p": _b64url(3, 128),
        "q": _b64url(4, 128),
    }
    text = json.dumps({"keys": [jwk]})
    expected = [text.index(jwk[m]) for m in ("d", "p", "q")]
    found = findings(JsonWebKey, text, backend)
    assert [(s, e, ent) for s, e, ent, _ in found] == [
        (s, s + len(jwk[m]), "PRIVATE_KEY") for s, m in zip(expected, "dpq", strict=True)
    ]


def test_symmetric_jwk_and_escaped_json(backend: str) -> None:
    k = _b64url(5, 32)
    text = json.dumps(json.dumps({"kty": "oct", "k": k}))  # JSON inside a JSON string
    start = text.index(k)
    assert findings(JsonWebKey, text, backend) == [(start, start + len(k), "PRIVATE_KEY", 0.9)]


def test_public_jwk_and_d_outside_a_jwk_are_ignored(backend: str) -> None:
    public = json.dumps({"kty": "EC", "crv": "P-256", "x": _b64url(6, 32), "y": _b64url(7, 32)})
    assert findings(JsonWebKey, public, backend) == []
    assert findings(JsonWebKey, json.dumps({"d": _b64url(8, 32)}), backend) == []


def test_catalog_masks_a_service_account_key_once(backend: str) -> None:
    engine = DetectionEngine([cls() for cls in SECRET_DETECTORS], backend=backend)
    text = json.dumps({"type": "service_account", "private_key": PKCS8 + "\n"})
    found = engine.detect(text)
    assert [(f.entity, text[f.start : f.end]) for f in found] == [
        ("PRIVATE_KEY", json.dumps(PKCS8)[1:-1])
    ]

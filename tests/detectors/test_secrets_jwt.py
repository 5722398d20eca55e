"""JSON Web Tokens: built at test time from JSON headers and claims, signed with random bytes."""

from __future__ import annotations

import base64
import functools
import json
import random
import re

import pytest

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets import SECRET_DETECTORS
from tracemask.detectors.secrets.jwt import JsonWebToken


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def make_jwt(header: object, claims: object, sig_len: int = 32, seed: int = 0) -> str:
    signature = random.Random(seed).randbytes(sig_len)
    parts = [json.dumps(header).encode(), json.dumps(claims).encode()]
    return ".".join([*(b64url(p) for p in parts), b64url(signature) if sig_len else ""])


HS256 = make_jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "1234567890", "name": "Jane", "iat": 1})
RS256 = make_jwt({"typ": "JWT", "alg": "RS256", "kid": "k1"}, {"aud": "api", "exp": 2}, 256, 1)
UNSIGNED = make_jwt({"alg": "none"}, {"sub": "x"}, 0)
JWE = ".".join(
    [b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM"}).encode())]
    + [b64url(random.Random(i).randbytes(24)) for i in range(4)]
)
TRUNCATED = HS256[: HS256.rindex(".") + 6]


@functools.cache
def _engine(cls: type[PatternDetector], backend: str) -> DetectionEngine:
    """One engine per detector and backend: engines are immutable, compiling is the slow part."""
    return DetectionEngine([cls()], backend=backend)


def findings(text: str, backend: str) -> list[tuple[int, int, str, float]]:
    engine = _engine(JsonWebToken, backend)
    return [(f.start, f.end, f.entity, f.score) for f in engine.detect(text)]


@pytest.mark.parametrize(
    ("text", "token", "score"),
    [
        (f"Authorization: Bearer {HS256}", HS256, 0.95),
        (f'{{"id_token": "{RS256}"}}', RS256, 0.95),
        (f"cookie session={UNSIGNED}; Path=/", UNSIGNED, 0.95),
        (f"jwe {JWE} end", JWE, 0.9),  # JWE: the second part is an encrypted key
        (f"{HS256}.", HS256, 0.95),  # sentence full stop
        (f"log: token={TRUNCATED}", TRUNCATED, 0.95),
        (f"x{HS256}", HS256, 0.95),  # glued to a prefix: the header still decodes
    ],
)
def test_finds_jwts(text: str, token: str, score: float, backend: str) -> None:
    start = text.index(token)
    assert findings(text, backend) == [(start, start + len(token), "API_KEY", score)]
    assert re.search(JsonWebToken.trigger, text, re.ASCII)


def test_claims_that_do_not_decode_lower_the_score(backend: str) -> None:
    header = b64url(json.dumps({"alg": "HS256"}).encode())
    token = f"{header}.eyJ{'A' * 3}.{b64url(b'x' * 32)}"
    assert findings(token, backend) == [(0, len(token), "API_KEY", 0.9)]


@pytest.mark.parametrize(
    "text",
    [
        make_jwt({"kid": "k1"}, {"sub": "x"}),  # header names neither alg nor typ
        make_jwt(["alg"], {"sub": "x"}),  # header is not an object
        "eyJub3QganNvbiBhdCBhbGw.eyJzdWIiOiJ4In0.c2ln",  # header is not JSON
        HS256.rsplit(".", 1)[0],  # two parts only
        "eyJhbGciOiJIUzI1NiJ9",  # a lone base64 JSON object
        "version eyJ.1.2",
    ],
)
def test_rejects_look_alikes(text: str, backend: str) -> None:
    assert findings(text, backend) == []


def test_catalog_reports_the_token_once(backend: str) -> None:
    engine = DetectionEngine([cls() for cls in SECRET_DETECTORS], backend=backend)
    text = f"curl -H 'Authorization: Bearer {RS256}' https://api.example.com"
    assert [(text[f.start : f.end], f.entity) for f in engine.detect(text)] == [(RS256, "API_KEY")]


WRAPPED = base64.b64encode(HS256.encode()).decode()


@pytest.mark.parametrize(
    "template", ["{}", 'token: "{}"', "data:\n  jwt: {}\n", "K8S_TOKEN={}&next=1"]
)
def test_base64_wrapped_jwt_is_found_whole(template: str, backend: str) -> None:
    text = template.format(WRAPPED)
    start = text.index(WRAPPED)
    found = _engine(JsonWebToken, backend).detect(text)
    assert [(f.start, f.end, f.entity) for f in found] == [(start, start + len(WRAPPED), "API_KEY")]


@pytest.mark.parametrize(
    "text",
    [
        base64.b64encode(b"eyJub3QiOiJhIGp3dCJ9 is just base64 of some text here").decode(),
        base64.b64encode(b"eyJhbGciOiJIUzI1NiJ9").decode(),  # a header alone
        "ZXlK" + "A" * 60,
    ],
)
def test_base64_that_is_no_jwt_is_left_alone(text: str, backend: str) -> None:
    assert _engine(JsonWebToken, backend).detect(text) == []

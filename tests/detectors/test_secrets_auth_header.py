"""Authentication headers, bare Bearer/Basic credentials and curl credentials."""

from __future__ import annotations

import base64
import functools
import random
import re
import string

import pytest

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets import SECRET_DETECTORS
from tracemask.detectors.secrets.auth_header import AuthorizationHeader, CurlUserPassword

ALNUM = string.ascii_letters + string.digits


def rand(n: int, seed: int, alphabet: str = ALNUM + "-_.") -> str:
    rng = random.Random(seed)
    return rng.choice(ALNUM) + "".join(rng.choice(alphabet) for _ in range(n - 2)) + "Z"


@functools.cache
def _engine(cls: type[PatternDetector], backend: str) -> DetectionEngine:
    """One engine per detector and backend: engines are immutable, compiling is the slow part."""
    return DetectionEngine([cls()], backend=backend)


def findings(cls: type[PatternDetector], text: str, backend: str) -> list[tuple[int, int, str]]:
    engine = _engine(cls, backend)
    return [(f.start, f.end, f.entity) for f in engine.detect(text)]


TOKEN = rand(40, 1)
OPAQUE = rand(32, 2, ALNUM)
BASIC = base64.b64encode(b"svc-user:" + rand(16, 3, ALNUM).encode()).decode()

POSITIVES = [
    (f"Authorization: Bearer {TOKEN}", TOKEN),
    (f'headers = {{"Authorization": "Bearer {TOKEN}"}}', TOKEN),
    (f'{{\\"authorization\\": \\"Bearer {TOKEN}\\"}}', TOKEN),  # JSON inside a JSON string
    (f"Proxy-Authorization: Basic {BASIC}", BASIC),
    (f"authorization: token {OPAQUE}", OPAQUE),
    (f"Authorization: {OPAQUE}", OPAQUE),
    (f"Authorization: Bot {OPAQUE}", OPAQUE),
    (f"the call used bearer {TOKEN}.", TOKEN),
    (f"send `Basic {BASIC}` to the proxy", BASIC),
    (f"X-Api-Key: {OPAQUE}", OPAQUE),
    (f'"x-api-key": "{OPAQUE}"', OPAQUE),
    (f"api-key: {OPAQUE}", OPAQUE),
    (f"PRIVATE-TOKEN: {OPAQUE}", OPAQUE),
    (f"X-Vault-Token={OPAQUE}", OPAQUE),
    (f"curl -H 'Authorization: Bearer {TOKEN}' https://api.example.com", TOKEN),
    (f'curl \\\n    --oauth2-bearer "{OPAQUE}" \\\n    https://example.com', OPAQUE),
]

NEGATIVES = [
    "Authorization: Bearer <token>",
    "Authorization: Bearer $API_TOKEN",
    "Authorization: Bearer ${TOKEN}",
    "Authorization: Bearer YOUR_API_KEY",
    "Authorization: Bearer xxxxxxxxxxxxxxxx",
    "Authorization: Basic",
    "A bearer token is required for authentication.",
    "Use bearer authentication for the API.",
    "the basic usage of the library",
    "Basic authentication is deprecated",
    "Basic QWxhZGRpbg==",  # base64 without a user:password pair
    '{"token_type": "Bearer", "expires_in": 3599}',
    "x-ratelimit-remaining-tokens: 3999",
    "authorization failed for user",
]


@pytest.mark.parametrize(("text", "credential"), POSITIVES)
def test_finds_credentials_but_not_the_scheme(text: str, credential: str, backend: str) -> None:
    start = text.index(credential)
    assert findings(AuthorizationHeader, text, backend) == [
        (start, start + len(credential), "API_KEY")
    ]
    assert re.search(AuthorizationHeader.trigger, text, re.ASCII | re.IGNORECASE)


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_prose_and_placeholders(text: str, backend: str) -> None:
    assert findings(AuthorizationHeader, text, backend) == []


def test_scores() -> None:
    def score(text: str) -> float:
        return max(f.score for f in AuthorizationHeader().detect(text))

    assert score(f"Authorization: Bearer {TOKEN}") == 0.9
    assert score(f"Authorization: Basic {BASIC}") == 0.9
    assert score(f"Authorization: {OPAQUE}") == 0.8
    assert score(f"bearer {TOKEN}") == 0.85


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("curl -u admin:S3cr3t-pa55 https://example.com", "S3cr3t-pa55"),
        ("curl --user 'deploy:p@ss:w0rd!' -X POST https://x", "p@ss:w0rd!"),
        ('curl -s \\\n  -u "bot:Zx81-qq0" https://x', "Zx81-qq0"),
        ("curl --user=ci:tok3n_value https://x", "tok3n_value"),
    ],
)
def test_curl_user_password(text: str, password: str, backend: str) -> None:
    start = text.index(password)
    assert findings(CurlUserPassword, text, backend) == [(start, start + len(password), "PASSWORD")]


@pytest.mark.parametrize(
    "text",
    [
        "curl -u user:$PASSWORD https://x",
        "curl -u admin:password https://x",
        "curl -u user: https://x",
        "wget -u admin:S3cr3t https://x",
    ],
)
def test_curl_placeholders(text: str, backend: str) -> None:
    assert findings(CurlUserPassword, text, backend) == []


def test_catalog_on_a_request_log(backend: str) -> None:
    engine = DetectionEngine([cls() for cls in SECRET_DETECTORS], backend=backend)
    text = f"POST /v1/chat HTTP/1.1\r\nAuthorization: Bearer {TOKEN}\r\nX-Request-Id: 42\r\n"
    assert [(f.entity, text[f.start : f.end]) for f in engine.detect(text)] == [("API_KEY", TOKEN)]

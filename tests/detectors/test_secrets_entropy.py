"""High-entropy tokens next to secret-ish words, and the identifiers traces are full of."""

from __future__ import annotations

import base64
import functools
import random
import re
import string

import pytest

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors.secrets.entropy import HighEntropySecret

B64 = string.ascii_letters + string.digits + "+/"


def rand(n: int, seed: int, alphabet: str = B64) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


@functools.cache
def _engine(backend: str) -> DetectionEngine:
    return DetectionEngine([HighEntropySecret()], backend=backend)


def findings(text: str, backend: str) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.entity) for f in _engine(backend).detect(text)]


T1, T2, T3 = rand(40, 1), rand(24, 2, string.ascii_letters + string.digits), rand(64, 3)
HEX48 = rand(48, 4, "0123456789abcdef")

POSITIVES = [
    (f"the api key for staging is {T2}", T2),
    (f"private_key_id: {T1}", T1),
    (f'{{"refresh_token": "{T3}=="}}', T3 + "=="),
    (f"Authentication key:{T2}", T2),
    (f"auth {T1}", T1),
    (f"SECRET_SIGNING_KEY={HEX48}", HEX48),  # hex, but not a digest length
    (f"credential => '{T2}'", T2),
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_finds_high_entropy_tokens_after_keywords(text: str, value: str, backend: str) -> None:
    start = text.index(value)
    assert findings(text, backend) == [(start, start + len(value), "SECRET")]
    assert re.search(HighEntropySecret.trigger, text, re.ASCII | re.IGNORECASE)


PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + random.Random(5).randbytes(60)).decode()

DECOYS = [
    f"nothing to see: {T1}",  # entropy alone is not enough
    f"the keyword list: {T1}",
    f"author: {T1}",
    "trace key 4bf92f3577b34da6a3ce929d0e0e4736",  # W3C trace id (md5 length)
    "commit key da39a3ee5e6b4b0d3255bfef95601890afd80709",  # git SHA-1
    "cache key e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # sha256
    "token 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # traceparent
    "idempotency key 123e4567-e89b-12d3-a456-426614174000",  # UUID
    "key: claude-3-5-sonnet-20241022",
    "token model gpt-4o-mini-2024-07-18-preview",
    "key path /usr/local/lib/python3.11/site-packages/tracemask",
    "auth url https://auth.example.com/oauth2/v1/token",
    "key: com.example.service.AuthenticationProvider",
    "token: get_user_authentication_token_from_cache",
    "key: getUserAuthenticationTokenFromCache",
    "key: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    "key: abcdefghijklmnopqrstuvwxyz123456",
    f"image key data:image/png;base64,{PNG}",
    f"key {PNG}",
    '"max_tokens": 4096, "token_count": 12',
    "token: 1234567890123456789012345",
    "key: v1.2.3-beta.4+build.20240101",
    '"PrivateDefaultScopeId": "ipam-scope-02fc38cd4c48e7d38",',
    '"S3Key": "RHEL5export-i-fh8sjjsq.ova",',
    '"S3Key": "867139942017-EntitiesDetection-ab9887877365fe70299089371c043b96/"',
    "aws apigateway get-usage-plan-key --key-id 1NbjQzMReAkeEQPNAW8r3dXsU2rDD7fc7f",
    "forgot-password --client-id 3n4b5urk1ft4fl3mg5e62d9ado --username jane",
    "MLKEM768PrivateKey = rust_openssl.hpke.MLKEM768X25519PrivateKey",
    "auth = ApiGatewayV2WSAuthorizer(auth_name)",
    '"""Key Decryption with AEAD_CHACHA20_POLY1305."""',
    '"PurchaseToken": "eyJ2IjoiMSIsInMiOjEsImMiOi...",',
    '"Resource": "arn:aws:secretsmanager:*:*:secret:eks-local.cluster.x-k8s.io/*"',
]


@pytest.mark.parametrize("text", DECOYS)
def test_leaves_identifiers_alone(text: str, backend: str) -> None:
    assert findings(text, backend) == []


def test_score_grows_with_entropy() -> None:
    (low,) = HighEntropySecret().detect(f"token: {rand(24, 6, 'abcdefghij0123456789')}")
    (high,) = HighEntropySecret().detect(f"token: {rand(64, 7)}")
    assert low.score == 0.6
    assert high.score == 0.7


def test_sha_context_lowers_the_score() -> None:
    text = f"sha256 key {HEX48}"
    assert all(f.score < 0.5 for f in HighEntropySecret().detect(text))

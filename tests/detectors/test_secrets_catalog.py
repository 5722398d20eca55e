"""The secret detector family as a whole: its contract with the engine, decoys, performance."""

from __future__ import annotations

import functools
import json
import random
import re
import string
import time

import hyperscan
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask.detectors import secrets
from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets import SECRET_DETECTORS

ENTITIES = {"API_KEY", "PRIVATE_KEY", "PASSWORD", "SECRET"}


@functools.cache
def catalog(backend: str) -> DetectionEngine:
    return DetectionEngine([cls() for cls in SECRET_DETECTORS], backend=backend)


def test_catalog_is_an_explicit_tuple_of_detectors() -> None:
    assert isinstance(SECRET_DETECTORS, tuple)
    assert all(issubclass(cls, PatternDetector) for cls in SECRET_DETECTORS)
    assert len({cls.name for cls in SECRET_DETECTORS}) == len(SECRET_DETECTORS)
    assert {cls.entity for cls in SECRET_DETECTORS} == ENTITIES
    exported = {name for name in secrets.__all__ if name != "SECRET_DETECTORS"}
    assert exported == {cls.__name__ for cls in SECRET_DETECTORS}


@pytest.mark.parametrize("cls", SECRET_DETECTORS, ids=lambda c: c.__name__)
def test_trigger_is_in_the_shared_subset(cls: type[PatternDetector]) -> None:
    trigger = cls.trigger
    assert trigger
    assert trigger.isascii()
    assert "(?<" not in trigger, "no lookbehind"
    assert "(?P" not in trigger, "no named group or named backreference"
    assert re.search(r"\\[1-9]", trigger) is None, "no backreference"
    re.compile(trigger, re.ASCII | (re.IGNORECASE if cls.ignore_case else 0))
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    flags = hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY
    if cls.ignore_case:
        flags |= hyperscan.HS_FLAG_CASELESS
    db.compile(expressions=[trigger.encode("ascii")], ids=[0], flags=[flags])


@pytest.mark.parametrize("cls", SECRET_DETECTORS, ids=lambda c: c.__name__)
def test_patterns_report_a_value_group_or_the_whole_match(cls: type[PatternDetector]) -> None:
    for compiled in cls()._compiled:
        assert not compiled.groupindex or "value" in compiled.groupindex


def test_whole_catalog_compiles_on_both_backends(backend: str) -> None:
    assert catalog(backend).prefilter.backend == backend


DECOYS = [
    "123e4567-e89b-12d3-a456-426614174000",
    "request 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7",
    "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "commit da39a3ee5e6b4b0d3255bfef95601890afd80709 on main",
    '{"sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}',
    '{"model": "gpt-4o-2024-08-06", "temperature": 0.2}',
    "model=claude-3-5-sonnet-20241022 max_tokens=1024",
    "the task-sk-list is long; desk-sk-2 too",
    "release v1.24.3-rc.1+build.5",
    "<img src='data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlE'>",
    '{"usage": {"prompt_tokens": 12, "completion_tokens": 40, "total_tokens": 52}}',
    '{"token_count": 12, "max_tokens": 4096, "tokenizer": "cl100k_base"}',
    "Please reset your password please, then sign in again.",
    "Forgot password? Click the link to reset it.",
    "Set OPENAI_API_KEY=<your-key> and ANTHROPIC_API_KEY=${ANTHROPIC_API_KEY}.",
    "api_key: YOUR_API_KEY_HERE",
    "password: ********",
    'headers={"Authorization": "Bearer <token>"}',
    "Use the Authorization header with a Bearer token.",
    '{"next_page_token": "CiAKGjBpNDd2Nmp0dzQ5cHpsc3NnZGpvdW5qMnZyEL", "page_size": 50}',
    '{"id": "chatcmpl-9vXq2Lr8T0kJb3Hn6Yc1", "object": "chat.completion"}',
    '{"run_id": "0192f6a8-7c3e-7a51-9b2e-5d4c3b2a1f00", "parent_run_id": null}',
    "https://api.openai.com/v1/chat/completions",
    "postgres://app@db.internal:5432/app",
    "/home/user/.ssh/id_rsa.pub and C:\\Users\\me\\keys\\public.pem",
    "-----BEGIN CERTIFICATE----- and -----BEGIN PUBLIC KEY-----",
    "user.set_password(new_password)",
    "token = tokenizer.encode(text)",
    "sk_live_ and pk_live_ are Stripe prefixes",
]


@pytest.mark.parametrize("text", DECOYS)
def test_decoys_produce_no_finding(text: str, backend: str) -> None:
    assert [text[f.start : f.end] for f in catalog(backend).detect(text)] == []


def _rand(n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


FRAGMENTS = [
    "password", "passwd", "pwd", "PW", "secret", "token", "api_key", "apiKey", "key", "auth",
    "credentials", "Authorization", "Bearer", "Basic", "x-api-key", "curl -u", "--password",
    "--token", "ConvertTo-SecureString", "://", "@", ":", "=", " = ", ": ", "=>", " is ", '"',
    "'", "\\n", "\n", " ", ",", "(", ")", "<password>", "</password>", "?sig=", "&token=",
    "sk-", "sk-proj-", "ghp_", "AKIA", "xoxb-", "AIza", "eyJ", "-----BEGIN PRIVATE KEY-----",
    "-----END PRIVATE KEY-----", '"kty"', "hooks.slack.com/services/", "AccountKey=",
    "Zq8!xK2#", "hunter2", _rand(20, 1), _rand(36, 2), _rand(40, 3), _rand(64, 4),
    "eyJhbGciOiJIUzI1NiJ9", "eyJzdWIiOiIxIn0", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
]  # fmt: skip


@settings(
    max_examples=examples(400),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=14).map("".join))
def test_every_finding_has_its_trigger(text: str) -> None:
    """A pattern hit whose trigger does not fire would be a leak: check it on random texts."""
    for cls in SECRET_DETECTORS:
        detector = cls()
        if not list(detector.detect(text)):
            continue
        flags = re.ASCII | (re.IGNORECASE if cls.ignore_case else 0)
        assert re.search(cls.trigger, text, flags), (cls.__name__, text)
    assert catalog("re").detect(text) == catalog("hyperscan").detect(text)


PATHOLOGICAL = [
    "a" * 200_000,
    "key=" * 20_000,
    "password " * 20_000,
    "token: " + "A" * 100_000,
    "secret_" * 20_000,
    "eyJ" + "A" * 100_000 + ".",
    "-----BEGIN PRIVATE KEY-----\n" * 2_000,
    "-----BEGIN PRIVATE KEY-----\n" + "QUJD\n" * 20_000,
    "://a:" * 20_000,
    "sk-" * 30_000,
    "Bearer " * 20_000,
    "curl " * 20_000,
    '{"key": "' * 10_000,
    json.dumps({"messages": [{"role": "user", "content": "password: " + "x1" * 5_000}] * 20}),
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:24]))
def test_no_catastrophic_backtracking(text: str, backend: str) -> None:
    engine = catalog(backend)
    # CPU time, not wall time: a bound on the work done, whatever else the machine runs.
    # Catastrophic backtracking on these inputs costs minutes; linear scanning well under 1 s.
    started = time.process_time()
    engine.detect(text)
    assert time.process_time() - started < 2.0

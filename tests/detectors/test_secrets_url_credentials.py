"""Passwords in URL userinfo: only the password part is reported."""

from __future__ import annotations

import functools
import re

import pytest

from tracemask import Masker
from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors.secrets.url_credentials import UrlCredentials


@functools.cache
def _engine(backend: str) -> DetectionEngine:
    return DetectionEngine([UrlCredentials()], backend=backend)


def findings(text: str, backend: str) -> list[tuple[int, int, str]]:
    return [(f.start, f.end, f.entity) for f in _engine(backend).detect(text)]


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("DATABASE_URL=postgres://app:Zq8Lw3Nv6@db.internal:5432/app", "Zq8Lw3Nv6"),
        ("mysql://root:s3cr3t!@127.0.0.1/mysql", "s3cr3t!"),
        ("redis://:Kx81qq0z@cache:6379/0", "Kx81qq0z"),
        ("amqp://guest:gu3st-pw@rabbit:5672/", "gu3st-pw"),
        ("mongodb+srv://svc:p%40ss%3Aw0rd@cluster0.example.net/db", "p%40ss%3Aw0rd"),
        ("mongodb://svc:p@ss:w0rd@host/db", "p@ss:w0rd"),  # unescaped @ and :
        ('{"url": "https://bot:Tk9-xx_12@git.example.com/repo.git"}', "Tk9-xx_12"),
        ("see ftp://anon:4nyth1ng@[::1]:21/pub", "4nyth1ng"),
    ],
)
def test_finds_the_password_only(text: str, password: str, backend: str) -> None:
    start = text.index(password)
    assert findings(text, backend) == [(start, start + len(password), "PASSWORD")]
    assert re.search(UrlCredentials.trigger, text, re.ASCII)


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com:8443/path",  # a port, no userinfo
        "https://user@example.com/",  # a user without a password
        "postgres://user:${DB_PASSWORD}@db/app",
        "postgres://user:<password>@db/app",
        "postgres://user:password@localhost/app",
        "redis://:****@cache:6379",
        "https://host:443@evil.example/",  # host:port before @ is no password
        "mailto:jane.doe@example.com",
        "git@github.com:org/repo.git",
        "postgres://user:pässwörd@db/app",  # not percent-encoded: not a URL password
        "github://org:repo@sha/catalog.yml",
        "https://jo%40email.com:a%20secret@example.com",
    ],
)
def test_ignores_urls_without_a_password(text: str, backend: str) -> None:
    assert findings(text, backend) == []


@pytest.mark.parametrize(
    ("text", "password"),
    [
        ("DATABASE_URL=postgresql://app:S3cr#t!x@db.internal:5432/app", "S3cr#t!x"),
        ("postgres://u:p@ss#w0rd@host:5432/db", "p@ss#w0rd"),
    ],
)
def test_raw_hash_and_at_in_passwords_through_the_masker(text: str, password: str) -> None:
    masked = Masker().mask_text(text)
    assert password not in masked
    assert "<PASSWORD>" in masked

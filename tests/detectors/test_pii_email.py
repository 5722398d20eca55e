from __future__ import annotations

import pytest

from tests.detectors._tables import spans
from tracemask.detectors.pii.email import EmailDetector

POSITIVES = [
    ("mail jane.doe@example.com now", "jane.doe@example.com"),
    ("<JANE_DOE+tag@Sub.Example.co.uk>", "JANE_DOE+tag@Sub.Example.co.uk"),
    ('{"to":"o\'brien@example.ie"}', "o'brien@example.ie"),
    ("josé.garcía@correo.es!", "josé.garcía@correo.es"),
    ("a1@b2.io.", "a1@b2.io"),
]
NEGATIVES = [
    "git@github.com:org/repo.git",  # SSH remote
    "@decorator on a function",
    "user@localhost",  # no dotted domain
    "a..b@example.com",
    "version 1.2@3.4",  # digits as TLD
    "handle @jane.doe on the forum",
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_finds_addresses(text: str, value: str, backend: str) -> None:
    assert spans(EmailDetector(), text, backend) == [("EMAIL_ADDRESS", value)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_non_addresses(text: str, backend: str) -> None:
    assert spans(EmailDetector(), text, backend) == []

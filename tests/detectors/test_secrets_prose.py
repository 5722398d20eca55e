from __future__ import annotations

import pytest

from tests.detectors._tables import spans
from tracemask import Masker
from tracemask.detectors.secrets.assignment import PasswordInProse

POSITIVES = [
    ("The password for the staging account is Winter2024! but", "Winter2024!"),
    ("I reset it to hunter_x8Kd2a and it still says invalid password.", "hunter_x8Kd2a"),
    ("my passphrase was 'c0rrect-horse' yesterday", "c0rrect-horse"),
    ("I changed my password to S3cure#pass", "S3cure#pass"),
]
NEGATIVES = [
    "Please reset your password to continue.",
    "my password is secret",
    "The password is a Word.",
    "The password is https://x.example/reset",
    "I reset it to factory_defaults and rebooted",  # no password nearby
    "the password is ${DB_PASSWORD}",
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_passwords_told_in_sentences(text: str, value: str, backend: str) -> None:
    assert spans(PasswordInProse(), text, backend) == [("PASSWORD", value)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_prose_without_a_password_value(text: str, backend: str) -> None:
    assert spans(PasswordInProse(), text, backend) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password is 'football'", "password is '<PASSWORD>'"),
        ('my password was "sunshine"', 'my password was "<PASSWORD>"'),
        ("set the password to 'dragonfly' please", "set the password to '<PASSWORD>' please"),
    ],
)
def test_a_quoted_word_after_the_password_word(text: str, expected: str) -> None:
    # Passwords people choose are often one dictionary word; quoted, it is a value.
    assert Masker().mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the password is 'required'",  # a state, not a password
        "the password field is 'hidden'",
        "password is football",  # unquoted: as likely the next word of a sentence
        "the password is 'Password'",
    ],
)
def test_quoted_states_and_bare_words_stay(text: str) -> None:
    assert Masker().mask_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("creds: admin:hunter2", "creds: admin:<PASSWORD>"),
        ("login: admin / hunter2", "login: admin / <PASSWORD>"),
        ("wifi: MyNetwork / sunshine99", "wifi: MyNetwork / <PASSWORD>"),
        ("login: jane@example.com:S3cret!", "login: <EMAIL_ADDRESS>:<PASSWORD>"),
    ],
)
@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_a_credential_pair_after_its_label(backend: str, text: str, expected: str) -> None:
    assert Masker(backend=backend).mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "login: https://example.com/login",
        "login: admin / <password>",
        "creds: user:${DB_PASS}",
        "login: 2024-01-01 12:00",
        "credentials: see vault",
    ],
)
def test_labels_without_a_credential_pair_stay(text: str) -> None:
    assert Masker().mask_text(text) == text

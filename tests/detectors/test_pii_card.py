from __future__ import annotations

import random

import pytest

from tests.detectors._tables import spans
from tracemask import Masker
from tracemask.detectors.pii.card import CreditCardDetector
from tracemask.testing import fake_card

POSITIVES = [
    ("card 4111 1111 1111 1111 exp 12/29", "4111 1111 1111 1111"),
    ("pay with 4111-1111-1111-1111.", "4111-1111-1111-1111"),
    ("visa 4111111111111111", "4111111111111111"),
    ("amex 3782 822463 10005 ok", "3782 822463 10005"),
    ("mc 5555555555554444", "5555555555554444"),
    ("mc2 2221000000000009", "2221000000000009"),
    ("discover 6011111111111117", "6011111111111117"),
    ("jcb 3530111333300000", "3530111333300000"),
    ("my credit card 3590730093437731 has been", "3590730093437731"),  # Luhn + context
    ("card 4111.1111.1111.1111 please", "4111.1111.1111.1111"),  # typed with dots
]
NEGATIVES = [
    "order 4111111111111112 shipped",  # Luhn-invalid
    "ts 1795400489304694939",  # nanosecond timestamp
    "epoch 1767225600000",
    "ref 3590730093437731",  # Luhn-valid, unknown issuer, no context
    "amount 0.4111111111111111",  # a float
    "id 4111111111111111-abc",  # part of a token
    "1111 1111 1111 1111",  # one repeated digit, no issuer
    "version 2024.1111.1111.1111",  # dotted, no issuer, Luhn-invalid
]


@pytest.mark.parametrize(("text", "value"), POSITIVES)
def test_finds_cards(text: str, value: str, backend: str) -> None:
    assert spans(CreditCardDetector(), text, backend) == [("CREDIT_CARD", value)]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_non_cards(text: str, backend: str) -> None:
    assert spans(CreditCardDetector(), text, backend) == []


def test_generated_cards_are_found_with_any_grouping(backend: str) -> None:
    rng = random.Random(7)
    for prefix, length in [("4", 16), ("51", 16), ("37", 15), ("6011", 16), ("4", 19)]:
        number = fake_card(rng, prefix, length)
        grouped = " ".join(number[i : i + 4] for i in range(0, len(number), 4))
        for shown in (number, grouped, grouped.replace(" ", "-")):
            assert spans(CreditCardDetector(), f"card {shown} ok", backend) == [
                ("CREDIT_CARD", shown)
            ]


def test_offsets_are_exact() -> None:
    text = "x 4111 1111 1111 1111 y"
    (finding,) = CreditCardDetector().detect(text)
    assert (finding.start, finding.end) == (2, 21)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my card 4111 1111 1111 1112", "4111 1111 1111 1112"),  # one digit wrong
        ("Visa: 4111-1111-1111-1121", "4111-1111-1111-1121"),
        ("cc 5500 0000 0000 0005 exp 10/27", "5500 0000 0000 0005"),
        ("Kreditkarte 5500-0000-0000-0005", "5500-0000-0000-0005"),
        ("tarjeta 4000 1234 5678 9011", "4000 1234 5678 9011"),
        ("信用卡4111111111111112", "4111111111111112"),
    ],
)
def test_a_wrong_checksum_next_to_a_card_word_is_a_card(
    text: str, value: str, backend: str
) -> None:
    assert spans(CreditCardDetector(), text, backend) == [("CREDIT_CARD", value)]


@pytest.mark.parametrize(
    "text",
    ["id 4111 1111 1111 1112", "order card 4111 1111 1111 1112", "ts 1234567890123456"],
)
def test_a_wrong_checksum_alone_is_not_a_card(text: str, backend: str) -> None:
    assert spans(CreditCardDetector(), text, backend) == []


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("exp 12/27 cvv 123", "exp 12/27 cvv <CREDIT_CARD>"),
        ("CVC2: 4567", "CVC2: <CREDIT_CARD>"),
        ("security code is 987", "security code is <CREDIT_CARD>"),
        ('cvv: "123"', 'cvv: "<CREDIT_CARD>"'),
        ("cvv 123456", "cvv 123456"),  # not a security code's length
        ("cvv 12/27", "cvv 12/27"),  # an expiry
        ("the CVV field is required", "the CVV field is required"),
        ("csc 2024-08-06", "csc 2024-08-06"),
    ],
)
def test_a_security_code_after_its_name(text: str, masked: str, backend: str) -> None:
    assert Masker(backend=backend).mask_text(text) == masked


def test_a_security_code_under_its_key() -> None:
    out = Masker().mask({"card": {"cvv": "123", "cvc2": 4567, "expiry": "12/27"}})
    assert out == {"card": {"cvv": "<PASSWORD>", "cvc2": 0, "expiry": "12/27"}}


@pytest.mark.parametrize(
    "value", ["377266331674731", "342694305250422", "30583689766425", "4111114707798"]
)
@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_a_bare_short_card_of_a_narrow_issuer(backend: str, value: str) -> None:
    # Amex 15, Diners 14 and Visa 13 digits: the prefix fixes the length, Luhn holds.
    assert Masker(backend=backend).mask_text(f"Refund it to {value} please") == (
        "Refund it to <CREDIT_CARD> please"
    )


@pytest.mark.parametrize(
    "text",
    [
        "order 377266331674731",  # a negative word
        "ticket 30583689766425",
        "timestamp 1733600000000",  # epoch milliseconds: no issuer starts with 1 at 13 digits
        "ref 501804312301",  # Maestro's ranges are wide: a bare 12-15 digit run stays an id
        "id 377266331674732",  # Luhn fails
    ],
)
@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_bare_short_runs_that_stay(backend: str, text: str) -> None:
    assert Masker(backend=backend).mask_text(text) == text

"""The crypto wallet, card and IBAN detectors' shortcuts give the plain computation's findings.

``CryptoWalletDetector.detect`` runs no pattern on a string without a Base58 run, "bc1" or
"0x"; ``CreditCardDetector._trim`` tries no shorter cut after an IBAN's head (``validate``'s
first check reads only the candidate's start) and searches the Amex pattern from the next Amex
shape; ``IbanDetector`` searches each pattern from where its gate (check digits and two
groups) first matches.
"""

from __future__ import annotations

import hashlib
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask.detectors._pattern import PatternDetector, compile_regex
from tracemask.detectors.pii import card, crypto, iban
from tracemask.detectors.pii.card import CreditCardDetector
from tracemask.detectors.pii.crypto import CryptoWalletDetector
from tracemask.detectors.pii.iban import IbanDetector

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check(payload: bytes) -> str:
    """A Base58Check string of ``payload`` (made here: no real wallet's address)."""
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, digit = divmod(number, 58)
        out = _B58[digit] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


P2PKH = _base58check(b"\0" + bytes(range(20)))  # starts with "1"
P2SH = _base58check(b"\5" + bytes(range(40, 60)))  # starts with "3"
BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"  # BIP-173's example
ETH = "0x52908400098527886E0F7030069857D2E4169EE7"  # EIP-55's example


class _EveryString(CryptoWalletDetector):
    name = "CryptoWalletDetector"
    detect = PatternDetector.detect


class _EveryCut(CreditCardDetector):
    """Every cut tried, every pattern searched at every position."""

    name = "CreditCardDetector"
    _trim = PatternDetector._trim

    def __init__(self) -> None:
        super().__init__()
        self._compiled = tuple(compile_regex(p) for p in self.patterns)


_WALLET_PIECES = (
    P2PKH, P2SH, P2PKH[:-1] + "z", P2SH[:20], BECH32, ETH, ETH[:20], "bc1", "0x", "1st", "3rd",
    "10am", "3f2a9c", "1" * 30, "1a" * 15, "send to ", "wallet ", " ", "\n", ":", "-", "é",
)  # fmt: skip
_CARD_PIECES = (
    "4111 1111 1111 1111", "4111111111111111", "4302-3985-4075-5740", "3782 822463 10005",
    "3714-496353-98431", "3782 822463", "34", "x",
    "DE89 ", "GB09 WNSM ", "ES18 9348 ", "IBAN ", "card ", "visa ", "1234", "5678", "12", "123",
    " ", "-", ".", "\n", ", ", "2024-08-06", "+1 415 555 0132",
)  # fmt: skip


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(st.sampled_from(_WALLET_PIECES) | st.text(max_size=3), max_size=12).map("".join))
@example(f"btc {P2PKH}")
@example(f"to {P2SH}, eth {ETH} or {BECH32}")
@example("we met at 10am on the 1st")
def test_wallets_gated_as_unguarded(text: str) -> None:
    assert list(CryptoWalletDetector().detect(text)) == list(_EveryString().detect(text))


@settings(max_examples=examples(1500), deadline=None)
@given(st.text(alphabet=_B58 + "0OIl -", min_size=20, max_size=45))
@example("1" + "A" * 25)  # the shortest Base58 candidate: 26 characters
def test_every_base58_candidate_starts_a_run(text: str) -> None:
    """The gate's premise: each match of the Base58 pattern (checksum aside) starts a match of
    ``_BASE58_RUN``."""
    pattern = re.compile(CryptoWalletDetector.patterns[0])
    for start in range(len(text)):
        found = pattern.match(text, start)
        if found is not None:
            assert crypto._BASE58_RUN.match(text, found.start("value")) is not None, text


def test_wallets_still_found() -> None:
    text = f"btc {P2PKH} or {P2SH}, eth {ETH}, {BECH32}"
    found = [text[f.start : f.end] for f in CryptoWalletDetector().detect(text)]
    assert sorted(found) == sorted([P2PKH, P2SH, ETH, BECH32])


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(st.sampled_from(_CARD_PIECES), max_size=12).map("".join))
@example("IBAN DE89 3704 0044 0532 0130 00, card 4111 1111 1111 1111")
@example("ES18 9348 9192 1335 8170 1903")
@example("card 4111 1111 1111 1111 123")  # a card and a count: the cut passes
@example("amex 3782 822463 10005, 3714-496353-98431 x3782 822463 10005")
def test_cards_trimmed_as_every_cut(text: str) -> None:
    assert list(CreditCardDetector().detect(text)) == list(_EveryCut().detect(text))


class _Ungated(IbanDetector):
    name = "IbanDetector"

    def __init__(self) -> None:
        super().__init__()
        self._compiled = tuple(compile_regex(p) for p in self.patterns)


_IBAN_PIECES = (
    "DE89 3704 0044 0532 0130 00", "DE89370400440532013000", "GB29 NWBK 6016 1331 9268 19",
    "de89 3704 0044 0532 0130 00", "gb29 nwbk 6016 1331 9268 19", "FR76-3000-6000-0112-3456",
    "DE89", "de89 ", "3704", " 0044", "-0532", "NWBK", "nwbk", "AB12", "ab12", "iban ", "Konto ",
    " ", "-", "\n", "x", "Z", "9", "é", "ORD-2024-1234",
)  # fmt: skip


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(st.sampled_from(_IBAN_PIECES) | st.text(max_size=3), max_size=10).map("".join))
@example("IBAN DE89 3704 0044 0532 0130 00 and GB29 NWBK 6016 1331 9268 19")
@example("iban de89 3704 0044 0532 0130 00")
@example("xDE89 3704 0044 0532 0130 00")
def test_ibans_gated_as_ungated(text: str) -> None:
    assert list(IbanDetector().detect(text)) == list(_Ungated().detect(text))


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(st.sampled_from(_IBAN_PIECES), max_size=8).map("".join))
def test_every_iban_match_has_its_gate_two_after(text: str) -> None:
    """The gates' premise, for each pattern: a match at ``q`` has a gate match at ``q + 2``."""
    for pattern, gate in zip(IbanDetector.patterns, iban._AFTER_COUNTRY, strict=True):
        regex = re.compile(pattern)
        for start in range(len(text)):
            found = regex.match(text, start)
            if found is not None:
                assert gate.match(text, found.start() + 2) is not None, text


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_CARD_PIECES), max_size=8).map("".join))
def test_every_amex_match_is_an_amex_shape(text: str) -> None:
    """The Amex gate's premise: each match of the pattern starts a match of ``_AMEX``."""
    regex = re.compile(CreditCardDetector.patterns[1])
    for start in range(len(text)):
        found = regex.match(text, start)
        if found is not None:
            assert card._AMEX.match(text, found.start()) is not None, text

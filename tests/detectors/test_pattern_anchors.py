"""Anchored search (``PatternDetector.anchors``): skipping to ``reach`` before the next literal
finds exactly what searching every position finds, on both backends."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tracemask import Masker
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.pii.crypto import CryptoWalletDetector
from tracemask.detectors.pii.email import EmailDetector
from tracemask.detectors.pii.network import IPv4Detector, IPv6Detector, MacAddressDetector

ANCHORED: tuple[type[PatternDetector], ...] = (
    EmailDetector,
    IPv4Detector,
    IPv6Detector,
    MacAddressDetector,
    CryptoWalletDetector,
)

#: Pieces of addresses and near-misses, glued in random order.
FRAGMENTS = (
    "@", ".", ":", "::", "-", "_", "+", "%", "'", " ", "\n", "a", "Z", "9", "0", "255", "10",
    "fe80", "ab", "0a1b", "jane.doe", "j", "example", "com", "co.uk", "mail", "é", "ü", "中",
    "xn--", "192.168.1.20", "2001:db8::1", "00:1a:2b:3c:4d:5e", "0a1b.2c3d.4e5f", "x" * 70,
    "bc1", "0x", "qar0srrr7xf", "deadbeef" * 5, "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
)  # fmt: skip
#: A bech32 and an Ethereum address (public documentation examples, also in test_pii_network).
BECH32 = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
ETH = "0x52908400098527886E0F7030069857D2E4169EE7"
FRAGMENTS = (*FRAGMENTS, BECH32, ETH)

texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=30).map("".join)


def _unanchored(cls: type[PatternDetector]) -> PatternDetector:
    detector = cls()
    detector._anchors = (None,) * len(detector.patterns)
    return detector


@pytest.mark.parametrize("cls", ANCHORED)
@given(text=texts)
@example(text="a" * 64 + "@example.com")
@example(text="b" * 70 + "@example.com")
@example(text="see 2001:db8::1 and fe80::1:2")
@example(text=f"x{BECH32} {BECH32}")
@example(text=f"0x{ETH} a{ETH}")
def test_anchored_search_finds_what_a_full_search_finds(
    cls: type[PatternDetector], text: str
) -> None:
    assert list(cls().detect(text)) == list(_unanchored(cls).detect(text))


@pytest.mark.parametrize("cls", ANCHORED)
@given(text=texts)
def test_every_match_holds_its_anchor_within_reach(cls: type[PatternDetector], text: str) -> None:
    """The declaration itself: the literal starts at most ``reach`` after each match's start."""
    flags = re.IGNORECASE if cls.ignore_case else 0
    for pattern, anchor in zip(cls.patterns, cls.anchors, strict=True):
        if anchor is None:
            continue
        literal, reach = anchor
        regex = re.compile(pattern, flags)
        for start in range(len(text) + 1):
            m = regex.match(text, start)
            if m is not None:
                assert literal in text[m.start() : m.end()]
                assert 0 <= text.find(literal, m.start()) - m.start() <= reach


@pytest.mark.parametrize(
    "text",
    [
        "mail " + "a" * 63 + "@example.com or jane@example.org",
        "hosts 10.1.2.3, 2001:db8::8a2e:370:7334 and fe80::1ff:fe23:4567:890a%eth0",
        "x" * 5000 + " jane.doe+tag@mail.example.co.uk",
        f"pay {BECH32} or {ETH}",
    ],
)
def test_anchored_detectors_agree_on_both_backends(text: str, backend: str) -> None:
    found = Masker(backend=backend).detect(text)
    assert found
    assert found == Masker(backend="re").detect(text)


def test_an_anchor_per_pattern_is_required() -> None:
    class Broken(PatternDetector):
        entity = "X"
        patterns = ("a", "b")
        anchors = (("a", 0),)

    with pytest.raises(ValueError, match="one anchor"):
        Broken()

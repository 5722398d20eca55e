"""The prefilters: Hyperscan (triggers split into their top-level alternatives) and ``re``
(each trigger whole) answer the same detector set for every string."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors._prefilter import HyperscanPrefilter, RegexPrefilter, alternatives
from tracemask.detectors.pii.card import CreditCardDetector
from tracemask.detectors.pii.network import IPv6Detector, MacAddressDetector
from tracemask.detectors.pii.ssn import UsSsnDetector
from tracemask.typing import is_triggered

pytest.importorskip("hyperscan")


@pytest.mark.parametrize(
    ("pattern", "parts"),
    [
        ("abc", ["abc"]),
        ("a|b", ["a", "b"]),
        ("(?:a|b)c|d", ["(?:a|b)c", "d"]),
        ("[|]x|y", ["[|]x", "y"]),
        (r"\|x|y", [r"\|x", "y"]),
        ("[]|]x|y", ["[]|]x", "y"]),
        ("[^]|]x|y", ["[^]|]x", "y"]),
        (r"[\]|]x|y", [r"[\]|]x", "y"]),
        ("a(?-i:B|C)|d", ["a(?-i:B|C)", "d"]),
        ("a|", ["a", ""]),
        ("(?i)a|b", ["(?i)a|b"]),  # a global flag belongs to every part: kept whole
    ],
)
def test_alternatives_split_at_top_level_bars_only(pattern: str, parts: list[str]) -> None:
    assert alternatives(pattern) == parts


def _triggers() -> list[tuple[str, bool]]:
    engine = Masker().compiled.engine
    return [
        (d.trigger, bool(d.ignore_case)) for d in engine.detectors if is_triggered(d) and d.trigger
    ]


TRIGGERS = _triggers()
REGEX = RegexPrefilter(TRIGGERS)


@functools.cache
def _hyperscan() -> HyperscanPrefilter:
    """Built on first use: compiling it takes a second, which only the xdist worker that runs
    this file should pay (every worker imports every test module)."""
    return HyperscanPrefilter(TRIGGERS)


def test_every_builtin_trigger_is_its_alternatives_joined() -> None:
    for trigger, nocase in TRIGGERS:
        parts = alternatives(trigger)
        assert "|".join(parts) == trigger
        whole = re.compile(trigger, re.ASCII | (re.IGNORECASE if nocase else 0))
        assert whole.pattern == trigger
        for part in parts:  # each part is a regex on its own
            re.compile(part, re.ASCII | (re.IGNORECASE if nocase else 0))


#: Pieces that make triggers fire (and nearly fire), glued in random order.
FRAGMENTS = (
    "phone", "Tel.", "tel", "telefono", " number", "_no", "iban", "ssn", "dob", "e-mail",
    "password", "passwd", "pwd", "secret", "token", "api_key", "auth", "Bearer ", "Basic ",
    "authorization", "key", "born", "birth", "age", " years", "y", "old", "Dr", "Mr ", "Jane",
    "Rue", "via", "from", " in ", "@", "example.com", ":", "=", " := ", "\"", "'", "]", "-",
    "_", ".", " ", "\n", "\t", "/", "(", ")", "+", "0", "1", "3", "7", "12", "415", "555",
    "0132", "4111", "2024-08-06", "00:1a:2b", "::", "fe80", "0x", "bc1", "DE89", "sk-",
    "ghp_", "AKIA", "eyJ", "LS0tLS1CRUdJTi", "-----BEGIN", "://", "curl", "é", "中",
)  # fmt: skip


@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=3), max_size=24).map("".join))
def test_split_hyperscan_prefilter_equals_the_regex_prefilter(text: str) -> None:
    assert _hyperscan().hits(text) == REGEX.hits(text)


def test_a_trigger_matched_by_several_parts_is_reported_once() -> None:
    prefilter = HyperscanPrefilter([("abc|b|c", False), ("zzz", False)])
    assert prefilter.hits("abc") == [0]
    assert prefilter.hits("zzz b") == [0, 1]
    assert prefilter.hits("nothing") == []


#: Pieces of network addresses, cards, SSNs, wallets, times and dates, glued in random order.
SHAPE_FRAGMENTS = (
    ":", "::", "-", ".", " ", "_", "0", "1", "3", "9", "a", "F", "x", "é", "中", "ab", "0a",
    "fe80", "2001", "db8", "1:2:3:4:5:6:7:8", "00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E",
    "0a1b.2c3d.4e5f", "12:34:56", "2024-08-06", "192.168.1.20", "%eth0", "/64",
    "4111", "1111", "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111",
    "3782 822463 10005", "378282246310005", "123", "078-05-1120", "078 05 1120", "536228726",
    "536 22 8726",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "0x52908400098527886E0F7030069857D2E4169EE7",
)  # fmt: skip

#: Values each tightened trigger must let through (the detector finds them).
POSITIVES = {
    IPv6Detector: ["fe80::1ff:fe23:4567:890a", "2001:0db8:85a3:0000:0000:8a2e:0370:7334"],
    MacAddressDetector: ["00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "0a1b.2c3d.4e5f"],
    CreditCardDetector: ["4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111",
                         "3782 822463 10005", "6011 0009 9013 9424 123"],
    UsSsnDetector: ["078-05-1120", "SSN 536 22 8726", "ssn: 536228726"],
}  # fmt: skip


@pytest.mark.parametrize("cls", list(POSITIVES))
@given(text=st.lists(st.sampled_from(SHAPE_FRAGMENTS), max_size=24).map("".join))
def test_a_finding_needs_its_trigger(cls: type[PatternDetector], text: str) -> None:
    """The tightened triggers stay necessary: no finding where the trigger does not match."""
    if list(cls().detect(text)):
        assert re.search(cls.trigger, text, re.ASCII) is not None


@pytest.mark.parametrize(("cls", "text"), [(c, t) for c, ts in POSITIVES.items() for t in ts])
def test_tightened_triggers_let_real_values_through(
    cls: type[PatternDetector], text: str, backend: str
) -> None:
    detector = cls()
    assert list(detector.detect(f"see {text} here"))
    prefilter = HyperscanPrefilter([(cls.trigger, False)]) if backend == "hyperscan" else None
    regex = RegexPrefilter([(cls.trigger, False)])
    assert regex.hits(f"see {text} here") == [0]
    if prefilter is not None:
        assert prefilter.hits(f"see {text} here") == [0]

"""Addresses spelled out to dodge scrapers: ``jane [at] example [dot] com``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.pii.email import SpelledEmailDetector


@pytest.fixture(scope="module", params=["hyperscan", "re"])
def masker(request: pytest.FixtureRequest) -> Masker:
    return Masker(backend=request.param)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jane [at] example [dot] com", "<EMAIL_ADDRESS>"),
        ("mail jane(at)example.com today", "mail <EMAIL_ADDRESS> today"),
        ("jane at example dot com", "<EMAIL_ADDRESS>"),
        ("jane.doe @ example dot com", "<EMAIL_ADDRESS>"),
        ("JANE (at) EXAMPLE (dot) CO (dot) UK", "<EMAIL_ADDRESS>"),
        (
            "write to j.doe [at] mail [dot] example [dot] org please",
            "write to <EMAIL_ADDRESS> please",
        ),
        ("jane at example.com", "<EMAIL_ADDRESS>"),
    ],
)
def test_spelled_addresses_are_masked(masker: Masker, text: str, expected: str) -> None:
    assert masker.mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "look at this dot com bubble",  # the local part is a dictionary word
        "meet at home dot com",
        "visit us at example.com",
        "rated 5 at amazon.com",  # no letter before "at"
        "we met at 5 dot 30",
        "eat at joe's",
        "at least 3 dot products",
        "she is at work. Then we left",
        "x [at] y",  # no dotted domain
        "jane [at] example.\nThen",  # an address is on one line
        "price at 3.50 each",
        # Clinical notes: times after "@" or "at", then a sentence.
        "NEG @ 0600. ON",
        "HCT at 1800. No",
        "Dopamine @ 15mcg. Heparin",
        "SOB @ rest. Pt",
        "off @ present. Gave",
        "PACING @ 60 . AIRWAY",
    ],
)
def test_prose_with_at_and_dot_stays(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


_PIECES = (
    "jane", "j.doe", "x1", "look", " at ", " AT ", " @ ", "[at]", "(at)", " (at) ", "{@}",
    " dot ", "[dot]", " (dot) ", ".", ". ", "example", "mail", "com", "org", "uk", "no",
    " ", "\t", "\n", "0600", "5", ",", "é",
)  # fmt: skip


@settings(max_examples=examples(400))
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_found_from_the_at_at_least_as_the_pattern_search(pieces: list[str]) -> None:
    """The detector reads each address from its ``at``: it finds every address the plain
    pattern search (what ``PatternDetector.detect`` does) finds, and more where that search
    resumed past a rejected candidate overlapping a good one."""
    text = "".join(pieces)
    detector = SpelledEmailDetector()
    assert set(PatternDetector.detect(detector, text)) <= set(detector.detect(text))

"""Context words gated on ASCII windows answer exactly as the detectors' own context regexes."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask.detectors._pattern import PatternDetector, _word_regex
from tracemask.detectors.pii._context_gate import GatedWords, gate_words
from tracemask.detectors.pii.card import CreditCardDetector
from tracemask.detectors.pii.crypto import CryptoWalletDetector
from tracemask.detectors.pii.iban import IbanDetector
from tracemask.detectors.pii.phone import PhoneNumberDetector

DETECTORS: tuple[type[PatternDetector], ...] = (
    PhoneNumberDetector,
    CreditCardDetector,
    IbanDetector,
    CryptoWalletDetector,
)
WORDS = sorted({w for d in DETECTORS for w in (*d.context, *d.negative_context)})
#: Characters that meet words: letters either side, case-folding oddities (long s, Kelvin
#: sign, dotless and dotted i), accents, other scripts, digits, separators, a masked token.
_AROUND = st.sampled_from(
    [
        "",
        " ",
        "a",
        "Z",
        "1",
        ":",
        "-",
        "\n",
        "\u017f",
        "\u212a",
        "\u0131",
        "\u0130",
        "é",
        "É",
        "电",
        "<PHONE_NUMBER>",
    ]
)


def _recase(word: str, how: int) -> str:
    return (word, word.upper(), word.title(), word.swapcase(), word.lower())[how % 5]


windows = st.lists(
    st.one_of(
        st.builds(_recase, st.sampled_from(WORDS), st.integers(0, 4)),
        _AROUND,
        st.text(alphabet="abcdefghiklmnopstxyz ", max_size=6),
    ),
    max_size=10,
).map("".join)


def _gated(words: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    regex = _word_regex(words)
    assert regex is not None
    return regex, gate_words(regex, words)  # type: ignore[return-value]


@pytest.mark.parametrize("detector", DETECTORS, ids=lambda d: d.__name__)
def test_detectors_use_the_gate(detector: type[PatternDetector]) -> None:
    built = detector()
    assert isinstance(built._context, GatedWords)
    assert built._negative is None or isinstance(built._negative, GatedWords)


@settings(max_examples=examples(2000), deadline=None)
@given(windows, st.sampled_from(DETECTORS), st.booleans())
@example("call me", PhoneNumberDetector, False)
@example("telephoned", PhoneNumberDetector, False)  # a word inside a longer one
@example("Xphone", PhoneNumberDetector, False)
@example("telephoned, call me", PhoneNumberDetector, False)  # the first word found is no match
@example("CALL\u017f", PhoneNumberDetector, False)  # non-ASCII: the regex itself
@example("电话 123", PhoneNumberDetector, False)
@example("my VISA", CreditCardDetector, False)
@example("order no", CreditCardDetector, True)
def test_same_match_as_the_regex(window: str, detector: type[PatternDetector], neg: bool) -> None:
    words = detector.negative_context if neg and detector.negative_context else detector.context
    regex, gated = _gated(words)
    expected = regex.search(window)
    found = gated.search(window)
    assert (found and found.span()) == (expected and expected.span()), window


def test_ascii_case_pairs_are_res() -> None:
    """The gate's premise: under ``re.IGNORECASE`` two ASCII characters match exactly when
    their ASCII lower cases are equal."""
    for a in map(chr, range(128)):
        pattern = re.compile(re.escape(a), re.IGNORECASE)
        for b in map(chr, range(128)):
            assert (pattern.fullmatch(b) is not None) == (a.lower() == b.lower()), (a, b)


def test_a_word_an_ascii_letter_matches_is_left_to_the_regex() -> None:
    words = ("\u017fms",)  # the long s matches "s" and "S" under IGNORECASE
    regex, gated = _gated(words)
    found = gated.search("send SMS")
    assert found is not None
    assert found.span() == (5, 8)
    assert regex.search("send SMS") is not None


def test_words_no_ascii_text_can_match() -> None:
    regex, gated = _gated(("电话", "téléphone"))
    assert gated.search("telephone 12") is None
    assert regex.search("telephone 12") is None
    found = gated.search("Téléphone: 12")
    assert found is not None
    assert found.span() == (0, 9)

"""Context-word regexes open with a lookahead for the words' first characters.

The lookahead only turns down positions where no word can start: the regex must find exactly
what the plain alternation finds, whatever the case folding of the characters involved.
"""

from __future__ import annotations

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask.detectors._pattern import PatternDetector, _word_pattern, _word_regex

#: Characters whose case folding is irregular in ``re`` (long s, Kelvin sign, dotted and dotless
#: i, sharp s, final sigma, ligatures, title-case digraphs) and plain ones.
ODD = (
    "sS\u017fkK\u212aiI\u0130\u0131\u00df\u1e9e\u03c3\u03c2\u03a3\ufb00"
    "\u01c5\u01c6\u01c4\u00b5\u039c\u03bc"
)
ALPHABET = st.sampled_from(list(ODD + "abcdeortn -#:._/\n0123456789\u00e9\u00c9\u0111\u0110"))


def _context_words() -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []
    for det in Masker(backend="re").compiled.engine.detectors:
        if isinstance(det, PatternDetector):
            out += [ws for ws in (det.context, det.negative_context) if ws]
    return out


REAL = _context_words()


def _same(words: tuple[str, ...], text: str) -> None:
    fast = _word_regex(words)
    assert fast is not None
    plain = re.compile(_word_pattern(words), re.IGNORECASE)
    got, want = fast.search(text), plain.search(text)
    assert (got and got.span()) == (want and want.span()), (words, text)


@settings(max_examples=examples(500), deadline=None)
@given(
    words=st.lists(st.text(ALPHABET, min_size=1, max_size=4), min_size=1, max_size=4).map(tuple),
    text=st.text(ALPHABET, max_size=24),
)
@example(words=("\u017fa",), text="SA")
@example(words=("sa",), text="\u017fa")
@example(words=("k",), text="\u212a ")
@example(words=("i",), text="\u0130")
@example(words=("\u03c3x",), text="\u03c2x")
def test_the_lookahead_finds_what_the_alternation_finds(words: tuple[str, ...], text: str) -> None:
    _same(words, text)


@settings(max_examples=examples(300), deadline=None)
@given(data=st.data())
def test_real_context_words_are_found_as_before(data: st.DataObject) -> None:
    words = data.draw(st.sampled_from(REAL))
    word = data.draw(st.sampled_from(words))
    case = data.draw(st.sampled_from([str.lower, str.upper, str.title, str.swapcase]))
    before = data.draw(st.text(ALPHABET, max_size=6))
    after = data.draw(st.text(ALPHABET, max_size=6))
    text = before + case(word) + after
    _same(words, text)


def test_every_built_in_context_regex_has_the_lookahead() -> None:
    assert REAL
    for words in REAL:
        regex = _word_regex(words)
        assert regex is not None
        assert regex.pattern.startswith("(?=[")


def test_no_words_no_regex() -> None:
    assert _word_regex(()) is None

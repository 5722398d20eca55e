"""Detector regexes are compiled on first use (``LazyPattern``), and behave as ``re`` patterns."""

from __future__ import annotations

import copy
import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker
from tracemask.detectors._lazyre import LazyPattern
from tracemask.detectors._pattern import PatternDetector
from tracemask.detectors.secrets.providers import ProviderToken

PATTERN = r"(?P<value>[a-z]+)@(?P<host>[a-z]+)\.com"


def _regexes(m: Masker) -> list[LazyPattern]:
    found: list[object] = []
    for det in m.compiled.engine.detectors:
        if isinstance(det, ProviderToken):
            found += [row.regex for row in det._rows]
        if isinstance(det, PatternDetector):
            found += [*det._compiled, det._context, det._negative]
    return [r for r in found if isinstance(r, LazyPattern)]


def test_compiled_on_first_use_only() -> None:
    lazy = LazyPattern(PATTERN, re.IGNORECASE)
    assert not lazy.is_compiled
    assert lazy.pattern == PATTERN
    assert lazy.flags == re.IGNORECASE
    match = lazy.search("mail Jane@Example.com now")
    assert lazy.is_compiled
    assert match is not None
    assert match.group("value") == "Jane"
    # Bound on the instance now: later calls go straight to the compiled pattern.
    assert "search" in lazy.__dict__


@given(st.text(alphabet="ab@.comxyz ", max_size=40))
def test_same_results_as_re(text: str) -> None:
    eager = re.compile(PATTERN)
    lazy = LazyPattern(PATTERN)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert lazy.sub("<E>", text) == eager.sub("<E>", text)
    assert lazy.findall(text) == eager.findall(text)
    assert lazy.split(text) == eager.split(text)
    assert (lazy.match(text) is None) == (eager.match(text) is None)
    assert (lazy.fullmatch(text) is None) == (eager.fullmatch(text) is None)
    assert lazy.groupindex == eager.groupindex
    assert lazy.groups == eager.groups


def test_copies_start_uncompiled_and_work() -> None:
    lazy = LazyPattern(PATTERN)
    lazy.search("a@b.com")
    pickled = pickle.loads(pickle.dumps(lazy))  # noqa: S301 - our own bytes
    for copied in (pickled, copy.deepcopy(lazy), copy.copy(lazy)):
        assert isinstance(copied, LazyPattern)
        assert not copied.is_compiled
        assert copied.groupindex == {"value": 1, "host": 2}
        match = copied.search("a@b.com")
        assert match is not None
        assert match.span() == (0, 7)


def test_bad_pattern_raises_at_first_use() -> None:
    lazy = LazyPattern("(unclosed")
    with pytest.raises(re.error):
        lazy.search("text")


def test_every_detector_regex_compiles() -> None:
    regexes = _regexes(Masker())
    assert len(regexes) > 300
    # Every built-in regex compiles (a broken one fails here, not at its first trigger).
    for regex in regexes:
        regex.compile()
    assert all(r.is_compiled for r in regexes)


def test_provider_rows_value_group_read_from_the_text() -> None:
    # Rows decide their ``value`` group from the regex text (no compile at construction):
    # it must agree with the compiled pattern's groups, row by row.
    det = next(d for d in Masker().compiled.engine.detectors if isinstance(d, ProviderToken))
    for row in det._rows:
        expected = "value" if "value" in re.compile(row.regex.pattern).groupindex else 0
        assert row.group == expected, row.fmt.regex

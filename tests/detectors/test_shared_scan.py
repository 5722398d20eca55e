"""One Hyperscan scan per string serves the prefilter and the name/address gates.

The gates' expressions are compiled into the engine's prefilter database, matched caseless on
the original string (instead of exactly on the lower-cased one), and the hits are handed to the
gates before the detectors run. The detectors must see exactly the answer their own scan gives.
"""

from __future__ import annotations

import functools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._prefilter import HyperscanPrefilter, RegexPrefilter
from tracemask.detectors.pii._gates import Anchor, Gates, _caseless_safe
from tracemask.detectors.pii.address import LocationDetector, address_gates
from tracemask.detectors.pii.person import PersonDetector

pytest.importorskip("hyperscan")

#: Words that open every gate and anchor (street words, cues, box words, transfer verbs,
#: lower-case name cues), numbers and separators, in any case.
_WORDS = (
    "12 Oak Ridge Dr 4412 Main Street St Avenue Rd Lane Hochstrasse Parijsstraat straat "
    "Rue rue Via Calle ul. Rua Av. Avda. Plaza 8 chemin P.O. Box box Postfach USS HMS APO "
    "lives in live at moved to born in from originally based located reside ship deliver send "
    "mail taxi address: it's its transferred to admitted at Hospital Memorial Clinic hosp "
    "dr green mr smith mrs ms prof son daughter wife friend proxy my name is name is named "
    "i'm im i am Maneeži 37 75, 93613 - ( ) ; . , \n \t Paris London John Smith the of"
)
VOCABULARY = tuple(_WORDS.split(" "))


def _recase(word: str, how: int) -> str:
    return (word, word.upper(), word.title(), word.lower(), word.swapcase())[how]


prose = st.lists(
    st.tuples(
        st.sampled_from(VOCABULARY),
        st.integers(0, 4),
        st.sampled_from([" ", " ", ", ", "\n", "\t", "", "  "]),
    ),
    max_size=30,
).map(lambda parts: "".join(_recase(w, how) + sep for w, how, sep in parts))

GATES = address_gates("hyperscan")


@functools.cache
def _shared() -> HyperscanPrefilter:
    """The engine's prefilter with the gates as companion (no trigger of its own needed here).
    Built on first use: compiling it takes a second, which only the xdist worker that runs
    this file should pay (every worker imports every test module)."""
    return HyperscanPrefilter([("[0-9]", False)], [GATES])


def _primed(text: str) -> object:
    GATES._local.lower = None  # forget the last answer: what follows must come from ``hits``
    _shared().hits(text)
    return GATES.scan(text.lower(), text.isascii())


@settings(max_examples=examples(400), deadline=None)
@given(prose)
@example("12 OAK RIDGE DR")
@example("Lives At Maneeži 37")
@example("DR GREEN and I'M bob, 8 CHEMIN des Lilas")
@example("Transferred To St Mary Hospital")
def test_the_shared_scan_gives_the_gates_answer_of_their_own_scan(text: str) -> None:
    assert _primed(text) == GATES._scan(text.lower(), text.isascii())


def test_non_ascii_strings_are_left_to_the_gates_own_scan() -> None:
    GATES._local.lower = None
    _shared().hits("Zürich Straße 12, Lives In Bern")
    assert getattr(GATES._local, "lower", None) is None


def test_the_re_backend_and_unsafe_expressions_are_not_shared() -> None:
    assert address_gates("re").shared_expressions() is None
    assert Gates({"a": ["x"]}, {"b": "[^a-z]x"}, backend="hyperscan").shared_expressions() is None
    assert Gates({"a": ["x"]}, {"b": "[^ 0-9]x"}, backend="hyperscan").shared_expressions()
    unsafe = Gates({"a": ["x"]}, backend="hyperscan", anchors={"n": [Anchor("x", after="[A]")]})
    assert unsafe.shared_expressions() is None
    # A prefilter without any shareable companion scans as before.
    plain = HyperscanPrefilter([("[0-9]", False)], [address_gates("re")])
    assert plain.hits("a 1") == [0]
    assert RegexPrefilter([("[0-9]", False)], [GATES]).hits("a 1") == [0]


@pytest.mark.parametrize(
    ("pattern", "safe"),
    [
        ("street", True),
        (r"\bdr\b\.?[ \t]*[a-z]", True),
        (r"[0-9][ \t][^\n]{0,120}\b(?:st|rd)\b", True),
        (r"[0-9][ \t]+[^ \t\n0-9][^\n]{0,120}", True),
        (r"(?:\xc3\x9f)trasse", True),
        ("Street", False),
        (r"[^a-z]", False),
        (r"[^\nA]", False),
        (r"\x41bc", False),
        (r"[A-Z]x", False),
    ],
)
def test_caseless_safety_check(pattern: str, safe: bool) -> None:
    assert _caseless_safe(pattern) is safe


@functools.cache  # built on first use, like _shared()
def _engine(shared: bool) -> DetectionEngine:
    people, places = PersonDetector(), LocationDetector()
    if not shared:
        people.shared_scan = places.shared_scan = None
    return DetectionEngine([places, people], backend="hyperscan")


@settings(max_examples=examples(200), deadline=None)
@given(prose)
@example("Dr. Smith lives at 12 Oak Ridge Dr, moved to Paris from London")
def test_findings_are_those_of_the_detectors_own_gate_scan(text: str) -> None:
    shared, own = _engine(True), _engine(False)
    assert shared.prefilter._companions  # type: ignore[attr-defined]
    assert not own.prefilter._companions  # type: ignore[attr-defined]
    assert shared.detect(text) == own.detect(text)


def test_a_default_masker_shares_the_scan() -> None:
    engine = Masker(backend="hyperscan").compiled.engine
    companions = engine.prefilter._companions  # type: ignore[attr-defined]
    assert [c for c, _, _ in companions] == [address_gates()]

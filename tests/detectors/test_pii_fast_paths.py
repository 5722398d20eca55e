"""The name and address detectors' fast paths give the findings of the plain computation.

Speed comes from work done once and reused (a run's plan is remembered across strings, the
capitalised runs of a string are shared by both detectors, places are looked up only for words
that start a listed place) and from regexes tried only where a gate's anchor stands. Each must
be invisible in the findings: a string's findings never depend on what the detector saw
before, nor on the backend.
"""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tracemask.detectors.data import Lexicon
from tracemask.detectors.pii.address import _WORDS, LocationDetector, address_gates
from tracemask.detectors.pii.person import RUN, PersonDetector, capital_runs, person_gates

LEXICON = Lexicon()

#: Words that exercise every rule: names, honorifics, cues, places (multi-word too), street
#: words and prefixes, facilities, transfer verbs, dictionary words, ALL CAPS, particles.
_WORDS_TEXT = (
    "John Smith Mary Jones Jennifer Kucharski Will Mark Claude Paris London New York City "
    "San Francisco Springfield British Indian Ocean Territory Berlin Uruguay Gargara "
    "Dr. Dr Mrs Mr. Prof my name is I'm "
    "dear Dear Thanks Regards son husband jim dr green lives in moved to from originally "
    "Street St Avenue Rd Drive Rue rue Via Calle ul. Platz straße Parijsstraat Oak Ridge "
    "Apt. Suite Box P.O. PSC Hospital Memorial Clinic transferred to admitted at went back "
    "The the World Report Data Pipeline JSON API GI MAE SMITH, JOHN A. van de la del "
    "Kiannonkatu Hochstrasse Maneeži Zürich İstanbul Ángel O'Connell Stord-Painter , . ; : "
    "12 4412 75 62704 IL NY 8 chemin 93613 - ( ) \n \n\n Budget citizen Washington Post"
)
VOCABULARY = tuple(_WORDS_TEXT.split(" "))

prose = st.lists(
    st.tuples(st.sampled_from(VOCABULARY), st.sampled_from([" ", " ", " ", ", ", "\n", "\t", ""])),
    max_size=30,
).map(lambda parts: "".join(w + sep for w, sep in parts))

#: One detector of each kind kept across examples: its memos fill up as Hypothesis goes.
SHARED_PERSON = PersonDetector(LEXICON)
SHARED_LOCATION = LocationDetector(LEXICON)


def _found(detector: PersonDetector | LocationDetector, text: str) -> list[object]:
    return [(f.start, f.end, f.entity, f.score) for f in detector.detect(text)]


@settings(max_examples=300, deadline=None)
@given(prose)
@example("Dr. Smith met Mary Jones. Dr. Smith met Mary Jones in Paris")
@example("Kucharski, Jennifer lives in Springfield\nKucharski, Jennifer")
def test_findings_do_not_depend_on_what_the_detector_saw_before(text: str) -> None:
    assert _found(SHARED_PERSON, text) == _found(PersonDetector(LEXICON), text)
    assert _found(SHARED_LOCATION, text) == _found(LocationDetector(LEXICON), text)


@settings(max_examples=200, deadline=None)
@given(prose)
def test_both_backends_give_the_same_findings_on_random_prose(text: str) -> None:
    pytest.importorskip("hyperscan")
    fast_people, pure_people = PersonDetector(LEXICON), PersonDetector(LEXICON)
    pure_people._gates = person_gates("re")
    fast_places, pure_places = LocationDetector(LEXICON), LocationDetector(LEXICON)
    pure_places._gates = address_gates("re")
    fast_people._gates = person_gates("hyperscan")
    fast_places._gates = address_gates("hyperscan")
    assert _found(fast_people, text) == _found(pure_people, text)
    assert _found(fast_places, text) == _found(pure_places, text)


@given(prose, prose)
def test_capital_runs_are_those_of_the_regex_whatever_came_before(a: str, b: str) -> None:
    capital_runs(a)
    assert capital_runs(b) == [(m.start(), m.group()) for m in RUN.finditer(b)]
    assert capital_runs(b) == [(m.start(), m.group()) for m in RUN.finditer(b)]


def _reference_places(lexicon: Lexicon, run: str) -> list[tuple[int, int, tuple[str, ...], str]]:
    """Longest listed place from each word, every length from 4 down to 1 tried."""
    if lexicon.place_words.isdisjoint(run.lower().replace(",", " ").replace(".", " ").split()):
        return []
    words = list(_WORDS.finditer(run))
    found = []
    i = 0
    while i < len(words):
        for k in range(min(4, len(words) - i), 0, -1):
            kind = lexicon.places.get(" ".join(w.group().lower() for w in words[i : i + k]), "")
            if kind:
                group = tuple(w.group() for w in words[i : i + k])
                found.append((words[i].start(), words[i + k - 1].end(), group, kind))
                i += k
                break
        else:
            i += 1
    return found


@given(prose)
@example("New York City New York British Indian Ocean Territory San Francisco Springfield")
def test_place_lookup_tries_only_lengths_that_a_listed_place_has(text: str) -> None:
    for _, run in capital_runs(text):
        assert list(SHARED_LOCATION._place_plan(run)) == _reference_places(LEXICON, run)


def test_place_lengths_cover_every_listed_place() -> None:
    lengths = LEXICON.place_lengths
    for place in LEXICON.places:
        parts = place.split(" ")
        assert lengths[parts[0]] >= len(parts)
    assert lengths["new"] >= 2  # "new york", "new zealand"


def test_a_run_that_cannot_hold_a_name_is_planned_once_and_empty() -> None:
    detector = PersonDetector(LEXICON)
    assert list(detector.detect("The JSON API")) == []
    assert detector._plans["The JSON API"] == (None, ())
    found = list(detector.detect("Mary Jones wrote. Mary Jones"))
    assert [(f.start, f.end) for f in found] == [(0, 10), (18, 28)]
    assert set(detector._plans) == {"The JSON API", "Mary Jones"}

"""The name and address detectors' fast paths give the findings of the plain computation.

Speed comes from work done once and reused (a run's plan is remembered across strings, the
capitalised runs of a string are shared by both detectors, places are looked up only for words
that start a listed place) and from regexes tried only where a gate's anchor stands. Each must
be invisible in the findings: a string's findings never depend on what the detector saw
before, nor on the backend.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask.detectors.data import Lexicon
from tracemask.detectors.pii import _capitals, address, person
from tracemask.detectors.pii._capitals import RUN, capital_runs
from tracemask.detectors.pii._gates import Anchor, Gates, finditer_at, lazy_regex
from tracemask.detectors.pii.address import _WORDS, LocationDetector, address_gates
from tracemask.detectors.pii.person import PersonDetector, person_gates

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
    "12 4412 75 62704 IL NY 8 chemin 93613 - ( ) \n \n\n Budget citizen Washington Post "
    "d/c'd D/C'D went go going return readmitted sent taken taxi ship mail it's address: "
    "Hosp hosp. Rehab nursing home Medical Center flew fly trip travelled i am I'm im "
    "grandson proxy named Quartermain GH OSH ICU Maneeži 37 Rua Av. Avda. C/ Plaza Place"
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


@settings(max_examples=examples(300), deadline=None)
@given(prose)
@example("Dr. Smith met Mary Jones. Dr. Smith met Mary Jones in Paris")
@example("Kucharski, Jennifer lives in Springfield\nKucharski, Jennifer")
def test_findings_do_not_depend_on_what_the_detector_saw_before(text: str) -> None:
    assert _found(SHARED_PERSON, text) == _found(PersonDetector(LEXICON), text)
    assert _found(SHARED_LOCATION, text) == _found(LocationDetector(LEXICON), text)


@settings(max_examples=examples(200), deadline=None)
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


#: Each regex tried only at anchors: (its gates, anchor list, regex, runs on lower-cased text).
ANCHORED = [
    ("address", "prefix", address._STREETS[2][0], False),
    ("address", "cue", address._CUED_STREET, False),
    ("address", "place_cue", address._STRONG_PLACE_CUE_AT, True),
    ("address", "facility", address._FACILITY_WORD, False),
    ("address", "transfer", address._TRANSFER, False),
    ("person", "lower", person._LOWER, False),
]


NAMES = [name for _, name, _, _ in ANCHORED]

#: One phrase per alternative each anchored regex starts with (read off the regexes).
PHRASES = {
    "prefix": [
        f"{form.replace(chr(92) + '.', '.')} Abc Def"
        for alt in address.STREET_PREFIXES.split("|")
        if alt.isascii()
        for form in {alt.replace("\\.?", ""), alt.replace("\\.?", ".")}
    ],
    "cue": [
        f"{w} Abc 12"
        for w in (
            *("live at", "lives at", "living in", "lived at", "located at", "reside at"),
            *("resides at", "resided at", "moved to", "ship to", "deliver to", "send to"),
            *(
                "mail to",
                "taxi to",
                "address :",
                "address is",
                "it's",
                "its",
                "lives at the corner of",
            ),
        )
    ],
    "place_cue": [
        f"{w} Abc"
        for w in (
            *("lives in", "live in", "living in", "lived in", "moved to", "born in", "based in"),
            *("located in", "originally from", "i'm from", "im from", "i am from", "comes from"),
            *("come from", "street in", "city of", "town of", "village of", "year in"),
            *("reside in", "resides in", "travel to", "traveled to", "travelled to"),
            *("traveling to", "travelling to", "flew to", "fly to", "flying to", "trip to"),
            *("tribute to", "tribute here to", "lives in the"),
        )
    ],
    "facility": [
        f"Abc {w}"
        for w in (
            *("Hospital", "Hosp", "Hosp.", "Medical Center", "medical centre", "Med Center"),
            *("med centre", "Clinic", "Infirmary", "Nursing Home", "Rehab"),
        )
    ],
    "transfer": [
        f"{w} to Abc"
        for w in (
            *("transferred", "transfered", "transfer", "transferring", "admitted", "sent"),
            *("taken", "brought", "presented", "discharged", "d/c'd", "d/cd", "arrived"),
            *("returned", "return", "readmitted", "went", "go", "going", "went back"),
        )
    ],
    "lower": [
        f"{w} jim"
        for w in (
            *("dr", "mr", "mrs", "ms.", "prof", "son", "daughter", "wife", "husband", "mother"),
            *("father", "sister", "brother", "niece", "nephew", "grandson", "granddaughter"),
            *("grandaughter", "girlfriend", "boyfriend", "friend", "proxy", "my name is"),
            *("name is", "named", "i'm", "im", "i am", "Dr.", "MY NAME IS"),
        )
    ],
}


@pytest.mark.parametrize(("which", "name", "regex", "on_lower"), ANCHORED, ids=NAMES)
def test_each_alternative_of_an_anchored_regex_has_an_anchor(
    which: str, name: str, regex: re.Pattern[str], on_lower: bool
) -> None:
    pytest.importorskip("hyperscan")
    for phrase in PHRASES[name]:
        text = f"x ({phrase} y"
        text = text.lower() if on_lower else text
        starts = [m.start() for m in regex.finditer(text)]
        assert starts, phrase  # the phrase is one of the regex's shapes
        _, at = _gates(which).scan(text.lower(), True)
        assert at is not None
        assert set(starts) <= set(at.get(name, ())), phrase


def _real(regex: re.Pattern[str]) -> re.Pattern[str]:
    """The compiled pattern behind a (maybe lazy) detector regex."""
    return re.compile(regex.pattern, regex.flags)


def _gates(which: str) -> Gates:
    return address_gates("hyperscan") if which == "address" else person_gates("hyperscan")


@pytest.mark.parametrize(("which", "name", "regex", "on_lower"), ANCHORED, ids=NAMES)
@settings(max_examples=examples(300), deadline=None)
@given(data=st.data())
def test_every_match_of_an_anchored_regex_starts_at_an_anchor(
    which: str, name: str, regex: re.Pattern[str], on_lower: bool, data: st.DataObject
) -> None:
    """The anchors are complete: strings drawn from the regex itself (ASCII, with text around)
    have every match starting at an offset the gate scan reports."""
    pytest.importorskip("hyperscan")
    text = data.draw(st.from_regex(_real(regex), alphabet=st.characters(max_codepoint=127)))
    if on_lower:
        text = text.lower()
    starts = [m.start() for m in regex.finditer(text)]
    _, at = _gates(which).scan(text.lower(), True)
    assert at is not None
    assert set(starts) <= set(at.get(name, ()))
    found = [m.span() for m in finditer_at(regex, text, at.get(name, ()))]
    assert found == [m.span() for m in regex.finditer(text)]


@pytest.mark.parametrize(("which", "name", "regex", "on_lower"), ANCHORED, ids=NAMES)
@given(text=prose)
def test_finditer_at_gives_the_matches_of_finditer(
    which: str, name: str, regex: re.Pattern[str], on_lower: bool, text: str
) -> None:
    del which, name
    text = text.lower() if on_lower else text
    whole = [m.span() for m in regex.finditer(text)]
    assert [m.span() for m in finditer_at(regex, text, range(len(text) + 1))] == whole
    assert [m.span() for m in finditer_at(regex, text, None)] == whole


def test_anchor_offsets_are_given_for_ascii_text_only() -> None:
    pytest.importorskip("hyperscan")
    gates = address_gates("hyperscan")
    opened, at = gates.scan("he was transferred to gh on monday", True)
    assert "transfer" in opened
    assert at is not None
    assert at["transfer"] == [7]
    assert gates.scan("transferred to zürich", False)[1] is None
    assert address_gates("re").scan("transferred to gh", True)[1] is None


def test_an_anchor_edge_must_be_a_boundary_or_one_character_class() -> None:
    assert Anchor("go", r"\b", r"[ \t]").expression() == (r"\bgo[ \t]", 3)
    assert Anchor("d/c'd").expression()[1] == 5
    with pytest.raises(ValueError, match="anchor edge"):
        Anchor("go", after="[ \t]+").expression()
    with pytest.raises(ValueError, match="ASCII"):
        Anchor("straße").expression()


#: The run regex as first written (a lookbehind at every position, then the token).
REFERENCE_RUN = re.compile(
    rf"(?<!{_capitals._NOT_BEFORE}){_capitals.TOKEN}{_capitals._AFTER}"
    rf"(?:(?:[ \t]+(?:(?:{_capitals._PARTICLE})[ \t]+)*|[ \t]*,[ \t]*)"
    rf"{_capitals.TOKEN}{_capitals._AFTER})*"
)
tricky = st.text(alphabet=st.sampled_from("AbÁéΣЖ @/._-#<$%&+=,'\u2019\t\nx1"), max_size=40)


@given(st.one_of(prose, tricky, st.tuples(prose, tricky).map("".join)))
@example("user@Host x.Attr _Private a/Path O'Connell-Smith, Mary van der Berg")
def test_the_run_regex_finds_the_runs_of_the_reference(text: str) -> None:
    assert [m.span() for m in RUN.finditer(text)] == [
        m.span() for m in REFERENCE_RUN.finditer(text)
    ]


#: Text ending with a cue (the regex ends at ``\Z``), or prose with a cue somewhere.
cue_text = st.one_of(
    prose,
    st.from_regex(
        _real(person._BEFORE_CUE), fullmatch=True, alphabet=st.characters(max_codepoint=0x4FF)
    ),
    st.tuples(prose, st.from_regex(_real(person._BEFORE_CUE), fullmatch=True)).map("".join),
    st.tuples(prose, st.from_regex(_real(person._BEFORE_CUE)), tricky).map("".join),
)


@settings(max_examples=examples(400), deadline=None)
@given(cue_text, st.data())
@example("My name is\u3000", None)
@example("Dear Dr.\n", None)
@example("name=", None)
@example("ICH HEISSE ", None)
@example("benim ad\u0131m: ", None)
@example("Thanks,\n  ", None)
@example("from: ", None)
@example("message cc :(", None)
@example("Met with ", None)
@example("je m'appelle ", None)
@example("I'm ", None)
def test_the_cue_lookup_agrees_with_the_regex(text: str, data: st.DataObject | None) -> None:
    """``_cue_before`` looks at the last word before trying ``_BEFORE_CUE``: never a cue less."""
    ends = [len(text)]
    if data is not None:
        ends.append(data.draw(st.integers(0, len(text))))
    for start in ends:
        slow = person._BEFORE_CUE.search(text, max(0, start - 40), start) is not None
        assert person._cue_before(text, start) == slow


@given(st.one_of(prose, tricky), st.data())
@example("86036 ", None)
@example("Rua ", None)
@example("pl. ", None)
@example("12. ", None)
@example("x\u0663 ", None)
def test_the_street_lookup_agrees_with_the_regex(text: str, data: st.DataObject | None) -> None:
    """``_in_street`` reads the word before a name backwards, as the regex it replaced."""
    prev_word = re.compile(r"(?:(\d{1,6})|([^\W\d_]+)\.?)[ \t]+\Z")
    start = len(text) if data is None else data.draw(st.integers(0, len(text)))
    m = prev_word.search(text, max(0, start - 24), start)
    slow = m is not None and (
        m.group(1) is not None or m.group(2).lower() in person._STREET_WORD_BEFORE
    )
    # (past the end of the text, the house-number test after the name finds nothing)
    assert person._in_street(text, start, len(text) + 1) == slow


def test_a_lazy_regex_compiles_on_first_use_and_then_is_the_pattern() -> None:
    regex = lazy_regex(r"(?P<w>[a-z]+)\s", re.IGNORECASE)
    assert "search" not in vars(regex)  # nothing compiled yet
    m = regex.search("  Hello world")
    assert m is not None
    assert m.group("w") == "Hello"
    assert vars(regex)["search"] == re.compile(r"(?P<w>[a-z]+)\s", re.IGNORECASE).search
    assert [m.span() for m in regex.finditer("a b ")] == [(0, 2), (2, 4)]
    assert regex.fullmatch("abc ") is not None
    assert regex.match(" x") is None
    assert regex.findall("ab cd ") == ["ab", "cd"]


def test_one_scan_serves_both_detectors() -> None:
    """The person and address detectors share one ``Gates``: the second scan of a string is
    the first one's answer."""
    assert person_gates() is address_gates() is address_gates("auto")
    gates = address_gates()
    first = gates.scan("my son jim moved to 12 rue de la paix", True)
    assert gates.scan("my son jim moved to 12 rue de la paix", True) is first
    assert gates.scan("another string", True) is not first


#: The street regexes tried only where a match can start, with the finder of those offsets.
STARTED = [
    ("box", address._STREETS[0][0], address._box_starts),
    ("typed", address._STREETS[1][0], address._numbers),
    ("lower_prefix", address._STREETS[3][0], address._numbers),
    ("numbered", address._STREETS[4][0], address._numbers),
    ("number_then_word", address._NUMBER_THEN_WORD, address._numbers),
    ("named", address._NAMED_STREET, address._named_starts),
]

#: Text around a drawn street: digits, letters, separators and scripts the lookbehinds exclude.
_AROUND = st.text(alphabet=st.sampled_from(list("1 9,./-+:_\tAbÉß\u0663x\n'\u2019")), max_size=6)


@pytest.mark.parametrize(("name", "regex", "starts"), STARTED, ids=[s[0] for s in STARTED])
@settings(max_examples=examples(300), deadline=None)
@given(data=st.data())
def test_a_started_street_regex_finds_what_finditer_finds(
    name: str, regex: re.Pattern[str], starts: Callable[[str], list[int]], data: st.DataObject
) -> None:
    """Strings drawn from the regex itself (any script), with text around: every match starts
    at an offset the finder gives, and trying only those gives the matches of ``finditer``."""
    del name
    drawn = data.draw(st.from_regex(_real(regex)))
    text = data.draw(_AROUND) + drawn + data.draw(_AROUND) + data.draw(prose)
    offsets = starts(text)
    whole = [m.span() for m in regex.finditer(text)]
    assert {s for s, _ in whole} <= set(offsets)
    assert [m.span() for m in finditer_at(regex, text, offsets)] == whole


@pytest.mark.parametrize(("name", "regex", "starts"), STARTED, ids=[s[0] for s in STARTED])
@given(text=prose)
def test_a_started_street_regex_agrees_on_prose(
    name: str, regex: re.Pattern[str], starts: Callable[[str], list[int]], text: str
) -> None:
    del name
    whole = [m.span() for m in regex.finditer(text)]
    found = [m.span() for m in finditer_at(regex, text, starts(text))]
    assert found == whole


def _ending_matches(matches: Iterable[re.Match[str]]) -> list[tuple[int, int]]:
    return [m.span() for m in matches if m.group("word").lower().endswith(address._ENDINGS)]


_ENDING_WORDS = st.sampled_from(
    [
        *address._ENDINGS,
        *("Parijsstraat", "HAUPTSTRASSE", "Kiannonkatu", "Paul-Nevermann-Platz", "İSTRASSE"),
        *("Große-Straße", "Storgatan", "ΟΔΟΣ", "during", "Hauptstr", "weg²"),
    ]
)


@settings(max_examples=examples(400), deadline=None)
@given(
    st.lists(
        st.one_of(
            _ENDING_WORDS,
            st.from_regex(_real(address._WORD_THEN_NUMBER)),
            _AROUND,
            st.sampled_from(VOCABULARY),
        ),
        max_size=12,
    ).map("".join)
)
@example("Parijsstraat 8")
@example("Hauptstr. 5, 10115 Berlin")
@example("xParijsstraat 8 Kiannonkatu  98a/2b")
@example("see Paul-Nevermann-Platz\t47")
@example("Atatürk Bulvar\u0131 12, Gedimino gatvė 9")
def test_words_then_number_finds_every_match_with_a_street_ending(text: str) -> None:
    """``_words_then_number`` gives every match of ``_WORD_THEN_NUMBER`` whose word ends with a
    street-word ending (the ones the detector keeps), in order."""
    whole = _ending_matches(address._WORD_THEN_NUMBER.finditer(text))
    assert _ending_matches(address._words_then_number(text)) == whole


def test_a_string_without_spaces_is_only_looked_up_as_a_place() -> None:
    """No street, facility or cue holds no space: such strings skip the gate scan, and listed
    places are still found."""
    det = LocationDetector(LEXICON)
    assert [(f.start, f.end) for f in det.detect("Zürich")] == [(0, 6)]
    assert [(f.start, f.end) for f in det.detect("Uruguay,Gargara")] == [(0, 7)]
    assert list(det.detect("2025-09-13T04:19:42.228733+00:00")) == []
    assert list(det.detect("call_taUWM6ZO88eb0ogET9D9XyYq")) == []


@pytest.mark.parametrize(
    "text",
    [
        *("O'Main Street", "x O\u2019Brien Oak Street", "(Anderson Street"),
        "a.Main Street Main Road",
        *("Oak Roadmap Anderson Street", "Main Street-Oak Lane", "Elm Drives Oak Drive_x Elm Road"),
    ],
)
def test_a_named_street_is_found_from_the_words_before_its_street_word(text: str) -> None:
    whole = [m.span() for m in address._NAMED_STREET.finditer(text)]
    assert whole
    starts = address._named_starts(text)
    assert [m.span() for m in finditer_at(address._NAMED_STREET, text, starts)] == whole


def test_no_named_street_word_ends_another() -> None:
    """``_named_starts`` takes the street words of one non-overlapping pass: two that can each
    end a match (followed by no letter) would overlap only if one ended the other."""
    words = address._NAMED_WORDS
    assert not [(a, b) for a in words for b in words if a != b and a.endswith(b)]


@settings(max_examples=examples(300), deadline=None)
@given(
    st.sampled_from([address._PLACE_CUE, address._STRONG_PLACE_CUE]).flatmap(
        lambda cue: st.from_regex(_real(cue))
    ),
    st.text(alphabet=st.sampled_from(list("a\u01312_ \t.\u0130")), max_size=4),
)
@example("lives in ", "")
@example("vis\u0131ted ", "")
@example("moved to the\t", "x")
def test_a_place_cue_ends_with_a_word_the_lookup_knows(cue: str, before: str) -> None:
    """Whenever a cue regex matches before a place, ``_cue_word_before`` says one can."""
    text = before + cue
    start = len(text)
    strong = address._STRONG_PLACE_CUE.search(text, max(0, start - 30), start)
    weak = address._PLACE_CUE.search(text, max(0, start - 16), start)
    if strong or weak:
        assert address._cue_word_before(text, start)


@given(st.sets(st.integers(0, 60)), st.integers(0, 60), st.integers(0, 20))
def test_a_cue_inside_a_run_is_found_by_bisection(cued: set[int], start: int, length: int) -> None:
    """A run holds a strong place cue when one ends inside it (was a scan of every cue per
    run: quadratic on a long text of "lives in X")."""
    expected = any(start <= c < start + length for c in cued)
    assert address._any_within(sorted(cued), start, start + length) == expected


#: Street regexes behind a regex gate of the Hyperscan scan, with the gate and, for the
#: street-word endings, the check the detector makes on a match.
GATED = [
    ("typed", address._STREETS[1][0], False),
    ("numbered", address._STREETS[4][0], False),
    ("endings", address._NUMBER_THEN_WORD, True),
    ("endings", address._WORD_THEN_NUMBER, True),
]


@pytest.mark.parametrize(
    ("gate", "regex", "ending"), GATED, ids=["typed", "numbered", "ntw", "wtn"]
)
@settings(max_examples=examples(300), deadline=None)
@given(data=st.data())
@example(data=None)
def test_a_street_regex_gate_opens_wherever_the_regex_matches(
    gate: str, regex: re.Pattern[str], ending: bool, data: st.DataObject | None
) -> None:
    """The Hyperscan gates are necessary conditions: a house number with a letter or a
    ``/12`` part ("4B Kiannonkatu", "12/3 Main Street") opens them as the ``re`` gates do."""
    pytest.importorskip("hyperscan")
    if data is None:
        texts = ["4b Main Street", "see 4B Foo 12,", "at 4B\tKiannonkatu", "12/3a Oak Ave"]
    else:
        alphabet = st.characters(max_codepoint=127)
        texts = [data.draw(st.from_regex(_real(regex), alphabet=alphabet))]
    for text in texts:
        # The gates look a bounded way ahead (120 characters for a street type or a second
        # number, 40 for a street-word ending): longer matches are not what they promise.
        limit = 40 if ending else 100
        matches = [
            m
            for m in regex.finditer(text)
            if m.end() - m.start() <= limit
            and (not ending or m.group("word").lower().endswith(address._ENDINGS))
        ]
        if matches and text.isascii():
            opened, _ = address_gates("hyperscan").scan(text.lower(), True)
            assert gate in opened, text


class _NoShortcut(PersonDetector):
    """The person detector planning every run in full (no ``_dead`` shortcut)."""

    def _dead(self, run: str) -> bool:
        del run
        return False


#: Run words for the dead-run shortcut: dictionary and function words, names that are also
#: words, honorifics, cue and street words, initials, contractions, ALL CAPS, particles.
_RUN_WORDS = (
    *("The", "THE", "Including", "Strategize", "Granular", "Report", "Budget", "Service"),
    *("Poor", "Will", "Mark", "Smith", "Jennifer", "Dr.", "Dr", "MRS", "Mr", "Son", "Dear"),
    *("Street", "Hospital", "Inc", "A.", "A", "I", "J", "Can't", "It's", "O'Connell"),
    *("MAE", "ED", "Tom", "TOM", "Plug-And-Play", "Back-End", "Élodie-Andrée", "Rua", "Rue"),
    *("Paris", "Fields", "Items", "Running", "van", "de", "la", "del", "Quartermain", "Ok"),
    *("Miss", "Sir", "MISS", "Dame"),
)


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_RUN_WORDS), st.sampled_from([" ", "  ", "\t", ", ", " , "])),
        min_size=1,
        max_size=6,
    ).map(lambda parts: "".join(w + sep for w, sep in parts).rstrip(" \t,"))
)
@example("The")
@example("Dr Including Budget")
@example("Son Will")
@example("Sir Report")
@example("Mrs Roadmap, Can't Items")
def test_a_run_said_to_hold_no_name_plans_no_candidate(text: str) -> None:
    """``_dead`` only skips runs whose full plan is empty: for every run of ``text``, the plan
    with the shortcut equals the plan without it."""
    fast, full = PersonDetector(LEXICON), _NoShortcut(LEXICON)
    for _, run in capital_runs(text):
        assert fast._plan(run) == full._plan(run)
    assert _found(fast, text) == _found(full, text)

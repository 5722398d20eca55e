"""LOCATION: streets, address blocks (one finding per component), places and facilities."""

from __future__ import annotations

import pytest

from tests.detectors._tables import spans
from tracemask import Masker
from tracemask.detectors.data import Lexicon
from tracemask.detectors.pii.address import LocationDetector

LEXICON = Lexicon()

POSITIVES = [
    (
        "Ship it to 4412 Oak Ridge Dr, Springfield, IL 62704.",
        ["4412 Oak Ridge Dr", "Springfield", "IL", "62704"],
    ),
    ("at 10 Downing Street", ["10 Downing Street"]),
    ("Tosh Olsen lives at 172 Maneeži 75, Saareküla", ["172 Maneeži 75", "Saareküla"]),
    (
        "Robert lives at 38 C/ Señores Curas 88, Villafranca del Cid",
        ["38 C/ Señores Curas 88", "Villafranca del Cid"],
    ),
    (
        "Jennifer Kucharski\n\n04 44 Rue Abderrahmen Ziad\n Suite 783\n Gargara\n\n Uruguay 93613",
        ["44 Rue Abderrahmen Ziad", "Suite 783", "Gargara", "Uruguay", "93613"],
    ),
    (
        "??? Thomas Gomes\n??? 02 P.O. Box 175\n??? Apt. 016\n??? Aasiaat\n??? Rwanda 53434",
        ["P.O. Box 175", "Apt. 016", "Aasiaat", "Rwanda", "53434"],
    ),
    (
        "a taxi to 25 Schaarsteinweg 58 Apt. 584 Ebermannsdorf Belarus. Please call me.",
        ["25 Schaarsteinweg 58", "Apt. 584", "Ebermannsdorf", "Belarus"],
    ),
    (
        "a taxi to 124 67 Devon Street West\n Suite 240\n West Brook\n New Zealand. Thanks",
        ["124 67 Devon Street West", "Suite 240", "West Brook", "New Zealand"],
    ),
    ("Unit 7349 Box 6067\nDPO AE 99081", ["Unit 7349 Box 6067", "DPO", "AE 99081"]),
    ("Hochstrasse 96 in der Altstadt", ["Hochstrasse 96"]),
    ("I'm originally from Ukraine", ["Ukraine"]),
    ("Blink-182 pay tribute here to the Netherlands.", ["Netherlands"]),
    ("these early shows on Anderson Street were important", ["Anderson Street"]),
    # Clinical notes: facilities.
    ("PATIENT WAS TRANSFERRED TO GH THIS EVENING", ["GH"]),
    ("went to Harbor Hosp 8/23 with severe pain", ["Harbor"]),
    ("TRANSFER TO QUARTERMAIN 2 IN AM", ["QUARTERMAIN"]),
    ("was transfered from Memorial Hospital 9/13", ["Memorial"]),
]

NEGATIVES = [
    "Version 3 Release 5 shipped",
    "released 2024-08-06 at noon",
    "Chapter 3 Section 5",
    "We have 3 Apples 5 times",
    "Top 10 Items 20",
    "gpt-4o-2024-08-06",
    "v1.2.3 build 456",
    "Hello World from Quarterly Revenue Report",
    "HR 101-115 ST with temp, BP 124-141/72-80",
    "INTUBATED ON 55% 700 X 15, NO SPON BREATHS.",
    "THRASHES AROUND ALOT AND TRIES TO SIT UP",
    "transferred to MICU for further management",
    "MEDICATIONS ON ADMISSION TO HOSPITAL:",
    "the string 10 during 3 loops",
    "order 4111111111111112 shipped in 2 Boxes",
    "<LOCATION>\n <LOCATION>",
]


@pytest.mark.parametrize(("text", "values"), POSITIVES)
def test_finds_addresses_and_places(text: str, values: list[str], backend: str) -> None:
    assert spans(LocationDetector(LEXICON), text, backend) == [("LOCATION", v) for v in values]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_street_shaped_noise(text: str, backend: str) -> None:
    assert spans(LocationDetector(LEXICON), text, backend) == []


def test_a_city_alone_needs_a_cue(backend: str) -> None:
    det = LocationDetector(LEXICON)
    assert spans(det, "Springfield was mentioned", backend) == []
    assert spans(det, "She moved to Springfield last year", backend) == [
        ("LOCATION", "Springfield")
    ]


# Street and postcode shapes of many countries (values from Faker's locales and own templates).
COUNTRY_SHAPES = [
    ("Ship to: Tannerstrasse 59\n8683 Richterswil", ["Tannerstrasse 59", "8683", "Richterswil"]),
    (
        "Ship to: pl. Stefana Batorego 59/73\n42-649 Poznań",
        ["pl. Stefana Batorego 59/73", "42-649", "Poznań"],
    ),
    ("Vivo en Camino Alem N° 155", ["Camino Alem N° 155"]),
    ("Moro na Quadra Maria Julia Novais, 78", ["Quadra Maria Julia Novais, 78"]),
    ("Ship to: Evelynebaan 388", ["Evelynebaan 388"]),
    (
        "Antonius-Steinlechner-Straße 9\n9262 Frohnleiten",
        ["Antonius-Steinlechner-Straße 9", "9262", "Frohnleiten"],
    ),
    ("8, chemin Chantal Vasseur\n47899 Coulon", ["8, chemin Chantal Vasseur", "47899", "Coulon"]),
    ("I live at 44333 Omair Squares", ["44333 Omair Squares"]),
    ("Address: 1318 Tamara Ranch", ["1318 Tamara Ranch"]),
    ("Я живу по адресу пер. Спартака, д. 1", ["пер. Спартака, д. 1"]),
]


@pytest.mark.parametrize(("text", "values"), COUNTRY_SHAPES)
def test_street_and_postcode_shapes_per_country(text: str, values: list[str], backend: str) -> None:
    found = [v for _, v in spans(LocationDetector(LEXICON), text, backend)]
    assert found == values


@pytest.mark.parametrize(
    "text",
    ["we placed 5 place Orders", "read 3 Key Takeaways", "see 12 Quick Wins Roadmap"],
)
def test_plain_phrases_before_street_words_are_not_streets(text: str, backend: str) -> None:
    assert spans(LocationDetector(LEXICON), text, backend) == []


def test_gates_give_the_same_findings_on_both_backends() -> None:
    """Gates are necessary conditions only: the Hyperscan scan and the pure-``re`` gates (which
    may open more often) give the same findings."""
    pytest.importorskip("hyperscan")
    from tests.detectors.test_pii_person import NEGATIVES as PERSON_NEGATIVES  # noqa: PLC0415
    from tests.detectors.test_pii_person import POSITIVES as PERSON_POSITIVES  # noqa: PLC0415
    from tracemask.detectors.pii.address import address_gates  # noqa: PLC0415
    from tracemask.detectors.pii.person import PersonDetector, person_gates  # noqa: PLC0415

    texts = [t for t, _ in POSITIVES + COUNTRY_SHAPES + PERSON_POSITIVES]
    texts += NEGATIVES + PERSON_NEGATIVES
    texts += ["Straße 5, 8001 Zürich", "12 rue de la Paix", "lives at Maneeži 37", "dr green"]
    fast, pure = LocationDetector(LEXICON), LocationDetector(LEXICON)
    pure._gates = address_gates("re")
    people, pure_people = PersonDetector(LEXICON), PersonDetector(LEXICON)
    pure_people._gates = person_gates("re")
    assert fast._gates.backend == "hyperscan"
    for text in texts:
        assert list(fast.detect(text)) == list(pure.detect(text))
        assert list(people.detect(text)) == list(pure_people.detect(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i live at 12 main street springfield", "i live at <LOCATION>"),
        ("my address is 42 elm st, apt 3", "my address is <LOCATION>"),
        ("deliver to 1600 amphitheatre pkwy please", "deliver to <LOCATION> please"),
        ("ship to 12 oak ave unit 4b, boston", "ship to <LOCATION>"),
        ("i live at 12 main street and i like it", "i live at <LOCATION> and i like it"),
    ],
)
@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_a_lower_case_street_after_an_address_cue(backend: str, text: str, expected: str) -> None:
    assert Masker(backend=backend).mask_text(text) == expected


@pytest.mark.parametrize(
    "text", ["i moved to 3 different places", "it is 5 st", "the mail is at 4 pm", "12 main st"]
)
@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_lower_case_numbers_without_a_cued_street_stay(backend: str, text: str) -> None:
    assert Masker(backend=backend).mask_text(text) == text

"""PERSON: dictionary, shape and context rules; Title Case phrases and product names survive."""

from __future__ import annotations

import pytest

from tests.detectors._tables import spans
from tracemask import Masker
from tracemask.detectors.data import Lexicon
from tracemask.detectors.pii.person import PersonDetector

LEXICON = Lexicon()  # read once for the module: the tables below share it

POSITIVES = [
    ("Maybe it's under Scott Schmidt", ["Scott Schmidt"]),
    ("Jennifer Kucharski lives in Lyon", ["Jennifer Kucharski"]),
    ("Please correct it to Dr. Jacob van Gameren?", ["Jacob van Gameren"]),
    ("Mohmad R. Vizirov", ["Mohmad R. Vizirov"]),
    ("Hi Romilda, I'm contacting you about a transfer", ["Romilda"]),
    ("Thanks,\nJane", ["Jane"]),
    ("What's your last name? Magnusson", ["Magnusson"]),
    ("Producer Vilhjálmur Georgsson explained to the press", ["Vilhjálmur Georgsson"]),
    ('{"name": "Sarah Yamanaka", "model": "claude-3-5-sonnet"}', ["Sarah Yamanaka"]),
    ("Kucharski, Jennifer", ["Kucharski, Jennifer"]),
    ("Tomomi Nishiyama lives at the corner", ["Tomomi Nishiyama"]),
    ("Mr. O'Connell and Ms. LeBlanc signed", ["O'Connell", "LeBlanc"]),
    # ALL CAPS clinical shorthand: honorifics, relations, credentials.
    ("CARDIAC- CK DRAWN AT 1515. DR JONES AWARE.", ["JONES"]),
    ("REFER TO MR. BENSKY, NOT MR. SKRIBA- PLEASE DISREGARD", ["BENSKY", "SKRIBA"]),
    ("VENTOLIN/ATROVENT Q4.\n FRANCIS G. LEVINE, RRT", ["FRANCIS G. LEVINE"]),
    ("SOCIAL: LIVES ALONE. SON ROB 285-482-5518 AND", ["ROB"]),
    # Lower-case names after the pronoun "I", written upper case (no Title case word before).
    ("I am jose", ["jose"]),
    ("I'm maria garcia", ["maria garcia"]),
    ("Seen by J. Yi, MD. Pain to right side", ["J. Yi"]),
    # Lower case only after a strong cue.
    ("spo2 97%, some mild stridor noted, dr green aware. however", ["green"]),
    ("valuables given to husband jim to take home", ["jim"]),
    # Names in scripts without capitals, after a cue that announces a name.
    ("My name is مائده جنتی.", ["مائده جنتی"]),
    ("我是学生\uff0c我叫王小明\uff0c今年二十岁", ["王小明"]),
    ("Thanks,\n주선영", ["주선영"]),
    ("Meeting with રાહુલ ગઢવી at 3pm.", ["રાહુલ ગઢવી"]),
    ("Best regards,\nԿարեն Դուզճակատչյան", ["Կարեն Դուզճակատչյան"]),  # noqa: RUF001
    # Name cues in other languages; compound given names.
    ("Mijn naam is Nova Dekker.", ["Nova Dekker"]),
    ("Меня зовут Никонов Андрон.", ["Никонов Андрон"]),
    ("Élodie-Andrée Paquin called about the refund.", ["Élodie-Andrée Paquin"]),
    # After an honorific a dictionary word is a name too.
    ("titrated to keep SBP 120-150 per Dr. Tyro. SBP down", ["Tyro"]),
    ("Call Mrs. Baker today", ["Baker"]),
]

# Near misses and decoys: Title Case that is not a person.
NEGATIVES = [
    "I am fine thanks",
    "I'm good, I am going home",
    "Hello World from Quarterly Revenue Report",
    "Reported by The Washington Post and The New York Times",
    "See the Engineer Plug-And-Play Action-Items Roadmap page",
    "Hi 你好, from 東京 to 大阪",  # greetings and "from" are followed by anything
    "这是一个测试文本\uff0c没有名字",
    "Washington Post and Boston Globe",
    "Budget approved; every citizen votes",
    "Claude Sonnet and Visual Studio Code with GPT-4o",
    "Getting Started Guide",
    "Customer Success Team",
    "Billing Support Bot and Terms Of Service",
    "Monday March Madness in April",
    "Mark As Read",
    "See the Incident Postmortem page for details.",
    "Synergized Well-Modulated Capability",
    "Anderson Street is closed",
    "transferred to Memorial Hospital for cath",
    "The Netherlands and New Zealand",
    "class UserProfile(BaseModel): pass",
    "Console.WriteLine(FirstName)",
    "/Users/John/projects",
    "user@Example.com",
    "ID- Max temp 103.4, tx",
    "HOUSE STAFF NOTIFIED. BP LABILE.",
    "ms: sedated on propofol",
    "PT IN USOH UNTIL 8/23 WHEN PRESENTED AT VAMC HOSPITAL",
    "Getting Albuterol given as ordered.",
    "Dear Customer, your order shipped",
    "<PERSON> approved <PERSON:1a2b3c4d5e6f>",
]


@pytest.mark.parametrize(("text", "names"), POSITIVES)
def test_finds_names(text: str, names: list[str], backend: str) -> None:
    assert spans(PersonDetector(LEXICON), text, backend) == [("PERSON", n) for n in names]


@pytest.mark.parametrize("text", NEGATIVES)
def test_ignores_title_case_that_is_not_a_person(text: str, backend: str) -> None:
    assert spans(PersonDetector(LEXICON), text, backend) == []


def test_single_ambiguous_given_name_needs_an_honorific(backend: str) -> None:
    assert spans(PersonDetector(LEXICON), "Thanks Claude, that works", backend) == []
    assert spans(PersonDetector(LEXICON), "Dr. Claude Bernard wrote it", backend) == [
        ("PERSON", "Claude Bernard")
    ]


def test_scores_reward_context() -> None:
    det = PersonDetector(LEXICON)
    (plain,) = det.detect("Maybe Magnusson knows")  # a surname alone stays below 0.5
    (cued,) = det.detect("My name is Magnusson")
    assert plain.score < 0.5 <= cued.score


def test_lexicon_is_read_on_first_use_only() -> None:
    lexicon = Lexicon()
    PersonDetector(lexicon)
    assert lexicon._tokens is None
    list(PersonDetector(lexicon).detect("Jane Smith"))
    assert lexicon._tokens is not None


@pytest.mark.parametrize("text", ["I am jose", "I'm maria garcia"])
def test_the_trigger_lets_a_capital_i_cue_through(text: str, backend: str) -> None:
    # The prefilter trigger must match wherever the detector finds a name: it once knew the
    # cue only in lower case, and "I am jose" never reached the detector.
    assert Masker(backend=backend).mask_text(text).endswith("<PERSON>")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi maria, thanks for reaching out", "Hi <PERSON>, thanks for reaching out"),
        ("hello maria garcia,", "hello <PERSON>,"),
        ("thanks jose!", "thanks <PERSON>!"),
        ("this is maria garcia from billing", "this is <PERSON> from billing"),
        ("thank you maria", "thank you <PERSON>"),
        ("Regards,\nmaria", "Regards,\n<PERSON>"),
    ],
)
@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_a_lower_case_name_after_a_greeting(backend: str, text: str, expected: str) -> None:
    assert Masker(backend=backend).mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hello world",
        "hi there",
        "hey all",
        "thanks again",
        "this is great",
        "dear sir",
        "hi team, quick update",
        "Thanks,\nthe team",
        "thanks bill",  # a dictionary word
        "hi claude",  # an assistant's name
        "hey siri",
        "this is my account",
    ],
)
@pytest.mark.parametrize("backend", ["hyperscan", "re"])
def test_words_after_a_greeting_stay(backend: str, text: str) -> None:
    assert Masker(backend=backend).mask_text(text) == text

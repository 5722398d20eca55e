"""Field names in the structures text carries: XML elements and table headers (CSV, TSV,
Markdown), the shapes of prompts, SQL results and spreadsheets in tool outputs."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask.detectors.fields import _pairs

BACKENDS = ["hyperscan", "re"]


@pytest.fixture(scope="module", params=BACKENDS)
def masker(request: pytest.FixtureRequest) -> Masker:
    return Masker(backend=request.param)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<customer><name>maria garcia</name><ssn>123456789</ssn><dob>1980-03-12</dob>"
            "</customer>",
            "<customer><name><PERSON></name><ssn><US_SSN></ssn><dob><DATE_OF_BIRTH></dob>"
            "</customer>",
        ),
        (
            '<customer_email type="work">jane@intranet</customer_email>',
            '<customer_email type="work"><EMAIL_ADDRESS></customer_email>',
        ),
        ("<patient_dob> 12/03/1980 </patient_dob>", "<patient_dob> <DATE_OF_BIRTH> </patient_dob>"),
        # Elements that name nothing personal, and values of the wrong shape, stay.
        (
            "<status>active</status><phone>unknown</phone>",
            "<status>active</status><phone>unknown</phone>",
        ),
        ("<card_count>3</card_count>", "<card_count>3</card_count>"),
    ],
)
def test_xml_elements_named_like_fields(masker: Masker, text: str, expected: str) -> None:
    assert masker.mask_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "name,email,phone,ssn\nMaria Garcia,maria@x.com,4155550132,123456789\n"
            "John Li,john@y.org,2125550199,987654321",
            "name,email,phone,ssn\n<PERSON>,<EMAIL_ADDRESS>,<PHONE_NUMBER>,<US_SSN>\n"
            "<PERSON>,<EMAIL_ADDRESS>,<PHONE_NUMBER>,<US_SSN>",
        ),
        (
            "| Name | SSN | Phone |\n|---|:---:|---|\n"
            "| Maria Garcia | 123-45-6789 | 415-555-0132 |\n"
            "| John Li | 987654321 | 2125550199 |",
            "| Name | SSN | Phone |\n|---|:---:|---|\n| <PERSON> | <US_SSN> | <PHONE_NUMBER> |\n"
            "| <PERSON> | <US_SSN> | <PHONE_NUMBER> |",
        ),
        (
            "id\tfirst_name\tlast_name\tdob\r\n1\tmaria\tgarcia\t1980-03-12\r\n",
            "id\tfirst_name\tlast_name\tdob\r\n1\t<PERSON>\t<PERSON>\t<DATE_OF_BIRTH>\r\n",
        ),
        # A quoted CSV cell may hold the delimiter.
        (
            'phone;notes\n"020 7946 0958";"called; no answer"',
            'phone;notes\n"<PHONE_NUMBER>";"called; no answer"',
        ),
    ],
)
def test_table_columns_named_like_fields(masker: Masker, text: str, expected: str) -> None:
    assert masker.mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "model,tokens,cost\ngpt-4o,1234,0.02\nclaude,999,0.01",
        "| tool | status |\n|---|---|\n| get_weather | ok |",
        # A row with another number of cells ends the table.
        "phone,notes\nsee below\n555-0199,desk",
        "name,version\nrequests,2.31.0\nnumpy,1.26.4",
    ],
)
def test_tables_of_other_columns_stay(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<title>Maria Garcia</title>", "<title><PERSON></title>"),
        ("<td>John Smith</td><td>12 Main Street</td>", "<td><PERSON></td><td><LOCATION></td>"),
        ("List<String> Foo<T>", "List<String> Foo<T>"),  # generics are no names
    ],
)
def test_a_name_before_a_closing_tag_is_masked_whole(
    masker: Masker, text: str, expected: str
) -> None:
    # The surname before ``</p>`` used to stay ("<PERSON> Garcia</p>").
    assert masker.mask_text(text) == expected


_FIELDS = st.sampled_from(["phone", "ssn", "email", "dob", "iban", "name", "status", "tokens"])
_CELLS = st.text(alphabet="abc 0123456789-@.", min_size=0, max_size=20)


@settings(max_examples=examples(150))
@given(
    st.lists(_FIELDS, min_size=2, max_size=5, unique=True),
    st.lists(st.lists(_CELLS, min_size=5, max_size=5), min_size=1, max_size=4),
    st.sampled_from([",", "\t", ";", " | "]),
)
def test_tables_keep_their_shape(fields: list[str], rows: list[list[str]], delim: str) -> None:
    """Masking a table changes cell contents only: as many lines, and the delimiters stay."""
    sep = delim.strip() or delim
    lines = [delim.join(fields)] + [
        delim.join(c.replace(sep, "") for c in row[: len(fields)]) for row in rows
    ]
    text = "\n".join(lines)
    out = Masker().mask_text(text)
    assert out.count("\n") == text.count("\n")
    assert [line.count(sep) for line in out.split("\n")] == [line.count(sep) for line in lines]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MRN 00123456", "MRN <NATIONAL_ID>"),
        ("mrn# 00123456", "mrn# <NATIONAL_ID>"),
        ("Patient ID 4482913", "Patient ID <NATIONAL_ID>"),
        ("insurance number AB1234567", "insurance number <NATIONAL_ID>"),
        ("passport no. X1234567", "passport no. <NATIONAL_ID>"),
        ("VIN 1HGCM82633A004352", "VIN <NATIONAL_ID>"),
        ("licence plate ABC-1234", "licence plate <NATIONAL_ID>"),
        ("routing number 021000021", "routing number <BANK_ACCOUNT>"),
        (
            "pt seen today, patient id 4482913, MRN 00123456.",
            "pt seen today, patient id <NATIONAL_ID>, MRN <NATIONAL_ID>.",
        ),
    ],
)
def test_a_value_with_digits_after_a_name_and_a_space(
    masker: Masker, text: str, expected: str
) -> None:
    assert masker.mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the tin 50000 cans",  # a short lower-case word is no label without # or no.
        "card 4 of 10",
        "phone 2 years ago",
        "order number 12345678",
        "user id 12345678",
        "version 2.31.0",
        "address 2 issues",  # words (names, places) are never taken after a space
    ],
)
def test_spaced_words_that_are_no_labels_stay(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "INSERT INTO users (name, email, ssn, phone) VALUES "
            "('Maria Garcia', 'm@x.com', '123456789', '4155550132'), "
            "('jose lopez', 'j@y.org', '987654321', 2125550199);",
            "INSERT INTO users (name, email, ssn, phone) VALUES "
            "('<PERSON>', '<EMAIL_ADDRESS>', '<US_SSN>', '<PHONE_NUMBER>'), "
            "('<PERSON>', '<EMAIL_ADDRESS>', '<US_SSN>', <PHONE_NUMBER>);",
        ),
        (
            "insert into t (id, ssn) values (1, '123456789')",
            "insert into t (id, ssn) values (1, '<US_SSN>')",
        ),
        # Values that are calls are not parsed: the statement is left to the other detectors.
        ("INSERT INTO t (ssn) VALUES (f('x'))", "INSERT INTO t (ssn) VALUES (f('x'))"),
        (
            "INSERT INTO logs (level, msg) VALUES ('info', 'ok')",
            "INSERT INTO logs (level, msg) VALUES ('info', 'ok')",
        ),
    ],
)
def test_sql_insert_values_under_personal_columns(masker: Masker, text: str, expected: str) -> None:
    assert masker.mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "MRN 00123456",
        "Patient ID 4482913",
        "<ssn>123456789</ssn>",
        "id,ssn,name\n1,123456789,x",
        "| Name | SSN |\n|---|---|\n| a | 123456789 |",
        "INSERT INTO t (id, ssn) VALUES (1, '123456789')",
    ],
)
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_trigger_sees_every_structure(backend: str, text: str) -> None:
    """The detector alone and the engine (through its prefilter trigger) find the same."""
    engine = Masker(backend=backend).compiled.engine
    detector = next(d for d in engine.detectors if d.name == "FieldValue")
    alone = {(f.start, f.end) for f in detector.detect(text)}
    assert alone
    assert alone <= {(f.start, f.end) for f in engine.detect(text)}


# The regex ``key: value`` pairs were found with before ``_pairs`` (which starts from the
# separators, for speed): both must find the same pairs.
_PAIR_REGEX = re.compile(
    r"(?<![\w.\-])(?P<key>[^\W\d][\w.\-]{0,60})[\"'\]]?[ \t]*"
    r"(?::=|=>|:(?!//)|=(?!=))[ \t]*(?P<quote>[\"']?)"
)


@settings(max_examples=examples(500))
@given(st.text(alphabet="ab_Z9.-:=>/ \t\"']\né²٣\u0301", max_size=80))
def test_pairs_are_the_regex_pairs(text: str) -> None:
    expected = [
        (m.start(), m.group("key"), m.end(), m.group("quote")) for m in _PAIR_REGEX.finditer(text)
    ]
    assert list(_pairs(text)) == expected


def test_pairs_of_a_long_key_and_of_a_log_line() -> None:
    text = "x" * 70 + ": 1 | user.phone = '020 7946 0958' | ok==yes | url=http://h/a:b"
    expected = [
        (m.start(), m.group("key"), m.end(), m.group("quote")) for m in _PAIR_REGEX.finditer(text)
    ]
    assert list(_pairs(text)) == expected
    assert [key for _, key, _, _ in _pairs(text)] == ["user.phone", "url", "a"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PIN: 4821", "PIN: <PASSWORD>"),
        ("pin=4821", "pin=<PASSWORD>"),
        ("passcode 4821", "passcode <PASSWORD>"),
        ("otp: 482193", "otp: <PASSWORD>"),
        ("atm pin: 4821", "atm pin: <PASSWORD>"),
        ("PIN 4821", "PIN <PASSWORD>"),
    ],
)
def test_a_pin_after_a_password_name(masker: Masker, text: str, expected: str) -> None:
    assert masker.mask_text(text) == expected


@pytest.mark.parametrize(
    "text",
    ["GPIO pin: 17", "pin 4821 to the board", "pass: 2024-01-01", "Pinned: 1234", "pin: 3.14159"],
)
def test_numbers_that_are_no_pin_stay(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


def test_pins_follow_the_policy() -> None:
    assert Masker({"password_keys": []}).mask_text("PIN: 4821") == "PIN: 4821"
    off = Masker({"entities": {"PASSWORD": {"enabled": False}}})
    assert off.mask_text("PIN: 4821") == "PIN: 4821"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My card number is 3527472906420866.", "My card number is <CREDIT_CARD>."),
        ("the MRN is 00123456", "the MRN is <NATIONAL_ID>"),
        ("his passport was X1234567", "his passport was <NATIONAL_ID>"),
        ("Cartão de crédito: 676233991803.", "Cartão de crédito: <CREDIT_CARD>."),
    ],
)
def test_a_name_then_is_then_its_value(masker: Masker, text: str, expected: str) -> None:
    assert masker.mask_text(text) == expected


@pytest.mark.parametrize(
    "text", ["the card number is invalid", "the tin is 50000", "it was 12345678 dollars"]
)
def test_is_after_other_words_stays(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text

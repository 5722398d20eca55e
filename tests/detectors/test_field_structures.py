"""Field names in the structures text carries: XML elements and table headers (CSV, TSV,
Markdown), the shapes of prompts, SQL results and spreadsheets in tool outputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker

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

"""Escaped values (URL query strings, HTML, JSON text): found in the decoded view, masked in
place with their escaping kept."""

from __future__ import annotations

import html
import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker
from tracemask.detectors._views import decoded_view

MASKERS = [Masker(), Masker(backend="re")]


@pytest.mark.parametrize("masker", MASKERS, ids=["auto", "re"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET /api/users?email=john.doe%40example.com&phone=%2B14155550132",
            "GET /api/users?email=<EMAIL_ADDRESS>&phone=<PHONE_NUMBER>",
        ),
        (  # encoded twice: a redirect URL inside a query
            "next=https%3A%2F%2Fx.io%2F%3Femail%3Djane%2540example.com",
            "next=https%3A%2F%2Fx.io%2F%3Femail%3D<EMAIL_ADDRESS>",
        ),
        (
            "/search?q=call+me+at+415-555-0132&lang=en",
            "/search?q=call+me+at+<PHONE_NUMBER>&lang=en",
        ),
        ("/pay?card=4111%201111%201111%201111&x=1", "/pay?card=<CREDIT_CARD>&x=1"),
        ("/p?full_name=John%20Smith&dob=1985-03-14", "/p?full_name=<PERSON>&dob=<DATE_OF_BIRTH>"),
        ("<p>Contact: jane.doe&#64;example.com</p>", "<p>Contact: <EMAIL_ADDRESS></p>"),
        ("<p>jane.doe&commat;example.com</p>", "<p><EMAIL_ADDRESS></p>"),
        ('{"q": "email jane\\u0040example.com"}', '{"q": "email <EMAIL_ADDRESS>"}'),
        ("ssn=078%2D05%2D1120", "ssn=<US_SSN>"),
    ],
)
def test_an_escaped_value_is_masked_with_its_escapes(
    masker: Masker, text: str, expected: str
) -> None:
    assert masker.mask_text(text) == expected


@pytest.mark.parametrize("masker", MASKERS, ids=["auto", "re"])
@pytest.mark.parametrize(
    "text",
    [
        "100% of 50%25 off &amp; more, a+b=c",
        "https://example.com/path%20with%20spaces?x=1&y=2",
        "q=hello+world&lang=en&page=2",
        "/v1/traces?trace_id=4bf92f3577b34da6a3ce929d0e0e4736&span=00f067aa0ba902b7",
        "&lt;div class=&quot;card&quot;&gt;Order #12345&lt;/div&gt;",
        "model=gpt-4o%2Bmini&tokens=1280&cost=0.03",
    ],
)
def test_harmless_escaped_text_is_kept(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


def test_a_value_in_a_url_attribute_of_a_payload_is_masked() -> None:
    span = {"attributes": {"url.full": "https://api.x.io/u?email=ann%40example.org&tab=1"}}
    assert Masker().mask(span) == {
        "attributes": {"url.full": "https://api.x.io/u?email=<EMAIL_ADDRESS>&tab=1"}
    }


def test_plain_text_has_no_view() -> None:
    assert decoded_view("plain text, nothing escaped: 100 % sure") is None


def test_multibyte_percent_escapes_map_to_whole_characters() -> None:
    text = "name=Jos%C3%A9&x=1"
    view = decoded_view(text)
    assert view is not None
    assert view.text == "name=José&x=1"
    start = view.text.index("José")
    assert view.original(start, start + 4) == (5, 14)  # "Jos%C3%A9"
    assert view.original(start + 3, start + 4) == (8, 14)  # "%C3%A9"


_pieces = st.lists(
    st.one_of(
        st.text(alphabet="ab@.+ 1&=%", max_size=6),
        st.text(max_size=3).map(urllib.parse.quote),
        st.text(max_size=3).map(html.escape),
        st.text(max_size=3).map(lambda s: "".join(f"&#{ord(c)};" for c in s)),
    ),
    max_size=8,
).map("".join)


@given(_pieces)
def test_a_view_maps_each_character_back_to_its_own_stretch_in_order(text: str) -> None:
    view = decoded_view(text)
    if view is None:
        return
    previous = (0, 0)
    for i in range(len(view.text)):
        a, b = view.original(i, i + 1)
        assert 0 <= a < b <= len(text)
        # In order, and disjoint but for the characters of one escape (one UTF-8 sequence).
        assert previous[1] <= a or (a, b) == previous
        previous = (a, b)
    if view.text:
        assert view.original(0, len(view.text))[0] == 0


@given(_pieces)
def test_masking_escaped_text_is_idempotent(text: str) -> None:
    masker = MASKERS[0]
    once = masker.mask_text(text)
    assert masker.mask_text(once) == once

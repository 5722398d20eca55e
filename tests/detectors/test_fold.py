"""Other scripts' digits and full-width forms: detected as their ASCII twins, masked in place."""

# ruff: noqa: RUF001  (full-width look-alikes are what these tests are about)

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker
from tracemask.detectors._fold import fold

MASKERS = [Masker(), Masker(backend="re")]


def _wide(ascii_text: str) -> str:
    """``ascii_text`` in full-width forms (spaces as the ideographic space)."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in ascii_text
    )


def _digits(ascii_text: str, zero: str) -> str:
    """``ascii_text`` with its digits in the script whose zero is ``zero``."""
    return "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in ascii_text)


@pytest.mark.parametrize("masker", MASKERS, ids=["auto", "re"])
@pytest.mark.parametrize(
    ("text", "value", "token"),
    [
        ("電話 {}", _wide("090-1234-5678"), "<PHONE_NUMBER>"),
        ("電話番号は{}です", _wide("090-1234-5678").replace("-", "－"), "<PHONE_NUMBER>"),
        ("card {} thanks", _wide("4111 1111 1111 1111"), "<CREDIT_CARD>"),
        ("mail {} please", _wide("john.doe@example.com"), "<EMAIL_ADDRESS>"),
        ("SSN {}", _wide("078-05-1120"), "<US_SSN>"),
        ("IBAN {}", _wide("DE89 3704 0044 0532 0130 00"), "<IBAN_CODE>"),
        ("call {} now", _digits("+971 50 123 4567", "\u0660"), "<PHONE_NUMBER>"),  # Arabic-Indic
        ("رقم الهاتف {}", _digits("0501234567", "\u06f0"), "<PHONE_NUMBER>"),  # Persian
        ("नंबर {}", _digits("+91 98765 43210", "\u0966"), "<PHONE_NUMBER>"),  # Devanagari
        ("card {} ok", _digits("4111 1111 1111 1111", "\u09e6"), "<CREDIT_CARD>"),  # Bengali
    ],
)
def test_a_value_in_other_digits_or_full_width_is_masked(
    masker: Masker, text: str, value: str, token: str
) -> None:
    masked = masker.mask_text(text.format(value))
    assert masked == text.format(token)


@pytest.mark.parametrize("masker", MASKERS, ids=["auto", "re"])
@pytest.mark.parametrize(
    "text",
    [
        "注文番号１２３４５の件",  # an order number
        "２０２４年８月６日に送信",  # a date
        "トークン数：１２８０、費用：０．０３ドル",  # token counts and a cost
        "バージョン ３．１１．７",  # a version
        "ＧＰＴ－４ｏ モデル",  # a model name
        "Ｈｅｌｌｏ Ｗｏｒｌｄ",  # Title Case words
        "الطلب رقم ١٢٣٤٥",  # an order number in Arabic-Indic digits
    ],
)
def test_harmless_text_in_other_digits_or_full_width_is_kept(masker: Masker, text: str) -> None:
    assert masker.mask_text(text) == text


def test_findings_point_into_the_original_text() -> None:
    text = "電話 " + _wide("090-1234-5678") + " まで"
    (finding,) = Masker().detect(text)
    assert text[finding.start : finding.end] == _wide("090-1234-5678")


def test_nothing_to_fold_returns_the_same_object() -> None:
    for text in ["plain ascii 090-1234-5678", "ünïcödé ohne Ziffern", "日本語だけ"]:
        assert fold(text) is text


@given(st.text())
def test_folding_keeps_every_offset(text: str) -> None:
    folded = fold(text)
    assert len(folded) == len(text)
    for original, seen in zip(text, folded, strict=True):
        if original != seen:
            assert seen.isascii()
            if original.isdigit() and unicodedata.category(original) == "Nd":
                assert seen == str(unicodedata.digit(original))
    assert fold(folded) == folded  # folding twice changes nothing

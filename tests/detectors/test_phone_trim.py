"""The phone detector stops trimming a candidate once no shorter cut can pass.

``PhoneNumberDetector._trim`` skips the cuts of a candidate whose start ``validate`` has marked
dead (a date covering it, an IBAN's head before it, a card's digit groups from it). The
findings must be those of ``PatternDetector._trim``, which tries every cut.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask.detectors.pii import phone
from tracemask.detectors.pii.phone import PhoneNumberDetector


class _EveryCut(PhoneNumberDetector):
    """Every shorter cut tried: the marks ``validate`` leaves are never read."""

    def _trim_stops(self, text: str, start: int) -> bool:
        del text, start
        return False


#: Pieces of the texts phone candidates come from: dates and times, IBAN heads, card groups,
#: phone numbers, digit groups and separators.
_PIECES = (
    "2024-08-06", "2025-11-23 10:11:43", "06/08/2024", "6.8.2024", "2024-08", "12:30", "18:41:38",
    "DE89 ", "GB09 WNSM ", "FR81 ", "4111 1111 1111 1111", "4302-3985-4075-5740", "5140 7985",
    "+1 (415) 555-0132", "+44 20 7946 0958", "0044 20 7946 0958", "020 7946 0958", "415 555 0132",
    "617-555-1212", "6175551212", "001-58-5941", "123-45-6789", "05.272543", "x12", " ext. 7",
    "0", "1", "20", "2024", "415", "5555", "0132", "12345", " ", "-", ".", "/", "(", ")", "+",
    ", ", "\n", " call ", " phone: ", " order ", "IBAN ", " at ", ":",
)  # fmt: skip

texts = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)


@settings(max_examples=examples(1500), deadline=None)
@given(texts)
@example("2025-05-08 16:54:21")  # a date and an hour: dead after the first cut
@example("call +1 415 555 0132 2024-08-06")  # a number, then a date: the cut passes
@example("IBAN DE89 3704 0044 0532 0130 00")
@example("card 4302-3985-4075-5740, call 617-555-1212")
@example("2024-08-06 415 555 0132")
def test_findings_of_every_cut(text: str) -> None:
    fast = [(f.start, f.end, f.score) for f in PhoneNumberDetector().detect(text)]
    assert fast == [(f.start, f.end, f.score) for f in _EveryCut().detect(text)], text


def test_marks_cut_the_work() -> None:
    """The shortcut is taken: fewer ``validate`` calls on an IBAN tail, a card and a date."""
    calls = {"fast": 0, "every": 0}

    def counting(kind: str, detector: PhoneNumberDetector) -> PhoneNumberDetector:
        validate = detector.validate

        def counted(value: str, text: str, start: int, end: int) -> float | None:
            calls[kind] += 1
            return validate(value, text, start, end)

        detector.validate = counted  # type: ignore[method-assign]
        return detector

    text = "IBAN DE89 3704 0044 0532 0130 00, card 4302-3985-4075-5740, 2025-05-08 16:54:21"
    assert list(counting("fast", PhoneNumberDetector()).detect(text)) == []
    assert list(counting("every", _EveryCut()).detect(text)) == []
    assert calls["fast"] < calls["every"] / 2, calls


def test_no_text_kept_after_detect() -> None:
    """The dead-start mark (which holds the text) is dropped once the candidate is judged."""
    detector = PhoneNumberDetector()
    assert list(detector.detect("IBAN DE89 3704 0044 0532 0130 00 at 2025-05-08 16:54:21")) == []
    assert detector._dead is None


@settings(max_examples=examples(1000), deadline=None)
@given(st.text(alphabet="0123456789 ()./+-xXeEtT#pPdD\t", max_size=16))
@example("555 1234 x12")
@example("555 1234 ext. 7")
@example("555 1234 #4")
def test_a_plain_value_has_no_extension(value: str) -> None:
    """``validate`` skips the extension search on plain values: it could find none there."""
    if phone._PLAIN.fullmatch(value) is not None:
        assert phone._EXTENSION_AT_END.search(value) is None, value

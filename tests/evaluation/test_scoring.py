"""The pure scorer, on small hand-made gold/prediction pairs; every number is worked out in the
comments next to it."""

from __future__ import annotations

import pytest

from tracemask.evaluation import (
    RARE_BELOW,
    Counts,
    Example,
    Span,
    by_source,
    exact_matches,
    overlap_matches,
    score,
)
from tracemask.evaluation._scoring import is_rare


def ex(gold: list[Span], pred: list[Span], source: str = "s", rid: str = "r") -> Example:
    return Example(rid, source, tuple(gold), tuple(pred))


def test_exact_and_overlap_per_label_and_micro() -> None:
    gold = [Span(0, 5, "EMAIL"), Span(10, 20, "PHONE")]
    pred = [Span(0, 5, "EMAIL"), Span(12, 20, "PHONE"), Span(30, 35, "EMAIL")]
    s = score([ex(gold, pred)], covered={"EMAIL", "PHONE"})
    email, phone = s.labels["EMAIL"], s.labels["PHONE"]
    # EMAIL: gold 1, pred 2; 0-5 matches exactly (and by overlap); 30-35 matches nothing.
    assert (email.gold, email.pred, email.tp_exact, email.tp_overlap) == (1, 2, 1, 1)
    # P = 1/2, R = 1/1, F1 = 2 * 0.5 * 1 / 1.5 = 2/3.
    assert email.precision("exact") == 0.5
    assert email.recall("exact") == 1.0
    assert email.f1("exact") == pytest.approx(2 / 3)
    # PHONE: 12-20 is not 10-20 (exact: 0 of 1), but overlaps it (overlap: 1 of 1).
    assert (phone.tp_exact, phone.tp_overlap) == (0, 1)
    assert phone.precision("exact") == 0.0
    assert phone.recall("exact") == 0.0
    assert phone.f1("exact") == 0.0  # both 0: F1 is 0, not undefined
    assert phone.f1("overlap") == 1.0
    # Micro, exact: tp 1, pred 3, gold 2 -> P 1/3, R 1/2, F1 = 2*(1/6)/(5/6) = 0.4.
    micro = s.micro()
    assert (micro.tp_exact, micro.pred, micro.gold) == (1, 3, 2)
    assert micro.f1("exact") == pytest.approx(0.4)
    # Micro, overlap: tp 2 -> P 2/3, R 1, F1 = 2*(2/3)/(5/3) = 0.8.
    assert micro.f1("overlap") == pytest.approx(0.8)


def test_overlap_uses_each_gold_span_once() -> None:
    # One gold name, predicted in two pieces: one match, the second piece is a false positive.
    gold = [Span(0, 20, "PERSON")]
    pred = [Span(0, 5, "PERSON"), Span(6, 20, "PERSON")]
    c = score([ex(gold, pred)], covered={"PERSON"}).labels["PERSON"]
    # tp 1: P = 1/2, R = 1/1.
    assert c.tp_overlap == 1
    assert c.precision("overlap") == 0.5
    assert c.recall("overlap") == 1.0


def test_overlap_uses_each_predicted_span_once() -> None:
    # Two gold address parts, one prediction covering both: one match, one gold part missed.
    gold = [Span(0, 5, "LOC"), Span(6, 20, "LOC")]
    pred = [Span(0, 20, "LOC")]
    c = score([ex(gold, pred)], covered={"LOC"}).labels["LOC"]
    # tp 1: P = 1/1, R = 1/2.
    assert c.tp_overlap == 1
    assert c.precision("overlap") == 1.0
    assert c.recall("overlap") == 0.5


def test_overlap_is_a_maximum_matching_not_greedy() -> None:
    # Gold A=[0,10) and B=[10,12); predictions X=[0,11) (overlaps A and B) and Y=[5,7) (A only).
    # Greedy in order pairs A-X and leaves B alone (1 match); the best pairing is A-Y, B-X (2).
    gold = [Span(0, 10, "ID"), Span(10, 12, "ID")]
    pred = [Span(0, 11, "ID"), Span(5, 7, "ID")]
    assert overlap_matches(gold, pred)["ID"] == 2


def test_overlap_needs_the_same_label() -> None:
    # Same characters, different labels: no match in either mode.
    gold = [Span(0, 10, "PHONE_NUMBER")]
    pred = [Span(0, 10, "US_SSN")]
    assert not exact_matches(gold, pred)
    assert not overlap_matches(gold, pred)


def test_exact_counts_duplicates_once_each() -> None:
    # Two identical gold spans, one prediction: 1 true positive, 1 false negative.
    gold = [Span(0, 5, "E"), Span(0, 5, "E")]
    pred = [Span(0, 5, "E")]
    assert exact_matches(gold, pred)["E"] == 1


def test_touching_spans_do_not_overlap() -> None:
    # [0,5) and [5,9) share no character.
    assert not overlap_matches([Span(0, 5, "E")], [Span(5, 9, "E")])


def test_character_leak_recall_and_precision() -> None:
    gold = [Span(0, 10, "EMAIL"), Span(20, 30, "PERSON")]
    pred = [Span(5, 15, "EMAIL"), Span(25, 28, "OTHER")]
    s = score([ex(gold, pred)], covered={"EMAIL"})
    # All gold: 10 + 10 = 20 characters; predicted 10 + 3 = 13.
    # Covered: [0,10)∩[5,15) = 5, [20,30)∩[25,28) = 3 -> 8. Leak recall 8/20 = 0.4.
    assert (s.chars_all.gold, s.chars_all.pred, s.chars_all.covered) == (20, 13, 8)
    assert s.chars_all.leak_recall == pytest.approx(0.4)
    # Character precision: predicted characters on any gold span, 8 of 13.
    assert s.chars_all.precision == pytest.approx(8 / 13)
    # Covered labels only (EMAIL): gold 10 characters, 5 covered -> 0.5.
    assert (s.chars_covered.gold, s.chars_covered.covered) == (10, 5)
    assert s.chars_covered.leak_recall == 0.5
    # Precision ignores the scope: predicted characters on PERSON are not damage either.
    assert s.chars_covered.on_gold == 8


def test_characters_of_overlapping_spans_count_once() -> None:
    # Predictions [0,4) and [2,6) cover 6 characters, not 8; gold [0,6) is fully covered.
    s = score([ex([Span(0, 6, "E")], [Span(0, 4, "E"), Span(2, 6, "E")])], covered={"E"})
    assert s.chars_all.pred == 6
    assert s.chars_all.leak_recall == 1.0
    assert s.chars_all.precision == 1.0


def test_negatives_share_of_records_without_gold_with_a_finding() -> None:
    records = [
        ex([], [], rid="a"),  # negative, clean
        ex([], [Span(0, 3, "E")], rid="b"),  # negative, flagged
        ex([], [], rid="c"),  # negative, clean
        ex([Span(0, 3, "E")], [], rid="d"),  # has gold: not a negative
    ]
    s = score(records, covered={"E"})
    # 3 negatives, 1 with a finding: 1/3.
    assert (s.negatives, s.negatives_flagged) == (3, 1)
    assert s.negative_flag_rate == pytest.approx(1 / 3)
    assert s.records == 4


def test_undefined_scores_are_none() -> None:
    # Predictions of a label with no gold span: precision 0/2 = 0, recall 0/0 undefined.
    c = score([ex([], [Span(0, 2, "IP"), Span(4, 6, "IP")])], covered={"IP"}).labels["IP"]
    assert c.precision("exact") == 0.0
    assert c.recall("exact") is None
    assert c.f1("exact") is None
    # Nothing at all: no character rates either.
    empty = score([], covered=())
    assert empty.chars_all.leak_recall is None
    assert empty.chars_all.precision is None
    assert empty.negative_flag_rate is None


def test_micro_over_covered_labels_only() -> None:
    gold = [Span(0, 5, "EMAIL"), Span(10, 20, "PERSON")]
    pred = [Span(0, 5, "EMAIL")]
    s = score([ex(gold, pred)], covered={"EMAIL"})
    # Covered: gold 1, tp 1 -> R 1.0. All labels: gold 2, tp 1 -> R 0.5.
    assert s.micro({"EMAIL"}).recall("exact") == 1.0
    assert s.micro().recall("exact") == 0.5


def test_by_source_splits_records() -> None:
    records = [
        ex([Span(0, 5, "E")], [Span(0, 5, "E")], source="b"),
        ex([Span(0, 5, "E")], [], source="a"),
        ex([Span(0, 5, "E")], [Span(0, 5, "E")], source="a"),
    ]
    per = by_source(records, covered={"E"})
    assert list(per) == ["a", "b"]
    # a: 2 gold, 1 found -> R 1/2; b: 1 gold, 1 found -> R 1.
    assert per["a"].labels["E"].recall("exact") == 0.5
    assert per["b"].labels["E"].recall("exact") == 1.0


def test_rare_threshold() -> None:
    assert is_rare(Counts(gold=RARE_BELOW - 1))
    assert not is_rare(Counts(gold=RARE_BELOW))

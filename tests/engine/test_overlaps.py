"""Overlapping findings: the engine picks labels, and never uncovers what a finding covered."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from tracemask import Masker
from tracemask._finding import Finding
from tracemask.detectors._engine import resolve_overlaps
from tracemask.entities import BY_NAME

RANK = {"person": 0, "ner": 1, "phone": 2, "card": 3, "email": 4, "password": 5}


def f(start: int, end: int, entity: str, score: float, recognizer: str) -> Finding:
    return Finding(start, end, entity, score, recognizer)


def test_a_short_high_scoring_name_inside_a_longer_one_masks_the_whole_name() -> None:
    # "Jean" from a NER backend (0.99) inside the name detector's "Jean Dupont" (0.85): before,
    # the winner was kept alone and "Dupont" went out unmasked.
    text = "Ask Jean Dupont today"
    found = resolve_overlaps(
        [f(4, 8, "PERSON", 0.99, "ner"), f(4, 15, "PERSON", 0.85, "person")], RANK, text
    )
    assert found == [f(4, 15, "PERSON", 0.99, "ner")]


def test_a_partial_overlap_of_one_entity_merges_into_the_union() -> None:
    found = resolve_overlaps([f(0, 6, "SECRET", 0.9, "a"), f(4, 12, "SECRET", 0.7, "b")], RANK)
    assert found == [f(0, 12, "SECRET", 0.9, "a")]


def test_the_rest_of_a_card_number_a_phone_finding_took_part_of_stays_masked() -> None:
    text = "Card number: 4111 1111 1111 1111 ok"
    phone = f(13, 27, "PHONE_NUMBER", 0.9, "phone")  # "4111 1111 1111"
    card = f(13, 32, "CREDIT_CARD", 0.8, "card")
    found = resolve_overlaps([phone, card], RANK, text)
    assert found == [phone, f(28, 32, "CREDIT_CARD", 0.8, "card")]  # trimmed to "1111"


def test_an_email_that_lost_its_local_part_leaves_the_host_alone() -> None:
    # postgresql://user:pass@db-5.internal: "pass" is a PASSWORD, "pass@db-5.internal" looked
    # like an email; the host name alone is no email and keeps its debugging value.
    text = "postgresql://user:hunter2@db-5.internal:5432"
    password = f(18, 25, "PASSWORD", 0.95, "password")
    email = f(18, 39, "EMAIL_ADDRESS", 0.9, "email")
    assert not BY_NAME["EMAIL_ADDRESS"].parts_sensitive
    assert resolve_overlaps([password, email], RANK, text) == [password]


def test_an_exact_email_survives_an_over_long_one_that_ran_into_a_phone_number() -> None:
    # ``?email=john.doe@example.com&phone=+14155550132``: one detector read the email's value up
    # to the end of the string. Merged with the exact email, the union lost to the phone, and
    # since an email's parts are harmless alone, the whole email went out unmasked.
    text = "?email=john.doe@example.com&phone=+14155550132"
    exact = f(7, 27, "EMAIL_ADDRESS", 0.9, "email")
    long = f(7, 46, "EMAIL_ADDRESS", 0.9, "fields")
    phone = f(34, 46, "PHONE_NUMBER", 1.0, "phone")
    assert resolve_overlaps([exact, long, phone], RANK, text) == [exact, phone]


def test_an_email_query_field_is_masked_next_to_a_phone_field() -> None:
    masked = Masker().mask_text("GET /api/users?email=john.doe@example.com&phone=+14155550132")
    assert masked == "GET /api/users?email=<EMAIL_ADDRESS>&phone=<PHONE_NUMBER>"


def test_a_loser_fully_inside_the_winner_adds_nothing() -> None:
    found = resolve_overlaps(
        [f(0, 10, "CREDIT_CARD", 0.9, "card"), f(2, 8, "PHONE_NUMBER", 0.5, "phone")], RANK
    )
    assert found == [f(0, 10, "CREDIT_CARD", 0.9, "card")]


def test_parts_without_a_letter_or_digit_are_dropped() -> None:
    text = "4111-1111-1111-1111 -- x"
    winner = f(0, 19, "CREDIT_CARD", 0.9, "card")
    loser = f(5, 22, "PHONE_NUMBER", 0.5, "phone")  # the rest is " --"
    assert resolve_overlaps([winner, loser], RANK, text) == [winner]


def test_masker_masks_every_part_of_a_split_card_number() -> None:
    # A 15-digit card whose checksum fails, found by its label; its first two groups also read
    # as a phone number (score 1.0 beats the label's 0.9). Before, the last group went out.
    masked = Masker().mask_text("Card number: 3473 995817 58507\nTel: +380 (95) 272-62-90")
    assert "3473" not in masked
    assert "58507" not in masked
    assert "272-62-90" not in masked


_entities = st.sampled_from(["PERSON", "PHONE_NUMBER", "CREDIT_CARD", "EMAIL_ADDRESS", "SECRET"])
_findings = st.lists(
    st.tuples(
        st.integers(0, 40),
        st.integers(1, 12),
        _entities,
        st.floats(0.3, 1.0),
        st.sampled_from(sorted(RANK)),
    ),
    max_size=8,
).map(lambda rows: [f(s, s + n, e, sc, r) for s, n, e, sc, r in rows])


@given(_findings)
def test_resolved_findings_never_overlap_and_cover_every_sensitive_character(
    found: list[Finding],
) -> None:
    text = "x" * 60  # every character a letter: no trimming
    kept = resolve_overlaps(found, RANK, text)
    assert all(a.end <= b.start for a, b in itertools.pairwise(kept))
    assert all(k.start < k.end for k in kept)
    covered = {i for k in kept for i in range(k.start, k.end)}
    for x in found:
        if BY_NAME[x.entity].parts_sensitive:
            assert set(range(x.start, x.end)) <= covered
        else:  # an email's parts may go, but never the whole email
            assert covered & set(range(x.start, x.end))
    assert covered <= {i for x in found for i in range(x.start, x.end)}


@given(_findings)
def test_resolving_twice_changes_nothing(found: list[Finding]) -> None:
    text = "x" * 60
    once = resolve_overlaps(found, RANK, text)
    assert resolve_overlaps(once, RANK, text) == once

"""``pseudonymize``: stable, scoped, keyed tokens; counters shared through a store."""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr, ValidationError

from tests.ci_plugin import examples
from tracemask import Masker, PolicyError, use_scope
from tracemask.operators import MemoryStore, Pseudonymize, SqliteStore
from tracemask.operators._stores import _when_unlocked
from tracemask.testing import fake_card as _fake_card
from tracemask.testing import fake_email as _fake_email

KEY = SecretStr("test-key")


def fake_email(seed: int) -> str:
    return _fake_email(random.Random(seed))


def fake_card(seed: int) -> str:
    return _fake_card(random.Random(seed))


def masker(**operator: object) -> Masker:
    return Masker({"default_operator": {"type": "pseudonymize", "key": "test-key", **operator}})


def test_one_value_one_token_across_spans() -> None:
    m = masker()
    spans = [
        {"input": "Contact Jane Doe at jane.doe@acme.io"},
        {"output": "Sent to JANE.DOE@ACME.IO"},
        {"metadata": {"user": "jane.doe@acme.io"}},
    ]
    out = [m.mask(s) for s in spans]
    token = out[2]["metadata"]["user"]
    assert token.startswith("<EMAIL_ADDRESS_")
    assert len(token) == len("<EMAIL_ADDRESS_>") + 8
    assert token in out[0]["input"]
    assert token in out[1]["output"]
    assert "acme" not in str(out)


@pytest.mark.parametrize(
    ("entity", "a", "b"),
    [
        ("EMAIL_ADDRESS", "Jane.Doe@Example.com", "jane.doe@example.com"),
        ("PHONE_NUMBER", "(415) 555-0132", "+14155550132"),
        ("PHONE_NUMBER", "415.555.0132", "+1 415 555 0132"),
        ("CREDIT_CARD", "4111 1111 1111 1111", "4111-1111-1111-1111"),
        ("IBAN_CODE", "DE89 3704 0044 0532 0130 00", "de89370400440532013000"),
        ("PERSON", "Jane  Doe", "jane doe"),
    ],
)
def test_variants_of_one_value_share_a_token(entity: str, a: str, b: str) -> None:
    op = Pseudonymize(key=KEY)
    assert op.apply(a, entity) == op.apply(b, entity)


def test_secrets_are_compared_exactly() -> None:
    op = Pseudonymize(key=KEY)
    assert op.apply("AbCdEf123456", "API_KEY") != op.apply("abcdef123456", "API_KEY")


def test_tokens_depend_on_key_entity_and_scope() -> None:
    op = Pseudonymize(key=KEY, scope="trace")
    base = op.apply("Jane Doe", "PERSON", "t1")
    assert base == op.apply("Jane Doe", "PERSON", "t1")
    assert base != op.apply("Jane Doe", "PERSON", "t2")
    assert base != Pseudonymize(key=SecretStr("other"), scope="trace").apply(
        "Jane Doe", "PERSON", "t1"
    )
    assert op.apply("Jane Doe", "PERSON", "t1")[1:7] == "PERSON"


def test_trace_scope_links_within_a_trace_only() -> None:
    m = masker(scope="trace")
    a1 = m.mask("mail jane@acme.io", scope={"trace": "a"})
    a2 = m.mask("jane@acme.io wrote", scope={"trace": "a"})
    b1 = m.mask("mail jane@acme.io", scope={"trace": "b"})
    assert a1.split()[1] == a2.split()[0]
    assert a1 != b1
    with use_scope(trace="a"):
        assert m.mask("mail jane@acme.io") == a1


def test_a_call_without_its_scope_id_links_to_nothing() -> None:
    m = masker(scope="session")
    one = m.mask({"a": "jane@acme.io", "b": "jane@acme.io"})
    two = m.mask({"a": "jane@acme.io"})
    assert one["a"] == one["b"]  # consistent within the call
    assert one["a"] != two["a"]  # but a fresh scope per call


def test_global_scope_needs_no_ids() -> None:
    m = masker()
    assert m.scope_kinds == ()
    assert m.mask("x jane@acme.io") == m.mask("x jane@acme.io", scope={"trace": "t"})


def test_counter_style_numbers_in_order_of_appearance() -> None:
    m = Masker(
        {
            "default_operator": {
                "type": "pseudonymize",
                "key": "test-key",
                "style": "counter",
                "scope": "trace",
                "store": "memory",
            }
        }
    )
    t1 = {"trace": "counter-test-1"}
    first = m.mask(f"{fake_email(1)} then {fake_email(2)}", scope=t1)
    assert first == "<EMAIL_ADDRESS_1> then <EMAIL_ADDRESS_2>"
    assert m.mask(f"again {fake_email(2)}", scope=t1) == "again <EMAIL_ADDRESS_2>"
    assert m.mask(fake_email(2), scope={"trace": "counter-test-2"}) == "<EMAIL_ADDRESS_1>"


def test_memory_store_is_bounded() -> None:
    store = MemoryStore(max_entries=3)
    assert [store.number("s", "E", d) for d in "abc"] == [1, 2, 3]
    assert store.number("s", "E", "a") == 1
    assert store.number("s", "E", "d") == 1  # a full store starts over rather than grow


def _assign(
    path: str, digests: list[str], out: multiprocessing.Queue[tuple[list[str], list[int]]]
) -> None:
    store = SqliteStore(path)
    out.put((digests, [store.number("scope", "PERSON", d) for d in digests]))


def test_sqlite_store_numbers_consistently_across_processes(tmp_path: Path) -> None:
    db = str(tmp_path / "pseudonyms.db")
    digests = [f"d{i}" for i in range(40)]
    ctx = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[tuple[list[str], list[int]]] = ctx.Queue()
    procs = [ctx.Process(target=_assign, args=(db, digests[::step], queue)) for step in (1, -1, 2)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    store = SqliteStore(db)
    numbers = {d: store.number("scope", "PERSON", d) for d in digests}
    assert sorted(numbers.values()) == list(range(1, 41))  # no number given twice
    for seen, got in results:  # every process saw the same number for each digest
        assert got == [numbers[d] for d in seen]
    assert "d0" in (tmp_path / "pseudonyms.db").read_bytes().decode("latin-1")  # digests only


def test_sqlite_store_from_the_policy(tmp_path: Path) -> None:
    policy = {
        "default_operator": {
            "type": "pseudonymize",
            "key": "k",
            "style": "counter",
            "store": f"sqlite:{tmp_path / 'p.db'}",
        }
    }
    first = Masker(policy).mask_text(f"card {fake_card(3)}")
    again = Masker(policy).mask_text(f"card {fake_card(4)} and {fake_card(3)}")
    assert first == "card <CREDIT_CARD_1>"
    assert again == "card <CREDIT_CARD_2> and <CREDIT_CARD_1>"
    assert fake_card(3).encode() not in (tmp_path / "p.db").read_bytes()


def test_bad_configuration_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRACEMASK_HASH_KEY", raising=False)
    with pytest.raises(PolicyError, match=r"operator 'pseudonymize': no key; set .*TRACEMASK"):
        Masker({"default_operator": {"type": "pseudonymize"}})
    with pytest.raises(PolicyError, match="store"):
        Masker(
            {
                "default_operator": {
                    "type": "pseudonymize",
                    "key": "k",
                    "style": "counter",
                    "store": "redis://x",
                }
            }
        )
    with pytest.raises(ValidationError):
        Pseudonymize(key=KEY, scope="planet")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Pseudonymize(key=KEY, length=4)


def test_tokens_are_not_masked_again() -> None:
    m = masker(style="counter")
    once = m.mask({"msg": f"{fake_email(5)} paid with {fake_card(5)}", "password": "hunter22"})
    assert m.mask(once) == once


emails = st.integers(min_value=0, max_value=10_000).map(fake_email)


@settings(max_examples=examples(100), deadline=None)
@given(st.lists(emails, min_size=1, max_size=6), st.sampled_from(["hash", "counter"]))
def test_equal_values_equal_tokens_distinct_values_distinct_tokens(
    values: list[str], style: str
) -> None:
    m = masker(style=style, scope="trace")
    scope = {"trace": "prop-" + style}
    tokens = [m.mask_text(v, scope=scope) for v in values]
    for v, t in zip(values, tokens, strict=True):
        assert v not in t
        for w, u in zip(values, tokens, strict=True):
            assert (v.casefold() == w.casefold()) == (t == u)


def test_a_store_being_created_by_another_process_is_waited_for() -> None:
    # SQLite answers "database is locked" at once (no busy wait) when processes create one
    # store together; CI saw it in the test above. The statement is retried until it runs.
    calls: list[int] = []

    def statement() -> None:
        calls.append(1)
        if len(calls) < 3:
            raise sqlite3.OperationalError("database is locked")

    _when_unlocked(statement)
    assert len(calls) == 3


def test_other_sqlite_errors_are_not_retried() -> None:
    calls: list[int] = []

    def statement() -> None:
        calls.append(1)
        raise sqlite3.OperationalError("no such table: pseudonyms")

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        _when_unlocked(statement)
    assert len(calls) == 1

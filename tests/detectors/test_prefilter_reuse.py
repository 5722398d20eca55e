"""A policy that differs from a compiled one by a few triggers reuses its Hyperscan database."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("hyperscan")

import json
from pathlib import Path

from tracemask import Masker
from tracemask.detectors import _prefilter

POLICIES: list[dict[str, Any]] = [
    {"entities": {"IBAN_CODE": {"enabled": False}}},
    {
        "recognizers": [
            {"name": "order", "entity": "ORDER_ID", "pattern": r"ORD-[0-9]{6}", "score": 0.9}
        ]
    },
    {
        "entities": {"PERSON": {"enabled": False}, "LOCATION": {"enabled": False}},
        "recognizers": [{"name": "emp", "entity": "EMPLOYEE", "pattern": r"EMP[0-9]{5}"}],
    },
]
TEXTS = [
    "Order ORD-123456 for jane.doe@example.com, IBAN DE89 3704 0044 0532 0130 00",
    "Maria Garcia lives at 12 Main Street, Springfield; call +1 415 555 0132",
    "EMP12345 paid with 4111 1111 1111 1111 from 203.0.113.7",
]


def _payloads() -> list[Any]:
    """Real payloads: the OTLP trace the package ships and the SDK captures in tests/data."""
    here = Path(__file__).parents[2]
    files = [here / "src/tracemask/examples/otlp_trace.json"]
    files += sorted((here / "tests/data/samples").glob("*.json"))
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


@pytest.mark.parametrize("policy", POLICIES, ids=["one-off", "recognizer", "both"])
def test_a_reused_database_finds_exactly_what_a_fresh_one_finds(
    policy: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_prefilter, "_BASES", [])
    monkeypatch.setattr(_prefilter, "_COMPILED", {})
    Masker()  # the default policy's database (loaded from the disk cache): the base
    compiled: list[int] = []
    real = _prefilter.compile_database

    def counting(expressions: Any, *args: Any, **kwargs: Any) -> Any:
        compiled.append(len(expressions))
        return real(expressions, *args, **kwargs)

    monkeypatch.setattr(_prefilter, "compile_database", counting)
    monkeypatch.setattr(_prefilter, "_COMPILED", {})
    reused = Masker(policy)
    # Reused: at most one small database of its own (a few expressions), never the catalog.
    assert all(n <= 4 for n in compiled), compiled
    assert reused.compiled.engine.prefilter._map is not None  # type: ignore[attr-defined]

    monkeypatch.setattr(_prefilter, "_BASES", [])
    fresh = Masker(policy)
    assert fresh.compiled.engine.prefilter._map is None  # type: ignore[attr-defined]
    for text in TEXTS:
        assert reused.detect(text) == fresh.detect(text)
    for payload in _payloads():
        assert reused.mask(payload) == fresh.mask(payload)


def test_a_base_that_lists_a_trigger_twice_is_reused_safely(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two recognizers with one pattern give one trigger twice; reusing that database once
    # raised IndexError (its ids were counted by distinct trigger).
    monkeypatch.setattr(_prefilter, "_BASES", [])
    monkeypatch.setattr(_prefilter, "_COMPILED", {})
    twice = [("foo", False), ("bar", False), ("foo", False), ("baz", False)]
    _prefilter.HyperscanPrefilter(twice)
    reused = _prefilter.HyperscanPrefilter([("foo", False), ("bar", False), ("baz", False)])
    assert reused._map is not None
    assert reused.hits("xx baz foo") == [0, 2]
    assert reused.hits("bar") == [1]
    assert reused.hits("nothing") == []

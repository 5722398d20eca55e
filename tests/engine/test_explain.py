"""``explain``: what it reports is exactly what ``mask`` changes (same walk, same rules)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask import Masker
from tracemask._explain import explain
from tracemask._paths import PathSegment, render_path

MASKER = Masker()
PLANTED = ["jane.doe@example.com", "+1 (415) 555-0132", "4111 1111 1111 1111", "203.0.113.7"]
words = st.sampled_from(["hello", "order", "id", "2024-08-06", "v1.2.3", "gpt-4o", "card", "call"])
text = st.lists(st.one_of(words, st.sampled_from(PLANTED)), min_size=1, max_size=6).map(" ".join)
keys = st.sampled_from(["msg", "content", "password", "api_key", "first_name", "id", "note"])
values = st.recursive(
    text,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)


def changed_paths(a: Any, b: Any, path: tuple[PathSegment, ...] = ()) -> set[str]:
    if isinstance(a, str):
        return set() if a == b else {render_path(path)}
    if isinstance(a, dict):
        return {p for k in a for p in changed_paths(a[k], b[k], (*path, k))}
    return {
        p
        for i, (x, y) in enumerate(zip(a, b, strict=True))
        for p in changed_paths(x, y, (*path, i))
    }


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_explained_paths_are_the_masked_ones(value: Any) -> None:
    found = explain(MASKER, value)
    assert {f.path for f in found} == changed_paths(value, MASKER.mask(value))
    for f in found:
        assert 0 <= f.start < f.end
        assert f.reason in ("detector", "key", "path")


def test_findings_carry_no_value() -> None:
    found = explain(MASKER, {"msg": f"mail {PLANTED[0]}", "password": "hunter2!x"})
    dumped = repr([f.to_dict() for f in found])
    assert PLANTED[0] not in dumped
    assert "hunter2" not in dumped
    assert [(f.path, f.entity, f.reason) for f in found] == [
        ("msg", "EMAIL_ADDRESS", "detector"),
        ("password", "PASSWORD", "key"),
    ]

"""``Masker.mask_many`` masks each item exactly as ``mask`` does: path rules, key rules and report
paths see the item alone (the batch index only names the item in errors).

Regression: the index used to be the first segment of every path in a batch, so a path rule
(``user.nickname``) matched nothing in ``mask_many`` and its values went out unmasked, in the JSON
Lines CLI and in archive jobs alike.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tests.engine.test_extensions import _Raises
from tracemask import Masker, Report
from tracemask.exceptions import MaskingError

POLICY = {
    "path_rules": [
        {"path": "user.nickname", "entity": "PERSON", "operator": {"type": "replace"}},
        {"path": "*.handle", "entity": "PERSON", "operator": {"type": "redact"}},
        {"path": "meta.**", "operator": {"type": "keep"}},
    ]
}

_LEAVES = st.sampled_from(
    ["zorro42", "mail ann.lee@example.com", "order 4411", "", "call +1 415 555 0199"]
) | st.integers(-3, 3)
_KEYS = st.sampled_from(["user", "nickname", "handle", "meta", "note", "password", "a"])
_TREES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=8,
)


def test_path_rules_apply_in_batches() -> None:
    m = Masker(POLICY)
    obj = {
        "user": {"nickname": "zorro42"},
        "x": {"handle": "zorro42"},
        "meta": {"note": "mail ann.lee@example.com"},
    }
    expected = {
        "user": {"nickname": "<PERSON>"},
        "x": {"handle": ""},
        "meta": {"note": "mail ann.lee@example.com"},
    }
    assert m.mask(obj) == expected
    assert list(m.mask_many([obj, obj])) == [expected, expected]


@given(items=st.lists(_TREES, max_size=5))
@settings(max_examples=examples(60), deadline=None)
def test_mask_many_is_mask_per_item_with_the_same_report(items: list[Any]) -> None:
    m = Masker(POLICY)
    one, many = Report(), Report()
    expected = [m.mask(item, report=one) for item in items]
    assert list(m.mask_many(items, report=many)) == expected
    assert many == one


def test_failure_names_the_item_index() -> None:
    bad = Masker(detectors=[_Raises()])
    with pytest.raises(MaskingError, match=r"masking failed at 1\.user\.x: RuntimeError"):
        list(bad.mask_many([{"user": {"x": 1}}, {"user": {"x": "boom boom boom"}}]))

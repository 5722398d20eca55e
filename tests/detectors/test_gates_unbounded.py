"""Gates compile long bounded repeats open (``[^\\n]{0,120}`` as ``[^\\n]*``) for Hyperscan.

A gate is a necessary condition: the open form must match wherever the bounded one does, so a
gate opens at least where it did (and findings stay those of the ``re`` gates, which are looser
still). Hyperscan tracks a bounded repeat position by position; the open form costs a fraction.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tracemask.detectors.pii import address
from tracemask.detectors.pii._gates import LONG_REPEAT, Gates, unbounded


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"a[^\n]{0,120}b", r"a[^\n]*b"),
        (r"a{2,50}", r"a{2,}"),
        (r"x{0,39}y", r"x{0,39}y"),  # short: kept
        (r"(?:ab){3,64}c", r"(?:ab){3,}c"),
        (r"[{0,100}]{0,100}", r"[{0,100}]*"),  # braces in a class are members
        (r"\{0,100}", r"\{0,100}"),  # an escaped brace is a literal
        (r"[]{0,99}]", r"[]{0,99}]"),  # "]" first in a class is a member
        (r"[^]{0,99}]x{1,2}", r"[^]{0,99}]x{1,2}"),
        (r"a{40}", r"a{40}"),  # an exact count is not a range
    ],
)
def test_unbounded(pattern: str, expected: str) -> None:
    assert unbounded(pattern) == expected


#: The gate patterns with a long bounded repeat (their Hyperscan forms).
LONG = [
    rf"{address._GATE_NUM}[ \t][^\n]{{0,120}}\b(?:{address.STREET_TYPES.lower()})\b",
    rf"{address._GATE_NUM}[ \t]+[^ \t\n0-9][^\n]{{0,120}}"
    r"[ \t][0-9]{1,5}[a-z]?[ \t]*(?:[\n,;.]|$)",
    rf"(?:{'|'.join(re.escape(c) for c in address._CUE_GATE)})[^\n]{{0,100}}[0-9]",
    rf"{address._GATE_NUM}[ \t]+[^ \t\n]{{0,40}}(?:{address.STREET_ENDINGS})",
]


@pytest.mark.parametrize("pattern", LONG, ids=["typed", "numbered", "cue", "endings"])
@settings(max_examples=examples(200), deadline=None)
@given(data=st.data())
@example(data=None)
def test_the_open_form_matches_wherever_the_bounded_one_does(
    pattern: str, data: st.DataObject | None
) -> None:
    loose = re.compile(unbounded(pattern))
    assert loose.pattern != pattern
    if data is None:
        texts = ["12 " + "x" * 119 + " street", "see 4 foo 12,", "lives at" + " " * 99 + "7"]
    else:
        texts = [data.draw(st.from_regex(pattern, alphabet=st.characters(max_codepoint=127)))]
    for text in texts:
        if re.search(pattern, text):
            assert loose.search(text), text


def test_the_address_gates_hold_no_long_bounded_repeat_for_hyperscan() -> None:
    pytest.importorskip("hyperscan")
    gates = address.address_gates("hyperscan")
    shared = gates.shared_expressions()
    assert shared is not None
    for expression, _, _ in shared:
        for _low, high in re.findall(rb"\{([0-9]+),([0-9]+)\}", expression):
            assert int(high) < LONG_REPEAT, expression[:80]


def test_a_gate_opens_beyond_the_bound_with_hyperscan_as_with_re() -> None:
    """Past the old bound (a street type 130 characters after the number) the Hyperscan gate
    opens as the ``re`` one (always open) does."""
    pytest.importorskip("hyperscan")
    pattern = r"[0-9][ \t][^\n]{0,120}\bstreet\b"
    text = "12 " + "x " * 65 + "street"
    for backend in ("hyperscan", "re"):
        gates = Gates({}, {"typed": (pattern, None)}, backend=backend)
        assert gates.open(text) == frozenset({"typed"}), backend

"""Property: for every split of a text into chunks, the stream output equals masking it whole."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.ci_plugin import examples
from tests.stream._texts import planted_text
from tracemask import Masker, StreamMasker

MASKER = Masker()

common = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def split(text: str, sizes: list[int]) -> list[str]:
    """``text`` cut into chunks whose lengths cycle through ``sizes`` (0: an empty chunk)."""
    out, i, k = [], 0, 0
    while i < len(text):
        n = sizes[k % len(sizes)]
        out.append(text[i : i + n])
        i += n
        k += 1
    return out


@common
@given(
    seed=st.integers(0, 2**32 - 1),
    size=st.integers(1000, 4000),
    sizes=st.lists(
        st.one_of(st.integers(0, 8), st.integers(1, 80), st.integers(1, 1500)),
        min_size=1,
        max_size=40,
    ),
    hold_back=st.sampled_from([256, 128, 64]),
    step=st.sampled_from([64, 16, 1]),
)
def test_any_split_gives_the_whole_text_masking(
    seed: int, size: int, sizes: list[int], hold_back: int, step: int
) -> None:
    text, values = planted_text(random.Random(seed), size)
    if not any(sizes):
        sizes = [1, *sizes]
    sm = StreamMasker(MASKER, hold_back=hold_back, step=step)
    out = "".join(sm.feed(chunk) for chunk in split(text, sizes)) + sm.close()
    assert out == MASKER.mask_text(text)
    assert not [v for v in values if v in out]

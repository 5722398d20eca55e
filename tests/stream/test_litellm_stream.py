"""The LiteLLM wrapper's stream state, driven directly: order restored, late chunks, bounds."""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # the bundled price map, no fetch
pytest.importorskip("litellm")

from litellm.integrations.custom_logger import CustomLogger
from litellm.types.utils import (
    Delta,
    Message,
    ModelResponse,
    ModelResponseStream,
    StreamingChoices,
)

from tests.stream._texts import deltas, planted_text
from tracemask import Masker
from tracemask.integrations import litellm as tm_litellm
from tracemask.integrations.litellm._stream import _STREAMS_MAX

MASKER = Masker()

pytestmark = [
    # litellm's lazily imported types: pydantic warns about them, not about anything here.
    pytest.mark.filterwarnings("ignore:Items? .* using the `ReadOnly` qualifier:UserWarning"),
    pytest.mark.filterwarnings(
        "ignore:Accessing the 'model_(computed_)?fields' attribute on the instance"
        ":DeprecationWarning"
    ),
]


class Recorder(CustomLogger):
    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[Any] = []
        self.successes: list[Any] = []

    def log_stream_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.chunks.append(response_obj)

    def log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self.successes.append(response_obj)

    def text(self) -> str:
        return "".join(c.choices[0].delta.content or "" for c in self.chunks if c.choices)


def chunk(text: str, at: float) -> ModelResponseStream:
    c = ModelResponseStream(choices=[StreamingChoices(index=0, delta=Delta(content=text))])
    c._hidden_params = {"created_at": at}
    return c


def final(text: str) -> ModelResponse:
    return ModelResponse(
        choices=[{"index": 0, "message": Message(content=text), "finish_reason": "stop"}]
    )


def run(order: list[int], pieces: list[str], call_id: str) -> Recorder:
    rec = Recorder()
    wrapper = tm_litellm.masked(rec, MASKER)
    kwargs = {"litellm_call_id": call_id, "litellm_params": {}}
    for i in order:
        wrapper.log_stream_event(kwargs, chunk(pieces[i], 1000.0 + i), None, None)
    wrapper.log_success_event(kwargs, final("".join(pieces)), None, None)
    return rec


def test_chunks_shuffled_within_the_reorder_window_give_the_masked_text() -> None:
    rng = random.Random(1)
    text, values = planted_text(rng, 3000)
    pieces = deltas(rng, text)
    order = list(range(len(pieces)))
    for i in range(0, len(order) - 8, 8):  # shuffle within blocks of 8 chunks
        block = order[i : i + 8]
        rng.shuffle(block)
        order[i : i + 8] = block
    rec = run(order, pieces, str(uuid.uuid4()))
    assert rec.text() == MASKER.mask_text(text)
    assert not [v for v in values if v in rec.text()]
    assert len(rec.chunks) == len(pieces) + 1  # the tail came as one more chunk event


def test_a_chunk_later_than_the_window_stops_the_stream_text_without_leaking() -> None:
    rng = random.Random(2)
    text, values = planted_text(rng, 3000)
    pieces = deltas(rng, text)
    order = list(range(len(pieces)))
    order.append(order.pop(10))  # chunk 10 arrives last
    rec = run(order, pieces, str(uuid.uuid4()))
    # What went out before the late chunk is the masked stream without it (a gap the wrapper
    # cannot see coming); once it arrives, no more text goes out.
    assert rec.text()
    gapped = "".join(p for i, p in enumerate(pieces) if i != 10)
    assert MASKER.mask_text(gapped).startswith(rec.text())
    assert not [v for v in values if v in rec.text()]
    assert rec.successes[0].choices[0].message.content == MASKER.mask_text(text)


def test_chunks_after_the_final_event_carry_no_text_and_state_is_bounded() -> None:
    rec = Recorder()
    wrapper = tm_litellm.masked(rec, MASKER)
    kwargs = {"litellm_call_id": "c1", "litellm_params": {}}
    wrapper.log_success_event(kwargs, final("done"), None, None)
    wrapper.log_stream_event(kwargs, chunk("my email is jane.doe@example.com", 1.0), None, None)
    assert rec.text() == ""
    for i in range(_STREAMS_MAX + 10):
        wrapper.log_stream_event({"litellm_call_id": f"x{i}"}, chunk("hello", 1.0), None, None)
    assert len(wrapper._streams) == _STREAMS_MAX


def test_a_failure_discards_the_held_text() -> None:
    rec = Recorder()
    wrapper = tm_litellm.masked(rec, MASKER)
    kwargs = {"litellm_call_id": "c2", "litellm_params": {}}
    wrapper.log_stream_event(kwargs, chunk("my email is jane.doe@exa", 1.0), None, None)
    wrapper.log_failure_event(kwargs, None, None, None)
    wrapper.log_stream_event(kwargs, chunk("mple.com", 2.0), None, None)
    assert "jane" not in rec.text()
    assert len(wrapper._streams) == 0

"""LiteLLM: real litellm, offline. Every call goes through litellm's own logging machinery.

Provider side: ``mock_response=`` and the real OpenAI provider code on an ``httpx.MockTransport``
(the path that fills ``original_response`` and ``additional_args.complete_input_dict``). Log
side: ``Sink``, a ``CustomLogger`` that records every event it gets, and litellm's
``GenericAPILogger`` posting to ``capture_server``, so that the bytes that leave are checked.
No socket may open to anything but 127.0.0.1 (``_no_egress``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import importlib
import importlib.util
import json
import os
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # the bundled price map, no fetch

EGRESS: list[str] = []
_LOCAL = {"127.0.0.1", "::1", "localhost"}
_REAL_CONNECT = socket.socket.connect
_REAL_GETADDRINFO = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if isinstance(address, tuple) and str(address[0]) not in _LOCAL:
        EGRESS.append(str(address[0]))
        raise OSError("test_litellm: network egress blocked")
    return _REAL_CONNECT(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and str(host) not in _LOCAL:
        EGRESS.append(str(host))
        raise socket.gaierror(socket.EAI_NONAME, "test_litellm: name lookup blocked")
    return _REAL_GETADDRINFO(host, *args, **kwargs)


@contextlib.contextmanager
def _blocked_network() -> Iterator[None]:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = _guarded_getaddrinfo
    try:
        yield
    finally:
        socket.socket.connect = _REAL_CONNECT  # type: ignore[method-assign]
        socket.getaddrinfo = _REAL_GETADDRINFO


if importlib.util.find_spec("litellm") is None:  # the extra is not in the default test install
    pytest.skip("litellm is not installed (extra: litellm)", allow_module_level=True)

with _blocked_network():  # importing litellm must not phone home either
    import httpx
    import litellm
    import openai
    from litellm.exceptions import BadRequestError, InternalServerError
    from litellm.integrations.custom_logger import CustomLogger
    from litellm.integrations.generic_api.generic_api_callback import GenericAPILogger
    from litellm.llms.custom_httpx.http_handler import AsyncHTTPHandler

    from tracemask import Masker, MaskingError
    from tracemask.integrations import litellm as tm_litellm
    from tracemask.integrations.litellm import (
        WITHHELD,
        MaskedException,
        MaskedLogger,
        TracemaskLogger,
        _guarding,
        masked,
    )

litellm.suppress_debug_info = True

pytestmark = [
    # litellm's lazily imported types: pydantic warns about them, not about anything here.
    pytest.mark.filterwarnings("ignore:Items? .* using the `ReadOnly` qualifier:UserWarning"),
    # litellm's stream wrapper reads pydantic's model_(computed_)fields on instances (pydantic
    # 2.11 deprecation); as an error it aborts every litellm stream, with or without tracemask.
    pytest.mark.filterwarnings(
        "ignore:Accessing the 'model_(computed_)?fields' attribute on the instance"
        ":DeprecationWarning"
    ),
]

EMAIL, PHONE, CARD = "jane.doe@example.com", "+1 (415) 555-0132", "4111 1111 1111 1111"
API_KEY = "sk-proj-Zq8Lw3Nv6Tb1Hx9Kd4Rm7Pc2Fs5Jy0GuEaW4XoB1"
PLANTED = (EMAIL, PHONE, CARD, API_KEY)
#: Fragments that must not survive either (a value masked only in part still leaks).
FRAGMENTS = ("jane.doe", "555-0132", "4111 1111", "4111111111111111", API_KEY[8:])

SYSTEM_MSG = "You are a billing support assistant. Never repeat full card numbers."
USER_MSG = (
    f"Hi, I'm Jane ({EMAIL}, {PHONE}). Please update the card on file to {CARD}. "
    f"Also my old key {API_KEY} leaked, please revoke it."
)
ANSWER = f"Thanks Jane! I've noted card {CARD} and will email a confirmation to {EMAIL}."
LOOKUP_ARGS = json.dumps({"email": EMAIL, "phone": PHONE})
LOOKUP_RESULT = json.dumps({"customer_id": "cus_8812", "contact": EMAIL})
UPDATE_ARGS = json.dumps({"customer_id": "cus_8812", "card_number": CARD, "notify_email": EMAIL})
ERROR_MSG = f"card declined for {EMAIL} ({CARD}); gateway key {API_KEY}"
MESSAGES = [
    {"role": "system", "content": SYSTEM_MSG},
    {"role": "user", "content": USER_MSG},
    {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_lookup_01",
                "type": "function",
                "function": {"name": "lookup_customer", "arguments": LOOKUP_ARGS},
            }
        ],
    },
    {"role": "tool", "tool_call_id": "call_lookup_01", "content": LOOKUP_RESULT},
]
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "update_card",
            "description": "Replace the card on file.",
            "parameters": {
                "type": "object",
                "properties": {p: {"type": "string"} for p in ("customer_id", "card_number")},
            },
        },
    }
]
METADATA = {
    "customer_email": EMAIL,
    "billing_phone": PHONE,
    "integration_key": API_KEY,
    "ticket": "T-1042",
}
COMPLETION = {
    "id": "chatcmpl-sample123",
    "object": "chat.completion",
    "created": 1767225600,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_update_02",
                        "type": "function",
                        "function": {"name": "update_card", "arguments": UPDATE_ARGS},
                    }
                ],
            },
        }
    ],
    "usage": {"prompt_tokens": 182, "completion_tokens": 41, "total_tokens": 223},
}
PROVIDER_ERROR = {
    "error": {
        "message": f"Invalid 'messages[1].content': card number {CARD} rejected for {EMAIL}.",
        "type": "invalid_request_error",
        "param": "messages",
        "code": None,
    }
}
#: A proxy-style hashed virtual key (sha256 hex), as the proxy puts it in metadata.
KEY_HASH = "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b"


# -- provider ----------------------------------------------------------------------------


def _sse_body() -> bytes:
    base = {
        "id": "chatcmpl-sample456",
        "object": "chat.completion.chunk",
        "created": 1767225600,
        "model": "gpt-4o-mini-2024-07-18",
    }
    pieces = [ANSWER[i : i + 8] for i in range(0, len(ANSWER), 8)]  # values split across chunks
    delta0 = {"role": "assistant", "content": ""}
    chunks = [{**base, "choices": [{"index": 0, "delta": delta0, "finish_reason": None}]}]
    chunks += [
        {**base, "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}
        for p in pieces
    ]
    chunks += [
        {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        {
            **base,
            "choices": [],
            "usage": {"prompt_tokens": 182, "completion_tokens": 24, "total_tokens": 206},
        },
    ]
    events = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks)
    return events.encode() + b"data: [DONE]\n\n"


def _provider(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    if body.get("stream"):
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, headers=headers, content=_sse_body())
    if body.get("temperature") == 0.3:  # the failing call
        return httpx.Response(400, json=PROVIDER_ERROR)
    return httpx.Response(200, json=COMPLETION)


def _client() -> openai.OpenAI:
    return openai.OpenAI(
        api_key=API_KEY,
        base_url="https://api.openai.com/v1",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(_provider)),  # type: ignore[arg-type]
    )


def _async_client() -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key=API_KEY,
        base_url="https://api.openai.com/v1",
        max_retries=0,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(_provider)),  # type: ignore[arg-type]
    )


def _request(call_id: str, **overrides: Any) -> dict[str, Any]:
    """Fresh copies each call: litellm writes into the metadata dict it is given."""
    kw: dict[str, Any] = {
        "model": "gpt-4o-mini",
        "messages": copy.deepcopy(MESSAGES),
        "tools": TOOLS,
        "temperature": 0.2,
        "metadata": copy.deepcopy(METADATA),
        "user": "user_8812",
        "api_key": API_KEY,
        "litellm_call_id": call_id,
    }
    kw.update(overrides)
    return kw


# -- what callbacks received --------------------------------------------------------------


class Sink(CustomLogger):
    """Records every logging event with its arguments, by litellm_call_id."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.events: list[tuple[str, dict[str, Any], Any]] = []
        self._cond = threading.Condition()

    def _rec(self, event: str, kwargs: dict[str, Any], response_obj: Any) -> None:
        with self._cond:
            self.events.append((event, kwargs, response_obj))
            self._cond.notify_all()

    def of(self, event: str, call_id: str | None) -> list[tuple[dict[str, Any], Any]]:
        """The ``event``s of call ``call_id`` (``None``: of any call) received so far."""
        with self._cond:
            return [
                (kw, obj)
                for name, kw, obj in self.events
                if name == event and call_id in (None, kw.get("litellm_call_id"))
            ]

    def wait(
        self, event: str, call_id: str | None, timeout: float = 15.0
    ) -> tuple[dict[str, Any], Any]:
        """The first ``event`` of call ``call_id``, once it has arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.of(event, call_id):
                left = deadline - time.monotonic()
                assert left > 0, f"no {event} for the call"
                self._cond.wait(left)
        return self.of(event, call_id)[0]

    def settle(self, quiet: float = 0.3) -> None:
        """Wait until no event arrived for ``quiet`` seconds (litellm logs on a thread pool)."""
        n = -1
        while n != len(self.events):
            n = len(self.events)
            time.sleep(quiet)

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> None:
        self._rec("log_pre_api_call", kwargs, messages)

    def log_post_api_call(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._rec("log_post_api_call", kwargs, response_obj)

    def log_stream_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._rec("log_stream_event", kwargs, response_obj)

    def log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._rec("log_success_event", kwargs, response_obj)

    def log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._rec("log_failure_event", kwargs, response_obj)

    async def async_log_stream_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._rec("async_log_stream_event", kwargs, response_obj)

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._rec("async_log_success_event", kwargs, response_obj)

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> None:
        self._rec("async_log_failure_event", kwargs, response_obj)


class _PROXY_Recorder(Sink):  # noqa: N801 - litellm runs "_PROXY_" loggers even for no-log requests
    pass


def dump(obj: Any) -> str:
    """Everything reachable from ``obj`` as text: keys, values, reprs, private attributes."""
    out: list[str] = []
    seen: set[int] = set()
    stack = [obj]
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if isinstance(o, (str, bytes)):
            out.append(o if isinstance(o, str) else o.decode("utf-8", "replace"))
        elif isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
        elif hasattr(o, "model_dump"):
            stack.append(o.model_dump())
            stack.append(getattr(o, "__pydantic_private__", None) or {})
        elif isinstance(o, BaseException):
            out.extend((repr(o), str(o)))
            stack.extend(vars(o).values())
        elif o is not None and not isinstance(o, (int, float, bool)):
            out.append(repr(o))
    return "\n".join(out)


def assert_clean(text: str) -> None:
    for value in PLANTED + FRAGMENTS:
        assert value not in text, (
            f"planted value leaked ({PLANTED.index(value) if value in PLANTED else 'fragment'})"
        )


def assert_no_whole_value(text: str) -> None:
    for i, value in enumerate(PLANTED):
        assert value not in text, f"planted value {i} leaked"


# -- fixtures -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_egress() -> Iterator[None]:
    EGRESS.clear()
    with _blocked_network():
        yield
    assert not EGRESS, f"litellm tried to reach {sorted(set(EGRESS))}"


@pytest.fixture(autouse=True)
def _main_thread_loop() -> Iterator[None]:
    # litellm's sync paths call asyncio.get_event_loop() on the caller's thread, which makes
    # (and never closes) a loop; give them one that is closed after the test.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def register() -> Iterator[Callable[..., None]]:
    """Set litellm.callbacks for one test; reset every callback list and switch afterwards."""
    saved = {
        name: getattr(litellm, name)
        for name in ("turn_off_message_logging", "redact_user_api_key_info")
    }

    def _register(*callbacks: Any) -> None:
        litellm.logging_callback_manager._reset_all_callbacks()  # type: ignore[no-untyped-call]
        litellm.callbacks = list(callbacks)

    yield _register
    _guarding.uninstall()  # unguard the test's loggers before the lists are reset
    litellm.logging_callback_manager._reset_all_callbacks()  # type: ignore[no-untyped-call]
    for name, value in saved.items():
        setattr(litellm, name, value)


def _call_id() -> str:
    return str(uuid.uuid4())


def _tool_args(response: Any) -> str:
    return str(response.choices[0].message.tool_calls[0].function.arguments)


# -- success: the hook masks what every later callback gets ---------------------------------


@pytest.mark.parametrize("provider", ["mock_response", "openai_http"])
def test_sync_completion_every_success_callback_gets_masked_copies(
    register: Callable[..., None], provider: str
) -> None:
    sink = Sink()
    register(TracemaskLogger(), sink)
    call_id = _call_id()
    how = {"mock_response": COMPLETION} if provider == "mock_response" else {"client": _client()}
    request = _request(call_id, **how)
    messages, metadata = request["messages"], request["metadata"]

    response = litellm.completion(**request)
    kwargs, response_obj = sink.wait("log_success_event", call_id)

    logged = dump(kwargs) + dump(response_obj)
    assert_clean(logged)
    # Masked, not dropped: structure, ids, model and token counts survive.
    assert "<EMAIL_ADDRESS>" in json.dumps(kwargs["messages"])
    assert "<CREDIT_CARD>" in _tool_args(response_obj)
    assert isinstance(response_obj, litellm.ModelResponse)
    assert response_obj.id == "chatcmpl-sample123"
    assert response_obj.usage.total_tokens == 223
    assert response_obj.choices[0].message.tool_calls[0].id == "call_update_02"
    assert kwargs["model"] == "gpt-4o-mini"
    assert kwargs["litellm_call_id"] == call_id
    slo = kwargs["standard_logging_object"]
    assert slo["total_tokens"] == 223
    assert slo["model"] == "gpt-4o-mini"
    assert "<CREDIT_CARD>" in json.dumps(slo["response"])
    assert kwargs["litellm_params"]["api_key"] == "<SECRET>"
    assert kwargs["api_key"] == "<SECRET>"
    assert kwargs["litellm_params"]["metadata"]["customer_email"] == "<EMAIL_ADDRESS>"
    assert kwargs["litellm_params"]["metadata"]["ticket"] == "T-1042"
    if provider == "openai_http":
        assert "<CREDIT_CARD>" in kwargs["original_response"]
        sent = kwargs["additional_args"]["complete_input_dict"]["messages"]
        assert "<EMAIL_ADDRESS>" in json.dumps(sent)

    # The app's objects are untouched: same response object, raw; its own dicts unchanged.
    assert response_obj is not response
    assert CARD in _tool_args(response)
    assert EMAIL in _tool_args(response)
    assert messages == MESSAGES
    assert {k: metadata[k] for k in METADATA} == METADATA


def test_sync_completion_pre_and_post_call_events_are_masked_by_the_wrapper(
    register: Callable[..., None],
) -> None:
    sink = Sink()
    register(masked(sink))
    call_id = _call_id()
    litellm.completion(**_request(call_id, client=_client()))
    sink.wait("log_success_event", call_id)
    sink.settle()

    names = {name for name, kw, _ in sink.events if kw.get("litellm_call_id") == call_id}
    assert {"log_pre_api_call", "log_post_api_call", "log_success_event"} <= names
    for _, kw, obj in sink.events:
        if kw.get("litellm_call_id") == call_id:
            assert_clean(dump(kw) + dump(obj))


def test_async_completion_egress_is_masked(
    capture_server: Any, register: Callable[..., None]
) -> None:
    sink = Sink()
    call_id = _call_id()

    async def main() -> Any:
        http = AsyncHTTPHandler()
        generic = GenericAPILogger(
            endpoint=f"{capture_server.url}/log", batch_size=1, async_httpx_client=http
        )
        register(TracemaskLogger(), generic, sink)
        response = await litellm.acompletion(**_request(call_id, client=_async_client()))
        for _ in range(200):
            if capture_server.requests:
                break
            await asyncio.sleep(0.05)
        await http.close()  # type: ignore[no-untyped-call]
        return response

    response = asyncio.run(main())
    capture_server.wait(1)
    body = capture_server.bodies().decode()
    assert_clean(body)
    assert "gpt-4o-mini" in body
    assert call_id in body
    assert "call_update_02" in body
    sent = json.loads(capture_server.requests[0].body)
    assert sent[0]["total_tokens"] == 223
    assert "<EMAIL_ADDRESS>" in json.dumps(sent[0]["messages"])
    kwargs, response_obj = sink.wait("async_log_success_event", call_id)
    assert_clean(dump(kwargs) + dump(response_obj))
    assert CARD in _tool_args(response)


# -- streaming ----------------------------------------------------------------------------


def test_sync_stream_assembled_response_is_masked_chunks_are_masked_per_string(
    register: Callable[..., None],
) -> None:
    sink, wrapped = Sink(), Sink()
    register(TracemaskLogger(), sink, masked(wrapped))
    call_id = _call_id()
    request = _request(
        call_id, tools=None, stream=True, stream_options={"include_usage": True}, client=_client()
    )
    app_chunks = list(litellm.completion(**request))
    sink.wait("log_success_event", call_id)
    wrapped.wait("log_success_event", call_id)
    sink.settle()  # per-chunk events run on litellm's thread pool, in any order

    for recorder in (sink, wrapped):
        kwargs, response_obj = recorder.of("log_success_event", call_id)[0]
        assert_clean(dump(kwargs) + dump(response_obj))
        content = response_obj.choices[0].message.content
        assert "<CREDIT_CARD>" in content
        assert "<EMAIL_ADDRESS>" in content
        assembled = kwargs["complete_streaming_response"].choices[0].message.content
        assert "<EMAIL_ADDRESS>" in assembled
        assert kwargs["original_response"] == WITHHELD  # the live CustomStreamWrapper stays out
        assert kwargs["standard_logging_object"]["total_tokens"] == 206

        # Per-chunk events: every chunk was masked, but a value split across chunks is whole in
        # none of them, so its fragments pass (the documented per-chunk limit).
        chunk_events = recorder.of("async_log_stream_event", call_id)
        chunk_events += recorder.of("log_stream_event", call_id)
        assert chunk_events
        for kw, chunk in chunk_events:
            assert_clean(dump(kw["messages"]) + dump(kw["litellm_params"]))
            assert_no_whole_value(dump(chunk))
            assert all(chunk is not c for c in app_chunks)  # a copy, never the app's chunk

    # The app got every chunk raw and unmodified.
    text = "".join(c.choices[0].delta.content or "" for c in app_chunks if c.choices)
    assert text == ANSWER


def test_async_stream_assembled_response_is_masked(register: Callable[..., None]) -> None:
    sink = Sink()
    register(TracemaskLogger(), sink)
    call_id = _call_id()

    async def main() -> str:
        request = _request(
            call_id,
            tools=None,
            stream=True,
            stream_options={"include_usage": True},
            client=_async_client(),
        )
        text = ""
        async for chunk in await litellm.acompletion(**request):
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
        return text

    assert asyncio.run(main()) == ANSWER
    kwargs, response_obj = sink.wait("async_log_success_event", call_id)
    assert_clean(dump(kwargs) + dump(response_obj))
    assert "<CREDIT_CARD>" in response_obj.choices[0].message.content
    assert (
        "<EMAIL_ADDRESS>" in kwargs["async_complete_streaming_response"].choices[0].message.content
    )


#: A response long enough to span several StreamMasker windows, values split across chunks.
LONG_ANSWER = (
    "Here is what I found in the account history. " * 12
    + ANSWER
    + " The refund will take five to seven business days to show up. " * 10
)


def _sse_events(text: str, size: int = 7) -> list[bytes]:
    """An OpenAI chat stream of ``text`` in ``size``-character deltas, one SSE event each."""
    base = {"id": "chatcmpl-long", "object": "chat.completion.chunk", "created": 1767225600}
    base["model"] = "gpt-4o-mini-2024-07-18"
    deltas = [{"role": "assistant", "content": ""}]
    deltas += [{"content": text[i : i + size]} for i in range(0, len(text), size)]
    chunks = [
        {**base, "choices": [{"index": 0, "delta": d, "finish_reason": None}]} for d in deltas
    ]
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    return [f"data: {json.dumps(c)}\n\n".encode() for c in chunks] + [b"data: [DONE]\n\n"]


def _paced_client(text: str, pause: float) -> openai.OpenAI:
    """The OpenAI provider on a transport that streams ``text`` with ``pause`` s per chunk."""

    def body() -> Iterator[bytes]:
        for event in _sse_events(text):
            time.sleep(pause)  # as a model generates tokens; 0: everything at once
            yield event

    def provider(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=body())

    return openai.OpenAI(
        api_key=API_KEY,
        base_url="https://api.openai.com/v1",
        max_retries=0,
        http_client=httpx.Client(transport=httpx.MockTransport(provider)),  # type: ignore[arg-type]
    )


def _streamed_text(events: list[tuple[dict[str, Any], Any]]) -> str:
    return "".join(
        c.delta.content or "" for _, chunk in events for c in getattr(chunk, "choices", ())
    )


def _stream_call(register: Callable[..., None], pause: float) -> tuple[str, Sink, Sink, Masker]:
    raw, wrapped = Sink(), Sink()
    tm = TracemaskLogger()
    register(tm, raw, masked(wrapped, tm.masker))
    call_id = _call_id()
    request = _request(call_id, tools=None, stream=True, client=_paced_client(LONG_ANSWER, pause))
    app_text = "".join(
        c.choices[0].delta.content or "" for c in litellm.completion(**request) if c.choices
    )
    assert app_text == LONG_ANSWER  # the app's stream is untouched
    wrapped.wait("log_success_event", call_id)
    raw.wait("log_success_event", call_id)
    wrapped.settle()
    return call_id, raw, wrapped, tm.masker


def test_sync_stream_chunk_text_is_masked_across_chunks(register: Callable[..., None]) -> None:
    # 7 characters a chunk, paced like a model's output: litellm logs each chunk from a thread
    # pool, so they reach callbacks slightly out of order; the wrapper restores the order.
    call_id, raw, wrapped, masker = _stream_call(register, pause=0.004)

    expected = masker.mask_text(LONG_ANSWER)
    # A logger registered as it is, beside the TracemaskLogger, is guarded in place: its chunks
    # are masked across the call too, as the wrapped logger's.
    raw_text = _streamed_text(raw.of("log_stream_event", call_id))
    assert_clean(raw_text)
    assert raw_text  # (all of it unless litellm's threads shuffled chunks past the window)
    assert not collections.Counter(raw_text) - collections.Counter(expected)

    assert "<EMAIL_ADDRESS>" in expected
    assert "<CREDIT_CARD>" in expected
    sync_events = wrapped.of("log_stream_event", call_id)
    text = _streamed_text(sync_events)
    assert_clean(text)
    assert text == expected  # in the order received: delivered under the call's lock
    # Text arrived before the end: held back only by a bounded suffix, not to the last event.
    assert _streamed_text(sync_events[: len(sync_events) // 2])
    _, response_obj = wrapped.of("log_success_event", call_id)[0]
    assert response_obj.choices[0].message.content == expected

    # The async family (litellm logs sync streams through both) has its own StreamMasker; it
    # gets no success event from litellm, so its held-back tail is discarded, never sent raw.
    async_text = _streamed_text(wrapped.of("async_log_stream_event", call_id))
    assert_clean(async_text)
    assert "<CREDIT_CARD>" in async_text
    assert not collections.Counter(async_text) - collections.Counter(expected)


def test_sync_stream_all_at_once_never_leaks(register: Callable[..., None]) -> None:
    # Every chunk at once: litellm's 100 logging threads shuffle them beyond any reorder
    # window. The wrapper then stops streaming text; nothing leaks, the success event has all.
    call_id, _, wrapped, masker = _stream_call(register, pause=0)
    for family in ("log_stream_event", "async_log_stream_event"):
        events = wrapped.of(family, call_id)
        assert events
        text = _streamed_text(events)
        assert_clean(text)
        for _, chunk in events:
            assert_clean(dump(chunk))
    _, response_obj = wrapped.of("log_success_event", call_id)[0]
    assert response_obj.choices[0].message.content == masker.mask_text(LONG_ANSWER)


# -- failures: no hook runs; the wrapper masks them ------------------------------------------


def test_control_without_tracemask_callbacks_get_raw_values(register: Callable[..., None]) -> None:
    # The harness sees leaks: without tracemask the same sink holds every planted value.
    sink = Sink()
    register(sink)
    ok, failed = _call_id(), _call_id()
    litellm.completion(**_request(ok, client=_client()))
    with pytest.raises(BadRequestError):
        litellm.completion(**_request(failed, client=_client(), temperature=0.3))
    success = dump(sink.wait("log_success_event", ok))
    failure = dump(sink.wait("log_failure_event", failed))
    for value in PLANTED:
        assert value in success
    for value in (EMAIL, CARD, PHONE):
        assert value in failure


def test_sync_provider_400_failure_event_is_masked_by_the_wrapper(
    register: Callable[..., None],
) -> None:
    sink = Sink()
    register(TracemaskLogger(), masked(sink))
    call_id = _call_id()
    with pytest.raises(BadRequestError) as raised:
        litellm.completion(**_request(call_id, client=_client(), temperature=0.3))
    kwargs, response_obj = sink.wait("log_failure_event", call_id)

    assert_clean(dump(kwargs) + dump(response_obj))
    exc = kwargs["exception"]
    assert isinstance(exc, MaskedException)
    assert exc.type_name == "BadRequestError"
    assert exc.status_code == 400
    assert "<CREDIT_CARD>" in str(exc)
    assert "<CREDIT_CARD>" in kwargs["original_response"]  # the provider's plain error text
    slo = kwargs["standard_logging_object"]
    assert "<EMAIL_ADDRESS>" in slo["error_str"]
    assert slo["error_information"]["error_code"] == "400"
    assert "<EMAIL_ADDRESS>" in json.dumps(kwargs["messages"])
    assert kwargs["model"] == "gpt-4o-mini"
    # The app still gets the provider's exception as it was.
    assert CARD in str(raised.value)


def test_async_failure_egress_is_masked_by_the_wrapper(
    capture_server: Any, register: Callable[..., None]
) -> None:
    call_id = _call_id()

    async def main() -> None:
        http = AsyncHTTPHandler()
        generic = GenericAPILogger(
            endpoint=f"{capture_server.url}/log", batch_size=1, async_httpx_client=http
        )
        register(TracemaskLogger(), masked(generic))
        with pytest.raises(InternalServerError):
            await litellm.acompletion(**_request(call_id, mock_response=Exception(ERROR_MSG)))
        for _ in range(200):
            if capture_server.requests:
                break
            await asyncio.sleep(0.05)
        await http.close()  # type: ignore[no-untyped-call]

    asyncio.run(main())
    capture_server.wait(1)
    body = capture_server.bodies().decode()
    assert_clean(body)
    sent = json.loads(capture_server.requests[0].body)[0]
    assert sent["status"] == "failure"
    assert sent["litellm_call_id"] == call_id
    assert "<CREDIT_CARD>" in sent["error_str"]
    assert "<EMAIL_ADDRESS>" in sent["error_information"]["error_message"]


# -- LiteLLM's own switches ------------------------------------------------------------------


def test_turn_off_message_logging_is_applied_to_failures_too(register: Callable[..., None]) -> None:
    litellm.turn_off_message_logging = True
    sink, wrapped = Sink(), Sink()
    register(TracemaskLogger(), sink, masked(wrapped))
    ok, failed = _call_id(), _call_id()
    litellm.completion(**_request(ok, client=_client()))
    kwargs, response_obj = sink.wait("log_success_event", ok)
    assert kwargs["messages"] == [{"role": "user", "content": "redacted-by-litellm"}]
    assert_clean(dump(kwargs) + dump(response_obj))

    async def fail() -> None:
        with pytest.raises(InternalServerError):
            await litellm.acompletion(**_request(failed, mock_response=Exception(ERROR_MSG)))

    asyncio.run(fail())
    kwargs, _ = wrapped.wait("async_log_failure_event", failed)
    # litellm itself does not redact async failures; the wrapper does, as litellm does successes.
    assert kwargs["messages"] == [{"role": "user", "content": "redacted-by-litellm"}]
    assert kwargs["standard_logging_object"]["messages"] == [
        {"role": "user", "content": "redacted-by-litellm"}
    ]
    assert_clean(dump(kwargs))


def test_per_callback_message_logging_false_is_the_wrapped_loggers(
    register: Callable[..., None],
) -> None:
    quiet, plain = Sink(message_logging=False), Sink()
    wrapper = masked(quiet)
    assert wrapper.message_logging is False
    register(TracemaskLogger(), wrapper, plain)
    ok, failed = _call_id(), _call_id()
    litellm.completion(**_request(ok, mock_response=COMPLETION))
    _, response_obj = quiet.wait("log_success_event", ok)
    assert _tool_args(response_obj) == "redacted-by-litellm"  # litellm, per callback
    _, response_obj = plain.wait("log_success_event", ok)
    assert "<CREDIT_CARD>" in _tool_args(response_obj)  # the others: masked, not redacted

    with pytest.raises(InternalServerError):
        litellm.completion(**_request(failed, mock_response=Exception(ERROR_MSG)))
    kwargs, _ = quiet.wait("log_failure_event", failed)
    assert kwargs["messages"] == [{"role": "user", "content": "redacted-by-litellm"}]
    assert_clean(dump(kwargs))


@pytest.mark.parametrize("allowed", [True, False])
def test_disable_redaction_header_is_honoured_only_where_key_metadata_allows_it(
    register: Callable[..., None], allowed: bool
) -> None:
    sink = Sink()
    register(TracemaskLogger(), sink)
    call_id = _call_id()
    metadata: dict[str, Any] = {
        **METADATA,
        "headers": {"litellm-disable-message-redaction": "true"},
    }
    if allowed:  # what the proxy copies from the key's metadata
        metadata["user_api_key_metadata"] = {"allow_client_message_redaction_opt_out": True}
    litellm.completion(**_request(call_id, client=_client(), metadata=metadata))
    kwargs, response_obj = sink.wait("log_success_event", call_id)

    messages = json.dumps(kwargs["messages"])
    if allowed:  # message content as sent; credentials and metadata still masked
        assert EMAIL in messages
        assert CARD in _tool_args(response_obj)
    else:
        assert_clean(dump(kwargs) + dump(response_obj))
    assert kwargs["api_key"] == "<SECRET>"
    assert kwargs["litellm_params"]["api_key"] == "<SECRET>"
    assert kwargs["litellm_params"]["metadata"]["customer_email"] == "<EMAIL_ADDRESS>"
    assert_clean(dump(kwargs["original_response"]) + dump(kwargs["additional_args"]))


def test_no_log_requests_reach_only_proxy_loggers_and_those_masked(
    register: Callable[..., None],
) -> None:
    sink, proxy_logger = Sink(), _PROXY_Recorder()
    register(TracemaskLogger(), masked(sink), proxy_logger)
    call_id = _call_id()
    response = litellm.completion(**_request(call_id, mock_response=COMPLETION, **{"no-log": True}))
    kwargs, response_obj = proxy_logger.wait("log_success_event", call_id)
    proxy_logger.settle()
    assert_clean(dump(kwargs) + dump(response_obj))
    assert not [e for e in sink.events if e[1].get("litellm_call_id") == call_id]
    assert CARD in _tool_args(response)


def test_accounting_fields_and_redact_user_api_key_info(register: Callable[..., None]) -> None:
    proxy_metadata = {
        **METADATA,
        "user_api_key": KEY_HASH,
        "user_api_key_hash": KEY_HASH,
        "user_api_key_user_id": EMAIL,
        "user_api_key_user_email": EMAIL,
        "user_api_key_team_id": "team-7",
    }
    # A proxy-internal callback (``_PROXY_*``: not guarded) reads the call's logging state.
    hook_sink, wrapped, plain = _PROXY_Recorder(), Sink(), Sink()
    tm = TracemaskLogger()
    register(tm, hook_sink, masked(wrapped), plain)
    first = _call_id()
    litellm.completion(**_request(first, mock_response=COMPLETION, metadata=dict(proxy_metadata)))
    kwargs, _ = hook_sink.wait("log_success_event", first)
    # What the hook returns is the call's logging state: the proxy's spend tracking reads these;
    # an id holding personal data is a keyed pseudonym, the same for the same user.
    kept = kwargs["litellm_params"]["metadata"]
    assert kept["user_api_key"] == KEY_HASH
    assert kept["user_api_key_user_id"] == tm.accounting.token(EMAIL)
    assert kept["user_api_key_user_id"].startswith("<USER_")
    assert kept["user_api_key_team_id"] == "team-7"
    assert kept["customer_email"] == "<EMAIL_ADDRESS>"
    slo_metadata = kwargs["standard_logging_object"]["metadata"]
    assert slo_metadata["user_api_key_user_email"] == tm.accounting.token(EMAIL)
    assert slo_metadata["user_api_key_team_id"] == "team-7"
    # A wrapped logger's copy is its own, and so is a guarded one's: everything masked.
    for sink in (wrapped, plain):
        kwargs, response_obj = sink.wait("log_success_event", first)
        assert_clean(dump(kwargs) + dump(response_obj))
        assert kwargs["litellm_params"]["metadata"]["user_api_key_team_id"] == "team-7"

    litellm.redact_user_api_key_info = True
    second = _call_id()
    litellm.completion(**_request(second, mock_response=COMPLETION, metadata=dict(proxy_metadata)))
    kwargs, _ = hook_sink.wait("log_success_event", second)
    assert not [
        k for k in kwargs["standard_logging_object"]["metadata"] if k.startswith("user_api_key")
    ]
    kwargs, _ = wrapped.wait("log_success_event", second)
    assert not [k for k in kwargs["litellm_params"]["metadata"] if k.startswith("user_api_key")]
    assert not [
        k for k in kwargs["standard_logging_object"]["metadata"] if k.startswith("user_api_key")
    ]


# -- fail closed ----------------------------------------------------------------------------


class BrokenMasker(Masker):
    """A masker whose engine fails on any string holding an ``@`` (or on everything)."""

    def __init__(
        self, *args: Any, always: bool = False, error: type[Exception] = MaskingError, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.always = always
        self.error = error

    def mask(self, obj: Any, *, report: Any = None) -> Any:
        if self.always or "@" in dump(obj):
            raise self.error("masking failed at (root): ValueError")
        return super().mask(obj, report=report)


@pytest.mark.parametrize("error", [MaskingError, RuntimeError])
def test_masking_failure_withholds_values_and_never_raises_into_litellm(
    register: Callable[..., None], error: type[Exception]
) -> None:
    sink, behind_broken_wrapper = _PROXY_Recorder(), Sink()  # sink: reads the logging state
    register(
        TracemaskLogger(masker=BrokenMasker(error=error)),
        sink,
        masked(behind_broken_wrapper, BrokenMasker(always=True, error=error)),
    )
    call_id = _call_id()
    metadata = {**METADATA, "user_api_key": KEY_HASH}
    response = litellm.completion(**_request(call_id, mock_response=COMPLETION, metadata=metadata))
    kwargs, response_obj = sink.wait("log_success_event", call_id)

    assert_clean(dump(kwargs) + dump(response_obj))
    assert kwargs["messages"] == WITHHELD
    assert response_obj == {"text": WITHHELD}
    metadata_logged = kwargs["litellm_params"]["metadata"]
    assert metadata_logged["customer_email"] == WITHHELD
    assert metadata_logged["ticket"] == "T-1042"  # retried key by key: only what failed is withheld
    assert metadata_logged["user_api_key"] == KEY_HASH  # accounting intact
    assert kwargs["standard_logging_object"]["total_tokens"] == 223
    assert CARD in _tool_args(response)

    # Behind a masker that fails on everything, every string is withheld, ids included.
    kwargs, response_obj = behind_broken_wrapper.wait("log_success_event", None)
    assert_clean(dump(kwargs) + dump(response_obj))
    assert kwargs["litellm_call_id"] == WITHHELD
    assert kwargs["standard_logging_object"]["messages"] == WITHHELD
    assert kwargs["standard_logging_object"]["total_tokens"] == 223
    with pytest.raises(InternalServerError):
        litellm.completion(**_request(_call_id(), mock_response=Exception(ERROR_MSG)))
    kwargs, _ = behind_broken_wrapper.wait("log_failure_event", None)
    assert_clean(dump(kwargs))
    assert kwargs["exception"] == WITHHELD


def test_fail_open_passes_values_on_when_masking_fails(register: Callable[..., None]) -> None:
    sink = Sink()
    register(TracemaskLogger(masker=BrokenMasker({"fail_mode": "open"}, always=True)), sink)
    call_id = _call_id()
    litellm.completion(**_request(call_id, mock_response=COMPLETION))
    kwargs, _ = sink.wait("log_success_event", call_id)
    assert EMAIL in dump(kwargs["messages"])
    assert kwargs["api_key"] == "<SECRET>"  # a provider key is replaced whatever the mode


def test_the_hook_copies_responses_without_sharing_private_attributes() -> None:
    response = litellm.ModelResponse(**COMPLETION)
    response._hidden_params = {"note": f"seen {EMAIL}", "model_id": "m-1"}
    logger = TracemaskLogger()
    kwargs = {"messages": copy.deepcopy(MESSAGES), "litellm_call_id": "c-1"}
    new_kwargs, new_response = logger.logging_hook(kwargs, response, "completion")
    assert isinstance(new_response, litellm.ModelResponse)
    assert new_response._hidden_params == {"note": "seen <EMAIL_ADDRESS>", "model_id": "m-1"}
    assert response._hidden_params["note"] == f"seen {EMAIL}"
    assert CARD in _tool_args(response)
    assert kwargs["messages"] == MESSAGES
    assert new_kwargs["litellm_call_id"] == "c-1"
    assert asyncio.run(logger.async_logging_hook(kwargs, response, "completion"))[0] == new_kwargs


# -- loading -------------------------------------------------------------------------------


def test_proxy_config_loads_the_module_level_instance_with_the_env_policy(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The proxy's own loader for `litellm_settings.callbacks` entries (the rest of the proxy
    # needs fastapi, which is not installed): imported here, it costs seconds.
    from litellm.proxy.common_utils.callback_utils import (  # noqa: PLC0415
        _loaded_callback_or_raise,
    )
    from litellm.proxy.types_utils.utils import get_instance_fn  # noqa: PLC0415

    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nfail_mode: open\n")
    config = tmp_path / "config.yaml"
    entry = "tracemask.integrations.litellm.proxy_handler_instance"
    config.write_text(f'litellm_settings:\n  callbacks: ["{entry}"]\n')
    monkeypatch.setenv("TRACEMASK_POLICY", str(policy))
    monkeypatch.setattr(tm_litellm, "_PROXY_INSTANCE", None)

    loaded = get_instance_fn(value=entry, config_file_path=str(config))
    handler = _loaded_callback_or_raise(entry=entry, loaded=loaded)
    assert isinstance(handler, TracemaskLogger)
    assert handler.masker.policy.fail_mode == "open"
    assert get_instance_fn(value=entry, config_file_path=str(config)) is handler
    assert tm_litellm.proxy_handler_instance is handler


def test_masked_wraps_only_custom_loggers_and_forwards_their_own_hooks() -> None:
    class Hooked(Sink):
        enforces_request_content = True

        async def async_pre_call_hook(self, *args: Any, **kwargs: Any) -> str:
            return "inner"

        flushed = False

        async def flush_queue(self) -> None:
            self.flushed = True

    inner = Hooked(turn_off_message_logging=True)
    wrapper = masked(inner)
    assert isinstance(wrapper, MaskedLogger)
    assert isinstance(wrapper, CustomLogger)
    assert type(wrapper).enforces_request_content is True
    assert wrapper.turn_off_message_logging is True
    hook = wrapper.async_pre_call_hook(None, None, {}, "completion")  # type: ignore[arg-type]
    assert asyncio.run(hook) == "inner"
    asyncio.run(wrapper.flush_queue())
    assert inner.flushed
    assert "async_moderation_hook" not in vars(type(wrapper))  # not overridden: not forwarded
    with pytest.raises(TypeError):
        masked(object())  # type: ignore[arg-type]


def test_import_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "tracemask.integrations.litellm")
    monkeypatch.setitem(sys.modules, "litellm", None)
    with pytest.raises(ImportError, match=r"pip install 'tracemask\[litellm\]'"):
        importlib.import_module("tracemask.integrations.litellm")


def test_trace_scoped_pseudonyms_link_one_call_and_not_the_next(
    register: Callable[..., None],
) -> None:
    masker = Masker({"default_operator": {"type": "pseudonymize", "key": "k", "scope": "trace"}})
    sink = Sink()
    register(TracemaskLogger(masker), sink)
    tokens = []
    for _ in range(2):
        call_id = _call_id()
        litellm.completion(**_request(call_id, mock_response=COMPLETION))
        kwargs, response_obj = sink.wait("log_success_event", call_id)
        assert_clean(dump(kwargs) + dump(response_obj))
        in_messages = set(
            re.findall(r"<EMAIL_ADDRESS_[0-9a-f]{8}>", json.dumps(kwargs["messages"]))
        )
        in_metadata = kwargs["litellm_params"]["metadata"]["customer_email"]
        assert in_messages == {in_metadata}  # one customer, one token across the call's payload
        tokens.append(in_metadata)
    assert tokens[0] != tokens[1]  # each call is its own trace


def test_call_scope_reads_trace_session_and_tenant() -> None:
    from tracemask.integrations.litellm import call_scope  # noqa: PLC0415

    kwargs = {
        "litellm_call_id": "c1",
        "litellm_trace_id": "t1",
        "litellm_params": {"metadata": {"session_id": "s1", "user_api_key_team_id": "team-a"}},
    }
    assert call_scope(kwargs) == {"trace": "t1", "session": "s1", "tenant": "team-a"}
    assert call_scope({"litellm_call_id": "c2"}) == {"trace": "c2"}


# -- the handler guards every other logger (issue 18) ---------------------------------------


def test_unwrapped_loggers_get_masked_failures_pre_calls_and_user_ids(
    register: Callable[..., None],
) -> None:
    """Registered as they are beside the handler, before or after it: guarded in place."""
    before, after = Sink(), Sink()
    tm = TracemaskLogger()
    register(before, tm)
    litellm.callbacks.append(after)  # added later, after the handler
    ok, failed = _call_id(), _call_id()
    litellm.completion(**_request(ok, mock_response=COMPLETION, user=EMAIL))
    with pytest.raises(InternalServerError):
        litellm.completion(**_request(failed, mock_response=Exception(ERROR_MSG), user=EMAIL))
    # A logger appended to litellm.callbacks after the call setup gets only pre-call events
    # from LiteLLM itself; masked like the rest.
    after.wait("log_pre_api_call", failed)
    assert_clean(dump([kw for kw, _ in after.of("log_pre_api_call", None)]))
    for sink in (before,):
        kwargs, _ = sink.wait("log_failure_event", failed)
        assert_clean(dump(kwargs))
        assert isinstance(kwargs["exception"], MaskedException)
        assert "<EMAIL_ADDRESS>" in str(kwargs["exception"])
        kwargs, response_obj = sink.wait("log_success_event", ok)
        assert_clean(dump(kwargs) + dump(response_obj))
        # The user id is a keyed pseudonym (spend still groups by user), the same everywhere.
        assert kwargs["user"] == tm.accounting.token(EMAIL)
        assert kwargs["standard_logging_object"]["total_tokens"] == 223
        assert kwargs["standard_logging_object"]["model"] == "gpt-4o-mini"
        pre = [kw for kw, _ in sink.of("log_pre_api_call", None)]
        assert pre
        assert_clean(dump(pre))
    # Guarded in place: still the logger LiteLLM holds, same class (isinstance checks hold).
    assert litellm.callbacks[0] is before
    assert type(before) is Sink


def test_without_guard_loggers_an_unwrapped_logger_gets_raw_failures(
    register: Callable[..., None],
) -> None:
    """The control: what ``guard_loggers`` closes (LiteLLM runs no hook on failures)."""
    sink = Sink()
    register(TracemaskLogger(guard_loggers=False), sink)
    call_id = _call_id()
    with pytest.raises(InternalServerError):
        litellm.completion(**_request(call_id, mock_response=Exception(ERROR_MSG)))
    kwargs, _ = sink.wait("log_failure_event", call_id)
    assert EMAIL in dump(kwargs)


class _Hooks(CustomLogger):
    """A logger with the proxy's post-call hooks (what an observability integration defines)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def async_post_call_success_hook(
        self, data: dict[str, Any], user_api_key_dict: Any, response: Any
    ) -> Any:
        self.calls.append(("success", {"data": data, "user": user_api_key_dict, "r": response}))
        return response  # a logger returning what it got must not reach the client

    async def async_post_call_failure_hook(
        self,
        request_data: dict[str, Any],
        original_exception: Exception,
        user_api_key_dict: Any,
        traceback_str: str | None = None,
    ) -> Any:
        self.calls.append(
            (
                "failure",
                {"data": request_data, "exc": original_exception, "tb": traceback_str},
            )
        )
        return None


@pytest.mark.parametrize("wiring", ["masked", "guarded"])
def test_post_call_hooks_get_masked_copies(register: Callable[..., None], wiring: str) -> None:
    hooks = _Hooks()
    tm = TracemaskLogger()
    register(tm, masked(hooks) if wiring == "masked" else hooks)
    target: Any = litellm.callbacks[1]
    if wiring == "guarded":
        _guarding.sweep()
    data = {
        "model": "gpt-4o-mini",
        "messages": copy.deepcopy(MESSAGES),
        "user": EMAIL,
        "metadata": copy.deepcopy(METADATA),
        "api_key": API_KEY,
        "secret_fields": {"raw_headers": {"authorization": f"Bearer {API_KEY}"}},
    }
    response = litellm.ModelResponse(**COMPLETION)
    before = copy.deepcopy(data)

    async def main() -> tuple[Any, Any]:
        ok = await target.async_post_call_success_hook(
            data=data, user_api_key_dict=None, response=response
        )
        failed = await target.async_post_call_failure_hook(
            request_data=data,
            original_exception=BadRequestError(ERROR_MSG, "gpt-4o-mini", "openai"),
            user_api_key_dict=None,
            traceback_str=f"Traceback ...\n{ERROR_MSG}",
        )
        return ok, failed

    ok, failed = asyncio.run(main())
    assert ok is None  # the response the client gets stays the real one
    assert failed is None
    assert [name for name, _ in hooks.calls] == ["success", "failure"]
    assert_clean(dump(hooks.calls))
    assert "<CREDIT_CARD>" in dump(hooks.calls[0][1]["r"])
    assert "<EMAIL_ADDRESS>" in str(hooks.calls[1][1]["exc"])
    assert data == before  # the request dict the proxy goes on with is untouched
    assert CARD in _tool_args(response)


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("keep", EMAIL), ("mask", "<EMAIL_ADDRESS>"), ("pseudonymize", None)],
)
def test_accounting_ids_modes(register: Callable[..., None], mode: str, expected: Any) -> None:
    state = _PROXY_Recorder()  # reads the call's logging state, as spend tracking does
    tm = TracemaskLogger(accounting_ids=mode)  # type: ignore[arg-type]
    register(tm, state)
    call_id = _call_id()
    litellm.completion(**_request(call_id, mock_response=COMPLETION, user=EMAIL))
    kwargs, _ = state.wait("log_success_event", call_id)
    assert kwargs["user"] == (expected or tm.accounting.token(EMAIL))
    # An id with nothing to mask stays as it is in every mode.
    other = _call_id()
    litellm.completion(**_request(other, mock_response=COMPLETION, user="cus_8812"))
    kwargs, _ = state.wait("log_success_event", other)
    assert kwargs["user"] == "cus_8812"


def test_pseudonyms_are_keyed_and_stable() -> None:
    from tracemask.integrations.litellm._accounting import AccountingIds  # noqa: PLC0415

    one, same, other = AccountingIds(key="k1"), AccountingIds(key="k1"), AccountingIds(key="k2")
    assert one.token(EMAIL) == same.token(EMAIL)
    assert one.token(EMAIL) != other.token(EMAIL)
    assert one.token(EMAIL) != one.token("john@example.com")
    assert re.fullmatch(r"<USER_[0-9a-f]{16}>", one.token(EMAIL))
    with pytest.raises(ValueError, match="pseudonymize, keep or mask"):
        AccountingIds("hash")  # type: ignore[arg-type]


def test_proxy_handler_masks_litellm_log_lines_and_says_it_is_on(
    monkeypatch: pytest.MonkeyPatch, register: Callable[..., None]
) -> None:
    import io  # noqa: PLC0415
    import logging  # noqa: PLC0415

    monkeypatch.setattr(tm_litellm, "_PROXY_INSTANCE", None)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    proxy_logger = logging.getLogger("LiteLLM Proxy")
    monkeypatch.setattr(proxy_logger, "handlers", [handler])
    monkeypatch.setattr(proxy_logger, "filters", [])
    monkeypatch.setattr(proxy_logger, "propagate", False)
    register(Sink())
    instance = tm_litellm.proxy_handler_instance
    assert instance.__name__ == "tracemask"
    try:
        _raise_upstream_error()
    except BadRequestError:
        proxy_logger.exception("upstream said: %s", ERROR_MSG)
    logging.getLogger("LiteLLM Proxy.stdout").warning("rejected key %s", API_KEY)
    text = stream.getvalue()
    assert "tracemask: masking LiteLLM logging with policy default (sha256 " in text
    assert "Sink" in text  # the loggers it guards
    assert "upstream said: card declined for <EMAIL_ADDRESS>" in text
    assert "Traceback" in text
    assert_clean(text)


def _raise_upstream_error() -> None:
    raise BadRequestError(ERROR_MSG, "gpt-4o-mini", "openai")

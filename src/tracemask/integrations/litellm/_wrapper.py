"""``masked(logger)``: one LiteLLM logger that receives masked copies of every event."""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any, Final, cast

import litellm
from litellm.integrations.custom_logger import CustomLogger

from tracemask._masker import Masker
from tracemask._scope import use_scope
from tracemask.integrations._guard import WITHHELD
from tracemask.integrations.litellm._accounting import ACCOUNTING_ID_KEYS, AccountingIds
from tracemask.integrations.litellm._payload import (
    _CONTENT_KEYS,
    _METADATA_KEYS,
    USER_MASKED,
    HookOutputs,
    _build_masker,
    _no_log,
    _PayloadMasker,
    call_scope,
)
from tracemask.integrations.litellm._stream import (
    _SUCCESS_EVENTS,
    _created_at,
    _delta_texts,
    _final_texts,
    _stream_key,
    _StreamRegistry,
    _with_texts,
)
from tracemask.policy import Policy

_log = logging.getLogger(__name__)

_FAILURE_EVENTS: Final = frozenset({"log_failure_event", "async_log_failure_event"})


class MaskedLogger(CustomLogger):
    """Wraps one ``CustomLogger`` so that its logging events receive masked copies.

    Build it with :func:`masked`. The events ``log_success_event``, ``log_failure_event``,
    ``log_stream_event``, ``log_pre_api_call``, ``log_post_api_call`` and their ``async_``
    forms get masked ``kwargs`` and ``response_obj`` (``messages`` for pre-call); the text of
    stream chunks is masked across the call's chunks (one StreamMasker per call and event
    family, so a chunk may carry less text, or text of earlier chunks); the live
    ``kwargs["exception"]`` becomes a :class:`MaskedException`. LiteLLM applies no redaction
    on failures: for those the wrapper applies it as LiteLLM does on success, when
    ``litellm.turn_off_message_logging`` (or the per-request switch) is on or the wrapped logger
    opted out (``message_logging=False`` / ``turn_off_message_logging=True``). Requests sent with
    ``no-log`` never reach the wrapped logger.

    Every other hook the wrapped logger's class overrides (``async_pre_call_hook``,
    ``logging_hook``, …) is forwarded unchanged, as are its attributes; ``message_logging`` and
    ``turn_off_message_logging`` are the wrapped logger's, so LiteLLM's per-callback redaction
    treats the wrapper as it would treat the logger.
    """

    def __init__(
        self,
        inner: CustomLogger,
        masker: Masker | None = None,
        *,
        policy: Policy | Mapping[str, Any] | str | None = None,
        honor_opt_out_header: bool = True,
        keep_accounting_fields: bool = False,
        accounting_ids: AccountingIds | None = None,
        hook_outputs: HookOutputs | None = None,
    ) -> None:
        # CustomLogger.__init__ would overwrite the wrapped logger's redaction switches.
        self.inner = inner
        self.masker = _build_masker(masker, policy)
        self._payload = _PayloadMasker(
            self.masker,
            keep_accounting_fields=keep_accounting_fields,
            honor_opt_out_header=honor_opt_out_header,
            accounting_ids=accounting_ids,
            hook_outputs=hook_outputs,
        )
        self._streams = _StreamRegistry(self.masker)
        #: The proxy's spend-log writer: accounting fields kept, its live key object passed on.
        self._shared = keep_accounting_fields

    def _method(self, name: str) -> Callable[..., Any]:
        """The wrapped logger's ``name``, as the wrapper delivers to it."""
        return cast("Callable[..., Any]", getattr(self.inner, name))

    def __repr__(self) -> str:
        return f"<masked {self.inner!r}>"

    def __getattr__(self, name: str) -> Any:
        # Not set yet (during __init__): no recursion into inner.
        if name in {"inner", "masker", "_payload", "_streams", "_shared"}:
            raise AttributeError(name)
        return getattr(self.inner, name)

    @property
    def message_logging(self) -> bool:
        """The wrapped logger's ``message_logging`` (LiteLLM reads it per callback)."""
        return cast(bool, getattr(self.inner, "message_logging", True))

    @message_logging.setter
    def message_logging(self, value: bool) -> None:
        self.inner.message_logging = value

    @property
    def turn_off_message_logging(self) -> bool:
        """The wrapped logger's ``turn_off_message_logging`` (LiteLLM reads it per callback)."""
        return cast(bool, getattr(self.inner, "turn_off_message_logging", False))

    @turn_off_message_logging.setter
    def turn_off_message_logging(self, value: bool) -> None:
        self.inner.turn_off_message_logging = value

    # -- masking ---------------------------------------------------------------------------

    def _wants(self, event: str, kwargs: object) -> bool:
        """Whether the wrapped logger implements ``event`` and this request may be logged."""
        implemented = getattr(type(self.inner), event, None) is not getattr(CustomLogger, event)
        return implemented and not (isinstance(kwargs, Mapping) and _no_log(kwargs))

    def _masked(self, event: str, kwargs: Any, response_obj: object) -> tuple[Any, object] | None:
        """Masked ``(kwargs, response_obj)`` for ``event``; ``None``: do not pass it on."""
        if not isinstance(kwargs, Mapping):
            return None if not self._payload.fail_open else (kwargs, response_obj)
        try:
            kw, obj = self._payload.call(kwargs, response_obj, shared=self._shared)
            if event in _FAILURE_EVENTS:
                kw = self._failure_redaction(kw)
        except Exception:  # noqa: BLE001 - never raise into LiteLLM; drop the event instead
            _log.warning("tracemask: masking a LiteLLM %s failed; event not logged", event)
            return (kwargs, response_obj) if self._payload.fail_open else None
        return kw, obj

    def _failure_redaction(self, kw: dict[str, Any]) -> dict[str, Any]:
        """Apply LiteLLM's message redaction to a failure payload, as LiteLLM does on success."""
        opted_out = self.message_logging is not True or self.turn_off_message_logging is True
        try:
            from litellm.litellm_core_utils.redact_messages import (  # noqa: PLC0415
                perform_redaction,
                should_redact_message_logging,
            )
        except ImportError:  # pragma: no cover - a LiteLLM without these helpers
            if opted_out or litellm.turn_off_message_logging is True:
                kw.update({k: WITHHELD for k in _CONTENT_KEYS if k in kw})
            return kw
        if opted_out or should_redact_message_logging(kw):
            params = kw.get("litellm_params")
            if isinstance(params, Mapping):  # perform_redaction edits these in place
                kw["litellm_params"] = {
                    k: dict(v) if k in _METADATA_KEYS and isinstance(v, Mapping) else v
                    for k, v in params.items()
                }
            perform_redaction(kw, None)
        redact = self.inner.redact_standard_logging_payload_from_model_call_details
        return cast(dict[str, Any], redact(kw))

    # -- events ----------------------------------------------------------------------------

    def _event(
        self,
        event: str,
        kwargs: Any,
        response_obj: Any,
        rest: dict[str, Any],
    ) -> Any:
        """Pass ``event`` on with masked ``kwargs`` and ``response_obj`` (and ``rest`` as is)."""
        if not self._wants(event, kwargs):
            return None
        masked_call = self._masked(event, kwargs, response_obj)
        if masked_call is None:
            return None
        kw, obj = masked_call
        return self._method(event)(kwargs=kw, response_obj=obj, **rest)

    def _stream_chunk(
        self, event: str, kwargs: Any, response_obj: Any, rest: dict[str, Any]
    ) -> Any:
        # The scope of the call: its StreamMasker, made on the first chunk, keeps it.
        scope = call_scope(kwargs) if isinstance(kwargs, Mapping) else {}
        with use_scope(**scope):
            return self._scoped_stream_chunk(event, kwargs, response_obj, rest)

    def _scoped_stream_chunk(
        self, event: str, kwargs: Any, response_obj: Any, rest: dict[str, Any]
    ) -> Any:
        """Pass one chunk on, its text masked across the call's chunks by a StreamMasker.

        The chunk's ``delta.content`` becomes what the call's StreamMasker emits now: less
        text, none, or text held back from earlier chunks. Anything that is not a chat chunk of
        a call with an id, or a request that opted out, is masked per chunk as before.
        """
        if not self._wants(event, kwargs):
            return None
        key = _stream_key(event, kwargs)
        texts = _delta_texts(response_obj)
        if key is None or texts is None or self._payload.opted_out(kwargs):
            return self._event(event, kwargs, response_obj, rest)
        masked_call = self._masked(event, kwargs, response_obj)
        if masked_call is None:
            return None
        kw, obj = masked_call
        deliver = self._method(event)
        state = self._streams.get(key)
        if state is None:  # logged after the call's final event, which carried all the text
            return deliver(kwargs=kw, response_obj=_with_texts(obj, {}), **rest)
        with state.lock:
            try:
                emitted = state.push(_created_at(response_obj), texts)
            except Exception:  # noqa: BLE001 - never raise into LiteLLM; stop streaming text
                _log.warning("tracemask: masking a LiteLLM stream failed; its text is withheld")
                state.broken = True
                emitted = texts if self._payload.fail_open else {}
            obj = _with_texts(obj, emitted)
            state.last = (kw, obj)
            # Delivered under the lock (sync events), so the logger receives the text in the
            # order it was emitted; an async event's coroutine is only created here.
            return deliver(kwargs=kw, response_obj=obj, **rest)

    def _stream_end(self, event: str, kwargs: Any, response_obj: Any, rest: dict[str, Any]) -> Any:
        """At a call's final event: drop its stream state; after a success, pass the masked
        rest of the streamed text on as one more stream event (``None``: nothing to pass)."""
        key = _stream_key(event, kwargs)
        if key is None:
            return None
        if event not in _SUCCESS_EVENTS:  # a failure ends both event families: text discarded
            self._streams.finish((key[0], "sync"))
            self._streams.finish((key[0], "async"))
            return None
        # LiteLLM logs a sync stream's chunks through both families but sends only the sync
        # success event: the other family ends here too, its held-back tail discarded.
        self._streams.finish((key[0], "sync" if key[1] == "async" else "async"))
        state = self._streams.finish(key)
        stream_event = "async_log_stream_event" if key[1] == "async" else "log_stream_event"
        if state is None or not self._wants(stream_event, kwargs):
            return None
        with state.lock:
            if state.last is None:
                return None
            try:
                tail = state.finish(_final_texts(response_obj))
            except Exception:  # noqa: BLE001 - never raise into LiteLLM; the tail is withheld
                _log.warning("tracemask: masking a LiteLLM stream failed; its text is withheld")
                return None
            if not tail:
                return None
            kw, last = state.last
            deliver = self._method(stream_event)
            times = {k: rest[k] for k in ("start_time", "end_time")}
            return deliver(kwargs=kw, response_obj=_with_texts(last, tail), **times)

    def _pre_call(
        self, event: str, model: Any, messages: Any, kwargs: Any
    ) -> tuple[Any, Any] | None:
        if not self._wants(event, kwargs):
            return None
        masked_call = self._masked(event, kwargs, None)
        if masked_call is None:
            return None
        kw = masked_call[0]
        opted_out = isinstance(kwargs, Mapping) and self._payload.opted_out(kwargs)
        return kw, messages if opted_out else self._payload.value(messages, ("messages",))

    def log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> Any:
        """Pass the pre-call event on with masked ``messages`` and ``kwargs``."""
        masked_call = self._pre_call("log_pre_api_call", model, messages, kwargs)
        if masked_call is None:
            return None
        kw, msgs = masked_call
        return self._method("log_pre_api_call")(model=model, messages=msgs, kwargs=kw)

    async def async_log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> Any:
        """Pass the pre-call event on with masked ``messages`` and ``kwargs``."""
        masked_call = self._pre_call("async_log_pre_api_call", model, messages, kwargs)
        if masked_call is None:
            return None
        kw, msgs = masked_call
        return await self._method("async_log_pre_api_call")(model=model, messages=msgs, kwargs=kw)

    def log_post_api_call(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> Any:
        """Pass the post-call event on, masked."""
        return self._event(
            "log_post_api_call",
            kwargs,
            response_obj,
            {"start_time": start_time, "end_time": end_time},
        )

    def log_stream_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> Any:
        """Pass one stream chunk on, its text masked across chunks (see ``_stream_chunk``)."""
        return self._stream_chunk(
            "log_stream_event",
            kwargs,
            response_obj,
            {"start_time": start_time, "end_time": end_time},
        )

    async def async_log_stream_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any
    ) -> Any:
        """Pass one stream chunk on, its text masked across chunks (see ``_stream_chunk``)."""
        return await _awaited(
            self._stream_chunk(
                "async_log_stream_event",
                kwargs,
                response_obj,
                {"start_time": start_time, "end_time": end_time},
            )
        )

    def log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any, **extra: Any
    ) -> Any:
        """Pass the success event on, masked (after the rest of a streamed text)."""
        rest = {"start_time": start_time, "end_time": end_time, **extra}
        self._stream_end("log_success_event", kwargs, response_obj, rest)
        return self._event("log_success_event", kwargs, response_obj, rest)

    async def async_log_success_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any, **extra: Any
    ) -> Any:
        """Pass the success event on, masked (after the rest of a streamed text)."""
        rest = {"start_time": start_time, "end_time": end_time, **extra}
        await _awaited(self._stream_end("async_log_success_event", kwargs, response_obj, rest))
        return await _awaited(self._event("async_log_success_event", kwargs, response_obj, rest))

    def log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any, **extra: Any
    ) -> Any:
        """Pass the failure event on, masked and redacted as LiteLLM redacts successes."""
        rest = {"start_time": start_time, "end_time": end_time, **extra}
        self._stream_end("log_failure_event", kwargs, response_obj, rest)
        return self._event("log_failure_event", kwargs, response_obj, rest)

    async def async_log_failure_event(
        self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any, **extra: Any
    ) -> Any:
        """Pass the failure event on, masked and redacted as LiteLLM redacts successes."""
        rest = {"start_time": start_time, "end_time": end_time, **extra}
        self._stream_end("async_log_failure_event", kwargs, response_obj, rest)
        return await _awaited(self._event("async_log_failure_event", kwargs, response_obj, rest))

    # -- post-call hooks (proxy) and logging hooks --------------------------------------------

    def _hook_user(self, user_api_key_dict: Any) -> Any:
        """The key's ``UserAPIKeyAuth`` as a logger gets it: masked, or for the spend-log writer
        a shallow copy with its accounting ids treated as everywhere else (its failure rows are
        built from them) that shares the live budget reservation it settles."""
        if not self._shared:
            outputs = self._payload.outputs
            if outputs is None:
                return self._payload.value(user_api_key_dict)
            # The proxy hands each logger's hook the same key object: masked once for all.
            return outputs.masked_once(
                (user_api_key_dict, USER_MASKED), lambda: self._payload.value(user_api_key_dict)
            )
        copy = getattr(user_api_key_dict, "model_copy", None)
        if copy is None:
            return user_api_key_dict
        ids = {
            name: value
            for name in ACCOUNTING_ID_KEYS
            if isinstance(value := getattr(user_api_key_dict, name, None), str)
        }
        changed = self._payload.accounting.before(ids, self._payload.masks)
        if changed is ids:
            return user_api_key_dict
        return copy(update=dict(changed))

    async def _post_call_success_hook(
        self, data: Any, user_api_key_dict: Any, response: Any, **rest: Any
    ) -> Any:
        """Pass the proxy's post-call success hook on with masked copies; its return value is
        dropped (a logger that rewrote the masked response would send it to the client)."""
        if not self._overrides("async_post_call_success_hook") or (
            isinstance(data, Mapping) and _no_log(data)
        ):
            return None
        outputs = self._payload.outputs

        def build() -> tuple[Any, object] | None:
            return self._masked("async_post_call_success_hook", data, response)

        masked_call = (
            outputs.masked_once((data, response, self._shared), build)
            if outputs is not None
            else build()
        )
        if masked_call is None:
            return None
        kw, obj = masked_call
        await self._method("async_post_call_success_hook")(
            data=kw, user_api_key_dict=self._hook_user(user_api_key_dict), response=obj, **rest
        )
        return None

    async def _post_call_failure_hook(
        self,
        request_data: Any,
        original_exception: Any,
        user_api_key_dict: Any,
        traceback_str: str | None = None,
        **rest: Any,
    ) -> Any:
        """Pass the proxy's post-call failure hook on: masked request, exception and traceback.
        An ``HTTPException`` it returns still reaches the client (made from masked data)."""
        if not self._overrides("async_post_call_failure_hook"):
            return None
        masked_call = self._masked("async_post_call_failure_hook", request_data, None)
        if masked_call is None:
            return None
        kw = masked_call[0]
        exc = self._payload.value(original_exception, ("exception",))
        tb = self._payload.value(traceback_str, ("traceback",)) if traceback_str else traceback_str
        return await self._method("async_post_call_failure_hook")(
            request_data=kw,
            original_exception=exc,
            user_api_key_dict=self._hook_user(user_api_key_dict),
            traceback_str=tb if isinstance(tb, str) else None,
            **rest,
        )

    async def _post_call_streaming_hook(
        self, user_api_key_dict: Any, response: Any, **rest: Any
    ) -> Any:
        """Pass a streamed chunk's hook on, masked; its return value is dropped."""
        if not self._overrides("async_post_call_streaming_hook"):
            return None
        masked = self._payload.value(response, ("response",))
        await self._method("async_post_call_streaming_hook")(
            user_api_key_dict=self._hook_user(user_api_key_dict), response=masked, **rest
        )
        return None

    def _logging_hook(self, kwargs: Any, result: Any, call_type: Any) -> Any:
        """The wrapped logger's ``logging_hook`` on masked copies; what it returns becomes the
        call's logging state, as LiteLLM intends."""
        if not isinstance(kwargs, Mapping):
            return kwargs, result
        kw, obj = self._payload.call(kwargs, result, shared=True)
        return self._method("logging_hook")(kwargs=kw, result=obj, call_type=call_type)

    async def _async_logging_hook(self, kwargs: Any, result: Any, call_type: Any) -> Any:
        """As :meth:`_logging_hook`, for ``async_logging_hook``."""
        if not isinstance(kwargs, Mapping):
            return kwargs, result
        kw, obj = self._payload.call(kwargs, result, shared=True)
        return await self._method("async_logging_hook")(kwargs=kw, result=obj, call_type=call_type)

    def _overrides(self, name: str) -> bool:
        return getattr(type(self.inner), name, None) is not getattr(CustomLogger, name, None)


#: The methods of a logger that receive call data, and the MaskedLogger method that masks
#: each (a guard installs exactly those the logger's class overrides).
GUARDED_METHODS: Final = {
    **{
        name: name
        for name in (
            "log_pre_api_call",
            "async_log_pre_api_call",
            "log_post_api_call",
            "log_stream_event",
            "async_log_stream_event",
            "log_success_event",
            "async_log_success_event",
            "log_failure_event",
            "async_log_failure_event",
        )
    },
    "async_post_call_success_hook": "_post_call_success_hook",
    "async_post_call_failure_hook": "_post_call_failure_hook",
    "async_post_call_streaming_hook": "_post_call_streaming_hook",
    "logging_hook": "_logging_hook",
    "async_logging_hook": "_async_logging_hook",
}
_HOOK_IMPLS: Final = {k: v for k, v in GUARDED_METHODS.items() if k != v}


async def _awaited(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


def _forwarder(name: str, template: Callable[..., Any]) -> Callable[..., Any]:
    """A method that calls the wrapped logger's ``name``, of the same kind as ``template``."""
    if inspect.isasyncgenfunction(template):

        async def agen(self: MaskedLogger, *args: Any, **kwargs: Any) -> Any:
            async for item in getattr(self.inner, name)(*args, **kwargs):
                yield item

        method: Callable[..., Any] = agen
    elif inspect.iscoroutinefunction(template):

        async def coro(self: MaskedLogger, *args: Any, **kwargs: Any) -> Any:
            return await getattr(self.inner, name)(*args, **kwargs)

        method = coro
    else:

        def func(self: MaskedLogger, *args: Any, **kwargs: Any) -> Any:
            return getattr(self.inner, name)(*args, **kwargs)

        method = func
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"Forwarded to the wrapped logger's ``{name}``."
    return method


_WRAPPER_CLASSES: dict[type, type[MaskedLogger]] = {}
_WRAPPER_LOCK = threading.Lock()


def _wrapper_class(inner_cls: type) -> type[MaskedLogger]:
    """``MaskedLogger`` plus forwarders for exactly the hooks ``inner_cls`` overrides.

    LiteLLM decides what to call by looking at a callback's methods and class attributes; the
    wrapper shows it the wrapped class's own, so no hook appears or disappears by wrapping.
    """
    with _WRAPPER_LOCK:
        cls = _WRAPPER_CLASSES.get(inner_cls)
        if cls is not None:
            return cls
        namespace: dict[str, Any] = {"__module__": __name__, "__doc__": MaskedLogger.__doc__}
        own = set(vars(MaskedLogger))
        for name in dir(CustomLogger):
            if name.startswith("_") or name in own:
                continue
            base = inspect.getattr_static(CustomLogger, name)
            mine = inspect.getattr_static(inner_cls, name)
            if mine is base:
                continue
            if name in _HOOK_IMPLS and inspect.isfunction(mine):
                namespace[name] = vars(MaskedLogger)[_HOOK_IMPLS[name]]
            elif inspect.isfunction(mine):
                namespace[name] = _forwarder(name, mine)
            elif not isinstance(mine, (staticmethod, classmethod, property)):
                namespace[name] = mine  # a class attribute such as enforces_request_content
        cls = cast(
            "type[MaskedLogger]", type(f"Masked{inner_cls.__name__}", (MaskedLogger,), namespace)
        )
        _WRAPPER_CLASSES[inner_cls] = cls
        return cls


def masked(
    logger: CustomLogger,
    masker: Masker | None = None,
    *,
    policy: Policy | Mapping[str, Any] | str | None = None,
    honor_opt_out_header: bool = True,
) -> MaskedLogger:
    """Wrap ``logger`` so that its logging events, failures included, receive masked copies.

    Args:
        logger: any ``CustomLogger`` instance (an observability integration, your own class).
        masker: the :class:`~tracemask.Masker` to use (default: one built from ``policy``).
        policy: a policy, its path or preset name (default: ``$TRACEMASK_POLICY``).
        honor_opt_out_header: as for :class:`TracemaskLogger`.

    Returns:
        A ``CustomLogger`` to register in place of ``logger``.
    """
    if not isinstance(logger, CustomLogger):
        raise TypeError(f"masked() wraps a litellm CustomLogger, got {type(logger).__name__}")
    return _wrapper_class(type(logger))(
        logger, masker, policy=policy, honor_opt_out_header=honor_opt_out_header
    )

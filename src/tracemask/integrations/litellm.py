"""LiteLLM: mask what LiteLLM hands its logging callbacks, in the SDK and in the proxy.

>>> import litellm
>>> from tracemask.integrations.litellm import TracemaskLogger, masked
>>> litellm.callbacks = [TracemaskLogger(), masked(MyLogger())]  # doctest: +SKIP

:class:`TracemaskLogger` implements ``logging_hook`` / ``async_logging_hook``. LiteLLM runs every
callback's hook before it delivers a success event to any callback, and keeps what the hook
returns as the call's logging payload, so every success and stream event after it (custom
loggers, built-in integrations, the proxy's spend logs) gets the masked copies. LiteLLM runs no
hook on failures: :func:`masked` wraps one logger so that each of its ``log_*`` events (success,
failure, stream, pre/post API call; sync and async) gets masked copies, whatever the hook did.
For per-chunk stream events it masks the streamed text with one :class:`~tracemask.StreamMasker`
per call, so a value split across chunks is masked too (its text arrives a little later).

Copies only: the response the app gets and the dicts it passed (``messages``, ``metadata``) are
never edited. Masking fails closed: a value that cannot be masked becomes :data:`WITHHELD`
(objects that cannot be copied safely too, such as a live stream) unless the policy's
``fail_mode`` is ``"open"``; nothing raises into LiteLLM. See ``docs/integrations/litellm.md``.

In the proxy's ``config.yaml``, ``litellm_settings.callbacks:
["tracemask.integrations.litellm.proxy_handler_instance"]`` loads a :class:`TracemaskLogger` whose
policy comes from ``$TRACEMASK_POLICY``.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import heapq
import inspect
import itertools
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final, cast

from pydantic import BaseModel

from tracemask._masker import Masker
from tracemask._scope import use_scope
from tracemask._stream import StreamMasker
from tracemask.policy import Policy

try:
    import litellm
    from litellm.integrations.custom_logger import CustomLogger
except ImportError as exc:
    raise ImportError(
        "tracemask.integrations.litellm needs LiteLLM: pip install 'tracemask[litellm]'"
    ) from exc

__all__ = [
    "SECRET",
    "WITHHELD",
    "MaskedException",
    "MaskedLogger",
    "TracemaskLogger",
    "masked",
    "proxy_handler_instance",
]

#: What replaces a value that could not be masked (fail closed) or an object that cannot be
#: copied safely (a live stream, a coroutine) in the logged copy.
WITHHELD: Final = "<withheld by tracemask>"
#: What replaces the provider key (``api_key``, ``litellm_params.api_key``) when the policy
#: leaves it as it is: a provider credential is never logged.
SECRET: Final = "<SECRET>"

#: Keys LiteLLM's own redaction (``turn_off_message_logging``) blanks: left unmasked when the
#: request opted out of redaction with ``litellm-disable-message-redaction``.
_CONTENT_KEYS: Final = frozenset(
    {
        "messages",
        "input",
        "prompt",
        "instructions",
        "complete_streaming_response",
        "async_complete_streaming_response",
        "complete_response",
    }
)
_SLO_CONTENT_KEYS: Final = frozenset({"messages", "response"})
#: Callback credentials and switches that the loggers themselves read (``langfuse_secret_key``,
#: ``turn_off_message_logging``): passed on as they are, masking them would break logging.
_PASSTHROUGH_KEYS: Final = frozenset({"standard_callback_dynamic_params"})
#: Metadata keys the proxy's spend tracking, budgets and rate limiters read after the hook.
_ACCOUNTING_PREFIXES: Final = ("user_api_key", "user_api_end_user")
_METADATA_KEYS: Final = ("metadata", "litellm_metadata")
_OPT_OUT_HEADER: Final = "litellm-disable-message-redaction"
_OPT_OUT_ALLOWED: Final = "allow_client_message_redaction_opt_out"
_FALSE_WORDS: Final = frozenset({"", "0", "false", "no", "off"})
#: Values that hold no text: kept as they are.
_OPAQUE: Final = (
    type(None),
    bool,
    int,
    float,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    uuid.UUID,
    decimal.Decimal,
    enum.Enum,
)
_CONTAINERS: Final = (str, bytes, bytearray, Mapping, list, tuple, set, frozenset, BaseModel)
#: Depth to which a mapping whose masking failed is retried key by key (litellm_params.metadata).
_RETRY_DEPTH: Final = 2
#: Attempts at masking one value before it counts as failed (see _mask_retrying).
_ATTEMPTS: Final = 3
_UNMASKABLE: Final = object()
_DROPPED: Final = object()

_log = logging.getLogger(__name__)


class MaskedException(Exception):  # noqa: N818 - it stands in for any exception, not an error of its own
    """Stands in for the live exception in a masked failure payload (``kwargs["exception"]``).

    It keeps the original type's name, ``status_code``, ``llm_provider`` and ``model``, and a
    masked message; the original object (its ``response``, ``body`` and traceback hold the
    request and the provider's error text) is not passed on.
    """

    def __init__(
        self,
        type_name: str,
        message: str,
        status_code: object = None,
        llm_provider: object = None,
        model: object = None,
    ) -> None:
        super().__init__(message)
        self.type_name = type_name
        self.message = message
        self.status_code = status_code
        self.llm_provider = llm_provider
        self.model = model

    def __repr__(self) -> str:
        return f"{self.type_name}({self.message!r})"


class _PayloadMasker:
    """Builds masked copies of LiteLLM logging payloads; never raises, never edits its input."""

    def __init__(
        self, masker: Masker, *, keep_accounting_fields: bool, honor_opt_out_header: bool
    ) -> None:
        self.masker = masker
        self.fail_open = masker.policy.fail_mode == "open"
        self.keep_accounting_fields = keep_accounting_fields
        self.honor_opt_out_header = honor_opt_out_header

    # -- one value -------------------------------------------------------------------------

    def _mask(self, value: Any, path: tuple[str, ...] = ()) -> Any:
        """A masked copy of ``value`` found at ``path`` in the payload, ``_UNMASKABLE`` or
        ``_DROPPED`` (a policy drop rule); raises when masking fails.

        The value is masked inside its keys (``{"api_key": value}``), so that the policy's key
        and path rules see it where a masker walking the whole payload would see it.
        """
        if isinstance(value, _OPAQUE):
            return value
        if isinstance(value, BaseException):
            return self._exception(value, path)
        if not isinstance(value, _CONTAINERS) and not (
            dataclasses.is_dataclass(value) and not isinstance(value, type)
        ):
            return _UNMASKABLE
        wrapped: Any = value
        for key in reversed(path):
            wrapped = {key: wrapped}
        new: Any = self.masker.mask(wrapped)
        for key in path:
            if not isinstance(new, Mapping) or key not in new:
                return _DROPPED
            new = new[key]
        if isinstance(value, BaseModel) and isinstance(new, BaseModel) and new is not value:
            self._private_attributes(value, new)
        return new

    def _private_attributes(self, src: BaseModel, new: BaseModel) -> None:
        # A pydantic copy shares private attributes with its source: ModelResponse keeps
        # ``_hidden_params`` and ``_response_headers`` there, and a logger reading them must not
        # see (or edit) the caller's.
        private = getattr(src, "__pydantic_private__", None)
        if not private:
            return
        copied = {}
        for name, value in private.items():
            masked = self._mask(value)
            if masked is _UNMASKABLE:
                masked = value if self.fail_open else WITHHELD
            if masked is not _DROPPED:
                copied[name] = masked
        object.__setattr__(new, "__pydantic_private__", copied)

    def _exception(self, exc: BaseException, path: tuple[str, ...]) -> MaskedException:
        attrs = {a: getattr(exc, a, None) for a in ("status_code", "llm_provider", "model")}
        message = self._mask(str(exc), path)
        return MaskedException(
            type(exc).__name__,
            WITHHELD if message is _DROPPED else message,
            status_code=attrs["status_code"] if isinstance(attrs["status_code"], int) else None,
            llm_provider=self.value(attrs["llm_provider"]),
            model=self.value(attrs["model"]),
        )

    def _mask_retrying(self, value: Any, path: tuple[str, ...]) -> Any:
        # LiteLLM adds keys to the call's dicts from other threads while a sync stream is being
        # logged chunk by chunk; a walk that meets such a change fails and is simply repeated.
        for _ in range(_ATTEMPTS - 1):
            try:
                return self._mask(value, path)
            except Exception:  # noqa: BLE001, S112, PERF203 - retried; the last attempt raises
                continue
        return self._mask(value, path)

    def value(self, value: Any, path: tuple[str, ...] = (), depth: int = _RETRY_DEPTH) -> Any:
        """``value`` (at ``path``) masked, or ``_DROPPED``; :data:`WITHHELD` if masking fails
        (a mapping is retried key by key, ``depth`` levels down)."""
        try:
            masked = self._mask_retrying(value, path)
        except Exception:  # noqa: BLE001 - MaskingError or a host object that would not copy
            if self.fail_open:
                return value
            if depth > 0 and isinstance(value, Mapping):
                items = _snapshot(value).items()
                retried = {k: self.value(v, (*path, str(k)), depth - 1) for k, v in items}
                return {k: v for k, v in retried.items() if v is not _DROPPED}
            _log.warning("tracemask: a LiteLLM logging value could not be masked; withheld")
            return WITHHELD
        if masked is _UNMASKABLE:
            return value if self.fail_open else WITHHELD
        return masked

    def result(self, result: object, *, opted_out: bool = False) -> object:
        """The response (or stream chunk) as loggers should see it."""
        if result is None or opted_out:
            return result
        try:
            masked = self._mask_retrying(result, ())
        except Exception:  # noqa: BLE001 - see value()
            _log.warning("tracemask: a LiteLLM response could not be masked; withheld")
            return result if self.fail_open else {"text": WITHHELD}
        if masked is _UNMASKABLE:  # a coroutine or stream object: LiteLLM's own redaction shape
            return result if self.fail_open else {"text": WITHHELD}
        return masked

    # -- the kwargs of a logging event -----------------------------------------------------

    def opted_out(self, kwargs: Mapping[str, Any]) -> bool:
        """Whether the request opted out of message redaction and its key or team allows it.

        LiteLLM turns its own redaction off when ``metadata.headers`` carries
        ``litellm-disable-message-redaction``; the proxy keeps that header only for keys or
        teams whose metadata sets ``allow_client_message_redaction_opt_out: true``, and puts
        that metadata in ``user_api_key_metadata`` / ``user_api_key_team_metadata``. Both are
        required here, so a header alone (an SDK caller's, or one a proxy let through by
        mistake) changes nothing.
        """
        if not self.honor_opt_out_header:
            return False
        params = kwargs.get("litellm_params")
        if not isinstance(params, Mapping):
            return False
        header = allowed = False
        for field in _METADATA_KEYS:
            metadata = params.get(field)
            if not isinstance(metadata, Mapping):
                continue
            headers = metadata.get("headers")
            if isinstance(headers, Mapping):
                header = header or any(
                    isinstance(k, str)
                    and k.lower() == _OPT_OUT_HEADER
                    and str(v).strip().lower() not in _FALSE_WORDS
                    for k, v in _snapshot(headers).items()
                )
            for admin in ("user_api_key_metadata", "user_api_key_team_metadata"):
                flags = metadata.get(admin)
                if isinstance(flags, Mapping) and flags.get(_OPT_OUT_ALLOWED) is True:
                    allowed = True
        return header and allowed

    def kwargs(self, kwargs: Mapping[str, Any], *, shared: bool, opted_out: bool) -> dict[str, Any]:
        """A masked copy of a logging event's ``kwargs`` (LiteLLM's ``model_call_details``).

        ``shared``: the copy becomes the call's logging state for LiteLLM itself (the hook), so
        the proxy's accounting fields are kept as they are when ``keep_accounting_fields``.
        """
        out: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in _PASSTHROUGH_KEYS or (opted_out and key in _CONTENT_KEYS):
                out[key] = value
            elif key == "standard_logging_object" and isinstance(value, Mapping):
                slo = {
                    k: v if opted_out and k in _SLO_CONTENT_KEYS else self.value(v, (key, k), 1)
                    for k, v in value.items()
                }
                out[key] = {k: v for k, v in slo.items() if v is not _DROPPED}
            elif (masked := self.value(value, (key,))) is not _DROPPED:
                out[key] = masked
        self._credentials(kwargs, out)
        keep = shared and self.keep_accounting_fields
        if keep:
            self._restore_accounting(kwargs, out)
        if litellm.redact_user_api_key_info is True:
            self._drop_user_api_key_info(out, params_too=not keep)
        return out

    @staticmethod
    def _credentials(src: Mapping[str, Any], out: dict[str, Any]) -> None:
        if _unchanged_str(src.get("api_key"), out.get("api_key")):
            out["api_key"] = SECRET
        params, new = src.get("litellm_params"), out.get("litellm_params")
        if (
            isinstance(params, Mapping)
            and isinstance(new, Mapping)
            and _unchanged_str(params.get("api_key"), new.get("api_key"))
        ):
            out["litellm_params"] = {**new, "api_key": SECRET}

    @staticmethod
    def _restore_accounting(src: Mapping[str, Any], out: dict[str, Any]) -> None:
        params, new = src.get("litellm_params"), out.get("litellm_params")
        if not isinstance(params, Mapping) or not isinstance(new, Mapping):
            return
        restored = dict(new)
        restored.update({k: v for k, v in _snapshot(params).items() if _is_accounting(k)})
        for field in _METADATA_KEYS:
            metadata, masked = params.get(field), restored.get(field)
            if isinstance(metadata, Mapping) and isinstance(masked, Mapping):
                kept = {k: v for k, v in _snapshot(metadata).items() if _is_accounting(k)}
                restored[field] = {**masked, **kept}
        out["litellm_params"] = restored

    @staticmethod
    def _drop_user_api_key_info(out: dict[str, Any], *, params_too: bool) -> None:
        # litellm.redact_user_api_key_info: LiteLLM drops metadata keys starting with
        # "user_api_key" in its langfuse/langsmith/logfire/otel code only; do it for everyone.
        slo = out.get("standard_logging_object")
        if isinstance(slo, dict) and isinstance(slo.get("metadata"), Mapping):
            slo["metadata"] = _without_user_api_key(slo["metadata"])
        params = out.get("litellm_params")
        if params_too and isinstance(params, Mapping):
            out["litellm_params"] = {
                k: _without_user_api_key(v) if k in _METADATA_KEYS and isinstance(v, Mapping) else v
                for k, v in params.items()
                if not (isinstance(k, str) and k.startswith("user_api_key"))
            }

    def fallback_kwargs(self, kwargs: Mapping[str, Any]) -> dict[str, Any]:
        """What the hook returns if building the masked copy failed outright: no text at all,
        LiteLLM's structure and the proxy's accounting fields kept."""

        def scrub(value: Any) -> Any:
            if isinstance(value, _OPAQUE):
                return value
            if isinstance(value, Mapping):
                return {k: v if isinstance(v, _OPAQUE) else WITHHELD for k, v in value.items()}
            return WITHHELD

        out = {k: scrub(v) for k, v in kwargs.items()}
        if self.keep_accounting_fields:
            self._restore_accounting(kwargs, out)
        return out

    def call(
        self, kwargs: Mapping[str, Any], result: object, *, shared: bool
    ) -> tuple[dict[str, Any], object]:
        """Masked copies of an event's ``(kwargs, result)``; never raises."""
        try:
            kwargs = _snapshot(kwargs)
            opted_out = self.opted_out(kwargs)
            with use_scope(**call_scope(kwargs)):
                return (
                    self.kwargs(kwargs, shared=shared, opted_out=opted_out),
                    self.result(result, opted_out=opted_out),
                )
        except Exception:  # noqa: BLE001 - a bug here must not raise into LiteLLM nor leak
            _log.warning("tracemask: masking a LiteLLM logging payload failed")
        try:
            if self.fail_open:
                return _snapshot(kwargs), result
            fallback = self.fallback_kwargs(kwargs)
        except Exception:  # noqa: BLE001 - last resort: log nothing at all
            fallback = {}
        return fallback, None if result is None else {"text": WITHHELD}


def call_scope(kwargs: Mapping[str, Any]) -> dict[str, str]:
    """Scope ids of a LiteLLM call, for scoped pseudonyms: the trace (``litellm_trace_id``,
    else the call id), the session (``session_id`` in the request metadata) and the tenant (the
    proxy key's organisation, else its team)."""
    params = kwargs.get("litellm_params")
    found = params.get("metadata") if isinstance(params, Mapping) else None
    if not isinstance(found, Mapping):
        found = kwargs.get("metadata")
    metadata: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    candidates = {
        "trace": kwargs.get("litellm_trace_id") or kwargs.get("litellm_call_id"),
        "session": metadata.get("session_id"),
        "tenant": metadata.get("user_api_key_org_id") or metadata.get("user_api_key_team_id"),
    }
    return {k: str(v) for k, v in candidates.items() if isinstance(v, str | int) and v != ""}


def _snapshot(mapping: Mapping[Any, Any]) -> dict[Any, Any]:
    """A shallow copy; for a dict, taken in one step (no other thread runs during it)."""
    for _ in range(_ATTEMPTS - 1):
        try:
            return dict(mapping)
        except RuntimeError:  # noqa: PERF203 - a non-dict mapping changed while being copied
            continue
    return dict(mapping)


def _unchanged_str(before: object, after: object) -> bool:
    return isinstance(before, str) and before != "" and after == before


def _is_accounting(key: object) -> bool:
    return isinstance(key, str) and key.startswith(_ACCOUNTING_PREFIXES)


def _without_user_api_key(metadata: Mapping[Any, Any]) -> dict[Any, Any]:
    return {
        k: v
        for k, v in metadata.items()
        if not (isinstance(k, str) and k.startswith("user_api_key"))
    }


def _no_log(kwargs: Mapping[str, Any]) -> bool:
    """LiteLLM's ``no-log`` request flag, as ``Logging.should_run_callback`` reads it."""
    if litellm.global_disable_no_log_param:
        return False
    params = kwargs.get("litellm_params")
    return isinstance(params, Mapping) and params.get("no-log", False) is True


def _build_masker(masker: Masker | None, policy: Policy | Mapping[str, Any] | str | None) -> Masker:
    if masker is not None and policy is not None:
        raise ValueError("pass either masker= or policy=, not both")
    return masker if masker is not None else Masker(policy)


#: Streamed calls whose state a wrapper keeps at once; beyond it the oldest is dropped (its
#: pending text is then never emitted, the final success event still carries all of it).
_STREAMS_MAX: Final = 1024
#: Chunks held to restore their order. LiteLLM logs each chunk of a sync stream from a thread
#: pool, so chunks reach callbacks out of order; like LiteLLM's own assembly, they are put back
#: in ``_hidden_params["created_at"]`` order.
_REORDER_DEPTH: Final = 32
_STREAM_EVENTS: Final = frozenset({"log_stream_event", "async_log_stream_event"})
_SUCCESS_EVENTS: Final = frozenset({"log_success_event", "async_log_success_event"})


def _delta_texts(chunk: object) -> dict[int, str] | None:
    """``{choice index: delta text}`` of a chat completion chunk; ``None`` for anything else."""
    choices = getattr(chunk, "choices", None)
    if not isinstance(choices, list) or not choices:
        return None
    texts: dict[int, str] = {}
    for i, choice in enumerate(choices):
        delta = getattr(choice, "delta", None)
        if delta is None:
            return None
        content = getattr(delta, "content", None)
        if content is not None and not isinstance(content, str):
            return None
        index = getattr(choice, "index", i)
        texts[index if isinstance(index, int) else i] = content or ""
    return texts


def _final_texts(response: object) -> dict[int, str]:
    """``{choice index: message text}`` of an assembled streaming response."""
    texts: dict[int, str] = {}
    for i, choice in enumerate(getattr(response, "choices", None) or ()):
        content = getattr(getattr(choice, "message", None), "content", None)
        index = getattr(choice, "index", i)
        if isinstance(content, str):
            texts[index if isinstance(index, int) else i] = content
    return texts


def _created_at(chunk: object) -> float | None:
    hidden = getattr(chunk, "_hidden_params", None)
    value = hidden.get("created_at") if isinstance(hidden, Mapping) else None
    return float(value) if isinstance(value, (int, float)) else None


def _with_texts(chunk: Any, texts: Mapping[int, str]) -> Any:
    """A copy of the (masked) ``chunk`` whose choices carry ``texts`` as ``delta.content``.

    Choices of the chunk that ``texts`` does not name carry no text; a choice that only
    ``texts`` names is added (text released from an earlier chunk of that choice).
    """
    choices = getattr(chunk, "choices", None)
    if not isinstance(choices, list) or not choices or not isinstance(chunk, BaseModel):
        return chunk
    template = choices[0]
    new: list[Any] = []
    seen: set[int] = set()
    for i, choice in enumerate(choices):
        index = getattr(choice, "index", i)
        seen.add(index)
        text = texts.get(index, "")
        new.append(_choice_with(choice, text, keep_none=True))
    for index, text in sorted(texts.items()):
        if index not in seen and text:
            choice = _choice_with(template, text, keep_none=False)
            new.append(choice.model_copy(update={"index": index, "finish_reason": None}))
    return chunk.model_copy(update={"choices": new})


def _choice_with(choice: Any, text: str, *, keep_none: bool) -> Any:
    delta = choice.delta
    content = None if keep_none and delta.content is None and not text else text
    # model_copy: the masked copy may share sub-objects with the app's chunk; never edit them.
    return choice.model_copy(update={"delta": delta.model_copy(update={"content": content})})


class _ChoiceText:
    """One choice's streamed text: its StreamMasker and what was fed to it (for the tail)."""

    def __init__(self, masker: Masker) -> None:
        self.stream = StreamMasker(masker)
        self.fed: list[str] = []
        self.fed_len = 0

    def feed(self, text: str) -> str:
        self.fed.append(text)
        self.fed_len += len(text)
        return self.stream.feed(text)

    def finish(self, final: str | None, buffered: list[str]) -> str:
        """The rest of the text: from the assembled ``final`` text when what was fed is its
        prefix (chunks LiteLLM never logged are in it), else from the ``buffered`` chunks."""
        fed = "".join(self.fed)
        rest = [final[len(fed) :]] if final is not None and final.startswith(fed) else buffered
        out = "".join(self.stream.feed(t) for t in rest)
        return out + self.stream.close()


class _CallStream:
    """The streamed text of one call, as one family of events (sync or async) delivers it."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker
        self.lock = threading.Lock()
        self.choices: dict[int, _ChoiceText] = {}
        self._buffer: list[tuple[float, int, dict[int, str]]] = []
        self._order = itertools.count()
        self._released = float("-inf")
        self._newest = float("-inf")
        #: A chunk arrived after later ones were emitted: the streamed text can no longer be
        #: put in order, so nothing more of it is emitted (the success event carries it all).
        self.broken = False
        self.last: tuple[Any, Any] | None = None  # the last chunk passed on: (kwargs, chunk)

    def push(self, created_at: float | None, texts: dict[int, str]) -> dict[int, str]:
        """Add one chunk's texts; return the masked text now safe to emit, per choice."""
        ts = self._newest if created_at is None else created_at
        self._newest = max(self._newest, ts)
        if self.broken or ts < self._released:
            self.broken = True
            return {}
        heapq.heappush(self._buffer, (ts, next(self._order), texts))
        out: dict[int, str] = {}
        while len(self._buffer) > _REORDER_DEPTH:
            ts, _, released = heapq.heappop(self._buffer)
            self._released = ts
            for index, text in released.items():
                choice = self.choices.get(index)
                if choice is None:
                    choice = self.choices[index] = _ChoiceText(self.masker)
                emitted = choice.feed(text)
                if emitted:
                    out[index] = out.get(index, "") + emitted
        return out

    def finish(self, final: Mapping[int, str]) -> dict[int, str]:
        """The masked rest of every choice's text, once the call succeeded."""
        if self.broken:
            return {}
        buffered: dict[int, list[str]] = {}
        for _, _, texts in sorted(self._buffer):
            for index, text in texts.items():
                buffered.setdefault(index, []).append(text)
        out: dict[int, str] = {}
        for index in sorted(set(self.choices) | set(buffered) | set(final)):
            choice = self.choices.get(index) or _ChoiceText(self.masker)
            tail = choice.finish(final.get(index), buffered.get(index, []))
            if tail:
                out[index] = tail
        return out


class _StreamRegistry:
    """The wrapper's ``_CallStream`` per (call id, event family); bounded and thread-safe."""

    def __init__(self, masker: Masker) -> None:
        self.masker = masker
        self._lock = threading.Lock()
        self._calls: OrderedDict[tuple[str, str], _CallStream] = OrderedDict()
        #: Recently finished calls: a chunk logged after its call's final event carries no text.
        self._done: OrderedDict[tuple[str, str], None] = OrderedDict()

    def get(self, key: tuple[str, str]) -> _CallStream | None:
        """The call's stream state (made on first use); ``None`` once the call has finished."""
        with self._lock:
            if key in self._done:
                return None
            state = self._calls.get(key)
            if state is None:
                state = self._calls[key] = _CallStream(self.masker)
                if len(self._calls) > _STREAMS_MAX:
                    self._calls.popitem(last=False)
            return state

    def finish(self, key: tuple[str, str]) -> _CallStream | None:
        """Remove and return the call's state; later chunks of the call carry no text."""
        with self._lock:
            self._done[key] = None
            if len(self._done) > _STREAMS_MAX:
                self._done.popitem(last=False)
            return self._calls.pop(key, None)

    def __len__(self) -> int:
        return len(self._calls)


def _stream_key(event: str, kwargs: Any) -> tuple[str, str] | None:
    call_id = kwargs.get("litellm_call_id") if isinstance(kwargs, Mapping) else None
    if not isinstance(call_id, str) or not call_id:
        return None
    return call_id, "async" if event.startswith("async_") else "sync"


class TracemaskLogger(CustomLogger):
    """A LiteLLM callback whose logging hooks return masked copies of the call's payload.

    Register it with ``litellm.callbacks`` (so that both the sync and the async success handlers
    run it) or the proxy's ``litellm_settings.callbacks``. It logs nothing itself.

    Args:
        masker: the :class:`~tracemask.Masker` to use (default: one built from ``policy``).
        policy: a policy, its path or preset name (default: ``$TRACEMASK_POLICY``, else the
            default policy); not both ``masker`` and ``policy``.
        keep_accounting_fields: keep ``user_api_key*`` / ``user_api_end_user*`` fields of
            ``litellm_params`` and its ``metadata`` as they are. LiteLLM keeps the hook's copy as
            the call's logging state, and the proxy's spend tracking, budgets and rate limiters
            read those fields from it; masking them (the hashed key matches the ``*api_key``
            rule, an email used as user id is masked) breaks them. The copy in
            ``standard_logging_object.metadata`` is masked either way. Turn off outside the proxy
            to mask them everywhere.
        honor_opt_out_header: leave message content unmasked for requests that carry
            ``litellm-disable-message-redaction`` *and* whose key or team metadata sets
            ``allow_client_message_redaction_opt_out`` (``docs/integrations/litellm.md``).
        **kwargs: passed to ``CustomLogger`` (``turn_off_message_logging``, ``message_logging``).
    """

    def __init__(
        self,
        masker: Masker | None = None,
        *,
        policy: Policy | Mapping[str, Any] | str | None = None,
        keep_accounting_fields: bool = True,
        honor_opt_out_header: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.masker = _build_masker(masker, policy)
        self._payload = _PayloadMasker(
            self.masker,
            keep_accounting_fields=keep_accounting_fields,
            honor_opt_out_header=honor_opt_out_header,
        )

    def __repr__(self) -> str:
        return f"<TracemaskLogger {self.masker!r} fail_mode={self.masker.policy.fail_mode}>"

    def logging_hook(
        self, kwargs: dict[Any, Any], result: object, call_type: str
    ) -> tuple[dict[Any, Any], object]:
        """Return masked copies of ``(kwargs, result)``; LiteLLM logs those instead."""
        return self._payload.call(kwargs, result, shared=True)

    async def async_logging_hook(
        self, kwargs: dict[Any, Any], result: object, call_type: str
    ) -> tuple[dict[Any, Any], object]:
        """Return masked copies of ``(kwargs, result)``; LiteLLM logs those instead."""
        return self._payload.call(kwargs, result, shared=True)


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
    ) -> None:
        # CustomLogger.__init__ would overwrite the wrapped logger's redaction switches.
        self.inner = inner
        self.masker = _build_masker(masker, policy)
        self._payload = _PayloadMasker(
            self.masker, keep_accounting_fields=False, honor_opt_out_header=honor_opt_out_header
        )
        self._streams = _StreamRegistry(self.masker)

    def __repr__(self) -> str:
        return f"<masked {self.inner!r}>"

    def __getattr__(self, name: str) -> Any:
        # Not set yet (during __init__): no recursion into inner.
        if name in {"inner", "masker", "_payload", "_streams"}:
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
            kw, obj = self._payload.call(kwargs, response_obj, shared=False)
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
        return getattr(self.inner, event)(kwargs=kw, response_obj=obj, **rest)

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
        deliver = getattr(self.inner, event)
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
            deliver = getattr(self.inner, stream_event)
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
        return self.inner.log_pre_api_call(model=model, messages=msgs, kwargs=kw)  # type: ignore[no-untyped-call] # LiteLLM leaves it unannotated

    async def async_log_pre_api_call(self, model: Any, messages: Any, kwargs: Any) -> Any:
        """Pass the pre-call event on with masked ``messages`` and ``kwargs``."""
        masked_call = self._pre_call("async_log_pre_api_call", model, messages, kwargs)
        if masked_call is None:
            return None
        kw, msgs = masked_call
        return await self.inner.async_log_pre_api_call(model=model, messages=msgs, kwargs=kw)  # type: ignore[no-untyped-call] # LiteLLM leaves it unannotated

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
            if inspect.isfunction(mine):
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


_PROXY_INSTANCE: TracemaskLogger | None = None
_PROXY_LOCK = threading.Lock()


def __getattr__(name: str) -> Any:
    """``proxy_handler_instance``: built on first access, with the policy in ``$TRACEMASK_POLICY``.

    The proxy resolves ``tracemask.integrations.litellm.proxy_handler_instance`` with
    ``getattr`` while it loads ``config.yaml``, so an invalid policy stops it at startup.
    """
    if name != "proxy_handler_instance":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    global _PROXY_INSTANCE  # noqa: PLW0603 - one instance per process, built lazily
    with _PROXY_LOCK:
        if _PROXY_INSTANCE is None:
            _PROXY_INSTANCE = TracemaskLogger()
        return _PROXY_INSTANCE


if TYPE_CHECKING:
    proxy_handler_instance: TracemaskLogger

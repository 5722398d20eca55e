"""Masked copies of LiteLLM logging payloads (``model_call_details`` and the response)."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar, cast

import litellm
from pydantic import BaseModel

from tracemask._masker import Masker
from tracemask._scope import use_scope
from tracemask.integrations._guard import WITHHELD, fail_open, masker_or_default
from tracemask.integrations.litellm._accounting import AccountingIds
from tracemask.policy import Policy

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
#: Keys of :meth:`HookOutputs.masked_once` entries other than post-call hook copies.
_ACCOUNTING_MASKED: Final = object()
USER_MASKED: Final = object()
_T = TypeVar("_T")

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
        self,
        masker: Masker,
        *,
        keep_accounting_fields: bool,
        honor_opt_out_header: bool,
        accounting_ids: AccountingIds | None = None,
        hook_outputs: HookOutputs | None = None,
    ) -> None:
        self.masker = masker
        self.fail_open = fail_open(masker)
        self.keep_accounting_fields = keep_accounting_fields
        self.honor_opt_out_header = honor_opt_out_header
        self.accounting = accounting_ids if accounting_ids is not None else AccountingIds()
        #: The handler's recent hook outputs, shared with the loggers it guards.
        self.outputs = hook_outputs

    def masks(self, text: str) -> bool:
        """Whether the policy would change ``text`` (an accounting id); ``True`` if unsure."""
        try:
            return bool(self.masker.mask_text(text) != text)
        except Exception:  # noqa: BLE001 - fail closed: pseudonymize what cannot be checked
            return True

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
        # A pydantic model's private attributes (ModelResponse's ``_hidden_params``,
        # ``_response_headers``) are masked by the walker into the copy's own.
        return new

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
        original = kwargs
        kwargs = self.accounting.before(kwargs, self.masks)
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
        return cast("dict[str, Any]", self.accounting.after(original, out))

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
            hit = self.outputs.get(kwargs) if self.outputs is not None else None
            kwargs = _snapshot(kwargs)
            opted_out = self.opted_out(kwargs)
            with use_scope(**call_scope(kwargs)):
                if hit is not None:
                    return self._from_hook_output(kwargs, result, hit, shared=shared)
                masked = (
                    self.kwargs(kwargs, shared=shared, opted_out=opted_out),
                    self.result(result, opted_out=opted_out),
                )
                if shared and self.outputs is not None:
                    self.outputs.add(*masked)
                return masked
        except Exception:  # noqa: BLE001 - a bug here must not raise into LiteLLM nor leak
            _log.warning("tracemask: masking a LiteLLM logging payload failed")
        try:
            if self.fail_open:
                return _snapshot(kwargs), result
            fallback = self.fallback_kwargs(kwargs)
        except Exception:  # noqa: BLE001 - last resort: log nothing at all
            fallback = {}
        return fallback, None if result is None else {"text": WITHHELD}

    def _from_hook_output(
        self,
        kwargs: dict[str, Any],
        result: object,
        hit: tuple[dict[str, Any], object],
        *,
        shared: bool,
    ) -> tuple[dict[str, Any], object]:
        """The event's payload when LiteLLM hands a logger the handler's own hook output (the
        call's logging state): values still the hook's masked ones, unchanged in shape, are
        passed on; anything LiteLLM replaced or added since is masked now; and the accounting
        fields the hook kept for the proxy are masked for a logger."""
        shapes, hook_result = hit
        out: dict[str, Any] = {}
        for key, value in kwargs.items():
            if key in _PASSTHROUGH_KEYS or shapes.get(key) == _fingerprint(value):
                out[key] = value
            elif (masked := self.value(value, (key,))) is not _DROPPED:
                out[key] = masked
        if not (shared and self.keep_accounting_fields):
            params = out.get("litellm_params")
            if self.outputs is not None and isinstance(params, Mapping):
                # Every guarded logger is handed the same hook output: the accounting fields
                # are masked once for all of them (keyed by the params object, kept alive).
                out["litellm_params"] = self.outputs.masked_once(
                    (params, _ACCOUNTING_MASKED), lambda: self._accounting_masked(params)
                )
            else:
                self._mask_accounting(out)
            if litellm.redact_user_api_key_info is True:
                self._drop_user_api_key_info(out, params_too=True)
        return out, hook_result if result is hook_result else self.result(result)

    def _mask_accounting(self, out: dict[str, Any]) -> None:
        params = out.get("litellm_params")
        if isinstance(params, Mapping):
            out["litellm_params"] = self._accounting_masked(params)

    def _accounting_masked(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` (``litellm_params``) with its accounting fields, and its metadata's,
        masked."""
        new = dict(params)
        for path, holder in [((), params)] + [
            ((f,), params[f]) for f in _METADATA_KEYS if isinstance(params.get(f), Mapping)
        ]:
            fields = {k: v for k, v in _snapshot(holder).items() if _is_accounting(k)}
            if not fields:
                continue
            masked = self.value(fields, ("litellm_params", *path))
            if not isinstance(masked, Mapping):
                masked = dict.fromkeys(fields, WITHHELD)
            rest = {k: v for k, v in _snapshot(holder).items() if not _is_accounting(k)}
            if path:
                new[path[0]] = {**rest, **masked}
            else:
                new = {**{k: v for k, v in new.items() if not _is_accounting(k)}, **masked}
        return new


class HookOutputs:
    """The handler's last masked payloads (bounded), so that a logger LiteLLM later hands one
    of them (the call's logging state) does not mask it all again."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[int, tuple[dict[str, Any], dict[str, Any], object]] = OrderedDict()
        self._posts: OrderedDict[tuple[int, ...], tuple[tuple[object, ...], Any]] = OrderedDict()

    def add(self, kwargs: dict[str, Any], result: object) -> None:
        """Remember ``kwargs`` (as returned by the hook) and the value shapes it had."""
        shapes = {k: _fingerprint(v) for k, v in kwargs.items()}
        with self._lock:
            self._items[id(kwargs)] = (kwargs, shapes, result)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def masked_once(self, key: tuple[object, ...], build: Callable[[], _T]) -> _T:
        """``build()``'s masked copies, made once for the objects in ``key`` (the proxy hands
        the same request and response to each logger's post-call hook in turn, LiteLLM the
        same hook output to each logger's success event). ``key`` holds the objects
        themselves: they stay alive while remembered, so an id is never another object's."""
        ident = tuple(id(k) for k in key)
        with self._lock:
            entry = self._posts.get(ident)
        if entry is not None and all(a is b for a, b in zip(entry[0], key, strict=True)):
            return cast("_T", entry[1])
        built = build()
        with self._lock:
            self._posts[ident] = (key, built)
            while len(self._posts) > self._size:
                self._posts.popitem(last=False)
        return built

    def get(self, kwargs: object) -> tuple[dict[str, Any], object] | None:
        """``(shapes, result)`` if ``kwargs`` is a remembered hook output (the same object)."""
        with self._lock:
            entry = self._items.get(id(kwargs))
        if entry is None or entry[0] is not kwargs:
            return None
        return entry[1], entry[2]


def _fingerprint(value: object) -> object:
    """Identity and sizes of ``value`` two levels down: a container LiteLLM filled or replaced
    after the hook no longer matches."""
    if isinstance(value, Mapping):
        return (
            id(value),
            len(value),
            tuple(
                (k, id(v), len(v) if isinstance(v, Mapping | list) else None)
                for k, v in list(value.items())
            ),
        )
    if isinstance(value, list):
        return (id(value), len(value))
    return (id(value), None)


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
    return masker_or_default(masker) if policy is None else Masker(policy)

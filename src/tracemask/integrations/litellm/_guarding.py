"""Guard every logger LiteLLM holds, in place, once a :class:`TracemaskLogger` is registered.

LiteLLM calls each logger's ``log_*`` methods and post-call hooks directly, with the live call
payload; only success events pass through the ``logging_hook`` first. So each logger LiteLLM
dispatches to (custom ones, and the built-in integrations it builds from names such as
``"otel"``, ``"langfuse_otel"`` or ``"generic_api"``) gets masking versions of exactly the
event methods its class overrides, as instance attributes: a :class:`MaskedLogger` that delivers
to the class's own methods. The logger object itself stays in LiteLLM's lists, so
``isinstance`` checks, ``callback_name`` and the proxy's ``open_telemetry_logger`` keep working.

LiteLLM instantiates built-in integrations lazily and a user can add loggers at any time, so
loggers are guarded where LiteLLM dispatches: :func:`install` wraps ``Logging``'s callback-list
and pre/post-call methods and the proxy's post-call hooks, each of which guards the loggers it
is about to call (an attribute check per logger once guarded).

Not guarded: guardrails (``CustomGuardrail``: they must see the real request to block or
rewrite it), the proxy's own limiters, budgets and caches (``litellm.proxy.*``, router
strategies), which keep accounting; the proxy's spend-log writer (``_ProxyDBLogger``) is guarded
with its accounting fields kept and the live ``UserAPIKeyAuth`` it settles budgets on.
"""

from __future__ import annotations

import functools
import inspect
import logging
import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Any, Final

import litellm
from litellm.integrations.custom_logger import CustomLogger

from tracemask._masker import Masker
from tracemask.integrations.litellm._accounting import AccountingIds
from tracemask.integrations.litellm._payload import HookOutputs
from tracemask.integrations.litellm._wrapper import GUARDED_METHODS, MaskedLogger

__all__ = ["guard", "guarded_names", "install", "sweep", "unguard", "uninstall"]

#: Modules whose loggers are LiteLLM's own machinery (rate limits, budgets, routing, caches):
#: they read the live request and accounting fields and send nothing out.
_INTERNAL_PREFIXES: Final = (
    "litellm.proxy.",
    "litellm.router",
    "litellm.caching",
    "litellm.litellm_core_utils.",
    "litellm_enterprise.",
    "litellm._service_logger",
    "tracemask.",
)
#: The proxy's spend-log writer: guarded, with its accounting kept.
_SPEND_LOGGERS: Final = frozenset({"_ProxyDBLogger"})
#: The attribute that marks a guarded logger (its guard).
_MARK: Final = "_tracemask_guard"

_log = logging.getLogger(__name__)


class _InPlaceGuard(MaskedLogger):
    """A :class:`MaskedLogger` installed on the logger itself: it delivers to the class's
    methods (the instance's own attributes are the masking ones)."""

    def _method(self, name: str) -> Callable[..., Any]:
        function = inspect.getattr_static(type(self.inner), name)
        return functools.partial(function, self.inner)

    def __repr__(self) -> str:
        return f"<tracemask guard of {type(self.inner).__name__}>"


class _Registry:
    """What :func:`install` set up: the masker and options, and the loggers guarded so far."""

    def __init__(
        self,
        masker: Masker,
        accounting: AccountingIds,
        honor_opt_out: bool,
        hook_outputs: HookOutputs | None,
    ) -> None:
        self.masker = masker
        self.accounting = accounting
        self.honor_opt_out = honor_opt_out
        self.hook_outputs = hook_outputs
        self.lock = threading.Lock()
        self.names: list[str] = []
        #: Loggers found not to be guarded (guardrails, LiteLLM's own): not checked again.
        self.skipped: weakref.WeakSet[CustomLogger] = weakref.WeakSet()


_STATE: dict[str, _Registry] = {}
_PATCH_LOCK = threading.Lock()


def _guardable(logger: object) -> bool:
    # A TracemaskLogger (``_tracemask_handler``) and a masked() wrapper mask by themselves.
    if (
        not isinstance(logger, CustomLogger)
        or isinstance(logger, MaskedLogger)
        or getattr(type(logger), "_tracemask_handler", False)
    ):
        return False
    try:
        from litellm.integrations.custom_guardrail import CustomGuardrail  # noqa: PLC0415
    except ImportError:  # pragma: no cover - a LiteLLM without guardrails
        pass
    else:
        if isinstance(logger, CustomGuardrail):
            return False
    cls = type(logger)
    if cls.__name__ in _SPEND_LOGGERS:
        return True
    # ``_PROXY_*``: LiteLLM's naming for the proxy's internal callbacks (it runs them even for
    # ``no-log`` requests); they read the call's logging state, which the hook already masked.
    return not (
        cls.__name__.startswith("_PROXY_") or f"{cls.__module__}.".startswith(_INTERNAL_PREFIXES)
    )


def _overrides(cls: type, name: str) -> bool:
    mine = inspect.getattr_static(cls, name, None)
    return mine is not None and mine is not inspect.getattr_static(CustomLogger, name, None)


def logger_name(logger: object) -> str:
    """How logs and the startup line name a logger: LiteLLM's callback name, else its class."""
    name = getattr(logger, "callback_name", None)
    return name if isinstance(name, str) and name else type(logger).__name__


def guard(
    logger: CustomLogger,
    masker: Masker,
    *,
    accounting: AccountingIds | None = None,
    honor_opt_out_header: bool = True,
    hook_outputs: HookOutputs | None = None,
) -> bool:
    """Make ``logger`` receive masked copies of its events and post-call hooks, in place
    (replacing an earlier guard, made with another masker).

    Returns ``True`` if it was guarded now, ``False`` if it must not be.
    """
    if not _guardable(logger):
        return False
    unguard(logger)
    spend = type(logger).__name__ in _SPEND_LOGGERS
    guard_ = _InPlaceGuard(
        logger,
        masker,
        honor_opt_out_header=honor_opt_out_header,
        keep_accounting_fields=spend,
        accounting_ids=accounting,
        hook_outputs=hook_outputs,
    )
    for name in GUARDED_METHODS:
        if _overrides(type(logger), name):
            # Instance attributes win over the class's methods wherever LiteLLM calls them.
            object.__setattr__(logger, name, getattr(guard_, GUARDED_METHODS[name]))
    object.__setattr__(logger, _MARK, guard_)
    _guard_tracer_providers(logger, masker)
    return True


def _guard_tracer_providers(logger: CustomLogger, masker: Masker) -> None:
    """Mask at the exporter side of LiteLLM's OpenTelemetry loggers (``otel``,
    ``langfuse_otel``, ...): the proxy records spans of its own on their tracer (the parent
    "Received Proxy Server Request" span, its error status and ``error.message``), through
    methods no event passes. The logger's provider gets a masking processor first, and each
    span processor it builds later (per-request providers) is wrapped in one."""
    provider = getattr(logger, "_tracer_provider", None)
    build = getattr(type(logger), "_get_span_processor", None)
    if provider is None and build is None:
        return
    try:
        from tracemask.integrations.otel import (  # noqa: PLC0415 - needs the OTel SDK
            MaskingSpanProcessor,
            mask_provider,
        )
    except ImportError:  # pragma: no cover - an OTel logger without the SDK cannot export
        return
    if provider is not None and mask_provider(provider, masker) is None:
        _log.warning(
            "tracemask: the tracer provider of LiteLLM logger %s could not be masked",
            logger_name(logger),
        )
    if callable(build):

        def masked_span_processor(*args: Any, **kwargs: Any) -> Any:
            return MaskingSpanProcessor(masker, inner=build(logger, *args, **kwargs))

        object.__setattr__(logger, "_get_span_processor", masked_span_processor)


def unguard(logger: CustomLogger) -> None:
    """Undo :func:`guard`: the logger's class methods are called directly again."""
    if getattr(logger, _MARK, None) is None:
        return
    for name in (*GUARDED_METHODS, _MARK, "_get_span_processor"):
        vars(logger).pop(name, None)


def _sweep_list(callbacks: Iterable[Any], registry: _Registry) -> None:
    for callback in callbacks:
        if not isinstance(callback, CustomLogger) or callback in registry.skipped:
            continue
        current = getattr(callback, _MARK, None)
        if current is None or current.masker is not registry.masker:
            with registry.lock:
                if not guard(
                    callback,
                    registry.masker,
                    accounting=registry.accounting,
                    honor_opt_out_header=registry.honor_opt_out,
                    hook_outputs=registry.hook_outputs,
                ):
                    registry.skipped.add(callback)
                else:
                    name = logger_name(callback)
                    if name not in registry.names:
                        registry.names.append(name)
                        _log.info("tracemask: guarding LiteLLM logger %s", name)


def _global_lists() -> list[Iterable[Any]]:
    lists: list[Iterable[Any]] = [
        getattr(litellm, name, None) or ()
        for name in (
            "callbacks",
            "input_callback",
            "success_callback",
            "failure_callback",
            "_async_success_callback",
            "_async_failure_callback",
            "_async_input_callback",
            "service_callback",
        )
    ]
    try:
        from litellm.litellm_core_utils import litellm_logging  # noqa: PLC0415
    except ImportError:  # pragma: no cover
        return lists
    lists.append(getattr(litellm_logging, "_in_memory_loggers", None) or ())
    return lists


def sweep(extra: Iterable[Any] = ()) -> None:
    """Guard every logger in LiteLLM's global lists (and ``extra``) not guarded yet."""
    registry = _STATE.get("registry")
    if registry is None:
        return
    for callbacks in (*_global_lists(), extra):
        _sweep_list(list(callbacks), registry)


def guarded_names() -> list[str]:
    """The loggers guarded so far, by name, in the order they were guarded."""
    registry = _STATE.get("registry")
    return list(registry.names) if registry is not None else []


def _wrap(owner: type, name: str, before: Callable[[Any, tuple[Any, ...]], None]) -> None:
    """Replace ``owner.name`` by a function that calls ``before(self, args)`` first."""
    original = owner.__dict__.get(name)
    if original is None or getattr(original, "__tracemask_wrapped__", False):
        return
    if inspect.iscoroutinefunction(original):

        @functools.wraps(original)
        async def async_wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            before(self, args)
            return await original(self, *args, **kwargs)

        async_wrapper.__tracemask_wrapped__ = True  # type: ignore[attr-defined]
        setattr(owner, name, async_wrapper)
        return

    @functools.wraps(original)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        before(self, args)
        return original(self, *args, **kwargs)

    wrapper.__tracemask_wrapped__ = True  # type: ignore[attr-defined]
    setattr(owner, name, wrapper)


def _sweep_call(self: Any, args: tuple[Any, ...]) -> None:
    try:
        dynamic = [
            getattr(self, name, None) or ()
            for name in (
                "dynamic_input_callbacks",
                "dynamic_success_callbacks",
                "dynamic_failure_callbacks",
                "dynamic_async_success_callbacks",
                "dynamic_async_failure_callbacks",
            )
        ]
        sweep([c for group in dynamic for c in group])
    except Exception:  # noqa: BLE001 - never raise into LiteLLM's dispatch
        _log.warning("tracemask: guarding LiteLLM loggers failed")


def _sweep_args(self: Any, args: tuple[Any, ...]) -> None:
    try:
        sweep([a for a in args if isinstance(a, CustomLogger)])
        for arg in args:
            if isinstance(arg, list):
                sweep(arg)
    except Exception:  # noqa: BLE001 - never raise into LiteLLM's dispatch
        _log.warning("tracemask: guarding LiteLLM loggers failed")


def _patch_logging() -> None:
    from litellm.litellm_core_utils.litellm_logging import Logging  # noqa: PLC0415

    # Every success, failure and stream event is delivered to the list this returns.
    original = Logging.__dict__["get_combined_callback_list"]
    if not getattr(original, "__tracemask_wrapped__", False):

        @functools.wraps(original)
        def get_combined_callback_list(self: Any, *args: Any, **kwargs: Any) -> Any:
            callbacks = original(self, *args, **kwargs)
            _sweep_args(self, (callbacks,))
            return callbacks

        get_combined_callback_list.__tracemask_wrapped__ = True  # type: ignore[attr-defined]
        Logging.get_combined_callback_list = get_combined_callback_list  # type: ignore[method-assign]
    for name in ("pre_call", "post_call", "async_post_mcp_tool_call_hook"):
        _wrap(Logging, name, _sweep_call)


def _patch_proxy() -> None:
    """The proxy's post-call hooks iterate ``litellm.callbacks`` themselves."""
    import sys  # noqa: PLC0415

    utils = sys.modules.get("litellm.proxy.utils")
    proxy_logging = getattr(utils, "ProxyLogging", None)
    if proxy_logging is None:
        return
    for name in (
        "post_call_success_hook",
        "post_call_failure_hook",
        "async_post_call_streaming_hook",
        "async_post_call_streaming_iterator_hook",
        "pre_call_hook",
        "during_call_hook",
    ):
        _wrap(proxy_logging, name, _sweep_call)


def install(
    masker: Masker,
    accounting: AccountingIds,
    *,
    honor_opt_out_header: bool = True,
    hook_outputs: HookOutputs | None = None,
) -> None:
    """Guard every LiteLLM logger from now on with ``masker``.

    LiteLLM's callback lists are process-wide, so this is too: the latest call's masker wins
    (a logger guarded with an earlier one is guarded again at its next dispatch).
    """
    with _PATCH_LOCK:
        _STATE["registry"] = _Registry(masker, accounting, honor_opt_out_header, hook_outputs)
        _patch_logging()
        _patch_proxy()
    sweep()


def installed_masker() -> Masker | None:
    """The masker :func:`install` guards loggers with, if it ran."""
    registry = _STATE.get("registry")
    return registry.masker if registry is not None else None


def uninstall() -> None:
    """Stop guarding: every guarded logger in LiteLLM's lists is unguarded (tests, shutdown)."""
    with _PATCH_LOCK:
        _STATE.pop("registry", None)
    for callbacks in _global_lists():
        for callback in list(callbacks):
            if isinstance(callback, CustomLogger):
                unguard(callback)

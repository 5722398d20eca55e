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

import threading
from typing import TYPE_CHECKING, Any

from tracemask.integrations._guard import WITHHELD, require

require("litellm", integration=__name__, extra="litellm", what="LiteLLM")

from tracemask.integrations.litellm._logger import TracemaskLogger  # noqa: E402
from tracemask.integrations.litellm._payload import SECRET, MaskedException, call_scope  # noqa: E402
from tracemask.integrations.litellm._wrapper import MaskedLogger, masked  # noqa: E402

__all__ = [
    "SECRET",
    "WITHHELD",
    "MaskedException",
    "MaskedLogger",
    "TracemaskLogger",
    "call_scope",
    "masked",
    "proxy_handler_instance",
]


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
            from tracemask.integrations.litellm._proxy import build_proxy_handler  # noqa: PLC0415

            _PROXY_INSTANCE = build_proxy_handler()
        return _PROXY_INSTANCE


if TYPE_CHECKING:
    proxy_handler_instance: TracemaskLogger

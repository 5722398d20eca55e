"""What ``proxy_handler_instance`` sets up when the LiteLLM proxy loads its config.

- a :class:`TracemaskLogger` with the policy in ``$TRACEMASK_POLICY`` (an invalid one stops the
  proxy at startup) and the accounting-id mode in ``$TRACEMASK_LITELLM_ACCOUNTING_IDS``;
- tracemask's logging filter on LiteLLM's own loggers (``LiteLLM``, ``LiteLLM Proxy``,
  ``LiteLLM Router``) and their handlers, so their lines (an upstream error that echoes the
  prompt, a traceback) are masked before they are written;
- one startup line saying that masking is on: the policy, its hash, the fail mode, the
  accounting ids, and the loggers it guards.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Final, cast

import litellm

from tracemask.integrations.litellm._accounting import AccountingIds, AccountingMode
from tracemask.integrations.litellm._guarding import logger_name
from tracemask.integrations.litellm._logger import TracemaskLogger
from tracemask.integrations.logging import MaskingFilter

__all__ = ["LITELLM_LOGGERS", "build_proxy_handler", "policy_hash"]

#: LiteLLM's own loggers (``litellm._logging``) and the child the proxy writes to stdout with.
LITELLM_LOGGERS: Final = ("LiteLLM", "LiteLLM Proxy", "LiteLLM Router", "LiteLLM Proxy.stdout")
_ACCOUNTING_ENV: Final = "TRACEMASK_LITELLM_ACCOUNTING_IDS"

_log = logging.getLogger("LiteLLM Proxy")


def policy_hash(handler: TracemaskLogger) -> str:
    """The first 12 hex digits of the SHA-256 of the policy's JSON (keys are not in it)."""
    dumped = handler.masker.policy.model_dump_json()
    return hashlib.sha256(dumped.encode()).hexdigest()[:12]


def _mask_litellm_logs(handler: TracemaskLogger) -> MaskingFilter:
    """Put one MaskingFilter on LiteLLM's loggers and on each of their handlers.

    On the logger, it survives LiteLLM swapping handlers (JSON logs, a host app's config); on
    the handlers, it also covers records propagated from child loggers (a logger's own filters
    never see those).
    """
    flt = MaskingFilter(handler.masker)
    for name in LITELLM_LOGGERS:
        logger = logging.getLogger(name)
        if flt not in logger.filters:
            logger.addFilter(flt)
        for log_handler in logger.handlers:
            if flt not in log_handler.filters:
                log_handler.addFilter(flt)
    return flt


def _configured_callbacks() -> list[str]:
    names: list[str] = []
    for callback in litellm.callbacks:
        if isinstance(callback, TracemaskLogger):
            continue
        name = callback if isinstance(callback, str) else logger_name(callback)
        if name not in names:
            names.append(name)
    return names


def build_proxy_handler() -> TracemaskLogger:
    """The proxy's handler: built from the environment, logs masked, startup line written."""
    mode = os.environ.get(_ACCOUNTING_ENV, "pseudonymize").strip().lower() or "pseudonymize"
    handler = TracemaskLogger(accounting_ids=AccountingIds(cast(AccountingMode, mode)))
    _mask_litellm_logs(handler)
    accounting = handler.accounting
    key = f", key {accounting.key_source}" if accounting.mode == "pseudonymize" else ""
    loaded = _configured_callbacks()
    # WARNING: the proxy's loggers drop INFO by default, and this line is what an operator
    # checks to know masking is on.
    _log.warning(
        "tracemask: masking LiteLLM logging with policy %s (sha256 %s), fail_mode %s, "
        "accounting ids %s%s; guarding every LiteLLM logger, custom and built-in, present and "
        "added later (%s), and LiteLLM's own log lines",
        os.environ.get("TRACEMASK_POLICY") or "default",
        policy_hash(handler),
        handler.masker.policy.fail_mode,
        accounting.mode,
        key,
        ", ".join(loaded) if loaded else "none loaded yet",
    )
    return handler

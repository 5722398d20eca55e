"""The callback whose logging hooks hand LiteLLM masked copies of each call's payload."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from tracemask._masker import Masker
from tracemask.integrations.litellm._accounting import AccountingIds, AccountingMode
from tracemask.integrations.litellm._guarding import install
from tracemask.integrations.litellm._payload import HookOutputs, _build_masker, _PayloadMasker
from tracemask.policy import Policy


class TracemaskLogger(CustomLogger):
    """A LiteLLM callback that masks what every other LiteLLM logger receives.

    Register it with ``litellm.callbacks`` (so that both the sync and the async success handlers
    run it) or the proxy's ``litellm_settings.callbacks``. It logs nothing itself. Its logging
    hooks return masked copies of each call's payload (LiteLLM keeps them as the call's logging
    state: success events, spend logs); and, with ``guard_loggers``, every other logger LiteLLM
    holds or adds later, custom or built-in (``"otel"``, ``"langfuse_otel"``, ``"generic_api"``,
    ...), is guarded in place: its failure, stream, pre/post-API-call and post-call-hook events
    get masked copies too (see ``_guarding``). LiteLLM's callback lists are process-wide: the
    latest ``TracemaskLogger`` built with ``guard_loggers`` guards them.

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
        accounting_ids: how the request's ``user``, the end user and the key owner's email
            appear: ``"pseudonymize"`` (default: an id the policy would mask becomes a keyed
            ``<USER_…>`` pseudonym, so spend still groups by user), ``"keep"`` (raw; end-user
            budgets keyed by the raw id keep working) or ``"mask"``; or an
            :class:`AccountingIds` with its own key.
        guard_loggers: guard every other LiteLLM logger (default ``True``).
        **kwargs: passed to ``CustomLogger`` (``turn_off_message_logging``, ``message_logging``).
    """

    #: How LiteLLM names this callback (``/health/readiness`` lists ``callback.__name__``).
    __name__ = "tracemask"
    #: Marks the handler for the guard: it masks by itself and is never guarded.
    _tracemask_handler = True

    def __init__(
        self,
        masker: Masker | None = None,
        *,
        policy: Policy | Mapping[str, Any] | str | None = None,
        keep_accounting_fields: bool = True,
        honor_opt_out_header: bool = True,
        accounting_ids: AccountingMode | AccountingIds = "pseudonymize",
        guard_loggers: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.masker = _build_masker(masker, policy)
        self.accounting = (
            accounting_ids
            if isinstance(accounting_ids, AccountingIds)
            else AccountingIds(accounting_ids)
        )
        outputs = HookOutputs()
        self._payload = _PayloadMasker(
            self.masker,
            keep_accounting_fields=keep_accounting_fields,
            honor_opt_out_header=honor_opt_out_header,
            accounting_ids=self.accounting,
            hook_outputs=outputs,
        )
        if guard_loggers:
            install(
                self.masker,
                self.accounting,
                honor_opt_out_header=honor_opt_out_header,
                hook_outputs=outputs,
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

"""The callback whose logging hooks hand LiteLLM masked copies of each call's payload."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litellm.integrations.custom_logger import CustomLogger

from tracemask._masker import Masker
from tracemask.integrations.litellm._payload import _build_masker, _PayloadMasker
from tracemask.policy import Policy


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

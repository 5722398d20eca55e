"""The proxy's accounting ids (the request's ``user``, the end user, the key owner's email).

LiteLLM groups spend, budgets and logs by these ids, and they are often emails. Masking them like
any text (``<EMAIL_ADDRESS>``) would merge every user into one; keeping them sends the emails to
every logger and to the spend-log table. The default is a keyed pseudonym: an id that holds
personal data becomes ``<USER_…>`` (HMAC-SHA256 of the id, 16 hex digits), the same for the same
id in every process that shares the key, so spend still groups by user; an id with nothing to
mask (``cus_8812``, a UUID) stays as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal

__all__ = ["ACCOUNTING_ID_KEYS", "AccountingIds", "AccountingMode"]

AccountingMode = Literal["pseudonymize", "keep", "mask"]

#: Keys whose string values are accounting ids, wherever they appear in a logging payload
#: (top level, ``optional_params``, ``litellm_params.metadata``, ``standard_logging_object``).
ACCOUNTING_ID_KEYS: Final = frozenset(
    {
        "user",
        "end_user",
        "end_user_id",
        "user_api_key_end_user_id",
        "user_api_key_user_id",
        "user_api_key_user_email",
        "user_email",
        "user_id",
    }
)
#: Payload keys that hold content, never accounting ids: not searched (they can be large).
_CONTENT: Final = frozenset(
    {
        "messages",
        "input",
        "prompt",
        "response",
        "original_response",
        "complete_streaming_response",
        "async_complete_streaming_response",
        "additional_args",
        "tools",
    }
)
#: Where the key comes from, in order: the variable the keyed operators read, then a secret
#: the proxy already has (a key derived from it, so the pseudonyms survive restarts).
_KEY_ENV: Final = "TRACEMASK_HASH_KEY"
_PROXY_SECRETS: Final = ("LITELLM_SALT_KEY", "LITELLM_MASTER_KEY")
_MAX_DEPTH: Final = 6


def _key_from_environment() -> tuple[bytes, str]:
    raw = os.environ.get(_KEY_ENV)
    if raw:
        return raw.encode(), _KEY_ENV
    for name in _PROXY_SECRETS:
        secret = os.environ.get(name)
        if secret:
            derived = hmac.new(secret.encode(), b"tracemask accounting ids", hashlib.sha256)
            return derived.digest(), f"derived from {name}"
    return secrets.token_bytes(32), "random per process"


class AccountingIds:
    """How accounting ids appear in what loggers and the spend logs receive.

    Args:
        mode: ``"pseudonymize"`` (default): an id the policy would mask becomes a keyed
            pseudonym; ``"keep"``: ids pass as they are (end-user budgets keyed by the raw id
            keep working; the ids reach every logger); ``"mask"``: masked like any other text.
        key: the HMAC key (default: ``$TRACEMASK_HASH_KEY``, else derived from
            ``$LITELLM_SALT_KEY`` or ``$LITELLM_MASTER_KEY``, else random for this process,
            which the proxy's startup line says: pseudonyms then change on restart).
    """

    def __init__(
        self, mode: AccountingMode = "pseudonymize", key: bytes | str | None = None
    ) -> None:
        if mode not in ("pseudonymize", "keep", "mask"):
            raise ValueError(f"accounting_ids must be pseudonymize, keep or mask, not {mode!r}")
        self.mode: AccountingMode = mode
        if key is None:
            self._key, self.key_source = _key_from_environment()
        else:
            self._key = key.encode() if isinstance(key, str) else key
            self.key_source = "argument"

    def token(self, value: str) -> str:
        """The pseudonym of ``value``."""
        digest = hmac.new(self._key, value.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return f"<USER_{digest.hexdigest()[:16]}>"

    def before(self, payload: Any, masks: Callable[[str], bool]) -> Any:
        """``payload`` before masking: each accounting id that ``masks`` would change becomes
        its pseudonym (``pseudonymize``); containers are copied only along changed paths."""
        if self.mode != "pseudonymize" or not isinstance(payload, Mapping):
            return payload
        return self._mapping(payload, masks, 0)

    def after(self, original: Any, masked: Any) -> Any:
        """``masked`` after masking: the raw accounting ids of ``original`` put back
        (``keep``); otherwise ``masked`` as it is."""
        if self.mode != "keep" or not isinstance(original, Mapping):
            return masked
        return self._restore(original, masked, 0)

    def _mapping(self, mapping: Mapping[Any, Any], masks: Callable[[str], bool], depth: int) -> Any:
        changed: dict[Any, Any] = {}
        for key, value in list(mapping.items()):
            if key in _CONTENT:
                continue
            if key in ACCOUNTING_ID_KEYS and isinstance(value, str) and value and masks(value):
                changed[key] = self.token(value)
            elif isinstance(value, Mapping) and depth < _MAX_DEPTH:
                new = self._mapping(value, masks, depth + 1)
                if new is not value:
                    changed[key] = new
        if not changed:
            return mapping
        return {**mapping, **changed}

    def _restore(self, original: Mapping[Any, Any], masked: Any, depth: int) -> Any:
        if not isinstance(masked, Mapping):
            return masked
        changed: dict[Any, Any] = {}
        for key, value in list(original.items()):
            if key in _CONTENT or key not in masked:
                continue
            if key in ACCOUNTING_ID_KEYS and isinstance(value, str):
                if masked[key] != value:
                    changed[key] = value
            elif isinstance(value, Mapping) and depth < _MAX_DEPTH:
                new = self._restore(value, masked[key], depth + 1)
                if new is not masked[key]:
                    changed[key] = new
        if not changed:
            return masked
        return {**masked, **changed}

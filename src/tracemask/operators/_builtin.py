"""The built-in operators."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from tracemask.exceptions import PolicyError


class _Operator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def apply(self, value: str, entity: str) -> str:
        """Return what replaces ``value``, a sensitive value of kind ``entity``."""
        raise NotImplementedError

    def bind(self) -> _Operator:
        """Return the operator ready to run (keys resolved); raise ``PolicyError`` if it cannot."""
        return self


class Replace(_Operator):
    """Replace the value with a template; ``{entity}`` is the entity name.

    ``Replace()`` turns ``jane@example.com`` into ``<EMAIL_ADDRESS>``.
    """

    type: Literal["replace"] = "replace"
    template: str = "<{entity}>"

    @field_validator("template")
    @classmethod
    def _known_fields(cls, template: str) -> str:
        try:
            template.format(entity="X")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"template may only use {{entity}} ({exc!s})") from None
        return template

    def apply(self, value: str, entity: str) -> str:
        return self.template.format(entity=entity)


class Redact(_Operator):
    """Remove the value (replace it with the empty string)."""

    type: Literal["redact"] = "redact"

    def apply(self, value: str, entity: str) -> str:
        return ""


_MASKABLE = re.compile(r"[^\W_]", re.UNICODE)


class Mask(_Operator):
    """Overwrite letters and digits with ``char``, keeping separators and some characters.

    ``Mask(keep_last=4)`` turns ``4111 1111 1111 1111`` into ``**** **** **** 1111``.
    """

    type: Literal["mask"] = "mask"
    char: str = Field(default="*", min_length=1, max_length=1)
    keep_first: int = Field(default=0, ge=0)
    keep_last: int = Field(default=0, ge=0)

    @field_validator("char")
    @classmethod
    def _not_alnum(cls, char: str) -> str:
        if char.isalnum():
            raise ValueError("char must not be a letter or digit (masking would not be idempotent)")
        return char

    def apply(self, value: str, entity: str) -> str:
        positions = [m.start() for m in _MASKABLE.finditer(value)]
        keep = set(positions[: self.keep_first])
        if self.keep_last:
            keep.update(positions[-self.keep_last :])
        # Never reveal the whole value: keep at most half of its letters and digits.
        if len(keep) * 2 > len(positions):
            keep = set()
        chars = list(value)
        for pos in positions:
            if pos not in keep:
                chars[pos] = self.char
        return "".join(chars)


class Hash(_Operator):
    """Replace the value with a keyed HMAC-SHA256 digest: equal values give equal tokens.

    The key comes from ``key`` (discouraged in files) or the environment variable ``key_env``;
    an unkeyed hash of a low-entropy value (a phone number) is reversible by brute force, so
    there is no unkeyed mode.
    """

    type: Literal["hash"] = "hash"
    key_env: str = "TRACEMASK_HASH_KEY"
    key: SecretStr | None = None
    length: int = Field(default=12, ge=8, le=64)
    template: str = "<{entity}:{digest}>"
    normalize: bool = True

    @model_validator(mode="after")
    def _template_has_digest(self) -> Hash:
        if "{digest}" not in self.template:
            raise ValueError("template must contain {digest}")
        return self

    def bind(self) -> Hash:
        if self.key is not None:
            return self
        raw = os.environ.get(self.key_env)
        if not raw:
            raise PolicyError(
                f"operator 'hash': no key; set the environment variable {self.key_env} "
                "or 'key' in the policy"
            )
        return self.model_copy(update={"key": SecretStr(raw)})

    def apply(self, value: str, entity: str) -> str:
        if self.key is None:
            raise PolicyError("operator 'hash' used before its key was bound")
        text = "".join(value.split()).casefold() if self.normalize else value
        mac = hmac.new(self.key.get_secret_value().encode(), digestmod=hashlib.sha256)
        mac.update(entity.encode() + b"\x00" + text.encode("utf-8", "surrogatepass"))
        return self.template.format(entity=entity, digest=mac.hexdigest()[: self.length])


class Keep(_Operator):
    """Leave the value as it is (e.g. to exempt one entity or one path)."""

    type: Literal["keep"] = "keep"

    def apply(self, value: str, entity: str) -> str:
        return value


class Drop(_Operator):
    """Remove the whole field (key and value) from its object. Only valid on key and path rules."""

    type: Literal["drop"] = "drop"

    def apply(self, value: str, entity: str) -> str:
        return ""

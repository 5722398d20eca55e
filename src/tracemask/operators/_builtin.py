"""The built-in operators."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from tracemask.entities import BY_NAME
from tracemask.operators._base import _Operator
from tracemask.operators._keyed import _Keyed


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

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        return self.template.format(entity=entity)


class Redact(_Operator):
    """Remove the value (replace it with the empty string)."""

    type: Literal["redact"] = "redact"

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        return ""


class Mask(_Operator):
    """Overwrite letters and digits with ``char``, keeping separators and some characters.

    ``Mask(keep_last=4)`` turns ``4111 1111 1111 1111`` into ``**** **** **** 1111``. In a
    secret (passwords, keys: ``Entity.category == "secret"``) every character but whitespace
    is overwritten: a password's symbols are part of it.
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

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        # Mask characters count as the letters they hid, so that masking "***lo" again keeps it.
        char = self.char
        row = BY_NAME.get(entity)
        if row is not None and row.category == "secret":
            positions = [i for i, c in enumerate(value) if not c.isspace()]
        else:
            positions = [i for i, c in enumerate(value) if c == char or c.isalnum()]
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


class Hash(_Keyed):
    """Replace the value with a keyed HMAC-SHA256 digest: equal values give equal tokens.

    The key comes from ``key`` (discouraged in files) or the environment variable ``key_env``;
    an unkeyed hash of a low-entropy value (a phone number) is reversible by brute force, so
    there is no unkeyed mode.
    """

    type: Literal["hash"] = "hash"
    length: int = Field(default=12, ge=8, le=64)
    template: str = "<{entity}:{digest}>"
    normalize: bool = True

    @model_validator(mode="after")
    def _template_has_digest(self) -> Hash:
        if "{digest}" not in self.template:
            raise ValueError("template must contain {digest}")
        return self

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        text = "".join(value.split()).casefold() if self.normalize else value
        digest = self.digest(entity, text).hex()
        return self.template.format(entity=entity, digest=digest[: self.length])


class Keep(_Operator):
    """Leave the value as it is (e.g. to exempt one entity or one path)."""

    type: Literal["keep"] = "keep"

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        return value


class Drop(_Operator):
    """Remove the whole field (key and value) from its object. Only valid on key and path rules."""

    type: Literal["drop"] = "drop"

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        return ""

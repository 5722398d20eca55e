"""User operators: a policy names them by ``type``, ``Masker(operators=...)`` supplies them."""

from __future__ import annotations

from collections.abc import Collection

from pydantic import ConfigDict, ValidationInfo, field_validator

from tracemask.operators._base import _Operator
from tracemask.operators._table import BUILTIN_OPERATORS

#: Validation-context key holding the user operator names a policy may use.
USER_OPERATORS = "tracemask_user_operators"


class UserOperatorSpec(_Operator):
    """A policy's reference to a user operator, ``{"type": "stars"}``.

    Valid only when the policy is loaded for a ``Masker`` given an operator of that name
    (``Masker(policy, operators={"stars": stars})``); elsewhere an unknown ``type`` is an
    error naming the known ones. The compiled policy swaps the reference for the user's object.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: str

    @field_validator("type")
    @classmethod
    def _registered(cls, name: str, info: ValidationInfo) -> str:
        context = info.context if isinstance(info.context, dict) else {}
        known: Collection[str] = context.get(USER_OPERATORS, ())
        if name not in known:
            names = ", ".join([*BUILTIN_OPERATORS, *sorted(known)])
            raise ValueError(f"unknown operator type {name!r} (known: {names})")
        return name

    def apply(self, value: str, entity: str, scope: str = "") -> str:
        raise RuntimeError(f"operator {self.type!r} is a reference; compile the policy first")


__all__ = ["USER_OPERATORS", "UserOperatorSpec"]

"""Operators: what is written in place of a sensitive value.

Each built-in operator is a frozen pydantic model (validated when the policy loads) with one
method, ``apply(value, entity, scope="") -> str``. To add one to the package, write a model with
a ``type`` literal, add it to :data:`BUILTIN_OPERATORS` (``_table.py``) and to
:data:`OperatorSpec`; a user operator needs no change here (``Masker(policy, operators={"name":
obj})``, see ``docs/architecture.md``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Discriminator, Tag

from tracemask.operators._builtin import Drop, Hash, Keep, Mask, Redact, Replace
from tracemask.operators._encrypt import Encrypt
from tracemask.operators._pseudonym import Pseudonymize
from tracemask.operators._stores import MemoryStore, PseudonymStore, SqliteStore, Stores
from tracemask.operators._surrogate import Surrogate
from tracemask.operators._table import BUILTIN_OPERATORS
from tracemask.operators._user import USER_OPERATORS, UserOperatorSpec


def _operator_tag(value: Any) -> str | None:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if not isinstance(kind, str):
        return None
    return kind if kind in BUILTIN_OPERATORS else "user"


#: Any operator, discriminated by its ``type`` field in policy files; a ``type`` that is not
#: built in names a user operator (valid only when one of that name was given to the Masker).
OperatorSpec = Annotated[
    Annotated[Replace, Tag("replace")]
    | Annotated[Redact, Tag("redact")]
    | Annotated[Mask, Tag("mask")]
    | Annotated[Hash, Tag("hash")]
    | Annotated[Pseudonymize, Tag("pseudonymize")]
    | Annotated[Surrogate, Tag("surrogate")]
    | Annotated[Encrypt, Tag("encrypt")]
    | Annotated[Keep, Tag("keep")]
    | Annotated[Drop, Tag("drop")]
    | Annotated[UserOperatorSpec, Tag("user")],
    Discriminator(
        _operator_tag,
        custom_error_type="operator_type",
        custom_error_message="an operator needs a 'type' (replace, redact, mask, hash, "
        "pseudonymize, surrogate, encrypt, keep, drop or a user operator's name)",
    ),
]

__all__ = [
    "BUILTIN_OPERATORS",
    "USER_OPERATORS",
    "Drop",
    "Encrypt",
    "Hash",
    "Keep",
    "Mask",
    "MemoryStore",
    "OperatorSpec",
    "PseudonymStore",
    "Pseudonymize",
    "Redact",
    "Replace",
    "SqliteStore",
    "Stores",
    "Surrogate",
    "UserOperatorSpec",
]

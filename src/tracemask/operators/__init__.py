"""Operators: what is written in place of a sensitive value.

Each operator is a frozen pydantic model (validated when the policy loads) with one method,
``apply(value, entity, scope="") -> str``. To add one, write a model with a ``type`` literal and
add it to :data:`OperatorSpec`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from tracemask.operators._builtin import Drop, Hash, Keep, Mask, Redact, Replace
from tracemask.operators._encrypt import Encrypt
from tracemask.operators._pseudonym import Pseudonymize
from tracemask.operators._stores import MemoryStore, PseudonymStore, SqliteStore
from tracemask.operators._surrogate import Surrogate

#: Any operator, discriminated by its ``type`` field in policy files.
OperatorSpec = Annotated[
    Replace | Redact | Mask | Hash | Pseudonymize | Surrogate | Encrypt | Keep | Drop,
    Field(discriminator="type"),
]

__all__ = [
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
    "Surrogate",
]

"""Operators: what is written in place of a sensitive value.

Each operator is a frozen pydantic model (validated when the policy loads) with one method,
``apply(value, entity) -> str``. To add one, write a model with a ``type`` literal and add it to
:data:`OperatorSpec`.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from tracemask.operators._builtin import Drop, Hash, Keep, Mask, Redact, Replace

#: Any operator, discriminated by its ``type`` field in policy files.
OperatorSpec = Annotated[Replace | Redact | Mask | Hash | Keep | Drop, Field(discriminator="type")]

__all__ = ["Drop", "Hash", "Keep", "Mask", "OperatorSpec", "Redact", "Replace"]

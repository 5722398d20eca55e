"""The built-in operators by name: the table policies and user operators are checked against."""

from __future__ import annotations

from typing import Any

from tracemask.operators._builtin import Drop, Hash, Keep, Mask, Redact, Replace
from tracemask.operators._encrypt import Encrypt
from tracemask.operators._pseudonym import Pseudonymize
from tracemask.operators._surrogate import Surrogate

#: The built-in operators by the ``type`` a policy names them with.
BUILTIN_OPERATORS: dict[str, type[Any]] = {
    "replace": Replace,
    "redact": Redact,
    "mask": Mask,
    "hash": Hash,
    "pseudonymize": Pseudonymize,
    "surrogate": Surrogate,
    "encrypt": Encrypt,
    "keep": Keep,
    "drop": Drop,
}

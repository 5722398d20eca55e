"""tracemask: fast, accurate masking of personal data and secrets in LLM traces.

>>> from tracemask import Masker
>>> Masker().mask({"msg": "mail jane.doe@example.com", "trace_id": "4bf92f3577b34da6"})
{'msg': 'mail <EMAIL_ADDRESS>', 'trace_id': '4bf92f3577b34da6'}
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from tracemask.exceptions import InputError, MaskingError, PolicyError, TracemaskError

if TYPE_CHECKING:
    from tracemask._finding import Finding
    from tracemask._masker import Masker
    from tracemask._report import Report
    from tracemask._scope import current_scope, use_scope
    from tracemask._stream import StreamMasker
    from tracemask.policy import Policy, load_policy

__version__ = "0.1.0"

#: Public names imported on first access (PEP 562), so that ``tracemask --version`` or a
#: subcommand that needs no engine does not import every detector.
_LAZY = {
    "Finding": "tracemask._finding",
    "Masker": "tracemask._masker",
    "Report": "tracemask._report",
    "current_scope": "tracemask._scope",
    "use_scope": "tracemask._scope",
    "StreamMasker": "tracemask._stream",
    "Policy": "tracemask.policy",
    "load_policy": "tracemask.policy",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        value = getattr(importlib.import_module(module), name)
        globals()[name] = value
        return value
    if not name.startswith("__"):
        # ``tracemask.policy`` after a bare ``import tracemask``, as when the package imported
        # its engine eagerly: the submodule, imported now.
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise  # a dependency of that submodule is missing: say so
    raise AttributeError(f"module 'tracemask' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Finding",
    "InputError",
    "Masker",
    "MaskingError",
    "Policy",
    "PolicyError",
    "Report",
    "StreamMasker",
    "TracemaskError",
    "__version__",
    "current_scope",
    "load_policy",
    "use_scope",
]

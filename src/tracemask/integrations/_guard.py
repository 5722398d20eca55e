"""What every integration does the same way: fail closed, report a missing extra, default Masker.

One placeholder text (:data:`WITHHELD`), one reading of the policy's ``fail_mode``
(:func:`fail_open`), one warning when masking fails (:func:`warn_failed`: the exception type,
never a value or a path), one error for a missing extra (:func:`require`), one default
(:func:`masker_or_default`). The adapters import these; none re-implements them.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType
from typing import Final

from tracemask._masker import Masker

__all__ = [
    "WITHHELD",
    "fail_open",
    "masker_or_default",
    "missing_extra",
    "require",
    "warn_failed",
]

#: What an adapter sends in place of data it could not mask (fail closed), or of an object it
#: cannot copy safely (a live stream). The same text in every integration, so one search finds
#: every withheld value downstream.
WITHHELD: Final = "<withheld by tracemask>"


def masker_or_default(masker: Masker | None) -> Masker:
    """``masker``, or a ``Masker()`` with the default policy (``$TRACEMASK_POLICY`` if set)."""
    return masker if masker is not None else Masker()


def fail_open(masker: Masker) -> bool:
    """Whether the policy chose to send data unmasked when masking fails (``fail_mode: open``)."""
    return masker.policy.fail_mode == "open"


def warn_failed(log: logging.Logger, what: str, exc: BaseException, masker: Masker) -> None:
    """Log that masking ``what`` failed: the exception's type only (a MaskingError's message
    names a JSON path, made of the payload's own keys), and what happened to the data."""
    log.warning(
        "tracemask: masking %s failed (%s); %s",
        what,
        type(exc).__name__,
        "sent unmasked (fail_mode=open)" if fail_open(masker) else "withheld",
    )


def require(module: str, *, integration: str, extra: str, what: str) -> ModuleType:
    """Import ``module``, or raise ``ImportError`` naming the extra that installs it.

    Args:
        module: the module the adapter needs (``"langsmith"``).
        integration: the adapter's module (``"tracemask.integrations.langsmith"``).
        extra: the tracemask extra that installs it (``"langsmith"``).
        what: how users call the dependency (``"the LangSmith SDK"``).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise missing_extra(integration=integration, extra=extra, what=what) from exc


def missing_extra(*, integration: str, extra: str, what: str) -> ImportError:
    """The one error for a missing extra (see :func:`require`), to raise ``from`` the original."""
    return ImportError(f"{integration} needs {what}: pip install 'tracemask[{extra}]'")

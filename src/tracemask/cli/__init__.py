"""The ``tracemask`` command line: ``redact``, ``detect``, ``scan``, ``decrypt``, ``keygen``,
``eval``, ``bench``, ``policy``, ``serve`` and ``sink``.

One module per command group (``mask``, ``crypto``, ``evaluate``, ``policy``, ``serve``), the
reading and writing machinery in ``_io`` and ``_job``, the group, shared options and the entry
function in ``_app``. A command's module is imported when the command is first looked up
(``COMMAND_MODULES``), so that ``tracemask redact`` imports neither the server nor the benchmark.
"""

from __future__ import annotations

from tracemask.cli._app import (
    EXIT_DECRYPT,
    EXIT_FINDINGS,
    EXIT_MASKING,
    EXIT_OK,
    EXIT_USER,
    cli,
    main,
    run,
)

__all__ = [
    "EXIT_DECRYPT",
    "EXIT_FINDINGS",
    "EXIT_MASKING",
    "EXIT_OK",
    "EXIT_USER",
    "cli",
    "main",
    "run",
]

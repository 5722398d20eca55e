"""OTLP records in archives, masked by the service's OTLP adapter (the same rules as the wire).

OTel file-exporter JSON lines are OTLP JSON export requests, one per line; its ``proto`` format
is a stream of protobuf requests, each prefixed by its length (4 bytes, big-endian). Both need
the server extra (``opentelemetry-proto``); without it JSON lines are masked as plain JSON.
"""

from __future__ import annotations

from typing import Any

from tracemask._masker import Masker
from tracemask._report import Report
from tracemask.server._errors import BadRequestError
from tracemask.server._otlp import LOGS, PROTOBUF, TRACES, mask_otlp

_JSON = "application/json"


def mask_otlp_json(masker: Masker, content: str, obj: dict[str, Any], report: Report) -> str | None:
    """The masked line when ``obj`` is an OTLP traces/logs request, else ``None``."""
    if TRACES.resource_key in obj:
        sig = TRACES
    elif LOGS.resource_key in obj:
        sig = LOGS
    else:
        return None
    try:
        masked = mask_otlp(masker, content.encode("utf-8"), _JSON, sig, report, partial=False)
    except BadRequestError:
        return None  # not OTLP after all: masked as plain JSON by the caller
    return masked.body.decode("utf-8") if masked.changed else content


def mask_otlp_message(masker: Masker, body: bytes, signal: str, report: Report) -> bytes:
    """One protobuf export request (``signal``: traces or logs), masked.

    Raises:
        ValueError: not a valid request of that signal.
    """
    sig = LOGS if signal == "logs" else TRACES
    try:
        return mask_otlp(masker, body, PROTOBUF, sig, report, partial=False).body
    except BadRequestError as exc:
        raise ValueError(f"not an OTLP {sig.name} protobuf request ({exc})") from None

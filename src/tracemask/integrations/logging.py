"""Python logging and structlog: mask log records before a handler writes them.

>>> import logging
>>> from tracemask.integrations.logging import install
>>> handler = logging.StreamHandler()
>>> _ = install(handler)  # a MaskingFilter on the handler

:class:`MaskingFilter` belongs on **handlers**: a filter on a logger runs only for records
logged through that very logger, never for records propagated from its children, while a
handler's filters run for every record the handler writes. :func:`install` attaches it to a
handler or to every handler a logger has. :func:`structlog_processor` is the same for structlog's
processor chain. See ``docs/integrations/logging.md``.

Both fail closed: when masking raises, the message becomes :data:`WITHHELD_MESSAGE` (and every
other field that could carry data is emptied) unless the policy's ``fail_mode`` is ``"open"``.
Neither ever drops a record or raises into the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from tracemask._masker import Masker
from tracemask.integrations._guard import WITHHELD, fail_open, masker_or_default

__all__ = ["WITHHELD", "WITHHELD_MESSAGE", "MaskingFilter", "install", "structlog_processor"]

#: The message of a record or event that could not be masked (fail-closed mode); each extra
#: field of such a record, and an extra field the policy drops, is :data:`WITHHELD` (the same
#: text).
WITHHELD_MESSAGE = WITHHELD

#: Attributes every LogRecord has, plus those formatters add (``message``, ``asctime``).
#: Anything else on a record came from ``extra=`` (or a LoggerAdapter, or a handler upstream).
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
}
#: Renders exceptions the way ``logging.Formatter`` does by default.
_EXC_FORMATTER = logging.Formatter()

EventDict = MutableMapping[str, Any]
Processor = Callable[[Any, str, EventDict], Mapping[str, Any]]


class MaskingFilter(logging.Filter):
    """A ``logging.Filter`` that masks each record in place; attach it to handlers.

    It renders the message (``record.getMessage()``), masks it, and stores it back in
    ``record.msg`` with ``record.args = None``; masks every ``extra`` field (key rules apply to
    their names: ``extra={"password": ...}`` is masked whole); renders ``exc_info`` into
    ``record.exc_text`` masked and clears ``exc_info`` so no handler renders the raw traceback
    again; masks ``stack_info`` and a ``record.message`` an earlier handler's formatter left.

    The record is shared by every handler that sees it, so handlers after this one get the
    masked record too. Values the engine does not know (arbitrary objects in ``extra``) are
    left as they are; an ``extra`` field the policy drops is set to :data:`WITHHELD`.

    Args:
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
        name: as ``logging.Filter``: only records from this logger and its children.
    """

    def __init__(self, masker: Masker | None = None, name: str = "") -> None:
        super().__init__(name)
        self.masker = masker_or_default(masker)

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record``; always ``True`` (a record is never dropped)."""
        if not super().filter(record):
            return False
        try:
            fields = self._masked_fields(record)
        except Exception:  # noqa: BLE001 - a filter must never raise into the logging call
            if fail_open(self.masker):
                return True
            fields = _withheld_fields(record)
        vars(record).update(fields)
        return True

    def _masked_fields(self, record: logging.LogRecord) -> dict[str, Any]:
        """The record's new attributes, all computed before any is set."""
        m = self.masker
        message = m.mask(_render_message(record))
        exc_text = record.exc_text
        if record.exc_info and not exc_text:
            exc_text = _EXC_FORMATTER.formatException(record.exc_info)
        extra = {k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS}
        # A field the policy drops stays on the record (a format string may name it), withheld.
        masked_extra = dict.fromkeys(extra, WITHHELD) | m.mask(extra) if extra else {}
        return {
            "msg": message,
            "args": None,
            "message": message,
            "exc_info": None,
            "exc_text": m.mask(exc_text) if exc_text else exc_text,
            "stack_info": m.mask(record.stack_info) if record.stack_info else record.stack_info,
            **masked_extra,
        }


def _render_message(record: logging.LogRecord) -> str:
    """``record.getMessage()``; if the arguments do not fit the format, both, side by side.

    logging would report the mismatch from the handler, printing the raw arguments to stderr.
    """
    try:
        return record.getMessage()
    except (TypeError, ValueError, KeyError):
        return f"{record.msg} {record.args!r}"


def _withheld_fields(record: logging.LogRecord) -> dict[str, Any]:
    extra = dict.fromkeys((k for k in vars(record) if k not in _STANDARD_ATTRS), WITHHELD)
    return {
        "msg": WITHHELD_MESSAGE,
        "args": None,
        "message": WITHHELD_MESSAGE,
        "exc_info": None,
        "exc_text": None,
        "stack_info": None,
        **extra,
    }


def install(
    target: logging.Logger | logging.Handler | None = None, masker: Masker | None = None
) -> MaskingFilter:
    """Attach a :class:`MaskingFilter` to a handler, or to every handler of a logger.

    Handlers added to the logger later are not covered; nor is ``logging.lastResort``, which
    writes warnings to stderr when no handler exists at all.

    Args:
        target: a handler, or a logger whose handlers get the filter (``None``: the root logger).
        masker: the Masker to use (``None``: ``Masker()``).

    Returns:
        The filter, shared by all the handlers it was attached to.

    Raises:
        ValueError: ``target`` is a logger without handlers (configure logging first).
    """
    flt = MaskingFilter(masker)
    if isinstance(target, logging.Handler):
        target.addFilter(flt)
        return flt
    logger = target if target is not None else logging.getLogger()
    if not logger.handlers:
        raise ValueError(
            f"logger {logger.name!r} has no handlers: configure logging first, or pass a handler"
        )
    for handler in logger.handlers:
        handler.addFilter(flt)
    return flt


def structlog_processor(masker: Masker | None = None) -> Processor:
    """Return a structlog processor that masks a copy of each event dict.

    Put it last before the renderer. An ``exc_info`` still in the event is rendered first
    (structlog's ``format_exc_info``: the ``exception`` key) so that the traceback is masked too;
    key rules apply to event keys (``log.info("login", password=...)``). Values the engine does
    not know (arbitrary objects) are left for the renderer.

    On a masking failure the event becomes ``{"event": WITHHELD_MESSAGE}`` unless the policy's
    ``fail_mode`` is ``"open"`` (then it passes unmasked).

    Args:
        masker: the Masker to use (``None``: ``Masker()``).
    """
    m = masker_or_default(masker)

    def mask_event(logger: Any, method_name: str, event_dict: EventDict) -> Mapping[str, Any]:
        try:
            event = dict(event_dict)
            if event.get("exc_info"):
                from structlog.processors import format_exc_info  # noqa: PLC0415 - optional

                event = dict(format_exc_info(logger, method_name, event))
            masked: dict[str, Any] = m.mask(event)
        except Exception:  # noqa: BLE001 - a processor must never raise into the logging call
            if fail_open(m):
                return event_dict
            return {"event": WITHHELD_MESSAGE}
        return masked

    return mask_event

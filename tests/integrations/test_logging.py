"""Python logging and structlog: what real handlers and renderers write is masked.

Street addresses are not planted: the core engine does not detect them yet.
"""

from __future__ import annotations

import io
import json
import logging
import logging.config
import logging.handlers
import queue
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
import structlog.stdlib
import structlog.testing

from tracemask import Masker, MaskingError
from tracemask.integrations.logging import (
    WITHHELD,
    WITHHELD_MESSAGE,
    MaskingFilter,
    install,
    structlog_processor,
)

EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
CARD = "4111 1111 1111 1111"
API_KEY = "sk-proj-Zq8Lw3Nv6Tb1Hx9Kd4Rm7Pc2Fs5Jy0GuEaW4XoB1"
PLANTED = (EMAIL, PHONE, CARD, CARD.replace(" ", ""), API_KEY)


def assert_clean(text: str) -> None:
    found = [v for v in PLANTED if v in text]
    assert not found, f"planted values in output: {found}"


@pytest.fixture(scope="module")
def masker() -> Masker:
    return Masker()


class BrokenMasker(Masker):
    """A Masker whose every ``mask`` call fails, as an engine bug would."""

    def mask(self, obj: Any, *, report: Any = None, scope: Any = None) -> Any:
        raise MaskingError("masking failed at (root): RuntimeError")


class PaymentError(Exception):
    pass


def charge() -> None:
    # The literal is on purpose: tracebacks print source lines, so they carry it too.
    raise PaymentError("declined: card 4111 1111 1111 1111 of jane.doe@example.com")


# --- stdlib logging ----------------------------------------------------------------------------


class Sink:
    """A logger of its own (no propagation) writing through a real StreamHandler."""

    def __init__(self, fmt: str = "%(levelname)s %(message)s") -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logging.Formatter(fmt))
        self.logger = logging.getLogger(f"tracemask-test.{uuid.uuid4().hex}")
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False
        self.logger.addHandler(self.handler)

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def sink(masker: Masker) -> Iterator[Sink]:
    s = Sink()
    install(s.handler, masker)
    yield s
    s.logger.removeHandler(s.handler)


def test_message_and_args(sink: Sink) -> None:
    sink.logger.info("charging %s for %s", CARD, EMAIL)
    sink.logger.info("call %(phone)s", {"phone": PHONE})
    sink.logger.warning(json.dumps({"user": {"email": EMAIL}, "n": 3}))
    assert_clean(sink.text)
    lines = sink.text.splitlines()
    assert lines[0] == "INFO charging <CREDIT_CARD> for <EMAIL_ADDRESS>"
    assert lines[1] == "INFO call <PHONE_NUMBER>"
    assert json.loads(lines[2].removeprefix("WARNING ")) == {
        "user": {"email": "<EMAIL_ADDRESS>"},
        "n": 3,
    }


def test_record_is_rewritten_for_every_later_consumer(masker: Masker) -> None:
    flt = MaskingFilter(masker)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "to %s", (EMAIL,), None)
    assert flt.filter(record) is True
    assert (record.msg, record.args) == ("to <EMAIL_ADDRESS>", None)
    assert record.getMessage() == "to <EMAIL_ADDRESS>"


def test_extra_fields(masker: Masker) -> None:
    sink = Sink("%(message)s | %(customer)s | %(api_key)s | %(payload)s")
    install(sink.handler, masker)
    payload = {"phone": PHONE, "card": {"number": CARD}}
    sink.logger.info(
        "login", extra={"customer": EMAIL, "api_key": "abc123def456ghi", "payload": payload}
    )
    assert_clean(sink.text)
    assert "abc123def456ghi" not in sink.text  # no detector finds it: the key rule does
    assert sink.text.startswith("login | <EMAIL_ADDRESS> | <SECRET> | {")
    assert payload == {"phone": PHONE, "card": {"number": CARD}}  # the caller's dict is intact


def test_extra_field_the_policy_drops_is_withheld_not_left_raw() -> None:
    dropping = Masker({"key_rules": [{"keys": ["customer"], "operator": {"type": "drop"}}]})
    sink = Sink("%(message)s | %(customer)s")
    install(sink.handler, dropping)
    sink.logger.info("login", extra={"customer": "Jane Doe, VIP"})
    assert sink.text == f"login | {WITHHELD}\n"


def test_exception_and_traceback(sink: Sink) -> None:
    try:
        charge()
    except PaymentError:
        sink.logger.exception("payment failed for %s", EMAIL)
    assert_clean(sink.text)
    assert "Traceback (most recent call last)" in sink.text
    assert "PaymentError: declined: card <CREDIT_CARD> of <EMAIL_ADDRESS>" in sink.text
    assert 'raise PaymentError("declined: card <CREDIT_CARD> of <EMAIL_ADDRESS>")' in sink.text


def test_stack_info(sink: Sink) -> None:
    sink.logger.info("where am I", stack_info=True)  # jane.doe@example.com, on the stack line
    assert "Stack (most recent call last)" in sink.text
    assert "# <EMAIL_ADDRESS>, on the stack line" in sink.text
    assert_clean(sink.text)


def test_an_earlier_handler_cannot_leave_raw_text_behind(masker: Masker) -> None:
    """Formatters cache ``record.message`` and ``record.exc_text`` on the shared record."""
    raw, masked = Sink(), Sink()
    logger = raw.logger
    logger.addHandler(masked.handler)  # raw.handler formats first, unfiltered
    install(masked.handler, masker)
    try:
        charge()
    except PaymentError:
        logger.exception("for %s", EMAIL)
    assert EMAIL in raw.text  # this handler had no filter
    assert_clean(masked.text)
    assert "PaymentError: declined: card <CREDIT_CARD>" in masked.text


def test_handler_filter_covers_propagated_records_logger_filter_does_not(masker: Masker) -> None:
    parent = Sink()
    child = parent.logger.getChild("billing")
    parent.logger.addFilter(MaskingFilter(masker))  # the mistake the docs warn about
    child.info("to %s", EMAIL)
    assert EMAIL in parent.text

    install(parent.logger, masker)  # on the parent's handlers
    child.info("to %s", EMAIL)
    assert parent.text.splitlines()[-1] == "INFO to <EMAIL_ADDRESS>"


def test_dict_config(capsys: pytest.CaptureFixture[str]) -> None:
    """The setup the docs show: the filter named in ``dictConfig``, on the handler."""
    name = f"tracemask-test.{uuid.uuid4().hex}"
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {"tracemask": {"()": "tracemask.integrations.logging.MaskingFilter"}},
            "handlers": {
                "console": {
                    "class": "logging.StreamHandler",
                    "stream": "ext://sys.stdout",
                    "filters": ["tracemask"],
                }
            },
            "loggers": {name: {"handlers": ["console"], "level": "INFO", "propagate": False}},
        }
    )
    logging.getLogger(name).getChild("api").info("user %s", EMAIL)
    assert capsys.readouterr().out == "user <EMAIL_ADDRESS>\n"


def test_install_needs_handlers() -> None:
    lonely = logging.getLogger(f"tracemask-test.{uuid.uuid4().hex}")
    with pytest.raises(ValueError, match="no handlers"):
        install(lonely)


def test_queue_handler_masks_before_the_queue(masker: Masker) -> None:
    out = Sink()
    q: queue.Queue[logging.LogRecord] = queue.Queue()
    qh = logging.handlers.QueueHandler(q)
    install(qh, masker)
    logger = logging.getLogger(f"tracemask-test.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.addHandler(qh)
    listener = logging.handlers.QueueListener(q, out.handler)
    listener.start()
    try:
        try:
            charge()
        except PaymentError:
            logger.error("queued for %s", PHONE, exc_info=True)
    finally:
        listener.stop()
    assert_clean(out.text)
    assert out.text.startswith("ERROR queued for <PHONE_NUMBER>\nTraceback")


def test_args_that_do_not_fit_are_masked_not_reported_raw(
    sink: Sink, capsys: pytest.CaptureFixture[str]
) -> None:
    sink.logger.info("%d charges", EMAIL)
    assert "<EMAIL_ADDRESS>" in sink.text
    assert_clean(sink.text)
    assert capsys.readouterr().err == ""  # no "--- Logging error ---" with the raw args


def test_fail_closed_writes_a_placeholder() -> None:
    sink = Sink("%(message)s | %(customer)s")
    install(sink.handler, BrokenMasker())
    try:
        charge()
    except PaymentError:
        sink.logger.exception("for %s", EMAIL, extra={"customer": EMAIL})
    assert sink.text == f"{WITHHELD_MESSAGE} | {WITHHELD}\n"


def test_fail_open_writes_the_record_unmasked() -> None:
    sink = Sink()
    install(sink.handler, BrokenMasker({"fail_mode": "open"}))
    sink.logger.info("for %s", EMAIL)
    assert sink.text == f"INFO for {EMAIL}\n"


# --- structlog ---------------------------------------------------------------------------------


def json_logger(*processors: Any) -> tuple[Any, io.StringIO]:
    out = io.StringIO()
    log = structlog.wrap_logger(
        structlog.PrintLogger(out),
        processors=[
            structlog.processors.add_log_level,
            *processors,
            structlog.processors.JSONRenderer(sort_keys=True),
        ],
    )
    return log, out


def test_structlog_json_pipeline(masker: Masker) -> None:
    log, out = json_logger(structlog_processor(masker))
    log.info(
        "login",
        email=EMAIL,
        password="hunter2-hunter2",
        profile={"phone": PHONE, "cards": [CARD]},
        request_id="req-8812",
        attempts=3,
    )
    assert_clean(out.getvalue())
    assert "hunter2" not in out.getvalue()
    assert json.loads(out.getvalue()) == {
        "event": "login",
        "level": "info",
        "email": "<EMAIL_ADDRESS>",
        "password": "<PASSWORD>",
        "profile": {"phone": "<PHONE_NUMBER>", "cards": ["<CREDIT_CARD>"]},
        "request_id": "req-8812",
        "attempts": 3,
    }


def test_structlog_exc_info_is_rendered_then_masked(masker: Masker) -> None:
    log, out = json_logger(structlog_processor(masker))
    try:
        charge()
    except PaymentError:
        log.exception("payment failed", key=API_KEY)
    line = json.loads(out.getvalue())
    assert_clean(out.getvalue())
    assert "exc_info" not in line
    assert "PaymentError: declined: card <CREDIT_CARD> of <EMAIL_ADDRESS>" in line["exception"]
    assert line["key"] == "<API_KEY>"


def test_structlog_after_dict_tracebacks(masker: Masker) -> None:
    log, out = json_logger(structlog.processors.dict_tracebacks, structlog_processor(masker))
    try:
        charge()
    except PaymentError:
        log.exception("payment failed")
    assert_clean(out.getvalue())
    (exc,) = json.loads(out.getvalue())["exception"]
    assert exc["exc_value"] == "declined: card <CREDIT_CARD> of <EMAIL_ADDRESS>"


def test_structlog_capture_logs_and_event_dict_not_mutated(masker: Masker) -> None:
    processor = structlog_processor(masker)
    event = {"event": f"mail {EMAIL}", "nested": {"card": CARD}}
    assert processor(None, "info", event) == {
        "event": "mail <EMAIL_ADDRESS>",
        "nested": {"card": "<CREDIT_CARD>"},
    }
    assert event == {"event": f"mail {EMAIL}", "nested": {"card": CARD}}

    with structlog.testing.capture_logs(processors=[processor]) as logs:
        structlog.get_logger().warning("card on file", card=CARD)
    assert logs == [{"event": "card on file", "card": "<CREDIT_CARD>", "log_level": "warning"}]


def test_structlog_stdlib_bridge(masker: Masker) -> None:
    """Records from plain ``logging`` through structlog's ProcessorFormatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog_processor(masker),
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    logger = logging.getLogger(f"tracemask-test.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        charge()
    except PaymentError:
        logger.error("stdlib says %s", EMAIL, exc_info=True)
    assert_clean(stream.getvalue())
    line = json.loads(stream.getvalue())
    assert line["event"] == "stdlib says <EMAIL_ADDRESS>"
    assert "PaymentError: declined: card <CREDIT_CARD>" in line["exception"]


def test_structlog_fail_closed_and_open() -> None:
    event = {"event": f"mail {EMAIL}", "level": "info"}
    assert structlog_processor(BrokenMasker())(None, "info", event) == {"event": WITHHELD_MESSAGE}
    opened = structlog_processor(BrokenMasker({"fail_mode": "open"}))
    assert opened(None, "info", event) == event

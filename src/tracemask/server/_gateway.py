"""``POST /v1/traces`` and ``/v1/logs``: the OTLP/HTTP receiver and gateway.

Mask the batch in its own encoding (JSON or protobuf, gzip/deflate), then forward it upstream
or, with no upstream configured, write it to the local sink. Answers in the request's content
type: ``{}``, or a partial success naming how many spans were dropped because masking failed
on them. Fail closed: if masking or forwarding fails, nothing unmasked leaves and the client
gets an error it retries (503 with ``Retry-After``).
"""

from __future__ import annotations

import gzip
import logging
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from tracemask._masker import Masker
from tracemask._report import Report
from tracemask.exceptions import MaskingError
from tracemask.server._decode import check_deadline
from tracemask.server._errors import MaskingFailedError, SinkError, UnsupportedMediaError
from tracemask.server._http import Handler, deadline_of, guarded, masker_for, state_of
from tracemask.server._otlp import (
    LOGS,
    PROTOBUF,
    TRACES,
    Masked,
    Signal,
    check_json,
    count_pb,
    mask_otlp,
    media_type,
    parse_json,
    parse_pb,
    response_body,
    to_otlp_json,
    upstream_partial,
)

log = logging.getLogger("tracemask.server")
_NOUN = {"traces": "spans", "logs": "log records"}


@dataclass
class _Prepared:
    masked: Masked
    wire: bytes
    report: Report
    passed: bool
    sink_body: bytes | None


def _unmasked(body: bytes, media: str, sig: Signal) -> Masked:
    if media == PROTOBUF:
        msg = parse_pb(body, sig)
        return Masked(body, media, count_pb(msg, sig), 0, False, message=msg)
    return Masked(body, media, check_json(parse_json(body), sig), 0, False)


def _process(  # noqa: PLR0917 - one call site, run in a worker thread
    masker: Masker,
    body: bytes,
    media: str,
    sig: Signal,
    fail_open: bool,
    compress: bool,
    for_sink: bool,
    deadline: float | None,
) -> _Prepared:
    report = Report()
    passed = False
    try:
        # Fail closed: spans that fail alone are dropped (partial success); fail open: the
        # whole batch goes on as received.
        masked = mask_otlp(masker, body, media, sig, report, partial=not fail_open)
    except MaskingError:
        if not fail_open:
            raise MaskingFailedError from None
        masked, report, passed = _unmasked(body, media, sig), Report(), True
    check_deadline(deadline)  # the answer is already a 503: spend no more CPU on it
    wire = gzip.compress(masked.body, compresslevel=1) if compress else masked.body
    sink_body = to_otlp_json(masked) if for_sink else None
    return _Prepared(masked, wire, report, passed, sink_body)


async def _export(request: Request, sig: Signal) -> Response:
    state = state_of(request)
    runtime = state.runtime()
    settings = runtime.settings
    media = media_type(request.headers.get("content-type"))
    if media is None:
        raise UnsupportedMediaError
    masker = masker_for(runtime, request)
    url = settings.upstream.url(sig.name)
    try:
        sink = state.sink() if url is None else None
    except Exception as exc:  # noqa: BLE001 - an unwritable data dir: fail closed, say so
        log.error("cannot open the local sink: %s", type(exc).__name__)  # noqa: TRY400
        raise SinkError from None
    compress = url is not None and settings.upstream.compression == "gzip"
    body = await request.body()
    deadline = deadline_of(request)
    prep = await state.run(
        _process,
        masker,
        body,
        media,
        sig,
        runtime.fail_open(masker),
        compress,
        sink is not None,
        deadline,
        deadline=deadline,
        size=len(body),
    )
    masked = prep.masked
    metrics = state.metrics
    metrics.items.labels(sig.name).inc(masked.items)
    metrics.observe_report(prep.report)
    if prep.passed:
        metrics.fail_open.inc()
        state.failure("masking")
        log.warning("masking failed; fail_mode is open: %s forwarded UNMASKED", _NOUN[sig.name])
    rejected = masked.rejected
    message = ""
    if rejected:
        metrics.rejected.labels(sig.name).inc(rejected)
        state.failure("masking")
        message = f"{rejected} {_NOUN[sig.name]} dropped: masking failed"
        log.warning("masking failed on %d %s: dropped", rejected, _NOUN[sig.name])
    if masked.items and rejected >= masked.items:
        pass  # nothing left to send
    elif url is not None:
        delivered = await state.upstream_client().send(
            url,
            prep.wire,
            content_type=media,
            compressed=compress,
            settings=settings.upstream,
            incoming=request.headers,
            max_response=settings.limits.max_upstream_response_bytes,
        )
        answer_media = media_type(delivered.content_type) or media
        up_rejected, up_message = upstream_partial(sig, answer_media, delivered.body)
        rejected += up_rejected
        message = "; ".join(m for m in (message, up_message) if m)
    elif sink is not None and prep.sink_body is not None:
        try:
            await state.run(
                sink.write, sig.name, masked.items - rejected, prep.report.total, prep.sink_body
            )
        except Exception as exc:  # noqa: BLE001 - disk full, locked, closed: all fail closed
            log.error("sink write failed: %s", type(exc).__name__)  # noqa: TRY400 - no data
            raise SinkError from None
        metrics.sink.inc()
    return Response(response_body(sig, media, rejected, message), media_type=media)


def _route(sig: Signal) -> Handler:
    async def handler(request: Request) -> Response:
        return await _export(request, sig)

    handler.__name__ = f"otlp_{sig.name}"
    return guarded(handler)


traces_endpoint = _route(TRACES)
logs_endpoint = _route(LOGS)

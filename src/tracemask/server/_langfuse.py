"""``POST /langfuse/mask``: Langfuse's ingestion-masking callback.

Langfuse posts the OTLP spans it is about to store (a bare JSON array of ResourceSpans) and
stores what comes back; any non-2xx answer or a timeout makes it apply its own fail mode
(``LANGFUSE_INGESTION_MASKING_CALLBACK_FAIL_CLOSED``). So a masking failure answers 500 here,
unless ``fail_mode: open`` is configured, which returns the body as received.
"""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import Response

from tracemask._masker import Masker
from tracemask._report import Report
from tracemask.exceptions import MaskingError
from tracemask.server._errors import MaskingFailedError, UnsupportedMediaError
from tracemask.server._http import deadline_of, guarded, masker_for, state_of
from tracemask.server._otlp import mask_langfuse

log = logging.getLogger("tracemask.server")


def _process(masker: Masker, body: bytes, fail_open: bool) -> tuple[bytes, int, Report, bool]:
    report = Report()
    try:
        out, spans = mask_langfuse(masker, body, report)
    except MaskingError:
        if not fail_open:
            raise MaskingFailedError from None
        return body, 0, Report(), True
    return out, spans, report, False


@guarded
async def langfuse_callback(request: Request) -> Response:
    state = state_of(request)
    runtime = state.runtime()
    content_type = request.headers.get("content-type")
    if content_type is not None and "json" not in content_type.lower():
        raise UnsupportedMediaError  # Langfuse posts application/json
    masker = masker_for(runtime, request)
    body = await request.body()
    out, spans, report, passed = await state.run(
        _process,
        masker,
        body,
        runtime.fail_open(masker),
        deadline=deadline_of(request),
        size=len(body),
    )
    if passed:
        state.metrics.fail_open.inc()
        state.failure("masking")
        log.warning("masking failed; fail_mode is open: callback body returned UNMASKED")
    state.metrics.items.labels("traces").inc(spans)
    state.metrics.observe_report(report)
    return Response(out, media_type="application/json")

"""``POST /v1/mask``: mask any JSON (or ``text/plain``) body.

The answer is the masked body in the same shape. With ``?report=true`` (and ``server.report``
on) it is ``{"data": <masked>, "report": {...}}``: counts by entity and path, never values.
``X-Tracemask-Findings`` always carries the number of findings. ``X-Tracemask-Trace``,
``X-Tracemask-Session`` and ``X-Tracemask-Tenant`` name the scope of scoped pseudonyms.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from tracemask._masker import Masker
from tracemask._report import Report
from tracemask._scope import SCOPE_KINDS
from tracemask.exceptions import MaskingError
from tracemask.server._errors import BadRequestError, MaskingFailedError, UnsupportedMediaError
from tracemask.server._http import deadline_of, guarded, masker_for, state_of
from tracemask.server._otlp import parse_json

log = logging.getLogger("tracemask.server")

#: Keys the engine keeps as OTLP typed scalars (``{"intValue": "123"}``); here, in any JSON,
#: they are strings like the others.
_TYPED = frozenset({"intValue", "bytesValue"})


def _text(masker: Masker, value: str, path: str, report: Report, scope: dict[str, str]) -> str:
    findings = masker.detect(value)
    if not findings:
        return value
    for finding in findings:
        report.add(finding.entity, path)
    return masker.mask_text(value, scope=scope)


def _mask_keys_and_typed(masker: Masker, root: Any, report: Report, scope: dict[str, str]) -> Any:
    """Mask what :meth:`Masker.mask` leaves by design: dict keys (a map keyed by e-mail) and
    single-key ``{"intValue"|"bytesValue": str}`` objects, which are OTLP's typed scalars in a
    trace but plain strings in the JSON this route promises to mask whole."""
    box = [root]
    stack: list[tuple[Any, Any, str]] = [(box, 0, "")]
    while stack:
        parent, index, path = stack.pop()
        node = parent[index]
        if type(node) is list:
            stack.extend((node, i, f"{path}[{i}]") for i in range(len(node)))
        elif type(node) is dict:
            if len(node) == 1:
                ((k, v),) = node.items()
                if k in _TYPED and type(v) is str:
                    node[k] = _text(masker, v, f"{path}.{k}".lstrip("."), report, scope)
                    continue
            out: dict[Any, Any] = {}
            for k, v in node.items():
                key = k
                if type(k) is str:
                    key = base = _text(masker, k, f"{path}.(key)".lstrip("."), report, scope)
                    n = 2
                    while key in out:  # two keys masked alike: keep both values
                        key = f"{base}#{n}"
                        n += 1
                out[key] = v
            parent[index] = out
            stack.extend((out, k, f"{path}.{k}".lstrip(".")) for k in out)
    return box[0]


def _process(  # noqa: PLR0917 - one call site, run in a worker thread
    masker: Masker,
    body: bytes,
    text: bool,
    fail_open: bool,
    with_report: bool,
    scope: dict[str, str],
) -> tuple[bytes, Report, bool]:
    if text:
        try:
            value: Any = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequestError("body is not UTF-8") from None
    else:
        value = parse_json(body)
    report = Report()
    passed = False
    try:
        masked = masker.mask(value, report=report, scope=scope)
        masked = _mask_keys_and_typed(masker, masked, report, scope)
    except MaskingError:
        if not fail_open:
            raise MaskingFailedError from None
        masked, report, passed = value, Report(), True
    if with_report:
        masked = {"data": masked, "report": report.to_dict()}
    elif text:
        return str(masked).encode(), report, passed
    return json.dumps(masked, ensure_ascii=False, separators=(",", ":")).encode(), report, passed


@guarded
async def mask_endpoint(request: Request) -> Response:
    state = state_of(request)
    runtime = state.runtime()
    masker = masker_for(runtime, request)
    content_type = request.headers.get("content-type", "application/json").lower()
    text = content_type.startswith("text/")
    if not text and "json" not in content_type:
        raise UnsupportedMediaError
    want_report = request.query_params.get("report", "").lower() in ("1", "true", "yes")
    with_report = want_report and runtime.settings.report
    raw = await request.body()
    body, report, passed = await state.run(
        _process,
        masker,
        raw,
        text,
        runtime.fail_open(masker),
        with_report,
        {
            k: request.headers[f"x-tracemask-{k}"]
            for k in SCOPE_KINDS
            if f"x-tracemask-{k}" in request.headers
        },
        deadline=deadline_of(request),
        size=len(raw),
    )
    if passed:
        state.metrics.fail_open.inc()
        state.failure("masking")
        log.warning("masking failed; fail_mode is open: /v1/mask body returned UNMASKED")
    state.metrics.observe_report(report)
    headers = {"x-tracemask-findings": str(report.total)}
    media = "text/plain; charset=utf-8" if text and not with_report else "application/json"
    return Response(body, media_type=media, headers=headers)

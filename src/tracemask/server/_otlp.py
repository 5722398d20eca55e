"""OTLP payloads: masking JSON and protobuf batches so that only text changes.

Masked unless proven opaque: every string of a request goes through the
:class:`~tracemask.Masker` except ids (hex, base64 or a Node ``Buffer``), integers (decimal
strings or a Node ``Long``) and binary ``bytesValue``, each only in its own field AND its own
shape. Unknown fields, snake_case spellings and odd shapes are masked like any other value, so a
document the service did not foresee cannot carry a value past it; ``bytesValue`` holding UTF-8
text is masked as text. A traces document on the logs route (or the reverse) is refused.

JSON: the opaque values are sealed in :class:`Opaque` boxes (which the walker passes through),
the whole document is masked (so key and path rules see the real OTLP paths), and the boxes are
unsealed while encoding. Protobuf: the message is masked through its JSON mapping and parsed
back; fields unknown to this proto version are discarded, since nothing could mask them.

If masking a batch fails, each span (log record) is masked on its own and the ones that fail are
dropped and counted: OTLP's partial success.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from dataclasses import dataclass
from typing import Any

from google.protobuf.json_format import (  # type: ignore[import-untyped]
    MessageToDict,
    ParseDict,
    ParseError,
)
from google.protobuf.message import Message  # type: ignore[import-untyped]
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from tracemask._masker import Masker
from tracemask._report import Report
from tracemask._scope import scope_of
from tracemask._walker import INT_LITERAL
from tracemask.exceptions import MaskingError
from tracemask.server._errors import BadRequestError

JSON = "application/json"
PROTOBUF = "application/x-protobuf"


@dataclass(frozen=True)
class Signal:
    """The names one OTLP signal uses in JSON and in protobuf."""

    name: str
    resource_key: str
    scope_key: str
    item_key: str
    rejected_key: str
    pb_resource: str
    pb_scope: str
    pb_items: str
    pb_rejected: str
    request: type[Message]
    response: type[Message]


TRACES = Signal(
    "traces", "resourceSpans", "scopeSpans", "spans", "rejectedSpans",
    "resource_spans", "scope_spans", "spans", "rejected_spans",
    trace_service_pb2.ExportTraceServiceRequest, trace_service_pb2.ExportTraceServiceResponse,
)  # fmt: skip
LOGS = Signal(
    "logs", "resourceLogs", "scopeLogs", "logRecords", "rejectedLogRecords",
    "resource_logs", "scope_logs", "log_records", "rejected_log_records",
    logs_service_pb2.ExportLogsServiceRequest, logs_service_pb2.ExportLogsServiceResponse,
)  # fmt: skip


def media_type(content_type: str | None) -> str | None:
    """``PROTOBUF`` or ``JSON`` for a ``Content-Type`` (matched by substring), else ``None``."""
    ct = (content_type or "").lower()
    if "protobuf" in ct:
        return PROTOBUF
    if "json" in ct:
        return JSON
    return None


# -- JSON: seal only what is known to be opaque ------------------------------------------
#
# The rule is "masked unless proven opaque": a string is sealed only when it sits in a field
# OTLP defines as an id, an integer or bytes AND has that field's shape. Everything else, known
# or unknown, camelCase or snake_case, goes through the masker, so a shape the service did not
# foresee can never carry a value past it.

#: Id fields: hex (OTLP JSON), base64 (protobuf JSON mapping) or a Node ``Buffer`` (Langfuse).
_ID_FIELDS_ANY = frozenset(
    {"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"}
)
#: Integer fields, int64 written as decimal strings (or a Node ``Long`` from Langfuse).
_INT_FIELDS = frozenset(
    {
        "startTimeUnixNano", "endTimeUnixNano", "timeUnixNano", "observedTimeUnixNano",
        "start_time_unix_nano", "end_time_unix_nano", "time_unix_nano",
        "observed_time_unix_nano", "intValue", "int_value", "droppedAttributesCount",
        "droppedEventsCount", "droppedLinksCount", "dropped_attributes_count",
        "dropped_events_count", "dropped_links_count", "flags", "severityNumber",
        "severity_number",
    }
)  # fmt: skip
_BYTES_FIELDS = frozenset({"bytesValue", "bytes_value"})
#: OTLP's own field names (both spellings) and the Node shapes': never data, so never checked.
_FIELD_NAMES = frozenset(
    {
        "resourceSpans", "scopeSpans", "spans", "resourceLogs", "scopeLogs", "logRecords",
        "resource", "scope", "attributes", "key", "value", "stringValue", "boolValue",
        "intValue", "doubleValue", "arrayValue", "kvlistValue", "bytesValue", "values",
        "traceId", "spanId", "parentSpanId", "traceState", "flags", "name", "kind",
        "startTimeUnixNano", "endTimeUnixNano", "events", "links", "status", "message",
        "code", "droppedAttributesCount", "droppedEventsCount", "droppedLinksCount",
        "timeUnixNano", "observedTimeUnixNano", "severityNumber", "severityText", "body",
        "eventName", "schemaUrl", "version", "type", "data", "low", "high", "unsigned",
        "string_value", "bool_value", "int_value", "double_value", "array_value",
        "kvlist_value", "bytes_value", "trace_id", "span_id", "parent_span_id",
        "trace_state", "start_time_unix_nano", "end_time_unix_nano", "time_unix_nano",
        "observed_time_unix_nano", "severity_number", "severity_text", "schema_url",
        "dropped_attributes_count", "dropped_events_count", "dropped_links_count",
        "event_name", "resource_spans", "scope_spans", "resource_logs", "scope_logs",
        "log_records",
    }
)  # fmt: skip
_LONG_KEYS = frozenset({"low", "high", "unsigned"})
_HEX_ID = re.compile(r"[0-9a-fA-F]{0,64}")
_B64_ID = re.compile(r"[A-Za-z0-9+/_-]{0,86}={0,2}")
#: snake_case spellings of the structural keys (the Collector's decoder accepts both).
_CAMEL = {
    "resource_spans": "resourceSpans", "scope_spans": "scopeSpans",
    "resource_logs": "resourceLogs", "scope_logs": "scopeLogs", "log_records": "logRecords",
}  # fmt: skip


class Opaque:
    """A value masking must leave alone: an id, an integer or binary bytes, or a Node
    ``Buffer`` or ``Long`` object (boxed whole). The walker passes unknown objects through."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v


def _is_buffer(node: Any) -> bool:
    """Exactly a Node ``Buffer``: ``{"type": "Buffer", "data": [bytes]}``."""
    if type(node) is not dict or node.keys() != {"type", "data"} or node["type"] != "Buffer":
        return False
    data = node["data"]
    return type(data) is list and all(type(b) is int and 0 <= b <= 255 for b in data)


def _is_long(node: Any) -> bool:
    """Exactly a Node ``Long``: ``{"low": int, "high": int[, "unsigned": bool]}``."""
    if type(node) is not dict or not {"low", "high"} <= node.keys() <= _LONG_KEYS:
        return False
    return (
        type(node["low"]) is int
        and type(node["high"]) is int
        and type(node.get("unsigned", False)) is bool
    )


def _unseal(obj: object) -> Any:
    if type(obj) is Opaque:
        return obj.v
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _opaque(key: Any, value: Any) -> bool:
    """Whether ``value`` under OTLP field ``key`` is an id or integer in its expected shape."""
    if key in _ID_FIELDS_ANY:
        if type(value) is str:
            return bool(_HEX_ID.fullmatch(value) or _B64_ID.fullmatch(value))
        return _is_buffer(value)
    if key in _INT_FIELDS:
        if type(value) is str:
            return bool(INT_LITERAL.fullmatch(value))
        return _is_long(value)
    return False


def _bytes_text(value: str) -> str | None:
    """The UTF-8 text a ``bytesValue`` holds, or ``None`` for binary (or not base64).

    Not :func:`tracemask._base64.decode`: that one guesses whether an arbitrary string is
    base64 text (a length floor, no hex, printable output), while a ``bytesValue`` is base64 by
    its type, so any short or unprintable UTF-8 in it is text to mask."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def seal(root: Any, masker: Masker, report: Report) -> None:
    """Box (in place) the strings of a parsed OTLP document that are ids, integers or binary.

    ``bytesValue`` holding UTF-8 text is masked as text here (under its attribute's name, so
    key rules apply) and re-encoded; binary bytes stay as they are. Unknown field names that
    hold a finding are masked here; attribute names are masked by the walker (named entries).
    """
    stack: list[tuple[Any, str | None]] = [(root, None)]
    while stack:
        node, attr = stack.pop()
        if type(node) is dict:
            name = node.get("key")
            if type(name) is str and len(node) == 2 and "value" in node:
                attr = name  # the walker masks the name itself if it holds a finding
            if any(type(k) is str and k not in _FIELD_NAMES for k in node):
                _mask_keys(node, masker, report)
            for k, v in node.items():
                if k == "intValue" and attr is not None and type(v) is str and len(node) == 1:
                    # An attribute's int64 as a decimal string: the walker keeps it, unless its
                    # attribute's name makes it personal (``user.phone``, a PIN): then "0".
                    continue
                if _opaque(k, v):
                    node[k] = Opaque(v)
                elif k in _BYTES_FIELDS and type(v) is str:
                    node[k] = Opaque(_mask_bytes(masker, v, attr, report))
                elif type(v) in (dict, list):
                    stack.append((v, attr))
        elif type(node) is list:
            stack.extend((v, attr) for v in node if type(v) in (dict, list))


def _mask_keys(node: dict[Any, Any], masker: Masker, report: Report) -> None:
    """Rename (in place, order kept) the keys of ``node`` that hold a finding: an unknown field
    named by an email is a string forwarded like any other. Keys masked alike get ``#2``…"""
    renamed: list[tuple[Any, Any]] = []
    changed = False
    for k, v in node.items():
        key = k
        if type(k) is str and k not in _FIELD_NAMES:
            masked, entities = masker.compiled.mask_string(k, masker.compiled.context(None))
            if entities:
                for entity in entities:
                    report.add(entity, "(key)")
                key = base = masked
                n = 2
                while key in node or any(key == r for r, _ in renamed):
                    key = f"{base}#{n}"
                    n += 1
                changed = True
        renamed.append((key, v))
    if changed:
        node.clear()
        node.update(renamed)


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _mask_bytes(masker: Masker, value: str, attr: str | None, report: Report) -> str:
    text = _bytes_text(value)
    encoded = text is not None
    if text is None:
        if _is_base64(value):
            return value  # binary bytes
        text = value  # not base64 at all: a string like any other, masked as one
    key = attr or "bytesValue"
    attempt = Report()
    masked = masker.mask({key: text}, report=attempt).get(key, "")
    if masked == text:
        return value
    report.merge(attempt)
    if not encoded:
        return str(masked)
    return base64.b64encode(masked.encode("utf-8")).decode("ascii")


def normalise(doc: Any, sig: Signal) -> Any:
    """``doc`` with snake_case structural keys spelled in camelCase, or a 400.

    Raises:
        BadRequestError: both spellings of one key, or the other signal's document.
    """
    if type(doc) is not dict:
        raise BadRequestError("malformed OTLP request")
    other = LOGS if sig is TRACES else TRACES
    if any(k in doc for k in (other.resource_key, other.pb_resource)) and not any(
        k in doc for k in (sig.resource_key, sig.pb_resource)
    ):
        raise BadRequestError(f"an OTLP {other.name} document sent to the {sig.name} route")
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            for snake in [k for k in node if k in _CAMEL]:
                camel = _CAMEL[snake]
                if camel in node:
                    raise BadRequestError(f"both {snake} and {camel} in one object")
                node[camel] = node.pop(snake)
            stack.extend(
                v
                for k, v in node.items()
                if k in (sig.resource_key, sig.scope_key, sig.item_key) and type(v) is list
            )
        elif type(node) is list:
            stack.extend(v for v in node if type(v) is dict)
    return doc


#: A JSON escape of a UTF-16 surrogate (``\\udXXX``, X in 8-f): the only way a lone one gets in.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(doc: Any) -> Any:
    """``doc`` with every lone surrogate (in strings and keys) replaced by U+FFFD, as the
    Collector's JSON decoder does: they cannot be encoded as UTF-8, so masking and forwarding
    the rest beats failing the batch."""

    def fix(s: str) -> str:
        return _SURROGATE.sub("\ufffd", s)

    root: list[Any] = [doc]
    stack: list[tuple[Any, Any]] = [(root, 0)]
    while stack:
        parent, key = stack.pop()
        node = parent[key]
        if type(node) is str:
            parent[key] = fix(node)
        elif type(node) is list:
            stack.extend((node, i) for i in range(len(node)))
        elif type(node) is dict:
            fixed = {fix(k): v for k, v in node.items()}
            parent[key] = fixed
            stack.extend((fixed, k) for k in fixed)
    return root[0]


def parse_json(body: bytes) -> Any:
    """Parse a UTF-8 JSON body; lone surrogates become U+FFFD.

    Raises:
        BadRequestError: not UTF-8, or not JSON.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRequestError("body is not UTF-8") from None
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequestError("malformed JSON") from None
    if _SURROGATE_ESCAPE.search(body):
        doc = _without_surrogates(doc)
    return doc


def dump_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=_unseal).encode()


def _count_items(doc: dict[str, Any], sig: Signal) -> int:
    """Items in a checked OTLP JSON document (see :func:`check_json`)."""
    return sum(
        len(sg.get(sig.item_key) or [])
        for rg in doc.get(sig.resource_key) or []
        for sg in rg.get(sig.scope_key) or []
    )


def check_json(doc: Any, sig: Signal) -> int:
    """Check the nesting an OTLP JSON request must have; return its number of items."""
    if type(doc) is not dict:
        raise BadRequestError("malformed OTLP request")
    for rg in _list(doc, sig.resource_key):
        for sg in _list(rg, sig.scope_key):
            _list(sg, sig.item_key)
    return _count_items(doc, sig)


def _list(node: Any, key: str) -> list[Any]:
    if type(node) is not dict:
        raise BadRequestError("malformed OTLP request")
    value = node.get(key)
    if value is None:
        return []
    if type(value) is not list or any(type(x) is not dict for x in value):
        raise BadRequestError("malformed OTLP request")
    return value


# -- masking, with per-item fallback -------------------------------------------------------


def mask_batch(
    masker: Masker, doc: dict[str, Any], sig: Signal, report: Report, *, partial: bool
) -> tuple[dict[str, Any], int]:
    """Mask an OTLP document (sealed JSON or a protobuf view); return it and the items dropped.

    Dropped items (and groups) are ``None`` in the returned lists.

    Raises:
        MaskingError: masking failed and ``partial`` is off.
    """
    if masker.scope_kinds:
        # Scoped pseudonyms: each span or record is masked under its own trace/session/tenant.
        return _mask_each(masker, doc, sig, report, strict=not partial)
    attempt = Report()
    try:
        masked = masker.mask(doc, report=attempt)
    except MaskingError:
        if not partial:
            raise
        return _mask_each(masker, doc, sig, report)
    report.merge(attempt)
    return masked, 0


def _try(
    masker: Masker,
    doc: Any,
    report: Report,
    scope: dict[str, str] | None = None,
    *,
    strict: bool = False,
) -> Any:
    attempt = Report()
    try:
        out = masker.mask(doc, report=attempt, scope=scope)
    except MaskingError:
        if strict:
            raise
        return None
    report.merge(attempt)
    return out


def _plain(value: Any) -> Any:
    return value.v if type(value) is Opaque else value


def _trace_id(item: dict[str, Any]) -> str | None:
    """An item's trace id as hex: OTLP JSON hex, a Node ``Buffer`` (Langfuse), or base64."""
    raw = _plain(item.get("traceId"))
    if type(raw) is dict and type(raw.get("data")) is list:
        with contextlib.suppress(TypeError, ValueError):
            return bytes(raw["data"]).hex()
        return None
    if type(raw) is not str or not raw:
        return None
    if len(raw) == 32 and all(c in "0123456789abcdefABCDEF" for c in raw):
        return raw.lower()
    return _b64_hex(raw)


def _attributes(node: Any) -> dict[str, Any]:
    """``{name: scalar}`` of an OTLP attribute list (only string and int values)."""
    out: dict[str, Any] = {}
    kvs = node.get("attributes") if type(node) is dict else None
    for kv in kvs if type(kvs) is list else []:
        if type(kv) is dict and type(kv.get("value")) is dict:
            value = kv["value"]
            scalar = _plain(value.get("stringValue") or value.get("intValue"))
            if isinstance(scalar, str | int) and type(kv.get("key")) is str:
                out[kv["key"]] = scalar
    return out


def _mask_each(
    masker: Masker, doc: dict[str, Any], sig: Signal, report: Report, *, strict: bool = False
) -> tuple[dict[str, Any], int]:
    rk, sk, ik = sig.resource_key, sig.scope_key, sig.item_key
    rejected = 0
    groups: list[Any] = []
    for rg in doc.get(rk) or []:
        scopes_in = rg.get(sk) or []
        head = _try(masker, {rk: [{k: v for k, v in rg.items() if k != sk}]}, report, strict=strict)
        resource = _attributes(rg.get("resource"))
        if head is None:
            rejected += sum(len(s.get(ik) or []) for s in scopes_in)
            groups.append(None)
            continue
        scopes: list[Any] = []
        for sg in scopes_in:
            items_in = sg.get(ik) or []
            shead = _try(
                masker,
                {rk: [{sk: [{k: v for k, v in sg.items() if k != ik}]}]},
                report,
                strict=strict,
            )
            if shead is None:
                rejected += len(items_in)
                scopes.append(None)
                continue
            items: list[Any] = []
            for item in items_in:
                scope = None
                if masker.scope_kinds:
                    scope = scope_of(_trace_id(item), _attributes(item), resource)
                out = _try(masker, {rk: [{sk: [{ik: [item]}]}]}, report, scope, strict=strict)
                if out is None:
                    rejected += 1
                    items.append(None)
                else:
                    items.append(out[rk][0][sk][0][ik][0])
            sg_out = shead[rk][0][sk][0]
            scopes.append(
                {k: (items if k == ik else sg_out[k]) for k in sg if k == ik or k in sg_out}
            )
        rg_out = head[rk][0]
        groups.append({k: (scopes if k == sk else rg_out[k]) for k in rg if k == sk or k in rg_out})
    # Whatever else the document holds is masked like any other value, never copied.
    rest = {k: v for k, v in doc.items() if k != rk}
    rest_out = _try(masker, rest, report, strict=strict) if rest else {}
    if rest_out is None:
        rest_out = {}
    out_doc = {k: (groups if k == rk else rest_out[k]) for k in doc if k == rk or k in rest_out}
    if rk not in out_doc:
        out_doc[rk] = groups
    return out_doc, rejected


def prune(doc: dict[str, Any], sig: Signal) -> dict[str, Any]:
    """Remove the ``None`` (dropped) groups and items :func:`mask_batch` left."""
    rk, sk, ik = sig.resource_key, sig.scope_key, sig.item_key
    groups = []
    for rg in doc.get(rk) or []:
        if rg is None:
            continue
        if sk in rg:
            scopes = []
            for sg in rg[sk] or []:
                if sg is None:
                    continue
                if ik in sg:
                    sg = {**sg, ik: [x for x in sg[ik] or [] if x is not None]}  # noqa: PLW2901
                scopes.append(sg)
            rg = {**rg, sk: scopes}  # noqa: PLW2901
        groups.append(rg)
    return {**doc, rk: groups}


# -- protobuf: masked through its JSON mapping ---------------------------------------------
#
# Every string field of the message (known to this proto version) appears in the JSON mapping
# and is masked there like OTLP JSON; fields unknown to it are discarded, not forwarded, since
# nothing could have masked them.


def pb_document(msg: Any) -> dict[str, Any]:
    """The protobuf request as an OTLP JSON document (base64 ids, int64 as strings)."""
    msg.DiscardUnknownFields()
    return MessageToDict(msg)  # type: ignore[no-any-return]


def pb_message(doc: dict[str, Any], sig: Signal) -> Any:
    """The masked document back as a protobuf request.

    Raises:
        MaskingError: the masked document no longer fits the schema.
    """
    msg = sig.request()
    try:
        ParseDict(doc, msg)
    except (ParseError, ValueError, TypeError):
        raise MaskingError("masked document does not fit the OTLP schema") from None
    return msg


def parse_pb(body: bytes, sig: Signal) -> Any:
    msg = sig.request()
    try:
        msg.ParseFromString(body)
    except Exception:  # noqa: BLE001 - DecodeError, or any upb failure: bad data either way
        raise BadRequestError("malformed protobuf") from None
    return msg


def count_pb(msg: Any, sig: Signal) -> int:
    return sum(
        len(getattr(sg, sig.pb_items))
        for rg in getattr(msg, sig.pb_resource)
        for sg in getattr(rg, sig.pb_scope)
    )


# -- whole requests ------------------------------------------------------------------------


@dataclass
class Masked:
    """A masked OTLP request: its encoding, the parsed message or document, the counts."""

    body: bytes
    media: str
    items: int
    rejected: int
    changed: bool
    message: Any = None
    document: Any = None


def mask_otlp(
    masker: Masker, body: bytes, media: str, sig: Signal, report: Report, *, partial: bool
) -> Masked:
    """Mask an OTLP/HTTP request body (decompressed) in its own encoding.

    Raises:
        BadRequestError: the body is not a valid request in ``media``.
        MaskingError: masking failed and ``partial`` is off.
    """
    if media == PROTOBUF:
        msg = parse_pb(body, sig)
        items = count_pb(msg, sig)
        doc: Any = pb_document(msg)
    else:
        doc = normalise(parse_json(body), sig)
        items = check_json(doc, sig)
    seal(doc, masker, report)
    masked_doc, rejected = mask_batch(masker, doc, sig, report, partial=partial)
    if rejected:
        masked_doc = prune(masked_doc, sig)
    changed = bool(report) or rejected > 0
    if media == PROTOBUF:
        plain = json.loads(dump_json(masked_doc))
        msg = pb_message(plain, sig)
        return Masked(msg.SerializeToString(), media, items, rejected, changed, message=msg)
    if changed:
        body = dump_json(masked_doc)
    return Masked(body, media, items, rejected, changed, document=masked_doc)


def mask_langfuse(masker: Masker, body: bytes, report: Report) -> tuple[bytes, int]:
    """Mask a Langfuse ingestion-masking callback body; answer in the same shape.

    The body is a bare JSON array of ResourceSpans (or ``{"resourceSpans": [...]}``); it is
    masked under ``resourceSpans`` either way, so path rules read the same for both. A body of
    another shape is masked as generic JSON. Unchanged bodies are returned as the very bytes
    received.

    Raises:
        BadRequestError: not JSON, or not an array or object.
        MaskingError: masking failed.
    """
    doc = parse_json(body)
    if type(doc) is list:
        wrapped: dict[str, Any] = {TRACES.resource_key: doc}
    elif type(doc) is dict:
        wrapped = doc
    else:
        raise BadRequestError("expected a JSON array of ResourceSpans")
    spans = sum(
        len(sg.get("spans") or [])
        for rg in _dicts(wrapped.get(TRACES.resource_key))
        for sg in _dicts(rg.get(TRACES.scope_key))
        if type(sg.get("spans")) is list
    )
    seal(wrapped, masker, report)
    try:
        check_json(wrapped, TRACES)
    except BadRequestError:
        # Not ResourceSpans: masked as generic JSON, never passed through.
        masked = masker.mask(wrapped, report=report)
    else:
        masked, _ = mask_batch(masker, wrapped, TRACES, report, partial=False)
    if not report:
        return body, spans
    return dump_json(masked[TRACES.resource_key] if type(doc) is list else masked), spans


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [x for x in value if type(x) is dict] if type(value) is list else []


# -- answers -------------------------------------------------------------------------------


#: OTLP's ``rejected_*`` counts are int64.
_INT64_MAX = 2**63 - 1


def response_body(sig: Signal, media: str, rejected: int, message: str = "") -> bytes:
    """``Export*ServiceResponse`` in ``media``: empty, or a partial success (the count clamped
    to int64: an upstream may claim any number)."""
    rejected = min(max(rejected, 0), _INT64_MAX)
    message = _SURROGATE.sub("\ufffd", message)
    if media == PROTOBUF:
        resp = sig.response()
        if rejected or message:
            ps = resp.partial_success
            setattr(ps, sig.pb_rejected, rejected)
            ps.error_message = message
        return bytes(resp.SerializeToString())
    if not rejected and not message:
        return b"{}"
    partial: dict[str, Any] = {sig.rejected_key: str(rejected)}
    if message:
        partial["errorMessage"] = message
    return json.dumps({"partialSuccess": partial}).encode()


def upstream_partial(sig: Signal, media: str, body: bytes) -> tuple[int, str]:
    """The partial success in an upstream's answer (``(0, "")`` when none or unreadable)."""
    if not body:
        return 0, ""
    try:
        if media == PROTOBUF:
            resp = sig.response()
            resp.ParseFromString(body)
            ps = resp.partial_success
            count, message = int(getattr(ps, sig.pb_rejected)), str(ps.error_message)
        else:
            doc = json.loads(body)
            ps = doc.get("partialSuccess") or {} if type(doc) is dict else {}
            count = int(ps.get(sig.rejected_key) or 0)
            message = str(ps.get("errorMessage") or "")
        return min(max(count, 0), _INT64_MAX), message
    except Exception:  # noqa: BLE001 - an unreadable answer from upstream is not our failure
        return 0, ""


# -- OTLP JSON for the sink ----------------------------------------------------------------

_ID_FIELDS = frozenset({"traceId", "spanId", "parentSpanId"})


def _b64_hex(value: str) -> str | None:
    """A base64 id (protobuf JSON) as hex, or ``None`` when it is not base64."""
    with contextlib.suppress(binascii.Error, ValueError):
        return base64.b64decode(value, validate=True).hex()
    return None


def _hex_ids(node: Any) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if type(n) is dict:
            for k, v in n.items():
                if k in _ID_FIELDS and type(v) is str:
                    n[k] = _b64_hex(v) or v
                elif type(v) in (dict, list):
                    stack.append(v)
        elif type(n) is list:
            stack.extend(x for x in n if type(x) in (dict, list))


def to_otlp_json(masked: Masked) -> bytes:
    """The masked request as OTLP JSON (hex ids, integer enums), for the local sink."""
    if masked.media == JSON:
        return masked.body
    doc = MessageToDict(masked.message, use_integers_for_enums=True)
    _hex_ids(doc)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()

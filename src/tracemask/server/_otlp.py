"""OTLP payloads: masking JSON and protobuf batches so that only text changes.

What may change, per INTEGRATIONS.md §6: ``stringValue`` at any depth of ``AnyValue`` (resource,
scope, span, event, link and log-record attributes, log bodies), span ``name`` and
``status.message``. Everything else (ids as hex, base64 or Node ``Buffer`` JSON, int64 as
decimal strings or ``{low, high, unsigned}``, enums, timestamps, ``bytesValue``) is opaque.

JSON: every string masking must not touch is sealed in an :class:`Opaque` box (which the
walker passes through as it passes any unknown object), the whole document is masked by the
:class:`~tracemask.Masker` (so key rules and path rules see the real OTLP paths), and the boxes
are unsealed while encoding. Protobuf: a JSON view of only the maskable strings, with the same
paths, is masked and the changed strings are written back into the parsed message; ids and every
other field stay the bytes they were.

If masking a batch fails, each span (log record) is masked on its own and the ones that fail are
dropped and counted: OTLP's partial success.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from dataclasses import dataclass
from typing import Any

from google.protobuf.json_format import MessageToDict  # type: ignore[import-untyped]
from google.protobuf.message import Message  # type: ignore[import-untyped]
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from tracemask._masker import Masker
from tracemask._report import Report
from tracemask._scope import scope_of
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


# -- JSON: seal what must not change -------------------------------------------------------


class Opaque:
    """A value masking must leave alone: a string, or a Node ``Buffer`` or ``Long`` object
    (boxed whole, so the walker does not visit their bytes). The walker passes unknown objects
    through untouched, whatever key or path rule applies to them."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v


def _is_blob(node: dict[Any, Any]) -> bool:
    """A Node ``Buffer`` (``{"type": "Buffer", "data": [...]}``) or ``Long`` (``{low, high}``)."""
    return node.get("type") == "Buffer" or ("low" in node and "high" in node)


def _unseal(obj: object) -> Any:
    if type(obj) is Opaque:
        return obj.v
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _is_kv(node: dict[Any, Any]) -> bool:
    return len(node) == 2 and "key" in node and "value" in node and type(node["key"]) is str


def seal(root: Any, item_key: str) -> None:
    """Box (in place) every string of a parsed OTLP document that masking must not change."""
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, is_item = stack.pop()
        if type(node) is dict:
            if _is_kv(node):  # an attribute: its name is not data, its value is
                v = node["value"]
                if type(v) is str:
                    node["value"] = Opaque(v)
                elif type(v) in (dict, list):
                    stack.append((v, False))
                continue
            for k, v in node.items():
                t = type(v)
                if t is str:
                    if k != "stringValue" and not (is_item and k == "name"):
                        node[k] = Opaque(v)
                elif t is dict:
                    if _is_blob(v):
                        node[k] = Opaque(v)
                    elif is_item and k == "status":
                        for sk, sv in v.items():
                            if type(sv) is str:
                                if sk != "message":
                                    v[sk] = Opaque(sv)
                            elif type(sv) in (dict, list):
                                stack.append((sv, False))
                    else:
                        stack.append((v, False))
                elif t is list:
                    stack.append((v, k == item_key))
        elif type(node) is list:
            for i, v in enumerate(node):
                t = type(v)
                if t is str:
                    node[i] = Opaque(v)
                elif t is dict or t is list:
                    stack.append((v, is_item))


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise BadRequestError("malformed JSON") from None


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
    out_doc = {k: (groups if k == rk else v) for k, v in doc.items()}
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


# -- protobuf: a view of the maskable strings, written back after masking ------------------


def _any_view(av: Any) -> dict[str, Any]:
    which = av.WhichOneof("value")
    if which == "string_value":
        return {"stringValue": av.string_value}
    if which == "array_value":
        return {"arrayValue": {"values": [_any_view(v) for v in av.array_value.values]}}
    if which == "kvlist_value":
        return {"kvlistValue": {"values": _kvs_view(av.kvlist_value.values)}}
    return {}


def _kvs_view(kvs: Any) -> list[dict[str, Any]]:
    return [{"key": kv.key, "value": _any_view(kv.value)} for kv in kvs]


def _item_view(item: Any, sig: Signal) -> dict[str, Any]:
    if sig is TRACES:
        return {
            "traceId": Opaque(item.trace_id.hex()),  # read for scoped pseudonyms, never written
            "name": item.name,
            "attributes": _kvs_view(item.attributes),
            "events": [{"attributes": _kvs_view(e.attributes)} for e in item.events],
            "links": [{"attributes": _kvs_view(ln.attributes)} for ln in item.links],
            "status": {"message": item.status.message},
        }
    return {
        "traceId": Opaque(item.trace_id.hex()),
        "body": _any_view(item.body),
        "attributes": _kvs_view(item.attributes),
    }


def pb_view(msg: Any, sig: Signal) -> dict[str, Any]:
    """The maskable strings of a protobuf request, as OTLP JSON with the same paths."""
    return {
        sig.resource_key: [
            {
                "resource": {"attributes": _kvs_view(rg.resource.attributes)},
                sig.scope_key: [
                    {
                        "scope": {"attributes": _kvs_view(sg.scope.attributes)},
                        sig.item_key: [_item_view(it, sig) for it in getattr(sg, sig.pb_items)],
                    }
                    for sg in getattr(rg, sig.pb_scope)
                ],
            }
            for rg in getattr(msg, sig.pb_resource)
        ]
    }


def _misaligned() -> MaskingError:
    return MaskingError("masking removed part of a list; cannot apply it to protobuf")


def _align(orig: list[Any], new: Any) -> list[Any]:
    """Pair ``orig`` with ``new`` (``None``: dropped). Drops only of whole lists or marked."""
    if type(new) is not list or not new:
        return [None] * len(orig)
    if len(new) != len(orig):
        raise _misaligned()
    return new


def _get(node: Any, key: str) -> Any:
    return node.get(key) if type(node) is dict else None


def _delete(repeated: Any, indices: list[int]) -> None:
    for i in reversed(indices):
        del repeated[i]


def _apply_kvs(repeated: Any, orig: list[dict[str, Any]], new: Any) -> None:
    if type(new) is not list:
        del repeated[:]
        return
    j = 0
    dropped: list[int] = []
    for i, o in enumerate(orig):
        n = new[j] if j < len(new) else None
        if type(n) is dict and n.get("key") == o["key"]:
            _apply_any(repeated[i].value, o["value"], n.get("value"))
            j += 1
        else:  # removed by a drop rule (decided by the key, so never ambiguous)
            dropped.append(i)
    if j != len(new):
        raise _misaligned()
    _delete(repeated, dropped)


def _apply_string(msg: Any, field: str, orig: str, new: Any) -> None:
    if new is None:
        msg.ClearField(field)
    elif new != orig:
        if type(new) is not str:
            raise MaskingError("masking changed a string into another type")
        setattr(msg, field, new)


def _apply_any(av: Any, orig: dict[str, Any], new: Any) -> None:
    if type(new) is not dict:
        new = {}
    if "stringValue" in orig:
        if "stringValue" not in new:
            av.Clear()
        else:
            _apply_string(av, "string_value", orig["stringValue"], new["stringValue"])
    elif "arrayValue" in orig:
        values = _get(new.get("arrayValue"), "values")
        if values is None:
            av.Clear()
            return
        repeated = av.array_value.values
        pairs = _align(orig["arrayValue"]["values"], values)
        dropped = [i for i, n in enumerate(pairs) if n is None]
        for i, (o, n) in enumerate(zip(orig["arrayValue"]["values"], pairs, strict=True)):
            if n is not None:
                _apply_any(repeated[i], o, n)
        _delete(repeated, dropped)
    elif "kvlistValue" in orig:
        values = _get(new.get("kvlistValue"), "values")
        if values is None:
            av.Clear()
            return
        _apply_kvs(av.kvlist_value.values, orig["kvlistValue"]["values"], values)


def _apply_item(item: Any, orig: dict[str, Any], new: dict[str, Any], sig: Signal) -> None:
    _apply_kvs(item.attributes, orig["attributes"], new.get("attributes"))
    if sig is TRACES:
        _apply_string(item, "name", orig["name"], new.get("name"))
        message = _get(new.get("status"), "message")
        if message != orig["status"]["message"]:
            _apply_string(item.status, "message", orig["status"]["message"], message)
        for key in ("events", "links"):
            repeated = getattr(item, key)
            pairs = _align(orig[key], new.get(key))
            for i, (o, n) in enumerate(zip(orig[key], pairs, strict=True)):
                if n is not None:
                    _apply_kvs(repeated[i].attributes, o["attributes"], _get(n, "attributes"))
            _delete(repeated, [i for i, n in enumerate(pairs) if n is None])
    else:
        body = new.get("body")
        if body is None:
            item.ClearField("body")
        else:
            _apply_any(item.body, orig["body"], body)


def apply_view(msg: Any, orig: dict[str, Any], new: dict[str, Any], sig: Signal) -> None:
    """Write the masked view ``new`` back into ``msg`` (parsed from the bytes ``orig`` views)."""
    groups = getattr(msg, sig.pb_resource)
    g_orig = orig[sig.resource_key]
    g_pairs = _align(g_orig, new.get(sig.resource_key))
    for gi, (go, gn) in enumerate(zip(g_orig, g_pairs, strict=True)):
        if gn is None:
            continue
        rg = groups[gi]
        _apply_kvs(
            rg.resource.attributes,
            go["resource"]["attributes"],
            _get(_get(gn, "resource"), "attributes"),
        )
        scopes = getattr(rg, sig.pb_scope)
        s_pairs = _align(go[sig.scope_key], _get(gn, sig.scope_key))
        for si, (so, sn) in enumerate(zip(go[sig.scope_key], s_pairs, strict=True)):
            if sn is None:
                continue
            sg = scopes[si]
            _apply_kvs(
                sg.scope.attributes,
                so["scope"]["attributes"],
                _get(_get(sn, "scope"), "attributes"),
            )
            items = getattr(sg, sig.pb_items)
            i_pairs = _align(so[sig.item_key], _get(sn, sig.item_key))
            for ii, (io, in_) in enumerate(zip(so[sig.item_key], i_pairs, strict=True)):
                if in_ is not None:
                    _apply_item(items[ii], io, in_, sig)
            _delete(items, [i for i, n in enumerate(i_pairs) if n is None])
        _delete(scopes, [i for i, n in enumerate(s_pairs) if n is None])
    _delete(groups, [i for i, n in enumerate(g_pairs) if n is None])


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
        view = pb_view(msg, sig)
        masked, rejected = mask_batch(masker, view, sig, report, partial=partial)
        changed = bool(report) or rejected > 0
        if changed:
            apply_view(msg, view, masked, sig)
            body = msg.SerializeToString()
        return Masked(body, media, items, rejected, changed, message=msg)
    doc = parse_json(body)
    items = check_json(doc, sig)
    seal(doc, sig.item_key)
    masked_doc, rejected = mask_batch(masker, doc, sig, report, partial=partial)
    if rejected:
        masked_doc = prune(masked_doc, sig)
    changed = bool(report) or rejected > 0
    if changed:
        body = dump_json(masked_doc)
    return Masked(body, media, items, rejected, changed, document=masked_doc)


def mask_langfuse(masker: Masker, body: bytes, report: Report) -> tuple[bytes, int]:
    """Mask a Langfuse ingestion-masking callback body; answer in the same shape.

    The body is a bare JSON array of ResourceSpans (or ``{"resourceSpans": [...]}``); it is
    masked under ``resourceSpans`` either way, so path rules read the same for both. Unchanged
    bodies are returned as the very bytes received.

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
        for rg in wrapped.get(TRACES.resource_key) or []
        if type(rg) is dict
        for sg in rg.get(TRACES.scope_key) or []
        if type(sg) is dict and type(sg.get("spans")) is list
    )
    seal(wrapped, TRACES.item_key)
    masked, _ = mask_batch(masker, wrapped, TRACES, report, partial=False)
    if not report:
        return body, spans
    return dump_json(masked[TRACES.resource_key] if type(doc) is list else masked), spans


# -- answers -------------------------------------------------------------------------------


def response_body(sig: Signal, media: str, rejected: int, message: str = "") -> bytes:
    """``Export*ServiceResponse`` in ``media``: empty, or a partial success."""
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
            return int(getattr(ps, sig.pb_rejected)), str(ps.error_message)
        doc = json.loads(body)
        ps = doc.get("partialSuccess") or {} if type(doc) is dict else {}
        return int(ps.get(sig.rejected_key) or 0), str(ps.get("errorMessage") or "")
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

"""Langfuse: mask what the Langfuse Python SDK (v3+, OpenTelemetry-based) sends.

>>> from tracemask.integrations.langfuse import masked_langfuse
>>> langfuse = masked_langfuse(public_key="pk-lf-...", secret_key="sk-lf-...")  # doctest: +SKIP

The SDK has two masking hooks, and neither sees everything:

- ``Langfuse(mask=...)`` (:func:`langfuse_mask`) gets each observation's ``input``, ``output``
  and ``metadata`` before they become span attributes, on the application's thread.
- ``Langfuse(mask_otel_spans=...)`` (:func:`langfuse_mask_otel_spans`, langfuse >= 4.9) gets the
  attributes of each span at export, third-party spans included.

Neither can touch span names, status descriptions, events (``exception.*``), links, or
resource attributes, and ``mask=`` never sees what ``propagate_attributes(user_id, session_id,
metadata, ...)`` copies onto every span, nor ``status_message``. :func:`masked_langfuse_exporter`
closes that gap: the OTLP exporter Langfuse would build, wrapped in a
:class:`~tracemask.integrations.otel.MaskingSpanExporter`, for ``Langfuse(span_exporter=...)``
(langfuse >= 4.2). :func:`masked_langfuse` builds a client with both ``mask=`` and that exporter.
See ``docs/integrations/langfuse.md``.

Every hook fails closed: ``mask=`` returns :data:`WITHHELD` instead of the data,
``mask_otel_spans=`` deletes the attributes of a span it could not mask (keeping
:data:`~tracemask.integrations.otel.WITHHELD_ATTRIBUTE`), the exporter drops the batch; unless
the policy's ``fail_mode`` is ``"open"``. No hook raises into the SDK.
"""

from __future__ import annotations

import base64
import json
import logging
import os
from collections.abc import Callable, Mapping
from importlib import metadata
from typing import TYPE_CHECKING, Any, Literal

from tracemask._masker import Masker
from tracemask._report import Report
from tracemask._scope import scope_of
from tracemask.integrations._guard import (
    WITHHELD,
    fail_open,
    masker_or_default,
    require,
    warn_failed,
)

if TYPE_CHECKING:
    from langfuse import Langfuse
    from langfuse.types import MaskOtelSpansParams, MaskOtelSpansResult

    from tracemask.integrations.otel import MaskingSpanExporter

__all__ = [
    "OTLP_TRACES_PATH",
    "WITHHELD",
    "langfuse_mask",
    "langfuse_mask_otel_spans",
    "masked_langfuse",
    "masked_langfuse_exporter",
]

#: Where Langfuse receives OTLP traces, below its base URL.
OTLP_TRACES_PATH = "api/public/otel/v1/traces"
#: Langfuse's default base URL, as in the SDK.
_DEFAULT_BASE_URL = "https://cloud.langfuse.com"
#: Scalars that need no JSON round trip before masking.
_PLAIN = (str, int, float, bool, type(None))

_log = logging.getLogger(__name__)

MaskFunction = Callable[..., Any]
MaskOtelSpansFunction = Callable[..., "MaskOtelSpansResult"]


def _require(module: str) -> None:
    require(module, integration=__name__, extra="langfuse", what="the Langfuse SDK")


def _json_like(data: Any) -> Any:
    """``data`` as the JSON Langfuse will make of it: what gets masked is what gets sent.

    Langfuse serializes what ``mask`` returns with its ``EventSerializer``, which renders objects
    tracemask does not walk (exceptions, arbitrary classes, dataclasses, pydantic models): they
    are turned into that JSON first, so none of them passes through unmasked.
    """
    if type(data) in _PLAIN:
        return data
    try:
        from langfuse._utils.serializer import EventSerializer  # noqa: PLC0415 - optional
    except ImportError:  # not the Langfuse SDK calling: render unknown objects as text
        return json.loads(json.dumps(data, default=str))
    return json.loads(json.dumps(data, cls=EventSerializer))


def _current_span_scope() -> dict[str, str] | None:
    """The scope of the OTel span Langfuse is recording when it calls ``mask``."""
    try:
        from opentelemetry import trace  # noqa: PLC0415 - optional, comes with langfuse
    except ImportError:
        return None
    context = trace.get_current_span().get_span_context()
    return scope_of(context.trace_id if context.is_valid else None)


def langfuse_mask(masker: Masker | None = None) -> MaskFunction:
    """Return a ``Langfuse(mask=...)`` function that masks with ``masker``.

    Langfuse calls it with ``data=`` for each observation's ``input``, ``output`` and
    ``metadata`` (strings, dicts, lists, pydantic models, ...), on the application's thread,
    before they become span attributes: every exporter on the provider then gets the masked
    ``langfuse.observation.*`` values. Non-JSON values are rendered as Langfuse would render
    them, then masked. When masking fails it returns :data:`WITHHELD`, never the data, unless the
    policy's ``fail_mode`` is ``"open"``.

    Args:
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
    """
    m = masker_or_default(masker)

    def mask(*, data: Any, **kwargs: Any) -> Any:
        try:
            return m.mask(_json_like(data), scope=_current_span_scope() if m.scope_kinds else None)
        except Exception as exc:  # noqa: BLE001 - a mask function must never raise into the SDK
            warn_failed(_log, "Langfuse data", exc, m)
            return data if fail_open(m) else WITHHELD

    return mask


def langfuse_mask_otel_spans(
    masker: Masker | None = None, *, report: Report | None = None
) -> MaskOtelSpansFunction:
    """Return a ``Langfuse(mask_otel_spans=...)`` function (langfuse >= 4.9).

    Langfuse calls it once per export batch, on its worker thread, with the attributes of every
    span it is about to send, third-party spans included. It returns a patch per changed span:
    ``set_attributes`` with only the masked values, ``delete_attributes`` with the keys the
    policy drops. A span whose attributes cannot be masked loses all of them but
    ``tracemask.withheld = True`` (unless the policy's ``fail_mode`` is ``"open"``).

    This hook cannot change span names, status descriptions, events, links or resource
    attributes: use :func:`masked_langfuse_exporter` for those.

    Args:
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
        report: a :class:`~tracemask.Report` to fill with counts of what was masked.

    Raises:
        ImportError: the Langfuse SDK is not installed.
    """
    _require("langfuse.types")
    from langfuse.types import MaskOtelSpansResult, OtelSpanPatch  # noqa: PLC0415 - optional

    from tracemask.integrations.otel import WITHHELD_ATTRIBUTE  # noqa: PLC0415

    m = masker_or_default(masker)

    def mask_otel_spans(*, params: MaskOtelSpansParams, **kwargs: Any) -> MaskOtelSpansResult:
        patches: dict[Any, OtelSpanPatch] = {}
        for identifier, span in params.spans.items():
            attributes = dict(span.attributes)
            scope = scope_of(span.trace_id, attributes) if m.scope_kinds else None
            try:
                masked = m.mask(attributes, report=report, scope=scope)
            except Exception as exc:  # noqa: BLE001 - an exception would drop the whole batch
                warn_failed(_log, "a Langfuse span's attributes", exc, m)
                if not fail_open(m):
                    patches[identifier] = OtelSpanPatch(
                        delete_attributes=tuple(attributes),
                        set_attributes={WITHHELD_ATTRIBUTE: True},
                    )
                continue
            changed = {k: v for k, v in masked.items() if _differs(v, attributes.get(k))}
            deleted = tuple(k for k in attributes if k not in masked)
            if changed or deleted:
                patches[identifier] = OtelSpanPatch(
                    set_attributes=changed, delete_attributes=deleted
                )
        return MaskOtelSpansResult(span_patches=patches)

    return mask_otel_spans


def _differs(a: Any, b: Any) -> bool:
    return type(a) is not type(b) or a != b


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def _compression(value: str | None) -> Literal["gzip", "none"]:
    """Langfuse's order: argument, ``LANGFUSE_OTEL_COMPRESSION``, the OTLP variables, gzip."""
    candidates = (
        value,
        _env("LANGFUSE_OTEL_COMPRESSION"),
        _env("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"),
        _env("OTEL_EXPORTER_OTLP_COMPRESSION"),
    )
    for candidate in candidates:
        normalized = (candidate or "").strip().lower()
        if normalized == "gzip":
            return "gzip"
        if normalized == "none":
            return "none"
    return "gzip"


def _langfuse_version() -> str:
    try:
        return metadata.version("langfuse")
    except metadata.PackageNotFoundError:
        return "unknown"


def masked_langfuse_exporter(
    masker: Masker | None = None,
    *,
    public_key: str | None = None,
    secret_key: str | None = None,
    base_url: str | None = None,
    host: str | None = None,
    timeout: float | None = None,
    additional_headers: Mapping[str, str] | None = None,
    compression: Literal["gzip", "none"] | None = None,
    report: Report | None = None,
) -> MaskingSpanExporter:
    """Build the OTLP exporter Langfuse would build, wrapped in a ``MaskingSpanExporter``.

    For ``Langfuse(span_exporter=...)`` (langfuse >= 4.2): a custom exporter gets none of the
    SDK's own wiring, so this one sets it up the same way: endpoint
    ``{base_url}/api/public/otel/v1/traces`` (or ``$LANGFUSE_OTEL_TRACES_EXPORT_PATH``), Basic
    auth from the key pair, the ``x-langfuse-*`` headers (``x-langfuse-ingestion-version: 4``),
    gzip, the timeout. Every span Langfuse exports (names, attributes, events, links, status,
    resource) is masked on the export thread; a batch that cannot be masked is dropped.

    Arguments left ``None`` come from the environment as in ``Langfuse()``:
    ``LANGFUSE_PUBLIC_KEY``, ``LANGFUSE_SECRET_KEY``, ``base_url`` then ``LANGFUSE_BASE_URL`` then
    ``host`` then ``LANGFUSE_HOST`` then Langfuse Cloud, ``LANGFUSE_TIMEOUT`` (5 s),
    ``LANGFUSE_OTEL_COMPRESSION``.

    Args:
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
        public_key: the project's public key.
        secret_key: the project's secret key.
        base_url: the Langfuse URL, e.g. ``https://cloud.langfuse.com``.
        host: the older name of ``base_url``.
        timeout: seconds per export request.
        additional_headers: more headers for each request (they win over the defaults).
        compression: ``"gzip"`` or ``"none"``.
        report: a :class:`~tracemask.Report` to fill with counts of what was masked.

    Raises:
        ValueError: no public or secret key (argument or environment).
        ImportError: the Langfuse SDK (and with it the OTLP/HTTP exporter) is not installed.
    """
    _require("opentelemetry.exporter.otlp.proto.http.trace_exporter")
    from opentelemetry.exporter.otlp.proto.http import Compression  # noqa: PLC0415 - optional
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter,
    )

    from tracemask.integrations.otel import MaskingSpanExporter  # noqa: PLC0415

    public_key = public_key or _env("LANGFUSE_PUBLIC_KEY")
    secret_key = secret_key or _env("LANGFUSE_SECRET_KEY")
    if not public_key or not secret_key:
        raise ValueError(
            "a Langfuse public and secret key are needed: pass public_key= and secret_key=, "
            "or set LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY"
        )
    url = base_url or _env("LANGFUSE_BASE_URL") or host or _env("LANGFUSE_HOST")
    url = (url or _DEFAULT_BASE_URL).rstrip("/")
    path = _env("LANGFUSE_OTEL_TRACES_EXPORT_PATH") or OTLP_TRACES_PATH
    auth = base64.b64encode(f"{public_key}:{secret_key}".encode()).decode("ascii")
    headers = {
        "Authorization": f"Basic {auth}",
        "x-langfuse-sdk-name": "python",
        "x-langfuse-sdk-version": _langfuse_version(),
        "x-langfuse-public-key": public_key,
        "x-langfuse-ingestion-version": "4",
        **(additional_headers or {}),
    }
    if timeout is None:
        timeout = float(_env("LANGFUSE_TIMEOUT") or 5)
    inner = OTLPSpanExporter(
        endpoint=f"{url}/{path.lstrip('/')}",
        headers=headers,
        timeout=timeout,
        compression=(
            Compression.Gzip if _compression(compression) == "gzip" else Compression.NoCompression
        ),
    )
    return MaskingSpanExporter(inner, masker, report=report)


def masked_langfuse(masker: Masker | None = None, **kwargs: Any) -> Langfuse:
    """Return ``Langfuse(**kwargs)`` with ``mask=`` and a masked ``span_exporter=`` set.

    ``mask=`` masks inputs, outputs and metadata on the application's thread (so every exporter
    on the provider, and Langfuse's debug log, see them masked); the exporter from
    :func:`masked_langfuse_exporter` masks everything else Langfuse sends. Needs langfuse >= 4.2.

    Args:
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
        **kwargs: passed to ``Langfuse()``; ``public_key``, ``secret_key``, ``base_url``,
            ``host``, ``timeout``, ``additional_headers`` and ``otel_compression`` also configure
            the exporter.

    Without a public or secret key (argument or environment) it behaves like ``Langfuse()``: the
    SDK logs a warning and the client is disabled (no exporter is built, nothing is sent).

    Raises:
        TypeError: ``kwargs`` already has ``mask`` or ``span_exporter``.
        ImportError: the Langfuse SDK is missing or older than 4.2.
    """
    _require("langfuse")
    import inspect  # noqa: PLC0415

    from langfuse import Langfuse  # noqa: PLC0415 - optional

    if "span_exporter" not in inspect.signature(Langfuse).parameters:
        raise ImportError(
            "masked_langfuse needs langfuse >= 4.2 (Langfuse(span_exporter=...)); with older "
            "versions add tracemask.integrations.otel.MaskingSpanProcessor first to a "
            "TracerProvider and pass it as Langfuse(tracer_provider=...)"
        )
    for name in ("mask", "span_exporter"):
        if name in kwargs:
            raise TypeError(f"masked_langfuse sets {name}= itself")
    m = masker_or_default(masker)
    public_key = kwargs.get("public_key") or _env("LANGFUSE_PUBLIC_KEY")
    secret_key = kwargs.get("secret_key") or _env("LANGFUSE_SECRET_KEY")
    if not public_key or not secret_key:
        # As Langfuse() itself: without keys the client warns and disables tracing (nothing is
        # sent, so there is nothing to export); ``mask=`` stays set should it be enabled.
        return Langfuse(mask=langfuse_mask(m), **kwargs)
    exporter = masked_langfuse_exporter(
        m,
        public_key=kwargs.get("public_key"),
        secret_key=kwargs.get("secret_key"),
        base_url=kwargs.get("base_url"),
        host=kwargs.get("host"),
        timeout=kwargs.get("timeout"),
        additional_headers=kwargs.get("additional_headers"),
        compression=kwargs.pop("otel_compression", None),
    )
    return Langfuse(mask=langfuse_mask(m), span_exporter=exporter, **kwargs)

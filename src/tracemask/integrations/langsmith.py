"""LangSmith: mask runs in the SDK's own hooks before they leave the process.

>>> from tracemask.integrations.langsmith import masked_client
>>> client = masked_client()  # doctest: +SKIP

``langsmith.Client`` passes every run's ``inputs``, ``outputs``, ``extra.metadata`` and
``error`` through its ``anonymizer`` (a fresh JSON copy; ``error`` wrapped as
``{"error": text}``); :func:`client_kwargs` builds that anonymizer from a :class:`~tracemask.Masker`
and sets ``hide_inputs/hide_outputs/hide_metadata`` the way the SDK would from
``LANGSMITH_HIDE_*`` / ``LANGCHAIN_HIDE_*`` and from the policy's ``hide_*`` switches. The client
never shows the hooks a run's ``name``, ``tags``, ``serialized``, custom ``events``, the rest of
``extra`` or attachments: :func:`run_ops_processor` (for ``process_buffered_run_ops``) masks all
of them but attachments. See ``docs/integrations/langsmith.md``.

Every hook fails closed: when masking raises, the payload is replaced by ``{}`` (an ``error`` by
:data:`WITHHELD`) unless the policy's ``fail_mode`` is ``"open"``. Hooks never raise into the SDK.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from tracemask._masker import Masker
from tracemask.integrations._guard import (
    WITHHELD,
    fail_open,
    masker_or_default,
    require,
    warn_failed,
)

if TYPE_CHECKING:
    from langsmith import Client

__all__ = [
    "RUN_OPS_BUFFER_SIZE",
    "WITHHELD",
    "anonymizer",
    "client_kwargs",
    "join_chunks",
    "masked_client",
    "masking_hooks",
    "process_inputs",
    "process_outputs",
    "run_ops_processor",
]

#: Run operations LangSmith collects before :func:`run_ops_processor` masks them. One: each
#: operation is masked and queued as it comes, so the SDK's own exit handling sends it; LangSmith
#: never flushes a fuller buffer at exit (pass a larger ``run_ops_buffer_size`` to batch, and
#: call ``client.flush()`` before the process exits).
RUN_OPS_BUFFER_SIZE = 1

#: The payloads the client's ``hide_*`` switches govern, as named in ``LANGSMITH_HIDE_*``.
_HIDDEN_PARTS = ("inputs", "outputs", "metadata")

#: Run fields that no client hook sees, with the value each gets when masking it fails.
_RUN_FIELDS: dict[str, Any] = {
    "name": WITHHELD,
    "tags": [],
    "events": [],
    "serialized": {},
    "error": WITHHELD,
}

_log = logging.getLogger(__name__)

Payload = dict[str, Any]
Hook = Callable[[Payload], Payload]


def _require_langsmith() -> Any:
    return require("langsmith", integration=__name__, extra="langsmith", what="the LangSmith SDK")


def _mask(masker: Masker, value: Any, what: str) -> tuple[bool, Any]:
    """Return ``(True, masked copy)``, or ``(False, value)`` when masking failed.

    The failure is logged with the exception type only: a MaskingError names a JSON path,
    and paths are made of the payload's own keys.
    """
    try:
        return True, masker.mask(value)
    except Exception as exc:  # noqa: BLE001 - a hook must never raise into the SDK
        warn_failed(_log, f"LangSmith {what}", exc, masker)
        return False, value


def _mask_payload(masker: Masker, payload: Payload, what: str) -> Payload:
    """Mask one dict payload; on failure hide it (``{}``), or pass it through in open mode.

    LangSmith hands a run's ``error`` over as ``{"error": text}`` and, when the anonymizer's
    result has no ``"error"`` key, uploads the *original* text. So an ``error`` key that goes
    in always comes out: masked, or :data:`WITHHELD`.
    """
    ok, masked = _mask(masker, payload, what)
    if not ok and fail_open(masker):
        return payload
    result: Payload = masked if ok else {}
    if "error" in payload and "error" not in result:
        result = {**result, "error": WITHHELD}
    return result


def anonymizer(masker: Masker | None = None) -> Hook:
    """Return a ``Client(anonymizer=...)`` callable that masks with ``masker``.

    LangSmith calls it for each run's inputs, outputs and metadata (a fresh JSON copy) and for
    its error as ``{"error": text}``. There is no depth limit (``create_anonymizer`` stops at
    ``max_depth=10`` and uploads what lies deeper). On a masking failure it returns ``{}``, and
    ``{"error": WITHHELD}`` for an error, unless the policy's ``fail_mode`` is ``"open"``.

    Args:
        masker: the Masker to use (``None``: ``Masker()``, the default policy).
    """
    m = masker_or_default(masker)

    def anonymize(payload: Payload) -> Payload:
        return _mask_payload(m, payload, "payload")

    return anonymize


def _env_hides(part: str, env: Mapping[str, str]) -> bool:
    """Whether ``LANGSMITH_HIDE_<PART>`` (else ``LANGCHAIN_HIDE_<PART>``) hides ``part``.

    The same reading as ``langsmith.utils.get_env_var``: the first namespace with a non-blank
    value wins, and only the exact string ``"true"`` hides.
    """
    for namespace in ("LANGSMITH", "LANGCHAIN"):
        value = env.get(f"{namespace}_HIDE_{part.upper()}")
        if value is not None and value.strip() != "":
            return value == "true"
    return False


def masking_hooks(
    masker: Masker | None = None, *, env: Mapping[str, str] | None = None
) -> dict[str, bool | Hook]:
    """Return ``hide_inputs``, ``hide_outputs`` and ``hide_metadata`` for ``langsmith.Client``.

    Each is ``True`` (LangSmith uploads ``{}``) when the policy's ``hide_*`` switch is on or
    the environment says so exactly as LangSmith reads it (``LANGSMITH_HIDE_INPUTS=true``,
    else ``LANGCHAIN_HIDE_INPUTS=true``), and otherwise a callable that masks the payload.

    LangSmith ignores callable ``hide_*`` while an ``anonymizer`` is set, and never passes a
    run's ``error`` to them: prefer :func:`client_kwargs`, which sets both.

    Args:
        masker: the Masker to use (``None``: ``Masker()``).
        env: the environment to read (``None``: ``os.environ``, read now; LangSmith itself
            caches its first read).
    """
    m = masker_or_default(masker)
    environ = os.environ if env is None else env
    hooks: dict[str, bool | Hook] = {}
    for part in _HIDDEN_PARTS:
        if getattr(m.policy, f"hide_{part}") or _env_hides(part, environ):
            hooks[f"hide_{part}"] = True
        else:
            hooks[f"hide_{part}"] = _part_hook(m, part)
    return hooks


def _part_hook(masker: Masker, part: str) -> Hook:
    def hide(payload: Payload) -> Payload:
        return _mask_payload(masker, payload, part)

    hide.__name__ = hide.__qualname__ = f"mask_{part}"
    return hide


def client_kwargs(
    masker: Masker | None = None,
    *,
    env: Mapping[str, str] | None = None,
    mask_all_fields: bool = True,
) -> dict[str, Any]:
    """Return the ``langsmith.Client(**kwargs)`` that mask every run with ``masker``.

    ``anonymizer`` masks inputs, outputs, metadata and errors; ``hide_*`` are ``True`` where
    the policy or ``LANGSMITH_HIDE_*`` / ``LANGCHAIN_HIDE_*`` hide a part (LangSmith checks
    ``True`` before the anonymizer), else masking callables, which LangSmith ignores while the
    anonymizer is set and which keep masking if a caller drops it.

    Args:
        masker: the Masker to use (``None``: ``Masker()``).
        env: the environment to read (``None``: ``os.environ``).
        mask_all_fields: also set ``process_buffered_run_ops`` to :func:`run_ops_processor`
            (names, tags, custom events, ``serialized``, ``extra``) with
            ``run_ops_buffer_size=RUN_OPS_BUFFER_SIZE`` (the default: every field the client
            uploads is masked). ``False`` narrows masking to what the anonymizer sees (inputs,
            outputs, metadata, errors): names and tags then go out as they are.
    """
    m = masker_or_default(masker)
    kwargs: dict[str, Any] = {"anonymizer": anonymizer(m), **masking_hooks(m, env=env)}
    if mask_all_fields:
        kwargs["process_buffered_run_ops"] = run_ops_processor(m)
        kwargs["run_ops_buffer_size"] = RUN_OPS_BUFFER_SIZE
    return kwargs


def masked_client(
    masker: Masker | None = None, *, mask_all_fields: bool = True, **kwargs: Any
) -> Client:
    """Return a ``langsmith.Client`` that masks every run with ``masker``.

    ``mask_all_fields`` is as in :func:`client_kwargs`. ``kwargs`` go to ``Client``: an
    explicit ``hide_inputs=True``/``False`` (and so on) wins over the policy and the
    environment, as it does in LangSmith; ``run_ops_buffer_size`` and
    ``run_ops_buffer_timeout_ms`` tune ``mask_all_fields``.

    Raises:
        ImportError: the LangSmith SDK is not installed.
        TypeError: ``kwargs`` holds an ``anonymizer`` or a callable ``hide_*``, which would
            replace the masking or be silently ignored by LangSmith.
    """
    langsmith = _require_langsmith()
    if "anonymizer" in kwargs:
        raise TypeError(
            "masked_client sets the anonymizer; build the Client from client_kwargs() instead"
        )
    for name in (f"hide_{part}" for part in _HIDDEN_PARTS):
        if callable(kwargs.get(name)):
            raise TypeError(
                f"langsmith ignores a callable {name} while an anonymizer is set; "
                "use process_inputs/process_outputs on @traceable, or pass True to hide"
            )
    hooks = client_kwargs(masker, mask_all_fields=mask_all_fields)
    client: Client = langsmith.Client(**{**hooks, **kwargs})
    return client


def process_inputs(masker: Masker | None = None) -> Hook:
    """Return a ``@traceable(process_inputs=...)`` callable that masks the bound arguments.

    It runs on the caller's thread before the run is created; the function still gets its
    real arguments. Fails closed to ``{}``. Values the engine does not know (arbitrary
    objects) are passed through and serialized later by LangSmith: keep the client's
    anonymizer (:func:`client_kwargs`) as well.
    """
    m = masker_or_default(masker)

    def mask_inputs(inputs: Payload) -> Payload:
        return _mask_payload(m, inputs, "inputs")

    return mask_inputs


def process_outputs(masker: Masker | None = None) -> Callable[[Any], Payload]:
    """Return a ``@traceable(process_outputs=...)`` callable that masks the return value.

    The traced function's caller still gets the unmasked value. A non-dict result is wrapped as
    LangSmith does (``{"output": value}``; pydantic models are dumped first). Fails closed to
    ``{}``. For generators, LangSmith passes the list of yielded chunks: a value split across
    chunks is found only when they are joined, so pass ``reduce_fn=join_chunks`` too.
    """
    m = masker_or_default(masker)

    def mask_outputs(outputs: Any) -> Payload:
        if isinstance(outputs, dict):
            payload: Payload = outputs
        elif hasattr(outputs, "model_dump") and not isinstance(outputs, type):
            payload = _dump_model(outputs)
        else:
            payload = {"output": outputs}
        return _mask_payload(m, payload, "outputs")

    return mask_outputs


def _dump_model(model: Any) -> Payload:
    """LangSmith's own shaping of a pydantic return value."""
    try:
        dumped = model.model_dump(exclude_none=True, mode="json")
    except Exception:  # noqa: BLE001 - as LangSmith: fall back to wrapping the object
        return {"output": model}
    return dumped if isinstance(dumped, dict) else {"output": dumped}


def join_chunks(chunks: Sequence[Any]) -> Any:
    """A ``@traceable(reduce_fn=...)`` for generators that yield text: one string, not pieces.

    Without a ``reduce_fn`` LangSmith uploads the list of chunks, and a value split across
    chunks (``"jane.do"``, ``"e@exam"``, …) is never whole for the masker to find. Chunks that
    are not all strings are returned as they are.
    """
    if all(isinstance(c, str) for c in chunks):
        return "".join(chunks)
    return list(chunks)


def run_ops_processor(
    masker: Masker | None = None,
) -> Callable[[Sequence[Payload]], list[Payload]]:
    """Return a ``Client(process_buffered_run_ops=...)`` callable for what the hooks never see.

    It masks each run's ``name``, ``tags``, ``events`` (custom events keep their ``kwargs``),
    ``serialized``, ``error`` and ``extra`` other than ``metadata`` (LangChain's
    ``invocation_params``). Use it beside :func:`client_kwargs`, which covers inputs, outputs and
    metadata; ``client_kwargs(mask_all_fields=True)`` sets both. Attachments are not masked.
    LangSmith requires ``run_ops_buffer_size`` with it, buffers run operations and processes them
    on a thread pool: call ``client.flush()`` before the process exits. A field whose
    masking fails gets a fixed value (``name``/``error``: :data:`WITHHELD`, the others empty)
    unless the policy's ``fail_mode`` is ``"open"``.
    """
    m = masker_or_default(masker)

    def process(runs: Sequence[Payload]) -> list[Payload]:
        return [_mask_run_fields(m, run) for run in runs]

    return process


def _mask_run_fields(masker: Masker, run: Payload) -> Payload:
    out = dict(run)
    closed = not fail_open(masker)
    for name, fallback in _RUN_FIELDS.items():
        if out.get(name) is not None:
            ok, masked = _mask(masker, out[name], f"run {name}")
            out[name] = masked if ok or not closed else copy.copy(fallback)
    extra = out.get("extra")
    if isinstance(extra, dict):
        metadata = {"metadata": extra["metadata"]} if "metadata" in extra else {}
        rest = {k: v for k, v in extra.items() if k != "metadata"}
        ok, masked = _mask(masker, rest, "run extra")
        out["extra"] = (masked if ok or not closed else {}) | metadata
    return out

"""Presidio's REST API on ``tracemask serve``: ``POST /analyze``, ``POST /anonymize`` and their
``GET`` companions, in Presidio's shapes and entity names, so that a client of Presidio's
analyzer and anonymizer (LiteLLM's Presidio guardrail, pipelines posting to ``/analyze``)
switches by changing its base URLs. Detection is tracemask's engine under the server's policy.

Where Presidio's own behaviour is unsafe the request is taken and the safe thing done:
``hash`` is a keyed HMAC (``TRACEMASK_HASH_KEY``, else a key made at start), not a bare digest
anyone can reverse by hashing guesses; ``encrypt`` and ``decrypt`` (Presidio: AES-CBC with a key
the caller sends) use the server's key ring instead, the keys of the policy's ``encrypt``
operators (AES-SIV tokens that ``tracemask decrypt`` reads too), and ignore a sent ``key``;
without such an operator they are refused with 400. Ad-hoc regex recognizers are compiled with
RE2 (linear time: a caller's pattern cannot hang the service).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

import re2
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from tracemask._masker import Masker
from tracemask.encryption._keyring import KeyRing
from tracemask.encryption._token import TOKEN, TokenError, seal, unseal
from tracemask.entities import ENTITIES
from tracemask.operators import Encrypt
from tracemask.server import _recent as recent
from tracemask.server._errors import BadRequestError, ForbiddenError, UnsupportedMediaError
from tracemask.server._http import deadline_of, guarded, masker_for, state_of
from tracemask.server._state import AppState

#: tracemask's entity names to Presidio's, and every Presidio label back to ours.
TO_PRESIDIO = {e.name: (e.ner.get("presidio") or (e.name,))[0] for e in ENTITIES}
FROM_PRESIDIO = {label: e.name for e in ENTITIES for label in (*e.ner.get("presidio", ()), e.name)}
_HASH_KEY = (os.environ.get("TRACEMASK_HASH_KEY") or "").encode() or secrets.token_bytes(32)
#: Presidio's clients wait for each answer before the LLM call goes out, and under load each
#: hand-off to a masking thread and back waits for the scheduler and the GIL (1-5 ms each way
#: measured at load ~5 on 2 cores). So small work runs on the event loop instead: texts up to
#: this many characters always (well under a millisecond of detection) ...
INLINE_MAX_CHARS = 2048
#: ... and longer ones, up to :data:`INLINE_CAP_CHARS`, when the server's learnt cost of masking
#: (:class:`~tracemask.server._state.CostModel`) predicts at most this many seconds: no longer
#: than a worker thread running Python code would hold the GIL from the loop anyway (a few
#: switch intervals). Under heavier load the prediction grows and they go to the threads again.
INLINE_BUDGET_S = 0.010
INLINE_CAP_CHARS = 32_768
#: Anonymizing is a splice (no detection, cheaper than parsing the body the loop has already
#: parsed): on the loop at any text length, with no more results than this to resolve.
INLINE_MAX_RESULTS = 256


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Pattern(_Body):
    name: str = "pattern"
    regex: str
    score: float = Field(default=0.5, ge=0, le=1)


class AdHocRecognizer(_Body):
    """Presidio's ``PatternRecognizer`` as JSON: regex patterns and/or a deny list."""

    name: str = "ad hoc"
    supported_entity: str
    patterns: list[Pattern] = []
    deny_list: list[str] = []
    deny_list_score: float = Field(default=1.0, ge=0, le=1)
    #: Words that raise a result's score when found just before it (Presidio's context).
    context: list[str] = []


class AnalyzeRequest(_Body):
    text: str
    language: str = "en"
    entities: list[str] | None = None
    score_threshold: float | None = Field(default=None, ge=0, le=1)
    correlation_id: str | None = None
    return_decision_process: bool = False
    ad_hoc_recognizers: list[AdHocRecognizer] = []
    context: list[str] | None = None


class AnalyzerResult(_Body):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    entity_type: str
    score: float = 1.0


class Operator(_Body):
    type: Literal["replace", "redact", "mask", "hash", "keep", "encrypt"] = "replace"
    new_value: str | None = None
    masking_char: str = Field(default="*", min_length=1, max_length=1)
    chars_to_mask: int = Field(default=0, ge=0)
    from_end: bool = False
    hash_type: Literal["sha256", "sha512", "md5"] = "sha256"


class AnonymizeRequest(_Body):
    text: str
    analyzer_results: list[AnalyzerResult] = []
    anonymizers: dict[str, Operator] = {}


class Deanonymizer(_Body):
    #: Presidio's AES ``key`` may be sent; it is ignored (the server's key ring decrypts).
    type: Literal["decrypt"] = "decrypt"


class AnonymizedItem(_Body):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    entity_type: str
    operator: str | None = None
    score: float | None = None


class DeanonymizeRequest(_Body):
    text: str
    deanonymizers: dict[str, Deanonymizer] = {}
    anonymizer_results: list[AnonymizedItem] = []


def keyring_of(masker: Masker) -> KeyRing | None:
    """The keys of the policy's ``encrypt`` operators, merged (``None``: it has none)."""
    ring: KeyRing | None = None
    for op in masker.compiled.bound_operators:
        if isinstance(op, Encrypt) and op.keyring is not None:
            ring = op.keyring if ring is None else ring.merged(op.keyring)
    return ring


def _no_keys(what: str) -> BadRequestError:
    return BadRequestError(
        f"{what}: the server's policy has no encrypt operator, so no key ring to use"
    )


async def _json(request: Request, model: type[BaseModel]) -> Any:
    ctype = request.headers.get("content-type")
    if ctype is not None and "json" not in ctype.lower():
        raise UnsupportedMediaError
    try:
        return model.model_validate_json(await request.body())
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "body"
        # The message names the field, never the value sent.
        raise BadRequestError(f"{where}: {err['msg']}") from None


#: Presidio's context enhancer (``LemmaContextAwareEnhancer``) defaults: a context word among
#: the 5 words before a result adds 0.35 to its score, and lifts it to at least 0.4.
CONTEXT_PREFIX_WORDS = 5
CONTEXT_BOOST = 0.35
CONTEXT_MIN_SCORE = 0.4
_WORD = re2.compile(r"\w+")


def _supportive_word(rec: AdHocRecognizer, text: str, start: int, extra: list[str]) -> str | None:
    """The recognizer's context word found in the words before ``start`` or in the request's
    ``context`` words (as in Presidio, a match is the context word inside such a word), or
    ``None``."""
    if not rec.context:
        return None
    before = [m.group(0) for m in _WORD.finditer(text[max(0, start - 200) : start])]
    around = [w.lower() for w in (*before[-CONTEXT_PREFIX_WORDS:], *extra)]
    for word in rec.context:
        wanted = word.lower()
        if wanted and any(wanted in w for w in around):
            return word
    return None


def _ad_hoc(rec: AdHocRecognizer, text: str, context: list[str]) -> list[dict[str, Any]]:
    found: list[tuple[int, int, float, str | None, str | None]] = []
    for pattern in rec.patterns:
        try:
            compiled = re2.compile(pattern.regex)
        except re2.error:
            raise BadRequestError(f"ad_hoc_recognizers: invalid regex {pattern.name!r}") from None
        found.extend(
            (m.start(), m.end(), pattern.score, pattern.name, pattern.regex)
            for m in compiled.finditer(text)
            if m.end() > m.start()
        )
    for word in filter(None, rec.deny_list):
        # A whole word: not inside a longer one (RE2 has no lookarounds: group 1 is the word).
        compiled = re2.compile(r"(?:^|\W)(" + re2.escape(word) + r")(?:\W|$)")
        found.extend(
            (m.start(1), m.end(1), rec.deny_list_score, None, None) for m in compiled.finditer(text)
        )
    hits = []
    for start, end, score, pattern_name, regex in found:
        supportive = _supportive_word(rec, text, start, context)
        boosted = score
        if supportive is not None:
            boosted = min(1.0, max(score + CONTEXT_BOOST, CONTEXT_MIN_SCORE))
        hits.append(
            {
                "entity_type": rec.supported_entity,
                "start": start,
                "end": end,
                "score": round(boosted, 4),
                "recognizer": rec.name,
                "pattern_name": pattern_name,
                "pattern": regex,
                "original_score": score,
                "supportive_context_word": supportive or "",
            }
        )
    return hits


def analyze(masker: Masker, req: AnalyzeRequest) -> list[dict[str, Any]]:
    """Presidio ``RecognizerResult`` dicts for ``req.text``."""
    hits: list[dict[str, Any]] = [
        {
            "entity_type": TO_PRESIDIO.get(f.entity, f.entity),
            "start": f.start,
            "end": f.end,
            "score": round(f.score, 4),
            "recognizer": f.recognizer,
        }
        for f in recent.detect(masker, req.text)
    ]
    for rec in req.ad_hoc_recognizers:
        hits.extend(_ad_hoc(rec, req.text, req.context or []))
    wanted = set(req.entities) if req.entities else None
    threshold = req.score_threshold or 0.0
    out = []
    for h in sorted(hits, key=lambda h: (h["start"], -h["end"])):
        if (wanted is not None and h["entity_type"] not in wanted) or h["score"] < threshold:
            continue
        name = h.pop("recognizer")
        original = h.pop("original_score", h["score"])
        explanation = {
            "recognizer": name,
            "pattern_name": h.pop("pattern_name", None),
            "pattern": h.pop("pattern", None),
            "original_score": original,
            "score": h["score"],
            "textual_explanation": f"Identified as {h['entity_type']} by {name}",
            "score_context_improvement": round(h["score"] - original, 4),
            "supportive_context_word": h.pop("supportive_context_word", ""),
            "validation_result": None,
        }
        h["analysis_explanation"] = explanation if req.return_decision_process else None
        h["recognition_metadata"] = {"recognizer_name": name, "recognizer_identifier": name}
        out.append(h)
    return out


def _apply(op: Operator, entity: str, value: str, ring: KeyRing | None) -> str:
    if op.type == "replace":
        return op.new_value if op.new_value is not None else f"<{entity}>"
    if op.type == "redact":
        return ""
    if op.type == "keep":
        return value
    if op.type == "mask":
        n = min(op.chars_to_mask, len(value))
        if op.from_end:
            return value[: len(value) - n] + op.masking_char * n
        return op.masking_char * n + value[n:]
    if op.type == "hash":
        digest = hashlib.sha512 if op.hash_type == "sha512" else hashlib.sha256
        return hmac.new(_HASH_KEY, value.encode("utf-8", "surrogatepass"), digest).hexdigest()
    if ring is None:
        raise _no_keys("encrypt")
    return seal(ring, ring.active, entity, value)  # a caller-sent key is ignored, on purpose


@dataclass
class _Span:
    start: int
    end: int
    entity_type: str
    score: float
    #: Position among the results sorted by span; a merged span takes its last part's (the
    #: tie-break between equal spans of equal score, as in Presidio).
    order: int = 0


def resolve_conflicts(results: list[AnalyzerResult], text: str) -> list[_Span]:
    """The spans ``/anonymize`` replaces, chosen as Presidio's anonymizer chooses them:

    1. intersecting results of one entity type become one (their union, the best score);
    2. a result inside another one is dropped (of equal spans the best score stays, the last
       on a tie);
    3. results of one type separated only by spaces become one ("Jane Doe" from two names).

    Where Presidio would leave two results of different types partly overlapping (and replace
    the shared characters twice), the lower-scored one is cut back to where the other starts
    or ends: every character of both is still replaced, once.
    """
    ordered = sorted(results, key=lambda r: (r.start, r.end))
    spans = [_Span(r.start, r.end, r.entity_type, r.score, i) for i, r in enumerate(ordered)]
    merged: list[_Span] = []
    last_of_type: dict[str, _Span] = {}
    for span in spans:
        current = last_of_type.get(span.entity_type)
        if current is not None and span.start < current.end:
            current.end = max(current.end, span.end)
            current.score = max(current.score, span.score)
            current.order = span.order
        else:
            merged.append(span)
            last_of_type[span.entity_type] = span
    kept: list[_Span] = []
    reach = -1  # the furthest end of the spans seen so far
    for span in sorted(merged, key=lambda s: (s.start, -s.end)):
        if kept and (kept[-1].start, kept[-1].end) == (span.start, span.end):
            if (span.score, span.order) > (kept[-1].score, kept[-1].order):
                kept[-1] = span  # equal spans: the best score, the last on a tie
            continue
        if reach >= span.end:
            continue  # inside an earlier span
        kept.append(span)
        reach = max(reach, span.end)
    trimmed: list[_Span] = []  # sorted, disjoint: only partial overlaps of two types are left
    for span in kept:
        while trimmed and span.start < trimmed[-1].end and span.start < span.end:
            previous = trimmed[-1]
            if previous.score >= span.score:
                span.start = previous.end
                break
            previous.end = span.start
            if previous.start < previous.end:
                break
            trimmed.pop()
        if span.start < span.end:
            trimmed.append(span)
    out: list[_Span] = []
    for span in trimmed:
        last = out[-1] if out else None
        gap = text[last.end : span.start] if last is not None else ""
        if (
            last is not None
            and last.entity_type == span.entity_type
            and gap.strip(" ") == ""
            and gap
        ):
            span.start = last.start
            out.pop()
        out.append(span)
    return out


def anonymize(req: AnonymizeRequest, ring: KeyRing | None = None) -> dict[str, Any]:
    """Presidio's ``EngineResult``: the text with each result replaced, and the items (offsets
    in the new text, last first, with the result's score, as Presidio lists them).

    ``ring`` encrypts for the ``encrypt`` operator (``None``: it is refused).
    """
    text = req.text
    if any(r.end > len(text) or r.start >= r.end for r in req.analyzer_results):
        raise BadRequestError("analyzer_results: a span outside the text")
    chosen = resolve_conflicts(req.analyzer_results, text)
    default = req.anonymizers.get("DEFAULT", Operator())
    replaced: list[_Replaced] = []
    for r in sorted(chosen, key=lambda r: r.start):
        op = req.anonymizers.get(r.entity_type, default)
        new = _apply(op, r.entity_type, text[r.start : r.end], ring)
        replaced.append((r.start, r.end, r.entity_type, new, op.type, r.score))
    return _engine_result(text, replaced)


#: A span replaced: ``(start, end, entity_type, new text, operator, score)``.
_Replaced = tuple[int, int, str, str, str, float | None]


def _engine_result(text: str, replaced: Iterable[_Replaced]) -> dict[str, Any]:
    """Presidio's ``EngineResult``: ``text`` with each span (sorted, disjoint) replaced, and the
    items with offsets in the new text."""
    pieces: list[str] = []
    items: list[dict[str, Any]] = []
    pos = 0
    length = 0
    for start, end, entity_type, new, operator, score in replaced:
        pieces.append(text[pos:start])
        length += start - pos
        items.append(
            {
                "start": length,
                "end": length + len(new),
                "entity_type": entity_type,
                "text": new,
                "operator": operator,
                "score": score,
            }
        )
        pieces.append(new)
        length += len(new)
        pos = end
    pieces.append(text[pos:])
    # Presidio's engines list the items last span first (they replace from the end).
    return {"text": "".join(pieces), "items": items[::-1]}


def deanonymize(req: DeanonymizeRequest, ring: KeyRing | None) -> dict[str, Any]:
    """Presidio's ``EngineResult`` for ``decrypt``: each item's span (a tracemask encrypt token)
    replaced by its value, and the items with offsets in the restored text.

    Raises:
        BadRequestError: no key ring; a span outside the text, overlapping another, or not
            one whole token; a token the ring does not open. Messages never hold a value.
    """
    if ring is None:
        raise _no_keys("decrypt")
    text = req.text
    replaced: list[_Replaced] = []
    pos = 0
    for i, r in enumerate(sorted(req.anonymizer_results, key=lambda r: r.start)):
        where = f"anonymizer_results[{i}]"
        if r.end > len(text) or r.start >= r.end or r.start < pos:
            raise BadRequestError(f"{where}: a span outside the text or overlapping another")
        if r.entity_type not in req.deanonymizers and "DEFAULT" not in req.deanonymizers:
            continue  # Presidio leaves a span without a deanonymizer as it is
        match = TOKEN.fullmatch(text, r.start, r.end)
        if match is None:
            raise BadRequestError(f"{where}: the span is not one tracemask encrypt token")
        try:
            value = unseal(ring, match)
        except TokenError as exc:  # names the key id, never a value
            raise BadRequestError(f"{where}: {exc}") from None
        replaced.append((r.start, r.end, r.entity_type, value, "decrypt", r.score))
        pos = r.end
    return _engine_result(text, replaced)


@guarded
async def analyze_endpoint(request: Request) -> Response:
    state = state_of(request)
    masker = masker_for(state.runtime(), request)
    req = await _json(request, AnalyzeRequest)
    size = len(req.text)
    seen = recent.seen(masker, req.text)  # analyzed before: nothing to detect
    if req.ad_hoc_recognizers or not (seen or _inline(state, size)):
        # Threaded: a deadline can abandon it, and the cost model learns from it.
        results = await state.run(analyze, masker, req, deadline=deadline_of(request), size=size)
        return JSONResponse(results)
    if seen or size <= INLINE_MAX_CHARS:
        return JSONResponse(analyze(masker, req))
    start = time.perf_counter()
    results = analyze(masker, req)
    state.cost.observe(size, time.perf_counter() - start)  # keeps the prediction current
    return JSONResponse(results)


def _inline(state: AppState, size: int) -> bool:
    """Whether detection on ``size`` characters runs on the event loop (see
    :data:`INLINE_BUDGET_S`)."""
    if size <= INLINE_MAX_CHARS:
        return True
    expected = state.cost.estimate(size) if size <= INLINE_CAP_CHARS else None
    return expected is not None and expected <= INLINE_BUDGET_S


@guarded
async def anonymize_endpoint(request: Request) -> Response:
    state = state_of(request)
    ring = keyring_of(masker_for(state.runtime(), request))
    req = await _json(request, AnonymizeRequest)
    if len(req.analyzer_results) <= INLINE_MAX_RESULTS:
        return JSONResponse(anonymize(req, ring))
    return JSONResponse(await state.run(anonymize, req, ring, deadline=deadline_of(request)))


@guarded
async def deanonymize_endpoint(request: Request) -> Response:
    state = state_of(request)
    auth = state.settings().auth
    if not auth.enabled or "deanonymize" not in auth.routes:
        # It answers with the raw values: never to anyone who can merely reach the port.
        raise ForbiddenError("deanonymize needs auth: server.auth tokens or hmac_secret")
    ring = keyring_of(masker_for(state.runtime(), request))
    req = await _json(request, DeanonymizeRequest)
    return JSONResponse(await state.run(deanonymize, req, ring, deadline=deadline_of(request)))


async def supported_entities(request: Request) -> Response:
    masker = state_of(request).runtime().masker
    names = {TO_PRESIDIO.get(d.entity, d.entity) for d in masker.compiled.engine.detectors}
    return JSONResponse(sorted(names))


async def recognizers(request: Request) -> Response:
    masker = state_of(request).runtime().masker
    return JSONResponse(sorted({d.name for d in masker.compiled.engine.detectors}))


async def anonymizers(request: Request) -> Response:
    return JSONResponse(["encrypt", "hash", "keep", "mask", "redact", "replace"])


async def deanonymizers(request: Request) -> Response:
    return JSONResponse(["decrypt"])


async def health(request: Request) -> Response:
    return PlainTextResponse("tracemask: Presidio-compatible analyzer and anonymizer are up")

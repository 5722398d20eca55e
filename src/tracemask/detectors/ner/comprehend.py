"""Amazon Comprehend's ``DetectPiiEntities`` as one more detector (extra ``tracemask[comprehend]``).

Each free-text string is sent to AWS. To keep the number of requests (and Comprehend's
per-request minimum charge) low, short strings are packed into one request, joined by a blank
line, and long strings are cut into overlapping windows; every request stays under the API's
size limit, counted in UTF-8 bytes. Comprehend reports offsets in code points, which are Python
``str`` indices, so each entity maps back to its string exactly.

Failures never let a string through unmasked: with ``on_error="raise"`` (the default) masking
fails (the adapters then withhold the payload, unless the policy's ``fail_mode`` is ``open``);
with ``on_error="mask"`` the whole string is reported as one finding. Retries with backoff
(throttling, 5xx, timeouts) and the per-attempt timeouts are botocore's own (``Config``).

``boto3`` is imported only when the first request is made; the options are validated by
:class:`ComprehendOptions` (a policy's ``ner.options`` too) without it.
"""

from __future__ import annotations

import bisect
import importlib.util
import logging
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tracemask._finding import Finding
from tracemask.detectors.ner import NerDetector, Span, is_free_text, require
from tracemask.entities import ner_labels
from tracemask.exceptions import MaskingError

__all__ = [
    "COMPREHEND_LABELS",
    "MAX_BYTES",
    "ComprehendDetector",
    "ComprehendError",
    "ComprehendOptions",
    "Request",
    "plan_requests",
]

log = logging.getLogger(__name__)

#: Comprehend PII entity types -> tracemask entities (types not listed are dropped; map them
#: with ``labels``, e.g. ``{"BANK_ACCOUNT_NUMBER": "BANK_ACCOUNT"}``).
COMPREHEND_LABELS: Mapping[str, str] = ner_labels("comprehend")  # rows of tracemask.entities

#: ``DetectPiiEntities``' documented limit: "A UTF-8 text string. The maximum string size is
#: 100 KB." Read as 100,000 bytes (the smaller reading of "KB").
MAX_BYTES = 100_000

#: What joins packed strings in one request: a paragraph break, so one string's words do not
#: read as the next one's.
SEPARATOR = "\n\n"


class ComprehendError(MaskingError):
    """A ``DetectPiiEntities`` call failed; names the AWS error code, never the text."""


class ComprehendOptions(BaseModel):
    """The Comprehend backend's settings (a policy's ``ner.options`` when ``backend: comprehend``).

    Region and credentials come from boto3's standard chain (environment, shared config and
    credentials files, SSO, container and instance roles); ``region`` and ``profile`` override
    the chain's choice. Credentials themselves never go in a policy.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    region: str | None = None
    profile: str | None = None
    endpoint_url: str | None = None
    language: Literal["en", "es"] = "en"
    min_score: float = Field(default=0.5, ge=0.0, le=1.0)
    timeout: float = Field(default=5.0, gt=0.0, le=300.0)
    connect_timeout: float = Field(default=2.0, gt=0.0, le=60.0)
    max_attempts: int = Field(default=3, ge=1, le=10)
    retry_mode: Literal["standard", "adaptive"] = "standard"
    max_bytes: int = Field(default=MAX_BYTES, ge=256, le=MAX_BYTES)
    overlap: int = Field(default=200, ge=0, le=2_000)
    pack: bool = True
    max_concurrency: int = Field(default=4, ge=1, le=64)
    on_error: Literal["raise", "mask"] = "raise"
    labels: dict[str, str] | None = None
    min_chars: int = Field(default=20, ge=1)
    memo_size: int = Field(default=4096, ge=0)
    vet: bool = False

    @field_validator("endpoint_url")
    @classmethod
    def _http_url(cls, url: str | None) -> str | None:
        if url is not None and not url.startswith(("http://", "https://")):
            raise ValueError("endpoint_url must start with http:// or https://")
        return url


def validate_options(options: Mapping[str, object]) -> ComprehendOptions:
    """``options`` as :class:`ComprehendOptions`, or ``ValueError`` naming the first bad one."""
    try:
        return ComprehendOptions.model_validate(dict(options))
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"]) or "options"
        raise ValueError(f"{where}: {err['msg']}") from None


class Request:
    """One ``DetectPiiEntities`` call: pieces of strings joined by :data:`SEPARATOR`.

    ``pieces`` holds ``(text index, start in that text, start in the request, length)``.
    """

    __slots__ = ("pieces", "starts", "text")

    def __init__(self) -> None:
        self.pieces: list[tuple[int, int, int, int]] = []
        #: each piece's start in the request, for bisection
        self.starts: list[int] = []
        self.text = ""

    def add(self, index: int, start: int, piece: str) -> None:
        """Append ``piece`` (``texts[index][start:…]``), after a separator when not first."""
        if self.pieces:
            self.text += SEPARATOR
        self.starts.append(len(self.text))
        self.pieces.append((index, start, len(self.text), len(piece)))
        self.text += piece

    def spans(self, begin: int, end: int) -> Iterable[tuple[int, int, int]]:
        """``(text index, start, end)`` of each piece the request span ``[begin, end)`` falls
        in, clipped to the piece and moved to its text's offsets."""
        i = max(bisect.bisect_right(self.starts, begin) - 1, 0)
        for index, text_start, req_start, length in self.pieces[i:]:
            if req_start >= end:
                break
            lo, hi = max(begin, req_start), min(end, req_start + length)
            if hi > lo:
                yield index, text_start + lo - req_start, text_start + hi - req_start


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _cut(text: str, start: int, max_bytes: int) -> int:
    """The largest ``end`` such that ``text[start:end]`` is at most ``max_bytes`` in UTF-8."""
    head = text[start : start + max_bytes]  # a char is at least one byte
    raw = head.encode("utf-8", "surrogatepass")
    if len(raw) <= max_bytes:
        return start + len(head)
    cut = max_bytes
    while cut > 0 and raw[cut] & 0xC0 == 0x80:  # not inside a multi-byte character
        cut -= 1
    return start + len(raw[:cut].decode("utf-8", "surrogatepass"))


def _windows(text: str, max_bytes: int, overlap: int) -> list[tuple[int, int]]:
    """``[start, end)`` windows covering ``text``, each at most ``max_bytes`` in UTF-8.

    A window ends at a line break or space in its last quarter when there is one, so words are
    rarely cut; consecutive windows share ``overlap`` characters, so an entity cut at one
    window's end is whole in the next.
    """
    out: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while True:
        end = _cut(text, start, max_bytes)
        if end >= n:
            out.append((start, n))
            return out
        floor = start + (end - start) * 3 // 4
        brk = max(text.rfind("\n", floor, end), text.rfind(" ", floor, end))
        if brk > start:
            end = brk + 1
        out.append((start, end))
        start = max(end - overlap, start + 1)
        if overlap:
            # Start the next window at a word boundary inside the overlap.
            space = text.find(" ", start, end)
            if space != -1:
                start = space + 1


def plan_requests(
    texts: Sequence[str], max_bytes: int = MAX_BYTES, *, overlap: int = 200, pack: bool = True
) -> list[Request]:
    """Split and pack ``texts`` into requests of at most ``max_bytes`` UTF-8 bytes each."""
    requests: list[Request] = []
    current = Request()
    used = 0
    sep_bytes = len(SEPARATOR)
    for index, text in enumerate(texts):
        if not text:
            continue  # the API refuses an empty Text; nothing to find in it
        size = _utf8_len(text)
        windows = [(0, len(text))] if size <= max_bytes else _windows(text, max_bytes, overlap)
        for start, end in windows:
            piece = text[start:end]
            piece_bytes = size if end - start == len(text) else _utf8_len(piece)
            if current.pieces and (not pack or used + sep_bytes + piece_bytes > max_bytes):
                requests.append(current)
                current, used = Request(), 0
            if current.pieces:
                used += sep_bytes
            current.add(index, start, piece)
            used += piece_bytes
    if current.pieces:
        requests.append(current)
    return requests


def _sendable(text: str) -> str:
    """``text`` with lone surrogates (JSON ``"\\ud800"``) as U+FFFD: UTF-8 cannot carry them,
    and one code point for one keeps every offset."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def _reason(exc: BaseException) -> str:
    """The AWS error code or botocore exception name: never a message (they can echo input)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        code = response.get("Error", {}).get("Code")
        if isinstance(code, str) and code.isidentifier():
            return code
    return type(exc).__name__


class ComprehendDetector(NerDetector):
    """Findings of Amazon Comprehend's ``DetectPiiEntities``, with Comprehend's scores.

    Args:
        entities: tracemask entities to report (Comprehend types mapping to others are dropped).
        client: a boto3 ``comprehend`` client to use as is (its own config then applies);
            default: one built on first use from the options below.
        region: AWS region (default: boto3's chain, e.g. ``AWS_REGION``).
        profile: a named profile of the shared AWS config.
        endpoint_url: another endpoint (a VPC endpoint, a local test server).
        language: ``"en"`` or ``"es"``, the languages ``DetectPiiEntities`` accepts.
        min_score: Comprehend findings scored below are dropped (the policy's thresholds
            apply on top).
        timeout: seconds to wait for a response, per attempt (botocore ``read_timeout``).
        connect_timeout: seconds to wait for a connection, per attempt.
        max_attempts: attempts per request, the first included (botocore ``retries``).
        retry_mode: botocore's retry mode: ``"standard"`` (exponential backoff with jitter on
            throttling, 5xx and timeouts) or ``"adaptive"`` (the same plus client-side rate
            limiting).
        max_bytes: UTF-8 bytes per request (at most the API's 100,000).
        overlap: characters shared by consecutive windows of a string longer than a request.
        pack: join short strings into one request (fewer requests, fewer minimum charges).
        max_concurrency: requests in flight at once.
        on_error: ``"raise"``: a failed request fails masking (:class:`ComprehendError`);
            ``"mask"``: each string of a failed request is reported whole, as the first of
            ``entities``.
        labels: Comprehend type -> tracemask entity (default: :data:`COMPREHEND_LABELS`).
        min_chars: shorter strings are not sent.
        memo_size: findings of this many recent strings are remembered.
        vet: drop PERSON/LOCATION spans that cannot be names.
    """

    def __init__(
        self,
        entities: Iterable[str] = ("PERSON", "LOCATION"),
        *,
        client: Any = None,
        **options: Any,
    ) -> None:
        self.options = opts = validate_options(options)
        super().__init__(
            "Comprehend",
            opts.labels or COMPREHEND_LABELS,
            entities,
            min_chars=opts.min_chars,
            memo_size=opts.memo_size,
            cased=False,  # Comprehend reads upper-case text; the gate only skips non-prose
            vet=opts.vet,
        )
        if client is None and importlib.util.find_spec("boto3") is None:
            require("boto3", "comprehend")  # fail at construction, naming the extra
        self._client = client
        #: Strings whose request failed during a prefetch, with the reason: the next ``detect``
        #: of each answers at once (raise or mask) instead of paying the retries again.
        self._failed: OrderedDict[str, str] = OrderedDict()

    @property
    def client(self) -> Any:
        """The boto3 ``comprehend`` client, built on first use."""
        if self._client is None:
            boto3 = require("boto3", "comprehend")
            config_mod = require("botocore.config", "comprehend")
            opts = self.options
            with self._lock:
                if self._client is None:
                    session = boto3.session.Session(
                        profile_name=opts.profile, region_name=opts.region
                    )
                    config = config_mod.Config(
                        connect_timeout=opts.connect_timeout,
                        read_timeout=opts.timeout,
                        # total_max_attempts counts the first call (max_attempts does not).
                        retries={
                            "mode": opts.retry_mode,
                            "total_max_attempts": opts.max_attempts,
                        },
                        max_pool_connections=max(10, opts.max_concurrency),
                        user_agent_extra="tracemask",
                    )
                    self._client = session.client(
                        "comprehend", endpoint_url=opts.endpoint_url, config=config
                    )
        return self._client

    # -- detection -----------------------------------------------------------------------

    def detect(self, text: str) -> list[Finding]:
        """Findings in ``text`` (empty unless it is free text)."""
        with self._lock:
            reason = self._failed.pop(text, None)
        if reason is not None:
            return list(self._on_failure([text], [reason])[0])
        return super().detect(text)

    def prefetch(self, texts: Iterable[str]) -> None:
        """Send the free-text strings of ``texts`` now, packed, and remember the findings for
        the next ``detect`` calls; a string whose request failed fails (or is masked whole) at
        its ``detect``, without a second round of retries."""
        with self._lock:
            todo = list(
                dict.fromkeys(
                    t
                    for t in texts
                    if t not in self._memo and is_free_text(t, self.min_chars, cased=False)
                )
            )
        if todo:
            self._run(todo, prefetch=True)

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        """Comprehend's spans for each of ``texts``; raises :class:`ComprehendError`."""
        spans, errors = self._call(texts)
        if errors:
            raise ComprehendError(self._message(errors.values()))
        return spans

    def _run(self, texts: Sequence[str], *, prefetch: bool = False) -> list[tuple[Finding, ...]]:
        if not texts:
            return []
        spans, errors = self._call(texts)
        results: list[tuple[Finding, ...]] = []
        failed = [i for i in range(len(texts)) if i in errors]
        for i, text in enumerate(texts):
            results.append(() if i in errors else self._findings(text, spans[i]))
        with self._lock:
            for i, text in enumerate(texts):
                if i in errors:
                    continue
                self._failed.pop(text, None)  # an earlier failure is stale now
                if self._memo_size:
                    self._memo[text] = results[i]
                    self._memo.move_to_end(text)
                while len(self._memo) > self._memo_size:
                    self._memo.popitem(last=False)
            if prefetch:  # detect() answers these next
                for i in failed:
                    self._failed[texts[i]] = errors[i]
                while len(self._failed) > max(self._memo_size, 1024):
                    self._failed.popitem(last=False)
        if failed and not prefetch:
            masked = self._on_failure([texts[i] for i in failed], [errors[i] for i in failed])
            for i, found in zip(failed, masked, strict=True):
                results[i] = found
        return results

    def _on_failure(
        self, texts: Sequence[str], reasons: Sequence[str]
    ) -> list[tuple[Finding, ...]]:
        if self.options.on_error == "raise":
            raise ComprehendError(self._message(reasons))
        log.warning(
            "Comprehend: %d string(s) masked whole: %s", len(texts), ", ".join(sorted(set(reasons)))
        )
        return [(Finding(0, len(t), self.entity, 1.0, self.name),) if t else () for t in texts]

    def _message(self, reasons: Iterable[str]) -> str:
        codes = ", ".join(sorted(set(reasons)))
        return (
            f"Amazon Comprehend DetectPiiEntities failed ({codes}; up to "
            f"{self.options.max_attempts} attempt(s) each); the text was not passed on"
        )

    def _call(self, texts: Sequence[str]) -> tuple[list[list[Span]], dict[int, str]]:
        """Spans per text, and the failure reason of each text whose request failed."""
        opts = self.options
        sendable = [_sendable(t) for t in texts]
        requests = plan_requests(sendable, opts.max_bytes, overlap=opts.overlap, pack=opts.pack)
        spans: list[list[Span]] = [[] for _ in texts]
        errors: dict[int, str] = {}
        try:
            client = self.client
        except Exception as exc:  # noqa: BLE001 - no region, bad profile: fail closed, no value
            return spans, dict.fromkeys(range(len(texts)), _reason(exc))
        log.debug("Comprehend: %d string(s) in %d request(s)", len(texts), len(requests))
        outcomes: Iterable[list[dict[str, Any]] | str]
        if len(requests) == 1 or opts.max_concurrency == 1:
            outcomes = [self._send(client, r) for r in requests]
        else:
            with ThreadPoolExecutor(
                min(opts.max_concurrency, len(requests)), thread_name_prefix="tracemask-comprehend"
            ) as pool:
                outcomes = list(pool.map(lambda r: self._send(client, r), requests))
        for request, outcome in zip(requests, outcomes, strict=True):
            if isinstance(outcome, str):
                for index, *_ in request.pieces:
                    errors[index] = outcome
                continue
            for entity in outcome:
                begin, end = int(entity.get("BeginOffset", 0)), int(entity.get("EndOffset", 0))
                label, score = str(entity.get("Type", "")), float(entity.get("Score", 0.0))
                for index, start, stop in request.spans(begin, end):
                    spans[index].append((start, stop, label, score))
        return spans, errors

    def _send(self, client: Any, request: Request) -> list[dict[str, Any]] | str:
        """Comprehend's entities for one request, or the reason it failed."""
        try:
            response = client.detect_pii_entities(
                Text=request.text, LanguageCode=self.options.language
            )
        except Exception as exc:  # noqa: BLE001 - every failure fails closed, reported by code
            reason = _reason(exc)
            log.warning(
                "Comprehend: DetectPiiEntities failed (%s) for a request of %d string piece(s)",
                reason,
                len(request.pieces),
            )
            return reason
        entities = response.get("Entities") if isinstance(response, dict) else None
        return list(entities) if isinstance(entities, list) else []

    def _findings(self, text: str, spans: Iterable[Span]) -> tuple[Finding, ...]:
        """Mapped, thresholded findings; overlapping spans of one entity (an entity seen in two
        windows, or cut by one) are merged into their union."""
        by_entity: dict[str, list[tuple[int, int, float]]] = {}
        for raw_start, raw_end, label, score in spans:
            entity = self.labels.get(label)
            if entity is None or score < self.options.min_score:
                continue
            start, end = max(raw_start, 0), min(raw_end, len(text))
            # Only spaces are trimmed: a password's punctuation is part of it.
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                by_entity.setdefault(entity, []).append((start, end, score))
        found: list[Finding] = []
        for entity, items in by_entity.items():
            items.sort()
            merged: list[tuple[int, int, float]] = []
            for start, end, score in items:
                if merged and start <= merged[-1][1]:
                    last = merged[-1]
                    merged[-1] = (last[0], max(last[1], end), max(last[2], score))
                else:
                    merged.append((start, end, score))
            for start, end, score in merged:
                if self.plausible(text[start:end], entity):
                    clamped = min(max(score, 0.0), 1.0)
                    found.append(Finding(start, end, entity, clamped, self.name))
        found.sort(key=lambda f: (f.start, f.end))
        return tuple(found)

"""The detection engine: prefilter, match, validate, threshold, resolve overlaps.

``DetectionEngine`` is built once from a tuple of detectors and is immutable afterwards, so one
engine serves every thread.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from tracemask._finding import Finding
from tracemask._tokens import token_spans
from tracemask.detectors._fold import fold
from tracemask.detectors._prefilter import Prefilter, build_prefilter
from tracemask.detectors._views import decoded_view
from tracemask.entities import BY_NAME
from tracemask.typing import Detector, is_field_aware, is_triggered

#: Strings shorter than this hold no entity tracemask detects (the shortest, an email, is 6).
MIN_TEXT_LENGTH = 6


class DetectionEngine:
    """Runs a set of detectors over strings and returns non-overlapping findings.

    Args:
        detectors: the detectors, in priority order for ties.
        thresholds: minimum score per entity; findings below are dropped.
        default_threshold: minimum score for entities not in ``thresholds``.
        allow: per entity, values (case-insensitive) that are never reported.
        backend: ``"auto"`` (Hyperscan when installed), ``"hyperscan"`` or ``"re"``.
    """

    def __init__(
        self,
        detectors: Sequence[Detector],
        *,
        thresholds: Mapping[str, float] | None = None,
        default_threshold: float = 0.5,
        allow: Mapping[str, Sequence[str]] | None = None,
        backend: str = "auto",
    ) -> None:
        self.detectors = tuple(detectors)
        triggered = [d for d in self.detectors if is_triggered(d) and d.trigger]
        self._triggered: tuple[Detector, ...] = tuple(triggered)
        self._always = tuple(d for d in self.detectors if not any(d is t for t in triggered))
        # Gates of the name and address detectors are matched in the prefilter's scan.
        companions = [c for d in triggered if (c := getattr(d, "shared_scan", None)) is not None]
        self.prefilter: Prefilter = build_prefilter(
            [(d.trigger, bool(d.ignore_case)) for d in triggered], backend, companions
        )
        self._thresholds = dict(thresholds or {})
        self._default_threshold = default_threshold
        self._allow = {
            e: frozenset(v.casefold() for v in vals) for e, vals in (allow or {}).items()
        }
        self._rank_by_name = {d.name: i for i, d in enumerate(self.detectors)}
        # Detectors that read evidence from a string's field name (``phone``, ``customer_iban``).
        self._field_detectors = tuple(d for d in self.detectors if is_field_aware(d))
        #: Whether a field name can change findings: when not, results are cached by text alone.
        self.uses_fields = bool(self._field_detectors)

    def field_evidence(self, field: str) -> str | None:
        """What the field name ``field`` says about its values (``"PHONE_NUMBER/phone"``),
        or ``None``: results of equal evidence may be cached together."""
        for det in self._field_detectors:
            evidence = det.field_evidence(field)
            if evidence is not None:
                return evidence
        return None

    def detect(self, text: str, field: str | None = None) -> list[Finding]:
        """Return the findings in ``text``, sorted by start, never overlapping.

        ``field`` is the name the string was found under (a JSON key, an OTLP attribute key, a
        header name): when it names a personal field, a value of that entity's shape is
        reported even when no detector would report it alone (a card number whose checksum
        fails, a phone number in an unknown national format).

        Detectors read the string with other scripts' digits and full-width forms folded to
        ASCII (``_fold``): the offsets are the same, so a full-width phone number is found too.
        A string with escapes (``%40``, ``&#64;``, ``\\u0040``, a query's ``+``) is read a
        second time with them undone (``_views``); those findings cover their escapes.
        """
        text = fold(text)
        if field is not None and self._field_detectors:
            hinted = self._field_detect(text, field)
            if hinted is not None:
                return hinted
        if len(text) < MIN_TEXT_LENGTH:
            return []
        found = self._detect_plain(text)
        view = decoded_view(text)
        if view is None:
            return found
        unescaped = self._detect_plain(view.text)
        if not unescaped:
            return found
        for f in unescaped:
            start, end = view.original(f.start, f.end)
            found.append(Finding(start, end, f.entity, f.score, f.recognizer))
        return resolve_overlaps(found, self._rank_by_name, text)

    def _detect_plain(self, text: str) -> list[Finding]:
        hits = self.prefilter.hits(text)
        if not hits and not self._always:
            return []
        raw: list[Finding] = []
        for idx in hits:
            raw.extend(self._triggered[idx].detect(text))
        for det in self._always:
            raw.extend(det.detect(text))
        if not raw:
            return []
        kept = [f for f in raw if self._passes(f, text)]
        tokens = token_spans(text) if kept else []
        if tokens:
            # A "secret" inside a ciphertext token, a "name" inside <PERSON_1>: already masked.
            kept = [f for f in kept if not any(s < f.end and f.start < e for s, e in tokens)]
        return resolve_overlaps(kept, self._rank_by_name, text)

    def _field_detect(self, text: str, field: str) -> list[Finding] | None:
        for det in self._field_detectors:
            found = det.field_findings(text, field)
            if found is None:
                continue
            found = [f for f in found if self._passes(f, text)]
            if len(found) == 1 and found[0].end - found[0].start == len(text.strip()):
                return found  # the whole value: nothing else to look for
            rest = self.detect(text) if len(text) >= MIN_TEXT_LENGTH else []
            return resolve_overlaps([*found, *rest], self._rank_by_name, text) if found else rest
        return None

    def _passes(self, finding: Finding, text: str) -> bool:
        if finding.score < self._thresholds.get(finding.entity, self._default_threshold):
            return False
        allowed = self._allow.get(finding.entity)
        return not (allowed and text[finding.start : finding.end].casefold() in allowed)


def resolve_overlaps(
    findings: Sequence[Finding], rank: Mapping[str, int], text: str | None = None
) -> list[Finding]:
    """Choose one finding per stretch of text; return them sorted by start, never overlapping.

    Overlaps decide labels, never coverage: every character some finding covers stays covered.

    - Overlapping findings of one entity are one value seen twice (a NER backend's "Jean" in
      the name detector's "Jean Dupont"): they merge into their union, with the best score and
      that finding's recognizer.
    - Between entities the best wins (higher score, then the longer span, then the detector
      listed first in the policy). What the loser covers outside the winner stays masked
      under the loser's entity, trimmed to its letters and digits (found in ``text``; without
      it, untrimmed), unless a part of that entity is harmless alone (an email's domain:
      ``Entity.parts_sensitive``). Such a loser still keeps each finding it was merged from
      that the winners do not touch: one detector's over-long email that runs into a phone
      number must not take the email another detector found exactly down with it.

    O(n log n) in the number of findings.
    """
    if len(findings) <= 1:
        return list(findings)
    merged = _merge_same_entity(findings, rank)
    order = sorted(merged, key=lambda fp: _priority(fp[0], rank))
    starts: list[int] = []
    kept: list[Finding] = []
    for f, parts in order:
        for piece in _uncovered(f, parts, starts, kept, text):
            i = bisect.bisect_right(starts, piece.start)
            starts.insert(i, piece.start)
            kept.insert(i, piece)
    return kept


def _priority(f: Finding, rank: Mapping[str, int]) -> tuple[float, int, int, int]:
    return (-f.score, -(f.end - f.start), rank.get(f.recognizer, 1 << 30), f.start)


def _merge_same_entity(
    findings: Sequence[Finding], rank: Mapping[str, int]
) -> list[tuple[Finding, list[Finding]]]:
    """``findings`` with the overlapping ones of each entity replaced by their union, each
    with the findings it was merged from."""
    out: list[tuple[Finding, list[Finding]]] = []
    last: dict[str, int] = {}  # entity -> index in ``out`` of its rightmost-ending finding
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        j = last.get(f.entity)
        if j is not None and out[j][0].end > f.start:
            cur, parts = out[j]
            best = cur if _priority(cur, rank) <= _priority(f, rank) else f
            union = Finding(cur.start, max(cur.end, f.end), f.entity, best.score, best.recognizer)
            parts.append(f)
            out[j] = (union, parts)
        else:
            last[f.entity] = len(out)
            out.append((f, [f]))
    return out


def _touches(f: Finding, starts: list[int], kept: list[Finding]) -> bool:
    """Whether ``f`` overlaps one of the findings ``kept`` (sorted, disjoint)."""
    i = bisect.bisect_right(starts, f.start)
    if i > 0 and kept[i - 1].end > f.start:
        return True
    return i < len(kept) and kept[i].start < f.end


def _uncovered(
    f: Finding, parts: list[Finding], starts: list[int], kept: list[Finding], text: str | None
) -> list[Finding]:
    """The parts of ``f`` outside the findings already ``kept`` (sorted, disjoint): ``[f]``
    when it overlaps none. Parts are trimmed to their first and last letter or digit. For an
    entity whose parts are harmless alone, the findings ``f`` was merged from (``parts``)
    that overlap nothing kept, overlapping ones joined."""
    i = bisect.bisect_right(starts, f.start)
    if i > 0 and kept[i - 1].end > f.start:
        i -= 1
    if i >= len(kept) or kept[i].start >= f.end:
        return [f]
    entity = BY_NAME.get(f.entity)
    if entity is not None and not entity.parts_sensitive:
        return _untouched(parts, starts, kept)
    pieces: list[tuple[int, int]] = []
    pos = f.start
    while i < len(kept) and kept[i].start < f.end:
        if kept[i].start > pos:
            pieces.append((pos, kept[i].start))
        pos = max(pos, kept[i].end)
        i += 1
    if pos < f.end:
        pieces.append((pos, f.end))
    out: list[Finding] = []
    for lo, hi in pieces:
        a, b = lo, hi
        if text is not None:
            while a < b and not text[a].isalnum():
                a += 1
            while b > a and not text[b - 1].isalnum():
                b -= 1
        if a < b:
            out.append(Finding(a, b, f.entity, f.score, f.recognizer))
    return out


def _untouched(parts: list[Finding], starts: list[int], kept: list[Finding]) -> list[Finding]:
    """The ``parts`` that overlap nothing ``kept``, sorted, overlapping ones as their union."""
    out: list[Finding] = []
    for p in sorted(parts):
        if _touches(p, starts, kept):
            continue
        if out and out[-1].end > p.start:
            last = out[-1]
            out[-1] = Finding(
                last.start, max(last.end, p.end), p.entity, last.score, last.recognizer
            )
        else:
            out.append(p)
    return out

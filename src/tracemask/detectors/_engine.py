"""The detection engine: prefilter, match, validate, threshold, resolve overlaps.

``DetectionEngine`` is built once from a tuple of detectors and is immutable afterwards, so one
engine serves every thread.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence

from tracemask._finding import Finding
from tracemask._tokens import token_spans
from tracemask.detectors._prefilter import Prefilter, build_prefilter
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
        self.prefilter: Prefilter = build_prefilter(
            [(d.trigger, bool(d.ignore_case)) for d in triggered], backend
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
        """
        if field is not None and self._field_detectors:
            hinted = self._field_detect(text, field)
            if hinted is not None:
                return hinted
        if len(text) < MIN_TEXT_LENGTH:
            return []
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
        return resolve_overlaps(kept, self._rank_by_name)

    def _field_detect(self, text: str, field: str) -> list[Finding] | None:
        for det in self._field_detectors:
            found = det.field_findings(text, field)
            if found is None:
                continue
            found = [f for f in found if self._passes(f, text)]
            if len(found) == 1 and found[0].end - found[0].start == len(text.strip()):
                return found  # the whole value: nothing else to look for
            rest = self.detect(text) if len(text) >= MIN_TEXT_LENGTH else []
            return resolve_overlaps([*found, *rest], self._rank_by_name) if found else rest
        return None

    def _passes(self, finding: Finding, text: str) -> bool:
        if finding.score < self._thresholds.get(finding.entity, self._default_threshold):
            return False
        allowed = self._allow.get(finding.entity)
        return not (allowed and text[finding.start : finding.end].casefold() in allowed)


def resolve_overlaps(findings: Sequence[Finding], rank: Mapping[str, int]) -> list[Finding]:
    """Keep the best of overlapping findings; return them sorted by start.

    The rule, applied greedily: higher score first, then the longer span, then the detector
    listed first in the policy. A finding is kept when it overlaps none already kept.
    O(n log n) in the number of findings.
    """
    if len(findings) <= 1:
        return list(findings)
    order = sorted(
        findings,
        key=lambda f: (-f.score, -(f.end - f.start), rank.get(f.recognizer, 1 << 30), f.start),
    )
    starts: list[int] = []
    kept: list[Finding] = []
    for f in order:
        i = bisect.bisect_right(starts, f.start)
        if i > 0 and kept[i - 1].end > f.start:
            continue
        if i < len(kept) and kept[i].start < f.end:
            continue
        starts.insert(i, f.start)
        kept.insert(i, f)
    return kept

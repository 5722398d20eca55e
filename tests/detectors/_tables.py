"""Helpers for detector tables: run one detector class through the engine on a backend."""

from __future__ import annotations

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors._pattern import PatternDetector


def spans(
    detector: PatternDetector, text: str, backend: str, threshold: float = 0.5
) -> list[tuple[str, str]]:
    """Return ``(entity, matched_text)`` for each finding of ``detector`` in ``text``."""
    engine = DetectionEngine([detector], default_threshold=threshold, backend=backend)
    return [(f.entity, text[f.start : f.end]) for f in engine.detect(text)]

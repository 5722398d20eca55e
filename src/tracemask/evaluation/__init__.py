"""Accuracy evaluation on labelled text: the engine behind ``tracemask eval``.

``_scoring`` is pure (spans in, counts and scores out); ``_run`` reads labelled JSONL, maps
labels, runs a :class:`~tracemask.Masker` and renders Markdown or JSON.
"""

from tracemask.evaluation._run import (
    ENTITY_LABELS,
    EvalReport,
    LabelMap,
    Record,
    canonical_entity,
    covered_labels,
    evaluate,
    read_records,
    render_markdown,
    report_json,
)
from tracemask.evaluation._scoring import (
    RARE_BELOW,
    CharCounts,
    Counts,
    Example,
    Scores,
    Span,
    by_source,
    exact_matches,
    overlap_matches,
    score,
)

__all__ = [
    "ENTITY_LABELS",
    "RARE_BELOW",
    "CharCounts",
    "Counts",
    "EvalReport",
    "Example",
    "LabelMap",
    "Record",
    "Scores",
    "Span",
    "by_source",
    "canonical_entity",
    "covered_labels",
    "evaluate",
    "exact_matches",
    "overlap_matches",
    "read_records",
    "render_markdown",
    "report_json",
    "score",
]

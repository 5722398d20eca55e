"""``tracemask eval``: read labelled JSONL, run a :class:`~tracemask.Masker`, score, render.

Input records are one JSON object a line: ``text``, ``spans`` (``[{start, end, label}]``,
Python ``str`` offsets, end exclusive), optionally ``id`` and ``source``. Gold labels are mapped
to canonical labels by a label map (``{"sources": {source: {label: canonical}}}``, the format of
the shared ``label_map.json``); tracemask's own entities are mapped by :data:`ENTITY_LABELS`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracemask._masker import Masker
from tracemask.entities import ENTITIES
from tracemask.evaluation._scoring import (
    CharCounts,
    Counts,
    Example,
    Scores,
    Span,
    add_example,
    is_rare,
    label_rows,
)
from tracemask.exceptions import InputError

#: tracemask entity → canonical label of the labelled data (the vocabulary of the shared
#: ``label_map.json``), from the rows of :mod:`tracemask.entities` (``API_KEY``, ``SECRET``,
#: ``PRIVATE_KEY`` → ``API_KEY/SECRET``; ``NATIONAL_ID`` → ``ID_NUMBER``; ``LOCATION``,
#: ``ADDRESS`` → ``LOCATION/ADDRESS``; ``DATE_OF_BIRTH`` → ``DATE_TIME``; others their own
#: name). An entity without a row (a custom recognizer's) is scored as its own name.
ENTITY_LABELS: Mapping[str, str] = {e.name: e.label for e in ENTITIES}

#: Display order of canonical labels: the rows' order, then ``OTHER``.
LABEL_ORDER: tuple[str, ...] = (*dict.fromkeys(e.label for e in ENTITIES), "OTHER")


def canonical_entity(entity: str) -> str:
    """The canonical label a tracemask entity is scored as."""
    return ENTITY_LABELS.get(entity, entity)


def covered_labels(masker: Masker) -> tuple[str, ...]:
    """Canonical labels that ``masker``'s policy can report at all (the "covered" scope)."""
    from tracemask.detectors.catalog import builtin_entities  # noqa: PLC0415

    policy = masker.policy
    entities = {e for e in builtin_entities() if policy.rule(e).enabled}
    if not policy.national_ids:
        entities.discard("NATIONAL_ID")
    entities.update(r.entity for r in policy.recognizers if policy.rule(r.entity).enabled)
    entities.update(e for e, r in policy.entities.items() if r.deny)
    return tuple(sorted({canonical_entity(e) for e in entities}))


# -- reading ---------------------------------------------------------------------------------


class LabelMap:
    """Maps ``(source, original label)`` to a canonical label.

    Args:
        sources: ``{source: {original label: canonical label}}``.
        canonical: labels accepted as they are (in any source).
    """

    def __init__(
        self, sources: Mapping[str, Mapping[str, str]], canonical: Iterable[str] = ()
    ) -> None:
        self.sources = {s: dict(m) for s, m in sources.items()}
        self.canonical = frozenset(canonical)

    @classmethod
    def load(cls, path: str) -> LabelMap:
        """Read a label map file; errors name the file and the problem."""
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: not a JSON label map ({type(exc).__name__})") from None
        if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
            raise InputError(f'{path}: a label map needs a "sources" object')
        sources: dict[str, dict[str, str]] = {}
        for source, mapping in data["sources"].items():
            if not isinstance(mapping, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()
            ):
                raise InputError(f"{path}: sources.{source} must map labels to label strings")
            sources[source] = mapping
        canonical = data.get("canonical_labels", [])
        if not isinstance(canonical, list) or not all(isinstance(c, str) for c in canonical):
            raise InputError(f"{path}: canonical_labels must be a list of strings")
        return cls(sources, canonical)

    def map(self, source: str, label: str) -> str | None:
        """The canonical label, or ``None`` when the map does not know ``label``."""
        mapped = self.sources.get(source, {}).get(label)
        if mapped is not None:
            return mapped
        return label if label in self.canonical else None


@dataclass(frozen=True)
class Record:
    """One labelled record as read from a file (labels already canonical)."""

    id: str
    source: str
    text: str
    gold: tuple[Span, ...]


def _fail(path: str, line: int, message: str) -> InputError:
    return InputError(f"{path}: line {line}: {message}")


def _span(item: Any, text: str, path: str, line: int) -> tuple[int, int, str]:
    if not isinstance(item, dict):
        raise _fail(path, line, "each span must be an object")
    start, end, label = item.get("start"), item.get("end"), item.get("label")
    if type(start) is not int or type(end) is not int:
        raise _fail(path, line, "span start and end must be integers")
    if not 0 <= start <= end <= len(text):
        raise _fail(path, line, f"span {start}-{end} is outside the text")
    if not isinstance(label, str) or not label:
        raise _fail(path, line, "span label must be a non-empty string")
    return start, end, label


def read_records(path: str, labels: LabelMap | None) -> Iterator[Record]:
    """Yield the records of a labelled JSONL file, gold labels mapped to canonical ones."""
    try:
        f = open(path, encoding="utf-8")  # noqa: SIM115 - closed below, errors mapped to one line
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    with f:
        try:
            lines = list(f)
        except UnicodeDecodeError:
            raise InputError(f"{path}: not valid UTF-8") from None
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _fail(path, number, f"invalid JSON ({exc.msg}, column {exc.colno})") from None
        if not isinstance(obj, dict):
            raise _fail(path, number, "expected a JSON object")
        text = obj.get("text")
        if not isinstance(text, str):
            raise _fail(path, number, 'no "text" field holding a string')
        spans = obj.get("spans", [])
        if not isinstance(spans, list):
            raise _fail(path, number, '"spans" must be a list')
        source = obj.get("source")
        source = source if isinstance(source, str) and source else "(none)"
        gold: list[Span] = []
        for item in spans:
            start, end, label = _span(item, text, path, number)
            if labels is not None:
                mapped = labels.map(source, label)
                if mapped is None:
                    raise _fail(
                        path,
                        number,
                        f"label {label!r} of source {source!r} is not in the label map",
                    )
                label = mapped
            gold.append(Span(start, end, label))
        rid = obj.get("id")
        yield Record(str(rid) if rid is not None else f"{path}:{number}", source, text, tuple(gold))


# -- evaluating ------------------------------------------------------------------------------


@dataclass
class EvalReport:
    """Everything ``tracemask eval`` prints: the inputs, the scores, overall and per source."""

    files: list[tuple[str, int]]
    policy: str
    backend: str
    covered: tuple[str, ...]
    overall: Scores = field(default_factory=Scores)
    sources: dict[str, Scores] = field(default_factory=dict)
    seconds: float = 0.0
    chars: int = 0


def predict(masker: Masker, text: str) -> tuple[Span, ...]:
    """tracemask's findings in ``text`` as spans with canonical labels."""
    return tuple(Span(f.start, f.end, canonical_entity(f.entity)) for f in masker.detect(text))


def evaluate(
    paths: Sequence[str],
    masker: Masker,
    labels: LabelMap | None = None,
    policy_name: str = "default",
) -> EvalReport:
    """Run ``masker`` on every record of ``paths`` and score it against the gold spans."""
    covered = covered_labels(masker)
    covered_set = frozenset(covered)
    report = EvalReport(files=[], policy=policy_name, backend=masker.backend, covered=covered)
    for path in paths:
        n = 0
        for rec in read_records(path, labels):
            n += 1
            t0 = time.perf_counter()
            pred = predict(masker, rec.text)
            report.seconds += time.perf_counter() - t0
            report.chars += len(rec.text)
            ex = Example(rec.id, rec.source, rec.gold, pred)
            add_example(report.overall, ex, covered_set)
            add_example(report.sources.setdefault(rec.source, Scores()), ex, covered_set)
        report.files.append((os.path.basename(path), n))
    report.sources = dict(sorted(report.sources.items()))
    return report


# -- rendering -------------------------------------------------------------------------------

_ORDER = {label: i for i, label in enumerate(LABEL_ORDER)}
_MODES = ("exact", "overlap")


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _frac(x: float | None, num: int, den: int) -> str:
    return f"{_num(x)} ({num}/{den})"


def _row(name: str, c: Counts, note: str) -> str:
    cells = [name, str(c.gold), str(c.pred)]
    for mode in _MODES:
        tp = c.tp(mode)
        cells += [
            _frac(c.precision(mode), tp, c.pred),
            _frac(c.recall(mode), tp, c.gold),
            _num(c.f1(mode)),
        ]
    cells.append(note)
    return "| " + " | ".join(cells) + " |"


def _note(label: str, c: Counts, covered: frozenset[str]) -> str:
    notes = []
    if label not in covered:
        notes.append("not covered")
    if c.gold == 0:
        notes.append("no gold spans")
    elif is_rare(c):
        notes.append(f"rare (n={c.gold})")
    return ", ".join(notes)


def _chars_line(chars_covered: CharCounts, chars_all: CharCounts) -> str:
    cov, every = chars_covered, chars_all
    return (
        f"Characters: leak recall {_frac(cov.leak_recall, cov.covered, cov.gold)}"
        f" on covered labels, {_frac(every.leak_recall, every.covered, every.gold)}"
        f" on all labels; character precision"
        f" {_frac(every.precision, every.on_gold, every.pred)}."
    )


def _table(scores: Scores, covered: frozenset[str]) -> list[str]:
    out = [
        "| label | gold | pred | exact P | exact R | exact F1 | overlap P | overlap R "
        "| overlap F1 | note |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for label, c in label_rows(scores, _ORDER):
        out.append(_row(label, c, _note(label, c, covered)))
    out.append(_row("**micro, covered labels**", scores.micro(covered), ""))
    out.append(_row("**micro, all labels**", scores.micro(), ""))
    out.append("")
    out.append(_chars_line(scores.chars_covered, scores.chars_all))
    out.append(
        f"Records without gold spans: {scores.negatives}; with any finding: "
        f"{_frac(scores.negative_flag_rate, scores.negatives_flagged, scores.negatives)}."
    )
    return out


def render_markdown(report: EvalReport) -> str:
    """The report as Markdown: overall table, then one table per source."""
    covered = frozenset(report.covered)
    files = ", ".join(f"`{name}` ({n} records)" for name, n in report.files)
    gold = report.overall.micro().gold
    rate = report.chars / report.seconds / 1e6 if report.seconds else 0.0
    lines = [
        "# tracemask eval",
        "",
        f"Data: {files}. Policy: {report.policy}; prefilter: {report.backend}.",
        f"Covered labels (the policy can report them): {', '.join(report.covered) or 'none'}.",
        "P/R with exact span match and with overlap match (same label, each span used once);"
        " counts are (matched/total). n/a: nothing to divide by.",
        f"Detection time: {report.seconds:.2f} s for {report.chars:,} characters"
        f" ({rate:.1f} M chars/s).",
        "",
        f"## All sources ({report.overall.records} records, {gold} gold spans)",
        "",
        *_table(report.overall, covered),
    ]
    for source, scores in report.sources.items():
        lines += [
            "",
            f"## Source `{source}` ({scores.records} records, {scores.micro().gold} gold spans)",
            "",
            *_table(scores, covered),
        ]
    return "\n".join(lines) + "\n"


def _counts_json(c: Counts) -> dict[str, Any]:
    out: dict[str, Any] = {"gold": c.gold, "pred": c.pred, "rare": is_rare(c)}
    for mode in _MODES:
        out[mode] = {
            "tp": c.tp(mode),
            "precision": c.precision(mode),
            "recall": c.recall(mode),
            "f1": c.f1(mode),
        }
    return out


def _chars_json(c: CharCounts) -> dict[str, Any]:
    return {
        "gold_chars": c.gold,
        "pred_chars": c.pred,
        "covered_chars": c.covered,
        "pred_chars_on_gold": c.on_gold,
        "leak_recall": c.leak_recall,
        "char_precision": c.precision,
    }


def scores_json(scores: Scores, covered: Iterable[str]) -> dict[str, Any]:
    """The JSON form of one :class:`Scores`."""
    covered_set = frozenset(covered)
    return {
        "records": scores.records,
        "labels": {
            label: {**_counts_json(c), "covered": label in covered_set}
            for label, c in label_rows(scores, _ORDER)
        },
        "micro_covered": _counts_json(scores.micro(covered_set)),
        "micro_all": _counts_json(scores.micro()),
        "chars_covered": _chars_json(scores.chars_covered),
        "chars_all": _chars_json(scores.chars_all),
        "negatives": {
            "records": scores.negatives,
            "with_findings": scores.negatives_flagged,
            "share": scores.negative_flag_rate,
        },
    }


def report_json(report: EvalReport) -> dict[str, Any]:
    """The full report as a JSON-serialisable dict."""
    return {
        "files": [{"file": name, "records": n} for name, n in report.files],
        "policy": report.policy,
        "backend": report.backend,
        "covered_labels": list(report.covered),
        "detect_seconds": report.seconds,
        "chars": report.chars,
        "overall": scores_json(report.overall, report.covered),
        "by_source": {s: scores_json(sc, report.covered) for s, sc in report.sources.items()},
    }

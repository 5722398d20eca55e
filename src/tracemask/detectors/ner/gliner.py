"""A GLiNER model as a detector (extra ``tracemask[gliner]``): zero-shot entity labels."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tracemask.detectors.ner import NerDetector, Span, require
from tracemask.entities import ner_labels

#: Natural-language labels asked of the model -> tracemask entities.
GLINER_LABELS: Mapping[str, str] = ner_labels("gliner")  # rows of tracemask.entities


class GlinerDetector(NerDetector):
    """Entities from a GLiNER model, asked for the labels that map to wanted entities.

    Args:
        model: a local directory (or a cached name) of a GLiNER model.
        entities: tracemask entities to report.
        labels: label asked of the model -> tracemask entity (default: :data:`GLINER_LABELS`).
        threshold: minimum model score of a span.
        local_files_only: never download (the default).
        min_chars: shorter strings are not sent to the model.
        memo_size: findings of this many recent strings are remembered.
        vet: drop PERSON/LOCATION spans that cannot be names ("abd soft", "Urine", "GU").
        gliner: an already loaded model (then ``model`` only names the detector).
    """

    def __init__(
        self,
        model: str,
        entities: Iterable[str] = ("PERSON", "LOCATION"),
        *,
        labels: Mapping[str, str] | None = None,
        threshold: float = 0.5,
        local_files_only: bool = True,
        min_chars: int = 20,
        memo_size: int = 4096,
        vet: bool = True,
        gliner: Any = None,
    ) -> None:
        super().__init__(
            f"GLiNER[{model}]",
            labels or GLINER_LABELS,
            entities,
            min_chars=min_chars,
            memo_size=memo_size,
            vet=vet,
        )
        self.model = model
        self.threshold = threshold
        self.local_files_only = local_files_only
        self._gliner = gliner

    @property
    def gliner(self) -> Any:
        """The model, loaded on first use."""
        if self._gliner is None:
            gliner = require("gliner", "gliner")
            with self._lock:
                if self._gliner is None:
                    self._gliner = gliner.GLiNER.from_pretrained(
                        self.model, local_files_only=self.local_files_only
                    )
        return self._gliner

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        asked = list(self.labels)
        batches = self.gliner.inference(list(texts), asked, threshold=self.threshold)
        return [
            [(int(e["start"]), int(e["end"]), str(e["label"]), float(e["score"])) for e in found]
            for found in batches
        ]

"""A Hugging Face token-classification model as a detector (extra ``tracemask[transformers]``).

The model is loaded from a local path or a name the ``transformers`` cache already holds
(tracemask never downloads at masking time unless ``local_files_only=False`` is passed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tracemask.detectors.ner import NerDetector, Span, require
from tracemask.entities import ner_labels

#: Common PII/NER label names (CoNLL, OntoNotes, ai4privacy-style) -> tracemask entities.
#: ``B-``/``I-`` prefixes are removed before the lookup; matching ignores case.
TRANSFORMERS_LABELS: Mapping[str, str] = ner_labels("transformers")  # rows of tracemask.entities


def _normalise(label: str) -> str:
    label = label.upper()
    if label[:2] in ("B-", "I-", "E-", "S-", "L-", "U-"):
        label = label[2:]
    return label.replace("_", "").replace("-", "")


class TransformersNerDetector(NerDetector):
    """Entities from a ``token-classification`` pipeline (word pieces aggregated to words).

    Args:
        model: a local directory or a cached model name.
        entities: tracemask entities to report.
        labels: model label (without ``B-``/``I-``) -> tracemask entity
            (default: :data:`TRANSFORMERS_LABELS`).
        aggregation_strategy: how the pipeline merges word pieces (``"simple"``, ``"first"``,
            ``"max"``, ``"average"``).
        batch_size: texts per forward pass.
        device: ``-1`` for CPU, or a CUDA device index.
        local_files_only: never download (the default).
        min_chars: shorter strings are not sent to the model.
        memo_size: findings of this many recent strings are remembered.
        vet: drop PERSON/LOCATION spans that cannot be names ("abd soft", "Urine", "GU").
        pipeline: an already built pipeline (then ``model`` only names the detector).
    """

    def __init__(
        self,
        model: str,
        entities: Iterable[str] = ("PERSON", "LOCATION"),
        *,
        labels: Mapping[str, str] | None = None,
        aggregation_strategy: str = "simple",
        batch_size: int = 16,
        device: int = -1,
        local_files_only: bool = True,
        min_chars: int = 20,
        memo_size: int = 4096,
        vet: bool = True,
        pipeline: Any = None,
    ) -> None:
        table = {_normalise(k): v for k, v in (labels or TRANSFORMERS_LABELS).items()}
        super().__init__(
            f"Transformers[{model}]",
            table,
            entities,
            min_chars=min_chars,
            memo_size=memo_size,
            vet=vet,
        )
        self.model = model
        self.aggregation_strategy = aggregation_strategy
        self.batch_size = batch_size
        self.device = device
        self.local_files_only = local_files_only
        self._pipeline = pipeline

    @property
    def pipeline(self) -> Any:
        """The ``token-classification`` pipeline, built on first use."""
        if self._pipeline is None:
            transformers = require("transformers", "transformers")
            with self._lock:
                if self._pipeline is None:
                    tokenizer = transformers.AutoTokenizer.from_pretrained(
                        self.model, local_files_only=self.local_files_only
                    )
                    model = transformers.AutoModelForTokenClassification.from_pretrained(
                        self.model, local_files_only=self.local_files_only
                    )
                    self._pipeline = transformers.pipeline(
                        "token-classification",
                        model=model,
                        tokenizer=tokenizer,
                        aggregation_strategy=self.aggregation_strategy,
                        device=self.device,
                    )
        return self._pipeline

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        results = self.pipeline(list(texts), batch_size=self.batch_size)
        if texts and results and isinstance(results[0], dict):
            results = [results]  # one text: the pipeline returns a flat list
        out: list[list[Span]] = []
        for entities in results:
            spans: list[Span] = []
            for e in entities:
                label = e.get("entity_group") or e.get("entity") or ""
                start, end = e.get("start"), e.get("end")
                if start is None or end is None:
                    continue  # a slow tokenizer gives no offsets: nothing to map
                spans.append((int(start), int(end), _normalise(str(label)), float(e["score"])))
            out.append(spans)
        return out

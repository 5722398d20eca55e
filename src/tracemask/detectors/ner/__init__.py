"""Optional NER backends: a statistical model as one more detector.

Each backend is a :class:`NerDetector`: it runs only on strings that look like free text (long
enough, several words, not ids, base64, JSON or code), maps the model's labels to tracemask
entities and reports findings like any other detector, so the engine resolves overlaps with the
pattern detectors by its one rule (higher score, then longer span, then detector order).

Backends, each behind an extra and imported only when built:

* :class:`~tracemask.detectors.ner.spacy.SpacyNerDetector` (``tracemask[spacy]``): any installed
  spaCy pipeline by name, batched with ``nlp.pipe``;
* :class:`~tracemask.detectors.ner.presidio.PresidioDetector` (``tracemask[presidio]``): a
  Presidio ``AnalyzerEngine``;
* :class:`~tracemask.detectors.ner.transformers.TransformersNerDetector`
  (``tracemask[transformers]``): a token-classification model;
* :class:`~tracemask.detectors.ner.gliner.GlinerDetector` (``tracemask[gliner]``): a GLiNER model;
* :class:`~tracemask.detectors.ner.comprehend.ComprehendDetector` (``tracemask[comprehend]``):
  Amazon Comprehend's ``DetectPiiEntities`` (a network call to AWS, not a local model).

Batching: the engine calls ``detect`` one string at a time, so ``Masker.mask`` (a whole trace)
and ``Masker.mask_many`` (a batch of records) call :meth:`NerDetector.prefetch` first: the model
runs once over all free-text strings, and the following ``detect`` calls are answered from a
bounded memo.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType
from typing import ClassVar

from tracemask._finding import Finding
from tracemask.detectors.data import GIVEN, STOP, SURNAME, WORD, Lexicon

__all__ = ["BACKENDS", "NerDetector", "Span", "build_ner", "is_free_text", "require"]

#: ``(start, end, model label, score)`` as a backend reports it (``str`` offsets).
Span = tuple[int, int, str, float]

_VET_WORDS = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")
_VET_PARTICLES = frozenset(["van", "von", "de", "del", "der", "den", "da", "di", "du", "la", "le"])
#: Characters frequent in code, markup and JSON, rare in prose.
_CODE_CHARS = "{}[]();=<>\\|`$"


def is_free_text(text: str, min_chars: int = 20, *, cased: bool = True) -> bool:
    """Whether ``text`` is worth a model: long enough, mostly words, not code or an id.

    Cheap (a split and a few counts): ids, enums, model names, base64, hex digests, URLs and
    JSON fail it, so the model's cost is paid on the share of a trace that is prose. With
    ``cased`` (models trained on cased text), mostly upper-case text (clinical shorthand,
    shouting) fails it too: such models tag most capitalised words there as entities.
    """
    if len(text) < min_chars:
        return False
    words = text.split()
    if len(words) < 3 or len(text) / len(words) > 16:
        return False  # "gpt-4o-2024-08-06", base64, one long token with a few spaces
    if sum(text.count(c) for c in _CODE_CHARS) * 20 > len(text):
        return False
    alpha = sum(1 for w in words if w.strip(".,;:!?'\"()-").isalpha())
    if alpha * 2 < len(words):
        return False
    if cased:
        upper = sum(1 for w in words if w.isupper() and len(w) > 1)
        if upper * 2 > len(words):
            return False
    return True


def require(module: str, extra: str) -> ModuleType:
    """Import ``module`` or raise an ``ImportError`` that names the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"this detector needs {module!r}: pip install 'tracemask[{extra}]'"
        ) from exc


class NerDetector:
    """Base of the NER backends: free-text gate, label mapping, memo for batches.

    Args:
        labels: model label -> tracemask entity; labels not listed are dropped.
        entities: tracemask entities to report (others are dropped after mapping).
        min_chars: shorter strings are never sent to the model.
        memo_size: findings of this many recent strings are remembered (0: none).
        cased: the model expects cased text: mostly upper-case strings are skipped.
        vet: drop PERSON and LOCATION spans that cannot be names (see :meth:`plausible`).
    """

    #: At least three words: the prefilter skips ids and short values before ``detect``.
    trigger: ClassVar[str] = r"[A-Za-z]{2,}[ \t,.;:'-]+[A-Za-z]{2,}[ \t,.;:'-]+[A-Za-z]{2,}"
    ignore_case: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        labels: Mapping[str, str],
        entities: Iterable[str] = ("PERSON", "LOCATION"),
        *,
        min_chars: int = 20,
        memo_size: int = 4096,
        cased: bool = True,
        vet: bool = False,
    ) -> None:
        self.name = name
        self.cased = cased
        self._lexicon: Lexicon | None = Lexicon() if vet else None
        self.entities = tuple(entities)
        wanted = frozenset(self.entities)
        self.labels = {k: v for k, v in labels.items() if v in wanted}
        self.entity = self.entities[0] if self.entities else "PERSON"
        self.min_chars = min_chars
        self._memo: OrderedDict[str, tuple[Finding, ...]] = OrderedDict()
        self._memo_size = memo_size
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} entities={self.entities}>"

    # -- to implement --------------------------------------------------------------------

    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        """Run the model on ``texts`` (all free text); one list of spans per text."""
        raise NotImplementedError

    # -- shared --------------------------------------------------------------------------

    def detect(self, text: str) -> list[Finding]:
        """Findings in ``text`` (empty unless it is free text)."""
        if not is_free_text(text, self.min_chars, cased=self.cased):
            return []
        with self._lock:
            hit = self._memo.get(text)
        if hit is not None:
            return list(hit)
        return list(self._run([text])[0])

    def detect_batch(self, texts: Sequence[str]) -> list[list[Finding]]:
        """Findings for each of ``texts``, the model run once over the free-text ones."""
        out: list[list[Finding]] = [[] for _ in texts]
        todo = [i for i, t in enumerate(texts) if is_free_text(t, self.min_chars, cased=self.cased)]
        for i, found in zip(todo, self._run([texts[i] for i in todo]), strict=True):
            out[i] = list(found)
        return out

    def prefetch(self, texts: Iterable[str]) -> None:
        """Run the model over the free-text strings of ``texts`` now, in batches, and remember
        the results for the next ``detect`` calls."""
        with self._lock:
            todo = list(
                dict.fromkeys(
                    t
                    for t in texts
                    if t not in self._memo and is_free_text(t, self.min_chars, cased=self.cased)
                )
            )
        if todo:
            self._run(todo)

    def plausible(self, value: str, entity: str) -> bool:
        """With ``vet``: a PERSON or LOCATION span must hold a capitalised word that is a
        listed name or no dictionary word, and no lower-case word ("abd soft", "Urine",
        "GU"); other entities, and every span without ``vet``, pass."""
        lexicon = self._lexicon
        if lexicon is None or entity not in ("PERSON", "LOCATION"):
            return True
        words = [w for w in _VET_WORDS.findall(value) if w.lower() not in _VET_PARTICLES]
        if not words or any(w[0].islower() for w in words):
            return False
        for w in words:
            if w.isupper() and len(w) <= 4:
                continue  # acronyms: "CV", "NPN"
            flags = lexicon.flags(w)
            if flags & (GIVEN | SURNAME) or not flags & (WORD | STOP):
                return True
        return False

    def _run(self, texts: Sequence[str]) -> list[tuple[Finding, ...]]:
        if not texts:
            return []
        results = []
        for text, spans in zip(texts, self.predict(texts), strict=True):
            results.append(self._findings(text, spans))
        if self._memo_size:
            with self._lock:
                for text, found in zip(texts, results, strict=True):
                    self._memo[text] = found
                    self._memo.move_to_end(text)
                while len(self._memo) > self._memo_size:
                    self._memo.popitem(last=False)
        return results

    def _findings(self, text: str, spans: Iterable[Span]) -> tuple[Finding, ...]:
        found = []
        for raw_start, raw_end, label, score in spans:
            entity = self.labels.get(label)
            if entity is None:
                continue
            # Trim spaces and punctuation models include at span edges ("Smith," / " Lyon").
            start, end = raw_start, raw_end
            while start < end and not text[start].isalnum():
                start += 1
            while end > start and not text[end - 1].isalnum() and text[end - 1] != ".":
                end -= 1
            if end > start and self.plausible(text[start:end], entity):
                clamped = float(min(max(score, 0.0), 1.0))
                found.append(Finding(start, end, entity, clamped, self.name))
        return tuple(found)


#: Backend name (as a policy spells it) -> ``module:class`` of its detector.
BACKENDS: Mapping[str, str] = {
    "spacy": "tracemask.detectors.ner.spacy:SpacyNerDetector",
    "presidio": "tracemask.detectors.ner.presidio:PresidioDetector",
    "transformers": "tracemask.detectors.ner.transformers:TransformersNerDetector",
    "gliner": "tracemask.detectors.ner.gliner:GlinerDetector",
    "comprehend": "tracemask.detectors.ner.comprehend:ComprehendDetector",
}


def build_ner(
    backend: str,
    model: str | None = None,
    entities: Iterable[str] = ("PERSON", "LOCATION"),
    **options: object,
) -> NerDetector:
    """Build the NER detector a policy asks for: ``build_ner("spacy", "en_core_web_sm")``.

    Nothing heavy happens here: the model is loaded on first use.

    Raises:
        ValueError: unknown backend.
    """
    try:
        module, _, cls_name = BACKENDS[backend].partition(":")
    except KeyError:
        raise ValueError(f"unknown NER backend {backend!r}; known: {', '.join(BACKENDS)}") from None
    cls = getattr(importlib.import_module(module), cls_name)
    kwargs: dict[str, object] = dict(options)
    if model is not None:
        kwargs["model"] = model
    detector: NerDetector = cls(entities=tuple(entities), **kwargs)
    return detector

"""Transformers backend: the real loading code on a tiny model built and saved by the test.

The model has random weights (its classifier is then set so that every word piece gets one
label): what is checked is the adapter, from the saved files to ``Finding`` offsets, not the
model's accuracy.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")

from tracemask.detectors.ner.transformers import TransformersNerDetector

LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
WORDS = ["jennifer", "kucharski", "flew", "from", "boston", "to", "madrid", "for", "the"]
WORDS += ["meeting", "yesterday"]


def build(path: Path, label: str) -> Path:
    """A two-layer BERT token classifier whose classifier always answers ``label``."""
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", *WORDS, "##s"]
    (path / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(path / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        id2label=dict(enumerate(LABELS)),
        label2id={name: i for i, name in enumerate(LABELS)},
    )
    torch.manual_seed(0)
    model = transformers.BertForTokenClassification(config)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.fill_(-10.0)
        model.classifier.bias[LABELS.index(label)] = 10.0
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def per_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("tiny-per"), "B-PER")


def test_loads_from_a_local_directory_and_maps_offsets(per_model: Path) -> None:
    det = TransformersNerDetector(str(per_model), entities=("PERSON",), vet=False)
    text = "Jennifer Kucharski flew from Boston, yesterday."
    found = det.detect(text)
    # Every token is a B-PER: one finding per word, offsets on the original text; the
    # punctuation tokens are entities too, and are trimmed away.
    assert [text[f.start : f.end] for f in found] == [
        "Jennifer", "Kucharski", "flew", "from", "Boston", "yesterday",
    ]  # fmt: skip
    assert {f.entity for f in found} == {"PERSON"}
    assert all(0.9 < f.score <= 1.0 for f in found)
    assert det.pipeline.tokenizer.is_fast
    # Vetting (the default) drops the spans that cannot be names: dictionary words.
    vetted = TransformersNerDetector(str(per_model), entities=("PERSON",))
    assert [text[f.start : f.end] for f in vetted.detect(text)] == [
        "Jennifer", "Kucharski", "Boston",
    ]  # fmt: skip


def test_unwanted_labels_are_dropped(per_model: Path) -> None:
    det = TransformersNerDetector(str(per_model), entities=("LOCATION",))
    assert det.detect("Jennifer Kucharski flew from Boston yesterday") == []


def test_batches_and_single_texts_agree(tmp_path: Path) -> None:
    det = TransformersNerDetector(str(build(tmp_path, "I-LOC")), vet=False)
    texts = ["flew from boston to madrid for the meeting", "id 7", "the meeting in madrid today"]
    batch = det.detect_batch(texts)
    assert batch == [det.detect(t) for t in texts]
    assert batch[1] == []
    assert {f.entity for f in batch[0]} == {"LOCATION"}


def test_nothing_is_downloaded(tmp_path: Path) -> None:
    det = TransformersNerDetector(str(tmp_path / "missing-model"))
    with pytest.raises(OSError):  # noqa: PT011 - transformers' message varies by version
        det.detect("Jennifer Kucharski flew from Boston yesterday")

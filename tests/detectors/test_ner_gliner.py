"""GLiNER backend: the real loading code on a tiny GLiNER built and saved by the test.

The backbone is a two-layer BERT with random weights and a real tokenizer; the checks are on
the adapter (loading from disk, labels asked, offsets mapped), not on accuracy.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    gliner = pytest.importorskip("gliner")
    transformers = pytest.importorskip("transformers")

from tracemask.detectors.ner.gliner import GlinerDetector

WORDS = ["jennifer", "kucharski", "flew", "from", "boston", "to", "madrid", "for", "the"]
WORDS += ["meeting", "person", "city"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny-gliner")
    backbone = root / "backbone"
    backbone.mkdir()
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", *WORDS]
    (backbone / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    transformers.BertTokenizerFast(vocab_file=str(backbone / "vocab.txt")).save_pretrained(backbone)
    transformers.BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
    ).save_pretrained(backbone)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        config = gliner.GLiNERConfig(model_name=str(backbone), hidden_size=16, max_width=4)
        model = gliner.GLiNER.from_config(config, backbone_from_pretrained=False)
    out = root / "model"
    model.save_pretrained(out)
    return out


def test_loads_from_disk_and_maps_spans_to_the_text(model_dir: Path) -> None:
    det = GlinerDetector(str(model_dir), threshold=0.0, vet=False)
    text = "Jennifer Kucharski flew from Boston to Madrid for the meeting"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = det.detect(text)
    assert found, "threshold 0 returns the model's spans"
    words = set(text.split())
    for f in found:
        assert f.entity in ("PERSON", "LOCATION")
        # GLiNER spans are whole words: every finding starts and ends on word boundaries.
        assert all(w in words for w in text[f.start : f.end].split())
        assert 0.0 <= f.score <= 1.0


def test_asks_only_labels_of_wanted_entities(model_dir: Path) -> None:
    det = GlinerDetector(str(model_dir), entities=("PERSON",), threshold=0.0, vet=False)
    assert list(det.labels) == ["person"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert {f.entity for f in det.detect("Jennifer Kucharski flew from Boston")} <= {"PERSON"}

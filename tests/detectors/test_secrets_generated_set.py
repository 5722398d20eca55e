"""The generated secrets set (``benchmarks/secrets_set.py``): every family is masked, decoys are
not. A floor, not a score: the numbers per family are in ``tracemask eval`` (see the notes)."""

from __future__ import annotations

import collections
import functools
import importlib.util
from pathlib import Path
from types import ModuleType

from tracemask.detectors._engine import DetectionEngine
from tracemask.detectors.secrets import SECRET_DETECTORS

ROOT = Path(__file__).parents[2]


@functools.cache
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("secrets_set", ROOT / "benchmarks/secrets_set.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_set_is_deterministic_and_well_formed() -> None:
    records = generator().records()
    assert records == generator().records()
    families = collections.Counter(str(r["source"]) for r in records)
    assert set(families) == {
        "provider-prefix", "provider-keyed", "webhook-url", "password-in-code",
        "connection-string", "jwt-base64", "decoys",
    }  # fmt: skip
    for record in records:
        for span in record["spans"]:  # type: ignore[attr-defined]
            assert record["text"][span["start"] : span["end"]].strip()  # type: ignore[index]


def test_every_family_is_masked_and_decoys_are_kept() -> None:
    engine = DetectionEngine([cls() for cls in SECRET_DETECTORS])
    planted: collections.Counter[str] = collections.Counter()
    caught: collections.Counter[str] = collections.Counter()
    for record in generator().records():
        text, family = str(record["text"]), str(record["source"])
        found = engine.detect(text)
        if not record["spans"]:
            assert found == [], text
            continue
        for span in record["spans"]:  # type: ignore[attr-defined]
            planted[family] += 1
            covered = sum(
                max(0, min(f.end, span["end"]) - max(f.start, span["start"])) for f in found
            )
            caught[family] += covered == span["end"] - span["start"]
    for family, n in planted.items():
        assert caught[family] / n >= 0.95, (family, caught[family], n)

"""The docs harness (root conftest.py): `pip install` lines must name extras that exist."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _harness() -> object:
    spec = importlib.util.spec_from_file_location("tracemask_docs_harness", ROOT / "conftest.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib: Python 3.11+")
def test_pip_lines_name_existing_extras() -> None:
    harness = _harness()
    check = harness._check_pip  # type: ignore[attr-defined]
    check(" 'tracemask[otel]'")
    check(" -q -e '.[dev,ci]'  # comment [nope]")
    with pytest.raises(AssertionError, match="unknown extras"):
        check(" 'tracemask[otel,nope]'")

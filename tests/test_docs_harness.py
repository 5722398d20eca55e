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


def test_bash_blocks_share_a_page_dir_see_replacements_and_hand_on_output(tmp_path: Path) -> None:
    """``bash_dir`` is shared by a page's blocks; ``doc_replace`` maps what the page shows to
    what the setup started; the output is ``bash_stdout`` for the next python block."""
    from types import SimpleNamespace  # noqa: PLC0415

    harness = _harness()
    namespace: dict[str, object] = {"bash_dir": str(tmp_path)}
    namespace["doc_replace"] = {"localhost:4318": "127.0.0.1:9"}

    def block(script: str) -> None:
        example = SimpleNamespace(parsed=script, namespace=namespace, path="page.md", line=1)
        harness.run_bash(example)  # type: ignore[attr-defined]

    block("echo localhost:4318 > shown.txt")
    block("cat shown.txt")
    assert namespace["bash_stdout"] == "127.0.0.1:9\n"
    with pytest.raises(AssertionError, match=r"page.md:1: exit 3"):
        block("exit 3")


def test_page_block_finds_the_file_a_page_shows() -> None:
    from tests.docs_setup import page_block  # noqa: PLC0415

    assert "default_operator: {type: encrypt}" in page_block("docs/encryption.md", "# encrypt.yaml")
    with pytest.raises(LookupError, match="no code block"):
        page_block("docs/encryption.md", "# nowhere.yaml")

"""The recipes of docs/architecture.md run as written: adding a detector, an operator and an
integration needs no change to the package."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "architecture.md"


def recipes() -> dict[str, str]:
    """``heading -> its python block`` for every ``### Add …`` section of the page."""
    text = DOC.read_text(encoding="utf-8")
    found: dict[str, str] = {}
    for section in re.split(r"^### ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = section.partition("\n")
        blocks = re.findall(r"```python\n(.*?)```", body, flags=re.DOTALL)
        if heading.startswith("Add "):
            assert len(blocks) == 1, heading
            found[heading] = blocks[0]
    return found


def test_every_recipe_is_there() -> None:
    assert set(recipes()) == {"Add a detector", "Add an operator", "Add an integration"}


@pytest.mark.parametrize("heading", sorted(recipes()))
def test_recipe_runs(heading: str) -> None:
    code = recipes()[heading]
    assert "assert " in code  # each recipe checks its own result
    exec(compile(code, f"{DOC.name}: {heading}", "exec"), {"__name__": "recipe"})  # noqa: S102

"""The public facade: exported names are sorted, documented and importable."""

from __future__ import annotations

import tracemask


def test_all_is_sorted_and_complete() -> None:
    assert tracemask.__all__ == sorted(tracemask.__all__)
    for name in tracemask.__all__:
        assert hasattr(tracemask, name)


def test_public_objects_have_docstrings() -> None:
    for name in tracemask.__all__:
        obj = getattr(tracemask, name)
        if callable(obj):
            assert obj.__doc__, name


def test_core_imports_no_optional_dependency() -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    code = (
        "import sys, tracemask; tracemask.Masker(backend='re');"
        "heavy = {'hyperscan', 'opentelemetry', 'langfuse', 'langsmith', 'litellm', 'spacy',"
        "'boto3', 'botocore'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

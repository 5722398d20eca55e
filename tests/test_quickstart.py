"""The README's quick start: its example output must hold none of the planted values."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "tracemask" / "examples" / "otlp_trace.json"
PLANTED = [
    "jane.doe@example.com",
    "+1 (415) 555-0132",
    "4111 1111 1111 1111",
    "4111-1111-1111-1111",
    "sk-proj-Zq8Lw3Nv6Tb1Hx9Kd4Rm7Pc2Fs5Jy0GuEaW4XoB1",
    "203.0.113.7",
]
KEPT = [
    "4bf92f3577b34da6a3ce929d0e0e4736",
    "00f067aa0ba902b7",
    "1795400489304694939",
    "gpt-4o-2024-08-06",
    "ORD-2024-000418",
    "4111111111111112",  # a Luhn-invalid order reference
    "sess_2024_11_jd",
    "1.45.2",
]


def test_readme_quick_start_command_is_the_one_ci_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    # (The block is marked for the docs run: it is the install itself, run by .ci/run.)
    block = re.search(
        r"## Quick start\n\n(?:<!-- skip: [^\n]*-->\n)?```bash\n(.*?)```", readme, re.DOTALL
    )
    assert block is not None
    install, test = block.group(1).strip().splitlines()
    ci = (ROOT / ".ci" / "run").read_text()
    assert install.split(" && .venv/bin/tracemask")[0] in ci
    assert "src/tracemask/examples/otlp_trace.json" in install
    assert test.startswith(".venv/bin/python -m pytest")


def test_example_output_has_no_planted_value() -> None:
    raw = EXAMPLE.read_text()
    assert all(value in raw or json.dumps(value)[1:-1] in raw for value in PLANTED)
    result = subprocess.run(
        [sys.executable, "-m", "tracemask", "redact", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    for value in PLANTED:
        assert value not in out
        assert json.dumps(value)[1:-1] not in out
    for value in KEPT:
        assert value in out
    assert EXAMPLE.read_text() == raw
    masked = json.loads(out)
    assert list(masked) == ["resourceSpans"]

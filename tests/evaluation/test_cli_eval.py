"""``tracemask eval`` through the real entry point, on a small labelled file scored by hand.

Every run calls the console script's entry function, ``tracemask.cli.run``, in process (one line
on stderr and exit code 2 for user errors).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run
from tracemask.cli import run as cli_run

LABEL_MAP = {
    "sources": {
        "s1": {"EMAIL": "EMAIL_ADDRESS", "PHONE": "PHONE_NUMBER", "CC": "CREDIT_CARD"},
        "s2": {"NOTE": "OTHER"},
    }
}

# tracemask finds the email, the phone number and the card exactly as labelled, cannot find
# the OTHER span (no tracemask entity maps to OTHER) and flags the unlabelled email in s2.
RECORDS = [
    {"id": "1", "source": "s1", "text": "mail jane.doe@example.com now",
     "spans": [{"start": 5, "end": 25, "label": "EMAIL"}]},
    {"id": "2", "source": "s1", "text": "call +1 (415) 555-0132 today",
     "spans": [{"start": 5, "end": 22, "label": "PHONE"}]},
    {"id": "3", "source": "s1", "text": "card 4111 1111 1111 1111",
     "spans": [{"start": 5, "end": 24, "label": "CC"}]},
    {"id": "4", "source": "s2", "text": "see note XYZ-1 please",
     "spans": [{"start": 9, "end": 14, "label": "NOTE"}]},
    {"id": "5", "source": "s2", "text": "nothing to see here", "spans": []},
    {"id": "6", "source": "s2", "text": "order ORD-7 shipped on 2024-03-15", "spans": []},
    {"id": "7", "source": "s2", "text": "ping bob@example.org", "spans": []},
]  # fmt: skip


def write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    records = write(tmp_path, "dev.jsonl", [json.dumps(r) for r in RECORDS])
    label_map = tmp_path / "labels.json"
    label_map.write_text(json.dumps(LABEL_MAP), encoding="utf-8")
    return records, label_map


def one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run ``tracemask ARGV`` in process; assert exit 2 and a single error line; return it."""
    code = cli_run(argv)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tracemask: error: ")
    return lines[0]


def test_markdown_tables_with_hand_computed_scores(run: Run, data: tuple[Path, Path]) -> None:
    records, label_map = data
    proc = run("eval", str(records), "--label-map", str(label_map))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    # EMAIL_ADDRESS: gold 1, predicted 2 (the unlabelled one in record 7), matched 1:
    # P = 1/2, R = 1/1, F1 = 2 * 0.5 / 1.5 = 0.667; the same by overlap.
    assert (
        "| EMAIL_ADDRESS | 1 | 2 | 0.500 (1/2) | 1.000 (1/1) | 0.667 | 0.500 (1/2) | 1.000 (1/1)"
        " | 0.667 | rare (n=1) |" in out
    )
    assert "| PHONE_NUMBER | 1 | 1 | 1.000 (1/1) | 1.000 (1/1) | 1.000 |" in out
    assert "| CREDIT_CARD | 1 | 1 | 1.000 (1/1) | 1.000 (1/1) | 1.000 |" in out
    # OTHER: gold 1, nothing predicted: P undefined, R = 0/1.
    assert "| OTHER | 1 | 0 | n/a (0/0) | 0.000 (0/1) | n/a |" in out
    assert "not covered, rare (n=1)" in out
    # Micro over covered labels: gold 3, predicted 4, matched 3: P 3/4, R 3/3,
    # F1 = 2 * 0.75 / 1.75 = 0.857. Over all labels: gold 4: R 3/4, F1 0.750.
    assert "| **micro, covered labels** | 3 | 4 | 0.750 (3/4) | 1.000 (3/3) | 0.857 |" in out
    assert "| **micro, all labels** | 4 | 4 | 0.750 (3/4) | 0.750 (3/4) | 0.750 |" in out
    # Characters: covered gold 20 + 17 + 19 = 56, all covered by findings; all gold adds the
    # 5-character OTHER span: 56/61 = 0.918. Predicted 56 + 15 (bob@example.org) = 71, 56 on gold.
    assert "leak recall 1.000 (56/56) on covered labels, 0.918 (56/61) on all labels" in out
    assert "character precision 0.789 (56/71)" in out
    # Records 5, 6, 7 have no gold span; record 7 got a finding: 1/3.
    assert "Records without gold spans: 3; with any finding: 0.333 (1/3)." in out
    # Per source.
    assert "## Source `s1` (3 records, 3 gold spans)" in out
    assert "## Source `s2` (4 records, 1 gold spans)" in out
    # No value from the data is echoed.
    for value in ("jane.doe@example.com", "4111 1111 1111 1111", "XYZ-1"):
        assert value not in out


def test_json_output(run: Run, data: tuple[Path, Path], tmp_path: Path) -> None:
    records, label_map = data
    out = tmp_path / "out.json"
    proc = run("eval", str(records), "--label-map", str(label_map), "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    overall = doc["overall"]
    assert overall["records"] == 7
    email = overall["labels"]["EMAIL_ADDRESS"]
    assert (email["gold"], email["pred"], email["exact"]["tp"]) == (1, 2, 1)
    assert email["exact"]["precision"] == 0.5
    assert email["covered"] is True
    assert email["rare"] is True
    assert overall["labels"]["OTHER"]["covered"] is False
    assert overall["micro_covered"]["overlap"]["recall"] == 1.0
    assert overall["chars_all"]["leak_recall"] == 56 / 61
    assert overall["negatives"] == {"records": 3, "with_findings": 1, "share": 1 / 3}
    assert set(doc["by_source"]) == {"s1", "s2"}
    assert "PHONE_NUMBER" in doc["covered_labels"]


def test_canonical_labels_need_no_label_map(run: Run, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "canon.jsonl",
        [json.dumps({"text": "mail jane.doe@example.com", "spans": [
            {"start": 5, "end": 25, "label": "EMAIL_ADDRESS"}]})],
    )  # fmt: skip
    proc = run("eval", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "| EMAIL_ADDRESS | 1 | 1 | 1.000 (1/1) | 1.000 (1/1) | 1.000 |" in proc.stdout
    assert "## Source `(none)`" in proc.stdout


def test_several_files(run: Run, data: tuple[Path, Path], tmp_path: Path) -> None:
    records, label_map = data
    more = write(tmp_path, "more.jsonl", [json.dumps(RECORDS[0])])
    proc = run("eval", str(records), str(more), "--label-map", str(label_map))
    assert proc.returncode == 0, proc.stderr
    assert "`dev.jsonl` (7 records), `more.jsonl` (1 records)" in proc.stdout
    assert "| EMAIL_ADDRESS | 2 | 3 |" in proc.stdout


def test_unmapped_label_is_a_one_line_user_error(
    data: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, label_map = data
    path = write(
        tmp_path,
        "bad.jsonl",
        [json.dumps(RECORDS[0]),
         json.dumps({"source": "s1", "text": "x 123", "spans": [
             {"start": 2, "end": 5, "label": "ZIP"}]})],
    )  # fmt: skip
    line = one_line_error(["eval", str(path), "--label-map", str(label_map)], capsys)
    assert "bad.jsonl: line 2: label 'ZIP' of source 's1' is not in the label map" in line


def test_user_error_through_the_console_entry_point(run: Run, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.jsonl", ["{not json"])
    proc = run("eval", str(path))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"tracemask: error: {path}: line 1: invalid JSON (Expecting property name enclosed in "
        "double quotes, column 2)"
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "abc", "spans": []}\n{not json\n', "line 2: invalid JSON"),
        ('["text"]\n', "line 1: expected a JSON object"),
        ('{"spans": []}\n', 'line 1: no "text" field holding a string'),
        ('{"text": "abc", "spans": [{"start": 1, "end": 9, "label": "X"}]}\n', "outside the text"),
        ('{"text": "abc", "spans": [{"start": "1", "end": 2, "label": "X"}]}\n', "integers"),
        ('{"text": "abc", "spans": {}}\n', '"spans" must be a list'),
        ('{"text": "abc", "spans": [{"start": 0, "end": 1, "label": ""}]}\n', "non-empty"),
        (b"\xff\xfe\n", "not valid UTF-8"),
    ],
)
def test_bad_records_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    assert message in one_line_error(["eval", str(path)], capsys)


def test_missing_files_and_bad_label_map(
    data: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, _ = data
    assert "cannot read" in one_line_error(["eval", str(tmp_path / "nope.jsonl")], capsys)
    missing_map = ["eval", str(records), "--label-map", str(tmp_path / "nope.json")]
    assert "cannot read" in one_line_error(missing_map, capsys)
    bad = tmp_path / "bad-map.json"
    bad.write_text('{"labels": {}}', encoding="utf-8")
    line = one_line_error(["eval", str(records), "--label-map", str(bad)], capsys)
    assert 'needs a "sources" object' in line
    bad.write_text('{"sources": {"s1": {"EMAIL": 3}}}', encoding="utf-8")
    line = one_line_error(["eval", str(records), "--label-map", str(bad)], capsys)
    assert "sources.s1 must map labels to label strings" in line


def test_needs_a_path(capsys: pytest.CaptureFixture[str]) -> None:
    assert "Missing argument" in one_line_error(["eval"], capsys)


def test_dev_set_format_runs(run: Run) -> None:
    """The shared dev set when this checkout sits beside it; else a small sample of the same
    format, so that the test runs (and can fail) everywhere, CI included."""
    data = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    records, label_map, source = data / "secrets_dev.jsonl", data / "label_map.json", "credsweeper"
    if not records.is_file():
        sample = Path(__file__).resolve().parents[1] / "data" / "eval"
        records, label_map = sample / "secrets_sample.jsonl", sample / "label_map.json"
        source = "code-sample"
    proc = run("eval", str(records), "--label-map", str(label_map))
    assert proc.returncode == 0, proc.stderr
    assert f"## Source `{source}`" in proc.stdout
    assert "| API_KEY/SECRET |" in proc.stdout
    assert "| PASSWORD |" in proc.stdout

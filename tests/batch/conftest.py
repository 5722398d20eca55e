"""Archives made on the fly: every format, planted values, decoys that must survive."""

from __future__ import annotations

import bz2
import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

EMAIL = "jane.doe@example.com"
PHONE = "+1 (415) 555-0132"
CARD = "4111 1111 1111 1111"
PLANTED = (EMAIL, PHONE, CARD, "not-a-real-key-123")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def record(i: int) -> dict[str, Any]:
    """One trace-like record; every third one carries nothing sensitive."""
    if i % 3 == 2:
        return {"trace_id": TRACE_ID, "i": i, "messages": [{"role": "user", "content": "hi"}]}
    return {
        "trace_id": TRACE_ID,
        "i": i,
        "messages": [{"role": "user", "content": f"mail {EMAIL} or call {PHONE}"}],
        "payment": {"card": CARD},
        "api_key": "not-a-real-key-123",
        "model": "gpt-4o-mini",
    }


def jsonl(n: int, start: int = 0) -> bytes:
    return "".join(json.dumps(record(i)) + "\n" for i in range(start, start + n)).encode()


def write_parquet(path: Path, n: int, row_group_size: int = 50) -> None:
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    table = pa.table(
        {
            "id": list(range(n)),
            "prompt": [f"mail {EMAIL} now" if i % 2 else "hello" for i in range(n)],
            "meta": [{"note": f"card {CARD}", "tokens": i} for i in range(n)],
            "tags": [["prod", EMAIL] for _ in range(n)],
            "attrs": pa.array(
                [[("user.email", EMAIL), ("model", "gpt-4o")] for _ in range(n)],
                type=pa.map_(pa.string(), pa.string()),
            ),
            "blob": [b"\x00\x01" for _ in range(n)],
        }
    )
    pq.write_table(table, path, row_group_size=row_group_size)


def make_archive(root: Path, n: int = 30) -> Path:
    """A small archive in every format, nested one level."""
    import zstandard  # noqa: PLC0415

    root.mkdir(parents=True, exist_ok=True)
    (root / "day1").mkdir()
    (root / "day1" / "a.jsonl").write_bytes(jsonl(n))
    (root / "day1" / "b.jsonl.gz").write_bytes(gzip.compress(jsonl(n, 100), mtime=0))
    (root / "c.ndjson.bz2").write_bytes(bz2.compress(jsonl(n, 200)))
    (root / "d.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(jsonl(n, 300)))
    (root / "e.json").write_text(json.dumps(record(0), indent=2))
    (root / "app.log").write_text(f"user {EMAIL} logged in\nok {TRACE_ID}\n")
    with (root / "f.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "note", "email"])
        for i in range(n):
            w.writerow([str(i), f"call {PHONE}", EMAIL])
    write_parquet(root / "g.parquet", n, row_group_size=10)
    return root


def read_all(root: Path) -> dict[str, bytes]:
    """Every output file's decoded records (compressed files decompressed), by relative path."""
    import zstandard  # noqa: PLC0415

    out = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.name.startswith("_tracemask"):
            continue
        data = p.read_bytes()
        if p.suffix == ".gz":
            data = gzip.decompress(data)
        elif p.suffix == ".bz2":
            data = bz2.decompress(data)
        elif p.suffix == ".zst":
            data = zstandard.ZstdDecompressor().decompressobj().decompress(data)
        elif p.suffix == ".parquet":
            import pyarrow.parquet as pq  # noqa: PLC0415

            data = json.dumps(pq.read_table(p).to_pylist(), default=repr).encode()
        out[p.relative_to(root).as_posix()] = data
    return out


def assert_clean(*blobs: bytes | str) -> None:
    for blob in blobs:
        text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
        for value in PLANTED:
            assert value not in text


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return make_archive(tmp_path / "in")

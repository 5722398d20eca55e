"""Ray Data, for real (local, 2 CPUs, one Ray per module): the engine and the dataset API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.batch.conftest import assert_clean, make_archive, read_all, write_parquet
from tracemask import Masker
from tracemask.batch import mask_arrow_batch, mask_ray_dataset, run_job

ray = pytest.importorskip("ray")
pq = pytest.importorskip("pyarrow.parquet")

pytestmark = [
    pytest.mark.slow,
    # Ray Data reads its own deprecated settings internally (ray/data/context.py).
    pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context"),
]


@pytest.fixture(scope="module")
def ray_local() -> Iterator[Any]:
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_engine_output_equals_local(ray_local: Any, tmp_path: Path) -> None:
    src = make_archive(tmp_path / "in")
    local = run_job([str(src)], str(tmp_path / "local"))
    assert local.exit_code == 0
    result = run_job([str(src)], str(tmp_path / "ray"), engine="ray", workers=2)
    assert result.exit_code == 0, [p.error for p in result.parts]
    got = read_all(tmp_path / "ray")
    assert got == read_all(tmp_path / "local")  # record for record, in every format
    files = {
        p.relative_to(tmp_path / "ray").as_posix(): p.read_bytes()
        for p in (tmp_path / "ray").rglob("*")
        if p.is_file() and not p.name.startswith("_")
    }
    for rel, data in files.items():
        assert data == (tmp_path / "local" / rel).read_bytes(), rel  # byte for byte
    manifest = json.loads((tmp_path / "ray" / "_tracemask_manifest.json").read_text())
    assert {p["engine"] for p in manifest["parts"].values()} == {"ray"}


def test_mask_ray_dataset_keeps_schema(ray_local: Any, tmp_path: Path) -> None:
    write_parquet(tmp_path / "t.parquet", 40, row_group_size=10)
    ds = ray.data.read_parquet(str(tmp_path / "t.parquet"))
    masked = mask_ray_dataset(ds, None, concurrency=1)  # the other CPU reads
    table = masked.to_arrow_refs()
    got = ray.get(table)
    import pyarrow as pa  # noqa: PLC0415

    out = pa.concat_tables(got).sort_by("id")
    original = pq.read_table(tmp_path / "t.parquet")
    assert out.schema.remove_metadata() == original.schema.remove_metadata()
    want = mask_arrow_batch(original, Masker())
    assert out.to_pylist() == want.to_pylist()
    assert_clean(json.dumps(out.to_pylist(), default=repr))


def test_mask_ray_dataset_columns(ray_local: Any) -> None:
    rows = [{"a": "mail jane.doe@example.com", "b": "jane.doe@example.com"}] * 4
    masked = mask_ray_dataset(ray.data.from_items(rows), "default", columns=["a"]).take_all()
    assert masked == [{"a": "mail <EMAIL_ADDRESS>", "b": "jane.doe@example.com"}] * 4

"""PySpark, for real (local[2], one session per module): the engine and ``mapInArrow`` API."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.batch.conftest import assert_clean, make_archive, read_all, write_parquet
from tracemask import Masker
from tracemask.batch import mask_arrow_batch, mask_spark_dataframe, run_job

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("java") is None, reason="PySpark needs Java (.ci/run installs it)"
    ),
]

pyspark = pytest.importorskip("pyspark")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from tracemask.batch._spark import session  # noqa: PLC0415

    s = session("local[2]")
    yield s
    s.stop()


def test_spark_engine_output_equals_local(spark: Any, tmp_path: Path) -> None:
    src = make_archive(tmp_path / "in")
    assert run_job([str(src)], str(tmp_path / "local")).exit_code == 0
    result = run_job([str(src)], str(tmp_path / "spark"), engine="spark", workers=2)
    assert result.exit_code == 0, [p.error for p in result.parts]
    assert read_all(tmp_path / "spark") == read_all(tmp_path / "local")
    for p in (tmp_path / "spark").rglob("*"):
        if p.is_file() and not p.name.startswith("_"):
            rel = p.relative_to(tmp_path / "spark")
            assert p.read_bytes() == (tmp_path / "local" / rel).read_bytes(), rel
    manifest = json.loads((tmp_path / "spark" / "_tracemask_manifest.json").read_text())
    assert {p["engine"] for p in manifest["parts"].values()} == {"spark"}


def test_mask_spark_dataframe_keeps_schema(spark: Any, tmp_path: Path) -> None:
    write_parquet(tmp_path / "t.parquet", 30, row_group_size=10)
    df = spark.read.parquet(str(tmp_path / "t.parquet"))
    masked = mask_spark_dataframe(df, None)
    assert masked.schema == df.schema
    out = masked.orderBy("id").toArrow()
    original = pq.read_table(tmp_path / "t.parquet")
    want = mask_arrow_batch(df.orderBy("id").toArrow(), Masker())
    assert out.to_pylist() == want.to_pylist()
    assert out.num_rows == original.num_rows
    assert out.to_pylist()[1]["meta"]["note"] == "card <CREDIT_CARD>"
    assert_clean(json.dumps(out.to_pylist(), default=repr))


def test_mask_spark_dataframe_columns(spark: Any) -> None:
    df = spark.createDataFrame(
        [("mail jane.doe@example.com", "jane.doe@example.com")], "a string, b string"
    )
    row = mask_spark_dataframe(df, "default", columns=["a"]).collect()[0]
    assert (row["a"], row["b"]) == ("mail <EMAIL_ADDRESS>", "jane.doe@example.com")

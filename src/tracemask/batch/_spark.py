"""PySpark: mask a DataFrame with ``mapInArrow``, or spread a job's parts over executors.

``local[*]`` by default, ``--master`` (or ``spark-submit``'s session) for a cluster. The policy
travels to the executors by value inside the function Spark ships; each Python worker builds
its :class:`~tracemask.Masker` once per partition.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from typing import Any

from tracemask._masker import Masker
from tracemask.batch._arrow import mask_arrow_batch
from tracemask.batch._part import Options, PartResult, Task, run_part
from tracemask.policy import Policy, load_policy


def _pyspark() -> Any:
    # PySpark warns about pandas versions on import; tracemask uses Arrow, never pandas.
    warnings.filterwarnings("ignore", "PySpark does not yet fully support", FutureWarning)
    try:
        import pyspark.sql  # noqa: PLC0415 - the spark extra
    except ImportError:
        raise ImportError(
            "the Spark engine needs the spark extra: pip install 'tracemask[spark]'"
        ) from None
    return pyspark.sql


def mask_spark_dataframe(
    df: Any,
    policy: Policy | str | dict[str, Any] | None = None,
    columns: Sequence[str] | None = None,
) -> Any:
    """Return ``df`` (a ``pyspark.sql.DataFrame``) with its text columns masked; same schema.

    ``columns`` picks the columns (default: every column holding strings, nested included).
    """
    _pyspark()
    loaded = load_policy(policy)
    chosen = tuple(columns) if columns else None

    def mask_partition(batches: Iterable[Any]) -> Iterator[Any]:
        masker = Masker(loaded)
        for batch in batches:
            yield mask_arrow_batch(batch, masker, chosen)

    return df.mapInArrow(mask_partition, df.schema)


def session(master: str | None = None, workers: int = 0) -> Any:
    """The active Spark session (``spark-submit``), or a new one on ``master``."""
    sql = _pyspark()
    active = sql.SparkSession.getActiveSession()
    if active is not None and master is None:
        return active
    target = master or (f"local[{workers}]" if workers > 0 else "local[*]")
    if target.startswith("local"):
        # Local Python workers run this interpreter (the one tracemask is installed in).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    spark = (
        sql.SparkSession.builder.master(target)
        .appName("tracemask")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def run_parts(
    tasks: list[Task], options: Options, workers: int, master: str | None
) -> Iterator[PartResult]:
    spark = session(master, workers)
    blob = pickle.dumps(options)
    rows = [(t.input, t.rel, t.output or "", t.quarantine or "") for t in tasks]
    schema = "input string, rel string, output string, quarantine string"
    df = spark.createDataFrame(rows, schema).repartition(len(rows))

    def parts(batches: Iterable[Any]) -> Iterator[Any]:
        import pyarrow as pa  # noqa: PLC0415

        opts: Options = pickle.loads(blob)  # noqa: S301 - our own bytes, by value
        for batch in batches:
            out = []
            for row in batch.to_pylist():
                task = Task(
                    row["input"], row["rel"], row["output"] or None, row["quarantine"] or None
                )
                out.append(json.dumps(asdict(run_part(task, opts))))
            yield pa.RecordBatch.from_pydict({"result": out})

    for row in df.mapInArrow(parts, "result string").toLocalIterator():
        yield PartResult(**json.loads(row["result"]))

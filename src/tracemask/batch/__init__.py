"""Re-mask or scan archives: files, directories, globs and object-store URLs, on one machine,
Ray or Spark (see docs/batch.md).

``run_job`` is what ``tracemask redact``/``scan`` run over many files; ``mask_ray_dataset`` and
``mask_spark_dataframe`` mask a dataset you already hold, keeping its schema. Optional packages
(``fsspec``, ``pyarrow``, ``zstandard``, ``ray``, ``pyspark``) are imported only when used.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tracemask.batch._arrow import mask_arrow_batch
from tracemask.batch._job import ENGINES, JobResult, run_job
from tracemask.batch._manifest import NAME as MANIFEST_NAME
from tracemask.batch._part import FORMATS, ON_ERROR, PartResult, policy_hash
from tracemask.policy import Policy


def mask_ray_dataset(
    ds: Any,
    policy: Policy | str | dict[str, Any] | None = None,
    columns: Sequence[str] | None = None,
    *,
    concurrency: int | None = None,
) -> Any:
    """Return the Ray ``Dataset`` ``ds`` masked by ``policy`` (same schema); extra ``ray``."""
    from tracemask.batch._ray import mask_ray_dataset as impl  # noqa: PLC0415

    return impl(ds, policy, columns, concurrency=concurrency)


def mask_spark_dataframe(
    df: Any,
    policy: Policy | str | dict[str, Any] | None = None,
    columns: Sequence[str] | None = None,
) -> Any:
    """Return the Spark ``DataFrame`` ``df`` masked by ``policy`` (same schema); extra ``spark``."""
    from tracemask.batch._spark import mask_spark_dataframe as impl  # noqa: PLC0415

    return impl(df, policy, columns)


__all__ = [
    "ENGINES",
    "FORMATS",
    "MANIFEST_NAME",
    "ON_ERROR",
    "JobResult",
    "PartResult",
    "mask_arrow_batch",
    "mask_ray_dataset",
    "mask_spark_dataframe",
    "policy_hash",
    "run_job",
]

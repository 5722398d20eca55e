"""Ray Data: mask a dataset's blocks in an actor pool, or spread a job's parts over a cluster.

``ray.init()`` joins the cluster in ``$RAY_ADDRESS`` when it is set, else starts Ray locally.
Each actor builds one :class:`~tracemask.Masker` from the policy it receives by value; HMAC
pseudonyms are the same on every worker (same key), counter pseudonyms need a shared store.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from tracemask._masker import Masker
from tracemask.batch._arrow import mask_arrow_batch
from tracemask.batch._part import Options, PartResult, Task, run_part
from tracemask.policy import Policy, load_policy


def _ray() -> Any:
    try:
        import ray  # noqa: PLC0415 - the ray extra
        import ray.data  # noqa: PLC0415
    except ImportError:
        raise ImportError(
            "the Ray engine needs the ray extra: pip install 'tracemask[ray]'"
        ) from None
    return ray


class MaskBatches:
    """A Ray Data actor: masks Arrow blocks with one Masker built per actor."""

    def __init__(self, policy: Policy, columns: Sequence[str] | None) -> None:
        self.masker = Masker(policy)
        self.columns = columns

    def __call__(self, batch: Any) -> Any:
        return mask_arrow_batch(batch, self.masker, self.columns)


def mask_ray_dataset(
    ds: Any,
    policy: Policy | str | dict[str, Any] | None = None,
    columns: Sequence[str] | None = None,
    *,
    concurrency: int | None = None,
) -> Any:
    """Return ``ds`` (a ``ray.data.Dataset``) with its text columns masked; same schema.

    ``columns`` picks the columns (default: every column holding strings, nested included).
    ``concurrency`` is the number of masking actors, one CPU each (default: from 1 up to the
    cluster's CPUs, as Ray scales the pool). Leave CPUs for the tasks that read and write: on
    a 2-CPU machine, 2 fixed actors would starve ``read_parquet`` and wait forever.
    """
    ray = _ray()
    compute = ray.data.ActorPoolStrategy(size=concurrency) if concurrency else None
    if compute is None:
        compute = ray.data.ActorPoolStrategy(min_size=1, max_size=max(1, _cpus(ray)))
    return ds.map_batches(
        MaskBatches,
        fn_constructor_args=(load_policy(policy), tuple(columns) if columns else None),
        batch_format="pyarrow",
        compute=compute,
        num_cpus=1,
    )


def _cpus(ray: Any) -> int:
    try:
        return int(ray.cluster_resources().get("CPU", 1))
    except Exception:  # noqa: BLE001 - not initialised yet: Ray starts and sizes itself
        return 1


class MaskParts:
    """A Ray Data actor that runs whole parts (files): the CLI's ``--engine ray``."""

    def __init__(self, options: bytes) -> None:
        self.options: Options = pickle.loads(options)  # noqa: S301 - our own bytes, by value

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        results = []
        for inp, rel, out, quarantine in zip(
            batch["input"], batch["rel"], batch["output"], batch["quarantine"], strict=True
        ):
            task = Task(str(inp), str(rel), str(out) or None, str(quarantine) or None)
            results.append(json.dumps(asdict(run_part(task, self.options))))
        return {"result": results}


def init(workers: int) -> Any:
    """Start or join Ray (``$RAY_ADDRESS``); locally with ``workers`` CPUs."""
    ray = _ray()
    if not ray.is_initialized():
        import os  # noqa: PLC0415

        if os.environ.get("RAY_ADDRESS"):
            ray.init(log_to_driver=False)
        else:
            ray.init(num_cpus=max(1, workers), include_dashboard=False, log_to_driver=False)
    return ray


def run_parts(tasks: list[Task], options: Options, workers: int) -> Iterator[PartResult]:
    ray = init(workers)
    rows = [
        {"input": t.input, "rel": t.rel, "output": t.output or "", "quarantine": t.quarantine or ""}
        for t in tasks
    ]
    ds = ray.data.from_items(rows, override_num_blocks=len(rows))
    ds = ds.map_batches(
        MaskParts,
        fn_constructor_args=(pickle.dumps(options),),
        batch_size=1,
        batch_format="numpy",
        compute=ray.data.ActorPoolStrategy(size=max(1, min(workers, len(rows)))),
        num_cpus=1,
    )
    for row in ds.iter_rows():
        yield PartResult(**json.loads(row["result"]))

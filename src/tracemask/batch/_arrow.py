"""Masking Arrow record batches: Parquet row groups, Ray Data blocks, Spark ``mapInArrow``.

Each row's chosen columns are masked as one JSON-like record (``{column: value}``) through
:meth:`tracemask.Masker.mask`, so nested struct, list and map columns are walked like JSON and
report paths read ``column.field``. The batch comes back with the very same schema.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tracemask._masker import Masker
from tracemask._report import Report


def require_pyarrow(what: str) -> Any:
    """Import pyarrow or raise an ImportError naming the extra."""
    try:
        import pyarrow  # noqa: PLC0415 - the batch extra
    except ImportError:
        raise ImportError(f"{what} needs the batch extra: pip install 'tracemask[batch]'") from None
    return pyarrow


def _has_text(t: Any) -> bool:
    """Whether an Arrow type holds strings anywhere (string columns, nested ones)."""
    import pyarrow as pa  # noqa: PLC0415

    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return True
    if pa.types.is_struct(t):
        return any(_has_text(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return _has_text(t.key_type) or _has_text(t.item_type)
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return _has_text(t.value_type)
    if pa.types.is_dictionary(t):
        return _has_text(t.value_type)
    return False


def text_columns(schema: Any, columns: Sequence[str] | None) -> list[str]:
    """The columns to mask: ``columns`` (checked to exist) or every column holding text."""
    names = list(schema.names)
    if columns:
        missing = [c for c in columns if c not in names]
        if missing:
            raise KeyError(", ".join(missing))
        return list(columns)
    return [f.name for f in schema if _has_text(f.type)]


RowError = Callable[[int, str, Any], None]


def mask_rows(
    masker: Masker,
    rows: list[dict[str, Any]],
    columns: Sequence[str],
    report: Report,
    on_row: Callable[[int, dict[str, Any], Report], None] | None = None,
) -> list[dict[str, Any]]:
    """Mask ``columns`` of each row dict; return new rows (inputs untouched)."""
    out = []
    for i, row in enumerate(rows):
        part = {c: row[c] for c in columns}
        rep = Report()
        masked = masker.mask(part, report=rep)
        report.merge(rep)
        if on_row is not None:
            on_row(i, row, rep)
        out.append({**row, **masked})
    return out


def mask_arrow_batch(
    batch: Any, masker: Masker, columns: Sequence[str] | None = None, report: Report | None = None
) -> Any:
    """Return ``batch`` (a ``pyarrow.RecordBatch`` or ``Table``) masked, schema unchanged."""
    pa = require_pyarrow("Arrow masking")
    chosen = text_columns(batch.schema, columns)
    if not chosen or batch.num_rows == 0:
        return batch
    rows = batch.select(chosen).to_pylist()
    rep = report if report is not None else Report()
    masked = [masker.mask(row, report=rep) for row in rows]
    arrays = []
    for name in batch.schema.names:
        if name in chosen:
            field = batch.schema.field(name)
            arrays.append(pa.array([r[name] for r in masked], type=field.type))
        else:
            arrays.append(batch.column(name))
    if isinstance(batch, pa.Table):
        return pa.Table.from_arrays(arrays, schema=batch.schema)
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)

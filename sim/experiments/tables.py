"""Run tables to Arrow and their row hashes, without a pandas Series per column.

A run file is written from a small pandas table (a summary row, 365 daily rows, the actor
positions) with dozens of columns. pandas 3 builds a Series each time a column is read, and
``pyarrow.Table.from_pandas`` and ``pandas.util.hash_pandas_object`` read every column that
way: about two thirds of the time to save a run. Here the numeric columns are read as one
array per type and converted or hashed at once; the result is the same table (schema and
pandas metadata included) and the same hashes, which the tests hold to pandas and pyarrow.
Tables with other column types, non-text or repeated column names, ``attrs`` or no rows take
pandas' own path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

_BLOCK_TYPES = ("float64", "int64", "bool")
"""Numeric column types, read as one array per type (as is text, as Python objects)."""
_TEXT = "text"
_SHORT_TEXT_ROWS = 64
"""Text columns up to this many rows are hashed as Python objects, longer ones one by one."""
_KIND_OF: dict[object, str] = {np.dtype(kind): kind for kind in _BLOCK_TYPES}

# The mixing steps and the combination of pandas.util.hash_array / hash_pandas_object
# (pandas/core/util/hashing.py), for 64-bit values.
_MIX = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))
_COMBINE_SEED, _COMBINE_MULT, _COMBINE_END = 0x345678, 1000003, 97531
_COMBINE_STEP = 82520
_NAN_BITS = np.array(np.nan).view(np.uint64)


@dataclass(frozen=True)
class _Columns:
    """A table's columns read once: each one's kind, and the numeric ones as blocks."""

    frame: pd.DataFrame
    kinds: tuple[str, ...]
    blocks: dict[str, tuple[list[int], np.ndarray]]  # kind -> positions, one row per column


def supported(frame: pd.DataFrame) -> bool:
    """Whether :func:`arrow_table` and :func:`row_hashes` take the fast path for ``frame``."""
    return _kinds(frame) is not None


def arrow_table(frame: pd.DataFrame) -> pa.Table:
    """``pa.Table.from_pandas(frame, preserve_index=False)``, faster for numeric columns."""
    columns = _read(frame)
    if columns is None:
        return pa.Table.from_pandas(frame, preserve_index=False)
    return _arrow_table(columns)


def row_hashes(frame: pd.DataFrame) -> np.ndarray:
    """``pandas.util.hash_pandas_object(frame, index=False)`` as a uint64 array."""
    columns = _read(frame)
    if columns is None:
        return pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return _row_hashes(columns)


def table_and_hashes(frame: pd.DataFrame) -> tuple[pa.Table, np.ndarray]:
    """:func:`arrow_table` and :func:`row_hashes` of ``frame``, its columns read once."""
    columns = _read(frame)
    if columns is None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        return table, pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return _arrow_table(columns), _row_hashes(columns)


def _read(frame: pd.DataFrame) -> _Columns | None:
    kinds = _kinds(frame)
    if kinds is None:
        return None
    blocks: dict[str, tuple[list[int], np.ndarray]] = {}
    for kind in _BLOCK_TYPES:
        positions = [i for i, k in enumerate(kinds) if k == kind]
        if positions:
            values = frame.take(positions, axis=1).to_numpy(dtype=np.dtype(kind))
            blocks[kind] = (positions, np.ascontiguousarray(values.T))
    return _Columns(frame, kinds, blocks)


def _text_block(columns: _Columns) -> tuple[list[int], np.ndarray] | None:
    """The text columns' positions and values as Python objects (str; NaN or NA if missing).

    ``None`` without text columns, or when they are long: pandas then hashes each from its
    Arrow data faster than from Python objects.
    """
    positions = [i for i, k in enumerate(columns.kinds) if k == _TEXT]
    if not positions or len(columns.frame) > _SHORT_TEXT_ROWS:
        return None
    values = columns.frame.take(positions, axis=1).to_numpy(dtype=object)
    return positions, np.ascontiguousarray(values.T)


def _kinds(frame: pd.DataFrame) -> tuple[str, ...] | None:
    """Each column's kind, or ``None`` when the table takes pandas' own path."""
    if len(frame) == 0 or frame.attrs or not isinstance(frame.index, pd.RangeIndex):
        return None
    names = list(frame.columns)
    if any(type(name) is not str for name in names) or len(set(names)) != len(names):
        return None
    kinds = []
    for dtype in frame.dtypes:
        kind = _KIND_OF.get(dtype) or (_TEXT if isinstance(dtype, pd.StringDtype) else None)
        if kind is None:
            return None
        kinds.append(kind)
    return tuple(kinds)


def _arrow_table(columns: _Columns) -> pa.Table:
    schema = _schema(columns.frame)
    arrays: list[pa.Array | None] = [None] * len(columns.kinds)
    for positions, block in columns.blocks.values():
        for position, values in zip(positions, block, strict=True):
            kind = schema.field(position).type
            arrays[position] = pa.array(values, type=kind, from_pandas=True)  # NaN: null
    for position, kind in enumerate(columns.kinds):
        if kind == _TEXT:  # pandas' text arrays hand over their Arrow data without a copy
            column = columns.frame.iloc[:, position].array
            arrays[position] = pa.array(column, type=schema.field(position).type)
    return pa.Table.from_arrays(arrays, schema=schema)


def _row_hashes(columns: _Columns) -> np.ndarray:
    hashed: list[np.ndarray | None] = [None] * len(columns.kinds)
    text = _text_block(columns)
    blocks = {**columns.blocks, **({_TEXT: text} if text is not None else {})}
    for kind, (positions, block) in blocks.items():
        for position, values in zip(positions, _hash_block(kind, block), strict=True):
            hashed[position] = values
    for position, kind in enumerate(columns.kinds):
        if kind == _TEXT and hashed[position] is None:  # long text: from its Arrow data
            column = columns.frame.iloc[:, position]
            hashed[position] = pd.util.hash_pandas_object(column, index=False).to_numpy()
    return _combine([h for h in hashed if h is not None], len(columns.frame))


def _hash_block(kind: str, block: np.ndarray) -> np.ndarray:
    """The hash pandas gives each row of ``block`` (one column per row)."""
    if kind == _TEXT:  # pandas hashes a text array's values as it hashes the same objects
        return np.stack([_hash_text(column) for column in block])
    if kind == "bool":
        values = block.astype(np.uint64)
    else:
        values = block.view(np.uint64).copy()
        if kind == "float64":  # one bit pattern for every NaN and for -0.0, as pandas does
            values[np.isnan(block)] = _NAN_BITS
            values[block == 0.0] = 0
    values ^= values >> _SHIFTS[0]
    values *= _MIX[0]
    values ^= values >> _SHIFTS[1]
    values *= _MIX[1]
    values ^= values >> _SHIFTS[2]
    return values


def _hash_text(column: np.ndarray) -> np.ndarray:
    """The hash pandas gives text values (Python objects); missing ones take its categories."""
    complete = all(type(value) is str for value in column)
    # without missing values both forms give the same hashes; the plain one is much cheaper
    return pd.util.hash_array(column, categorize=not complete)


def _combine(hashes: list[np.ndarray], rows: int) -> np.ndarray:
    """Column hashes combined into row hashes as pandas does (CPython's tuple hash)."""
    out = np.full(rows, _COMBINE_SEED, dtype=np.uint64)
    mult = np.uint64(_COMBINE_MULT)
    for i, values in enumerate(hashes):
        inverse = len(hashes) - i
        out ^= values
        out *= mult
        mult += np.uint64(_COMBINE_STEP + inverse + inverse)
    out += np.uint64(_COMBINE_END)
    return out


_SCHEMAS: dict[tuple[tuple[str, ...], tuple[Any, ...]], pa.Schema] = {}
_SCHEMAS_KEPT = 64


def _schema(frame: pd.DataFrame) -> pa.Schema:
    """The schema (pandas metadata included) pyarrow gives a table of these columns and types.

    It depends on the names and types only, so it is made once from the first row and kept.
    """
    # keyed by the dtypes themselves: text dtypes differ in storage and missing value, which
    # the schema's pandas metadata and Arrow type record
    key = (tuple(frame.columns), tuple(frame.dtypes))
    schema = _SCHEMAS.get(key)
    if schema is None:
        if len(_SCHEMAS) >= _SCHEMAS_KEPT:
            _SCHEMAS.clear()
        schema = pa.Table.from_pandas(frame.iloc[:1], preserve_index=False).schema
        _SCHEMAS[key] = schema
    return schema


def write_parquet(table: pa.Table, where: Any) -> None:
    """Write ``table`` as Parquet: floats without dictionaries, text without statistics.

    Daily series and positions are mostly distinct floats: their dictionaries cost time
    (about half of writing a consolidated daily table) and save no space; the minimum and
    maximum of text columns (actors, scenarios) cost a quarter of writing the positions.
    """
    fields = list(table.schema)
    encoded = [f.name for f in fields if not pa.types.is_floating(f.type)]
    text = (pa.types.is_string, pa.types.is_large_string)
    counted = [f.name for f in fields if not any(is_text(f.type) for is_text in text)]
    pq.write_table(table, where, use_dictionary=encoded, write_statistics=counted)

"""Run tables to Arrow and their row hashes: the same as pyarrow's and pandas' own, exactly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sim.experiments import tables
from sim.experiments.integrity import content_digest, write_with_identity


def _frames() -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(4)
    daily = pd.DataFrame(rng.normal(size=(365, 40)), columns=[f"s{i}" for i in range(40)])
    daily.insert(0, "day", np.arange(365))
    daily.insert(0, "scenario", "base")
    daily.insert(1, "replication", 3)
    awkward = pd.DataFrame(
        {
            "x": [0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 1e-300, 5.0],
            "n": np.array([0, -1, 2**62, -(2**63), 7, 8, 9, 10], dtype=np.int64),
            "flag": [True, False, True, True, False, False, True, False],
            "name": ["a", "bé", "", None, "a", "日本", "a", "z"],
            "more": [1.5, np.nan, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5],
        }
    )
    return {
        "daily": daily,
        "summary-row": pd.DataFrame(
            [{"scenario": "s", "hash": "ab12", "replication": 4, "deaths": 12.5, "collapsed": True}]
        ),
        "awkward-values": awkward,
        "only-text": pd.DataFrame({"a": ["x", "y"], "b": ["1", None]}),
        "long-text": pd.DataFrame({"a": ["x", "y", None, "é"] * 40, "v": np.arange(160.0)}),
        "one-column": pd.DataFrame({"v": [3.0]}),
        "pandas-string": pd.DataFrame({"s": pd.array(["a", None], dtype="string"), "v": [1, 2]}),
    }


FRAMES = _frames()


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_the_arrow_table_is_pyarrows_own(name: str) -> None:
    frame = FRAMES[name]
    assert tables.supported(frame)
    expected = pa.Table.from_pandas(frame, preserve_index=False)
    for _ in range(2):  # made, then from the kept schema
        got = tables.arrow_table(frame)
        assert got.schema.equals(expected.schema, check_metadata=True)
        assert got.equals(expected, check_metadata=True)


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_the_row_hashes_are_pandas_own(name: str) -> None:
    frame = FRAMES[name]
    expected = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    np.testing.assert_array_equal(tables.row_hashes(frame), expected)


def test_a_change_of_a_single_value_changes_the_hashes() -> None:
    frame = FRAMES["awkward-values"].copy()
    before = tables.row_hashes(frame)
    frame.loc[7, "more"] = np.nextafter(7.5, 8.0)
    after = tables.row_hashes(frame)
    assert (before != after).sum() == 1 and before[7] != after[7]


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"v": [1.0, 2.0]}, index=[5, 6]),  # not a range index
        pd.DataFrame({1: [1.0], 2: [2.0]}),  # names that are not text
        pd.DataFrame([[1.0, 2.0]], columns=["a", "a"]),  # a repeated name
        pd.DataFrame({"v": np.array([1, 2], dtype=np.int32)}),  # another type
        pd.DataFrame({"v": pd.Series([], dtype=float)}),  # no rows
        pd.DataFrame({"o": [object(), 1]}),  # objects
    ],
    ids=["index", "int-names", "repeated", "int32", "empty", "objects"],
)
def test_other_tables_take_pandas_own_path(frame: pd.DataFrame) -> None:
    assert not tables.supported(frame)
    if frame.columns.is_unique and "o" not in frame.columns:
        got = tables.arrow_table(frame)
        assert got.equals(pa.Table.from_pandas(frame, preserve_index=False), check_metadata=True)
    if "o" not in frame.columns:
        expected = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        np.testing.assert_array_equal(tables.row_hashes(frame), expected)


def test_a_frame_with_attrs_takes_pandas_own_path() -> None:
    frame = pd.DataFrame({"v": [1.0]})
    frame.attrs["note"] = "kept in the pandas metadata"
    assert not tables.supported(frame)
    assert tables.arrow_table(frame).equals(
        pa.Table.from_pandas(frame, preserve_index=False), check_metadata=True
    )


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_a_written_files_digest_is_the_digest_of_the_file_as_read(
    name: str, tmp_path: Path
) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "run.parquet"
    stamped = write_with_identity(path, FRAMES[name], {"run_id": "x"})
    assert stamped["content_sha256"] == content_digest(pq.read_table(path))
    pd.testing.assert_frame_equal(pd.read_parquet(path), FRAMES[name])


@pytest.mark.parametrize("name", sorted(FRAMES))
def test_an_atomic_parquet_file_reads_back_as_pandas_own(name: str, tmp_path: Path) -> None:
    from sim.experiments.store import atomic_write_parquet

    frame = FRAMES[name]
    atomic_write_parquet(tmp_path / "ours.parquet", frame)
    frame.to_parquet(tmp_path / "pandas.parquet", engine="pyarrow", index=False)
    ours, theirs = (pd.read_parquet(tmp_path / f"{n}.parquet") for n in ("ours", "pandas"))
    pd.testing.assert_frame_equal(ours, theirs)
    pd.testing.assert_frame_equal(ours, frame)


def test_text_dtypes_with_the_same_names_keep_their_own_schema() -> None:
    # the kept schema is per dtype: "str" and "string" (and their storages) differ in the
    # pandas metadata and the Arrow type, and a table must read back with its own dtype
    frames = [
        pd.DataFrame({"who": ["x", None], "v": [1.0, 2.0]}),
        pd.DataFrame({"who": pd.array(["x", None], dtype="string"), "v": [1.0, 2.0]}),
        pd.DataFrame({"who": pd.array(["x", None], dtype="string[pyarrow]"), "v": [1.0, 2.0]}),
        pd.DataFrame({"who": pd.array(["x", None], dtype="string[python]"), "v": [1.0, 2.0]}),
        pd.DataFrame({"who": pd.array(["x", None], dtype="str"), "v": [1.0, 2.0]}),
    ]
    for frame in frames * 2:  # twice: the second time from the kept schemas
        got = tables.arrow_table(frame)
        assert got.equals(pa.Table.from_pandas(frame, preserve_index=False), check_metadata=True)

"""The KTAB CSV reader on KTAB's own files and on malformed ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.bargaining import BargainingEngine, read_ktab_csv
from sim.scenario.errors import ScenarioError

GOOD = """Tiny,Three actors,3,2,
Actor,Description,Power,Pstn1,Sal1,Pstn2,Sal2,
A, first ,10,20,30,40,50,
B,second,20.5,60,10,0,20
"C, with comma",third,5,100,50,50,50,
"""


def write(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_reads_ktab_reference_inputs(ktab_dir: Path) -> None:
    dummy = read_ktab_csv(ktab_dir / "dummyData_3Dim.csv")
    assert dummy.actors[0] == "SActor-00" and len(dummy.actors) == 7
    assert dummy.dimensions == ("Pstn1", "Pstn2", "Pstn3")
    assert dummy.capability[2] == pytest.approx(129.643)
    soe = read_ktab_csv(ktab_dir / "SOE-Pol-Comp.csv")
    assert soe.name == "China Policy/Competitive; scen 2"
    assert soe.dimensions == ("Policy Position", "Competitive Position")
    assert soe.salience[12].tolist() == [49.0, 46.0]
    assert soe.lines[0] == 3


def test_reads_a_small_table(tmp_path: Path) -> None:
    table = read_ktab_csv(write(tmp_path, GOOD))
    assert table.actors == ("A", "B", "C, with comma")
    assert table.actor_descriptions[0] == "first"
    np.testing.assert_array_equal(table.position, [[20, 40], [60, 0], [100, 50]])
    np.testing.assert_array_equal(table.salience, [[30, 50], [10, 20], [50, 50]])


def test_to_spec_makes_ids_and_cites_the_file(tmp_path: Path) -> None:
    table = read_ktab_csv(write(tmp_path, GOOD, "My Table.csv"))
    spec = table.to_spec()
    assert list(spec.actors) == ["a", "b", "c_with_comma"]
    assert spec.dimension_ids == ["pstn1", "pstn2"]
    value = spec.actors["b"].capability
    assert value.value == 20.5 and value.source == ["ktab_input.my_table"]
    assert "line 4" in (value.note or "")
    from_spec = BargainingEngine.from_spec(spec)
    from_table = BargainingEngine.from_ktab(table)
    from_spec.run()
    from_table.run()
    np.testing.assert_array_equal(from_spec.positions, from_table.positions)


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("Tiny,x,3\n", 1, "expected: name, description, actors, dimensions"),
        ("Tiny,x,three,2\nActor\n", 1, "number of actors must be a whole number"),
        ("Tiny,x,3,0\nActor\n", 1, "number of dimensions is 0"),
        ("Tiny,x,3,2\nActor,Description,Power,P1,S1\n", 2, "header has 5 columns"),
        (GOOD.replace("Tiny,Three actors,3", "Tiny,Three actors,4"), 1, "declares 4 actors"),
        (GOOD.replace("A, first ,10,", "A, first ,ten,"), 3, "power is not a number: 'ten'"),
        (GOOD.replace("A, first ,10,20", "A, first ,10,120"), 3, "position 1 is 120"),
        (GOOD.replace("B,second,20.5,", "B,second,-2,"), 4, "power is -2; it must be >= 0"),
        (GOOD.replace(",40,50,", ",40,80,"), 3, "saliences sum to 110"),
        (GOOD.replace("B,second,20.5,60,10,0,20", "B,second,20.5,60,10,0"), 4, "has 6 fields"),
        (GOOD.replace("B,second", "A,second"), 4, "actor named twice (first on line 3)"),
        (GOOD.replace("A, first ,10,20", "A, first ,10,nan"), 3, "position 1 is nan"),
        ("Tiny,x,3,2\n", 2, "needs a title line, a header line"),
        ("\n\n", 1, "file is empty"),
    ],
)
def test_malformed_files_name_file_line_and_fault(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as caught:
        read_ktab_csv(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path)
    assert problem.line == line
    assert fragment in problem.message
    assert f"{path}:{line}:" in str(caught.value)


def test_reports_every_bad_row_at_once(tmp_path: Path) -> None:
    text = GOOD.replace("A, first ,10,20", "A, first ,x,20").replace(",0,20", ",0,200")
    with pytest.raises(ScenarioError) as caught:
        read_ktab_csv(write(tmp_path, text))
    assert sorted({p.line for p in caught.value.problems}) == [3, 4]


def test_missing_binary_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="file not found"):
        read_ktab_csv(tmp_path / "absent.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"Tiny,x,3,2\x00\n")
    with pytest.raises(ScenarioError, match="binary"):
        read_ktab_csv(binary)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"Tiny,x,3,2\nActor,D\xe9scription\n")
    with pytest.raises(ScenarioError, match="UTF-8") as caught:
        read_ktab_csv(latin)
    assert caught.value.problems[0].line == 2

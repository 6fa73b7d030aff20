"""Read KTAB's CSV input format, so that analysts can bring existing KTAB data.

Layout (``paper.kapsarc_ktab``)::

    <scenario name>, <description>, <number of actors>, <number of dimensions>
    Actor, Description, Power, <position 1 name>, <salience 1 name>, ...
    <actor>, <description>, <power>, <position 1>, <salience 1>, ...

Positions and saliences are on the 0-100 scale; an actor's saliences sum to at most 100.
Trailing commas and spaces (which KTAB's own files have) are ignored. Every fault is reported as
a :class:`~sim.scenario.errors.ScenarioError` naming the file, the line and what is wrong.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.bargaining.pce import FloatArray
from sim.scenario.bargaining import (
    ActorSpec,
    BargainingSettings,
    BargainingSpec,
    Dimension,
)
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.provenance import Sourced

MAX_BYTES = 5_000_000
MAX_ACTORS = 1000
MAX_DIMENSIONS = 50
_FIXED_COLUMNS = 3
_SUM_TOLERANCE = 1e-9
_LAYOUT = "see KTAB's layout: title line, header line, one line per actor"


@dataclass(frozen=True)
class KtabTable:
    """The content of a KTAB input file (positions and saliences on 0-100).

    Attributes:
        path: Where it was read from.
        name: Scenario name (line 1).
        description: Scenario description (line 1).
        actors: Actor names as written.
        actor_descriptions: One per actor.
        dimensions: Position column names from the header, e.g. ``Pstn1``.
        capability: ``(actors,)`` power.
        position: ``(actors, dims)``.
        salience: ``(actors, dims)``.
        lines: Line number of each actor's row.
    """

    path: str
    name: str
    description: str
    actors: tuple[str, ...]
    actor_descriptions: tuple[str, ...]
    dimensions: tuple[str, ...]
    capability: FloatArray
    position: FloatArray
    salience: FloatArray
    lines: tuple[int, ...]

    def to_spec(self, settings: BargainingSettings | None = None) -> BargainingSpec:
        """A scenario spec with ids made from the names (lower case, ``_`` for other signs).

        Each value cites ``ktab_input.<file stem>`` and notes the line it came from.
        """
        source = f"ktab_input.{_slug(Path(self.path).stem)}"
        dim_ids = _unique_slugs(self.dimensions)
        actors = {}
        for aid, i in zip(_unique_slugs(self.actors), range(len(self.actors)), strict=True):
            note = f"{self.path}, line {self.lines[i]}"

            def cite(value: float, note: str = note) -> Sourced[float]:
                return Sourced[float](value=float(value), source=[source], note=note)

            actors[aid] = ActorSpec(
                name=self.actors[i],
                description=self.actor_descriptions[i],
                capability=cite(self.capability[i]),
                position={d: cite(self.position[i, k]) for k, d in enumerate(dim_ids)},
                salience={d: cite(self.salience[i, k]) for k, d in enumerate(dim_ids)},
            )
        dimensions = [
            Dimension(id=d, label=label, low_means="0 on the KTAB scale", high_means="100")
            for d, label in zip(dim_ids, self.dimensions, strict=True)
        ]
        return BargainingSpec(
            settings=settings or BargainingSettings(), dimensions=dimensions, actors=actors
        )


def read_ktab_csv(path: Path | str) -> KtabTable:
    """Read and check a KTAB input CSV.

    Args:
        path: The file.

    Returns:
        The table.

    Raises:
        ScenarioError: With one problem per fault (file, line, what is wrong, what to do).
    """
    path = Path(path)
    name = str(path)
    rows = _read_rows(path)
    title, n_actors, n_dims, header = _parse_heading(name, rows)
    title_line = rows[0][0]
    body = rows[2:]
    if len(body) != n_actors:
        raise ScenarioError.single(
            name,
            f"line 1 declares {n_actors} actors but {len(body)} actor lines follow",
            line=title_line,
            hint="fix the count on line 1 or add/remove actor lines",
        )
    problems: list[Problem] = []
    parsed = [_parse_actor(name, line, fields, n_dims, problems) for line, fields in body]
    _check_duplicates(name, body, problems)
    if problems:
        raise ScenarioError(problems)
    values = np.array(parsed, dtype=float)
    return KtabTable(
        path=name,
        name=title[0],
        description=title[1],
        actors=tuple(fields[0] for _, fields in body),
        actor_descriptions=tuple(fields[1] for _, fields in body),
        dimensions=tuple(header[_FIXED_COLUMNS + 2 * k] for k in range(n_dims)),
        capability=values[:, 0],
        position=values[:, 1::2],
        salience=values[:, 2::2],
        lines=tuple(line for line, _ in body),
    )


def _parse_heading(
    name: str, rows: list[tuple[int, list[str]]]
) -> tuple[list[str], int, int, list[str]]:
    """Check the title and header lines: (title fields, actors, dimensions, header fields)."""
    if not rows:
        raise ScenarioError.single(name, "file is empty", line=1, hint=_LAYOUT)
    title_line, title = rows[0]
    if len(title) < 4:
        raise ScenarioError.single(
            name,
            f"line 1 has {len(title)} fields; expected: name, description, actors, dimensions",
            line=title_line,
        )
    if len(rows) < 2:
        raise ScenarioError.single(
            name, "needs a title line, a header line and one line per actor", line=2, hint=_LAYOUT
        )
    n_actors = _count(name, title_line, title[2], "number of actors", 2, MAX_ACTORS)
    n_dims = _count(name, title_line, title[3], "number of dimensions", 1, MAX_DIMENSIONS)
    width = _FIXED_COLUMNS + 2 * n_dims
    header_line, header = rows[1]
    if len(header) < width:
        raise ScenarioError.single(
            name,
            f"header has {len(header)} columns; {n_dims} dimensions need {width}",
            line=header_line,
            hint="Actor, Description, Power, then a position and a salience column per dimension",
        )
    return title, n_actors, n_dims, header


def _read_rows(path: Path) -> list[tuple[int, list[str]]]:
    name = str(path)
    if not path.is_file():
        raise ScenarioError.single(name, "file not found", hint="check the path")
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ScenarioError.single(name, f"file is over {MAX_BYTES:,} bytes")
    if b"\x00" in raw:
        raise ScenarioError.single(name, "binary file (contains NUL bytes)", hint="give a CSV")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError.single(name, "not valid UTF-8 text", line=line) from None
    rows = []
    reader = csv.reader(text.splitlines())
    for number, fields in enumerate(reader, start=1):
        cleaned = [f.strip() for f in fields]
        while cleaned and cleaned[-1] == "":
            cleaned.pop()
        if cleaned:
            rows.append((number, cleaned))
    return rows


def _count(name: str, line: int, text: str, what: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ScenarioError.single(
            name, f"{what} must be a whole number, got {text!r}", line=line
        ) from None
    if not low <= value <= high:
        raise ScenarioError.single(
            name, f"{what} is {value}; it must be between {low} and {high}", line=line
        )
    return value


def _parse_actor(
    name: str, line: int, fields: list[str], n_dims: int, problems: list[Problem]
) -> list[float]:
    width = _FIXED_COLUMNS + 2 * n_dims
    label = fields[0] if fields else "?"
    if len(fields) != width:
        problems.append(Problem(name, line, label, f"has {len(fields)} fields; expected {width}"))
        return [math.nan] * (1 + 2 * n_dims)
    if not fields[0]:
        problems.append(Problem(name, line, "", "actor name is empty"))
    numbers = []
    for column, text in enumerate(fields[2:], start=2):
        what = _column_name(column)
        try:
            value = float(text)
        except ValueError:
            problems.append(Problem(name, line, label, f"{what} is not a number: {text!r}"))
            numbers.append(math.nan)
            continue
        high = math.inf if column == 2 else 100.0
        if not (math.isfinite(value) and 0.0 <= value <= high):
            allowed = ">= 0" if column == 2 else "in [0, 100]"
            problems.append(Problem(name, line, label, f"{what} is {text}; it must be {allowed}"))
        numbers.append(value)
    saliences = numbers[2::2]
    total = sum(saliences)
    if math.isfinite(total) and total > 100.0 + _SUM_TOLERANCE:
        problems.append(
            Problem(name, line, label, f"saliences sum to {total:g}; they must sum to <= 100")
        )
    return numbers


def _column_name(column: int) -> str:
    if column == 2:
        return "power"
    dim = (column - _FIXED_COLUMNS) // 2 + 1
    kind = "position" if (column - _FIXED_COLUMNS) % 2 == 0 else "salience"
    return f"{kind} {dim}"


def _check_duplicates(
    name: str, body: list[tuple[int, list[str]]], problems: list[Problem]
) -> None:
    first: dict[str, int] = {}
    for line, fields in body:
        actor = fields[0] if fields else ""
        if actor in first:
            problems.append(
                Problem(name, line, actor, f"actor named twice (first on line {first[actor]})")
            )
        else:
            first[actor] = line


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"x_{slug}" if slug else "x"
    return slug[:60]


def _unique_slugs(names: tuple[str, ...]) -> list[str]:
    slugs: list[str] = []
    for raw in names:
        slug = base = _slug(raw)
        suffix = 2
        while slug in slugs:
            slug = f"{base}_{suffix}"
            suffix += 1
        slugs.append(slug)
    return slugs

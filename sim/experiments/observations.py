"""Observed patterns the model is calibrated against or checked against, and their statistics.

``seeds/observations.yaml`` lists dated, sourced observations. Each names the model's daily
series it is compared with (``series``, summed when several), a window of dates (mapped to
model days, day 0 being the ceasefire of 10 Oct 2025), the statistic of the series over the
window (``sum``, ``mean``, ``final`` or ``max``), the observed value with its uncertainty (a
standard deviation), an optional model-discrepancy standard deviation, its source and its use:

* ``calibration``: the window must end on or before :data:`CALIBRATION_END` (31 Jan 2026); the
  loader refuses anything later, whatever the file says;
* ``out_of_sample``: a check only; nothing may tune to it.

Example:
    >>> observations = load_observations()  # doctest: +SKIP
    >>> chosen = observations.for_use("calibration")  # doctest: +SKIP
    >>> stats = simulated_statistics(result.daily, chosen)  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Literal, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.yamlio import load_yaml

DAY_ZERO = date(2025, 10, 10)
"""Model day 0: the day the ceasefire took effect."""

CALIBRATION_END = date(2026, 1, 31)
"""The last date a calibration observation may cover (later outcomes are out of sample)."""

OBSERVATIONS_FILE = Path(__file__).resolve().parents[2] / "seeds" / "observations.yaml"

Statistic = Literal["sum", "mean", "final", "max"]
Given = Literal["none", "holding"]
Use = Literal["calibration", "out_of_sample"]
Flag = Literal["P", "W", "M", "derived"]
RUN_KEYS = ["scenario", "replication"]
COLLAPSED_COLUMN, COLLAPSE_DAY_COLUMN = "ceasefire_collapsed", "days_to_collapse"
"""The run outcomes that say whether and when the ceasefire collapsed (sim/model/outcomes.py)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Preferred(_Strict):
    """Series to compare with instead, when the model produces them (a closer match)."""

    series: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]] = Field(min_length=1)
    discrepancy_sd: Annotated[float, Field(ge=0)] = Field(
        description="The discrepancy that applies with these series."
    )
    note: str | None = Field(None, max_length=500)


class Observation(_Strict):
    """One observed pattern and how to compute its counterpart from a run's daily series."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=80)]
    description: str = Field(max_length=1000)
    series: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]] = Field(
        min_length=1, description="Daily series of the model, summed (sim/model/outcomes.py)."
    )
    statistic: Statistic
    start: date
    end: date
    start_day: int | None = Field(None, description="Model day of start (day 0 = day_zero).")
    end_day: int | None = Field(None, description="Model day of end, inclusive.")
    value: float
    sd: Annotated[float, Field(gt=0)] = Field(description="Observation uncertainty (1 sd).")
    discrepancy_sd: Annotated[float, Field(ge=0)] = Field(
        0.0, description="Model discrepancy (1 sd): what the model cannot represent."
    )
    preferred: Preferred | None = Field(
        None, description="Closer series used instead when the runs have them."
    )
    unit: str = Field(max_length=60)
    uncertainty_basis: str = Field(max_length=1500, description="How sd was chosen.")
    source: str = Field(max_length=500, description="Outlet and date (or data set).")
    url: str | None = None
    flags: list[Flag] = Field(default_factory=list)
    use: Use
    given: Given = Field(
        "none",
        description="'holding': compare only with runs whose ceasefire had not collapsed by "
        "the window's end (the regime observed); 'none': every run.",
    )
    note: str | None = Field(None, max_length=2000)

    @model_validator(mode="after")
    def _window(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        if not math.isfinite(self.value):
            raise ValueError("value must be a finite number")
        return self

    @property
    def days(self) -> tuple[int, int]:
        """The window in model days, inclusive (after loading, both are set)."""
        assert self.start_day is not None and self.end_day is not None
        return self.start_day, self.end_day

    @property
    def total_sd(self) -> float:
        """sqrt(sd^2 + discrepancy_sd^2): the spread allowed without simulation noise."""
        return math.hypot(self.sd, self.discrepancy_sd)

    @property
    def label(self) -> str:
        """``statistic of series, start - end``."""
        return f"{self.statistic} of {'+'.join(self.series)}, {self.start} to {self.end}"


class ObservationSet(_Strict):
    """The file: its day zero and the observations."""

    day_zero: date = DAY_ZERO
    observations: list[Observation] = Field(min_length=1)

    def for_use(self, use: Use) -> list[Observation]:
        """The observations of one use (calibration or out of sample)."""
        return [o for o in self.observations if o.use == use]

    def ids(self) -> list[str]:
        """Observation ids in file order."""
        return [o.id for o in self.observations]


def load_observations(path: str | Path | None = None) -> ObservationSet:
    """Read and check an observations file.

    Every fault is reported with file, line and field: unknown keys, missing fields, a window
    before day zero, model days that disagree with the dates, repeated ids, and any calibration
    observation whose window ends after 31 Jan 2026.

    Raises:
        ScenarioError: Listing every fault.
    """
    path = Path(path) if path is not None else OBSERVATIONS_FILE
    loaded = load_yaml(path)
    if not isinstance(loaded.data, dict):
        raise ScenarioError.single(str(path), "expected a mapping with 'observations:'", line=1)
    try:
        parsed = ObservationSet.model_validate(loaded.data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            hint = _hint(error["type"], loc)
            problems.append(Problem(loaded.file, loaded.line_of(loc), _dotted(loc), message, hint))
        raise ScenarioError(problems) from None
    problems, fixed = [], []
    for index, observation in enumerate(parsed.observations):
        where: tuple[str | int, ...] = ("observations", index)
        line = loaded.line_of(where)
        found, observation = _check_observation(observation, parsed.day_zero)
        problems += [Problem(loaded.file, line, f"observations.{index}", m, h) for m, h in found]
        fixed.append(observation)
    seen: set[str] = set()
    for index, observation in enumerate(fixed):
        if observation.id in seen:
            line = loaded.line_of(("observations", index, "id"))
            problems.append(
                Problem(
                    loaded.file,
                    line,
                    f"observations.{index}.id",
                    f"id {observation.id!r} is repeated",
                    "give each observation its own id",
                )
            )
        seen.add(observation.id)
    if problems:
        raise ScenarioError(problems)
    return ObservationSet(day_zero=parsed.day_zero, observations=fixed)


def _hint(kind: str, where: tuple[str | int, ...]) -> str | None:
    if kind == "extra_forbidden":
        allowed = ", ".join(Observation.model_fields)
        return f"allowed fields: {allowed}"
    if kind == "missing":
        return "add the field (see seeds/observations.yaml for examples)"
    if where and where[-1] == "use":
        return "use: calibration (dated up to 2026-01-31) or use: out_of_sample"
    return None


def _dotted(where: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in where)


def _check_observation(
    observation: Observation, day_zero: date
) -> tuple[list[tuple[str, str | None]], Observation]:
    """Faults of one observation, and the observation with its model days filled in."""
    faults: list[tuple[str, str | None]] = []
    start_day = (observation.start - day_zero).days
    end_day = (observation.end - day_zero).days
    if start_day < 0:
        faults.append(
            (
                f"{observation.id}: starts {observation.start}, before day zero {day_zero}",
                "the model starts at the ceasefire; start on or after day_zero",
            )
        )
    for name, given, computed in (
        ("start_day", observation.start_day, start_day),
        ("end_day", observation.end_day, end_day),
    ):
        if given is not None and given != computed:
            faults.append(
                (
                    f"{observation.id}: {name} {given} disagrees with the date "
                    f"(day {computed} counting from {day_zero})",
                    f"set {name}: {computed} or drop it (it is computed from the date)",
                )
            )
    if observation.use == "calibration" and observation.end > CALIBRATION_END:
        faults.append(
            (
                f"{observation.id}: a calibration observation may not extend past "
                f"{CALIBRATION_END} (its window ends {observation.end})",
                "later outcomes are out-of-sample checks only: set use: out_of_sample",
            )
        )
    filled = observation.model_copy(update={"start_day": start_day, "end_day": end_day})
    return faults, filled


def resolve_series(
    observations: Sequence[Observation], columns: Sequence[str]
) -> list[Observation]:
    """Observations with their preferred series (and discrepancy) where ``columns`` has them."""
    present = set(columns)
    resolved = []
    for observation in observations:
        preferred = observation.preferred
        if preferred is not None and set(preferred.series) <= present:
            observation = observation.model_copy(
                update={
                    "series": list(preferred.series),
                    "discrepancy_sd": preferred.discrepancy_sd,
                }
            )
        resolved.append(observation)
    return resolved


def missing_series(
    observations: Sequence[Observation], columns: Sequence[str]
) -> dict[str, list[str]]:
    """Per observation id, the series it needs that ``columns`` lacks (empty when usable)."""
    present = set(columns)
    return {
        o.id: [s for s in o.series if s not in present]
        for o in observations
        if any(s not in present for s in o.series)
    }


def horizon_needed(observations: Sequence[Observation]) -> int:
    """Days a run must last to cover every observation's window."""
    return max(o.days[1] for o in observations) + 1


def simulated_statistics(
    daily: pd.DataFrame,
    observations: Sequence[Observation],
    summary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each observation's statistic in each run: one row per scenario and replication.

    For an observation ``given: holding`` the statistic is NaN in runs whose ceasefire
    collapsed on or before the window's last day (``days_to_collapse`` of ``summary``).

    Args:
        daily: The runs' daily series (``scenario, replication, day`` and the series).
        observations: Observations whose series all exist in ``daily``.
        summary: The runs' summary (needed by ``given: holding`` observations).

    Raises:
        ValueError: If a series is missing, a run is shorter than a window, or a
            ``given: holding`` observation has no collapse outcome to go by.
    """
    gaps = missing_series(observations, list(daily.columns))
    if gaps:
        raise ValueError(f"the runs lack daily series needed by observations: {gaps}")
    runs = daily[RUN_KEYS].drop_duplicates().set_index(RUN_KEYS)
    last_day = int(daily["day"].max()) if len(daily) else -1
    out = pd.DataFrame(index=runs.index)
    for observation in observations:
        first, last = observation.days
        if last > last_day:
            raise ValueError(
                f"observation {observation.id} needs day {last}, the runs end at day {last_day}"
            )
        window = daily[(daily["day"] >= first) & (daily["day"] <= last)]
        values = window[list(observation.series)].sum(axis=1).rename("v")
        frame = pd.concat([window[[*RUN_KEYS, "day"]], values], axis=1).sort_values("day")
        grouped = frame.groupby(RUN_KEYS)
        if observation.statistic == "sum":
            column = grouped["v"].sum()
        elif observation.statistic == "mean":
            column = grouped["v"].mean()
        elif observation.statistic == "max":
            column = grouped["v"].max()
        else:
            column = grouped["v"].last()
        out[observation.id] = column.astype(float)
        if observation.given == "holding":
            collapsed = _collapsed_by(summary, out.index, last, observation.id)
            out.loc[collapsed, observation.id] = np.nan
    return out.reset_index()


def _collapsed_by(summary: pd.DataFrame | None, index: pd.Index, day: int, name: str) -> np.ndarray:
    """Whether each run's ceasefire collapsed on or before ``day``."""
    columns = {COLLAPSED_COLUMN, COLLAPSE_DAY_COLUMN}
    if summary is None or not columns <= set(summary.columns):
        raise ValueError(
            f"observation {name} is compared with holding runs only, which needs the runs' "
            f"summary with {sorted(columns)}"
        )
    flags = summary.set_index(RUN_KEYS).reindex(index)
    collapsed = flags[COLLAPSED_COLUMN].astype(bool) & (flags[COLLAPSE_DAY_COLUMN] <= day)
    return collapsed.to_numpy()


def band(values: np.ndarray) -> tuple[float, float, float]:
    """Median and 10-90% band of simulated values."""
    if values.size == 0:
        return (math.nan, math.nan, math.nan)
    p10, median, p90 = np.quantile(values, [0.1, 0.5, 0.9])
    return float(median), float(p10), float(p90)

"""Forecast distributions: the bargaining replicated with its uncertain inputs drawn.

A single SMP run to convergence is path dependent: a 2% change of one capability can change
which coalitions form. So a forecast is a distribution over replications. Each replication

* draws every capability and salience that is an assumption uniformly within its range
  (sourced values stay fixed; an actor's saliences are rescaled if they then sum above 100),
* plays the bargaining with the scenario's settings (``transitions: stochastic`` draws each
  queue's bargain, as KTAB's stochastic mode does) from its own random stream,
* records per dimension the decision (deal or the status quo, and why), and each actor's final
  position.

:func:`summarise` gives per dimension P(deal), the median and 10-90% band of the bargained and of
the implemented outcome; :func:`sensitivity` ranks actors by how strongly their drawn numbers
move each dimension's outcome (Spearman rank correlation across replications).

Example:
    >>> from sim.scenario.loader import SCENARIOS_DIR, load_scenario
    >>> spec = load_scenario(SCENARIOS_DIR / "base.yaml").bargaining  # doctest: +SKIP
    >>> result = replicate(spec, reps=30, seed=1)  # doctest: +SKIP
    >>> summarise(result.outcomes)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.bargaining.engine import BargainingEngine, RecordLevel
from sim.bargaining.pce import FloatArray
from sim.bargaining.state import SCALE
from sim.rng import RandomStreams
from sim.scenario.bargaining import BargainingSpec
from sim.scenario.provenance import Sourced

STREAM = "bargaining"
OUTCOME_COLUMNS = [
    "rep", "dimension", "deal", "implemented", "bargained", "status_quo", "state", "reason",
    "rounds",
]  # fmt: skip
BAND = (0.1, 0.9)


@dataclass(frozen=True)
class Draws:
    """The inputs one replication drew: capabilities ``(actors,)``, saliences ``(actors, dims)``."""

    capability: FloatArray
    salience: FloatArray


def _range(value: Sourced[float]) -> tuple[float, float]:
    if value.assumption is None:
        return float(value.value), float(value.value)
    return float(value.assumption[0]), float(value.assumption[1])


def draw_inputs(spec: BargainingSpec, rng: np.random.Generator) -> Draws:
    """Draw every assumed capability and salience uniformly within its range."""
    actors, dims = list(spec.actors), spec.dimension_ids
    cap_lo, cap_hi = np.array([_range(spec.actors[a].capability) for a in actors]).T
    sal = np.array([[_range(spec.actors[a].salience[d]) for d in dims] for a in actors])
    capability = rng.uniform(cap_lo, cap_hi)
    salience = rng.uniform(sal[..., 0], sal[..., 1])
    totals = salience.sum(axis=1, keepdims=True)
    salience = np.where(totals > SCALE, salience * SCALE / np.maximum(totals, 1e-12), salience)
    return Draws(capability, salience)


def engine_for_replication(
    spec: BargainingSpec,
    rng: np.random.Generator,
    record: RecordLevel | str = RecordLevel.LIGHT,
) -> tuple[BargainingEngine, Draws | None]:
    """An engine for one replication: inputs drawn when ``settings.draw_assumptions`` is set.

    Draws and stochastic transitions both come from ``rng`` (the replication's own stream).
    """
    draws = draw_inputs(spec, rng) if spec.settings.draw_assumptions else None
    engine = BargainingEngine.from_spec(
        spec,
        rng,
        record,
        capability=None if draws is None else draws.capability,
        salience=None if draws is None else draws.salience,
    )
    return engine, draws


@dataclass(frozen=True)
class Replications:
    """Tidy results of :func:`replicate`.

    Attributes:
        outcomes: rep, dimension, deal, implemented, bargained, status_quo, state, reason, rounds.
        positions: rep, actor, dimension, position (final).
        draws: rep, actor, parameter (``capability`` or ``salience:<dim>``), value.
    """

    outcomes: pd.DataFrame
    positions: pd.DataFrame
    draws: pd.DataFrame


def replicate(
    spec: BargainingSpec, reps: int, seed: int = 0, max_rounds: int | None = None
) -> Replications:
    """Play ``reps`` replications to convergence, replication r from seed ``(seed, r)``."""
    if reps < 1:
        raise ValueError(f"reps must be >= 1, got {reps}")
    outcomes, positions, draws = [], [], []
    children = np.random.SeedSequence(seed).spawn(reps)
    for rep, child in enumerate(children):
        rng = RandomStreams(child)[STREAM]
        engine, drawn = engine_for_replication(spec, rng)
        engine.run(max_rounds)
        for d in engine.decisions().values():
            outcomes.append(
                (rep, d.dimension, d.deal, d.outcome, d.bargained, d.status_quo, d.state,
                 d.reason, engine.turn)
            )  # fmt: skip
        final = engine.positions
        for i, actor in enumerate(engine.actors):
            positions += [(rep, actor, dim, final[i, j]) for j, dim in enumerate(engine.dimensions)]
            if drawn is not None:
                draws.append((rep, actor, "capability", drawn.capability[i]))
                draws += [
                    (rep, actor, f"salience:{dim}", drawn.salience[i, j])
                    for j, dim in enumerate(engine.dimensions)
                ]
    return Replications(
        pd.DataFrame.from_records(outcomes, columns=OUTCOME_COLUMNS),
        pd.DataFrame.from_records(positions, columns=["rep", "actor", "dimension", "position"]),
        pd.DataFrame.from_records(draws, columns=["rep", "actor", "parameter", "value"]),
    )


def _band(values: pd.Series) -> tuple[float, float, float]:
    if values.empty:
        return float("nan"), float("nan"), float("nan")
    q = values.quantile([0.5, *BAND]).to_numpy()
    return float(q[0]), float(q[1]), float(q[2])


def summarise(outcomes: pd.DataFrame, by: tuple[str, ...] = ("dimension",)) -> pd.DataFrame:
    """Per dimension (and ``by`` groups): P(deal), bands of bargained and implemented outcomes.

    Columns: reps, p_deal, bargained median/p10/p90, implemented (with a deal) median/p10/p90,
    status_quo, no_deal (the most frequent no-deal state), blocked_by (who blocked most often).
    """
    rows = []
    for key, group in outcomes.groupby(list(by), sort=False):
        deals = group[group["deal"]]
        refused = group[~group["deal"]]
        b = _band(group["bargained"])
        i = _band(deals["implemented"])
        holders = refused["reason"].str.split(":").str[0]
        rows.append(
            {
                **dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True)),
                "reps": len(group),
                "p_deal": float(group["deal"].mean()),
                "bargained_median": b[0],
                "bargained_p10": b[1],
                "bargained_p90": b[2],
                "deal_median": i[0],
                "deal_p10": i[1],
                "deal_p90": i[2],
                "status_quo": float(group["status_quo"].iloc[0]),
                "no_deal": refused["state"].mode().iloc[0] if len(refused) else "",
                "blocked_by": holders.mode().iloc[0] if len(refused) else "",
            }
        )
    return pd.DataFrame(rows)


def describe(row: pd.Series) -> str:
    """One line for a summary row: "deal 0.63: 72 [65-80]; else status quo 0 (no_mandate)"."""
    p = row["p_deal"]
    parts = [f"P(deal) {p:.2f}"]
    if p > 0:
        parts.append(
            f"with a deal {row['deal_median']:.0f} [{row['deal_p10']:.0f}-{row['deal_p90']:.0f}]"
        )
    if p < 1:
        parts.append(
            f"else no deal: status quo {row['status_quo']:g} ({row['no_deal']}; "
            f"blocked by {row['blocked_by']})"
        )
    return "; ".join(parts)


def position_bands(positions: pd.DataFrame) -> pd.DataFrame:
    """Median and 10-90% band of each actor's final position, indexed by (actor, dimension)."""
    grouped = positions.groupby(["actor", "dimension"], sort=False)["position"]
    return pd.DataFrame(
        {
            "median": grouped.median(),
            "p10": grouped.quantile(BAND[0]),
            "p90": grouped.quantile(BAND[1]),
        }
    )


def _rank_correlations(x: pd.DataFrame, y: np.ndarray) -> np.ndarray:
    """Spearman correlation of every column of ``x`` with ``y`` (average ranks for ties)."""
    rx = x.rank().to_numpy()
    ry = pd.Series(y).rank().to_numpy()
    rx = (rx - rx.mean(axis=0)) / rx.std(axis=0)
    ry = (ry - ry.mean()) / ry.std()
    return np.asarray(rx.T @ ry / len(ry))


def sensitivity(
    result: Replications, top: int = 3, permutations: int = 50, seed: int = 0
) -> pd.DataFrame:
    """Which actor's drawn numbers move each dimension's bargained outcome most.

    For every actor, drawn parameter (capability, saliences) and dimension: Spearman's rank
    correlation across replications between the drawn value and the bargained outcome. Returns
    per dimension the ``top`` pairs by absolute correlation, with ``noise``: the 95% quantile of
    the largest absolute correlation over all parameters when the outcomes are shuffled (what
    chance alone gives with this many replications and parameters). Rows with ``|rho| <= noise``
    are not distinguishable from chance. Empty when nothing was drawn.
    """
    columns = ["dimension", "actor", "parameter", "rho", "noise"]
    if result.draws.empty or result.outcomes["rep"].nunique() < 5:
        return pd.DataFrame(columns=columns)
    wide = result.draws.pivot_table(index="rep", columns=["actor", "parameter"], values="value")
    varying = wide.loc[:, wide.std() > 0]
    rng = np.random.default_rng(seed)
    rows = []
    for dim, group in result.outcomes.groupby("dimension", sort=False):
        target = group.set_index("rep")["bargained"].reindex(varying.index).to_numpy()
        if np.std(target) == 0:
            continue
        rho = _rank_correlations(varying, target)
        null = [
            np.abs(_rank_correlations(varying, rng.permutation(target))).max()
            for _ in range(permutations)
        ]
        noise = float(np.quantile(null, 0.95))
        order = np.argsort(-np.abs(rho))[:top]
        for i in order:
            actor, parameter = varying.columns[i]
            rows.append((dim, actor, parameter, float(rho[i]), noise))
    return pd.DataFrame.from_records(rows, columns=columns)

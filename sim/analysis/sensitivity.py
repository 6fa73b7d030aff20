"""Global sensitivity of outcomes to the assumptions: Sobol and Morris indices (SALib).

The design stores each point's unit-cube coordinates (``unit:<factor>`` columns); a point's
output is the mean of the outcome over its replications (for a yes/no outcome, the share of
runs), so the indices describe the expected outcome, with the run-to-run noise averaged out.
Sobol's first-order index ``S1`` is the share of the output's variance explained by one factor
alone, ``ST`` includes its interactions. Morris's ``mu_star`` is the mean absolute change of the
output when one factor moves across its whole range (the unit cube makes factors comparable),
``sigma`` the spread of those changes (non-linearity or interactions).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments.designs import UNIT_PREFIX
from sim.experiments.runner import ExperimentResult


def point_means(points: pd.DataFrame, summary: pd.DataFrame, outcome: str) -> np.ndarray:
    """The mean of ``outcome`` per design point, in point order.

    Raises:
        ValueError: If some design point has no finished run.
    """
    means = summary.groupby("scenario")[outcome].apply(lambda s: float(s.astype(float).mean()))
    ordered = points.sort_values("point")
    missing = [name for name in ordered["scenario"] if name not in means.index]
    if missing:
        raise ValueError(
            f"{len(missing)} design points have no finished run (e.g. {missing[0]}); "
            "rerun the experiment into the same folder to complete them"
        )
    return means.loc[ordered["scenario"]].to_numpy(dtype=float)


def sobol_indices(
    points: pd.DataFrame, settings: dict[str, Any], summary: pd.DataFrame, outcome: str
) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap confidence half-widths."""
    from SALib.analyze import sobol

    y = point_means(points, summary, outcome)
    problem = settings["problem"]
    if np.allclose(y, y[0]):
        return _constant_output(problem["names"], ["S1", "S1_conf", "ST", "ST_conf"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = sobol.analyze(problem, y, calc_second_order=bool(settings["second_order"]), seed=0)
    return pd.DataFrame(
        {
            "factor": problem["names"],
            "S1": result["S1"],
            "S1_conf": result["S1_conf"],
            "ST": result["ST"],
            "ST_conf": result["ST_conf"],
        }
    )


def morris_indices(
    points: pd.DataFrame, settings: dict[str, Any], summary: pd.DataFrame, outcome: str
) -> pd.DataFrame:
    """Morris ``mu``, ``mu_star`` (with confidence half-width) and ``sigma``."""
    from SALib.analyze import morris

    y = point_means(points, summary, outcome)
    problem = settings["problem"]
    ordered = points.sort_values("point")
    x = ordered[[UNIT_PREFIX + name for name in problem["names"]]].to_numpy(dtype=float)
    if np.allclose(y, y[0]):
        return _constant_output(problem["names"], ["mu", "mu_star", "sigma", "mu_star_conf"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = morris.analyze(problem, x, y, num_levels=int(settings["levels"]), seed=0)
    return pd.DataFrame(
        {
            "factor": problem["names"],
            "mu": result["mu"],
            "mu_star": result["mu_star"],
            "sigma": result["sigma"],
            "mu_star_conf": result["mu_star_conf"],
        }
    )


def _constant_output(names: list[str], columns: list[str]) -> pd.DataFrame:
    # a constant output has no variance to apportion: every index is zero
    return pd.DataFrame({"factor": names, **{c: np.zeros(len(names)) for c in columns}})


def sensitivity_table(result: ExperimentResult, outcomes: Sequence[str]) -> pd.DataFrame:
    """Indices of each outcome for a Sobol or Morris experiment, stacked (tidy).

    Raises:
        ValueError: If the experiment is not a Sobol or Morris design.
    """
    design = result.manifest.get("design") or {}
    kind = design.get("kind")
    if kind not in ("sobol", "morris") or result.design is None:
        raise ValueError(
            f"sensitivity indices need a Sobol or Morris design; this experiment is {kind!r} "
            "(run `isf-lab sensitivity` to make one)"
        )
    analyse = sobol_indices if kind == "sobol" else morris_indices
    parts = [
        analyse(result.design, design["settings"], result.summary, outcome).assign(
            outcome=outcome, method=kind
        )
        for outcome in outcomes
    ]
    return pd.concat(parts, ignore_index=True)

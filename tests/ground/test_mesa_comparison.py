"""The random sequential schedule against Mesa's own example, on a reduced run.

docs/validation.md reports the full comparison (12 seeds x 400 steps on the paper's 40 x 40
lattice, ``python -m sim.ground.mesa_comparison``). Here a 20 x 20 lattice with vision 3 keeps
Mesa's runs short; the seeds are fixed, so the outcome is too.
"""

from __future__ import annotations

import numpy as np

from sim.ground.mesa_comparison import (
    MEASURES,
    compare,
    lattice_series,
    measures,
    mesa_series,
    table,
)

SEEDS, STEPS, BURN_IN = range(5), 120, 20
SHAPE = {"size": 20, "vision": 3}


def test_random_sequential_matches_mesa_and_a_real_difference_would_show() -> None:
    mesa = measures([mesa_series(s, STEPS, **SHAPE) for s in SEEDS], BURN_IN)
    ours = measures(
        [lattice_series(s, STEPS, "random_sequential", **SHAPE) for s in SEEDS], BURN_IN
    )
    rows = {row.measure: row for row in compare(mesa, ours)}
    assert list(rows) == list(MEASURES)
    for name in ("mean actives", "mean jailed"):
        row = rows[name]
        assert row.mesa_n == row.ours_n == len(SEEDS)
        assert row.p > 0.05, table(list(rows.values()), "random_sequential")
    # over 40 seeds of this set-up, per-run mean jailed has sd 6-8 around 95 (both models), so
    # the difference of two means of five runs has a standard error of about 4.5: 3 SE = 14%
    jailed = rows["mean jailed"]
    assert abs(jailed.ours_mean - jailed.mesa_mean) < 0.14 * jailed.mesa_mean
    # the same test, same size, tells apart a model whose jail terms are half as long
    shorter = measures(
        [lattice_series(s, STEPS, "random_sequential", **SHAPE, max_jail_term=15) for s in SEEDS],
        BURN_IN,
    )
    halved = next(row for row in compare(mesa, shorter) if row.measure == "mean jailed")
    assert halved.p < 0.05 and halved.ours_mean < halved.mesa_mean


def test_mesa_series_counts_activations_as_the_lattice_does() -> None:
    run = mesa_series(0, 30, **SHAPE)
    assert run.active.shape == run.jailed.shape == run.activations.shape == (31,)
    assert run.activations[0] == 0 and run.activations.sum() >= run.active.max() > 0
    # an active count can only grow by the citizens who turned active in the step
    assert (np.diff(run.active) <= run.activations[1:]).all()

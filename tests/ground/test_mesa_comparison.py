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


def test_script_prints_both_tables_with_every_measure(monkeypatch, capsys) -> None:
    import sim.ground.mesa_comparison as script

    def fake(seed: int, steps: int, *args: object, **kwargs: object) -> script.Series:
        active = np.zeros(steps + 1, dtype=np.int64)
        active[60:64] = 80 + seed  # one outburst per run, sized by the seed
        active[90:95] = 70
        return script.Series(active, np.full(steps + 1, 100 + seed), np.where(active, 20, 0))

    monkeypatch.setattr(script, "mesa_series", fake)
    monkeypatch.setattr(script, "lattice_series", fake)
    script.main(["--seeds", "3", "--steps", "120", "--placement", "exact"])
    out = capsys.readouterr().out
    assert "3 seeds x 120 steps (first 50 discarded), placement exact" in out
    for schedule in ("random_sequential", "synchronous"):
        assert f"### Mesa's example vs `{schedule}`" in out
    rows = [line for line in out.splitlines() if line.startswith("| mean jailed")]
    assert rows == ["| mean jailed | 101.0 (3) | 101.0 (3) | 4 | 1.000 |"] * 2
    assert out.count("| waits | 26.0 (3) | 26.0 (3) |") == 2
    assert out.count("| mean size per run | 90.0 (3) | 90.0 (3) |") == 2  # 80 and 100

"""Epstein's paper mode piece by piece: the decision rule, jail, release, killing, movement, and
the outburst measures, each on a small hand-made state with a known answer."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

from sim.ground import epstein_kernels as kernels
from sim.ground import validation
from sim.ground.epstein import OFF_LATTICE, CivilViolenceLattice, LatticeRun
from sim.ground.lattice import TorusLattice, arrest_probability, vision_offsets
from sim.ground.outbursts import (
    PAPER_SIZE_MEAN,
    PAPER_SIZE_SD,
    PAPER_WAIT_MEAN,
    PAPER_WAIT_SD,
    OutburstStats,
    outburst_stats,
    pool,
)
from sim.rng import RandomStreams
from sim.scenario.ground import EpsteinSpec, InterGroupSpec


def _assumed(value: float) -> dict[str, Any]:
    return {"value": value, "assumption": [value, value]}


def small(**fields: Any) -> EpsteinSpec:
    """A 15 x 15 lattice with vision 2 (and whatever is given)."""
    values = {"width": 15, "height": 15, "citizen_vision": 2, "cop_vision": 2, **fields}
    data = {k: v if isinstance(v, str | bool) else _assumed(v) for k, v in values.items()}
    return EpsteinSpec.model_validate(data)


def test_paper_constants_and_run_2_defaults() -> None:
    assert (PAPER_WAIT_MEAN, PAPER_WAIT_SD, PAPER_SIZE_MEAN, PAPER_SIZE_SD) == (60, 55, 708, 230)
    spec = EpsteinSpec()
    assert (spec.width.value, spec.height.value, spec.citizen_vision.value) == (40, 40, 7)
    assert (spec.citizen_density.value, spec.cop_density.value) == (0.7, 0.04)
    assert (spec.legitimacy.value, spec.max_jail_term.value) == (0.82, 30)
    assert (spec.threshold.value, spec.arrest_constant.value) == (0.1, 2.3)
    model = CivilViolenceLattice(spec, RandomStreams(0))
    assert model.n_citizens == round(0.7 * 1600) and model.cop_site.size == round(0.04 * 1600)
    # every agent on its own site
    sites = np.concatenate((model.citizen_site, model.cop_site))
    assert np.unique(sites).size == sites.size and model.occupied.sum() == sites.size


def _decide(model: CivilViolenceLattice, hardship: float, risk: float) -> None:
    model.hardship[:] = hardship
    model.risk_aversion[:] = risk
    model.active[:] = False
    model._decide()


def test_decision_rule_without_cops_is_grievance_above_threshold() -> None:
    model = CivilViolenceLattice(small(cop_density=0.0, legitimacy=0.5), RandomStreams(0))
    assert model.cop_site.size == 0
    # G = H (1 - L) = 0.21 x 0.5 = 0.105 > T = 0.1, whatever the risk aversion (P = 0)
    _decide(model, 0.21, 1.0)
    assert model.active.all()
    np.testing.assert_allclose(model.grievance, 0.105)
    _decide(model, 0.19, 0.0)  # G = 0.095
    assert not model.active.any()


def test_decision_rule_with_one_cop_in_view() -> None:
    spec = small(citizen_density=0.0, cop_density=0.0, legitimacy=0.0, ratio_rule="literal")
    model = CivilViolenceLattice(spec, RandomStreams(0))
    lattice = model.lattice
    # one citizen at site 0, one cop next to it (within vision 2)
    _place(model, citizens=[0], cops=[1])
    model.hardship[:], model.risk_aversion[:] = 0.5, 0.4
    model._decide()
    # P = 1 - exp(-2.3 x 1 / 1) = 0.8997: net = 0.5 - 0.4 x 0.8997 = 0.140 > 0.1
    assert model.active[0]
    model.active[0] = False
    model.risk_aversion[0] = 0.5  # net = 0.5 - 0.4499 = 0.050 < 0.1
    model._decide()
    assert not model.active[0]
    # a cop out of view does not deter: 0.5 > 0.1
    model.cop_site = np.array([7 * lattice.width + 7], dtype=np.int64)
    model._decide()
    assert model.active[0]
    # once active, A counts itself and the other actives in view: still one here
    activations = model._decide()
    assert activations == 0 and model.active[0]


def test_arrests_jail_for_a_uniform_term_and_release_home() -> None:
    model = CivilViolenceLattice(small(max_jail_term=5, cop_density=0.1), RandomStreams(2))
    _decide(model, 1.0, 0.0)  # everybody active
    before = model.free.sum()
    model._arrest()
    jailed = np.flatnonzero(model.jailed)
    assert jailed.size == min(model.cop_site.size, before)  # one arrest per cop, actives abound
    assert (model.jail_left[jailed] <= 5).all() and (model.jail_left[jailed] >= 0).all()
    assert not model.active[jailed].any()
    assert (model.citizen_at[model.last_site[jailed]] == OFF_LATTICE).all()
    assert not model.occupied[model.last_site[jailed]].any()
    # a citizen due for release whose old site is free goes back there
    first = jailed[0]
    model.jail_left[jailed] = 3
    model.jail_left[first] = 0
    model._release()
    assert model.citizen_site[first] == model.last_site[first]
    assert model.citizen_at[model.last_site[first]] == first
    assert (model.jail_left[jailed[1:]] == 2).all()  # the others serve one more step


def test_release_to_an_empty_site_when_home_is_taken() -> None:
    model = CivilViolenceLattice(small(cop_density=0.1), RandomStreams(3))
    _decide(model, 1.0, 0.0)
    model._arrest()
    jailed = np.flatnonzero(model.jailed)[:2]
    model.jail_left[np.flatnonzero(model.jailed)] = 9
    model.jail_left[jailed] = 0
    home = model.last_site[jailed[0]]
    model.occupied[home] = True  # someone moved in
    model._release()
    assert model.free[jailed].all()
    assert model.citizen_site[jailed[0]] != home
    assert model.citizen_site[jailed[1]] == model.last_site[jailed[1]]
    # two releases to the same free home: only one keeps it
    model = CivilViolenceLattice(small(cop_density=0.1), RandomStreams(3))
    _decide(model, 1.0, 0.0)
    model._arrest()
    pair = np.flatnonzero(model.jailed)[:2]
    model.jail_left[np.flatnonzero(model.jailed)] = 9
    model.jail_left[pair] = 0
    model.last_site[pair[1]] = model.last_site[pair[0]]
    model._release()
    sites = model.citizen_site[pair]
    assert sites[0] != sites[1] and model.last_site[pair[0]] in sites


def test_model_two_actives_kill_the_other_group_only() -> None:
    spec = InterGroupSpec.model_validate(
        {
            "width": _assumed(15),
            "height": _assumed(15),
            "citizen_vision": _assumed(2),
            "cop_vision": _assumed(2),
        }
    )
    model = CivilViolenceLattice(spec, RandomStreams(1))
    assert model.inter_group and set(np.unique(model.group)) == {0, 1}
    blue = (model.group == 0).sum()
    assert blue == round(0.5 * model.n_citizens)
    model.active[:] = model.group == 0  # only blue is active
    killed = model._kill()
    dead = ~model.alive
    assert killed == dead.sum() > 0
    assert (model.group[dead] == 1).all()
    assert (model.citizen_site[dead] == OFF_LATTICE).all()
    np.testing.assert_array_equal(model.alive_by_group, [blue, model.n_citizens - blue])
    model._record(activations=0, killed=killed)
    np.testing.assert_array_equal(model.alive_by_group, [blue, model.n_citizens - blue - killed])
    run = model.series()
    assert run.killed[-1] == killed and run.alive_by_group.shape == (2, 2)
    # and the other way round: only red is active, only blue dies
    model = CivilViolenceLattice(spec, RandomStreams(2))
    model.active[:] = model.group == 1
    assert model._kill() > 0
    assert (model.group[~model.alive] == 0).all()


def test_removing_cops_frees_their_sites() -> None:
    model = CivilViolenceLattice(small(cop_density=0.1), RandomStreams(0))
    cops = model.cop_site.copy()
    occupied = model.occupied.sum()
    model.remove_cops(5)
    assert model.cop_site.size == cops.size - 5
    assert model.occupied.sum() == occupied - 5
    gone = np.setdiff1d(cops, model.cop_site)
    assert gone.size == 5 and not model.occupied[gone].any()
    model.remove_cops(10_000)
    assert model.cop_site.size == 0


def test_legitimacy_must_be_a_fraction() -> None:
    model = CivilViolenceLattice(small(), RandomStreams(0))
    model.set_legitimacy(0.3)
    assert model.legitimacy == 0.3
    np.testing.assert_allclose(model.grievance, model.hardship * 0.7)
    for bad in (-0.1, 1.1):
        with pytest.raises(ValueError, match=r"^legitimacy must lie in \[0, 1\], got -?[0-9.]+$"):
            model.set_legitimacy(bad)
    model.set_legitimacy(0.0)
    model.set_legitimacy(1.0)


def _consistent(model: CivilViolenceLattice) -> None:
    free = np.flatnonzero(model.free)
    sites = np.concatenate((model.citizen_site[free], model.cop_site))
    assert np.unique(sites).size == sites.size
    assert model.occupied.sum() == sites.size and model.occupied[sites].all()
    np.testing.assert_array_equal(model.citizen_at[model.citizen_site[free]], free)
    assert (model.citizen_at >= 0).sum() == free.size


def test_moves_keep_the_lattice_consistent_with_equal_and_unequal_vision() -> None:
    for cop_vision in (2, 1):
        model = CivilViolenceLattice(small(cop_vision=cop_vision), RandomStreams(4))
        assert (model.cop_lattice is model.lattice) == (cop_vision == 2)
        before_citizens, before_cops = model.citizen_site.copy(), model.cop_site.copy()
        for _ in range(5):
            model.step()
            _consistent(model)
        assert not np.array_equal(before_cops, model.cop_site)
        assert not np.array_equal(before_citizens, model.citizen_site)
    # cops with vision 1 move at most one site (von Neumann) per step
    model = CivilViolenceLattice(small(cop_vision=1, cop_density=0.1), RandomStreams(6))
    start = model.cop_site.copy()
    model._move()
    moved = start != model.cop_site
    assert moved.any()
    for old, new in zip(start[moved], model.cop_site[moved], strict=True):
        assert new in model.cop_lattice.neighbours[old]


def test_series_records_every_step() -> None:
    model = CivilViolenceLattice(small(), RandomStreams(0))
    run = model.run(4)
    assert isinstance(run, LatticeRun) and run.active.shape == (5,) and model.steps == 4
    total = run.active + run.jailed + run.quiet
    assert (total == model.n_citizens).all()  # Model I: nobody dies
    assert (run.cops == model.cop_site.size).all() and (run.killed == 0).all()
    assert run.alive_by_group.shape == (5, 1)
    assert run.activations[0] == 0


def test_vision_offsets_exclude_the_centre_and_respect_the_shape() -> None:
    dy, dx = vision_offsets(1, "von_neumann")
    assert sorted(zip(dy.tolist(), dx.tolist(), strict=True)) == [(-1, 0), (0, -1), (0, 1), (1, 0)]
    dy, dx = vision_offsets(1, "moore")
    assert dy.size == 8 and not ((dy == 0) & (dx == 0)).any()
    dy, dx = vision_offsets(2, "circle")
    assert dy.size == 12  # 5 x 5 square less the 4 corners (8 > 4) and the centre
    assert dy.dtype == np.int64


def test_torus_neighbours_wrap_around() -> None:
    lattice = TorusLattice(5, 6, 1, "von_neumann")
    assert lattice.size == 30 and lattice.neighbourhood_size == 4
    # site 0 (row 0, col 0): up is row 4, left is col 5
    assert set(lattice.neighbours[0].tolist()) == {4 * 6, 6, 5, 1}
    counts = lattice.count_within_vision(np.ones((1, 30)))
    np.testing.assert_array_equal(counts, 4.0)


def test_arrest_probability_rules_by_hand() -> None:
    cops, actives = np.array([5.0, 2.0]), np.array([2.0, 3.0])
    np.testing.assert_allclose(
        arrest_probability(cops, actives, 1.0, "literal"), 1 - np.exp(-np.array([2.5, 2 / 3]))
    )
    np.testing.assert_allclose(
        arrest_probability(cops, actives, 1.0, "floor"), 1 - np.exp(-np.array([2.0, 0.0]))
    )
    np.testing.assert_allclose(
        arrest_probability(cops, actives, 1.0, "round"), 1 - np.exp(-np.array([2.0, 1.0]))
    )


def test_kernel_rule_matches_the_vectorised_rule() -> None:
    """The compiled scalar P equals arrest_probability (which the Gaza layer uses)."""
    cops = np.array([0.0, 1.0, 3.0, 5.0, 2.0, 7.0])
    actives = np.array([1.0, 2.0, 2.0, 2.0, 4.0, 3.0])  # ratios 0, 0.5, 1.5, 2.5, 0.5, 2.33
    for rule, code in kernels.RULE_CODES.items():
        expected = arrest_probability(cops, actives, 2.3, rule)  # type: ignore[arg-type]
        got = [kernels.arrest_p(c, a, 2.3, code) for c, a in zip(cops, actives, strict=True)]
        np.testing.assert_allclose(got, expected, rtol=1e-14)
    # round is half to even, as Python's round (Mesa) and numpy's
    assert kernels.arrest_p(5.0, 2.0, 1.0, 2) == pytest.approx(1 - np.exp(-2.0))
    assert kernels.arrest_p(3.0, 2.0, 1.0, 2) == pytest.approx(1 - np.exp(-2.0))


def test_arrests_exhaust_when_cops_outnumber_actives() -> None:
    model = CivilViolenceLattice(small(cop_density=0.0, citizen_density=0.0), RandomStreams(1))
    lattice = model.lattice
    # two actives at the centre of a 15 x 15 lattice, three cops around who all see both
    _place(model, citizens=[7 * 15 + 7, 7 * 15 + 8], cops=[6 * 15 + 7, 8 * 15 + 8, 7 * 15 + 6])
    model.active[:] = True
    model._arrest()
    assert model.jailed.all() and not model.active.any()
    assert set(model.last_site.tolist()) == {7 * 15 + 7, 7 * 15 + 8}
    assert (model.jail_left <= model.spec.max_jail_term.value).all()
    assert not model.occupied[[7 * 15 + 7, 7 * 15 + 8]].any()
    assert lattice.neighbourhood_size == 12  # von Neumann, vision 2


def _place(model: CivilViolenceLattice, citizens: list[int], cops: list[int]) -> None:
    """Put citizens and cops on given sites of an empty model (all quiet, free)."""
    n = len(citizens)
    model.citizen_site = np.array(citizens, dtype=np.int64)
    model.cop_site = np.array(cops, dtype=np.int64)
    model.hardship, model.risk_aversion = np.zeros(n), np.zeros(n)
    model.group = np.zeros(n, dtype=np.int64)
    model.active, model.alive = np.zeros(n, dtype=bool), np.ones(n, dtype=bool)
    model.in_jail, model.jail_left = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)
    model.last_site = model.citizen_site.copy()
    model.occupied[:] = False
    model.occupied[citizens + cops] = True
    model.citizen_at[:] = OFF_LATTICE
    model.citizen_at[citizens] = np.arange(n)


def test_no_move_where_every_site_in_view_is_taken() -> None:
    spec = small(citizen_density=0.0, cop_density=0.0, citizen_vision=1, cop_vision=1)
    model = CivilViolenceLattice(spec, RandomStreams(0))
    _place(model, citizens=[112], cops=[])
    model.occupied[:] = True  # every other site taken (by nobody in particular)
    model._move()
    assert model.citizen_site.tolist() == [112]
    model.occupied[113] = False  # one empty site in view: found within eight tries at times
    moves = 0
    for _ in range(200):
        model.citizen_site[0], model.citizen_at[112], model.citizen_at[113] = 112, 0, -1
        model.occupied[112], model.occupied[113] = True, False
        model._move()
        moves += model.citizen_site[0] == 113
        assert model.citizen_site[0] in (112, 113)
    # P(one of 4 sites is hit within 8 tries) = 1 - 0.75^8 = 0.90
    assert 160 <= moves <= 195


def test_simultaneous_claims_on_one_site_are_won_at_random() -> None:
    spec = small(citizen_density=0.0, cop_density=0.0, citizen_vision=1, cop_vision=1)
    model = CivilViolenceLattice(spec, RandomStreams(3))
    winners = []
    for _ in range(300):
        # two citizens either side of the only empty site, 112 and 114, both see 113
        _place(model, citizens=[112, 114], cops=[])
        model.occupied[:] = True
        model.occupied[113] = False
        model._move()
        assert (model.citizen_site == 113).sum() <= 1
        moved = np.flatnonzero(model.citizen_site == 113)
        winners.append(int(moved[0]) if moved.size else -1)
    counts = np.bincount(np.array(winners) + 1, minlength=3)
    assert counts[0] < 60  # nobody moved only when both missed the site eight times
    assert abs(counts[1] - counts[2]) < 60  # each wins about half of the contests


def test_outbursts_by_hand() -> None:
    active = np.array([0, 60, 60, 0, 0, 70, 80, 10, 0, 55])
    turned = np.array([0, 60, 5, 0, 0, 70, 20, 0, 0, 55])
    stats = outburst_stats(active, turned)
    # three runs above 50: steps 1-2, 5-6 and 9
    assert stats.starts.tolist() == [1, 5, 9]
    assert stats.sizes.tolist() == [65, 90, 55] and stats.peaks.tolist() == [60, 80, 55]
    assert stats.active_steps.tolist() == [120, 150, 55]  # actives summed over each outburst
    assert stats.waits.tolist() == [2, 2]
    # a burn-in drops what happened before and an outburst under way when it ends
    late = outburst_stats(active, turned, burn_in=2)
    assert late.starts.tolist() == [5, 9] and late.waits.tolist() == [2]
    assert late.sizes.tolist() == [90, 55] and late.active_steps.tolist() == [150, 55]
    assert outburst_stats(active[1:], turned[1:]).starts.tolist() == [4, 8]
    assert outburst_stats(active, turned, threshold=60).starts.tolist() == [5]
    assert outburst_stats(active, turned, threshold=59).starts.tolist() == [1, 5]
    # the paper's threshold: more than 50 actives
    assert outburst_stats(np.array([0, 51, 0, 50, 0]), np.zeros(5)).starts.tolist() == [1]
    assert stats.starts.dtype == np.int64 and late.starts.dtype == np.int64
    summary = stats.summary()
    assert summary["outbursts"] == 3.0 and summary["wait_mean"] == 2.0
    assert summary["wait_sd"] == 0.0 and summary["size_mean"] == pytest.approx(70.0)
    assert summary["size_sd"] == pytest.approx(np.std([65, 90, 55], ddof=1))
    assert summary["peak_mean"] == pytest.approx(65.0)
    single = outburst_stats(np.array([0, 99, 0]), np.array([0, 99, 0])).summary()
    assert np.isnan(single["wait_mean"]) and np.isnan(single["size_sd"])
    assert single["size_mean"] == 99.0
    empty = outburst_stats(np.zeros(5), np.zeros(5))
    assert empty.count == 0 and np.isnan(empty.summary()["peak_mean"])


def test_pooling_never_takes_a_wait_across_runs() -> None:
    first = outburst_stats(np.array([0, 60, 0, 60]), np.array([0, 60, 0, 60]))
    second = outburst_stats(np.array([0, 70, 0, 0]), np.array([0, 70, 0, 0]))
    pooled = pool([first, second])
    assert isinstance(pooled, OutburstStats)
    assert pooled.count == 3 and pooled.waits.tolist() == [1]
    assert pooled.sizes.tolist() == [60, 60, 70] and pooled.peaks.tolist() == [60, 60, 70]
    assert pooled.starts.tolist() == [1, 3, 1] and pooled.active_steps.tolist() == [60, 60, 70]


def test_removing_cops_in_stages_tips_rebellion_as_reported() -> None:
    """docs/validation.md, finding 3 (floor rule, ten seeds): 0.4, 2.5, 13, 30, 102, 458."""
    means = validation.cop_removal("floor", range(1))
    assert list(means) == [f"cops_{p}pct" for p in (100, 80, 60, 40, 20, 0)]
    assert means["cops_100pct"] < 5 and means["cops_80pct"] < 10
    assert 300 < means["cops_0pct"] < 600
    assert means["cops_0pct"] > 3 * means["cops_20pct"] > 3 * means["cops_60pct"]


def test_validation_script_prints_every_finding(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys
) -> None:
    """The report's formatting, with the experiments replaced by fixed answers."""
    monkeypatch.setattr(validation, "FIGURES", tmp_path / "figures")
    run = CivilViolenceLattice(small(), RandomStreams(0)).run(3)
    stats = OutburstStats(
        starts=np.array([1, 9]),
        peaks=np.array([70, 90]),
        sizes=np.array([100, 300]),
        waits=np.array([4]),
        active_steps=np.array([150, 450]),
    )

    asked = []

    def fake_punctuated(
        rule: str, neighbourhood: str, seeds: range, steps: int, activation: str
    ) -> Any:
        assert isinstance(steps, int) and steps == 50 and seeds == range(2)
        asked.append((activation, neighbourhood, rule))
        return stats, run

    monkeypatch.setattr(validation, "punctuated", fake_punctuated)
    monkeypatch.setattr(
        validation,
        "legitimacy_experiment",
        lambda rule, seeds: validation.LegitimacyResult([400], [30]),
    )
    monkeypatch.setattr(validation, "cop_removal", lambda rule, seeds: {"cops_100pct": 1.0})
    monkeypatch.setattr(
        validation,
        "extinction_times",
        lambda density, seeds: [10, 30] if density == 0.0 else [None, None],
    )
    validation.main(["--seeds", "2", "--steps", "50"])
    out = capsys.readouterr().out
    assert "## Punctuated equilibrium (Run 2, 2 seeds x 50 steps)" in out
    table = [line for line in out.splitlines() if line.startswith("|")]
    row = "| 2 | 4 | n/a | 200 | 141 | 300 | 212 | 80 |"
    cases = [
        (schedule, vision, rule)
        for schedule in ("synchronous", "random_sequential")
        for vision in ("von_neumann", "circle", "moore")
        for rule in ("floor", "round", "literal")
    ]
    assert asked == cases
    assert table == [
        "| schedule | rule | vision | outbursts | wait mean | wait sd | size mean | size sd "
        "| agent-steps mean | agent-steps sd | peak mean |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *[f"| {schedule} | {rule} | {vision} {row}" for schedule, vision, rule in cases],
    ]
    assert "- round: sudden [400]; gradual [30]" in out
    assert "- literal: {'cops_100pct': 1.0}" in out
    assert "- peacekeepers 0.0: [10, 30] (2/2 wiped out; mean 20, sd 14)" in out
    assert "- peacekeepers 0.05: [None, None] (0/2 wiped out; )" in out
    headers = [line for line in out.splitlines() if line.startswith("## ")]
    assert headers == [
        "## Punctuated equilibrium (Run 2, 2 seeds x 50 steps)",
        "## Legitimacy: sudden drop 0.9->0.7 vs gradual 0.9->0.6 over 300 steps (peak actives)",
        "## Removing cops (cop density 0.074, L 0.82; mean actives per stage)",
        "## Model II: steps until one group is wiped out (None: not by step 1500)",
    ]
    densities = [line.split(":")[0] for line in out.splitlines() if "peacekeepers" in line]
    assert densities == [f"- peacekeepers {d}" for d in ("0.0", "0.01", "0.02", "0.03", "0.05")]
    figures = sorted(p.name for p in (tmp_path / "figures").iterdir())
    assert figures == sorted(
        f"run2_{rule}{suffix}.png"
        for rule in ("floor", "round", "literal")
        for suffix in ("", "_sequential")
    )
    assert validation._fmt(float("nan")) == "n/a" and validation._fmt(12.6) == "13"


def test_legitimacy_experiment_is_reproducible() -> None:
    first = validation.legitimacy_experiment("floor", range(1), size=20)
    assert first == validation.legitimacy_experiment("floor", range(1), size=20)
    assert len(first.sudden_peaks) == len(first.gradual_peaks) == 1


def test_release_never_puts_two_citizens_on_one_site() -> None:
    for seed in range(8):
        model = CivilViolenceLattice(small(cop_density=0.0), RandomStreams(seed))
        a, b = 0, 1
        for citizen in (a, b):  # jailed
            kernels.take_off(
                citizen,
                model.citizen_site,
                model.active,
                model.last_site,
                model.occupied,
                model.citizen_at,
            )
            model.in_jail[citizen] = True
        home_a, home_b = model.last_site[a], model.last_site[b]
        model.occupied[:] = True
        model.occupied[home_a] = False  # a's home is free; b's is taken
        spare = int(np.flatnonzero(model.citizen_at == OFF_LATTICE)[0])
        spare = (
            spare
            if spare not in (home_a, home_b)
            else int(
                np.setdiff1d(np.flatnonzero(model.citizen_at == OFF_LATTICE), [home_a, home_b])[0]
            )
        )
        model.occupied[spare] = False  # one other empty site
        model.jail_left[[a, b]] = 0
        model._release()
        assert model.citizen_site[a] == home_a
        assert model.citizen_site[b] == spare


def test_run2_spec_takes_overrides_as_assumptions() -> None:
    spec = validation.run2_spec("round", "circle", cop_density=0.074, width=30)
    assert spec.ratio_rule == "round" and spec.neighbourhood == "circle"
    assert spec.cop_density.value == 0.074 and spec.width.value == 30 and spec.height.value == 40
    stats, first = validation.punctuated("floor", "von_neumann", range(2), steps=120)
    assert first.active.shape == (121,)
    expected = CivilViolenceLattice(validation.run2_spec("floor"), RandomStreams(0)).run(120)
    np.testing.assert_array_equal(first.active, expected.active)
    assert stats.count >= 1
    # the first 50 steps are a burn-in
    second = CivilViolenceLattice(validation.run2_spec("floor"), RandomStreams(1)).run(120)
    pooled = pool(
        [outburst_stats(run.active, run.activations, burn_in=50) for run in (expected, second)]
    )
    np.testing.assert_array_equal(stats.starts, pooled.starts)
    np.testing.assert_array_equal(stats.sizes, pooled.sizes)
    # the neighbourhood asked for is the one run; the documented default is 1,000 steps
    _, circle = validation.punctuated("floor", "circle", range(1), steps=60)
    spec = validation.run2_spec("floor", "circle")
    expected = CivilViolenceLattice(spec, RandomStreams(0)).run(60)
    np.testing.assert_array_equal(circle.active, expected.active)
    steps = inspect.signature(validation.punctuated).parameters["steps"]
    assert steps.default == 1000

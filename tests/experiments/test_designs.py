"""Designs: ranges, stratification, NOLH orthogonality, factorial counts, parameter setting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.experiments import (
    Axis,
    factorial_design,
    lhs_design,
    morris_design,
    nolh_design,
    select_factors,
    sobol_design,
    with_values,
)
from sim.experiments.designfile import load_design_file
from sim.experiments.nolh import (
    MAX_CONDITION,
    MAX_CORRELATION,
    condition_number,
    max_abs_correlation,
    nolh_levels,
    runs_for,
)
from sim.experiments.variants import WIDENED_NOTE, assumption_factors
from sim.scenario.loader import SCENARIOS_DIR, scenario_hash
from sim.scenario.schema import Scenario

CONTRIBUTOR_FACTORS = ["forces.contributors.*.commitment", "forces.contributors.*.arrival_day"]


def test_with_values_sets_sourced_values_and_rounds_integers(base: Scenario) -> None:
    commitment = ("forces", "contributors", "egypt", "commitment")
    arrival = ("forces", "contributors", "egypt", "arrival_day")
    variant = with_values(base, {commitment: 0.55, arrival: 100.6}, name="variant")
    egypt = variant.forces.contributors["egypt"]
    assert egypt.commitment.value == 0.55
    assert egypt.arrival_day.value == 101 and isinstance(egypt.arrival_day.value, int)
    assert variant.metadata.name == "variant"
    assert scenario_hash(variant) != scenario_hash(base)
    assert base.forces.contributors["egypt"].commitment.value == 0.8  # the base is untouched


def test_with_values_widens_a_range_it_leaves_and_says_so(base: Scenario) -> None:
    path = ("forces", "contributors", "egypt", "commitment")
    _, high = base.forces.contributors["egypt"].commitment.assumption or (0, 0)
    variant = with_values(base, {path: high + 0.0})
    assert variant.forces.contributors["egypt"].commitment.note is None
    pledged = ("forces", "contributors", "egypt", "pledged_troops")
    bigger = with_values(base, {pledged: 20000})
    sourced = bigger.forces.contributors["egypt"].pledged_troops
    assert sourced.value == 20000
    assert sourced.assumption is not None and sourced.assumption[1] == 20000
    assert WIDENED_NOTE in (sourced.note or "")


def test_with_values_refuses_paths_that_are_not_parameters(base: Scenario) -> None:
    with pytest.raises(KeyError, match="no parameter"):
        with_values(base, {("forces", "nowhere", "x"): 1.0})
    with pytest.raises(KeyError, match="not a sourced parameter"):
        with_values(base, {("forces", "contributors"): 1.0})


def test_factor_globs_pick_assumptions_and_explain_misses(base: Scenario) -> None:
    factors = select_factors(base, CONTRIBUTOR_FACTORS)
    names = [f.name for f in factors]
    assert "forces.contributors.egypt.commitment" in names
    assert all(n.endswith(("commitment", "arrival_day")) for n in names)
    assert len(names) == len(set(names))
    arrival = next(f for f in factors if f.name.endswith("egypt.arrival_day"))
    commitment = next(f for f in factors if f.name.endswith("egypt.commitment"))
    assert arrival.integer and not commitment.integer
    with pytest.raises(ValueError, match="matches no assumption"):
        select_factors(base, ["forces.contributors.*.commitmnt"])
    assert all(f.high > f.low for f in assumption_factors(base))


def test_lhs_points_lie_in_ranges_and_stratify_each_factor(base: Scenario) -> None:
    factors = select_factors(base, CONTRIBUTOR_FACTORS)
    design = lhs_design(base, factors, 20, seed=3)
    assert len(design.variants) == 20 == len(design.points)
    for factor in factors:
        values = design.points[factor.name]
        assert values.between(factor.low, factor.high).all()
        unit = design.points[f"unit:{factor.name}"].to_numpy()
        # a Latin hypercube puts exactly one point in each of the 20 equal strata
        assert sorted(np.floor(unit * 20).astype(int)) == list(range(20))
    variant = design.variants[7]
    chosen = design.points.iloc[7]
    assert variant.metadata.name == chosen["scenario"]
    assert variant.forces.contributors["egypt"].commitment.value == pytest.approx(
        chosen["forces.contributors.egypt.commitment"]
    )
    assert lhs_design(base, factors, 20, seed=3).points.equals(design.points)


@pytest.mark.parametrize(("factors", "runs"), [(2, 17), (7, 17), (11, 33), (16, 65)])
def test_nolh_is_a_nearly_orthogonal_latin_hypercube(factors: int, runs: int) -> None:
    levels = nolh_levels(factors)
    assert levels.shape == (runs, factors)
    half = (runs - 1) // 2
    for column in levels.T:
        assert sorted(column.tolist()) == list(range(-half, half + 1))
    assert max_abs_correlation(levels) <= MAX_CORRELATION
    assert condition_number(levels) <= MAX_CONDITION


def test_nolh_sizes_follow_the_data_farming_table() -> None:
    assert [runs_for(k) for k in (1, 7, 8, 11, 12, 16, 17, 22)] == [
        17,
        17,
        33,
        33,
        65,
        65,
        129,
        129,
    ]
    with pytest.raises(ValueError, match="more than the largest"):
        runs_for(23)


def test_nolh_design_maps_levels_onto_ranges(base: Scenario) -> None:
    factors = select_factors(base, CONTRIBUTOR_FACTORS)[:7]
    design = nolh_design(base, factors)
    assert len(design.variants) == 17
    for factor in factors:
        values = design.points[factor.name]
        assert values.min() == pytest.approx(factor.low)
        assert values.max() == pytest.approx(factor.high)
    assert design.settings["max_abs_correlation"] <= MAX_CORRELATION


def test_salib_designs_have_the_documented_sizes(base: Scenario) -> None:
    factors = select_factors(base, ["hamas.attack_rate", "hamas.reprisal_rate", "idf.*"])
    d = len(factors)
    assert len(sobol_design(base, factors, 8).variants) == 8 * (d + 2)
    assert len(morris_design(base, factors, 3).variants) == 3 * (d + 1)
    with pytest.raises(ValueError, match="power of 2"):
        sobol_design(base, factors, 10)


def test_factorial_crosses_fragments_and_multipliers() -> None:
    parts = SCENARIOS_DIR / "parts"
    axes = [
        Axis(
            "hamas",
            fragments={
                "accepts": [parts / "hamas_accepts.yaml"],
                "rejects": [parts / "hamas_rejects.yaml"],
            },
        ),
        Axis(
            "turkey",
            fragments={
                "included": [parts / "turkey_included.yaml"],
                "vetoed": [parts / "turkey_vetoed.yaml"],
            },
        ),
        Axis("force", scale=["forces.contributors.*.pledged_troops"], multipliers=[0.5, 1.0, 1.5]),
    ]
    design = factorial_design(SCENARIOS_DIR / "base.yaml", axes)
    assert len(design.variants) == 12
    names = [v.metadata.name for v in design.variants]
    assert len(set(names)) == 12
    assert len({scenario_hash(v) for v in design.variants}) == 12
    row = design.points.iloc[0]
    assert (row["hamas"], row["turkey"], row["force"]) == ("accepts", "included", 0.5)
    by_name = dict(zip(names, design.variants, strict=True))
    half = by_name["base--accepts--included--0p5"]
    full = by_name["base--accepts--included--1"]
    assert half.forces.contributors["egypt"].pledged_troops.value == pytest.approx(
        0.5 * full.forces.contributors["egypt"].pledged_troops.value, abs=1
    )
    assert by_name["base--rejects--vetoed--1"].hamas.stance == "rejects"
    assert full.hamas.stance == "accepts"


def test_design_file_builds_the_design(tmp_path: Path) -> None:
    spec_file = tmp_path / "design.yaml"
    spec_file.write_text(
        "kind: nolh\nbase: base.yaml\nreplications: 3\nseed: 9\n"
        "factors: ['hamas.attack_rate', 'idf.strike_probability']\n"
    )
    spec = load_design_file(spec_file)
    assert spec.replications == 3 and spec.seed == 9
    assert spec.design.kind == "nolh" and len(spec.design.variants) == 17
    spec_file.write_text("kind: nolh\nbase: base.yaml\nfactorz: []\n")
    with pytest.raises(ValueError, match="unknown keys"):
        load_design_file(spec_file)

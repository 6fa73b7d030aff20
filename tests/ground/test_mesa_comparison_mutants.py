"""The Mesa comparison script's plumbing, checked value by value (issue 15, mutation testing).

tests/ground/test_mesa_comparison.py runs both models and checks the statistics; these tests pin
what it leaves free: the parameters each run is built with, the activation count of Mesa's
first step, the empty-sample branch of ``compare``, the burn-in of ``measures`` and the command
line. Where a run would be costly, the model class is replaced by a recorder that stops before
the run.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest

import sim.ground.mesa_comparison as script
from sim.ground.mesa_comparison import Comparison, Series, compare, measures, mesa_series, table

SHAPE = {"size": 20, "vision": 3}  # the reduced set-up of test_mesa_comparison.py


class _BuiltError(Exception):
    """Raised by the recorders once the model's arguments are recorded."""


def test_mesa_first_step_counts_exactly_the_citizens_now_active_or_jailed() -> None:
    run = mesa_series(0, 2, **SHAPE)
    # At step 0 nobody is active or jailed. A citizen leaves quiet only in its own step, and
    # leaves active only by arrest, so after step 1 everyone active or jailed turned active in
    # step 1, once: activations[1] = active[1] + jailed[1] (71 + 11 = 82 with seed 0).
    assert run.activations[1] == run.active[1] + run.jailed[1] > 0
    # In step 2 most of step 1's actives stay active without turning again: fewer turns than
    # actives (39 turns, 91 active with seed 0), which counting every active citizen would not give.
    assert run.activations[2] < run.active[2]
    # the same seed gives the same run (the seed reaches Mesa's scenario)
    again = mesa_series(0, 2, **SHAPE)
    assert np.array_equal(again.active, run.active) and np.array_equal(again.jailed, run.jailed)


def _record_mesa(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    from mesa.examples.advanced.epstein_civil_violence import model as mesa_model

    seen: dict[str, Any] = {}
    scenario_class = mesa_model.EpsteinScenario

    def scenario(**kwargs: Any) -> Any:
        seen["scenario"] = kwargs
        return scenario_class(**kwargs)

    def built(**kwargs: Any) -> None:
        seen["model"] = kwargs
        raise _BuiltError

    monkeypatch.setattr(mesa_model, "EpsteinScenario", scenario)
    monkeypatch.setattr(mesa_model, "EpsteinCivilViolence", built)
    return seen


def test_mesa_series_builds_the_papers_lattice_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _record_mesa(monkeypatch)
    with pytest.raises(_BuiltError):
        mesa_series(5, 10)
    assert seen["model"]["width"] == seen["model"]["height"] == 40
    assert seen["scenario"] == {"rng": 5, "citizen_vision": 7, "cop_vision": 7, **script.RUN2}
    with pytest.raises(_BuiltError):
        mesa_series(2, 10, size=20, vision=3)
    assert seen["model"]["width"] == 20 and seen["scenario"]["citizen_vision"] == 3


def _record_lattice(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def built(spec: Any, streams: Any) -> None:
        seen.update(spec=spec, streams=streams)
        raise _BuiltError

    monkeypatch.setattr(script, "CivilViolenceLattice", built)
    return seen


def test_lattice_series_uses_mesas_parameters_rule_and_placement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = _record_lattice(monkeypatch)
    with pytest.raises(_BuiltError):
        script.lattice_series(9, 10, "random_sequential")
    spec = seen["spec"]
    assert spec.width.value == spec.height.value == 40
    assert spec.citizen_vision.value == spec.cop_vision.value == 7
    assert (spec.activation, spec.placement, spec.ratio_rule) == (
        "random_sequential",
        "per_site",
        "round",
    )
    assert seen["streams"].seed_sequence.entropy == 9
    with pytest.raises(_BuiltError):
        script.lattice_series(1, 10, "synchronous", size=20, vision=3, placement="exact")
    spec = seen["spec"]
    assert (spec.width.value, spec.citizen_vision.value, spec.placement) == (20, 3, "exact")


def test_measures_discard_the_burn_in_they_are_given() -> None:
    # one outburst (over 50 actives) at steps 10-12 with 30 turns, a second at steps 40-41
    active = np.zeros(61, dtype=np.int64)
    active[10:13] = 60
    active[40:42] = 70
    activations = np.where(active > 0, 10, 0)
    run = Series(active, np.zeros(61, dtype=np.int64), activations)
    early = measures([run], burn_in=0)
    late = measures([run], burn_in=20)  # the first outburst falls in the burn-in
    assert early["outbursts per run"].tolist() == [2.0]
    assert late["outbursts per run"].tolist() == [1.0]
    assert early["sizes"].tolist() == [30.0, 20.0] and late["sizes"].tolist() == [20.0]
    # mean actives after step 20: 2 x 70 over 41 steps
    assert late["mean actives"][0] == pytest.approx(140 / 41)


def test_compare_gives_nan_for_an_empty_sample() -> None:
    full = np.array([1.0, 2.0, 3.0])
    empty = np.array([])
    samples = {name: full for name in script.MEASURES}
    rows = compare(samples, {**samples, "waits": empty})
    waits = next(r for r in rows if r.measure == "waits")
    assert (waits.mesa_n, waits.ours_n, waits.mesa_mean) == (3, 0, 2.0)
    assert math.isnan(waits.ours_mean) and math.isnan(waits.u) and math.isnan(waits.p)


def test_table_is_markdown_with_a_header_rule() -> None:
    row = Comparison("waits", 2.0, 3.25, 4, 5, 6.4, 0.1234)
    assert table([row], "ours").splitlines() == [
        "| measure | Mesa mean (n) | ours mean (n) | U | p |",
        "|---|---|---|---|---|",
        "| waits | 2.0 (4) | 3.2 (5) | 6 | 0.123 |",
    ]


def _record_runs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple, dict]]:
    calls: list[tuple[str, tuple, dict]] = []

    def fake(name: str) -> Any:
        def run(seed: int, steps: int, *args: object, **kwargs: object) -> Series:
            calls.append((name, (seed, steps, *args), kwargs))
            active = np.zeros(steps + 1, dtype=np.int64)
            return Series(active, active + seed, active)

        return run

    monkeypatch.setattr(script, "mesa_series", fake("mesa"))
    monkeypatch.setattr(script, "lattice_series", fake("lattice"))
    return calls


def test_script_defaults_are_the_reported_set_up(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _record_runs(monkeypatch)
    script.main([])
    shape = {"size": 40, "vision": 7}
    mesa = [("mesa", (s, 400), shape) for s in range(12)]
    ours = [
        ("lattice", (s, 400, activation), {"placement": "per_site", **shape})
        for activation in ("random_sequential", "synchronous")
        for s in range(12)
    ]
    assert calls == mesa + ours
    lines = capsys.readouterr().out.split("\n")
    assert lines[0] == (
        "Run 2, round rule, 40x40, von Neumann vision 7, "
        "12 seeds x 400 steps (first 50 discarded), placement per_site"
    )
    assert lines[1:3] == ["", "### Mesa's example vs `random_sequential`"]
    assert lines[4] == "| measure | Mesa mean (n) | random_sequential mean (n) | U | p |"
    # each table is followed by one empty line, then the next heading
    assert lines[4 + 2 + len(script.MEASURES) : 4 + 2 + len(script.MEASURES) + 2] == [
        "",
        "### Mesa's example vs `synchronous`",
    ]


def test_script_passes_its_options_as_numbers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = _record_runs(monkeypatch)
    script.main(["--seeds", "1", "--steps", "60", "--size", "20", "--vision", "3"])
    assert calls[0] == ("mesa", (0, 60), {"size": 20, "vision": 3})
    assert calls[1] == (
        "lattice",
        (0, 60, "random_sequential"),
        {"placement": "per_site", "size": 20, "vision": 3},
    )
    assert capsys.readouterr().out.startswith("Run 2, round rule, 20x20, von Neumann vision 3, 1 ")
    with pytest.raises(SystemExit):
        script.main(["--placement", "anywhere"])


def test_script_help_explains_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        script.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Epstein's Model I here and in Mesa's example" in text
    for phrase in (
        "runs per implementation",
        "steps per run",
        "lattice side",
        "vision of citizens and cops",
        "{per_site,exact}",
        "the lattice's initial placement (per_site: as Mesa's example places agents)",
    ):
        # bounded by non-word characters: a help text with anything glued on does not match
        assert re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text), phrase

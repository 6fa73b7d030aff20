"""The random sequential schedule against a plain reference written from Mesa's example.

The kernel keeps the counts within vision up to date incrementally; the reference recounts
everything each time an agent looks around, as Mesa's ``agents.py`` does, and draws the same
random numbers in the same order. The two must agree exactly.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from sim.ground.epstein import OFF_LATTICE, CivilViolenceLattice
from sim.rng import RandomStreams
from sim.scenario.ground import EpsteinSpec


def _assumed(value: float) -> dict[str, Any]:
    return {"value": value, "assumption": [value, value]}


def spec(**fields: Any) -> EpsteinSpec:
    values = {"width": 15, "height": 15, "citizen_vision": 2, "cop_vision": 2, **fields}
    data = {k: v if isinstance(v, str | bool) else _assumed(v) for k, v in values.items()}
    return EpsteinSpec.model_validate({"activation": "random_sequential", **data})


def _index(rng: np.random.Generator, n: int) -> int:
    return min(int(rng.random() * n), n - 1)


def _in_view(model: CivilViolenceLattice, site: int, cops: bool) -> list[int]:
    """Sites within vision in the kernels' order: rows top to bottom, left to right."""
    height, width, span, _, _ = (model.cop_lattice if cops else model.lattice).vision
    radius = span.size // 2
    y, x = divmod(site, width)
    return [
        ((y + k - radius) % height) * width + (x + dx) % width
        for k in range(span.size)
        for dx in range(-span[k], span[k] + 1)
        if dx != 0 or k != radius
    ]


def _empty_near(model: CivilViolenceLattice, site: int, cops: bool, rng: Any) -> int:
    lattice = model.cop_lattice if cops else model.lattice
    _, width, _, dy, dx = lattice.vision
    y, x = divmod(site, width)
    for _ in range(64):
        j = _index(rng, dy.size)
        candidate = ((y + dy[j]) % lattice.height) * width + (x + dx[j]) % width
        if not model.occupied[candidate]:
            return candidate
    empty = [s for s in _in_view(model, site, cops) if not model.occupied[s]]
    return empty[_index(rng, len(empty))] if empty else -1


def reference_step(model: CivilViolenceLattice) -> int:
    """One step of Mesa's example on the model's arrays; returns quiet -> active turns."""
    streams, spec = model.streams, model.spec
    order = np.arange(model.n_citizens + model.cop_site.size)
    rng = streams["epstein.order"]
    for i in range(order.size - 1, 0, -1):
        j = _index(rng, i + 1)
        order[i], order[j] = order[j], order[i]
    cop_sites = set(model.cop_site.tolist())
    turned = 0
    for agent in order.tolist():
        if agent >= model.n_citizens:
            c = agent - model.n_citizens
            seen = [model.citizen_at[s] for s in _in_view(model, model.cop_site[c], True)]
            actives = [i for i in seen if i != OFF_LATTICE and model.active[i]]
            if actives:
                i = actives[_index(streams["epstein.arrest"], len(actives))]
                model.active[i], model.in_jail[i] = False, True
                model.jail_left[i] = _index(streams["epstein.jail"], spec.max_jail_term.value + 1)
            new = _empty_near(model, model.cop_site[c], True, streams["epstein.move"])
            if new >= 0:
                cop_sites.discard(int(model.cop_site[c]))
                cop_sites.add(new)
                model.occupied[model.cop_site[c]], model.occupied[new] = False, True
                model.cop_site[c] = new
            continue
        i = agent
        if model.in_jail[i]:
            if model.jail_left[i] > 0:
                model.jail_left[i] -= 1
                continue
            model.in_jail[i] = False
        site = model.citizen_site[i]
        view = _in_view(model, site, False)
        cops = sum(s in cop_sites for s in view)
        actives = 1 + sum(
            model.citizen_at[s] != -1 and model.active[model.citizen_at[s]] for s in view
        )
        p = 1.0 - math.exp(-spec.arrest_constant.value * float(np.rint(cops / actives)))
        grievance = model.hardship[i] * (1.0 - model.legitimacy)
        becomes = grievance - model.risk_aversion[i] * p > spec.threshold.value
        turned += bool(becomes and not model.active[i])
        model.active[i] = becomes
        new = _empty_near(model, site, False, streams["epstein.move"])
        if new >= 0:
            model.occupied[site], model.citizen_at[site] = False, OFF_LATTICE
            model.occupied[new], model.citizen_at[new] = True, i
            model.citizen_site[i] = new
    return turned


@pytest.mark.parametrize("seed", [0, 1])
def test_kernel_agrees_exactly_with_the_plain_reference(seed: int) -> None:
    fields = {"cop_density": 0.06, "legitimacy": 0.75, "max_jail_term": 4, "ratio_rule": "round"}
    kernel = CivilViolenceLattice(spec(**fields), RandomStreams(seed))
    reference = CivilViolenceLattice(spec(**fields), RandomStreams(seed))
    run = kernel.run(40)
    turned = [reference_step(reference) for _ in range(40)]
    np.testing.assert_array_equal(run.activations[1:], turned)
    assert run.jailed.max() > 0 and run.active.max() > 0  # arrests and rebellion happened
    for name in ("citizen_site", "cop_site", "active", "in_jail", "jail_left", "occupied"):
        np.testing.assert_array_equal(getattr(kernel, name), getattr(reference, name), name)

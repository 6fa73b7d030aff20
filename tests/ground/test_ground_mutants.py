"""Values and relations of the ground's small modules that the mutation run found unchecked.

Issue 15: a full mutmut run over the Epstein and ground modules left mutants alive in
``sim/ground/interfaces.py`` (and elsewhere); each test here names the behaviour it pins.
docs/testing.md lists the mutants that remain and why no test can kill them.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.ground.interfaces import ForceCategory, GroundReport, SecurityPresence

CATEGORIES = len(ForceCategory)  # 6


def test_from_stack_rejects_a_two_dimensional_stack_with_the_right_first_axis() -> None:
    # (6, 3) has one layer per category but no grid: the shape check must fail on ndim alone
    with pytest.raises(ValueError, match=r"categories=6, rows, cols\), got \(6, 3\)"):
        SecurityPresence.from_stack(np.ones((CATEGORIES, 3)))


def test_from_stack_keeps_the_stack_it_was_given() -> None:
    stack = np.arange(CATEGORIES * 2 * 3, dtype=float).reshape(CATEGORIES, 2, 3)
    presence = SecurityPresence.from_stack(stack)
    assert presence.stack is stack and presence.stacked() is stack


def test_validate_checks_the_shape_of_a_stacked_presence() -> None:
    presence = SecurityPresence.from_stack(np.ones((CATEGORIES, 2, 3)))
    presence.validate((2, 3))
    with pytest.raises(ValueError, match="has shape"):
        presence.validate((3, 2))


def test_stacked_fills_absent_categories_with_zeros_of_the_grid_shape() -> None:
    police = np.array([[1, 2, 0], [0, 0, 4]])  # integers: stacked() returns floats
    stack = SecurityPresence({ForceCategory.POLICE: police}).stacked()
    assert stack.shape == (CATEGORIES, 2, 3) and stack.dtype == np.float64
    assert stack[list(ForceCategory).index(ForceCategory.POLICE)].tolist() == police.tolist()
    assert stack.sum() == 7.0
    # with no category present at all, the caller's shape gives the zeros
    assert SecurityPresence({}).stacked((2, 3)).shape == (CATEGORIES, 2, 3)


def test_totals_weigh_grievance_by_population_even_for_one_person() -> None:
    grid = np.zeros((1, 2))
    # one person in the first cell, grievance 0.4 there (0.9 in the empty cell does not count):
    # mean grievance = 0.4 x 1 / max(1, 1) = 0.4
    report = GroundReport(
        day=3,
        population=np.array([[1.0, 0.0]]),
        displaced=grid,
        grievance=np.array([[0.4, 0.9]]),
        legitimacy=grid,
        actives=grid,
        detained=grid,
        recruits=grid,
        armed=grid,
        harm=grid,
        controller=np.zeros((1, 2), dtype=np.int64),
    )
    totals = report.totals()
    assert totals["grievance"] == pytest.approx(0.4)
    assert (totals["day"], totals["population"]) == (3.0, 1.0)

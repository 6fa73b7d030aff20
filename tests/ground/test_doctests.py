import doctest
import importlib

import pytest

MODULES = [
    "sim.scenario.ground",
    "sim.ground.epstein",
    "sim.ground.geometry",
    "sim.ground.interfaces",
    "sim.ground.model",
    "sim.ground.outbursts",
    "sim.ground.render",
    "sim.ground.stencils",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0

"""The ground layer's docstring examples run and hold (scripts/test.sh also runs every
example in sim/ with ``pytest --doctest-modules``)."""

import doctest
import importlib

import pytest

# module -> examples it holds at least (a module whose examples vanish fails here)
MODULES = {
    "sim.scenario.ground": 3,
    "sim.ground.epstein": 5,
    "sim.ground.geometry": 3,
    "sim.ground.interfaces": 1,
    "sim.ground.model": 3,
    "sim.ground.outbursts": 5,
    "sim.ground.render": 5,
    "sim.ground.stencils": 1,
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
    assert result.attempted >= MODULES[name]  # mutmut's trampolines can add copies


def test_a_false_example_fails():
    def example():
        """>>> 1 + 1
        3
        """

    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(verbose=False)
    for test in finder.find(example, "example", globs={}):
        runner.run(test, out=lambda _: None)
    assert runner.summarize(verbose=False).failed == 1

"""Contracts inside the model: no attribute is created in the middle of a step."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

MODEL = Path(__file__).resolve().parents[2] / "sim" / "model"


def _assigned(function: ast.FunctionDef) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(function):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign | ast.AugAssign):
            targets = [node.target]
        for target in targets:
            for leaf in ast.walk(target):
                if (
                    isinstance(leaf, ast.Attribute)
                    and isinstance(leaf.value, ast.Name)
                    and leaf.value.id == "self"
                ):
                    names.add(leaf.attr)
    return names


@pytest.mark.parametrize(
    "module", ["gaza.py", "territory.py", "ceasefire.py", "forces.py", "aid.py", "events.py"]
)
def test_attributes_are_created_in_init(module: str) -> None:
    tree = ast.parse((MODEL / module).read_text())
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        methods = [n for n in cls.body if isinstance(n, ast.FunctionDef)]
        init = next((m for m in methods if m.name == "__init__"), None)
        if init is None:
            continue
        declared = _assigned(init)
        for method in methods:
            if method.name == "__init__":
                continue
            late = _assigned(method) - declared
            assert not late, f"{module}: {cls.name}.{method.name} creates {sorted(late)}"


def test_the_model_reads_the_ground_through_read_only_views() -> None:
    from sim.model.gaza import GazaModel
    from tests.model.conftest import shipped

    model = GazaModel(shipped("base.yaml"), 0)
    for _ in range(3):
        model.step()
    live = model.ground.field("population")
    assert np.shares_memory(model.view.population, live)
    assert not model.view.population.flags.writeable
    assert not model.ground.damage_view().flags.writeable

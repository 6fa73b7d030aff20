"""Fixtures for the bargaining tests: the shared KTAB reference folder and small actor tables."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sim.bargaining import BargainingEngine, BargainingSettings

REPO = Path(__file__).resolve().parents[2]


def shared_ktab_dir() -> Path:
    """``$ISF_SHARED_DIR/ktab`` if the variable is set, else ``<repo>/../shared/ktab``."""
    root = os.environ.get("ISF_SHARED_DIR")
    base = Path(root) if root else REPO / ".." / "shared"
    return (base / "ktab").resolve()


@pytest.fixture(scope="session")
def ktab_dir() -> Path:
    folder = shared_ktab_dir()
    if not folder.is_dir():
        message = (
            f"KTAB reference folder not found at {folder}: the KTAB reproduction tests need "
            "KTAB's reference runs (set ISF_SHARED_DIR to the folder holding ktab/)"
        )
        if os.environ.get("CI", "").lower() in {"true", "1", "yes"}:
            pytest.fail(f"{message}; under CI they must not be skipped", pytrace=False)
        pytest.skip(message)
    return folder


EngineFactory = Callable[..., BargainingEngine]


def random_table(
    n: int, dims: int, seed: int
) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    capability = rng.uniform(10.0, 100.0, n)
    position = np.round(rng.uniform(0.0, 100.0, (n, dims)), 2)
    raw = rng.uniform(0.1, 1.0, (n, dims))
    salience = np.round(80.0 * raw / raw.sum(axis=1, keepdims=True), 2)
    return (
        [f"a{i}" for i in range(n)],
        [f"d{k}" for k in range(dims)],
        capability,
        position,
        salience,
    )


@pytest.fixture
def make_engine() -> EngineFactory:
    """Build an engine on a random table: ``make_engine(n=7, dims=3, seed=1, **engine_kwargs)``."""

    def build(
        n: int = 7,
        dims: int = 3,
        seed: int = 1,
        settings: BargainingSettings | None = None,
        **kwargs: object,
    ) -> BargainingEngine:
        actors, dim_ids, cap, pos, sal = random_table(n, dims, seed)
        kwargs.setdefault("rng", np.random.default_rng(seed))
        return BargainingEngine(
            actors,
            dim_ids,
            cap,
            pos,
            sal,
            settings=settings,
            **kwargs,  # type: ignore[arg-type]
        )

    return build

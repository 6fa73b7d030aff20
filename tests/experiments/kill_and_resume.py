"""Run by the kill test in a subprocess: a slow serial batch that gets SIGKILLed."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.fake_model import slow_model

from sim.experiments import run_experiment
from sim.scenario.loader import SCENARIOS_DIR

if __name__ == "__main__":
    files = [
        SCENARIOS_DIR / "hamas-accepts-turkey-included.yaml",
        SCENARIOS_DIR / "hamas-rejects-turkey-vetoed.yaml",
    ]
    run_experiment(
        files,
        int(sys.argv[2]),
        seed=5,
        out_dir=sys.argv[1],
        executor=sys.argv[3],
        workers=2,
        model=slow_model,
        daily=True,
    )

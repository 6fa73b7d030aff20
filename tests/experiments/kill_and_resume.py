"""Run by the kill and lock tests in a subprocess: a batch that stops at a gate and is killed.

The model is ``gated_model``: replications before ``ISF_TEST_GATE_AFTER`` finish, later ones
wait for the gate file (which the tests never create), so the batch stands still at a known
count of finished runs until it is killed.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from experiments.fake_model import gated_model

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
        model=gated_model,
        daily=True,
    )

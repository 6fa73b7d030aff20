"""Pilot replications for the model's directional tests and the seeds each one needs.

For every contrast of ``tests/model/contrasts.py`` this runs both scenarios on pilot seeds that
the tests do not use (default 100-129), and prints the mean and sd of the paired differences,
the standardised effect d = mean / sd and its one-sided 90% lower bound, the pairs needed for
power 0.99 of a one-sided paired t-test at alpha 0.01 (at d and at the lower bound), and the
power of the chosen number of pairs (at least 8 and at least what the lower bound needs): by
normal theory at d and at the bound, and by a bootstrap of the pilot differences.

    PYTHONPATH=$PWD nice -n 10 .venv/bin/python bench/power_directional.py --out build/power.csv

The table goes into docs/testing.md and the tests' docstrings.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from tests.model.conftest import outcomes
from tests.model.contrasts import (
    ALPHA,
    CONTRASTS,
    MIN_PAIRS,
    bootstrap_power,
    effect_lower_bound,
    paired_t,
    pairs_needed,
    power,
)


def ratio_share(low: np.ndarray, high: np.ndarray, n: int, factor: float = 1.5) -> float:
    """Share of ``n``-pair resamples whose mean of ``high`` exceeds ``factor`` x that of ``low``."""
    rng = np.random.default_rng(1)
    pick = rng.integers(0, low.size, (20_000, n))
    return float(np.mean(high[pick].mean(axis=1) > factor * low[pick].mean(axis=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--only", nargs="*", help="contrast names (default: all)")
    parser.add_argument("--out", type=Path, help="also write the paired differences as CSV")
    args = parser.parse_args()
    seeds = range(args.first_seed, args.first_seed + args.pairs)
    rows, diffs = [], {}
    for name, contrast in CONTRASTS.items():
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        low = outcomes(contrast.low(), contrast.outcome, seeds)
        high = outcomes(contrast.high(), contrast.outcome, seeds)
        diff = high - low
        diffs[f"{name}.low"], diffs[f"{name}.high"] = low, high
        mean, sd = float(diff.mean()), float(diff.std(ddof=1))
        effect = mean / sd if sd > 0 else float("inf")
        bound = effect_lower_bound(diff)
        chosen = max(MIN_PAIRS, pairs_needed(bound))
        row = {
            "contrast": name,
            "outcome": contrast.outcome,
            "mean_low": float(low.mean()),
            "mean_high": float(high.mean()),
            "mean_diff": mean,
            "sd_diff": sd,
            "effect_d": effect,
            "t_pilot": paired_t(low, high),
            "positive_share": float((diff > 0).mean()),
            "ratio_of_means": float(high.mean() / low.mean()) if low.mean() else float("inf"),
            "skew_diff": float(pd.Series(diff).skew()),
            "effect_d_low90": bound,
            "pairs_for_0.99": pairs_needed(effect),
            "pairs_for_0.99_low90": pairs_needed(bound),
            "pairs_chosen": chosen,
            "power_chosen": power(effect, chosen) if np.isfinite(effect) else 1.0,
            "power_chosen_low90": power(bound, chosen),
            "power_chosen_bootstrap": bootstrap_power(diff, chosen),
            "share_ratio_above_1.5": ratio_share(low, high, chosen),
            "seconds": time.perf_counter() - start,
        }
        rows.append(row)
        print(pd.Series(row).to_string(), flush=True)
        print()
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(f"one-sided paired t-test, alpha {ALPHA}; pilot seeds {seeds}")
        print(table.round(4).to_string(index=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(diffs, index=pd.Index(seeds, name="seed"))
        frame.to_csv(args.out.with_suffix(".runs.csv"))
        table.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()

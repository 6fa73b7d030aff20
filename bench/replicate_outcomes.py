"""Replicate scenarios; print P(collapse) with a Wilson interval and outcomes by regime.

    .venv/bin/python bench/replicate_outcomes.py 30 hamas-accepts-turkey-included.yaml \
        analogues/kfor-like.yaml as-reported-2026.yaml   # paths relative to scenarios/

Prints, per scenario: P(collapse) [95% Wilson], the model's mean cumulative risk, median civilian
deaths in runs that held and in runs that collapsed, killed and civilian deaths per day while
the ceasefire held, the IDF-held share (final, mean), peak and mean troops, force deaths, the
secure share at the end, weapons decommissioned, force cover and grievance.
"""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from sim.model.run import run_scenario
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

KEYS = [
    "ceasefire_collapsed",
    "civilian_deaths",
    "killed_per_day_holding",
    "civilian_deaths_per_day_holding",
    "idf_held_share_final",
    "idf_held_share_mean",
    "peak_isf_troops",
    "mean_isf_troops",
    "isf_deaths",
    "secure_population_share_final",
    "weapons_decommissioned_share",
    "collapse_risk",
    "force_cover_mean",
    "grievance_mean",
]


def one(job: tuple[str, int]) -> tuple[str, dict[str, float]]:
    """One replication's outcomes."""
    name, seed = job
    summary = run_scenario(load_scenario(SCENARIOS_DIR / name), seed).summary
    return name, {key: float(summary[key]) for key in KEYS}


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion."""
    p, d = k / n, 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * float(np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / d
    return max(0.0, centre - half), min(1.0, centre + half)


def line(name: str, rows: list[dict[str, float]]) -> str:
    """One scenario's summary line."""
    a = {key: np.array([row[key] for row in rows]) for key in KEYS}
    n, collapsed = len(rows), a["ceasefire_collapsed"] > 0
    k = int(collapsed.sum())
    low, high = wilson(k, n)

    def median(key: str, mask: np.ndarray) -> str:
        return f"{np.median(a[key][mask]):.0f}" if mask.any() else "-"

    return (
        f"{name}: n={n} P(collapse)={k / n:.2f} [{low:.2f}, {high:.2f}] "
        f"model risk {a['collapse_risk'].mean():.2f}; civilian deaths held "
        f"{median('civilian_deaths', ~collapsed)} / collapsed "
        f"{median('civilian_deaths', collapsed)}; killed/day holding "
        f"{np.nanmean(a['killed_per_day_holding']):.2f} (civilians "
        f"{np.nanmean(a['civilian_deaths_per_day_holding']):.2f}); IDF held final "
        f"{a['idf_held_share_final'].mean():.2f} mean {a['idf_held_share_mean'].mean():.2f}; "
        f"troops peak {a['peak_isf_troops'].mean():.0f} mean {a['mean_isf_troops'].mean():.0f}; "
        f"force deaths {a['isf_deaths'].mean():.1f} (max {a['isf_deaths'].max():.0f}); "
        f"secure final {a['secure_population_share_final'].mean():.3f}; decommissioned "
        f"{a['weapons_decommissioned_share'].mean():.3f}; "
        f"cover {a['force_cover_mean'].mean():.2f}; "
        f"grievance {a['grievance_mean'].mean():.3f}"
    )


def main() -> None:
    reps, names = int(sys.argv[1]), sys.argv[2:]
    jobs = [(name, seed) for name in names for seed in range(reps)]
    results: dict[str, list[dict[str, float]]] = {}
    with ProcessPoolExecutor(2) as pool:
        for name, row in pool.map(one, jobs):
            results.setdefault(name, []).append(row)
    for name in names:
        print(line(name, results[name]))


if __name__ == "__main__":
    main()

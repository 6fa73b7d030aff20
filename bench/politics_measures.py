"""Political forecasts of the headline scenarios, stand-alone bargaining (no ground model).

Prints, for base and the 2x2 with N replications (assumed capabilities and saliences drawn
within their ranges, stochastic transitions): per dimension P(deal), the bargained outcome and
the implemented outcome with a deal (median [10-90%]); the final positions of Israel, Hamas,
Turkey, Egypt and the US; Hamas's final disarmament position in base; and, with Turkey
included, P(a Turkish contingent deal) for the US position on turkish_participation at 10, 45
and 80.

    .venv/bin/python bench/politics_measures.py [--reps 30] [--seed 1]
"""

from __future__ import annotations

import argparse

from sim.bargaining.uncertainty import describe, position_bands, replicate, summarise
from sim.scenario.bargaining import BargainingSpec
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

SCENARIOS = [
    "base",
    "hamas-accepts-turkey-included",
    "hamas-accepts-turkey-vetoed",
    "hamas-rejects-turkey-included",
    "hamas-rejects-turkey-vetoed",
]
ACTORS = ("israel", "hamas", "turkey", "egypt", "us")
TURKEY = "turkish_participation"


def with_us_position(spec: BargainingSpec, value: float) -> BargainingSpec:
    """The spec with the US position on Turkish participation set to ``value``."""
    data = spec.model_dump(mode="json", exclude_none=True)
    data["actors"]["us"]["position"][TURKEY]["value"] = value
    data["actors"]["us"]["position"][TURKEY].pop("source", None)
    data["actors"]["us"]["position"][TURKEY]["assumption"] = [0, 100]
    return BargainingSpec.model_validate(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for name in SCENARIOS:
        spec = load_scenario(SCENARIOS_DIR / f"{name}.yaml").bargaining
        result = replicate(spec, args.reps, args.seed)
        print(f"\n== {name} ({args.reps} replications)")
        for _, row in summarise(result.outcomes).iterrows():
            bargained = (
                f"{row['bargained_median']:.0f} [{row['bargained_p10']:.0f}-"
                f"{row['bargained_p90']:.0f}]"
            )
            print(f"  {row['dimension']:<23} bargained {bargained:<12} {describe(row)}")
        bands = position_bands(result.positions)
        for actor in ACTORS:
            cells = "  ".join(
                f"{dim[:10]} {b['median']:.0f} [{b['p10']:.0f}-{b['p90']:.0f}]"
                for (a, dim), b in bands.iterrows()
                if a == actor
            )
            print(f"  {actor:<7} {cells}")
        if name == "base":
            hamas = result.positions.query("actor == 'hamas' and dimension == 'hamas_disarmament'")
            q = hamas["position"].quantile([0.0, 0.1, 0.5, 0.9, 1.0]).round(1).tolist()
            print(f"  Hamas's final disarmament position: min/p10/median/p90/max {q}")
        if name.endswith("turkey-included"):
            for value in (10.0, 45.0, 80.0):
                shifted = replicate(with_us_position(spec, value), args.reps, args.seed)
                turkey = shifted.outcomes.query("dimension == @TURKEY")
                p_deal, median = turkey["deal"].mean(), turkey["bargained"].median()
                print(
                    f"  US at {value:g} on {TURKEY}: P(Turkish contingent deal) {p_deal:.2f}, "
                    f"bargained median {median:.0f}"
                )


if __name__ == "__main__":
    main()

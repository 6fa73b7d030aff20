"""Shared test data for the bargaining tests: a small five-actor, two-dimension spec."""

from __future__ import annotations


def assumed_value(value: float, low: float | None = None, high: float | None = None) -> dict:
    lo = value if low is None else low
    hi = value if high is None else high
    return {"value": value, "assumption": [lo, hi]}


# Actor: capability, {dim: (position, salience)}.
SMALL_ACTORS: dict[str, tuple[float, dict[str, tuple[float, float]]]] = {
    "us": (100.0, {"troops": (60.0, 40.0), "mandate": (80.0, 40.0)}),
    "israel": (80.0, {"troops": (0.0, 60.0), "mandate": (90.0, 30.0)}),
    "turkey": (40.0, {"troops": (100.0, 70.0), "mandate": (40.0, 20.0)}),
    "russia": (50.0, {"troops": (50.0, 10.0), "mandate": (20.0, 50.0)}),
    "egypt": (40.0, {"troops": (50.0, 30.0), "mandate": (50.0, 30.0)}),
}
SMALL_VETOES = {
    "israel_troops": ("israel", "troops", 0.0, 20.0),
    "turkey_floor": ("turkey", "troops", 40.0, 100.0),
    "russia_mandate": ("russia", "mandate", 0.0, 60.0),
    "us_mandate": ("us", "mandate", 50.0, 100.0),
}
# Per dimension: the no-deal state and its status quo (7 and 3, so a reversion is recognisable).
SMALL_DECISIONS = {
    "troops": ("no_turkish_contingent", 7.0),
    "mandate": ("no_mandate", 3.0),
}


def small_spec_data(
    vetoes: tuple[str, ...] = (), lifted: tuple[str, ...] = (), settings: dict | None = None
) -> dict:
    """Plain data for a five-actor, two-dimension BargainingSpec."""
    actors = {}
    for actor_id, (cap, dims) in SMALL_ACTORS.items():
        actors[actor_id] = {
            "name": actor_id.title(),
            "capability": assumed_value(cap),
            "position": {d: assumed_value(p, 0, 100) for d, (p, _) in dims.items()},
            "salience": {d: assumed_value(s, 0, 100) for d, (_, s) in dims.items()},
        }
    veto_data = {}
    for veto_id in vetoes:
        holder, dim, low, high = SMALL_VETOES[veto_id]
        veto_data[veto_id] = {
            "holder": holder,
            "dimension": dim,
            "low": assumed_value(low),
            "high": assumed_value(high),
            "enforced": veto_id not in lifted,
        }
    return {
        "settings": settings or {},
        "dimensions": [
            {"id": "troops", "label": "Troops", "low_means": "none", "high_means": "many"},
            {"id": "mandate", "label": "Mandate", "low_means": "weak", "high_means": "robust"},
        ],
        "actors": actors,
        "vetoes": veto_data,
        "decisions": {
            dim: {"status_quo": assumed_value(sq), "no_deal": state}
            for dim, (state, sq) in SMALL_DECISIONS.items()
        },
    }

"""Coupling between the ground and the bargaining engine.

Every ``cadence_days`` (weekly by default) the week's ground events become shocks to actors'
positions and saliences, the engine plays one round, and the new political state sets the
levers the ground model reads: Hamas's compliance, how robust the mandate is in practice,
whether vetoed contingents may deploy, how far the IDF will withdraw, and how much support the
Palestinian governance track (police, reconstruction) gets. Every event, shock and lever is
recorded so a user can see which political move followed which event.

Dimension scales (0-100): ``hamas_disarmament`` 100 = full disarmament; ``mandate_robustness``
100 = all necessary measures; ``turkish_participation`` 100 = a full Turkish role;
``idf_withdrawal`` 100 = full withdrawal; ``palestinian_governance`` 100 = a full Palestinian
role in governing Gaza.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from sim.bargaining.engine import BargainingEngine, RecordLevel
from sim.bargaining.shocks import Shock, ShockMode
from sim.scenario.coupling import CouplingSpec
from sim.scenario.schema import Scenario

DISARMAMENT = "hamas_disarmament"
MANDATE = "mandate_robustness"
TURKEY = "turkish_participation"
WITHDRAWAL = "idf_withdrawal"
GOVERNANCE = "palestinian_governance"
ARAB_STATES = ("egypt", "jordan", "qatar", "uae", "saudi_arabia", "turkey")


@dataclass
class WeekEvents:
    """What happened on the ground since the last political round."""

    isf_deaths: dict[str, float] = field(default_factory=dict)
    idf_deaths: float = 0.0
    police_deaths: float = 0.0
    strike_civilian_deaths: float = 0.0
    reprisal_deaths: float = 0.0
    weapons_decommissioned_share: float = 0.0
    withdrawals: list[str] = field(default_factory=list)
    ceasefire_collapsed: bool = False
    incidents: float = 0.0
    civilian_deaths: float = 0.0
    decommissioned_total_share: float = 0.0
    idf_held_share: float = 0.0
    deployed: dict[str, float] = field(default_factory=dict)
    fired_events: list[str] = field(default_factory=list)
    shocks: list[Shock] = field(default_factory=list)

    def clear(self) -> None:
        """Start a new week."""
        self.__init__()  # type: ignore[misc]


@dataclass(frozen=True)
class DimensionState:
    """Whether a dimension's outcome is implemented, and what holds when it is not.

    Attributes:
        dimension: Dimension id.
        deal: Whether everyone who must consent accepts the outcome.
        outcome: Implemented outcome (0-100); the status quo when there is no deal.
        status_quo: What the dimension reverts to without a deal (0-100).
        reason: Empty with a deal; otherwise who withheld consent and why.
        vetoed_by: Actors who withheld consent.
    """

    dimension: str
    deal: bool
    outcome: float
    status_quo: float
    reason: str = ""
    vetoed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Levers:
    """What the political layer sets for the ground model (docs/interface-politics-ground.md)."""

    hamas_compliance: float
    mandate_level: float
    mandate_robust: bool
    withdrawal_will: float
    governance_support: float
    branches: dict[str, str]
    dimensions: dict[str, DimensionState] = field(default_factory=dict)


class Politics:
    """Runs the bargaining engine inside the Gaza model and translates in both directions."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator) -> None:
        self.engine = BargainingEngine.from_spec(scenario.bargaining, rng, record=RecordLevel.LIGHT)
        self.coupling: CouplingSpec = scenario.coupling
        self.threshold = scenario.effects.robust_mandate_threshold.value
        self.cadence = scenario.bargaining.settings.cadence_days
        self.actors = set(self.engine.actors)
        self.log: list[dict[str, Any]] = []
        self.levers = self._read_levers()

    def due(self, day: int) -> bool:
        """Whether a political round happens at the end of ``day``."""
        return day > 0 and day % self.cadence == 0

    def play_round(self, day: int, events: WeekEvents) -> Levers:
        """Apply the week's shocks, play one round and return the new levers."""
        shocks = self.shocks_for(events)
        for shock in shocks:
            self.engine.apply(shock)
        record = self.engine.step()
        self.levers = self._read_levers()
        self.log.append(
            {
                "day": day,
                "round": record.round,
                "events": asdict(events),
                "shocks": [
                    f"{s.actor}.{s.dimension}: {s.mode.value} {s.value:+.2f} ({s.reason})"
                    for s in shocks
                ],
                "movers": list(record.movers),
                **{f"forecast_{k}": v for k, v in record.forecast.items()},
                "branches": dict(record.branches),
            }
        )
        return self.levers

    def shocks_for(self, events: WeekEvents) -> list[Shock]:
        """Translate a week of ground events into shocks (only for actors in the table)."""
        c = self.coupling
        shocks: list[Shock] = []

        def add(
            actor: str, dimension: str, delta: float, reason: str, salience: bool = False
        ) -> None:
            if actor in self.actors and abs(delta) > 1e-9:
                make = Shock.salience if salience else Shock.position
                shocks.append(make(actor, dimension, delta, mode=ShockMode.ADD, reason=reason))

        for contributor, deaths in events.isf_deaths.items():
            add(
                contributor,
                MANDATE,
                -c.contributor_mandate_shift_per_death.value * deaths,
                f"{deaths:.0f} of its troops killed",
            )
        if events.idf_deaths:
            add(
                "israel",
                WITHDRAWAL,
                -c.israel_withdrawal_shift_per_death.value * events.idf_deaths,
                f"{events.idf_deaths:.0f} IDF deaths",
            )
        harm = events.strike_civilian_deaths
        if harm:
            for actor in ARAB_STATES:
                add(
                    actor,
                    WITHDRAWAL,
                    c.arab_withdrawal_shift_per_100_deaths.value * harm / 100,
                    f"{harm:.0f} civilians killed in strikes",
                )
        if events.weapons_decommissioned_share:
            shift = c.israel_withdrawal_shift_per_decommissioned.value
            add(
                "israel",
                WITHDRAWAL,
                shift * events.weapons_decommissioned_share * 100,
                "weapons decommissioned",
            )
        if events.ceasefire_collapsed:
            add("hamas", DISARMAMENT, -c.collapse_hamas_shift.value, "ceasefire collapsed")
            add("israel", WITHDRAWAL, -c.collapse_israel_shift.value, "ceasefire collapsed")
        return shocks

    def _read_levers(self) -> Levers:
        forecast = self.engine.forecast()
        positions = self.engine.positions
        actors = self.engine.actors
        dims = self.engine.dimensions
        hamas = actors.index("hamas") if "hamas" in actors else None
        compliance = (
            positions[hamas, dims.index(DISARMAMENT)] / 100.0
            if hamas is not None and DISARMAMENT in dims
            else forecast.get(DISARMAMENT, 50.0) / 100.0
        )
        branches = self.engine.branches
        if branches.get(DISARMAMENT, "open") not in ("open", "bounded"):
            # No acceptable deal exists (e.g. Hamas's red line against Israel's demand): Hamas
            # complies no further than the blocked outcome.
            compliance = min(compliance, forecast.get(DISARMAMENT, 0.0) / 100.0)
        mandate = forecast.get(MANDATE, 50.0)
        states = {
            dim: DimensionState(
                dimension=dim,
                deal=branches.get(dim, "open") in ("open", "bounded"),
                outcome=value,
                status_quo=value,
            )
            for dim, value in forecast.items()
        }
        return Levers(
            hamas_compliance=float(np.clip(compliance, 0.0, 1.0)),
            mandate_level=mandate / 100.0,
            mandate_robust=mandate >= self.threshold,
            withdrawal_will=forecast.get(WITHDRAWAL, 50.0) / 100.0,
            governance_support=forecast.get(GOVERNANCE, 50.0) / 100.0,
            branches=branches,
            dimensions=states,
        )

    def forecast(self) -> dict[str, float]:
        """Current forecast per dimension (0-100)."""
        return self.engine.forecast()

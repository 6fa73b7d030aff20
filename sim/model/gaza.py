"""The full Gaza model: forces, armed groups, aid and the ceasefire, coupled with bargaining.

One step is one day:

1. politics (set last round): compliance, mandate in practice, vetoed contingents, withdrawal will;
2. force generation: contingents arrive on their ramps, police graduate;
3. territory: the force takes the next sector if due and holdable; the IDF's line moves;
4. presence: troops and police spread over the force's sectors by population; the IDF behind the
   line; Hamas where nobody else secures the cell; the ground layer takes it (legitimacy,
   deterrence, controller);
5. aid through the crossings, less what is seized on insecure routes;
6. the ground's day (grievance, actives, arrests, recruitment, displacement);
7. violence (attacks, reprisals, strikes), casualties and commitment;
8. decommissioning by consent and by coercion; reconstruction in cells secure long enough;
9. the ceasefire's hazard; the day's record; every ``cadence_days`` a bargaining round.
"""

from __future__ import annotations

import time

import mesa
import numpy as np

from sim.ground.interfaces import FloatGrid, ForceCategory, SecurityPresence
from sim.ground.layer import GroundLayer
from sim.ground.stencils import box_sum
from sim.model.aid import AidSystem, Reconstruction
from sim.model.ceasefire import Ceasefire
from sim.model.forces import Contingent, PoliceService
from sim.model.outcomes import DailyRecorder
from sim.model.politics import Levers, Politics, WeekEvents
from sim.model.territory import PER_THOUSAND, Territory
from sim.model.violence import (
    Arsenal,
    DayViolence,
    GroupRates,
    armed_violence,
    decommissioning,
    deterrence,
    protection,
    scatter,
    scattered_poisson,
    strike_factor,
)
from sim.rng import RandomStreams
from sim.scenario.forces import HamasStance, Resolution, RulesOfEngagement, StrikePolicy
from sim.scenario.ground import GroundSpec
from sim.scenario.schema import Scenario


class GazaModel(mesa.Model):
    """A scenario turned into day-by-day outcomes.

    Args:
        scenario: A validated scenario.
        seed: Seed of the run (an int or a spawned ``SeedSequence``).

    Attributes:
        day: Days completed.
        recorder: Daily outcome series.
        politics: The bargaining layer and its log.
    """

    def __init__(self, scenario: Scenario, seed: int | np.random.SeedSequence | None = 0) -> None:
        self.streams = RandomStreams(seed)
        super().__init__(rng=self.streams["mesa"])
        self.spec = scenario
        self.effects = scenario.effects
        self.day = 0
        ground_spec = _ground_spec_for(scenario)
        self.ground = GroundLayer(self, ground_spec, self.streams)
        self.geometry = self.ground.geometry
        self.territory = Territory(scenario, self.geometry)
        self.politics = Politics(scenario, self.streams["bargaining"])
        self.contingents = [
            Contingent(self, key, spec) for key, spec in scenario.forces.contributors.items()
        ]
        self.police = PoliceService(self, scenario.forces.police, scenario.metadata.horizon_days)
        west = np.where(self.geometry.west_of_line, self.ground.field("population"), 0.0)
        self.hamas = Arsenal.spread(self, "hamas", scenario.hamas, west)
        self.others = Arsenal.spread(self, "others", scenario.other_armed_groups, west)
        self._rates = GroupRates.of(
            self.effects.police_exposure.value, scenario.hamas, scenario.other_armed_groups
        )
        self._presence_consent = {
            HamasStance.ACCEPTS: 1.0,
            HamasStance.PARTIAL: self.effects.partial_presence_consent.value,
            HamasStance.REJECTS: 0.0,
        }[scenario.hamas.stance]
        self._roe = {
            RulesOfEngagement.SELF_DEFENCE: self.effects.roe_self_defence_factor.value,
            RulesOfEngagement.PROTECT_CIVILIANS: self.effects.roe_protect_civilians_factor.value,
            RulesOfEngagement.ALL_NECESSARY: 1.0,
        }[scenario.mandate.rules_of_engagement]
        order = ("arab_muslim", "hamas_channel", "other")
        self._category_index = np.array([order.index(c.category.value) for c in self.contingents])
        self._coerces = np.array([c.coerces for c in self.contingents], dtype=bool)
        self._strengths = np.zeros(len(self.contingents))
        self.aid = AidSystem(scenario, self.geometry)
        self.rebuild = Reconstruction(scenario, self.geometry, self.ground.field("damage"))
        self.ceasefire = Ceasefire(self.effects, self.streams["ceasefire"])
        self.recorder = DailyRecorder(
            scenario.metadata.horizon_days, list(self.politics.engine.dimensions)
        )
        self.week = WeekEvents()
        self._weekly_incidents: list[float] = []
        self._planned = sum(c.planned_strength(10**6) for c in self.contingents) or 1.0
        self._sync_armed()
        self._harm_by_cell = np.zeros(self.geometry.shape)
        self._incidents_by_cell = np.zeros(self.geometry.shape)
        self.timings: dict[str, float] = {}
        self._idf_cache: tuple[int, FloatGrid, FloatGrid] = (-1, np.zeros(0), np.zeros(0))

    # -- the day ---------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one day."""
        clock = time.perf_counter()
        day, levers = self.day, self.politics.levers
        self._apply_branches(levers.branches)
        self._grow_forces(day, levers.governance_support)
        troops = self._troops_by_category(day)
        effective = self._effective_troops(troops)
        self._move_lines(day, effective, levers)
        presence, density, force_deter = self._deploy(troops)
        hostility = self._hostility(levers.hamas_compliance)
        secure = self.territory.secure_cells(density, hostility, self._area)
        aid = self.aid.deliver(day, self.ground, secure, troops.sum(), self.ceasefire.collapsed)
        clock = self._lap("forces", clock)
        self.ground.set_security(presence)
        self.ground.step()
        clock = self._lap("ground", clock)
        self._take_recruits(self.ground.field("recruits"))
        violence = self._violence(presence, force_deter, self.ground.field("grievance"))
        self._casualties(day, violence, presence)
        self._disarm(levers, secure, force_deter)
        rebuilt = self.rebuild.step(
            self.territory.secure_days,
            self.territory,
            self.ground.field("damage"),
            levers.governance_support,
        )
        cover = min(1.0, float(troops.sum()) / self._planned)
        self.ceasefire.update(
            day, violence.incidents, cover, self._guarantor(), levers.hamas_compliance
        )
        self._record(day, violence, troops, secure, aid, rebuilt)
        clock = self._lap("forces", clock)
        self._politics(day)
        self._lap("bargaining", clock)
        self.day += 1

    def _lap(self, part: str, since: float) -> float:
        """Add the time since ``since`` to ``part``'s total; return now."""
        now = time.perf_counter()
        self.timings[part] = self.timings.get(part, 0.0) + now - since
        return now

    # -- forces ----------------------------------------------------------------------------

    def _apply_branches(self, branches: dict[str, str]) -> None:
        """Keep out contingents whose political conditions fail; pull out deployed ones."""
        active = set(branches.values())
        forecast = self.politics.forecast()
        for contingent in self.contingents:
            spec = contingent.spec
            blocked = spec.blocked_by_branch is not None and spec.blocked_by_branch in active
            condition = spec.requires_outcome
            if condition is not None and condition.dimension in forecast:
                blocked |= forecast[condition.dimension] < condition.at_least.value
            contingent.set_blocked(self.day, blocked)

    def _grow_forces(self, day: int, governance_support: float) -> None:
        self.police.train(day, pace=0.5 + governance_support)

    def _troops_by_category(self, day: int) -> np.ndarray:
        """Troops present per ISF category (arab_muslim, hamas_channel, other).

        Also keeps today's strength of each contingent, which later steps of the day reuse.
        """
        lag = self.effects.withdrawal_days.value
        self._strengths = np.array([c.strength(day, lag) for c in self.contingents])
        totals = np.zeros(3)
        np.add.at(totals, self._category_index, self._strengths)
        return totals

    def _effective_troops(self, troops: np.ndarray) -> float:
        multiplier = self.spec.forces.us_support.coordination_multiplier.value
        roe = self._roe
        police = self.police.officers * (1 + self.effects.local_police_bonus.value)
        return float(troops.sum() * multiplier * roe + police)

    def _move_lines(self, day: int, effective: float, levers: Levers) -> None:
        fighters = self.hamas.fighters + self.others.fighters
        self.territory.expand(
            day,
            effective,
            self.ground.field("population"),
            self._presence_consent,
            self._can_coerce(levers.mandate_robust),
            fighters,
        )
        weekly = float(sum(self._weekly_incidents[-7:]))
        self.territory.update_line(day, levers.withdrawal_will, weekly, self.ceasefire.collapsed)

    def _deploy(self, troops: np.ndarray) -> tuple[SecurityPresence, FloatGrid, FloatGrid]:
        """Personnel per cell, the force's density per 1,000 residents and its deterrence."""
        territory, effects = self.territory, self.effects
        population = self.ground.field("population")
        area = self._area = territory.force_area()
        weights = np.where(area, population + 1.0, 0.0)
        total_weight = float(weights.sum())
        share = weights / total_weight if total_weight > 0 else weights
        police = self.police.officers * share
        idf, _ = self._idf_layout()
        personnel = {
            ForceCategory.ISF_ARAB_MUSLIM: troops[0] * share,
            ForceCategory.ISF_HAMAS_CHANNEL: troops[1] * share,
            ForceCategory.ISF_OTHER: troops[2] * share,
            ForceCategory.POLICE: police,
            ForceCategory.IDF: idf,
            ForceCategory.HAMAS: np.where(area | territory.idf_held, 0.0, self.hamas.fighters),
        }
        multiplier = self.spec.forces.us_support.coordination_multiplier.value * self._roe
        isf = share * (float(troops.sum()) * multiplier)
        per_resident = PER_THOUSAND / np.maximum(population, 1.0)
        self._isf_density = isf * per_resident
        security = isf + police * (1.0 + effects.local_police_bonus.value)
        fighters = self.hamas.fighters + self.others.fighters
        force_deter = deterrence(security, fighters, effects.decisive_force_ratio.value)
        return SecurityPresence(personnel), security * per_resident, force_deter

    def _idf_layout(self) -> tuple[FloatGrid, FloatGrid]:
        """IDF troops per cell and their reach across the line (cached until the line moves)."""
        version = self.territory.line_version
        if self._idf_cache[0] != version:
            held = self.territory.idf_held
            per_cell = self.effects.idf_troops_in_held_area.value / max(float(held.sum()), 1.0)
            troops: FloatGrid = np.where(held, per_cell, 0.0)
            front: FloatGrid = np.where(self.geometry.land & ~held, box_sum(troops, 1) / 9.0, 0.0)
            self._idf_cache = (version, troops, front)
        return self._idf_cache[1], self._idf_cache[2]

    def _hostility(self, compliance: float) -> FloatGrid:
        grievance = self.ground.field("grievance")
        weight = self.effects.hostility_compliance_weight.value
        return np.clip(weight * (1.0 - compliance) + (1.0 - weight) * grievance, 0.0, 1.0)

    def _can_coerce(self, mandate_robust: bool) -> bool:
        mandate = self.spec.mandate
        return (
            mandate.coercive_disarmament
            and mandate.resolution is not Resolution.NONE
            and mandate_robust
            and "no_mandate" not in self.politics.levers.branches.values()
        )

    def _coercing_share(self) -> float:
        total = float(self._strengths.sum())
        return float(self._strengths[self._coerces].sum()) / total if total > 0 else 0.0

    def _guarantor(self) -> float:
        us = self.spec.forces.us_support.troops.value > 0
        mandated = self.spec.mandate.resolution is not Resolution.NONE
        weight = self.effects.guarantor_weight_us.value
        return weight * us + (1.0 - weight) * mandated

    # -- violence and its consequences -------------------------------------------------------

    def _violence(
        self, presence: SecurityPresence, force_deter: FloatGrid, grievance: FloatGrid
    ) -> DayViolence:
        rng, effects = self.streams["violence"], self.effects
        personnel = presence.personnel
        isf = (
            personnel[ForceCategory.ISF_ARAB_MUSLIM]
            + personnel[ForceCategory.ISF_HAMAS_CHANNEL]
            + personnel[ForceCategory.ISF_OTHER]
        )
        idf_front = self._idf_layout()[1]
        compliance = 0.0 if self.ceasefire.collapsed else self.politics.levers.hamas_compliance
        protect_civ, protect_battle = self._protection()
        attacks, taken = armed_violence(
            rng,
            self._rates,
            np.stack([self.hamas.fighters, self.others.fighters]),
            np.array([compliance, 0.0]),
            force_deter,
            grievance,
            np.stack([isf, personnel[ForceCategory.POLICE], idf_front]),
            np.clip(self._isf_density / effects.density_peaceful.value, 0.0, 1.0),
        )
        out = self._tally(attacks, taken, protect_battle, rng)
        crossfire = attacks.sum(axis=(0, 1))
        executed = taken.sum(axis=0)
        executions = executed * effects.civilian_deaths_per_reprisal.value * protect_civ
        expected = crossfire * effects.civilian_deaths_per_attack.value * protect_civ + executions
        harm = scattered_poisson(rng, expected)
        out.reprisal_deaths = float(executions.sum())
        self._strikes(out, harm, rng)
        out.civilian_deaths = float(harm.sum())
        out.harm_by_cell = harm
        self._harm_by_cell = harm
        self._incidents_by_cell = crossfire + executed
        return out

    def _tally(
        self,
        attacks: np.ndarray,
        taken: np.ndarray,
        protect_battle: FloatGrid,
        rng: np.random.Generator,
    ) -> DayViolence:
        """The day's totals by target, with the deaths the attacks cause."""
        e = self.effects
        totals = attacks.sum(axis=(0, 2, 3))
        on_isf = float((attacks[:, 0].sum(axis=0) * protect_battle).sum())
        return DayViolence(
            attacks_on_isf=float(totals[0]),
            attacks_on_police=float(totals[1]),
            attacks_on_idf=float(totals[2]),
            attacks_on_rivals=float(totals[3]),
            reprisals=float(taken.sum()),
            isf_deaths=float(rng.poisson(on_isf * e.isf_deaths_per_attack.value)),
            police_deaths=float(rng.poisson(totals[1] * e.police_deaths_per_attack.value)),
            idf_deaths=float(rng.poisson(totals[2] * e.idf_deaths_per_attack.value)),
        )

    def _protection(self) -> tuple[FloatGrid, FloatGrid]:
        """Factors on civilian and battle deaths per attack from the force's local density."""
        e = self.effects
        civ, battle = protection(
            self._isf_density,
            e.density_hostile.value,
            e.civilian_harm_8000_troops.value / e.civilian_harm_no_troops.value,
            e.battle_deaths_10000_troops.value / e.battle_deaths_no_troops.value,
        )
        return civ, battle

    def _strikes(self, out: DayViolence, harm: FloatGrid, rng: np.random.Generator) -> None:
        idf = self.spec.idf
        policy = StrikePolicy.HEAVY if self.ceasefire.collapsed else idf.strike_policy
        factor = strike_factor(policy, self.effects)
        retaliations = rng.binomial(
            int(out.attacks_on_idf), min(1.0, idf.strike_probability.value * factor)
        )
        war = self.effects.war_strikes_per_day.value if self.ceasefire.collapsed else 0.0
        strikes = float(retaliations + rng.poisson(war))
        if strikes <= 0:
            return
        fighters = self.hamas.fighters.ravel()
        if fighters.sum() <= 0:
            return
        counts = scatter(rng, fighters, int(strikes)).reshape(self.geometry.shape)
        civ = scattered_poisson(
            rng, counts * self.effects.civilian_deaths_per_strike.value * factor
        )
        killed = scattered_poisson(rng, counts * self.effects.fighters_killed_per_strike.value)
        self.hamas.lose_fighters(killed)
        harm += civ
        out.strikes = strikes
        out.strike_civilian_deaths = float(civ.sum())
        self.ground.field("damage")[...] = np.clip(
            self.ground.field("damage") + counts * self.effects.damage_per_strike.value * factor,
            0.0,
            1.0,
        )

    def _casualties(self, day: int, violence: DayViolence, presence: SecurityPresence) -> None:
        if violence.harm_by_cell is not None:
            self.ground.add_harm(violence.harm_by_cell, killed=violence.harm_by_cell)
        strengths = self._strengths
        if violence.isf_deaths > 0 and strengths.sum() > 0:
            split = self.streams["violence"].multinomial(
                int(violence.isf_deaths), strengths / strengths.sum()
            )
            for contingent, deaths in zip(self.contingents, split, strict=True):
                contingent.absorb_casualties(float(deaths))
                if deaths:
                    self.week.isf_deaths[contingent.key] = self.week.isf_deaths.get(
                        contingent.key, 0.0
                    ) + float(deaths)
        self.police.absorb_casualties(violence.police_deaths)
        mission_changed = self.ceasefire.collapsed
        for contingent in self.contingents:
            was = contingent.withdrawn
            contingent.decide(day, mission_changed=mission_changed)
            if contingent.withdrawn and not was:
                self.week.withdrawals.append(contingent.key)
        self.week.idf_deaths += violence.idf_deaths
        self.week.police_deaths += violence.police_deaths
        self.week.strike_civilian_deaths += violence.strike_civilian_deaths
        self.week.reprisal_deaths += violence.reprisal_deaths
        self._weekly_incidents.append(violence.incidents)

    def _disarm(self, levers: Levers, secure: np.ndarray, force_deter: FloatGrid) -> None:
        e = self.effects
        compliance = 0.0 if self.ceasefire.collapsed else levers.hamas_compliance
        coercion = e.coercive_disarmament_rate.value * self._coercing_share()
        if not self._can_coerce(levers.mandate_robust):
            coercion *= e.coercion_needs_mandate.value
        consent = self.spec.hamas.consent_decommission_rate.value * compliance
        if coercion <= 0.0 and (consent <= 0.0 or not secure.any()):
            return  # nothing can be handed in or seized today
        in_area = np.where(self._area, force_deter, 0.0)
        before = self.hamas.decommissioned + self.others.decommissioned
        total_before = float(self.hamas.weapons.sum() + self.others.weapons.sum()) + before
        self.hamas.remove_weapons(
            decommissioning(
                self.hamas,
                self.spec.hamas.consent_decommission_rate.value,
                compliance,
                secure,
                coercion,
                in_area,
            )
        )
        self.others.remove_weapons(
            decommissioning(self.others, 0.0, 0.0, secure, coercion, in_area)
        )
        after = self.hamas.decommissioned + self.others.decommissioned
        self.week.weapons_decommissioned_share += (after - before) / max(total_before, 1.0)
        self._sync_armed()

    def _take_recruits(self, recruits: FloatGrid) -> None:
        attrition = self.ground.spec.recruitment.attrition_per_day.value
        share_hamas = self.effects.hamas_recruit_share.value
        for arsenal, share in ((self.hamas, share_hamas), (self.others, 1 - share_hamas)):
            arsenal.fighters *= 1.0 - attrition
            arsenal.recruit(recruits * share)

    def _sync_armed(self) -> None:
        """The ground layer's armed field mirrors the groups' fighters (one source of truth)."""
        self.ground.field("armed")[...] = self.hamas.fighters + self.others.fighters

    # -- records and politics -------------------------------------------------------------------

    def map_fields(self) -> dict[str, FloatGrid]:
        """Today's per-cell fields for map snapshots (see :mod:`sim.model.maps`)."""
        population = self.ground.field("population")
        return {
            "controller": self.ground.controller.astype(float),
            "incidents": self._incidents_by_cell,
            "civilian_deaths": self._harm_by_cell,
            "aid_days": np.divide(
                self.ground.field("aid_stock"),
                population,
                out=np.zeros_like(population),
                where=population > 0,
            ),
            "grievance": self.ground.field("grievance"),
            "population": population / self.geometry.cell_area_km2,
        }

    def _record(
        self,
        day: int,
        violence: DayViolence,
        troops: np.ndarray,
        secure: np.ndarray,
        aid: dict[str, float],
        rebuilt: float,
    ) -> None:
        population = self.ground.field("population")
        people = max(float(population.sum()), 1.0)
        legit = float((self.ground.field("legitimacy") * population).sum() / people)
        grievance = float((self.ground.field("grievance") * population).sum() / people)
        values = {
            "ceasefire_status": float(self.ceasefire.status),
            "incidents": violence.incidents,
            "attacks_on_isf": violence.attacks_on_isf,
            "attacks_on_police": violence.attacks_on_police,
            "attacks_on_idf": violence.attacks_on_idf,
            "attacks_on_rivals": violence.attacks_on_rivals,
            "reprisals": violence.reprisals,
            "strikes": violence.strikes,
            "civilian_deaths": violence.civilian_deaths,
            "isf_deaths": violence.isf_deaths,
            "police_deaths": violence.police_deaths,
            "idf_deaths": violence.idf_deaths,
            "isf_troops": float(troops.sum()),
            "police_officers": self.police.officers,
            "contributors_withdrawn": float(sum(c.withdrawn for c in self.contingents)),
            "isf_sectors": float(self.territory.sectors.taken),
            "idf_held_share": float(self.territory.idf_held.sum() / self.geometry.land.sum()),
            "secure_population_share": float(population[secure].sum()) / people,
            "fighters": float(self.hamas.fighters.sum() + self.others.fighters.sum()),
            "weapons_remaining": float(self.hamas.weapons.sum() + self.others.weapons.sum()),
            "weapons_decommissioned": self.hamas.decommissioned + self.others.decommissioned,
            "aid_delivered_trucks": aid["delivered_trucks"],
            "aid_delivered_share": aid["delivered_share"],
            "reconstruction_share": rebuilt,
            "legitimacy": legit,
            "grievance": grievance,
            "active_share": float(self.ground.field("actives").sum()) / people,
            "hamas_compliance": self.politics.levers.hamas_compliance,
        }
        values.update({f"forecast_{k}": v for k, v in self.politics.forecast().items()})
        self.recorder.record(day, values)

    def _politics(self, day: int) -> None:
        if self.ceasefire.collapse_day == day:
            self.week.ceasefire_collapsed = True
        if self.politics.due(day):
            self.politics.play_round(day, self.week)
            self.week = WeekEvents()


def _ground_spec_for(scenario: Scenario) -> GroundSpec:
    """The ground spec, with the IDF's starting line and the armed groups from the scenario."""
    ground = scenario.ground
    recruitment = ground.recruitment.model_copy(
        update={
            "initial_armed": ground.recruitment.initial_armed.model_copy(
                update={
                    "value": scenario.hamas.fighters.value
                    + scenario.other_armed_groups.fighters.value
                }
            )
        }
    )
    return ground.model_copy(
        update={"yellow_line_share": scenario.idf.held_share, "recruitment": recruitment}
    )

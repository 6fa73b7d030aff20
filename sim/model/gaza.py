"""The full Gaza model: forces, armed groups, aid and the ceasefire, coupled with bargaining.

One step is one day:

0. dated events fire (suspensions, decisions, ultimatums expiring); their shocks are queued;
1. politics (set last round): compliance, mandate in practice, outcomes per dimension,
   withdrawal will; every 7 days each contributor reviews its conditions (deploy, hold, leave);
2. force generation: active contingents ramp up, police graduate;
3. territory: the force takes the next sector if due and holdable; the IDF's line moves (staged,
   verified, consented to; re-entry; advance after a collapse or an unmet ultimatum);
4. presence: troops and police spread over the force's area by population (or wait at staging
   when it holds none); the IDF behind the line; Hamas where nobody else secures the cell; the
   ground layer takes it (legitimacy, deterrence, controller); secure cells;
5. aid through the crossings, less what is seized on insecure routes;
6. the ground's day (grievance, actives, arrests, recruitment, displacement);
7. violence (IDF fire along the line, attacks, reprisals, strike waves), casualties and
   commitment;
8. decommissioning by consent and by coercion; reconstruction in cells secure long enough;
9. the ceasefire's hazard; the day's record; every ``cadence_days`` a bargaining round.
"""

from __future__ import annotations

import time

import mesa
import numpy as np

from sim.ground.interfaces import BoolGrid, FloatGrid, ForceCategory, SecurityPresence
from sim.ground.layer import GroundLayer
from sim.ground.stencils import box_sum
from sim.ground.streams import hold
from sim.model import kernels
from sim.model.aid import AidSystem, Reconstruction, governance_factor
from sim.model.ceasefire import Ceasefire, Conditions, force_cover
from sim.model.events import EventSchedule
from sim.model.forces import (
    REVIEW_DAYS,
    ConditionContext,
    Contingent,
    PoliceService,
    failed_condition,
)
from sim.model.outcomes import RECORDED_BY_MODEL, DailyRecorder
from sim.model.politics import Levers, Politics, WeekEvents
from sim.model.scalars import PER_THOUSAND
from sim.model.setup import ground_spec_for
from sim.model.territory import Territory
from sim.model.violence import (
    Arsenal,
    DayViolence,
    GroupRates,
    ViolenceConstants,
    front_cells,
    strike,
    strike_factor,
    violence_day,
)
from sim.rng import RandomStreams
from sim.scenario.forces import HamasStance, Resolution, RulesOfEngagement, StrikePolicy
from sim.scenario.schema import Scenario
from sim.scenario.structure import CouplingForm


class GazaModel(mesa.Model):
    """A scenario turned into day-by-day outcomes.

    Args:
        scenario: A validated scenario.
        seed: Seed of the run (an int or a spawned ``SeedSequence``).
        keep_log: Keep the weekly political log (``politics.log``); a run whose log nobody
            reads leaves it out (the same run: the log is text about each round).

    Attributes:
        day: Days completed.
        recorder: Daily outcome series.
        politics: The bargaining layer and its log.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int | np.random.SeedSequence | None = 0,
        *,
        keep_log: bool = True,
    ) -> None:
        self.streams = RandomStreams(seed)
        super().__init__(rng=self.streams["mesa"])
        self.spec = scenario
        self.effects = scenario.effects
        self.day = 0
        ground_spec = ground_spec_for(scenario)
        self.ground = GroundLayer(self, ground_spec, self.streams)
        self.geometry = self.ground.geometry
        self.territory = Territory(
            scenario.idf, scenario.forces.deployment, self.effects, self.geometry
        )
        self.politics = Politics(scenario, self.streams["bargaining"], keep_log=keep_log)
        self.events = EventSchedule(scenario.events)
        self.strike_policy = scenario.idf.strike_policy
        self.contingents = [
            Contingent(self, key, spec) for key, spec in scenario.forces.contributors.items()
        ]
        self.police = PoliceService(self, scenario.forces.police, scenario.metadata.horizon_days)
        self.view = self.ground.view()
        """Read-only views of the ground's live state (what the model reads of the ground)."""
        west = np.where(self.geometry.west_of_line, self.view.population, 0.0)
        self.hamas = Arsenal.spread(self, "hamas", scenario.hamas, west)
        self.others = Arsenal.spread(self, "others", scenario.other_armed_groups, west)
        # Both groups' grids live stacked (what the compiled passes read); the arsenals hold
        # views and update them in place.
        self._fighters = np.stack([self.hamas.fighters, self.others.fighters])
        self._weapons = np.stack([self.hamas.weapons, self.others.weapons])
        for index, arsenal in enumerate((self.hamas, self.others)):
            arsenal.fighters, arsenal.weapons = self._fighters[index], self._weapons[index]
        self._rates = GroupRates.of(
            self.effects.police_exposure.value,
            self.effects.line_contact_exposure.value,
            self.effects.attack_grievance_baseline.value,
            scenario.hamas,
            scenario.other_armed_groups,
        )
        self._violence_constants = ViolenceConstants.of(self.effects, self._rates)
        self._guarantee = self._guarantee_of()
        mandate = scenario.mandate
        # what coercion needs of the scenario (the levers and the day add the rest, daily)
        self._coercive_mandate = (
            mandate.coercive_disarmament and mandate.resolution is not Resolution.NONE
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
        self._category_index = np.array(
            [order.index(c.category.value) for c in self.contingents], dtype=np.int64
        )
        self._coerces = [c.coerces for c in self.contingents]
        self._strengths = np.zeros(len(self.contingents))
        self._coercing = 0.0
        self.aid = AidSystem(scenario.aid, self.effects, self.geometry)
        self.rebuild = Reconstruction(
            scenario.reconstruction,
            self.effects,
            scenario.idf.fallback_zone,
            self.geometry,
            self.ground.damage_view(),
        )
        self.ceasefire = Ceasefire(
            self.effects, self.streams["ceasefire"], scenario.structure.collapse_hazard
        )
        self.recorder = DailyRecorder(
            scenario.metadata.horizon_days, list(self.politics.engine.dimensions)
        )
        self._record_rows = self.recorder.rows([*DayViolence.RECORDED, *RECORDED_BY_MODEL])
        self._politics_record: tuple[object, np.ndarray, np.ndarray] = (
            None,
            np.zeros(0, dtype=np.intp),
            np.zeros(0),
        )
        self.week = WeekEvents()
        self._weekly_incidents: list[float] = []
        self._initial_weapons = max(
            float(self.hamas.weapons.sum() + self.others.weapons.sum()), 1.0
        )
        self._sync_armed()
        shape = self.geometry.shape
        self._harm_by_cell = np.zeros(shape)
        self._incidents_by_cell = np.zeros(shape)
        self._area: np.ndarray = np.zeros(shape, dtype=bool)
        self._isf_cells = np.zeros(shape)
        self._isf_density = np.zeros(shape)
        self._presence_stack = np.zeros((len(ForceCategory), *shape))
        # Views of the stack, rewritten in place each day (built once).
        self._presence = SecurityPresence.from_stack(self._presence_stack)
        self._deploy_fields = np.zeros((5, *shape))
        self._deploy_views = tuple(self._deploy_fields)  # views, rewritten in place
        self._hidden = (np.zeros(0, dtype=bool), np.zeros(0, dtype=bool), np.zeros(0, dtype=bool))
        self._deploy_weights = np.zeros(shape)
        self._targets = np.zeros((3, *shape))  # the force's reach, police, the IDF's front
        self._force_fields = np.zeros((4, *shape))  # see violence.force_fields
        self._deployed = False  # whether any contingent has troops today
        self._fired_today = 0
        self._land_cells = float(self.geometry.land.sum())
        self._cover = 0.0
        self.timings: dict[str, float] = {}
        self._idf_cache: tuple[int, FloatGrid, FloatGrid, np.ndarray] = (
            -1,
            np.zeros(0),
            np.zeros(0),
            np.zeros(0, dtype=bool),
        )

    # -- the day ---------------------------------------------------------------------------

    def step(self) -> None:
        """Advance one day."""
        clock = time.perf_counter()
        day, levers = self.day, self.politics.levers
        self._fire_events(day)
        if day % REVIEW_DAYS == 0:
            self._review_contingents(day, levers)
        for contingent in self.contingents:
            contingent.advance(day)
        self.police.train(day, pace=governance_factor(levers.governance_support, self.effects))
        troops = self._troops_by_category(day)
        self._move_lines(day, self._effective_troops(troops), levers)
        presence, density, force_deter, security = self._deploy(troops)
        armed = np.minimum(self.hamas.fighters, self.hamas.weapons) + np.minimum(
            self.others.fighters, self.others.weapons
        )
        hostility = self._hostility(levers.hamas_compliance)
        secure = self.territory.secure_cells(density, hostility, self._area, security, armed)
        total = float(troops.sum())
        aid = self.aid.deliver(day, self.ground, secure, total, self.ceasefire.collapsed)
        clock = self._lap("forces", clock)
        self.ground.set_security(presence)
        self.ground.step()
        clock = self._lap("ground", clock)
        self._take_recruits(self.view.recruits)
        violence = self._violence(presence, force_deter, self.view.grievance)
        self._casualties(day, violence)
        self._disarm(levers, force_deter)
        rebuilt, repair = self.rebuild.step(
            self.territory.secure_days,
            self.territory,
            self.ground.damage_view(),
            levers.governance_support,
            self.events.funding_factor,
        )
        self.ground.add_damage(-repair)
        self.ceasefire.update(day, self._conditions(levers, violence))
        self._record(day, violence, troops, secure, aid, rebuilt)
        clock = self._lap("forces", clock)
        self._politics(day)
        self._lap("bargaining", clock)
        self.day += 1

    def _conditions(self, levers: Levers, violence: DayViolence) -> Conditions:
        """What the collapse hazard reads today (absolute terms, see :mod:`.ceasefire`)."""
        cover = force_cover(
            self.view.population,
            self._area,
            self._isf_cells,
            self.effects.density_contested.value,
        )
        self._cover = cover
        return Conditions(
            cover=cover,
            guarantor=self._guarantor(),
            compliance=levers.hamas_compliance,
            violence=violence.incidents + violence.strikes,
        )

    def _lap(self, part: str, since: float) -> float:
        """Add the time since ``since`` to ``part``'s total; return now."""
        now = time.perf_counter()
        self.timings[part] = self.timings.get(part, 0.0) + now - since
        return now

    # -- forces ----------------------------------------------------------------------------

    def _fire_events(self, day: int) -> None:
        """Fire today's dated events; apply ultimatums whose deadline passes unmet."""
        fired = self.events.fire(day)
        self.week.fired_events.extend(e.id for e in fired)
        self.week.shocks.extend(EventSchedule.shocks(fired))
        expiries = self.events.expiring(day, self._decommissioned_share())
        for expiry in expiries:
            if expiry.met:
                continue
            ultimatum = expiry.event
            self.strike_policy = ultimatum.strike_policy_on_expiry
            if ultimatum.held_share_on_expiry is not None:
                floor = ultimatum.held_share_on_expiry.value
                self.territory.floor_share = max(self.territory.floor_share, floor)
            self.week.fired_events.append(f"{ultimatum.id}_expired_unmet")
        self._fired_today = len(fired) + sum(not e.met for e in expiries)

    def _review_contingents(self, day: int, levers: Levers) -> None:
        """Each contributor's weekly decision: deploy, hold or withdraw."""
        mandate = self.spec.mandate
        context = ConditionContext(
            hamas_consent=self._hamas_consent(levers),
            mandate=mandate.resolution is not Resolution.NONE and self._mandate_in_force(day),
            us_lead=self.spec.forces.us_support.troops.value > 0,
            collapsed=self.ceasefire.collapsed,
        )
        patience = self.effects.contributor_patience_days.value
        for contingent in self.contingents:
            was = contingent.withdrawn
            failed = failed_condition(contingent.spec, levers.dimensions, levers.branches, context)
            contingent.review(day, failed, self.events.suspension(contingent.key, day), patience)
            if contingent.withdrawn and not was:
                self.week.withdrawals.append(contingent.key)

    def _hamas_consent(self, levers: Levers) -> float:
        """Hamas's consent to the force: its stance, or its compliance under a disarmament deal."""
        state = levers.dimensions.get("hamas_disarmament")
        deal = levers.hamas_compliance if state is not None and state.deal else 0.0
        return max(self._presence_consent, deal)

    def _mandate_in_force(self, day: int) -> bool:
        """Whether the Security Council authorisation still runs (``mandate.duration_days``)."""
        return day < self.spec.mandate.duration_days.value

    def _troops_by_category(self, day: int) -> np.ndarray:
        """Troops present per ISF category (arab_muslim, hamas_channel, other).

        Also keeps today's strength of each contingent, which later steps of the day reuse.
        """
        lag = self.effects.withdrawal_days.value
        strengths = [c.strength(day, lag) for c in self.contingents]
        self._strengths = np.array(strengths)
        self._deployed = any(strengths)  # numpy's any() costs ~4 us on five numbers
        # Summed in order, as numpy sums fewer than eight numbers (the same bits), in Python:
        # numpy's masked sums cost ~2.4 us for five contingents.
        total = coercing = 0.0
        for strength, coerces in zip(strengths, self._coerces, strict=True):
            total += strength
            coercing += strength if coerces else 0.0
        self._coercing = coercing / total if total > 0 else 0.0
        return np.bincount(self._category_index, weights=self._strengths, minlength=3)

    def _effective_troops(self, troops: np.ndarray) -> float:
        multiplier = self.spec.forces.us_support.coordination_multiplier.value
        roe = self._roe
        police = self.police.officers * (1 + self.effects.local_police_bonus.value)
        return float(troops.sum() * multiplier * roe + police)

    def _move_lines(self, day: int, effective: float, levers: Levers) -> None:
        """The force takes sectors (police deploy with it, never alone); the IDF's line moves."""
        fighters = self.hamas.fighters + self.others.fighters
        self.territory.expand(
            day,
            effective if self._deployed else 0.0,
            self.view.population,
            self._presence_consent,
            self._can_coerce(levers.mandate_robust),
            fighters,
        )
        weekly = float(sum(self._weekly_incidents[-7:]))
        self.territory.update_line(
            day,
            levers.withdrawal_will,
            weekly,
            self.ceasefire.collapsed,
            self._decommissioned_share(),
        )

    def _decommissioned_share(self) -> float:
        """Cumulative share of the armed groups' initial weapons decommissioned."""
        done = self.hamas.decommissioned + self.others.decommissioned
        return float(min(1.0, done / self._initial_weapons))

    def _deploy(
        self, troops: np.ndarray
    ) -> tuple[SecurityPresence, FloatGrid, FloatGrid, FloatGrid]:
        """Personnel per cell, security density per 1,000 residents, deterrence and security.

        Troops spread over the force's area by population; a force that holds no ground waits
        at staging (the IDF-held part of the entry sector), next to the line.
        """
        territory, effects = self.territory, self.effects
        area = self._area = territory.force_area()
        weights = self._deploy_weights
        kernels.deploy_weights(area, territory.staging(), self.view.population, weights)
        idf, _ = self._idf_layout()
        kernels.deploy_into(
            weights,
            self.view.population,
            troops,
            self.police.officers,
            idf,
            self.hamas.fighters,
            self.others.fighters,
            self._hamas_hidden(area),
            self.spec.forces.us_support.coordination_multiplier.value * self._roe,
            1.0 + effects.local_police_bonus.value,
            effects.decisive_force_ratio.value,
            PER_THOUSAND,
            self._presence_stack,
            self._deploy_fields,
        )
        isf_cells, isf_density, security, density, force_deter = self._deploy_views
        self._isf_cells, self._isf_density = isf_cells, isf_density
        return self._presence, density, force_deter, security

    def _hamas_hidden(self, area: BoolGrid) -> BoolGrid:
        """Where Hamas's security stands down: the force's area and the IDF-held ground.

        Kept while both masks are the same arrays (the area is cached by the territory until
        it changes; a moved line is a new array).
        """
        held = self.territory.idf_held
        if self._hidden[0] is not area or self._hidden[1] is not held:
            self._hidden = (area, held, area | held)
        return self._hidden[2]

    def _idf_layout(self) -> tuple[FloatGrid, FloatGrid]:
        """IDF troops per cell and their reach across the line (cached until the line moves)."""
        version = self.territory.line_version
        if self._idf_cache[0] != version:
            held = self.territory.idf_held
            land = self.geometry.land
            per_cell = self.effects.idf_troops_in_held_area.value / max(float(held.sum()), 1.0)
            troops: FloatGrid = np.where(held, per_cell, 0.0)
            front: FloatGrid = np.where(land & ~held, box_sum(troops, 1) / 9.0, 0.0)
            self._idf_cache = (version, troops, front, front_cells(held, land))
        return self._idf_cache[1], self._idf_cache[2]

    def _front(self) -> np.ndarray:
        """Cells on the near side of the line (cached with the IDF's layout)."""
        self._idf_layout()
        return self._idf_cache[3]

    def _hostility(self, compliance: float) -> FloatGrid:
        """Local hostility in [0, 1]: Hamas's non-compliance and the cell's grievance, blended.

        A new array each day (callers may keep it), blended and clipped in place.
        """
        grievance = self.view.grievance
        hostility = np.empty(grievance.shape)
        weight = self.effects.hostility_compliance_weight.value
        kernels.hostility_into(grievance.ravel(), weight, compliance, hostility.ravel())
        return hostility

    def _can_coerce(self, mandate_robust: bool) -> bool:
        return (
            mandate_robust
            and self._coercive_mandate
            and self._mandate_in_force(self.day)
            and "no_mandate" not in self.politics.levers.branches.values()
        )

    def _coercing_share(self) -> float:
        """Share of today's troops in contingents whose rules allow coercion."""
        return self._coercing

    def _guarantor(self) -> float:
        return self._guarantee

    def _guarantee_of(self) -> float:
        """The guarantor term of the hazard: US troops and a resolution (fixed for a run)."""
        us = self.spec.forces.us_support.troops.value > 0
        mandated = self.spec.mandate.resolution is not Resolution.NONE
        weight = self.effects.guarantor_weight_us.value
        return weight * us + (1.0 - weight) * mandated

    # -- violence and its consequences -------------------------------------------------------

    def _violence(
        self, presence: SecurityPresence, force_deter: FloatGrid, grievance: FloatGrid
    ) -> DayViolence:
        rng, effects = self.streams.prepared("violence", hold), self.effects
        compliance = 0.0 if self.ceasefire.collapsed else self.politics.levers.hamas_compliance
        harm = np.empty(self.geometry.shape)
        fire = np.empty(self.geometry.shape)
        targets = self._targets  # the force's reach is written by the call below
        targets[1] = presence.personnel[ForceCategory.POLICE]
        targets[2] = self._idf_layout()[1]  # the IDF's reach across the line
        factor = strike_factor(self._policy(), effects)
        # Contact: fighters reach the force's troops in their own and the neighbouring cells, so
        # a force next to ground it does not hold (staging, handed-over strips) meets them too.
        out = violence_day(
            (rng, self.streams.prepared("line_fire", hold)),
            self._rates,
            (self._fighters, np.array([compliance, 0.0]), force_deter, grievance),
            (self._isf_cells, self._isf_density, self._deployed),
            targets,
            (
                self.view.population,
                self._front(),
                self._area,
                effects.line_fire_deaths_per_day.value * factor,
            ),
            effects,
            (self._force_fields, self._incidents_by_cell, harm, fire),
            constants=self._violence_constants,
        )
        destroyed = strike(
            rng,
            out,
            harm,
            self.hamas,
            effects,
            factor,
            self.spec.idf.strike_probability.value,
            self.ceasefire.collapsed,
        )
        if destroyed is not None:
            self.ground.add_damage(destroyed)
        # (the call counted the deaths along the line: whole numbers, so their sum is exact)
        harm += fire
        out.civilian_deaths = float(harm.sum())
        out.harm_by_cell = harm
        self._harm_by_cell = harm
        return out

    def _policy(self) -> StrikePolicy:
        """Today's strike policy: the scenario's (or an expired ultimatum's); heavy at war."""
        return StrikePolicy.HEAVY if self.ceasefire.collapsed else self.strike_policy

    def _casualties(self, day: int, violence: DayViolence) -> None:
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
        self.week.incidents += violence.incidents
        self.week.civilian_deaths += violence.civilian_deaths
        self._weekly_incidents.append(violence.incidents)

    def _disarm(self, levers: Levers, force_deter: FloatGrid) -> None:
        """Weapons handed in where the force holds ground (consent) or seized (coercion)."""
        e = self.effects
        area = self._area
        compliance = 0.0 if self.ceasefire.collapsed else levers.hamas_compliance
        coercion = e.coercive_disarmament_rate.value * self._coercing_share()
        if not self._can_coerce(levers.mandate_robust):
            coercion *= e.coercion_needs_mandate.value
        consent = self.spec.hamas.consent_decommission_rate.value * compliance
        if coercion <= 0.0 and (consent <= 0.0 or not area.any()):
            return  # nothing can be handed in or seized today
        before = self.hamas.decommissioned + self.others.decommissioned
        total_before = float(self.hamas.weapons.sum() + self.others.weapons.sum()) + before
        self.hamas.decommission(consent, area, coercion, force_deter)
        self.others.decommission(0.0, area, coercion, force_deter)
        after = self.hamas.decommissioned + self.others.decommissioned
        self.week.weapons_decommissioned_share += (after - before) / max(total_before, 1.0)
        self._sync_armed()

    def _take_recruits(self, recruits: FloatGrid) -> None:
        """Attrition of the groups' fighters, then recruits join (Hamas takes its share)."""
        share_hamas = self.effects.hamas_recruit_share.value
        kernels.join_groups(
            self._fighters,
            np.ascontiguousarray(recruits, dtype=np.float64),
            np.array([share_hamas, 1.0 - share_hamas]),
            self.ground.spec.recruitment.attrition_per_day.value,
        )

    def _sync_armed(self) -> None:
        """The ground layer's armed field mirrors the groups' fighters (one source of truth)."""
        self.ground.set_armed_groups(self._fighters)

    # -- records and politics -------------------------------------------------------------------

    def map_fields(self) -> dict[str, FloatGrid]:
        """Today's per-cell fields for map snapshots (see :mod:`sim.model.maps`)."""
        population = self.view.population
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
            "grievance": self.view.grievance,
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
        view = self.view
        sums = kernels.record_sums(
            view.population,
            view.legitimacy,
            view.grievance,
            view.actives,
            secure,
            self.territory.idf_held,
            self._fighters,
            self._weapons,
        )
        people = max(float(sums[0]), 1.0)
        # In the order of DayViolence.RECORDED, then RECORDED_BY_MODEL (sim/model/outcomes.py);
        # the rows were looked up once, in __init__.
        values = [
            *violence.record_values(),
            float(self.ceasefire.status),
            float(troops.sum()),
            self.police.officers,
            float(sum([c.withdrawn for c in self.contingents])),
            float(self.territory.sectors.taken),
            float(sums[5]) / self._land_cells,
            float(sums[4]) / people,
            float(sums[6]),
            float(sums[7]),
            self.hamas.decommissioned + self.others.decommissioned,
            aid["delivered_trucks"],
            aid["delivered_share"],
            rebuilt,
            float(sums[1]) / people,
            float(sums[2]) / people,
            float(sums[3]) / people,
            self.politics.levers.hamas_compliance,
            self.ceasefire.hazard,
            self._cover,
            float(sum([c.holding for c in self.contingents])),
            float(self._fired_today),
        ]
        self.recorder.record_rows(day, self._record_rows, values)
        self._record_politics(day)

    def _record_politics(self, day: int) -> None:
        """``forecast_<dim>`` and ``deal_<dim>``, from a vector rebuilt when the levers change."""
        levers = self.politics.levers
        if self._politics_record[0] is not levers:  # a round returned new levers
            values = self.politics.outcome_record()
            numbers = np.array([float(v) for v in values.values()])  # written as they are
            self._politics_record = (levers, self.recorder.rows(list(values)), numbers)
        _, rows, numbers = self._politics_record
        self.recorder.record_rows(day, rows, numbers)

    def _close_week(self) -> None:
        """End-of-day state the political layer reads at its next round."""
        week = self.week
        week.decommissioned_total_share = self._decommissioned_share()
        week.idf_held_share = float(self.territory.idf_held.sum()) / self._land_cells
        week.deployed = {
            c.key: float(strength)
            for c, strength in zip(self.contingents, self._strengths, strict=True)
        }

    def _politics(self, day: int) -> None:
        """Hand the week to the bargaining layer on round days, in the scenario's coupling form."""
        if self.ceasefire.collapse_day == day:
            self.week.ceasefire_collapsed = True
        if not self.politics.due(day):
            return
        self._close_week()  # what the round reads of the week (only read on round days)
        form = self.spec.structure.politics_coupling
        if form is CouplingForm.TWO_WAY:
            self.politics.play_round(day, self.week)
        elif form is CouplingForm.ONE_WAY:
            dated = WeekEvents(fired_events=self.week.fired_events, shocks=self.week.shocks)
            self.politics.play_round(day, dated)
        self.week = WeekEvents()

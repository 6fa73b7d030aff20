"""Violence under the ceasefire and after it, vectorised over cells.

A holding ceasefire in Gaza is violent (fact.moh_truce_deaths): IDF fire along the yellow line
(:func:`line_fire`, scaled by the strike policy and buffered where the force holds the front),
strike waves answering attacks on soldiers, armed groups' attacks, clan clashes and reprisals.

Per cell and day, a group's attacks are Poisson with mean

    rate / 1000 * fighters * (1 - compliance) * (1 - deterrence) * (b + grievance)

with b = ``effects.attack_grievance_baseline``, and where deterrence grows with the local ratio of
security personnel to fighters and reaches 90% at the decisive ratio (the Dupuy Institute's
10:1). Attacks are shared among the targets present in the cell (force, police, the IDF along
the line, rival fighters) in proportion to exposure.
Deaths per attack fall with the force's local density, scaled so that the literature's
protection ratios (Hultman, Kathman and Shannon 2013 for civilians, 2014 for battle deaths) are
reached at the hostile-setting density (Quinlivan); police alone give no protection.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import ClassVar

import mesa
import numpy as np

from sim.ground.interfaces import BoolGrid, FloatGrid
from sim.ground.kernels import for_stream
from sim.ground.stencils import box_sum
from sim.ground.streams import KernelStream
from sim.model import kernels as model_kernels
from sim.model import violence_kernels as kernels
from sim.scenario.effects import EffectsSpec
from sim.scenario.forces import ArmedGroup, StrikePolicy

LN10 = float(np.log(10.0))


TARGETS = ("isf", "police", "idf", "rivals")
"""Order of the target axis in the attack arrays."""


@dataclass
class DayViolence:
    """Everything violent that happened today (Strip-wide totals and per-cell harm)."""

    attacks_on_isf: float = 0.0
    attacks_on_police: float = 0.0
    attacks_on_idf: float = 0.0
    attacks_on_rivals: float = 0.0
    reprisals: float = 0.0
    strikes: float = 0.0
    civilian_deaths: float = 0.0
    strike_civilian_deaths: float = 0.0
    reprisal_deaths: float = 0.0
    isf_deaths: float = 0.0
    police_deaths: float = 0.0
    idf_deaths: float = 0.0
    line_fire_deaths: float = 0.0
    fighters_killed: float = 0.0
    harm_by_cell: FloatGrid | None = None

    RECORDED: ClassVar[tuple[str, ...]] = (
        "attacks_on_isf",
        "attacks_on_police",
        "attacks_on_idf",
        "attacks_on_rivals",
        "reprisals",
        "strikes",
        "civilian_deaths",
        "isf_deaths",
        "police_deaths",
        "idf_deaths",
        "line_fire_deaths",
        "incidents",
        "palestinians_killed",
    )
    """The daily series (:mod:`sim.model.outcomes`) a day's violence fills, in
    :meth:`record_values` order."""

    def record(self) -> dict[str, float]:
        """The day's values under their daily-series names (sim.model.outcomes)."""
        return dict(zip(self.RECORDED, self.record_values(), strict=True))

    def record_values(self) -> tuple[float, ...]:
        """The day's values in :attr:`RECORDED` order."""
        return _RECORDED_VALUES(self)

    @property
    def palestinians_killed(self) -> float:
        """Civilians and fighters killed (the health ministry's count does not separate them)."""
        return self.civilian_deaths + self.fighters_killed

    @property
    def incidents(self) -> float:
        """Attacks of every kind plus reprisals."""
        return (
            self.attacks_on_isf
            + self.attacks_on_police
            + self.attacks_on_idf
            + self.attacks_on_rivals
            + self.reprisals
        )


_RECORDED_VALUES = operator.attrgetter(*DayViolence.RECORDED)  # every one a float


def deterrence(security: FloatGrid, fighters: FloatGrid, decisive_ratio: float) -> FloatGrid:
    """Share of attacks prevented, from the local security-to-fighter ratio."""
    ratio = security / np.maximum(fighters, 1.0)
    return 1.0 - np.exp(-LN10 * ratio / decisive_ratio)


def protection(density: FloatGrid, hostile_density: float, *ratios: float) -> list[FloatGrid]:
    """Factors on deaths per attack: 1 with no force, each ``ratio`` at the hostile density."""
    reach = np.clip(density / hostile_density, 0.0, 1.0)
    return [np.exp(reach * np.log(ratio)) for ratio in ratios]


@dataclass(frozen=True)
class GroupRates:
    """Attack and reprisal rates of the armed groups, stacked (Hamas first, then the others)."""

    attack: np.ndarray
    reprisal: np.ndarray
    police_exposure: float
    idf_exposure: float
    grievance_baseline: float  # effects.attack_grievance_baseline (b above)

    def exposure_by_target(self) -> np.ndarray:
        """Exposure of the force, the police and the IDF to attacks (the target axis' order)."""
        return np.array([1.0, self.police_exposure, self.idf_exposure])

    @classmethod
    def of(
        cls,
        police_exposure: float,
        idf_exposure: float,
        grievance_baseline: float,
        *groups: ArmedGroup,
    ) -> GroupRates:
        """Rates per 1,000 fighters per day, as arrays over groups."""
        return cls(
            np.array([g.attack_rate.value for g in groups]) / 1000.0,
            np.array([g.reprisal_rate.value for g in groups]) / 1000.0,
            police_exposure,
            idf_exposure,
            grievance_baseline,
        )


def armed_violence(
    rng: np.random.Generator,
    rates: GroupRates,
    fighters: np.ndarray,
    compliance: np.ndarray,
    deter: FloatGrid,
    grievance: FloatGrid,
    targets: np.ndarray,
    cooperation: FloatGrid,
) -> tuple[np.ndarray, np.ndarray]:
    """Attacks and reprisals of every group in every cell, drawn in one go.

    Args:
        rng: The violence stream.
        rates: Stacked group rates.
        fighters: ``(groups, rows, cols)`` fighters; each group's rivals are the others.
        compliance: ``(groups,)`` compliance with disarmament (0 for groups outside the deal).
        deter: Share of attacks the local security presence prevents.
        grievance: Local grievance in [0, 1].
        targets: ``(3, rows, cols)`` force troops, police and IDF along the line, per cell.
        cooperation: How much people work with the force locally, in [0, 1].

    Returns:
        Attacks ``(groups, 4, rows, cols)`` by target (see :data:`TARGETS`) and reprisals
        ``(groups, rows, cols)``.
    """
    groups, rows, cols = fighters.shape
    exposure_by_target = rates.exposure_by_target()
    means = np.empty((groups, len(TARGETS), rows, cols))
    kernels.attack_means(
        rates.attack,
        exposure_by_target,
        rates.grievance_baseline,
        _floats(fighters),
        _floats(compliance),
        _floats(deter),
        _floats(grievance),
        _floats(targets),
        means,
    )
    reprisal = np.empty((groups, rows, cols))
    kernels.reprisal_means(
        rates.reprisal, _floats(fighters), _floats(deter), _floats(cooperation), reprisal
    )
    return scattered_poisson(rng, means), scattered_poisson(rng, reprisal)


def _floats(values: np.ndarray) -> np.ndarray:
    """A C-contiguous float64 array (the kernels' input type); no copy when it already is."""
    return np.ascontiguousarray(values, dtype=np.float64)


def scattered_poisson(rng: np.random.Generator, mean: np.ndarray) -> np.ndarray:
    """Independent Poisson counts with the given means, drawn as one total then scattered.

    A sum of independent Poisson counts is Poisson with the summed mean, and given the total the
    counts are multinomial in proportion to the means; drawing it that way is exact and much
    cheaper than one draw per element when, as here, almost every mean is tiny.
    """
    counts = np.empty(mean.shape)
    kernels.scattered_poisson_into(rng, _floats(mean).ravel(), counts.ravel())
    return counts


def scatter(rng: np.random.Generator, weights: np.ndarray, events: int) -> np.ndarray:
    """Counts of ``events`` placed at random in proportion to the flat ``weights``."""
    counts = np.zeros(weights.size)
    if events > 0:
        kernels.scatter_into(rng, _floats(weights).ravel(), int(events), counts)
    return counts


def strike_factor(policy: StrikePolicy, effects: EffectsSpec) -> float:
    """Strikes and their harm relative to a proportional policy."""
    if policy is StrikePolicy.RESTRAINED:
        return effects.restrained_strike_factor.value
    if policy is StrikePolicy.HEAVY:
        return effects.heavy_strike_factor.value
    return 1.0


class Arsenal(mesa.Agent):
    """An armed group as a Mesa agent: its fighters and weapons per cell (weapons follow fighters).

    Args:
        model: The owning model.
        name: ``"hamas"`` or ``"others"``.
        fighters: Fighters per cell.
        weapons: Weapons per cell.
    """

    def __init__(
        self, model: mesa.Model, name: str, fighters: FloatGrid, weapons: FloatGrid
    ) -> None:
        super().__init__(model)
        self.name = name
        self.fighters = fighters
        self.weapons = weapons
        self.decommissioned = 0.0

    @classmethod
    def spread(cls, model: mesa.Model, name: str, group: ArmedGroup, where: FloatGrid) -> Arsenal:
        """Distribute the group's fighters and weapons in proportion to ``where``."""
        share = where / max(float(where.sum()), 1e-12)
        return cls(model, name, group.fighters.value * share, group.weapons.value * share)

    def decommission(
        self, consent_share: float, area: BoolGrid, coercion_rate: float, deter: FloatGrid
    ) -> None:
        """Weapons handed in and seized where the force holds ground, in one compiled pass.

        ``consent_share`` of the weapons a day where the force holds ground, plus
        ``coercion_rate`` times the local deterrence; fighters who lose their arms demobilise in
        proportion (see :func:`sim.model.kernels.decommission_into`).
        """
        self.decommissioned += model_kernels.decommission_into(
            self.weapons, self.fighters, consent_share, area, coercion_rate, deter
        )


def front_cells(held: BoolGrid, land: BoolGrid) -> BoolGrid:
    """Land cells outside the IDF-held area that touch it (the line's near side)."""
    return land & ~held & (box_sum(held.astype(float), 1) > 0.0)


def line_fire(
    rng: KernelStream,
    population: FloatGrid,
    front: BoolGrid,
    buffered: BoolGrid,
    deaths_per_day: float,
    factor: float,
    buffer_efficacy: float,
) -> FloatGrid:
    """Deaths from IDF fire along the line today, per cell.

    Poisson with mean ``deaths_per_day * factor`` times the front's exposed share of residents:
    front cells in the force's area count ``1 - buffer_efficacy`` of their residents, the others
    all of them; deaths are placed in proportion to the exposed residents.
    """
    deaths = np.empty(population.shape)
    kernels.line_fire_into(
        rng,
        _floats(population),
        np.ascontiguousarray(front, dtype=np.bool_),
        np.ascontiguousarray(buffered, dtype=np.bool_),
        deaths_per_day * factor,
        buffer_efficacy,
        deaths,
    )
    return deaths


def tally(
    attacks: np.ndarray,
    taken: np.ndarray,
    protect_battle: FloatGrid,
    rng: np.random.Generator,
    effects: EffectsSpec,
) -> DayViolence:
    """The day's totals by target, with the force, police and IDF deaths the attacks cause."""
    e, k = effects, kernels
    values = for_stream(k.tally_day, rng)(
        rng, _floats(attacks), _floats(taken), _floats(protect_battle), _deaths_per_attack(e)
    )
    return _day_violence(values)


def _deaths_per_attack(e: EffectsSpec) -> np.ndarray:
    """Deaths per attack on the force, the police and the IDF (the tally kernel's order)."""
    return np.array(
        [
            e.isf_deaths_per_attack.value,
            e.police_deaths_per_attack.value,
            e.idf_deaths_per_attack.value,
        ]
    )


def _armed_out(values: np.ndarray) -> DayViolence:
    """A day's totals from the armed day's vector: the tally, then the reprisals' deaths."""
    numbers = values.tolist()  # Python floats, read once (cheaper than a float() per item)
    out = _day_violence(numbers)
    out.reprisal_deaths = numbers[kernels.TALLY_SIZE]
    return out


def _day_violence(values: np.ndarray | list[float]) -> DayViolence:
    """A day's totals from the tally kernel's vector."""
    k = kernels
    return DayViolence(
        attacks_on_isf=float(values[k.ON_ISF]),
        attacks_on_police=float(values[k.ON_POLICE]),
        attacks_on_idf=float(values[k.ON_IDF]),
        attacks_on_rivals=float(values[k.ON_RIVALS]),
        reprisals=float(values[k.REPRISALS]),
        isf_deaths=float(values[k.ISF_DEATHS]),
        police_deaths=float(values[k.POLICE_DEATHS]),
        idf_deaths=float(values[k.IDF_DEATHS]),
    )


def armed_day(
    rng: KernelStream,
    rates: GroupRates,
    fighters: np.ndarray,
    compliance: np.ndarray,
    deter: FloatGrid,
    grievance: FloatGrid,
    targets: np.ndarray,
    cooperation: FloatGrid,
    protect: tuple[FloatGrid, FloatGrid],
    effects: EffectsSpec,
    incidents: FloatGrid,
    harm: FloatGrid,
) -> DayViolence:
    """:func:`armed_violence`, :func:`tally` and the civilian harm of crossfire and reprisals.

    One compiled pass with the same draws in the same order. ``protect`` holds the civilian and
    battle-death factors (:func:`protection_factors`); ``incidents`` receives attacks plus
    reprisals per cell and ``harm`` the civilian deaths per cell.
    """
    protect_civ, protect_battle = protect
    values = kernels.armed_day(
        rng,
        rates.attack,
        rates.reprisal,
        rates.exposure_by_target(),
        rates.grievance_baseline,
        _floats(fighters),
        _floats(compliance),
        _floats(deter),
        _floats(grievance),
        _floats(targets),
        _floats(cooperation),
        _floats(protect_battle),
        _floats(protect_civ),
        _deaths_per_attack(effects),
        effects.civilian_deaths_per_attack.value,
        effects.civilian_deaths_per_reprisal.value,
        incidents,
        harm,
    )
    return _armed_out(values)


FIRE_MEAN_SLOT = kernels.VIOLENCE_DAY_PARAMETERS.index("line_fire_mean")
"""Where today's expected deaths along the line go in :func:`violence_day`'s parameters."""


@dataclass(frozen=True)
class ViolenceConstants:
    """What :func:`violence_day` reads of the effects and rates that is fixed for a run.

    Built once per run (the effects do not change within a run) instead of every day: the
    kernel's parameters (today's line-fire mean left at 0), the deaths per attack by target and
    the targets' exposure.
    """

    parameters: np.ndarray
    deaths_per_attack: np.ndarray
    exposure: np.ndarray

    @classmethod
    def of(cls, effects: EffectsSpec, rates: GroupRates) -> ViolenceConstants:
        """The constants of ``effects`` and ``rates``."""
        e = effects
        parameters = np.array(
            [
                e.density_hostile.value,
                _log_ratio(e.civilian_harm_8000_troops.value, e.civilian_harm_no_troops.value),
                _log_ratio(e.battle_deaths_10000_troops.value, e.battle_deaths_no_troops.value),
                e.density_peaceful.value,
                e.civilian_deaths_per_attack.value,
                e.civilian_deaths_per_reprisal.value,
                0.0,
                e.line_buffer_efficacy.value,
            ]
        )
        return cls(parameters, _deaths_per_attack(e), rates.exposure_by_target())


def violence_day(
    streams: tuple[KernelStream, KernelStream],
    rates: GroupRates,
    groups: tuple[np.ndarray, np.ndarray, FloatGrid, FloatGrid],
    force: tuple[FloatGrid, FloatGrid, bool],
    targets: np.ndarray,
    line: tuple[FloatGrid, BoolGrid, BoolGrid, float],
    effects: EffectsSpec,
    buffers: tuple[np.ndarray, FloatGrid, FloatGrid, FloatGrid],
    constants: ViolenceConstants | None = None,
) -> DayViolence:
    """:func:`force_fields`, :func:`armed_day` and :func:`line_fire` in one compiled call.

    The same numbers and draws as the three calls (the fire has its own stream).

    Args:
        streams: The violence stream and the line-fire stream.
        rates: Stacked group rates.
        groups: Fighters ``(groups, rows, cols)``, compliance ``(groups,)``, deterrence and
            grievance, as :func:`armed_day` takes them.
        force: The force's troops per cell, its density and whether it spreads its reach.
        targets: ``(3, rows, cols)``: the force's reach (written here), police and the IDF's
            front (filled by the caller).
        line: Residents, the line's near side, the force's area (buffered) and today's
            expected deaths along the line (:func:`line_fire`'s ``deaths_per_day * factor``).
        effects: Effect sizes.
        buffers: Receive the force's four fields (:func:`force_fields`), the incidents and the
            civilian harm per cell (:func:`armed_day`) and the line's deaths per cell.
        constants: ``ViolenceConstants.of(effects, rates)``, built once for a run (made here
            when not given).
    """
    fighters, compliance, deter, grievance = groups
    isf_cells, isf_density, spread = force
    population, front, buffered, fire_mean = line
    fields, incidents, harm, fire = buffers
    fixed = constants if constants is not None else ViolenceConstants.of(effects, rates)
    parameters = fixed.parameters.copy()
    parameters[FIRE_MEAN_SLOT] = fire_mean
    values = kernels.violence_day(
        streams[0],
        streams[1],
        rates.attack,
        rates.reprisal,
        fixed.exposure,
        rates.grievance_baseline,
        fighters,
        compliance,
        _floats(deter),
        _floats(grievance),
        _floats(isf_cells),
        _floats(isf_density),
        spread,
        parameters,
        targets,
        fixed.deaths_per_attack,
        _floats(population),
        np.ascontiguousarray(front, dtype=np.bool_),
        np.ascontiguousarray(buffered, dtype=np.bool_),
        fields,
        incidents,
        harm,
        fire,
    )
    out = _armed_out(values)
    out.line_fire_deaths = float(values[kernels.TALLY_SIZE + 1])
    return out


def protection_factors(isf_density: FloatGrid, effects: EffectsSpec) -> tuple[FloatGrid, FloatGrid]:
    """Factors on civilian and battle deaths per attack from the force's local troop density."""
    e = effects
    density = _floats(isf_density).reshape(1, -1)  # any shape, as a grid
    civ, battle = np.empty(density.shape), np.empty(density.shape)
    kernels.protection_into(
        density,
        e.density_hostile.value,
        _log_ratio(e.civilian_harm_8000_troops.value, e.civilian_harm_no_troops.value),
        _log_ratio(e.battle_deaths_10000_troops.value, e.battle_deaths_no_troops.value),
        civ,
        battle,
    )
    return civ.reshape(np.shape(isf_density)), battle.reshape(np.shape(isf_density))


@functools.lru_cache(maxsize=64)
def _log_ratio(numerator: float, denominator: float) -> float:
    """``log(numerator / denominator)``, kept: the parameters are fixed for a run (read daily)."""
    return float(np.log(numerator / denominator))


def force_fields(
    isf_cells: FloatGrid, isf_density: FloatGrid, spread: bool, effects: EffectsSpec
) -> np.ndarray:
    """Civilian and battle-death factors, cooperation and the force's reach, stacked.

    The same numbers as :func:`protection_factors`, ``clip(density / peaceful density, 0, 1)``
    and the force's troops over the cell and its neighbours (``box_sum(isf, 1) / 9``) when
    ``spread``, else its troops in the cell.
    """
    e = effects
    out = np.empty((4, *isf_cells.shape))
    kernels.force_fields_into(
        _floats(isf_cells),
        _floats(isf_density),
        e.density_hostile.value,
        _log_ratio(e.civilian_harm_8000_troops.value, e.civilian_harm_no_troops.value),
        _log_ratio(e.battle_deaths_10000_troops.value, e.battle_deaths_no_troops.value),
        e.density_peaceful.value,
        spread,
        out,
    )
    return out


def strike(
    rng: KernelStream,
    out: DayViolence,
    harm: FloatGrid,
    hamas: Arsenal,
    effects: EffectsSpec,
    factor: float,
    strike_probability: float,
    collapsed: bool,
) -> FloatGrid | None:
    """IDF strikes today: answers to attacks, waves after soldiers are killed, war strikes.

    Each attack on the IDF draws a strike with probability ``strike_probability * factor``;
    each soldier killed draws Poisson(``strikes_per_idf_death * factor``) more; after a
    collapse ``war_strikes_per_day`` more. Strikes land where Hamas's fighters are; their
    civilian deaths are added to ``harm`` and the fighters killed removed. Returns the share of
    each cell's structures destroyed (``None`` without strikes).
    """
    e = effects
    # Draws with nothing to draw (no attacks, a zero mean) are skipped: numpy returns 0 for them
    # without touching the stream, so skipping keeps every later draw the same.
    if not collapsed and out.attacks_on_idf < 1.0 and out.idf_deaths <= 0.0:
        return None  # the usual quiet day: nothing to answer
    attacks, chance = int(out.attacks_on_idf), min(1.0, strike_probability * factor)
    retaliations = rng.binomial(attacks, chance) if attacks > 0 and chance > 0 else 0
    waves_mean = e.strikes_per_idf_death.value * out.idf_deaths * factor
    waves = rng.poisson(waves_mean) if waves_mean > 0 else 0
    war = e.war_strikes_per_day.value if collapsed else 0.0
    strikes = float(retaliations + waves + (rng.poisson(war) if war > 0 else 0))
    if strikes <= 0 or hamas.fighters.sum() <= 0:
        return None
    destroyed: FloatGrid = np.empty(harm.shape)
    civ, killed = kernels.strike_day(
        rng,
        int(strikes),
        hamas.fighters,
        e.civilian_deaths_per_strike.value * factor,
        e.fighters_killed_per_strike.value,
        harm,
        destroyed,
    )
    out.strikes = strikes
    out.strike_civilian_deaths = float(civ)
    out.fighters_killed = float(killed)
    destroyed *= e.damage_per_strike.value * factor
    return destroyed

"""Schema of the ground-model parameters: the Strip's space and people, and Epstein's paper mode.

Two top-level models:

* :class:`GroundSpec`, embedded by the scenario schema as its ``ground:`` section. Tables keyed
  by id (governorates, crossings) are dicts so that a scenario can override one entry; tables
  over the fixed force categories are models with one field per category, so a scenario can
  override one category and keep the defaults of the others.
* :class:`EpsteinSpec` (Model I) and :class:`InterGroupSpec` (Model II), the parameters of
  Epstein (2002), "Modeling civil violence: an agent-based computational approach",
  PNAS 99 suppl. 3, 7243-7250, written with the paper's symbols.

Every number is bounded, carries a unit (:func:`~sim.scenario.provenance.unit_field`) and a
provenance: a source id or an assumption range.

Example:
    >>> spec = GroundSpec()
    >>> spec.governorates["rafah"].area_km2.value
    63.0
    >>> EpsteinSpec().ratio_rule
    'floor'
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.base import Fraction
from sim.scenario.base import StrictModel as _Strict
from sim.scenario.provenance import Sourced, assumed, sourced, unit_field

PositiveKm = Annotated[float, Field(gt=0.0, le=100.0)]
CellKm = Annotated[float, Field(ge=0.1, le=4.0)]
Persons = Annotated[float, Field(ge=0.0, le=1e8)]
Density = Annotated[float, Field(ge=0.0, le=200_000.0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Days = Annotated[float, Field(ge=0.0, le=3650.0)]
Weight = Annotated[float, Field(ge=0.0, le=10.0)]
Degrees = Annotated[float, Field(ge=0.0, le=90.0)]
ArrestConstant = Annotated[float, Field(ge=0.0, le=50.0)]
LatticeSide = Annotated[int, Field(ge=5, le=2000)]
Vision = Annotated[int, Field(ge=1, le=50)]
JailTerm = Annotated[int, Field(ge=0, le=100_000)]
Cohorts = Annotated[int, Field(ge=1, le=64)]

RatioRule = Literal["literal", "floor", "round"]
Neighbourhood = Literal["von_neumann", "moore", "circle"]
Activation = Literal["synchronous", "random_sequential"]
Placement = Literal["exact", "per_site"]

EPSTEIN = "paper.epstein2002"


class GovernorateSpec(_Strict):
    """One governorate: a band across the Strip, ordered from south (0) to north."""

    name: str = Field(description="Display name.", max_length=60)
    band_index: int = Field(ge=0, le=20, description="Position from the south (0 = Rafah).")
    area_km2: Sourced[Annotated[float, Field(gt=0.0, le=400.0)]] = unit_field("Land area", "km2")
    population_prewar: Sourced[Persons] = unit_field("Pre-war population (PCBS)", "persons")
    width_km: Sourced[PositiveKm] = unit_field(
        "Typical width across the Strip (coast to border) in this band", "km"
    )
    initial_damage: Sourced[Fraction] = unit_field(
        "Share of structures damaged or destroyed at the start", "fraction"
    )


def _governorate(
    name: str,
    band: int,
    area: Sourced[float],
    population: Sourced[float],
    width: float,
    damage: float,
) -> GovernorateSpec:
    return GovernorateSpec(
        name=name,
        band_index=band,
        area_km2=area,
        population_prewar=population,
        width_km=assumed(width, width - 2.0, width + 2.0, note="read off a map of the Strip"),
        initial_damage=assumed(damage, max(0.0, damage - 0.25), min(1.0, damage + 0.15)),
    )


def default_governorates() -> dict[str, GovernorateSpec]:
    """The five governorates, south to north, with PCBS areas and pre-war populations."""
    gov = "fact.governorates"
    return {
        "rafah": _governorate(
            "Rafah",
            0,
            sourced(63.0, gov),
            sourced(275_000.0, gov, note="from PCBS density"),
            8.5,
            0.8,
        ),
        "khan_younis": _governorate(
            "Khan Younis",
            1,
            sourced(108.0, gov),
            sourced(438_000.0, gov, note="midpoint of 426,000-451,000"),
            11.5,
            0.6,
        ),
        "deir_al_balah": _governorate(
            "Deir al-Balah",
            2,
            sourced(57.0, gov, note="56-58"),
            sourced(311_000.0, gov, note="mid-2022"),
            7.0,
            0.4,
        ),
        "gaza": _governorate("Gaza", 3, sourced(74.0, gov), sourced(754_000.0, gov), 8.5, 0.7),
        "north_gaza": _governorate(
            "North Gaza", 4, sourced(61.0, gov), sourced(448_000.0, gov), 8.0, 0.8
        ),
    }


class CrossingSpec(_Strict):
    """A crossing point on the Strip's edge, placed by its position along and across the Strip."""

    name: str = Field(max_length=60)
    along_km: Sourced[Annotated[float, Field(ge=0.0, le=60.0)]] = unit_field(
        "Distance from the southern (Egyptian) end along the Strip's axis", "km"
    )
    across_fraction: Sourced[Fraction] = unit_field(
        "Position across the Strip, 0 = coast, 1 = eastern border", "fraction"
    )
    carries: Literal["cargo", "people", "both"] = Field(description="What passes through.")
    is_open: bool = Field(description="Open at the start of a run.")


def _crossing(name: str, along: float, across: float, carries: str, is_open: bool) -> CrossingSpec:
    return CrossingSpec.model_validate(
        {
            "name": name,
            "along_km": assumed(along, max(0.0, along - 2.0), along + 2.0, note="from a map"),
            "across_fraction": assumed(across, max(0.0, across - 0.2), min(1.0, across + 0.2)),
            "carries": carries,
            "is_open": is_open,
        }
    )


def default_crossings() -> dict[str, CrossingSpec]:
    """The five crossings named in the domain facts (``fact.crossings``), at map positions."""
    return {
        "kerem_shalom": _crossing("Kerem Shalom", 0.5, 0.95, "cargo", True),
        "kissufim": _crossing("Kissufim", 21.0, 0.95, "cargo", True),
        "zikim": _crossing("Zikim", 40.5, 0.15, "cargo", True),
        "erez": _crossing("Erez", 40.5, 0.8, "people", False),
        "rafah": _crossing("Rafah", 0.5, 0.45, "people", True),
    }


class StripSpec(_Strict):
    """The Strip's outline: a tapered band along the coast, rotated to its real bearing."""

    length_km: Sourced[PositiveKm] = unit_field(
        "Length along the coast", "km", sourced(41.0, "fact.gaza_length_width")
    )
    area_km2: Sourced[Annotated[float, Field(gt=0.0, le=1000.0)]] = unit_field(
        "Total land area", "km2", sourced(365.0, "fact.gaza_area")
    )
    bearing_deg: Sourced[Degrees] = unit_field(
        "Bearing of the axis from Rafah to Beit Hanoun, clockwise from north",
        "degrees",
        assumed(38.0, 30.0, 45.0, note="from the coordinates of Rafah and Beit Lahia"),
    )
    cell_km: Sourced[CellKm] = unit_field(
        "Side of one grid cell", "km", assumed(1.0, 0.25, 2.0, note="resolution choice")
    )


class ForceTable(_Strict):
    """One value per category of armed actor that can secure a cell."""

    idf: Sourced[Fraction]
    hamas: Sourced[Fraction]
    isf_arab_muslim: Sourced[Fraction]
    isf_hamas_channel: Sourced[Fraction]
    isf_other: Sourced[Fraction]
    police: Sourced[Fraction]


class LegitimacyTable(ForceTable):
    """Legitimacy L in Epstein's sense: how rightful the population judges each securing force."""

    idf: Sourced[Fraction] = unit_field(
        "Legitimacy of the IDF as occupier",
        "fraction",
        assumed(0.05, 0.0, 0.2, note="occupier after a war with >70,000 dead (fact.deaths_2025)"),
    )
    hamas: Sourced[Fraction] = unit_field(
        "Legitimacy of Hamas's de facto authority",
        "fraction",
        assumed(0.7, 0.4, 0.85, note="incumbent authority; acceptance contested after the war"),
    )
    isf_arab_muslim: Sourced[Fraction] = unit_field(
        "Legitimacy of Arab and Muslim-majority contingents (Egypt, Indonesia, Morocco, ...)",
        "fraction",
        assumed(
            0.6,
            0.3,
            0.8,
            note="Palestinian factions called an Arab force a trap: "
            "allisrael_2024.factions_denounce_arab_force",
        ),
    )
    isf_hamas_channel: Sourced[Fraction] = unit_field(
        "Legitimacy of Turkish and Qatari contingents, with their channels to Hamas",
        "fraction",
        assumed(
            0.7,
            0.45,
            0.85,
            note="US officials saw them best able to talk to Hamas: "
            "axios_en.us_wants_turkey_egypt_qatar",
        ),
    )
    isf_other: Sourced[Fraction] = unit_field(
        "Legitimacy of other contingents (non-Muslim-majority states)",
        "fraction",
        assumed(0.45, 0.2, 0.7),
    )
    police: Sourced[Fraction] = unit_field(
        "Legitimacy of vetted Palestinian police trained by Egypt and Jordan",
        "fraction",
        assumed(0.65, 0.35, 0.85),
    )


class DeterrenceTable(ForceTable):
    """Weight of one member of each force in the local force count C of the arrest term."""

    idf: Sourced[Fraction] = unit_field(
        "Deterrence weight of an IDF soldier", "fraction", assumed(1.0, 0.7, 1.0)
    )
    hamas: Sourced[Fraction] = unit_field(
        "Deterrence weight of a Hamas internal-security member", "fraction", assumed(0.8, 0.5, 1.0)
    )
    isf_arab_muslim: Sourced[Fraction] = unit_field(
        "Deterrence weight of an Arab/Muslim ISF soldier",
        "fraction",
        assumed(0.5, 0.2, 0.9, note="contributor caveats cut coercive capacity"),
    )
    isf_hamas_channel: Sourced[Fraction] = unit_field(
        "Deterrence weight of a Turkish or Qatari ISF soldier", "fraction", assumed(0.6, 0.3, 0.9)
    )
    isf_other: Sourced[Fraction] = unit_field(
        "Deterrence weight of another ISF soldier", "fraction", assumed(0.5, 0.2, 0.9)
    )
    police: Sourced[Fraction] = unit_field(
        "Deterrence weight of a Palestinian police officer", "fraction", assumed(0.4, 0.2, 0.8)
    )


class CivilViolenceSpec(_Strict):
    """Epstein's activation rule applied to cohorts of the Strip's population."""

    threshold: Sourced[Fraction] = unit_field(
        "Activation threshold T", "grievance units", sourced(0.1, EPSTEIN)
    )
    arrest_constant: Sourced[ArrestConstant] = unit_field(
        "Arrest-probability constant k", "1", sourced(2.3, EPSTEIN)
    )
    ratio_rule: RatioRule = Field(
        default="literal",
        description="How C/A enters P = 1 - exp(-k f(C/A)): literal, floor or round.",
    )
    vision_cells: Sourced[Annotated[int, Field(ge=0, le=10)]] = unit_field(
        "Radius (Moore) over which forces and actives are counted",
        "cells",
        assumed(1, 0, 3, note="people read the streets around them, ~1-3 km"),
    )
    actives_per_member: Sourced[Annotated[float, Field(gt=0.0, le=1000.0)]] = unit_field(
        "Actives one security member can contain: C counts members times this",
        "persons/member",
        assumed(20.0, 5.0, 100.0),
    )
    hardship_cohorts: Cohorts = Field(
        default=8,
        description="Quantile cohorts of individual hardship; risk aversion R ~ U(0,1) is "
        "integrated exactly within each cohort.",
    )
    hardship_spread: Sourced[Fraction] = unit_field(
        "Half-width of individual hardship around the cell mean (H_i = H (1 + s u), u~U(-1,1))",
        "fraction",
        assumed(0.5, 0.0, 1.0),
    )
    weight_damage: Sourced[Weight] = unit_field(
        "Hardship weight of damage", "1", assumed(0.3, 0.1, 0.6)
    )
    weight_aid_shortfall: Sourced[Weight] = unit_field(
        "Hardship weight of aid shortfall", "1", assumed(0.3, 0.1, 0.6)
    )
    weight_harm: Sourced[Weight] = unit_field(
        "Hardship weight of recent harm (casualties per 1,000 over the memory)",
        "1/(casualties per 1,000)",
        assumed(0.5, 0.1, 2.0),
    )
    weight_displacement: Sourced[Weight] = unit_field(
        "Hardship weight of the displaced share of a cell", "1", assumed(0.15, 0.0, 0.4)
    )
    memory_days: Sourced[Annotated[float, Field(ge=1.0, le=365.0)]] = unit_field(
        "Time constant of the memory of harm and shortfall", "days", assumed(30.0, 7.0, 120.0)
    )
    mean_detention_days: Sourced[Annotated[float, Field(ge=1.0, le=3650.0)]] = unit_field(
        "Mean time detained after arrest (Epstein's J_max / 2)", "days", assumed(15.0, 2.0, 90.0)
    )
    arrests_per_member: Sourced[Annotated[float, Field(ge=0.0, le=10.0)]] = unit_field(
        "Arrests one deterrence-weighted security member can make in a day",
        "arrests/member/day",
        assumed(0.02, 0.005, 0.1),
    )


class RecruitmentSpec(_Strict):
    """Joining armed groups out of grievance."""

    grievance_threshold: Sourced[Fraction] = unit_field(
        "Grievance above which a person may join an armed group",
        "grievance units",
        assumed(0.1, 0.05, 0.4),
    )
    daily_rate: Sourced[Annotated[float, Field(ge=0.0, le=0.01)]] = unit_field(
        "Daily probability of joining per unit of grievance above the threshold",
        "1/day",
        assumed(0.0002, 0.00002, 0.002),
    )
    attrition_per_day: Sourced[Annotated[float, Field(ge=0.0, le=0.1)]] = unit_field(
        "Daily share of armed members who leave or are lost",
        "1/day",
        assumed(0.001, 0.0, 0.01),
    )
    initial_armed: Sourced[Persons] = unit_field(
        "Armed-group members at the start",
        "persons",
        sourced(20_000.0, "fact.hamas_fighters", note="~20,000 Hamas fighters"),
    )


class DisplacementSpec(_Strict):
    """Movement of people toward safer cells."""

    daily_rate: Sourced[Rate] = unit_field(
        "Share of a cell's people who move in a day per unit of danger",
        "1/day",
        assumed(0.05, 0.005, 0.3, note="displacement was large and fast (fact.rafah_displacement)"),
    )
    danger_idf_control: Sourced[Fraction] = unit_field(
        "Danger of a cell held by the IDF", "danger units", assumed(1.0, 0.5, 1.0)
    )
    danger_per_harm: Sourced[Weight] = unit_field(
        "Danger per casualty per 1,000 residents in the memory",
        "danger units",
        assumed(2.0, 0.5, 5.0),
    )
    danger_damage: Sourced[Fraction] = unit_field(
        "Danger of a fully destroyed cell", "danger units", assumed(0.2, 0.0, 0.5)
    )
    max_density: Sourced[Density] = unit_field(
        "Crowding ceiling: a cell at this density takes no more arrivals",
        "persons/km2",
        assumed(40_000.0, 20_000.0, 80_000.0),
    )


class PopulationSpec(_Strict):
    """Where the people are at the start."""

    total: Sourced[Persons] = unit_field(
        "Population at the start",
        "persons",
        sourced(2_100_000.0, "fact.population_2024", note="PCBS end 2024"),
    )
    east_of_line_share: Sourced[Fraction] = unit_field(
        "Share of the people still east of the yellow line",
        "fraction",
        assumed(
            0.01, 0.0, 0.1, note="most of ~2 M live west of the line (fact.density_west_of_line)"
        ),
    )
    displaced_share: Sourced[Fraction] = unit_field(
        "Share of the people away from home at the start",
        "fraction",
        assumed(0.8, 0.5, 0.95),
    )
    coastal_pull: Sourced[Weight] = unit_field(
        "Extra weight of the coast in where the displaced shelter (0 = uniform)",
        "1",
        assumed(1.0, 0.0, 3.0, note="displaced camps crowd the coastal strip"),
    )


class BaselineSpec(_Strict):
    """What the standalone ground model assumes when no forces or aid module drive it."""

    hamas_security: Sourced[Persons] = unit_field(
        "Hamas internal-security members policing the west of the line",
        "persons",
        assumed(10_000.0, 3_000.0, 20_000.0),
    )
    idf_troops: Sourced[Persons] = unit_field(
        "IDF troops holding the east of the line", "persons", assumed(8_000.0, 3_000.0, 30_000.0)
    )
    aid_coverage: Sourced[Annotated[float, Field(ge=0.0, le=3.0)]] = unit_field(
        "Aid delivered as a share of daily need",
        "fraction",
        assumed(0.6, 0.2, 1.2, note="90-600 trucks/day vs ~500 pre-war (fact.aid_trucks_reported)"),
    )
    initial_stock_days: Sourced[Days] = unit_field(
        "Aid stock at the start, in days of need", "days", assumed(7.0, 0.0, 30.0)
    )
    harm_per_day: Sourced[Annotated[float, Field(ge=0.0, le=10_000.0)]] = unit_field(
        "Casualties a day along the yellow line during the ceasefire",
        "persons/day",
        assumed(3.0, 0.0, 20.0),
    )


class GroundSpec(_Strict):
    """The ground layer: space, population and civil violence (the scenario's ``ground:``)."""

    strip: StripSpec = Field(default_factory=StripSpec)
    governorates: dict[str, GovernorateSpec] = Field(default_factory=default_governorates)
    crossings: dict[str, CrossingSpec] = Field(default_factory=default_crossings)
    yellow_line_share: Sourced[Fraction] = unit_field(
        "Share of the Strip held by the IDF (east of the yellow line)",
        "fraction",
        sourced(0.55, "fact.yellow_line_share", note="53-58% after the Oct 2025 ceasefire"),
    )
    population: PopulationSpec = Field(default_factory=PopulationSpec)
    civil_violence: CivilViolenceSpec = Field(default_factory=CivilViolenceSpec)
    legitimacy: LegitimacyTable = Field(default_factory=LegitimacyTable)
    deterrence: DeterrenceTable = Field(default_factory=DeterrenceTable)
    legitimacy_none: Sourced[Fraction] = unit_field(
        "Legitimacy in a cell nobody secures (grievance against the order at large)",
        "fraction",
        assumed(0.3, 0.1, 0.6),
    )
    recruitment: RecruitmentSpec = Field(default_factory=RecruitmentSpec)
    displacement: DisplacementSpec = Field(default_factory=DisplacementSpec)
    baseline: BaselineSpec = Field(default_factory=BaselineSpec)

    @model_validator(mode="after")
    def _bands_are_a_sequence(self) -> GroundSpec:
        bands = sorted(g.band_index for g in self.governorates.values())
        if bands != list(range(len(bands))):
            raise ValueError(
                f"governorate band_index values must be 0..n-1 without gaps, got {bands}"
            )
        return self


class EpsteinSpec(_Strict):
    """Epstein's Model I on a torus lattice, with the paper's symbols (defaults: Run 2)."""

    width: Sourced[LatticeSide] = unit_field("Lattice width", "sites", sourced(40, EPSTEIN))
    height: Sourced[LatticeSide] = unit_field("Lattice height", "sites", sourced(40, EPSTEIN))
    citizen_density: Sourced[Fraction] = unit_field(
        "Initial citizen density", "agents/site", sourced(0.7, EPSTEIN)
    )
    cop_density: Sourced[Fraction] = unit_field(
        "Initial cop density", "cops/site", sourced(0.04, EPSTEIN)
    )
    citizen_vision: Sourced[Vision] = unit_field("Citizen vision v", "sites", sourced(7, EPSTEIN))
    cop_vision: Sourced[Vision] = unit_field("Cop vision v*", "sites", sourced(7, EPSTEIN))
    legitimacy: Sourced[Fraction] = unit_field("Legitimacy L", "1", sourced(0.82, EPSTEIN))
    max_jail_term: Sourced[JailTerm] = unit_field(
        "Maximum jail term J_max", "steps", sourced(30, EPSTEIN)
    )
    threshold: Sourced[Fraction] = unit_field("Activation threshold T", "1", sourced(0.1, EPSTEIN))
    arrest_constant: Sourced[ArrestConstant] = unit_field(
        "Arrest-probability constant k", "1", sourced(2.3, EPSTEIN)
    )
    ratio_rule: RatioRule = Field(
        default="floor",
        description="f in P = 1 - exp(-k f(C/A)): literal (paper), floor (NetLogo), round (Mesa).",
    )
    neighbourhood: Neighbourhood = Field(
        default="von_neumann",
        description="Vision: diamond (von_neumann, Mesa), square (moore), disc (circle, NetLogo).",
    )
    movement: bool = Field(default=True, description="Agents and cops move each step.")
    move_tries: int = Field(
        default=8,
        ge=1,
        le=64,
        description="Synchronous schedule: random sites inspected when looking for an empty one.",
    )
    activation: Activation = Field(
        default="synchronous",
        description=(
            "Schedule: synchronous (all agents per phase at once) or random_sequential (each "
            "agent acts in turn in a random order, jailed citizens keep their site; the paper "
            "and Mesa's example)."
        ),
    )
    placement: Placement = Field(
        default="exact",
        description=(
            "Initial agents: exact (round(density x sites) of each, at random sites) or per_site "
            "(each site independently a citizen or a cop with those probabilities, as Mesa's "
            "example does)."
        ),
    )

    @model_validator(mode="after")
    def _fits(self) -> EpsteinSpec:
        if self.citizen_density.value + self.cop_density.value > 1.0:
            raise ValueError("citizen_density + cop_density must not exceed 1")
        vision = max(self.citizen_vision.value, self.cop_vision.value)
        if min(self.width.value, self.height.value) < 2 * vision + 1:
            raise ValueError(
                f"the lattice must be at least 2*vision+1 = {2 * vision + 1} sites wide"
            )
        return self


class InterGroupSpec(EpsteinSpec):
    """Epstein's Model II: two groups who may kill each other, and peacekeepers as the cops."""

    cop_density: Sourced[Fraction] = unit_field(
        "Peacekeeper density", "peacekeepers/site", assumed(0.0, 0.0, 0.2)
    )
    blue_share: Sourced[Fraction] = unit_field(
        "Share of the citizens in the first (blue) group", "fraction", assumed(0.5, 0.3, 0.7)
    )
    legitimacy: Sourced[Fraction] = unit_field(
        "Legitimacy each group accords the other group's right to exist",
        "1",
        assumed(0.6, 0.3, 0.9),
    )
    max_jail_term: Sourced[JailTerm] = unit_field(
        "Maximum jail term J_max", "steps", assumed(30, 0, 1000)
    )

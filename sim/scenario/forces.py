"""Scenario sections for the force, the armed groups, the IDF, the mandate, aid and reconstruction.

Each number is a :class:`~sim.scenario.provenance.Sourced` value with a unit (in the field's
description) and bounds. Ids of contributors and governorates are lower-case snake case.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Self

from pydantic import Field, field_validator, model_validator

from sim.scenario.base import Fraction, Slug
from sim.scenario.base import StrictModel as Strict
from sim.scenario.provenance import Sourced, assumed, unit_field

Troops = Annotated[int, Field(ge=0, le=200_000)]
Days = Annotated[int, Field(ge=0, le=3650)]
RatePerDay = Annotated[float, Field(ge=0.0, le=1.0)]
Multiplier = Annotated[float, Field(ge=0.0, le=10.0)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Money = Annotated[float, Field(ge=0.0, le=1_000_000.0)]
TrucksPerDay = Annotated[float, Field(ge=0.0, le=5000.0)]
GOVERNORATES = ("north_gaza", "gaza", "deir_al_balah", "khan_younis", "rafah")


class ContributorCategory(StrEnum):
    """How the population is assumed to perceive a contingent (drives its legitimacy)."""

    ARAB_MUSLIM = "arab_muslim"
    HAMAS_CHANNEL = "hamas_channel"
    OTHER = "other"


class Caveats(Strict):
    """National caveats that limit what a contingent will do (the UNIFIL and MNF lessons)."""

    no_combat: bool = Field(False, description="Will not take part in offensive operations.")
    no_disarmament: bool = Field(
        False, description="Will not disarm armed groups by force (e.g. Pakistan's stated line)."
    )
    leave_if_mission_changes: bool = Field(
        False, description="Withdraws if the mandate turns coercive or the ceasefire collapses."
    )


class OutcomeCondition(Strict):
    """A political outcome a contingent needs before it deploys (e.g. Turkey's participation)."""

    dimension: Slug = Field(description="Bargaining dimension id.")
    at_least: Sourced[Annotated[float, Field(ge=0.0, le=100.0)]] = unit_field(
        "Lowest forecast on the dimension at which the contingent deploys", "0-100 scale"
    )


class DeploymentConditions(Strict):
    """What a contributor needs before it deploys, and to stay (reviewed weekly).

    A condition that fails before the contingent arrives keeps it out (it holds its pledge);
    one that fails once it is inside makes it hold (no reinforcements) and, if the failure
    lasts ``effects.contributor_patience_days``, withdraw.
    """

    hamas_consent_at_least: Sourced[Fraction] | None = unit_field(
        "Hamas's consent to the force's presence the contributor needs (1 accepts, "
        "effects.partial_presence_consent if partial, 0 rejects; a deal on disarmament counts "
        "as Hamas's compliance); none: no such condition",
        "fraction",
        None,
    )
    needs_mandate: bool = Field(
        False, description="Deploys only under a Security Council resolution."
    )
    needs_us_lead: bool = Field(
        False, description="Deploys only with US support and coordination (us_support.troops > 0)."
    )
    needs_ceasefire: bool = Field(
        True, description="Does not deploy (holds) while the ceasefire has collapsed."
    )
    sources: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]] = Field(
        default_factory=list, description="Claims or facts the conditions rest on."
    )


class Contributor(Strict):
    """A national contingent of the stabilization force."""

    country: str = Field(description="Display name of the contributing country.", max_length=80)
    category: ContributorCategory = Field(description="Perception category on the ground.")
    pledged_troops: Sourced[Troops] = unit_field("Troops pledged or planned", "troops")
    deployed_share: Sourced[Fraction] = unit_field(
        "Share of the pledge that actually deploys (the Haiti MSS reached under 40%)", "fraction"
    )
    arrival_day: Sourced[Days] = unit_field("Day the first troops arrive", "days")
    ramp_days: Sourced[Days] = unit_field("Days from first arrival to full strength", "days")
    casualty_tolerance: Sourced[Annotated[int, Field(ge=0, le=100_000)]] = unit_field(
        "Own deaths the contributor absorbs before its commitment collapses (Beirut 1983)",
        "deaths",
    )
    commitment: Sourced[Fraction] = unit_field(
        "Initial political commitment; withdrawal when it reaches zero", "fraction"
    )
    caveats: Caveats = Field(default_factory=Caveats)
    blocked_by_branch: Slug | None = Field(
        None,
        description="Bargaining branch that keeps this contingent out, e.g. "
        "'no_turkish_contingent' when Israel's veto holds.",
    )
    requires_outcome: OutcomeCondition | None = Field(
        None, description="A bargaining outcome the contingent needs to deploy or to stay."
    )
    conditions: DeploymentConditions = Field(
        default_factory=DeploymentConditions,
        description="Declared conditions for deploying and staying (reviewed weekly).",
    )


class UsSupport(Strict):
    """US personnel supporting the force from outside Gaza."""

    troops: Sourced[Troops] = unit_field("US support personnel, outside Gaza", "troops")
    inside_gaza: bool = Field(False, description="Whether any US troops deploy inside Gaza.")
    coordination_multiplier: Sourced[Annotated[float, Field(ge=1.0, le=2.0)]] = unit_field(
        "Factor on the force's effective strength from US logistics and coordination",
        "multiplier",
    )

    @field_validator("inside_gaza")
    @classmethod
    def _outside_gaza(cls, value: bool) -> bool:
        if value:
            raise ValueError("the sources place all US personnel outside Gaza; set it to false")
        return value


class PolicePipeline(Strict):
    """The new Palestinian police: trained and vetted, then deployed."""

    trainers: list[Slug] = Field(description="Countries that train and vet the police.")
    target_officers: Sourced[Troops] = unit_field("Planned size of the police force", "officers")
    training_start_day: Sourced[Days] = unit_field("Day the first cohort starts training", "days")
    course_days: Sourced[Annotated[int, Field(ge=1, le=730)]] = unit_field(
        "Length of one training course", "days"
    )
    trainees_per_month: Sourced[Annotated[float, Field(ge=0, le=20_000)]] = unit_field(
        "Recruits entering training each month", "officers/month"
    )
    vetting_pass_rate: Sourced[Fraction] = unit_field(
        "Share of trainees who pass vetting and deploy", "fraction"
    )


class Deployment(Strict):
    """Where the force enters and how it expands."""

    entry_governorate: Slug = Field("rafah", description="Sector entered first.")
    expansion_order: list[Slug] = Field(
        default_factory=lambda: ["rafah", "khan_younis", "deir_al_balah", "gaza", "north_gaza"],
        description="Order in which sectors are taken over.",
        min_length=1,
    )
    days_per_sector: Sourced[Days] = unit_field(
        "Days between taking over one sector and starting the next", "days"
    )

    @model_validator(mode="after")
    def _known_sectors(self) -> Self:
        unknown = [g for g in self.expansion_order if g not in GOVERNORATES]
        if unknown:
            raise ValueError(f"unknown governorate(s) {unknown}; use {list(GOVERNORATES)}")
        if self.entry_governorate not in self.expansion_order:
            raise ValueError("entry_governorate must appear in expansion_order")
        return self


class ForceGeneration(Strict):
    """Who contributes what, and how the force grows."""

    contributors: dict[Slug, Contributor] = Field(description="Contingents keyed by country id.")
    us_support: UsSupport
    police: PolicePipeline
    deployment: Deployment


class HamasStance(StrEnum):
    """Hamas's answer to disarmament, as the sources frame it."""

    ACCEPTS = "accepts"
    PARTIAL = "partial"
    REJECTS = "rejects"


class ArmedGroup(Strict):
    """An armed group's size and behaviour."""

    fighters: Sourced[Count] = unit_field("Fighters at the start", "fighters")
    weapons: Sourced[Count] = unit_field("Small arms and light weapons held", "weapons")
    attack_rate: Sourced[Annotated[float, Field(ge=0, le=10)]] = unit_field(
        "Attacks per 1,000 fighters per day when unconstrained", "attacks/1000 fighters/day"
    )
    reprisal_rate: Sourced[Annotated[float, Field(ge=0, le=10)]] = unit_field(
        "Reprisals against people accused of collaboration, per 1,000 fighters per day",
        "reprisals/1000 fighters/day",
    )


class HamasPosture(ArmedGroup):
    """Hamas: stance on disarmament, strength, and pace of decommissioning under consent."""

    stance: HamasStance
    consent_decommission_rate: Sourced[RatePerDay] = unit_field(
        "Share of remaining weapons handed in per day where Hamas consents and the area is secure",
        "fraction/day",
    )


class StrikePolicy(StrEnum):
    """How the IDF answers attacks."""

    RESTRAINED = "restrained"
    PROPORTIONAL = "proportional"
    HEAVY = "heavy"


class IdfPosture(Strict):
    """The IDF's hold on territory, its withdrawal schedule and its response to attacks."""

    held_share: Sourced[Fraction] = unit_field(
        "Share of the Strip held behind the yellow line at the start", "fraction"
    )
    share_when_force_deploys: Sourced[Fraction] = unit_field(
        "Share still held once the force has deployed", "fraction"
    )
    security_perimeter_share: Sourced[Fraction] = unit_field(
        "Share kept as a security perimeter at the end of withdrawal", "fraction"
    )
    fallback_zone: bool = Field(
        False,
        description="If Hamas rejects: secure a southern zone first and rebuild there.",
    )
    fallback_governorate: Slug = Field("rafah", description="Where the fallback zone is.")
    strike_policy: StrikePolicy = StrikePolicy.PROPORTIONAL
    strike_probability: Sourced[Fraction] = unit_field(
        "Probability that an attack on the IDF draws a strike", "probability"
    )
    reentry_incidents_per_week: Sourced[Annotated[float, Field(ge=0, le=1000)]] = unit_field(
        "Weekly incidents above which the IDF re-enters handed-over sectors", "incidents/week"
    )
    held_share_at_war: Sourced[Fraction] = unit_field(
        "Share of the Strip the IDF holds once the ceasefire has collapsed (the line advances)",
        "fraction",
        assumed(
            0.75,
            0.55,
            1.0,
            note="ground operations resumed across most of the Strip in "
            "March 2025 after the January truce collapsed (fact.gaza_truces)",
        ),
    )
    decommissioned_for_first_stage: Sourced[Fraction] = unit_field(
        "Share of the armed groups' weapons verifiably decommissioned before the IDF pulls back "
        "to share_when_force_deploys",
        "fraction",
        assumed(
            0.1,
            0.0,
            0.3,
            note="the plan ties withdrawal to demilitarisation milestones "
            "(fact.twenty_point_plan); the milestone sizes are not public",
        ),
    )
    decommissioned_for_perimeter: Sourced[Fraction] = unit_field(
        "Share decommissioned before the IDF pulls back to security_perimeter_share",
        "fraction",
        assumed(0.8, 0.5, 1.0, note="fact.twenty_point_plan; milestone size assumed"),
    )


class Resolution(StrEnum):
    """The legal basis of the force."""

    UNSC_ALL_NECESSARY = "unsc_all_necessary_measures"
    UNSC_LIMITED = "unsc_limited"
    NONE = "none"


class RulesOfEngagement(StrEnum):
    """What the force may do."""

    SELF_DEFENCE = "self_defence"
    PROTECT_CIVILIANS = "protect_civilians"
    ALL_NECESSARY = "all_necessary_measures"


class Mandate(Strict):
    """The mandate of the force (a Security Council authorisation, not a UN mission)."""

    resolution: Resolution
    un_mission: bool = Field(False, description="Whether the force is a UN peacekeeping mission.")
    rules_of_engagement: RulesOfEngagement
    coercive_disarmament: bool = Field(description="Whether the force may disarm by force.")
    duration_days: Sourced[Days] = unit_field("Days the authorisation runs", "days")

    @field_validator("un_mission")
    @classmethod
    def _not_un_mission(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "the sources describe a Security Council mandate that is not a UN mission; "
                "set it to false"
            )
        return value


class Aid(Strict):
    """Humanitarian aid through the crossings."""

    crossings_open: list[Slug] = Field(description="Crossings used for cargo.", min_length=0)
    trucks_per_day: Sourced[TrucksPerDay] = unit_field("Trucks entering per day", "trucks/day")
    need_trucks_per_day: Sourced[TrucksPerDay] = unit_field("Trucks needed per day", "trucks/day")
    seizure_probability_insecure: Sourced[Fraction] = unit_field(
        "Chance a convoy is seized per insecure row of cells (about 1 km) it drives through",
        "probability/km",
    )
    convoy_escort: bool = Field(
        False, description="Whether the force escorts convoys (the 2024 Arab-force idea)."
    )


class Reconstruction(Strict):
    """Funding and pace of rebuilding in secure areas."""

    funding_musd_per_year: Sourced[Money] = unit_field(
        "Reconstruction funding available per year", "million USD/year"
    )
    cost_musd_per_km2: Sourced[Money] = unit_field(
        "Cost to rebuild one fully damaged km2", "million USD/km2"
    )
    secure_days_before_start: Sourced[Days] = unit_field(
        "Days a cell must stay secure before rebuilding starts there", "days"
    )

"""Mechanism effect sizes for the full model, with their sources.

These are the links from force levels and politics to outcomes that the literature quantifies
(force density bands, force ratios, civilian protection, relapse). Defaults carry provenance
in code, so scenario files stay short; any value can be overridden under ``effects:``.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from sim.scenario.base import Fraction
from sim.scenario.base import StrictModel as Strict
from sim.scenario.provenance import Sourced, assumed, sourced, unit_field

PerThousand = Annotated[float, Field(ge=0.0, le=200.0)]
Ratio = Annotated[float, Field(ge=0.0, le=100.0)]
Rate = Annotated[float, Field(ge=0.0, le=10.0)]


class EffectsSpec(Strict):
    """Effect sizes linking forces, politics and the ground."""

    density_peaceful: Sourced[PerThousand] = unit_field(
        "Security personnel per 1,000 residents that police a calm population",
        "personnel/1000 residents",
        sourced(2.5, "paper.quinlivan1995", note="the 1-4 per 1,000 band; midpoint"),
    )
    density_contested: Sourced[PerThousand] = unit_field(
        "Density at which a contested area is held with difficulty",
        "personnel/1000 residents",
        sourced(10.0, "paper.quinlivan1995"),
    )
    density_hostile: Sourced[PerThousand] = unit_field(
        "Density for population security in a hostile setting",
        "personnel/1000 residents",
        sourced(20.0, "paper.quinlivan1995"),
    )
    decisive_force_ratio: Sourced[Ratio] = unit_field(
        "Force-to-fighter ratio above which counter-insurgents nearly always prevail",
        "ratio",
        sourced(10.0, "paper.dupuy_coin"),
    )
    civilian_harm_no_troops: Sourced[Annotated[float, Field(ge=0, le=10_000)]] = unit_field(
        "Civilian deaths per month in a violent theatre with no troops (Hultman et al. 2013)",
        "deaths/month",
        sourced(106.0, "paper.hultman2013"),
    )
    civilian_harm_8000_troops: Sourced[Annotated[float, Field(ge=0, le=10_000)]] = unit_field(
        "Civilian deaths per month with 8,000 troops deployed (Hultman et al. 2013)",
        "deaths/month",
        sourced(2.0, "paper.hultman2013"),
    )
    battle_deaths_no_troops: Sourced[Annotated[float, Field(ge=0, le=10_000)]] = unit_field(
        "Battle deaths per month with no troops (Hultman et al. 2014)",
        "deaths/month",
        sourced(22.0, "paper.hultman2014"),
    )
    battle_deaths_10000_troops: Sourced[Annotated[float, Field(ge=0, le=10_000)]] = unit_field(
        "Battle deaths per month with 10,000 troops (Hultman et al. 2014)",
        "deaths/month",
        sourced(6.0, "paper.hultman2014"),
    )
    relapse_reduction_with_force: Sourced[Fraction] = unit_field(
        "Proportional cut in the risk of renewed war when peacekeepers are present",
        "fraction",
        sourced(0.6, "paper.fortna2004", "paper.fortna2008", note="50-75% reported; midpoint"),
    )
    non_un_discount: Sourced[Fraction] = unit_field(
        "Share of the relapse reduction kept by a non-UN operation",
        "fraction",
        assumed(
            0.6,
            0.2,
            1.0,
            note="Sambanis & Schulhofer-Wohl found no significant effect for non-UN operations",
        ),
    )
    base_relapse_hazard_per_year: Sourced[Fraction] = unit_field(
        "Yearly probability that the ceasefire collapses with no force, no guarantor and no "
        "compliance, at no strain",
        "probability/year",
        sourced(
            0.5,
            "fact.gaza_truces",
            "paper.fortna2008",
            note="two of Gaza's four truces since 2014 collapsed within three months, two held "
            "for years; about half of civil-war ceasefires relapse (Fortna). Range 0.2-0.9",
        ),
    )
    compliance_relapse_reduction: Sourced[Fraction] = unit_field(
        "Proportional cut in the collapse hazard when Hamas fully complies with disarmament",
        "fraction",
        assumed(0.5, 0.2, 0.8, note="Walter 1997: disarmament is the critical barrier"),
    )
    guarantor_relapse_reduction: Sourced[Fraction] = unit_field(
        "Proportional cut in relapse risk when a third party credibly guarantees the deal",
        "fraction",
        sourced(0.5, "paper.walter1997", note="direction from Walter; size assumed"),
    )
    local_police_bonus: Sourced[Fraction] = unit_field(
        "Relative gain in control from local police alongside the force",
        "fraction",
        sourced(0.53, "paper.peic2014", note="53% higher odds of defeating an insurgency"),
    )
    coercion_needs_mandate: Sourced[Fraction] = unit_field(
        "Share of coercive disarmament still possible without a coercive mandate (UNIFIL)",
        "fraction",
        assumed(0.05, 0.0, 0.3),
    )
    incidents_per_day_strain: Sourced[Rate] = unit_field(
        "Daily incidents (Strip-wide, 7-day mean) at which the ceasefire is strained",
        "incidents/day",
        assumed(3.0, 1.0, 10.0),
    )
    strain_hazard_multiplier: Sourced[Annotated[float, Field(ge=1.0, le=50.0)]] = unit_field(
        "Factor on the collapse hazard while the ceasefire is strained",
        "multiplier",
        assumed(4.0, 1.5, 10.0),
    )

    # Violence: lethality of incidents and strikes (no source fixes these for Gaza after the
    # ceasefire; ranges are wide on purpose and feed the sensitivity analysis).
    isf_deaths_per_attack: Sourced[Annotated[float, Field(ge=0, le=20)]] = unit_field(
        "Force deaths per attack on a contingent", "deaths/attack", assumed(0.3, 0.05, 1.5)
    )
    police_deaths_per_attack: Sourced[Annotated[float, Field(ge=0, le=20)]] = unit_field(
        "Police deaths per attack on the police", "deaths/attack", assumed(0.5, 0.1, 2.0)
    )
    idf_deaths_per_attack: Sourced[Annotated[float, Field(ge=0, le=20)]] = unit_field(
        "IDF deaths per attack on the IDF", "deaths/attack", assumed(0.15, 0.02, 0.6)
    )
    civilian_deaths_per_attack: Sourced[Annotated[float, Field(ge=0, le=50)]] = unit_field(
        "Civilian deaths per attack (crossfire), before protection by troops",
        "deaths/attack",
        assumed(0.5, 0.1, 3.0),
    )
    civilian_deaths_per_reprisal: Sourced[Annotated[float, Field(ge=0, le=50)]] = unit_field(
        "People killed per reprisal against alleged collaborators",
        "deaths/reprisal",
        assumed(1.0, 1.0, 3.0),
    )
    civilian_deaths_per_strike: Sourced[Annotated[float, Field(ge=0, le=100)]] = unit_field(
        "Civilian deaths per IDF strike under a proportional strike policy",
        "deaths/strike",
        assumed(2.0, 0.5, 8.0),
    )
    fighters_killed_per_strike: Sourced[Annotated[float, Field(ge=0, le=100)]] = unit_field(
        "Fighters killed per IDF strike", "fighters/strike", assumed(1.0, 0.2, 5.0)
    )
    restrained_strike_factor: Sourced[Annotated[float, Field(ge=0, le=1)]] = unit_field(
        "Strikes and their harm under a restrained policy, relative to proportional",
        "multiplier",
        assumed(0.3, 0.1, 0.7),
    )
    heavy_strike_factor: Sourced[Annotated[float, Field(ge=1, le=20)]] = unit_field(
        "Strikes and their harm under a heavy policy, relative to proportional",
        "multiplier",
        assumed(3.0, 1.5, 8.0),
    )
    idf_troops_in_held_area: Sourced[Annotated[float, Field(ge=0, le=300_000)]] = unit_field(
        "IDF troops holding the area behind the yellow line", "troops", assumed(15000, 5000, 60000)
    )
    coercive_disarmament_rate: Sourced[Annotated[float, Field(ge=0, le=0.2)]] = unit_field(
        "Share of a cell's weapons seized per day at full control with a coercive mandate",
        "fraction/day",
        assumed(0.004, 0.0005, 0.02),
    )
    robust_mandate_threshold: Sourced[Annotated[float, Field(ge=0, le=100)]] = unit_field(
        "Forecast on mandate robustness above which contingents will coerce",
        "0-100 scale",
        assumed(50.0, 30.0, 70.0),
    )
    handover_days: Sourced[Annotated[int, Field(ge=1, le=365)]] = unit_field(
        "Days the IDF takes to hand a sector to the force", "days", assumed(30, 7, 90)
    )
    reentry_days: Sourced[Annotated[int, Field(ge=1, le=365)]] = unit_field(
        "Days an IDF re-entry lasts before handing back", "days", assumed(30, 7, 120)
    )
    withdrawal_days: Sourced[Annotated[int, Field(ge=1, le=365)]] = unit_field(
        "Days a contingent takes to leave once its contributor decides to",
        "days",
        assumed(30, 7, 90),
    )
    governance_factor_none: Sourced[Annotated[float, Field(ge=0.0, le=1.0)]] = unit_field(
        "Factor on police intake and reconstruction funding with no support for Palestinian "
        "governance",
        "multiplier",
        assumed(0.5, 0.2, 1.0),
    )
    governance_factor_full: Sourced[Annotated[float, Field(ge=1.0, le=3.0)]] = unit_field(
        "Factor on police intake and reconstruction funding with full support for Palestinian "
        "governance",
        "multiplier",
        assumed(1.5, 1.0, 2.5),
    )
    contributor_patience_days: Sourced[Annotated[int, Field(ge=1, le=365)]] = unit_field(
        "Days a deployed contingent holds while one of its conditions fails before it withdraws",
        "days",
        assumed(28, 7, 90),
    )
    escort_effectiveness: Sourced[Fraction] = unit_field(
        "Share of seizures an escorted convoy prevents", "fraction", assumed(0.7, 0.3, 0.95)
    )
    line_fire_deaths_per_day: Sourced[Annotated[float, Field(ge=0, le=200)]] = unit_field(
        "Palestinians killed per day by IDF fire along the yellow line under a proportional "
        "policy, where no force buffers the line",
        "deaths/day",
        sourced(
            2.7,
            "fact.moh_truce_deaths",
            note="at least 250 of 400+ deaths in the first 93 days near the line; calibration "
            "window 10 Oct 2025 - 31 Jan 2026. Range 1.5-4",
        ),
    )
    attack_grievance_baseline: Sourced[Annotated[float, Field(ge=0.0, le=2.0)]] = unit_field(
        "Attack pressure of armed members where grievance is zero, relative to the extra "
        "pressure full grievance adds (pressure = baseline + grievance)",
        "multiplier",
        assumed(
            0.5,
            0.0,
            2.0,
            note="organised groups attack for their own aims too, so attacks do not stop where "
            "grievance is nil; 0.5 makes full grievance triple the pressure",
        ),
    )
    presence_consent_threshold: Sourced[Fraction] = unit_field(
        "Hamas's consent to the force's presence at or above which a sector is taken in full "
        "without coercion",
        "fraction",
        assumed(0.5, 0.2, 0.9, note="consent counts once Hamas at least half accepts presence"),
    )
    line_buffer_efficacy: Sourced[Fraction] = unit_field(
        "Share of line fire that a force holding a front cell prevents there",
        "fraction",
        assumed(
            0.8,
            0.3,
            1.0,
            note="a force on the line deters most fire but not all: the IDF kept firing in "
            "southern Lebanon beside UNIFIL; 1.0 would make a held front a structural zero",
        ),
    )
    strikes_per_idf_death: Sourced[Annotated[float, Field(ge=0, le=500)]] = unit_field(
        "IDF strikes in the punitive wave that answers each soldier killed (proportional policy)",
        "strikes/death",
        assumed(
            15.0,
            5.0,
            40.0,
            note="fact.moh_truce_deaths: ~45 and ~100 killed in the waves after soldiers were "
            "killed on 19 and 28-29 Oct 2025",
        ),
    )
    war_strikes_per_day: Sourced[Annotated[float, Field(ge=0, le=1000)]] = unit_field(
        "IDF strikes per day once the ceasefire has collapsed",
        "strikes/day",
        assumed(
            15.0, 5.0, 50.0, note="~100 deaths/day in 2023-25 with the default harm per strike"
        ),
    )

    # Model constants that no source fixes (all assumptions with ranges; see docs/ODD.md).
    roe_self_defence_factor: Sourced[Fraction] = unit_field(
        "Deterrence a contingent exerts under self-defence rules, relative to all necessary means",
        "fraction",
        assumed(0.5, 0.2, 0.8),
    )
    roe_protect_civilians_factor: Sourced[Fraction] = unit_field(
        "Deterrence under protection-of-civilians rules, relative to all necessary means",
        "fraction",
        assumed(0.75, 0.5, 1.0),
    )
    partial_presence_consent: Sourced[Fraction] = unit_field(
        "Hamas's consent to the force's presence when its answer is partial (a force on the "
        "borders, a weapons freeze); 'accepts' is 1 and 'rejects' 0",
        "fraction",
        assumed(0.5, 0.3, 0.7, note="fact.hamas_rejects_2803: a force on the borders at most"),
    )
    hamas_recruit_share: Sourced[Fraction] = unit_field(
        "Share of new armed recruits who join Hamas rather than other groups",
        "fraction",
        assumed(0.8, 0.5, 0.95),
    )
    collapse_aid_factor: Sourced[Fraction] = unit_field(
        "Share of aid still entering once the ceasefire has collapsed",
        "fraction",
        assumed(0.3, 0.1, 0.6),
    )
    escort_troops_for_full_cover: Sourced[Annotated[float, Field(ge=1, le=100_000)]] = unit_field(
        "Troops it takes to escort every convoy", "troops", assumed(1000.0, 300.0, 3000.0)
    )
    police_exposure: Sourced[Annotated[float, Field(ge=0, le=10)]] = unit_field(
        "How much likelier an officer is to be attacked than a soldier (softer target)",
        "multiplier",
        assumed(2.0, 1.0, 4.0),
    )
    line_contact_exposure: Sourced[Annotated[float, Field(ge=0, le=50)]] = unit_field(
        "How much likelier fighters next to the yellow line are to target IDF troops than "
        "rivals or the force (the line is where the two sides meet)",
        "multiplier",
        assumed(
            5.0,
            1.0,
            20.0,
            note="fact.moh_truce_deaths: the truce's flare-ups followed "
            "attacks on soldiers near the line",
        ),
    )
    damage_per_strike: Sourced[Annotated[float, Field(ge=0, le=0.1)]] = unit_field(
        "Share of a cell's structures destroyed per strike (proportional policy)",
        "fraction/strike",
        assumed(0.002, 0.0005, 0.01),
    )
    hostility_compliance_weight: Sourced[Fraction] = unit_field(
        "Weight of Hamas's non-compliance (vs local grievance) in a cell's hostility",
        "fraction",
        assumed(0.5, 0.2, 0.8),
    )
    guarantor_weight_us: Sourced[Fraction] = unit_field(
        "Share of a guarantee's credibility that US support provides (the rest: a Security "
        "Council mandate)",
        "fraction",
        assumed(0.5, 0.2, 0.8, note="Walter 1997 names a credible third party, not its form"),
    )
    coercive_entry_ratio_share: Sourced[Annotated[float, Field(ge=0.05, le=1.0)]] = unit_field(
        "Share of the decisive force ratio a force needs to take a sector without consent",
        "fraction",
        assumed(0.5, 0.25, 1.0),
    )

"""The bargaining section of a scenario: dimensions, actors, vetoes and engine settings.

The stakeholder bargaining engine (:mod:`sim.bargaining`) implements the Spatial Model of Politics
as KAPSARC's toolkit KTAB does (``paper.kapsarc_ktab``). Every option KTAB offers is a setting
here, defaulting to KTAB's value; vetoes are this project's addition.

Positions and saliences are on a 0-100 scale; an actor's saliences sum to at most 100 (the share
of its attention that the dimensions in the model take). Capabilities are relative: only their
ratios matter.

Example (YAML)::

    bargaining:
      dimensions:
        - {id: hamas_disarmament, label: Hamas disarmament,
           low_means: "no disarmament", high_means: "full verified decommissioning"}
      actors:
        israel:
          name: Israel
          capability: {value: 90, assumption: [70, 100]}
          position: {hamas_disarmament: {value: 100, source: [fact.israel_ultimatum]}}
          salience: {hamas_disarmament: {value: 60, assumption: [40, 80]}}
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from sim.scenario.base import Fraction, Scale100
from sim.scenario.base import Slug as Id
from sim.scenario.base import StrictModel as _Strict
from sim.scenario.provenance import Sourced, unit_field

Capability = Annotated[float, Field(ge=0.0, le=1_000_000.0)]

SALIENCE_TOTAL_MAX = 100.0
_SUM_TOLERANCE = 1e-9


class VictoryModel(StrEnum):
    """How coalition strengths become a victory probability: ratio of C to the power 1, 2, 4, 8."""

    LINEAR = "Linear"
    SQUARE = "Square"
    QUARTIC = "Quartic"
    OCTIC = "Octic"


class PceModel(StrEnum):
    """How pairwise victory probabilities become one probability per option."""

    CONDITIONAL = "Conditional"
    MARKOV_UNIFORM = "MarkovUniform"
    MARKOV_INCENTIVE = "MarkovIncentive"


class Transitions(StrEnum):
    """How an actor picks one bargain from its queue: the most probable, or a draw."""

    DETERMINISTIC = "deterministic"
    STOCHASTIC = "stochastic"


class VotingRule(StrEnum):
    """How an actor's utility difference between two options becomes a vote."""

    PROP = "Prop"
    BINARY = "Binary"
    PROP_BIN = "PropBin"
    CUBIC = "Cubic"
    PROP_CBC = "PropCbc"
    ASYM_PROSP = "ASymProsp"


class RiskAdjust(StrEnum):
    """How much of actor i's own risk attitude actor h uses when it estimates i's utilities."""

    NONE = "None"
    ONE_THIRD = "OneThird"
    HALF = "Half"
    TWO_THIRDS = "TwoThirds"
    FULL = "Full"


class RiskRange(StrEnum):
    """The range risk attitudes are mapped to: Min [0, 1], Mid [-1/2, 1], Max [-1, 1]."""

    MIN = "Min"
    MID = "Mid"
    MAX = "Max"


class ThirdPartyCommit(StrEnum):
    """How third parties weigh a challenge they might join."""

    SEMI = "SemiCommit"
    FULL = "FullCommit"
    NONE = "NoCommit"


class BargainingInterpolation(StrEnum):
    """Weights of the two sides in a bargain: (salience x probability) to the power 1 or 2."""

    S1P1 = "S1P1"
    S2P2 = "S2P2"


class BargainingSettings(_Strict):
    """Engine options. Defaults are KTAB's (``paper.kapsarc_ktab``); ``cadence_days`` is ours."""

    victory_model: VictoryModel = Field(VictoryModel.LINEAR, description="Victory probability.")
    pce_model: PceModel = Field(PceModel.CONDITIONAL, description="Probabilistic Condorcet model.")
    transitions: Transitions = Field(
        Transitions.DETERMINISTIC, description="Pick the most probable bargain, or sample one."
    )
    voting_rule: VotingRule = Field(VotingRule.PROP, description="Vote from utility difference.")
    risk_adjust: RiskAdjust = Field(RiskAdjust.ONE_THIRD, description="Perceived risk attitudes.")
    risk_range: RiskRange = Field(RiskRange.MID, description="Range of risk attitudes.")
    third_party_commit: ThirdPartyCommit = Field(
        ThirdPartyCommit.SEMI, description="Third parties' commitment in challenges."
    )
    bargain_interpolation: BargainingInterpolation = Field(
        BargainingInterpolation.S2P2, description="Bargain weights."
    )
    max_rounds: Annotated[int, Field(ge=1, le=10_000)] = unit_field(
        "Upper bound on bargaining rounds in one run to convergence (KTAB: 100)", "rounds", 100
    )
    convergence_threshold: Annotated[float, Field(ge=0.0, le=1.0)] = unit_field(
        "Stop when the last round's movement is below this share of the first round's "
        "movement (KTAB: 0.02)",
        "fraction",
        0.02,
    )
    draw_assumptions: bool = Field(
        False,
        description="Per replication, draw each capability and salience uniformly within its "
        "assumption range (sourced values stay fixed). Used by the coupled model and "
        "'isf-lab bargain --reps'; a single engine run never draws.",
    )
    cadence_days: Annotated[int, Field(ge=1, le=365)] = unit_field(
        "Days between bargaining rounds when coupled to the daily ground model (assumption: "
        "a weekly diplomatic cycle, plausible 3-30)",
        "days",
        7,
    )


class Dimension(_Strict):
    """One issue dimension, scaled 0-100."""

    id: Id = Field(description="Identifier used as key in actors' positions and saliences.")
    label: str = Field(max_length=120, description="Short human-readable name.")
    low_means: str = Field(max_length=300, description="What position 0 stands for.")
    high_means: str = Field(max_length=300, description="What position 100 stands for.")
    description: str = Field("", max_length=3000, description="What the dimension covers.")


class ActorSpec(_Strict):
    """A stakeholder: capability, and a position and salience on every dimension."""

    name: str = Field(max_length=120, description="Display name.")
    description: str = Field("", max_length=2000, description="Who this actor is.")
    capability: Sourced[Capability] = unit_field(
        "Relative power the actor brings to bear on the issues (only ratios matter)",
        "relative units",
    )
    position: dict[Id, Sourced[Scale100]] = unit_field(
        "Advocated position on each dimension", "0-100 scale"
    )
    salience: dict[Id, Sourced[Scale100]] = unit_field(
        "Share of attention on each dimension; the shares sum to at most 100", "percent"
    )
    red_lines: dict[Id, RedLine] = Field(
        default_factory=dict, description="Resolve: per dimension, a line its position keeps."
    )

    @model_validator(mode="after")
    def _saliences_sum_at_most_100(self) -> Self:
        total = sum(s.value for s in self.salience.values())
        if total > SALIENCE_TOTAL_MAX + _SUM_TOLERANCE:
            raise ValueError(
                f"saliences of {self.name!r} sum to {total:g}; they must sum to at most 100"
            )
        return self


GROUND_REPORTS = ("decommissioned_total_share", "idf_held_share")
"""Ground reports a linked commitment may depend on (fields of the coupled model's WeekEvents,
shares 0-1 read as 0-100)."""


class LinkSpec(_Strict):
    """A linked commitment: one bound of an acceptable range moves with another quantity.

    The bound becomes ``bound + per_unit x max(driver - above, 0)`` (clipped to 0-100), where
    ``driver`` is the
    implemented outcome of another dimension (0-100; its status quo while it has no deal) or a
    ground report (a share 0-1 read as 0-100, e.g. ``decommissioned_total_share``). Dimension
    drivers use the previous round's implemented outcome.
    """

    driver: str = Field(
        max_length=80,
        description="A dimension id, or a ground report: " + ", ".join(GROUND_REPORTS) + ".",
    )
    bound: Literal["low", "high"] = Field(description="Which bound of the range moves.")
    per_unit: Sourced[Annotated[float, Field(ge=-10.0, le=10.0)]] = unit_field(
        "Change of the bound per point of the driver", "points per point (0-100 scales)"
    )
    above: Sourced[Scale100] | None = unit_field(
        "Driver value from which the bound starts to move (0 when omitted)", "0-100 scale", None
    )
    reason: str = Field("", max_length=2000, description="Why the commitment is linked.")


class VetoSpec(_Strict):
    """A consent requirement: the holder accepts only outcomes in [low, high] on a dimension.

    While enforced, the holder must consent for the dimension's bargained outcome to be
    implemented: an outcome outside its (possibly linked) range is blocked, and the dimension
    reverts to the status quo declared in ``decisions``. A veto never changes what other actors
    propose.
    """

    holder: Id = Field(description="Actor id of the veto holder.")
    dimension: Id = Field(description="Dimension id the veto bounds.")
    low: Sourced[Scale100] = unit_field("Lowest acceptable outcome", "0-100 scale")
    high: Sourced[Scale100] = unit_field("Highest acceptable outcome", "0-100 scale")
    enforced: bool = Field(
        True, description="False when the holder is assumed not to use its veto (e.g. pressure)."
    )
    linked: list[LinkSpec] = Field(
        default_factory=list, description="Bounds that move with other outcomes or reports."
    )
    reason: str = Field("", max_length=2000, description="Why the holder holds this veto.")

    @model_validator(mode="after")
    def _low_not_above_high(self) -> Self:
        if self.low.value > self.high.value:
            raise ValueError(
                f"veto of {self.holder!r} on {self.dimension!r}: low {self.low.value:g} is above "
                f"high {self.high.value:g}"
            )
        return self


class DecisionRule(_Strict):
    """What a dimension reverts to when someone who must consent does not.

    Who must consent is the holders of the enforced vetoes on the dimension.
    """

    status_quo: Sourced[Scale100] = unit_field(
        "Outcome on the dimension without a deal (the reversion point)", "0-100 scale"
    )
    no_deal: Id = Field(description="Name of the no-deal state, e.g. 'idf_on_yellow_line'.")
    description: str = Field("", max_length=2000, description="What the status quo is.")


class RedLine(_Strict):
    """Resolve: a reservation value the actor's own position does not cross by bargaining.

    The SMP pulls weak actors toward strong coalitions; a red line keeps the actor's own
    position on its side (bargains proposed to the actor are bounded there; other actors'
    proposals are not). Only a shock moves it (a position shock across it, or a red-line shock).
    """

    at_most: Sourced[Scale100] | None = unit_field("Highest position it adopts", "0-100", None)
    at_least: Sourced[Scale100] | None = unit_field("Lowest position it adopts", "0-100", None)
    linked: list[LinkSpec] = Field(
        default_factory=list, description="Bounds that move with other outcomes or reports."
    )
    reason: str = Field("", max_length=2000, description="Why the actor holds this line.")

    @model_validator(mode="after")
    def _one_bound(self) -> Self:
        if self.at_most is None and self.at_least is None:
            raise ValueError("a red line needs at_most or at_least")
        if (
            self.at_most is not None
            and self.at_least is not None
            and self.at_least.value > self.at_most.value
        ):
            raise ValueError(
                f"red line: at_least {self.at_least.value:g} is above at_most "
                f"{self.at_most.value:g}"
            )
        return self


class BargainingSpec(_Strict):
    """The bargaining layer: settings, dimensions, actors, accommodation and vetoes."""

    settings: BargainingSettings = Field(default_factory=BargainingSettings)
    dimensions: list[Dimension] = Field(min_length=1, max_length=50)
    actors: dict[Id, ActorSpec] = Field(min_length=2, max_length=1000)
    accommodation: dict[Id, dict[Id, Sourced[Fraction]]] | None = unit_field(
        "Sparse accommodation matrix: row actor's ideal drifts toward column actors' positions "
        "by these weights each round (row sums <= 1). Rows not given keep KTAB's default: the "
        "ideal follows the actor's own position",
        "fraction per round",
        None,
    )
    vetoes: dict[Id, VetoSpec] = Field(default_factory=dict)
    decisions: dict[Id, DecisionRule] = Field(
        default_factory=dict,
        description="Per dimension: the status quo it reverts to without consent (required "
        "for every dimension with a veto).",
    )

    @property
    def dimension_ids(self) -> list[str]:
        """Dimension ids in declaration order."""
        return [d.id for d in self.dimensions]

    @model_validator(mode="after")
    def _cross_checks(self) -> Self:
        dims = self.dimension_ids
        if len(set(dims)) != len(dims):
            duplicated = sorted({d for d in dims if dims.count(d) > 1})
            raise ValueError(f"dimension ids must be unique; repeated: {duplicated}")
        for actor_id, actor in self.actors.items():
            for field_name, values in (("position", actor.position), ("salience", actor.salience)):
                _check_keys(f"actors.{actor_id}.{field_name}", set(values), set(dims))
        self._check_accommodation()
        self._check_vetoes()
        self._check_decisions()
        self._check_red_lines()
        return self

    def _check_accommodation(self) -> None:
        if self.accommodation is None:
            return
        actors = set(self.actors)
        for row, weights in self.accommodation.items():
            if row not in actors:
                raise ValueError(f"accommodation.{row}: unknown actor; known: {sorted(actors)}")
            unknown = set(weights) - actors
            if unknown:
                raise ValueError(f"accommodation.{row}: unknown actors {sorted(unknown)}")
            total = sum(w.value for w in weights.values())
            if total > 1.0 + _SUM_TOLERANCE:
                raise ValueError(f"accommodation.{row}: weights sum to {total:g}, above 1")

    def _check_vetoes(self) -> None:
        dims = set(self.dimension_ids)
        for veto_id, veto in self.vetoes.items():
            if veto.holder not in self.actors:
                raise ValueError(
                    f"vetoes.{veto_id}.holder: unknown actor {veto.holder!r}; "
                    f"known: {sorted(self.actors)}"
                )
            if veto.dimension not in dims:
                raise ValueError(
                    f"vetoes.{veto_id}.dimension: unknown dimension {veto.dimension!r}; "
                    f"known: {sorted(dims)}"
                )
            if veto.dimension not in self.decisions:
                raise ValueError(
                    f"vetoes.{veto_id}: dimension {veto.dimension!r} has a veto but no decision "
                    f"rule; add decisions.{veto.dimension}: {{status_quo: ..., no_deal: ...}}"
                )
            self._check_links(f"vetoes.{veto_id}.linked", veto.dimension, veto.linked)

    def _check_decisions(self) -> None:
        unknown = set(self.decisions) - set(self.dimension_ids)
        if unknown:
            raise ValueError(
                f"decisions: unknown dimensions {sorted(unknown)}; known: {self.dimension_ids}"
            )

    def _check_red_lines(self) -> None:
        dims = set(self.dimension_ids)
        for actor_id, actor in self.actors.items():
            for dim, line in actor.red_lines.items():
                where = f"actors.{actor_id}.red_lines.{dim}"
                if dim not in dims:
                    raise ValueError(f"{where}: unknown dimension; known: {sorted(dims)}")
                position = actor.position[dim].value
                low = line.at_least.value if line.at_least is not None else 0.0
                high = line.at_most.value if line.at_most is not None else 100.0
                if not low <= position <= high:
                    raise ValueError(
                        f"{where}: the actor's position {position:g} lies outside its own red "
                        f"line [{low:g}, {high:g}]; move the line or the position"
                    )
                self._check_links(f"{where}.linked", dim, line.linked)

    def _check_links(self, where: str, dimension: str, links: list[LinkSpec]) -> None:
        allowed = set(self.dimension_ids) | set(GROUND_REPORTS)
        for i, link in enumerate(links):
            if link.driver not in allowed:
                raise ValueError(
                    f"{where}[{i}].driver: unknown {link.driver!r}; use a dimension id or a "
                    f"ground report ({', '.join(GROUND_REPORTS)})"
                )
            if link.driver == dimension:
                raise ValueError(f"{where}[{i}].driver: a range cannot depend on its own dimension")


def _check_keys(where: str, given: set[str], expected: set[str]) -> None:
    missing = expected - given
    if missing:
        raise ValueError(f"{where}: missing dimensions {sorted(missing)}")
    unknown = given - expected
    if unknown:
        raise ValueError(
            f"{where}: unknown dimensions {sorted(unknown)}; known: {sorted(expected)}"
        )

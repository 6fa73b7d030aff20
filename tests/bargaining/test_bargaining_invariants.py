"""Invariants on random actor tables and settings (Hypothesis): probabilities, bounds, vetoes."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.bargaining import (
    BargainingEngine,
    BargainingInterpolation,
    BargainingSettings,
    PceModel,
    Reversion,
    RiskAdjust,
    RiskRange,
    ThirdPartyCommit,
    Transitions,
    Veto,
    VictoryModel,
    VotingRule,
)

MAX_ROUNDS = 12
STATUS_QUO = 3.0
RISK_LOW = {RiskRange.MIN: 0.0, RiskRange.MID: -0.5, RiskRange.MAX: -1.0}

option_settings = st.builds(
    BargainingSettings,
    victory_model=st.sampled_from(VictoryModel),
    pce_model=st.sampled_from(PceModel),
    transitions=st.sampled_from(Transitions),
    voting_rule=st.sampled_from(VotingRule),
    risk_adjust=st.sampled_from(RiskAdjust),
    risk_range=st.sampled_from(RiskRange),
    third_party_commit=st.sampled_from(ThirdPartyCommit),
    bargain_interpolation=st.sampled_from(BargainingInterpolation),
)


@st.composite
def actor_tables(draw: st.DrawFn) -> dict:
    n = draw(st.integers(3, 8))
    k = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    capability = rng.uniform(0.5, 100.0, n)
    position = np.round(rng.uniform(0.0, 100.0, (n, k)), 2)
    if draw(st.booleans()):  # shared positions exercise the merging of options
        position[1] = position[0]
    raw = rng.uniform(0.0, 1.0, (n, k))
    total = rng.uniform(10.0, 100.0, (n, 1))
    salience = np.floor(100.0 * total * raw / raw.sum(axis=1, keepdims=True)) / 100.0
    veto = None
    if draw(st.booleans()):
        low = draw(st.floats(0.0, 80.0))
        veto = Veto("v", "a0", "d0", low, low + draw(st.floats(0.0, 20.0)))
    return {"n": n, "k": k, "cap": capability, "pos": position, "sal": salience, "veto": veto}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=actor_tables(), options=option_settings, seed=st.integers(0, 1000))
def test_invariants_hold_every_round(table: dict, options: BargainingSettings, seed: int) -> None:
    n, k = table["n"], table["k"]
    vetoes = {"v": table["veto"]} if table["veto"] is not None else None
    engine = BargainingEngine(
        [f"a{i}" for i in range(n)],
        [f"d{j}" for j in range(k)],
        table["cap"],
        table["pos"],
        table["sal"],
        settings=options,
        rng=np.random.default_rng(seed),
        vetoes=vetoes,
        reversions={"d0": Reversion(STATUS_QUO, "no_deal")},
    )
    engine.run(max_rounds=MAX_ROUNDS)
    h = engine.history

    assert h.positions["position"].between(0.0, 100.0).all()
    wins = h.win_probability
    assert wins["win_probability"].between(0.0, 1.0).all()
    sums = wins.drop_duplicates(["round", "group"]).groupby("round")["win_probability"].sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, atol=1e-9)
    risk = h.risk["risk_attitude"]
    assert risk.between(RISK_LOW[options.risk_range] - 1e-12, 1.0 + 1e-12).all()
    assert h.challenges["p"].between(0.0, 1.0).all()

    forecast = h.forecast
    spread = h.positions.groupby(["round", "dimension"])["position"].agg(["min", "max"])
    merged = forecast.join(spread, on=["round", "dimension"])
    inside = merged["unconstrained"].between(merged["min"] - 1e-9, merged["max"] + 1e-9)
    assert inside.all()

    veto = table["veto"]
    if veto is not None:
        # The implemented outcome is bounded: inside the holder's range with a deal, else the
        # status quo; the bargained outcome is whatever the actors converge to.
        d0 = forecast.query("dimension == 'd0'")
        dealt = d0[d0["deal"]]
        assert dealt["implemented"].between(veto.low - 1e-9, veto.high + 1e-9).all()
        assert (d0.loc[~d0["deal"], "implemented"] == STATUS_QUO).all()
        assert d0.loc[~d0["deal"], "forecast"].isna().all()

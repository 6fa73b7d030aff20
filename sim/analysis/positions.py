"""Actor positions across scenarios: final positions, deals, and positions over time.

Reads the tidy positions table that batch runs store (``positions.parquet``, see
:mod:`sim.experiments.positions`): one row per scenario, replication, day (a bargaining round),
actor and dimension, with the dimension's deal state.

* :func:`final_position_bands` - each actor's final position per dimension: median and 10-90%
  band across replications, per scenario.
* :func:`deal_table` - per scenario and dimension: P(deal) at the end of the horizon, the
  implemented outcome with a deal (median and band), and the usual no-deal state. A dimension
  without a deal is a state ("no deal: status quo X"), never a number on the 0-100 scale.
* :func:`position_trajectories` - median and band of each actor's position by day.

Example:
    >>> from sim.experiments.positions import load_positions
    >>> positions = load_positions("results/2x2")  # doctest: +SKIP
    >>> deal_table(positions)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

BAND = (0.1, 0.9)
KEY_ACTORS = ("israel", "hamas", "turkey", "egypt", "us")


def final_positions(positions: pd.DataFrame) -> pd.DataFrame:
    """The rows of each run's last round."""
    last = positions.groupby(["scenario", "replication"])["day"].transform("max")
    return positions[positions["day"] == last]


def _bands(frame: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=False)[column]
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            "median": grouped.median(),
            "p10": grouped.quantile(BAND[0]),
            "p90": grouped.quantile(BAND[1]),
        }
    )
    return table.reset_index()


def final_position_bands(
    positions: pd.DataFrame, actors: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Columns: scenario, actor, dimension, n, median, p10, p90 (final positions, 0-100)."""
    final = final_positions(positions)
    if actors is not None:
        final = final[final["actor"].isin(actors)]
    return _bands(final, ["scenario", "actor", "dimension"], "position")


def deal_table(positions: pd.DataFrame) -> pd.DataFrame:
    """Per scenario and dimension at the end of the horizon: P(deal) and what holds.

    Columns: scenario, dimension, n, p_deal, deal_median, deal_p10, deal_p90 (implemented
    outcome in replications with a deal), status_quo, no_deal (the most frequent no-deal state),
    outcome (a sentence: "deal 72 [65-80] in 63%; else no deal: status quo 0 (no_mandate)").
    """
    final = final_positions(positions).drop_duplicates(["scenario", "replication", "dimension"])
    rows = []
    for (scenario, dim), group in final.groupby(["scenario", "dimension"], sort=False):
        deals = group[group["deal"]]
        refused = group[~group["deal"]]
        q = deals["implemented"].quantile([0.5, *BAND]) if len(deals) else None
        row = {
            "scenario": scenario,
            "dimension": dim,
            "n": len(group),
            "p_deal": float(group["deal"].mean()),
            "deal_median": float(q.iloc[0]) if q is not None else float("nan"),
            "deal_p10": float(q.iloc[1]) if q is not None else float("nan"),
            "deal_p90": float(q.iloc[2]) if q is not None else float("nan"),
            "status_quo": float(refused["implemented"].iloc[0]) if len(refused) else float("nan"),
            "no_deal": refused["state"].mode().iloc[0] if len(refused) else "",
        }
        row["outcome"] = describe_deal(row)
        rows.append(row)
    return pd.DataFrame(rows)


def describe_deal(row: dict[str, object] | pd.Series) -> str:
    """A sentence for a :func:`deal_table` row."""
    p = float(row["p_deal"])  # type: ignore[arg-type]
    parts = []
    if p > 0:
        parts.append(
            f"deal {row['deal_median']:.0f} [{row['deal_p10']:.0f}-{row['deal_p90']:.0f}] "
            f"in {p:.0%}"
        )
    if p < 1:
        prefix = "else " if p > 0 else ""
        parts.append(f"{prefix}no deal: status quo {row['status_quo']:g} ({row['no_deal']})")
    return "; ".join(parts)


def position_trajectories(
    positions: pd.DataFrame, actors: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Columns: scenario, actor, dimension, day, n, median, p10, p90."""
    frame = positions if actors is None else positions[positions["actor"].isin(actors)]
    return _bands(frame, ["scenario", "actor", "dimension", "day"], "position")


def political_rows(positions: pd.DataFrame, actors: tuple[str, ...] = KEY_ACTORS) -> pd.DataFrame:
    """Rows for a comparison table: P(deal) per dimension, then key actors' final positions.

    Columns: scenario, row (``P(deal) <dim>`` or ``<actor> on <dim>``), value (a short text).
    """
    rows = []
    for _, r in deal_table(positions).iterrows():
        rows.append((r["scenario"], f"deal on {r['dimension']}", r["outcome"]))
    for _, r in final_position_bands(positions, actors).iterrows():
        text = f"{r['median']:.0f} [{r['p10']:.0f}-{r['p90']:.0f}]"
        rows.append((r["scenario"], f"{r['actor']} on {r['dimension']}", text))
    return pd.DataFrame.from_records(rows, columns=["scenario", "row", "value"])


def political_wide(positions: pd.DataFrame, actors: tuple[str, ...] = KEY_ACTORS) -> pd.DataFrame:
    """:func:`political_rows` with one column per scenario (for terminals and reports)."""
    rows = political_rows(positions, actors)
    order = list(dict.fromkeys(rows["row"]))
    wide = rows.pivot(index="row", columns="scenario", values="value").reindex(order)
    return wide.reset_index()


def gather_positions(
    tables: Mapping[str, pd.DataFrame | None], reps: int | None = None
) -> pd.DataFrame | None:
    """One positions table for a comparison: each run set's table under its label.

    ``tables`` maps a scenario label (as the comparison names it) to the positions of that
    scenario's runs (``None`` when its runs stored none). Only replications ``0 .. reps - 1``
    are kept, so a folder with more runs than the comparison used gives the same rows as the
    comparison's outcomes. ``None`` when no scenario has positions.

    >>> t = pd.DataFrame({"scenario": ["x", "x"], "replication": [0, 5], "position": [1.0, 2.0]})
    >>> gather_positions({"mine": t, "other": None}, reps=3)[["scenario", "replication"]]
      scenario  replication
    0     mine            0
    """
    frames = []
    for label, table in tables.items():
        if table is None or table.empty:
            continue
        kept = table if reps is None else table[table["replication"] < reps]
        frames.append(kept.assign(scenario=label))
    if not frames:
        return None
    return pd.concat(frames, ignore_index=True)

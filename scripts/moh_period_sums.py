"""Per-period sums of the Gaza health ministry's newly killed since the ceasefire.

Prints, for each calibration window of ``seeds/observations.yaml`` that draws on the ministry's
daily reports, the sum of ``killed_truce_new`` by report date and the uncertainty rule used in
the file: sd = sqrt((0.10 v)^2 + (2 v / n)^2), that is a 10% classification error (newly killed
vs recovered bodies vs committee-confirmed earlier deaths; the ministry's own running totals
differ from the compiled daily sums by about 5% either way) plus two days' worth of deaths
shifting across a window boundary (report days without a report, reports covering the previous
24 hours). Counting noise is not observation error: the model's replications carry it.

    PYTHONPATH=. .venv/bin/python scripts/moh_period_sums.py [CSV]
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pandas as pd

DEFAULT_CSV = (
    Path(__file__).resolve().parents[2] / "shared/data/gaza_moh_daily_2025-10-01_2026-01-31.csv"
)
WINDOWS = {
    "moh_killed_2025_10": ("2025-10-11", "2025-10-31"),
    "moh_killed_2025_11": ("2025-11-01", "2025-11-30"),
    "moh_killed_2025_12": ("2025-12-01", "2025-12-31"),
    "moh_killed_2026_01": ("2026-01-01", "2026-01-31"),
    "moh_killed_total": ("2025-10-11", "2026-01-31"),
}
CLASSIFICATION_ERROR = 0.10
BOUNDARY_DAYS = 2


def period_sums(csv: Path) -> pd.DataFrame:
    """Sum, days, and the observation sd of each window."""
    table = pd.read_csv(csv, parse_dates=["report_date"]).set_index("report_date")
    killed = table["killed_truce_new"].fillna(0.0)
    rows = []
    for name, (start, end) in WINDOWS.items():
        values = killed[start:end]
        total, days = float(values.sum()), len(values)
        sd = math.hypot(CLASSIFICATION_ERROR * total, BOUNDARY_DAYS * total / days)
        rows.append(
            {
                "id": name,
                "start": start,
                "end": end,
                "sum": total,
                "days": days,
                "daily_max": float(values.max()),
                "sd": round(sd, 1),
            }
        )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    print(
        period_sums(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CSV).to_string(index=False)
    )

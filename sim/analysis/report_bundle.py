"""Files to download: result tables as CSV or Parquet, and the comparison report.

The report is the analysis layer's own (:mod:`sim.analysis.report`), given the app's extras: a
title, the explanation sentences as findings, the daily bands and a manifest-like provenance
record (code version, packages, seed, scenario hashes), so a report downloaded from the app
reads like one written by ``isf-lab compare``.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.compare import Comparison
from sim.analysis.report import comparison_blocks, to_html, to_markdown
from sim.experiments.provenance import code_version, now_iso, package_versions
from sim.experiments.seeds import SeedPlan


@dataclass
class ResultSet:
    """The tables of one set of runs in the app (from the Run or the Compare page).

    Attributes:
        comparison: The comparison of the scenarios.
        bands: Daily median and 10-90% bands.
        daily: One row per run and day.
        hashes: Scenario label -> scenario hash.
        seed: The user's seed.
        reps: Replications per scenario.
        origin: Which page made it.
        findings: Plain-words explanation lines for the report.
        edits: The user's edits, one line each (what changed from which scenario file).
        link: The query of a link that reproduces the view (``scenario=...&edits=...``).
        positions: Actor positions of the coupled runs under the comparison's labels (see
            :func:`sim.analysis.positions.gather_positions`); the report's political rows
            (P(deal), the no-deal state, key actors' final positions) come from it.
    """

    comparison: Comparison
    bands: pd.DataFrame
    daily: pd.DataFrame
    hashes: dict[str, str]
    seed: int
    reps: int
    origin: str
    findings: list[str] = field(default_factory=list)
    edits: list[str] = field(default_factory=list)
    link: str = ""
    positions: pd.DataFrame | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """One row per run."""
        return self.comparison.summary


def manifest(results: ResultSet) -> dict[str, Any]:
    """A provenance record in the shape of an experiment manifest."""
    runs = len(results.summary)
    return {
        "format": "isf-lab-app/1",
        "created": now_iso(),
        "code": code_version(),
        "packages": package_versions(),
        "seed": SeedPlan.from_seed(results.seed).to_json() | {"user_seed": results.seed},
        "replications": results.reps,
        "runs": {"finished": runs, "failed": 0},
        "scenarios": {label: {"hash": digest} for label, digest in results.hashes.items()},
        "edits": list(results.edits),
        "link": results.link,
    }


def report_comparison(results: ResultSet) -> Comparison:
    """The comparison with the app's title, findings, daily bands and provenance."""
    extras = {
        **results.comparison.extras,
        "title": f"Scenario comparison against {results.comparison.baseline}",
        "intro": [
            f"Made in the ISF scenario lab ({results.origin}): {results.reps} replications per "
            f"scenario, seed {results.seed}, replications paired across scenarios.",
            *_edit_lines(results),
        ],
        "findings": results.findings,
    }
    if results.positions is not None and not results.positions.empty:
        extras["positions"] = results.positions
    return dataclasses.replace(
        results.comparison,
        daily_bands=results.bands,
        manifest=manifest(results),
        extras=extras,
    )


def _edit_lines(results: ResultSet) -> list[str]:
    if not results.edits:
        return []
    lines = ["Edits made in the lab: " + "; ".join(results.edits) + "."]
    if results.link:
        lines.append(f"To reproduce them, open the lab with the query ?{results.link}")
    return lines


def html_report(results: ResultSet) -> bytes:
    """A self-contained HTML report (figures inline)."""
    return to_html(comparison_blocks(report_comparison(results))).encode("utf-8")


def markdown_report_zip(results: ResultSet) -> bytes:
    """A zip with ``report.md`` and its PNG figures."""
    blocks = comparison_blocks(report_comparison(results))
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="isf-lab-report-") as folder:
        root = Path(folder)
        figures = root / "report_figures"
        figures.mkdir()
        markdown, written = to_markdown(blocks, figures, root)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("report.md", markdown)
            for path in written:
                archive.write(path, path.relative_to(root).as_posix())
    return buffer.getvalue()


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV."""
    return table.to_csv(index=False).encode("utf-8")


def parquet_bytes(table: pd.DataFrame) -> bytes:
    """A table as Parquet (pyarrow)."""
    buffer = io.BytesIO()
    table.to_parquet(buffer, engine="pyarrow", index=False)
    return buffer.getvalue()

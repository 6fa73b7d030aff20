"""Comparison reports: self-contained HTML, Markdown with PNG figures, and CSV tables.

A report is a list of blocks (headings, paragraphs, tables, figures) built once and rendered to
either format, so the HTML and Markdown reports always say the same thing.

Example:
    >>> render_report(comparison, "report.html")  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from matplotlib.figure import Figure

from sim.analysis import figures
from sim.analysis.compare import Comparison
from sim.analysis.outcomes import HEADLINE_OUTCOMES, difference_verdict, outcome_info

Format = Literal["html", "md", "csv"]


@dataclass
class Block:
    """One piece of a report: ``kind`` is heading, text, bullets, table or figure."""

    kind: str
    content: Any
    caption: str = ""
    level: int = 2


def heading(text: str, level: int = 2) -> Block:
    """A section heading."""
    return Block("heading", text, level=level)


def text(paragraph: str) -> Block:
    """A paragraph (plain text; ``**bold**`` and ``code`` marks are kept in Markdown only)."""
    return Block("text", paragraph)


def bullets(items: Sequence[str]) -> Block:
    """A bulleted list."""
    return Block("bullets", list(items))


def table(frame: pd.DataFrame, caption: str = "") -> Block:
    """A table (shown as formatted text)."""
    return Block("table", frame, caption)


def figure(name: str, build: Callable[[], Figure], caption: str) -> Block:
    """A figure, built lazily when rendered; ``name`` is its file stem in Markdown."""
    return Block("figure", (name, build), caption)


def comparison_blocks(comparison: Comparison) -> list[Block]:
    """The standard report of a comparison."""
    shown = [o for o in HEADLINE_OUTCOMES if o in comparison.outcomes] or comparison.outcomes[:9]
    blocks = [heading(comparison.extras.get("title", "Scenario comparison"), 1)]
    blocks += [text(p) for p in comparison.extras.get("intro", [])]
    if comparison.extras.get("findings"):
        blocks += [heading("Key findings"), bullets(comparison.extras["findings"])]
    if comparison.warnings:
        blocks += [heading("Warnings"), bullets(comparison.warnings)]
    if not comparison.survival_summary.empty:
        blocks += [
            heading("Does the ceasefire hold?"),
            table(format_survival(comparison)),
            figure(
                "survival",
                lambda: figures.survival_plot(comparison.survival, comparison.scenarios),
                "Share of runs in which the ceasefire still holds, by day.",
            ),
        ]
    blocks += tail_blocks(comparison, shown)
    blocks += [
        heading("Outcomes"),
        table(outcome_table(comparison, shown), "Median [10-90% band] across replications."),
        figure(
            "distributions",
            lambda: figures.distributions(comparison.summary, shown, comparison.scenarios),
            "Distribution of each outcome across replications.",
        ),
    ]
    if len(comparison.scenarios) > 1:
        blocks += [
            heading(f"Differences from {comparison.baseline}"),
            text(DIFFERENCE_NOTE),
            table(difference_table(comparison, shown)),
            figure(
                "differences",
                lambda: figures.differences_plot(
                    comparison.differences, shown, comparison.baseline
                ),
                "Green: better than the baseline and resolved; red: worse and resolved; "
                "grey: not resolved with these replications.",
            ),
        ]
    blocks += political_blocks(comparison)
    if comparison.daily_bands is not None and not comparison.daily_bands.empty:
        blocks += [
            heading("Over time"),
            figure(
                "fan",
                lambda: figures.fan_chart(comparison.daily_bands, comparison.scenarios),
                "Median and 10-90% band by day.",
            ),
        ]
    blocks += comparison.extras.get("sections", [])
    blocks += provenance_blocks(comparison.manifest)
    return blocks


POLITICS_NOTE = (
    "Each dimension is decided by its consent rule: the bargained outcome is implemented only "
    "when every actor whose consent it needs accepts it; otherwise the dimension stays at its "
    "status quo. 'deal 72 [65-80] in 63%' means 63% of replications ended the horizon with a "
    "deal, at a median implemented outcome of 72; the rest ended in the named no-deal state. "
    "Actor rows give each actor's final position (0-100): median [10-90% band]."
)


def political_blocks(comparison: Comparison) -> list[Block]:
    """Deals and actor positions per scenario, when the runs stored positions."""
    positions = comparison.extras.get("positions")
    if positions is None:
        return []
    from sim.analysis.positions import political_wide

    return [
        heading("Politics: deals and actor positions"),
        text(POLITICS_NOTE),
        table(political_wide(positions)),
    ]


DIFFERENCE_NOTE = (
    "Each difference is scenario minus baseline, paired by replication (both use the same "
    "random numbers), averaged, with a 95% bootstrap interval. P(better) is the share of "
    "replications in which the scenario did better. A difference is resolved when its interval "
    "excludes zero; otherwise the table says roughly how many replications would resolve it."
)


def fmt_number(value: Any, digits: int = 3) -> str:
    """A number for a table: thousands separated, three significant digits, dashes for NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞"
        magnitude = abs(value)
        if magnitude >= 1000 or value == int(value):
            return f"{value:,.0f}"
        return f"{value:.{digits}g}"
    return str(value)


def outcome_table(comparison: Comparison, outcomes: Sequence[str]) -> pd.DataFrame:
    """Outcomes as rows, scenarios as columns: ``median [p10, p90]``."""
    bands = comparison.bands.set_index(["scenario", "outcome"])
    rows = []
    for outcome in outcomes:
        row = {"outcome": outcome_info(outcome).label}
        for scenario in comparison.scenarios:
            b = bands.loc[(scenario, outcome)]
            if outcome == "ceasefire_collapsed":
                row[scenario] = f"{b['mean']:.0%} of runs"
            else:
                row[scenario] = (
                    f"{fmt_number(b['median'])} [{fmt_number(b['p10'])}, {fmt_number(b['p90'])}]"
                )
        rows.append(row)
    return pd.DataFrame(rows)


PRACTICAL_REPS = 10_000
"""Beyond this many replications a difference is too small to matter in practice."""


def _unresolved_verdict(needed: float) -> str:
    """Why a difference is not resolved: too few replications, or no difference worth finding."""
    if not math.isfinite(needed):
        return "no difference"
    if needed > PRACTICAL_REPS:
        return "no practical difference"
    return f"needs ~{fmt_number(needed)} reps"


def difference_table(comparison: Comparison, outcomes: Sequence[str]) -> pd.DataFrame:
    """One row per scenario and outcome: mean difference, interval, P(better), verdict."""
    rows = []
    for _, d in comparison.differences[comparison.differences["outcome"].isin(outcomes)].iterrows():
        resolved = bool(d["resolved"])
        needed = d["reps_needed"]
        verdict = difference_verdict(d) if resolved else _unresolved_verdict(float(needed))
        rows.append(
            {
                "scenario": d["scenario"],
                "outcome": outcome_info(str(d["outcome"])).label,
                "mean difference": fmt_number(d["mean_diff"]),
                "95% interval": f"[{fmt_number(d['ci_low'])}, {fmt_number(d['ci_high'])}]",
                "P(better)": "–"
                if d["better"] is None or pd.isna(d["better"])
                else f"{d['p_better']:.2f}",
                "pairs": int(d["n_pairs"]),
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)


def format_survival(comparison: Comparison) -> pd.DataFrame:
    """The survival summary with readable columns."""
    table_ = comparison.survival_summary.copy()
    for column in [c for c in table_.columns if c.startswith("holding")]:
        table_[column] = table_[column].map(lambda v: f"{v:.0%}")
    table_["median_days"] = table_["median_days"].map(
        lambda v: "not reached" if v is None or pd.isna(v) else f"{v:.0f}"
    )
    return table_.rename(columns=lambda c: c.replace("_", " "))


def provenance_blocks(manifest: dict[str, Any]) -> list[Block]:
    """Where the numbers come from: code, seed, scenarios, sessions."""
    if not manifest:
        return []
    code = manifest.get("code", {})
    commit = code.get("commit") or "unknown"
    dirty = " (with uncommitted changes)" if code.get("dirty") else ""
    items = [
        f"isf-lab {code.get('sim_version', '?')}, commit {commit[:12]}{dirty}",
        f"seed entropy {manifest.get('seed', {}).get('entropy', '?')}; replication i uses "
        "SeedSequence(entropy, spawn_key=(i,)) in every scenario",
        f"{manifest.get('runs', {}).get('finished', '?')} runs finished, "
        f"{manifest.get('runs', {}).get('failed', 0)} failed",
    ]
    items += [
        f"scenario {name}: hash {info['hash'][:12]}"
        for name, info in list(manifest.get("scenarios", {}).items())[:12]
    ]
    return [heading("Provenance"), bullets(items)]


def render_report(
    comparison: Comparison, path: str | Path, fmt: Format | None = None
) -> list[Path]:
    """Write the comparison report.

    Args:
        comparison: From :func:`sim.analysis.compare.compare_results`.
        path: Output file; its suffix picks the format unless ``fmt`` is given.
        fmt: ``"html"`` (self-contained, figures inline), ``"md"`` (figures as PNG files in
            ``<stem>_figures/``) or ``"csv"`` (the tables).

    Returns:
        Every file written.
    """
    path = Path(path)
    chosen = fmt or _format_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if chosen == "csv":
        return write_csv(comparison, path)
    blocks = comparison_blocks(comparison)
    return write_blocks(blocks, path, chosen)


def _format_of(path: Path) -> Format:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("html", "htm"):
        return "html"
    if suffix in ("md", "markdown"):
        return "md"
    if suffix == "csv":
        return "csv"
    raise ValueError(f"cannot tell the report format from {path.name!r}; use .html, .md or .csv")


def write_csv(comparison: Comparison, path: Path) -> list[Path]:
    """The comparison table, plus the survival steps beside it."""
    comparison.table().to_csv(path, index=False)
    written = [path]
    if not comparison.survival.empty:
        survival_path = path.with_name(f"{path.stem}_survival.csv")
        comparison.survival.to_csv(survival_path, index=False)
        written.append(survival_path)
    return written


def write_blocks(blocks: Sequence[Block], path: Path, fmt: Format) -> list[Path]:
    """Render blocks as HTML or Markdown."""
    if fmt == "html":
        path.write_text(to_html(blocks), encoding="utf-8")
        return [path]
    folder = path.with_name(f"{path.stem}_figures")
    folder.mkdir(exist_ok=True)
    markdown, written = to_markdown(blocks, folder, path.parent)
    path.write_text(markdown, encoding="utf-8")
    return [path, *written]


CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#222;line-height:1.45}table{border-collapse:collapse;margin:.8em 0;font-size:.85em}
th,td{border:1px solid #ccc;padding:.3em .55em;text-align:left;vertical-align:top}
th{background:#f2f2f2}img{max-width:100%}figcaption{font-size:.85em;color:#555}
.caption{font-size:.85em;color:#555}"""


def to_html(blocks: Sequence[Block]) -> str:
    """A self-contained HTML page (figures as base64 PNG)."""
    title = next((str(b.content) for b in blocks if b.kind == "heading"), "Report")
    body = "\n".join(_html_block(block) for block in blocks)
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n"
        "</body></html>\n"
    )


def _html_block(block: Block) -> str:
    if block.kind == "heading":
        return f"<h{block.level}>{html.escape(str(block.content))}</h{block.level}>"
    if block.kind == "text":
        return f"<p>{html.escape(str(block.content))}</p>"
    if block.kind == "bullets":
        return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in block.content) + "</ul>"
    if block.kind == "table":
        caption = f'<p class="caption">{html.escape(block.caption)}</p>' if block.caption else ""
        return block.content.to_html(index=False, escape=True, na_rep="–") + caption
    name, build = block.content
    data = base64.b64encode(figures.png_bytes(build())).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(block.caption)}</figcaption></figure>"
    )


def to_markdown(blocks: Sequence[Block], folder: Path, root: Path) -> tuple[str, list[Path]]:
    """Markdown text, with figures written as PNG files into ``folder``."""
    parts, written = [], []
    for block in blocks:
        if block.kind == "heading":
            parts.append(f"{'#' * block.level} {block.content}")
        elif block.kind == "text":
            parts.append(str(block.content))
        elif block.kind == "bullets":
            parts.append("\n".join(f"- {item}" for item in block.content))
        elif block.kind == "table":
            parts.append(
                markdown_table(block.content) + (f"\n\n*{block.caption}*" if block.caption else "")
            )
        else:
            name, build = block.content
            target = folder / f"{name}.png"
            target.write_bytes(figures.png_bytes(build()))
            written.append(target)
            parts.append(
                f"![{block.caption}]({target.relative_to(root).as_posix()})\n\n*{block.caption}*"
            )
    return "\n\n".join(parts) + "\n", written


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table."""

    def cell(value: Any) -> str:
        return fmt_number(value).replace("|", "\\|").replace("\n", " ")

    header = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows])


def sensitivity_blocks(indices: pd.DataFrame, title: str = "Global sensitivity") -> list[Block]:
    """A report section of Sobol or Morris indices (from ``sensitivity_table``)."""
    sobol = "ST" in indices.columns
    key = "ST" if sobol else "mu_star"
    columns = [
        "outcome",
        "factor",
        *(
            ["S1", "S1_conf", "ST", "ST_conf"]
            if sobol
            else ["mu_star", "mu_star_conf", "sigma", "mu"]
        ),
    ]
    ranked = indices.sort_values(["outcome", key], ascending=[True, False])[columns]
    note = (
        "Sobol indices: S1 is the share of the outcome's variance due to one assumption alone, "
        "ST adds its interactions (conf: 95% half-widths)."
        if sobol
        else "Morris screening: mu_star is the mean absolute change of the outcome when one "
        "assumption moves across its whole range; sigma the spread of those changes "
        "(non-linearity or interactions)."
    )
    return [
        heading(title, 1),
        text(note),
        table(ranked),
        figure(
            "sensitivity",
            lambda: figures.sensitivity_plot(indices),
            "Indices per assumption, one panel per outcome.",
        ),
    ]


TAIL_NOTE = (
    "P(collapse) is the share of replications in which the ceasefire collapsed within the "
    "horizon, with a 95% Jeffreys interval (it is wide with few replications: 30 runs give "
    "about +/-15 points). Because a holding and a collapsed ceasefire are different worlds, "
    "each outcome is also shown conditional on the regime: median [10-90% band] (runs)."
)


def collapse_table(comparison: Comparison) -> pd.DataFrame:
    """P(collapse) per scenario with its interval, as text cells."""
    rows = []
    for row in comparison.collapse.itertuples(index=False):
        rows.append(
            {
                "scenario": row.scenario,
                "runs": int(row.runs),
                "collapses": int(row.collapses),
                "P(collapse) [95% interval]": f"{row.p_collapse:.0%} "
                f"[{row.ci_low:.0%}, {row.ci_high:.0%}]",
            }
        )
    return pd.DataFrame(rows)


def conditional_table(comparison: Comparison, outcomes: Sequence[str]) -> pd.DataFrame:
    """Outcomes as rows, scenarios as columns: holding and collapsed bands in each cell."""
    bands = comparison.conditional
    skip = {"ceasefire_collapsed", "days_to_collapse"}
    rows = []
    for outcome in [o for o in outcomes if o not in skip]:
        row = {"outcome": outcome_info(outcome).label}
        for scenario in comparison.scenarios:
            parts = []
            chosen = bands[(bands["scenario"] == scenario) & (bands["outcome"] == outcome)]
            for regime in chosen.itertuples(index=False):
                if regime.n == 0:
                    parts.append(f"{regime.regime}: no runs")
                    continue
                parts.append(
                    f"{regime.regime}: {fmt_number(regime.median)} "
                    f"[{fmt_number(regime.p10)}, {fmt_number(regime.p90)}] ({regime.n})"
                )
            row[scenario] = "; ".join(parts)
        rows.append(row)
    return pd.DataFrame(rows)


def tail_blocks(comparison: Comparison, outcomes: Sequence[str]) -> list[Block]:
    """The tails: P(collapse) with intervals and outcomes by regime (empty without collapse)."""
    if comparison.collapse.empty:
        return []
    blocks = [heading("Tails: collapse and outcomes by regime"), text(TAIL_NOTE)]
    blocks.append(table(collapse_table(comparison)))
    if not comparison.conditional.empty:
        blocks.append(
            table(
                conditional_table(comparison, outcomes),
                "Per scenario: holding and collapsed runs, median [10-90% band] (runs).",
            )
        )
    return blocks

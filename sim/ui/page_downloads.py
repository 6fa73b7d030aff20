"""Page 6, Downloads: your scenario, result tables (CSV or Parquet) and the comparison report."""

from __future__ import annotations

import functools

import streamlit as st

from sim.analysis.report_bundle import (
    ResultSet,
    csv_bytes,
    html_report,
    markdown_report_zip,
    parquet_bytes,
)
from sim.scenario.loader import dump_scenario
from sim.ui import state


def render() -> None:
    """Draw the Downloads page."""
    st.title("Downloads")
    _scenario()
    results: ResultSet | None = state.last_results()
    if results is None:
        st.info("Run a scenario (Run page) or a comparison (Compare page) to download results.")
        st.page_link(
            "sim/ui/pages/run.py", label="Go to the Run page", icon=":material/play_arrow:"
        )
        return
    labels = ", ".join(results.comparison.scenarios)
    st.subheader("Results")
    st.markdown(
        f"The last results, from the {results.origin}: **{labels}**, {results.reps} replications "
        f"each, seed {results.seed}, baseline **{results.comparison.baseline}**."
    )
    _tables(results)
    st.subheader("Comparison report")
    st.caption(
        "The same report as `isf-lab compare --html`: outcomes, paired differences, survival, "
        "fans over time, and the provenance (code version, seed, scenario hashes). Figures "
        "are drawn when you click, which takes a few seconds."
    )
    left, right = st.columns(2)
    left.download_button(
        "Report (HTML, self-contained)",
        data=lambda: html_report(results),
        file_name="comparison-report.html",
        mime="text/html",
        key="download_report_html",
    )
    right.download_button(
        "Report (Markdown and figures, zip)",
        data=lambda: markdown_report_zip(results),
        file_name="comparison-report.zip",
        mime="application/zip",
        key="download_report_md",
    )


def _scenario() -> None:
    st.subheader("Your scenario")
    built, _ = state.built_draft()
    if built is None:
        st.warning("Your scenario has problems; fix them on the Scenario page to download it.")
        return
    st.download_button(
        f"YAML: {built.metadata.name}.yaml",
        data=dump_scenario(built),
        file_name=f"{built.metadata.name}.yaml",
        mime="application/x-yaml",
        key="download_draft_yaml",
    )


def _tables(results: ResultSet) -> None:
    tables = {
        "summary": (results.summary, "one row per run"),
        "daily": (results.daily, "one row per run and day"),
        "comparison": (results.comparison.table(), "bands and paired differences"),
    }
    for name, (table, what) in tables.items():
        left, middle, right = st.columns([4, 1, 1], vertical_alignment="center")
        left.markdown(f"**{name}**: {what} ({len(table):,} rows)")
        middle.download_button(
            "CSV",
            data=functools.partial(csv_bytes, table),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"download_{name}_csv",
        )
        right.download_button(
            "Parquet",
            data=functools.partial(parquet_bytes, table),
            file_name=f"{name}.parquet",
            mime="application/octet-stream",
            key=f"download_{name}_parquet",
        )

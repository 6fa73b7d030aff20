"""Page 4, Sources: the claims behind the numbers, which parameters use them, every assumption."""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import streamlit as st

from sim.experiments.app_runs import parse_payload, payload_of
from sim.scenario.catalog import iter_sourced
from sim.scenario.evidence import SourceRegistry
from sim.scenario.loader import scenario_hash
from sim.scenario.schema import Scenario
from sim.ui import state
from sim.ui.widgets import how_to_read, registry

KINDS = ["claim", "fact", "paper"]


def render() -> None:
    """Draw the Sources page."""
    st.title("Sources")
    st.markdown(
        "Every number in a scenario either cites what it derives from (a claim from one of the "
        "five source reports digested in `seeds/`, a figure from the domain facts, or a paper) "
        "or is labelled an *assumption* with a plausible range. The digests are in our own words."
    )
    sources = registry()
    if sources is None:
        st.error("The source registry (seeds/) does not load; run `isf-lab validate` to see why.")
        return
    choices = state.scenario_choices()
    claims_tab, assumptions_tab, documents_tab = st.tabs(
        ["Claims, facts and papers", "Assumptions", "Source documents"]
    )
    with claims_tab:
        _claims(sources, choices)
    with assumptions_tab:
        _assumptions(choices)
    with documents_tab:
        _documents(sources)


@st.cache_data(show_spinner=False, max_entries=8)
def usage(key: tuple[tuple[str, str], ...], _payloads: tuple[str, ...]) -> dict[str, list[str]]:
    """For each source id, the ``scenario: parameter`` entries that cite it."""
    used: dict[str, list[str]] = defaultdict(list)
    for (label, _), payload in zip(key, _payloads, strict=True):
        for item in iter_sourced(parse_payload(payload)):
            for source_id in item.sourced.source or []:
                used[source_id].append(f"{label}: {item.dotted_path}")
    return dict(used)


def source_table(sources: SourceRegistry, used: dict[str, list[str]]) -> pd.DataFrame:
    """One row per citable id: kind, document, confidence, text and the parameters citing it."""
    rows = []
    for source_id in sources.ids():
        record = sources.get(source_id)
        if record is None:
            continue
        claim = sources.claim(source_id) if record.kind == "claim" else None
        citing = used.get(source_id, [])
        parameters = sorted({entry.split(": ", 1)[1] for entry in citing})
        rows.append(
            {
                "id": source_id,
                "what it says": full_text(sources, source_id),
                "parameters": len(parameters),
                "used for": ", ".join(parameters),
                "kind": record.kind,
                "document": record.document or "",
                "confidence": claim.confidence.level if claim is not None else "",
            }
        )
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    return table.sort_values(["parameters", "id"], ascending=[False, True], ignore_index=True)


def full_text(sources: SourceRegistry, source_id: str) -> str:
    """What a source says, in full: a claim's text, a fact's text, a paper's finding."""
    claim = sources.claim(source_id)
    if claim is not None:
        return claim.says
    fact = next((f for f in sources.facts if f.id == source_id), None)
    if fact is not None:
        return fact.text
    paper = next((p for p in sources.papers if p.id == source_id), None)
    if paper is not None:
        return f"{paper.citation()}: {paper.finding}"
    record = sources.get(source_id)
    return record.text if record is not None else ""


def _claims(sources: SourceRegistry, choices: dict[str, Scenario]) -> None:
    key = tuple((label, scenario_hash(s)) for label, s in choices.items())
    used = usage(key, tuple(payload_of(s) for s in choices.values()))
    table = source_table(sources, used)
    left, right = st.columns([3, 2])
    text = left.text_input("Filter", key="source_filter", placeholder="e.g. turkey, troops, veto")
    kinds = right.multiselect("Kinds", KINDS, default=KINDS, key="source_kinds")
    shown = table[table["kind"].isin(kinds)]
    if text:
        mask = shown.apply(
            lambda row: text.lower() in " ".join(map(str, row.values)).lower(), axis=1
        )
        shown = shown[mask]
    st.caption(
        f"{len(shown)} of {len(table)} sources; "
        f"{int((table['parameters'] > 0).sum())} feed a parameter."
    )
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "what it says": st.column_config.TextColumn(width="large"),
            "used for": st.column_config.TextColumn(width="medium"),
        },
    )
    chosen = st.selectbox("Look at one source", list(shown["id"]), key="source_detail")
    if chosen:
        record = sources.get(chosen)
        kind = record.kind if record else "?"
        st.markdown(f"**{chosen}** ({kind}): {full_text(sources, chosen)}")
        claim = sources.claim(chosen)
        if claim is not None:
            st.caption(f"Confidence: {claim.confidence.level} — {claim.confidence.reason}")
        st.markdown(citing_lines(used.get(chosen, [])) or "No parameter cites it.")


def citing_lines(citing: list[str], shown: int = 3) -> str:
    """Markdown: each parameter citing a source, with the scenarios it appears in."""
    by_parameter: dict[str, list[str]] = defaultdict(list)
    for entry in citing:
        scenario, parameter = entry.split(": ", 1)
        by_parameter[parameter].append(scenario)
    lines = []
    for parameter, scenarios in sorted(by_parameter.items()):
        names = ", ".join(scenarios[:shown]) + (", ..." if len(scenarios) > shown else "")
        lines.append(f"- `{parameter}`: in {len(scenarios)} scenario(s) ({names})")
    return "\n".join(lines)


def assumption_table(scenario: Scenario) -> pd.DataFrame:
    """Every assumption of a scenario: value, range, where the value sits in it, unit, note."""
    rows = []
    for item in iter_sourced(scenario):
        assumption = item.sourced.assumption
        value = item.sourced.value
        if assumption is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        low, high = float(assumption[0]), float(assumption[1])
        position = (float(value) - low) / (high - low) if high > low else 0.5
        rows.append(
            {
                "parameter": item.dotted_path,
                "value": float(value),
                "low": low,
                "high": high,
                "position in range": position,
                "unit": item.unit or "",
                "note": item.sourced.note or "",
            }
        )
    return pd.DataFrame(rows)


def _assumptions(choices: dict[str, Scenario]) -> None:
    labels = list(choices)
    label = st.selectbox("Scenario", labels, key="assumption_scenario")
    if label is None:
        return
    scenario = choices[label]
    table = assumption_table(scenario)
    total = sum(1 for _ in iter_sourced(scenario))
    st.caption(f"{len(table)} of {total} parameters of {label} are assumptions.")
    text = st.text_input(
        "Filter", key="assumption_filter", placeholder="e.g. contributors, salience"
    )
    if text:
        table = table[table["parameter"].str.contains(text, case=False, regex=False)]
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "position in range": st.column_config.ProgressColumn(
                min_value=0.0,
                max_value=1.0,
                format="%.2f",
                help="0 = at the low end of the range, 1 = at the high end.",
            )
        },
    )
    how_to_read(
        "An assumption is a value no source fixes. Its range is what the project thinks "
        "plausible; sensitivity runs (`isf-lab sensitivity`) vary every assumption across its "
        "range to find which ones matter. **position in range** shows where the chosen value "
        "sits between the low and the high end."
    )


def _documents(sources: SourceRegistry) -> None:
    rows = [
        {
            "document": digest.document,
            "outlet": digest.outlet,
            "language": digest.language,
            "date (approx.)": digest.date.approx,
            "reliability": digest.reliability.level,
            "claims": len(digest.claims),
            "summary": digest.summary,
        }
        for digest in sources.digests
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("See docs/sources.md for how the documents were dated and how far they are trusted.")

"""Page 1, Scenario: pick or upload a scenario, make the decisions, edit any value, download."""

from __future__ import annotations

import streamlit as st

from sim.analysis.explain import changed_lines
from sim.experiments.app_runs import parse_payload, payload_of
from sim.scenario.editing import Draft, changes, problem_lines, safe_name
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, dump_scenario, load_scenario_text
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import MAX_FILE_BYTES, decode_text
from sim.ui import state
from sim.ui.editor import all_parameters, decision_controls, main_controls
from sim.ui.widgets import registry, show_problems

MAX_UPLOAD_MB = 1
UPLOAD_PROBLEMS = "upload_problems"
UPLOAD_ID = "upload_id"


def render() -> None:
    """Draw the Scenario page."""
    st.title("Scenario")
    st.markdown(
        "Start from one of the project's scenarios or upload your own, make the headline "
        "decisions, and change any value. Every number shows where it comes from: the claims "
        "in the source reports, or the word *assumption* with a plausible range. Values outside "
        "a range are allowed for what-ifs; the range widens and the value is marked as your edit."
    )
    _choose_origin()
    draft = state.draft()
    if draft is None:
        st.error("No scenario file loads. See the problems above, or upload a scenario.")
        return
    built, problems = state.built_draft()
    _header(draft, built)
    if problems:
        show_problems(
            problem_lines(ScenarioError(problems)), "Your edits make the scenario invalid"
        )
    data = draft.data()
    sources = registry()
    st.subheader("The headline decisions")
    st.caption(
        "New here? Pick **rejects** and **vetoed**, then open **Run** to see how the outcomes "
        "change and why."
    )
    decision_controls(draft)
    st.page_link("sim/ui/pages/run.py", label="Run this scenario", icon=":material/play_arrow:")
    st.subheader("The main levers")
    main_controls(draft, data, sources)
    st.subheader("Every other value")
    st.caption(
        "Grouped by section of the scenario format; the schema's hard limits bound each input."
    )
    all_parameters(draft, data, sources)
    _keep_and_download(draft, built)


def _choose_origin() -> None:
    loaded = state.library()
    uploaded: dict[str, str] = st.session_state[state.UPLOADED]
    left_column, right_column = st.columns([3, 2])
    with right_column:
        _upload_box(uploaded)
    labels = [item.label for item in loaded if item.payload is not None] + list(uploaded)
    draft = state.draft()
    if draft is None or not labels:
        _broken_files(loaded)
        return
    with left_column:
        key = f"{st.session_state[state.GENERATION]}:origin"
        index = labels.index(draft.origin_label) if draft.origin_label in labels else 0
        st.selectbox(
            "Start from",
            labels,
            index=index,
            key=key,
            help="The project's scenarios (folder scenarios/) and your uploads.",
            on_change=_origin_changed,
            args=(key,),
        )
    _broken_files(loaded)


def _origin_changed(key: str) -> None:
    label = st.session_state[key]
    uploaded: dict[str, str] = st.session_state[state.UPLOADED]
    origin = parse_payload(uploaded[label]) if label in uploaded else state.shipped(label)
    if origin is not None:
        state.start_draft(origin, label)


def _broken_files(loaded: list[state.Loaded]) -> None:
    broken = [item for item in loaded if item.payload is None]
    if broken:
        with st.expander(f"{len(broken)} scenario file(s) in the folder do not load"):
            for item in broken:
                show_problems(list(item.problems), item.label)


def _upload_box(uploaded: dict[str, str]) -> None:
    file = st.file_uploader(
        f"Upload a scenario (YAML, up to {MAX_UPLOAD_MB} MB)",
        type=["yaml", "yml"],
        max_upload_size=MAX_UPLOAD_MB,
        key="upload",
        help="It may extend the project's files (e.g. 'extends: base.yaml'); "
        "nothing outside the scenarios folder can be read.",
    )
    if file is None:
        st.session_state.pop(UPLOAD_PROBLEMS, None)
        return
    if st.session_state.get(UPLOAD_ID) != file.file_id:
        st.session_state[UPLOAD_ID] = file.file_id
        scenario, problems = read_upload(file.name, file.getvalue())
        st.session_state[UPLOAD_PROBLEMS] = problems
        if scenario is not None:
            label = f"upload: {file.name}"
            uploaded[label] = payload_of(scenario)
            state.start_draft(scenario, label)
    problems = st.session_state.get(UPLOAD_PROBLEMS) or []
    if problems:
        show_problems(problems, f"{file.name} cannot be used")
    else:
        st.success(f"{file.name} loaded.")


def read_upload(name: str, raw: bytes) -> tuple[Scenario | None, list[Problem]]:
    """An uploaded file as a scenario, or the problems that stop it (never raises)."""
    if len(raw) > MAX_FILE_BYTES:
        message = f"the file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"
        return None, [Problem(name, None, "", message, "scenario files are small text files")]
    try:
        text = decode_text(raw, name)
        return load_scenario_text(text, name=name, base_dir=SCENARIOS_DIR), []
    except ScenarioError as exc:
        return None, list(exc.problems)
    except Exception as exc:  # a broken file must never stop the app
        return None, [Problem(name, None, "", f"could not read the file: {exc}")]


def _header(draft: Draft, built: Scenario | None) -> None:
    if built is None:
        return
    found = changes(draft.origin, built)
    summary = f"{len(found)} change(s) from **{draft.origin_label}**" if found else "no edits yet"
    st.info(f"Your scenario `{built.metadata.name}`: **{built.metadata.title}** — {summary}.")
    if found:
        with st.expander("What you changed"):
            st.markdown("\n".join(f"- {line}" for line in changed_lines(found, limit=40)))


def _keep_and_download(draft: Draft, built: Scenario | None) -> None:
    st.subheader("Keep or download")
    key = f"{st.session_state[state.GENERATION]}:name:{draft.default_name()}"
    st.text_input(
        "Name of your scenario",
        value=draft.name or draft.default_name(),
        key=key,
        help="Lower case letters, digits, '-' and '_'; results and files use it.",
        max_chars=80,
        on_change=_rename,
        args=(draft, key),
    )
    if built is None:
        st.warning("Fix the problems above to download or keep this scenario.")
        return
    left, middle, right = st.columns(3)
    left.download_button(
        "Download as YAML",
        data=scenario_yaml(built, draft),
        file_name=f"{built.metadata.name}.yaml",
        mime="application/x-yaml",
        key="download_scenario",
    )
    if middle.button("Keep this version for the comparison", key="keep_version"):
        st.session_state[state.SAVED][built.metadata.name] = payload_of(built)
        st.toast(f"Kept {built.metadata.name}; find it on the Compare page.")
    if right.button("Undo all edits", key="undo_edits"):
        state.start_draft(draft.origin, draft.origin_label)
        st.rerun()


def _rename(draft: Draft, key: str) -> None:
    text = str(st.session_state[key]).strip()
    draft.name = safe_name(text) if text else None


def scenario_yaml(scenario: Scenario, draft: Draft) -> str:
    """The scenario as a YAML file, with a header saying where it came from."""
    header = (
        "# yaml-language-server: $schema=scenario.schema.json\n"
        f"# Edited in the ISF scenario lab from {draft.origin_label}.\n"
        "# Fully resolved: every value is written out (no extends).\n"
    )
    return header + dump_scenario(scenario)

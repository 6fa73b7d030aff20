"""The app's frame: page settings, session defaults and the navigation between pages."""

from __future__ import annotations

import streamlit as st

from sim.ui import state

PAGES = [
    ("scenario", "Scenario", ":material/edit_note:"),
    ("run", "Run", ":material/play_arrow:"),
    ("compare", "Compare", ":material/compare_arrows:"),
    ("sources", "Sources", ":material/menu_book:"),
    ("batch", "Batch results", ":material/folder_open:"),
    ("positions", "Actor positions", ":material/groups:"),
    ("downloads", "Downloads", ":material/download:"),
]
PAGES_DIR = "sim/ui/pages"


def main() -> None:
    """Configure the page, set the session's defaults and show the chosen page."""
    st.set_page_config(page_title="ISF scenario lab", page_icon=":material/science:", layout="wide")
    state.init_session()
    pages = [
        st.Page(f"{PAGES_DIR}/{name}.py", title=title, icon=icon, url_path=name, default=i == 0)
        for i, (name, title, icon) in enumerate(PAGES)
    ]
    page = st.navigation(pages)
    with st.sidebar:
        st.markdown("**ISF scenario lab**")
        st.caption(
            "An open lab for the international stabilization force proposed for Gaza: "
            "edit a scenario, run it, compare it. Every number cites its source or is "
            "labelled an assumption."
        )
    page.run()

"""The app's frame: page settings, session defaults and the navigation between pages."""

from __future__ import annotations

import streamlit as st

from sim.ui import state, url_state

PAGES = [
    ("overview", "Overview", ":material/dashboard:"),
    ("scenario", "Scenario", ":material/edit_note:"),
    ("run", "Run", ":material/play_arrow:"),
    ("compare", "Compare", ":material/compare_arrows:"),
    ("sources", "Sources", ":material/menu_book:"),
    ("batch", "Batch results", ":material/folder_open:"),
    ("positions", "Actor positions", ":material/groups:"),
    ("downloads", "Downloads", ":material/download:"),
]
PAGES_DIR = "sim/ui/pages"


NARROW_CSS = """
<style>
/* Narrow windows (800 px and below 1000 px): columns wrap instead of squeezing */
@media (max-width: 1000px) {
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap; gap: 0.5rem; }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    min-width: calc(50% - 0.5rem); flex: 1 1 calc(50% - 0.5rem);
  }
  [class*="st-key-wide"] [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    min-width: 100%;
  }
  [data-testid="stMainBlockContainer"] { padding-left: 1rem; padding-right: 1rem; }
}
@media (max-width: 640px) {
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] { min-width: 100%; }
}
</style>
"""


def main() -> None:
    """Configure the page, restore the view from the URL, show the chosen page, save the view."""
    st.set_page_config(
        page_title="ISF scenario lab",
        page_icon="🔬",  # an emoji: drawn locally (a :material: icon is fetched from Google)
        layout="wide",
        initial_sidebar_state="collapsed",
    )
    state.init_session()
    url_state.restore()
    url_state.write()  # widget callbacks have already run: their changes go to the URL now
    state.start_pool()
    pages = [
        st.Page(f"{PAGES_DIR}/{name}.py", title=title, icon=icon, url_path=name, default=i == 0)
        for i, (name, title, icon) in enumerate(PAGES)
    ]
    page = st.navigation(pages, position="top")
    st.html(NARROW_CSS)
    url_state.show_problems()
    page.run()
    url_state.write()

"""The Actor positions page (a Streamlit page script; the page is in sim.ui.page_positions)."""

from sim.ui.page_positions import render

render()

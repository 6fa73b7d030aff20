"""The Sources page (a Streamlit page script; the page itself is in sim.ui.page_sources)."""

from sim.ui.page_sources import render

render()

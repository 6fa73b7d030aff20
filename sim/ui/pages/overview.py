"""The Overview page (a Streamlit page script; the page itself is in sim.ui.page_overview)."""

from sim.ui.page_overview import render

render()

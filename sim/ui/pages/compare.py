"""The Compare page (a Streamlit page script; the page itself is in sim.ui.page_compare)."""

from sim.ui.page_compare import render

render()

"""The Run page (a Streamlit page script; the page itself is in sim.ui.page_run)."""

from sim.ui.page_run import render

render()

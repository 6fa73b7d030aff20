"""The Batch page (a Streamlit page script; the page itself is in sim.ui.page_batch)."""

from sim.ui.page_batch import render

render()

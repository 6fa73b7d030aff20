"""The Downloads page (a Streamlit page script; the page itself is in sim.ui.page_downloads)."""

from sim.ui.page_downloads import render

render()

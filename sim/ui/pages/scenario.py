"""The Scenario page (a Streamlit page script; the page itself is in sim.ui.page_scenario)."""

from sim.ui.page_scenario import render

render()

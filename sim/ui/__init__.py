"""The Streamlit scenario lab: edit, run and compare scenarios in the browser.

Every module here draws pages with Streamlit (a test keeps it so); what they show is computed
by the layers below: runs by :mod:`sim.experiments.app_runs` through the batch runner, edits by
:mod:`sim.scenario.editing` and :mod:`sim.scenario.draft_link`, statistics, findings, charts and
reports by :mod:`sim.analysis`. Start the app with ``streamlit run app.py`` from the project
folder.
"""

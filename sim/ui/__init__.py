"""The Streamlit scenario lab: edit, run and compare scenarios in the browser.

This package is the only part of ``sim`` that imports Streamlit, and only some of its modules
do: the editing, running, explaining, charting and report modules are plain Python (tested
without a browser); the ``page_*`` modules and :mod:`sim.ui.state` draw the pages.
Start the app with ``streamlit run app.py`` from the project folder.
"""

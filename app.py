"""The ISF scenario lab in the browser: ``streamlit run app.py`` from the project folder."""

from sim.ui.app_main import main

main()

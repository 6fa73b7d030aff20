"""The ISF scenario lab in the browser: ``streamlit run app.py`` from the project folder."""

from sim.ui.app_main import main

# Streamlit runs this file as ``__main__``; worker processes started with ``forkserver``
# re-import it as ``__mp_main__`` and must not start the app (nor another pool) themselves.
if __name__ == "__main__":
    main()

"""The ISF scenario lab in the browser: ``streamlit run app.py`` from the project folder.

This file is both the server and the page script:

* ``streamlit run app.py`` finds ``app`` below (an ``st.App``) and serves it with uvicorn, which
  imports this file as the module ``app``. The server's lifespan (:mod:`sim.ui.server`) starts
  the worker pool before the first request, so a first **Run** finds warm workers.
* For every session Streamlit runs this same file as ``__main__``: that draws the app.

Worker processes (``forkserver``) may import the main module as ``__mp_main__``; they do
neither.
"""

import streamlit as st

if __name__ == "__main__":
    from sim.ui.app_main import main

    main()
elif __name__ == "app":
    from sim.ui.server import lifespan

    app = st.App("app.py", lifespan=lifespan)

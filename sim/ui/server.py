"""The app's server: what happens when it starts and stops (``st.App``'s lifespan).

``streamlit run app.py`` finds the ``st.App`` in ``app.py`` and serves it; its lifespan starts the
worker pool before the server takes its first request, so the workers have imported the model
by the time anyone clicks **Run**, and imports in the background what the first page needs. At
shutdown the pool stops.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from streamlit.logger import get_logger

from sim.experiments.app_runs import discard_server_pool, server_pool

LOG = get_logger(__name__)

FIRST_PAGE_MODULES = (
    "sim.analysis.compare",
    "sim.analysis.explain",
    "sim.analysis.report_bundle",
    "scipy.stats",  # the collapse probability's interval, imported on first use
    "altair",
)
"""Modules the first page load needs that take ~2 s to import (none draws anything)."""


def warm_imports(modules: tuple[str, ...] = FIRST_PAGE_MODULES) -> threading.Thread:
    """Import ``modules`` in a background thread, so the first visitor does not wait for them.

    Only modules without Streamlit calls at import: Streamlit's caches bind to its runtime.
    """

    def run() -> None:
        for name in modules:
            importlib.import_module(name)

    thread = threading.Thread(target=run, name="isf-lab-warm-imports", daemon=True)
    thread.start()
    return thread


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Start the worker pool and the background imports with the server; stop the pool with it."""
    del app
    pool = server_pool()
    warm_imports()
    if pool is None:
        LOG.info("isf-lab: runs go in the server's own process (ISF_LAB_WORKERS=1)")
    else:
        LOG.info("isf-lab: worker pool started with the server (%d workers)", pool.size)
    try:
        yield {"worker_pool": pool}
    finally:
        discard_server_pool(pool)

"""The app's server: what happens when it starts and stops (``st.App``'s lifespan).

``streamlit run app.py`` finds the ``st.App`` in ``app.py`` and serves it; its lifespan starts the
worker pool before the server takes its first request, so the workers have imported the model
by the time anyone clicks **Run**. At shutdown the pool stops.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from streamlit.logger import get_logger

from sim.experiments.app_runs import discard_server_pool, server_pool

LOG = get_logger(__name__)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[dict[str, Any]]:
    """Start the worker pool with the server (returns at once) and stop it with the server."""
    del app
    pool = server_pool()
    if pool is None:
        LOG.info("isf-lab: runs go in the server's own process (ISF_LAB_WORKERS=1)")
    else:
        LOG.info("isf-lab: worker pool started with the server (%d workers)", pool.size)
    try:
        yield {"worker_pool": pool}
    finally:
        discard_server_pool(pool)

"""The server imports what the first page needs in the background, and only modules safe there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import sys
from sim.ui.server import FIRST_PAGE_MODULES, warm_imports
before = [m for m in FIRST_PAGE_MODULES if m in sys.modules]
warm_imports().join(timeout=120)
after = [m for m in FIRST_PAGE_MODULES if m in sys.modules]
print(len(before), len(after), len(FIRST_PAGE_MODULES))
print(sorted(m for m in sys.modules if m.startswith("sim.ui")))
"""


def test_the_warm_up_imports_the_first_pages_modules_and_no_streamlit_page_code() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    counts, ui_modules = done.stdout.strip().splitlines()
    before, after, total = (int(x) for x in counts.split())
    assert before < total and after == total  # it imported what was not there yet
    # Nothing that binds Streamlit caches at import: only the package and the server itself.
    assert ui_modules == "['sim.ui', 'sim.ui.server']"

from __future__ import annotations

import sys
from pathlib import Path

# the fake models live in tests/experiments; make that package importable from here too
TESTS_DIR = str(Path(__file__).resolve().parents[1])
if TESTS_DIR not in sys.path:
    sys.path.insert(0, TESTS_DIR)

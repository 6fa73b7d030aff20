#!/usr/bin/env bash
# The test command (README, CI): lint, format check, type check, then the test suite.
# Assumes scripts/setup.sh has built .venv (scripts/setup.sh test does both).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
py="$here/.venv/bin"
echo "== ruff check"; "$py/ruff" check .
echo "== ruff format --check"; "$py/ruff" format --check .
echo "== mypy"; "$py/mypy"
echo "== pytest"
# Two workers match the 2-core CI machine; pass extra pytest arguments through. Line and branch
# coverage of sim/ (settings in pyproject.toml, [tool.coverage.*]) is printed at the end.
"$py/pytest" -n 2 --dist loadfile -q --cov --cov-report=term "$@"
echo "== doctests"
# Every docstring example in sim/ runs (importlib mode: sim/model has no __init__.py, and its
# outcomes.py shares a basename with sim/analysis/outcomes.py). The Streamlit page scripts are
# left out: importing one renders the page.
"$py/pytest" -q -p no:cacheprovider --doctest-modules --import-mode=importlib \
    --ignore=sim/ui/pages sim

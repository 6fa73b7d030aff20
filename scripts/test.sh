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
# Two workers match the 2-core CI machine; pass extra pytest arguments through.
"$py/pytest" -n 2 --dist loadfile -q "$@"

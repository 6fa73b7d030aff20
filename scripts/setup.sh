#!/usr/bin/env bash
# One-command set-up for a fresh machine.
#   bash scripts/setup.sh run    # set up, then start the main job (the Streamlit lab)
#   bash scripts/setup.sh test   # set up, then run the test suite (what CI runs)
#   bash scripts/setup.sh        # set up only
# The virtual environment lives in .venv inside the project; it is rebuilt only when
# pyproject.toml changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="$here/.venv"
stamp="$venv/.isf-lab-installed"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
  py="$(bash "$here/scripts/find_python.sh")" || exit 1
  echo "setup: creating .venv with $py" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing the project and its dependencies into .venv" >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -e ".[dev]"
  echo "$want" > "$stamp"
fi

case "${1:-}" in
  run)
    shift
    exec "$venv/bin/isf-lab" lab "$@"
    ;;
  test)
    shift
    # The end-to-end app test needs Debian's Chromium; install it when we can (root, apt).
    if [ -f "$here/scripts/install_browser.sh" ]; then
      bash "$here/scripts/install_browser.sh" || echo "setup: Chromium unavailable; the browser test will be skipped" >&2
    fi
    exec bash "$here/scripts/test.sh" "$@"
    ;;
  "") echo "setup: done (.venv ready). Next: bash scripts/setup.sh run | test" >&2 ;;
  *) echo "setup: unknown target '$1' (use: run, test)" >&2; exit 2 ;;
esac

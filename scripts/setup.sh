#!/usr/bin/env bash
# One-command set-up for a fresh machine.
#   bash scripts/setup.sh run    # set up, then start the main job (the Streamlit lab);
#                                # arguments go to `isf-lab lab`, e.g. run --port 8765
#   bash scripts/setup.sh test   # set up, then run the test suite (what CI runs)
#   bash scripts/setup.sh lock   # refresh constraints.txt to the newest versions pyproject allows
#   bash scripts/setup.sh fast   # build an optimised CPython once (~20 min), move .venv onto it
#   bash scripts/setup.sh        # set up only
# The virtual environment lives in .venv inside the project. Dependencies are installed at the
# tested versions pinned in constraints.txt; it is reinstalled only when pyproject.toml or
# constraints.txt changes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
venv="$here/.venv"
stamp="$venv/.isf-lab-installed"

if [ "${1:-}" = "fast" ]; then
  # scripts/build_python.sh: PGO + LTO, which pyenv's interpreters here are built without
  optimised="$(bash "$here/scripts/build_python.sh")"
  export ISF_PYTHON="$optimised"  # find_python.sh takes it, whatever else is on PATH
  base="$(sed -n 's/^home *= *//p' "$venv/pyvenv.cfg" 2>/dev/null || true)"
  if [ -d "$venv" ] && [ "$(realpath -m "$base")" != "$(realpath -m "$(dirname "$optimised")")" ]; then
    echo "setup: moving .venv onto the optimised interpreter ($optimised)" >&2
    rm -rf "$venv"
  fi
fi
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
  py="$(bash "$here/scripts/find_python.sh")" || exit 1
  echo "setup: creating .venv with $py" >&2
  rm -rf "$venv"
  "$py" -m venv "$venv"
fi
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "${1:-}" = "lock" ]; then
  # newest versions the ranges in pyproject.toml allow, then pin what got installed
  echo "setup: upgrading .venv to the newest allowed versions" >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[dev]"
  "$venv/bin/python" scripts/lock_deps.py constraints.txt
  cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1 > "$stamp"
  echo "setup: constraints.txt refreshed; run bash scripts/setup.sh test, then commit it" >&2
  exit 0
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing the project and its dependencies (constraints.txt) into .venv" >&2
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -c constraints.txt -e ".[dev]"
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
  fast) echo "setup: done (.venv on $("$venv/bin/python" -c 'import sys; print(sys._base_executable)')). Next: bash scripts/setup.sh run | test" >&2 ;;
  *) echo "setup: unknown target '$1' (use: run, test, lock, fast)" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Print the path of a Python >= 3.12 interpreter, or explain what to install and exit 1.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
# The optimised build of scripts/build_python.sh (PGO + LTO), when it has been made, comes first
# after an explicit choice: the model runs faster on it (docs/speed.md).
optimised="$(bash "$(dirname "${BASH_SOURCE[0]}")/build_python.sh" --where)"
for cand in "${ISF_PYTHON:-}" "$optimised" python3.13 python3.12 python3; do
  [ -n "$cand" ] || continue
  if command -v "$cand" >/dev/null 2>&1 && ok "$cand"; then
    "$cand" -c 'import sys; print(sys.executable)'; exit 0
  fi
done
# pyenv keeps interpreters that its shims hide unless selected; look at them directly.
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])(\.[0-9]+)?$' | sort -t. -k1,1n -k2,2n -k3,3n -r); do
    for exe in "$root/versions/$v/bin/python3" "$root/versions/$v/bin/python"; do
      if [ -x "$exe" ] && ok "$exe"; then echo "$exe"; exit 0; fi
    done
  done
fi
echo "error: no Python >= 3.12 found; install one (e.g. 'pyenv install 3.12' or 'apt-get install python3.12') or set ISF_PYTHON=/path/to/python3.12" >&2
exit 1

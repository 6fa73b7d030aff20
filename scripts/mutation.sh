#!/usr/bin/env bash
# Mutation testing with mutmut (not part of the default test run: it takes tens of minutes).
#
#   bash scripts/mutation.sh            # mutate MODULES, run TESTS, print the score per module
#   bash scripts/mutation.sh summary    # only print the scores and survivors of the last run
#   bash scripts/mutation.sh survivors  # retry only the survivors (after adding tests)
#   bash scripts/mutation.sh sample 40  # a fixed random sample of 40 mutants per module (needs
#                                       # the mutants of an earlier, possibly partial, run)
#   MUTATION_MODULES="sim/ground/layer.py" bash scripts/mutation.sh   # another module list
#
# mutmut runs in a scratch copy of the tracked files (build/mutation/, ignored by git, ruff and
# mypy) so that its mutants/ folder never lands in the worktree. It records which tests call
# each mutated function and runs only those tests against that function's mutants; results are
# cached there, so a rerun only tries mutants whose function changed. docs/testing.md lists the
# scores and explains every surviving mutant.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
py="${ISF_VENV:-$here/.venv}/bin"

# Modules to mutate (globs relative to the repository). sim/ground/render.py (drawing:
# colours, labels, figure sizes) is left out; docs/testing.md says why.
MODULES="${MUTATION_MODULES:-sim/ground/epstein.py sim/ground/epstein_sequential.py sim/ground/mesa_comparison.py sim/ground/geometry.py sim/ground/interfaces.py sim/ground/lattice.py sim/ground/layer.py sim/ground/model.py sim/ground/outbursts.py sim/ground/stencils.py sim/ground/validation.py sim/bargaining/core.py sim/analysis/stats.py sim/analysis/compare.py sim/model/*.py}"
# Tests that may kill them (mutmut narrows this to the tests that reach each function): all of
# tests/ but the end-to-end folders and files (tests/model's component tests are in; its
# year-long runs, test_gaza_model.py and test_positions_output.py, are out) and the report
# pipeline test (tests/analysis/test_reports.py
# alone would cost ~100 s per surviving mutant of stats.py or compare.py). Keep this stable:
# changing it resets mutmut's cache, while new test files under tests/ are picked up
# incrementally.
TESTS="${MUTATION_TESTS:-tests --ignore=tests/model/test_gaza_model.py --ignore=tests/model/test_positions_output.py --ignore=tests/experiments --ignore=tests/app --ignore=tests/test_scenarios.py --ignore=tests/test_evidence.py --ignore=tests/analysis/test_reports.py}"
# The machine has 2 cores shared with others: one mutant at a time unless told otherwise.
CHILDREN="${MUTATION_CHILDREN:-1}"
WORK="${MUTATION_DIR:-$here/build/mutation}"
# MUTATION_REV=<commit> mutates that commit's files instead of the worktree (a "before" score).
REV="${MUTATION_REV:-}"
shared="${ISF_SHARED_DIR:-$(cd "$here/.." && pwd)/shared}"

summary() {
    (cd "$WORK" && "$py/python" - "$MODULES" <<'EOF'
"""Score per module from mutmut's metadata (killed + timeout over mutants with tests)."""
import fnmatch
import json
import sys
from pathlib import Path

patterns = sys.argv[1].split()
# mutmut's exit codes (mutmut/stats.py): 1, 3 = tests failed (killed); timeouts and crashes
# count as killed, as in mutmut's own score; 0 = survived; 5, 33 = no test reaches it.
rows = {}
survivors = []
for meta in sorted(Path("mutants").rglob("*.py.meta")):
    source = str(meta.relative_to("mutants"))[: -len(".meta")]
    if not any(fnmatch.fnmatch(source, p) for p in patterns):
        continue
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    row = rows.setdefault(source, {"mutants": 0, "killed": 0, "survived": 0, "no_tests": 0, "pending": 0})
    for name, code in codes.items():
        row["mutants"] += 1
        if code is None:
            row["pending"] += 1
        elif code in (1, 3, 36, -24, 24, 152, 255, -11, -9):
            row["killed"] += 1
        elif code in (5, 33):
            row["no_tests"] += 1
            survivors.append((name, "no test reaches it"))
        else:
            row["survived"] += 1
            survivors.append((name, "survived" if code == 0 else f"exit code {code}"))
print("| module | mutants | killed | survived | no test | score |")
print("|---|---|---|---|---|---|")
total = {"mutants": 0, "killed": 0}
for source, row in rows.items():
    tried = row["mutants"] - row["pending"]
    score = 100.0 * row["killed"] / tried if tried else float("nan")
    total["mutants"] += tried
    total["killed"] += row["killed"]
    print(f"| {source} | {tried} | {row['killed']} | {row['survived']} | {row['no_tests']} | {score:.1f}% |")
if total["mutants"]:
    print(f"| all | {total['mutants']} | {total['killed']} | | | {100 * total['killed'] / total['mutants']:.1f}% |")
print()
for name, why in survivors:
    print(f"{why}: {name}")
EOF
    )
}

if [[ "${1:-run}" == "summary" ]]; then
    summary
    exit 0
fi

mkdir -p "$WORK"
# Copy the tracked files (keeps mutmut's cache in $WORK/mutants between runs).
if [[ -n "$REV" ]]; then
    git archive "$REV" | tar -xf - -C "$WORK"
else
    git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$WORK"
fi
# mutmut reads [tool.mutmut] from pyproject.toml: append it to the copy only.
{
    echo
    echo "[tool.mutmut]"
    echo "source_paths = [\"sim\"]"
    printf 'only_mutate = ['; printf '"%s", ' $MODULES; echo ']'
    printf 'pytest_add_cli_args_test_selection = ['; printf '"%s", ' $TESTS; echo ']'
    echo 'pytest_add_cli_args = ["-p", "no:cacheprovider", "-p", "no:randomly", "-q", "-x"]'
    echo 'also_copy = ["scenarios", "seeds", "docs", "app.py"]'
    echo 'timeout_multiplier = 5.0'
} >> "$WORK/pyproject.toml"
cd "$WORK"
export ISF_SHARED_DIR="$shared"
# run from the copy; the copied sources, not the worktree's, must be imported
unset PYTHONPATH
# Survivors of an earlier run are retried by name (mutmut otherwise keeps cached verdicts).
names=()
if [[ "${1:-run}" == "survivors" ]]; then
    mapfile -t names < <(summary | sed -n 's/^survived: //p')
    echo "retrying ${#names[@]} survivors"
elif [[ "${1:-run}" == "sample" ]]; then
    mapfile -t names < <("$py/python" - "$MODULES" "${2:-40}" <<'EOF'
import fnmatch, json, random, sys
from pathlib import Path
patterns, size = sys.argv[1].split(), int(sys.argv[2])
for meta in sorted(Path("mutants").rglob("*.py.meta")):
    source = str(meta.relative_to("mutants"))[: -len(".meta")]
    if any(fnmatch.fnmatch(source, p) for p in patterns):
        keys = sorted(json.loads(meta.read_text())["exit_code_by_key"])
        for name in random.Random(source).sample(keys, min(size, len(keys))):
            print(name)
EOF
    )
    echo "running a sample of ${#names[@]} mutants"
fi
echo "mutmut log: $WORK/mutmut.log"
"$py/mutmut" run --max-children "$CHILDREN" "${names[@]}" > "$WORK/mutmut.log" 2>&1 || true
cd "$here"
summary

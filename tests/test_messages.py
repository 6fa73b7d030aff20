"""Every rejection reads ``file:line: field.path: what is wrong -> what to do``.

Checked over a fixed sample of the mutation corpus (tests/scenario_mutations.py builds it from the
shipped scenarios; run that module for the whole corpus) and over the broken-file corpus.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sim.cli import main
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from tests.scenario_mutations import check, corpus, is_well_formed

CORPUS = Path(__file__).parent / "scenario_corpus"


def test_sampled_mutations_are_all_handled() -> None:
    outcomes = list(check(corpus(per_file=6, seed=2026)))
    counts = Counter(o.verdict for o in outcomes)
    bad = [
        f"{o.verdict}: {o.mutation.name}: {o.detail}"
        for o in outcomes
        if o.verdict in ("unhandled", "crashed")
    ]
    assert not bad, "\n".join(bad)
    assert counts["handled"] >= 100, counts  # the sample really exercises rejections


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml")), ids=lambda p: p.stem)
def test_broken_corpus_messages_are_complete(path: Path) -> None:
    if path.name == "expected.yaml":
        pytest.skip("the corpus's own table of expectations")
    try:
        load_scenario(path, roots=[SCENARIOS_DIR])
    except ScenarioError as exc:
        bad = [p.format() for p in exc.problems if not is_well_formed(p)]
        assert not bad, bad
    else:
        pytest.fail(f"{path.name} should be rejected")


def test_an_empty_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    with pytest.raises(SystemExit) as info:
        main(["validate", str(empty)])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert f"{empty}: no scenario files" in err and "->" in err


def test_a_long_hostile_value_is_not_echoed_whole(tmp_path: Path) -> None:
    from sim.scenario.loader import SCENARIOS_DIR

    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {SCENARIOS_DIR / 'base.yaml'}\nmetadata: {{horizon_days: {'9' * 5000}}}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(child, roots=[SCENARIOS_DIR])
    (problem,) = [p for p in info.value.problems if p.path == "metadata.horizon_days"]
    assert len(problem.format()) < 400 + len(str(child))

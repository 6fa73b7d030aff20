"""The Scenario page: decisions, edits with provenance, uploads good and bad, download."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from sim.scenario.editing import changes
from sim.scenario.loader import SCENARIOS_DIR, load_scenario, load_scenario_text, scenario_hash
from sim.ui.page_scenario import read_upload, scenario_yaml
from sim.ui.state import DRAFT
from tests.app.conftest import flip_to_rejects_vetoed, no_exceptions, number_input

GOOD_UPLOAD = b"""extends: base.yaml
metadata:
  name: small-force
  title: A smaller force
  question: What if only half the troops come?
  description: The base plan with Indonesia sending 3,000 troops.
forces:
  contributors:
    indonesia:
      pledged_troops: {value: 3000, assumption: [0, 8000]}
"""
BAD_UPLOAD = b"""extends: base.yaml
metadata:
  name: broken
  title: Broken
  question: Does it load?
  description: Two faults.
hamas:
  fighterz: {value: 3, assumption: [1, 5]}
aid:
  trucks_per_day: {value: -5, assumption: [0, 10]}
"""
ESCAPING_UPLOAD = b"extends: ../../../../etc/passwd\nmetadata: {name: x}\n"


def draft_scenario(at: AppTest):
    return at.session_state[DRAFT].build()


def test_page_loads_with_the_plans_hopeful_corner(app: AppTest) -> None:
    no_exceptions(app)
    assert [r.label for r in app.radio] == ["Hamas's answer on disarmament", "Turkey's contingent"]
    assert [r.value for r in app.radio] == ["accepts", "included"]
    assert app.selectbox[0].value == "hamas-accepts-turkey-included.yaml"
    assert len(app.expander) > 10  # one per schema section, plus notes


def test_flipping_both_decisions_gives_the_shipped_corner(app: AppTest) -> None:
    flip_to_rejects_vetoed(app)
    no_exceptions(app)
    mine = draft_scenario(app)
    shipped = load_scenario(SCENARIOS_DIR / "hamas-rejects-turkey-vetoed.yaml")
    assert changes(shipped, mine) == []
    assert mine.metadata.name == "my-hamas-rejects-turkey-vetoed"
    assert "my-hamas-rejects-turkey-vetoed" in app.info[0].value


def test_value_outside_its_range_widens_the_range_and_says_so(app: AppTest) -> None:
    number_input(app, "Strike probability").set_value(0.97).run()
    no_exceptions(app)
    value = draft_scenario(app).idf.strike_probability
    assert value.value == 0.97
    assert value.assumption == (0.1, 0.97)
    assert "user edit" in (value.note or "")
    captions = " ".join(c.value for c in app.caption)
    assert "assumption [0.1, 0.97]" in captions


def test_invalid_edit_shows_problems_inline_and_keeps_the_page(app: AppTest) -> None:
    [un_mission] = [c for c in app.checkbox if c.label == "un mission"]
    un_mission.check().run()
    no_exceptions(app)
    text = " ".join(e.value for e in app.error)
    assert "mandate.un_mission" in text
    assert "not a UN mission" in text
    assert not [b for b in app.get("download_button") if b.label == "Download as YAML"]


def test_good_upload_becomes_the_draft(app: AppTest) -> None:
    app.file_uploader[0].upload("small.yaml", GOOD_UPLOAD, "application/x-yaml").run()
    no_exceptions(app)
    assert any("small.yaml loaded" in s.value for s in app.success)
    assert app.selectbox[0].value == "upload: small.yaml"
    scenario = draft_scenario(app)
    assert scenario.forces.contributors["indonesia"].pledged_troops.value == 3000


def test_bad_upload_lists_its_problems_in_plain_words(app: AppTest) -> None:
    app.file_uploader[0].upload("bad.yaml", BAD_UPLOAD, "application/x-yaml").run()
    no_exceptions(app)
    text = " ".join(e.value for e in app.error)
    assert "hamas.fighterz" in text and "did you mean 'fighters'" in text
    assert "aid.trucks_per_day" in text
    assert app.selectbox[0].value == "hamas-accepts-turkey-included.yaml"  # draft untouched


def test_upload_cannot_reach_outside_the_scenarios_folder(app: AppTest) -> None:
    app.file_uploader[0].upload("escape.yaml", ESCAPING_UPLOAD, "application/x-yaml").run()
    no_exceptions(app)
    assert "outside the scenarios folder" in " ".join(e.value for e in app.error)


def test_oversized_binary_and_broken_uploads_are_refused() -> None:
    too_big = b"# " + b"x" * 1_100_000
    scenario, problems = read_upload("big.yaml", too_big)
    assert scenario is None and "limit" in problems[0].message
    scenario, problems = read_upload("bin.yaml", b"\x00\x01\x02")
    assert scenario is None and "binary" in problems[0].message
    scenario, problems = read_upload("syntax.yaml", b"metadata: [unclosed\n")
    assert scenario is None and problems


def test_download_offers_the_edited_scenario_which_loads_back(app: AppTest) -> None:
    flip_to_rejects_vetoed(app)
    [button] = [b for b in app.get("download_button") if b.label == "Download as YAML"]
    assert button.proto.url
    button.click().run()
    no_exceptions(app)
    draft = app.session_state[DRAFT]
    text = scenario_yaml(draft.build(), draft)
    assert text.startswith("# yaml-language-server")
    loaded = load_scenario_text(text, name="download.yaml")
    assert scenario_hash(loaded) == scenario_hash(draft.build())


def test_undo_restores_the_origin(app: AppTest) -> None:
    flip_to_rejects_vetoed(app)
    app.button(key="undo_edits").click().run()
    assert [r.value for r in app.radio] == ["accepts", "included"]
    assert not app.session_state[DRAFT].edited


def test_kept_versions_join_the_comparison(app: AppTest) -> None:
    flip_to_rejects_vetoed(app)
    app.button(key="keep_version").click().run()
    app.switch_page("sim/ui/pages/compare.py").run()
    no_exceptions(app)
    options = app.multiselect(key="compare_selection").options
    assert "my-hamas-rejects-turkey-vetoed-kept (kept edit)" in options
    assert "my-hamas-rejects-turkey-vetoed (your scenario)" in options
    assert "hamas-rejects-turkey-vetoed" in options


def test_inputs_say_their_limits(app: AppTest) -> None:
    share = number_input(app, "IDF-held share once the force deploys")
    assert "Allowed: 0 to 1." in share.help


@pytest.mark.parametrize("typed", [-500, 99_999_999])
def test_a_value_outside_the_limits_is_refused_and_the_old_one_restored(
    app: AppTest, typed: int
) -> None:
    share = number_input(app, "IDF-held share once the force deploys")
    before = share.value
    share.set_value(typed).run()
    no_exceptions(app)
    assert number_input(app, "IDF-held share once the force deploys").value == before
    message = " ".join(e.value for e in app.error)
    assert "refused" in message and "Allowed: 0 to 1." in message and "Kept" in message
    assert "Source:" in message
    assert not draft_scenario(app).metadata.name.startswith("my-")  # nothing was changed
    share = number_input(app, "IDF-held share once the force deploys")
    share.set_value(0.5).run()
    assert not [e for e in app.error if "refused" in e.value]  # a good value clears it

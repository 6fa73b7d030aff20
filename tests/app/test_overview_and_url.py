"""The Overview page and the view kept in the URL."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from sim.scenario.names import HEADLINE_2X2
from sim.ui.state import DRAFT, REPS, SEED
from tests.app.conftest import APP, TIMEOUT_S, markdown_text, no_exceptions


def test_overview_shows_the_2x2_findings_presets_and_things_to_try() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
    no_exceptions(at)
    assert not at.error, [e.value for e in at.error]
    text = markdown_text(at)
    for name in ("Hamas accepts, Turkey included", "Hamas rejects, Turkey vetoed"):
        assert name in text
    assert "What matters most" in text
    assert "Hamas rejecting instead of accepting changes" in text  # computed, per decision
    assert "Ceasefire collapsed" in text
    assert at.get("vega_lite_chart")  # survival curves
    presets = [b for b in at.button if str(b.key).startswith("preset:")]
    assert len(presets) >= 4
    assert "Things to try" in [h.value for h in at.subheader]
    assert f"scenario={HEADLINE_2X2[3]}" in text


def test_a_preset_opens_in_the_editor() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
    at.button(key=f"preset:{HEADLINE_2X2[3]}.yaml").click().run()
    no_exceptions(at)
    assert at.session_state[DRAFT].origin.metadata.name == HEADLINE_2X2[3]
    assert [r.value for r in at.radio][:2] == ["rejects", "vetoed"]


def test_the_url_restores_the_draft_replications_and_seed() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.query_params["scenario"] = HEADLINE_2X2[0]
    at.query_params["hamas"] = "rejects"
    at.query_params["edits"] = "idf.strike_probability=0.5"
    at.query_params["reps"] = "4"
    at.query_params["seed"] = "77"
    at.run()
    no_exceptions(at)
    draft = at.session_state[DRAFT]
    assert draft.decisions.hamas == "rejects" and draft.decisions.turkey == "included"
    assert draft.overrides == {("idf", "strike_probability"): 0.5}
    assert at.session_state[REPS] == 4 and at.session_state[SEED] == 77
    assert draft.build().idf.strike_probability.value == 0.5


def test_edits_are_written_to_the_url() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
    at.switch_page("sim/ui/pages/scenario.py").run()
    at.radio[0].set_value("rejects").run()
    params = dict(at.query_params)
    flat = {k: v[0] if isinstance(v, list) else v for k, v in params.items()}
    assert flat["scenario"] == HEADLINE_2X2[0]
    assert flat["hamas"] == "rejects"
    assert flat["seed"] == "1"


def test_a_bad_link_says_what_was_not_used() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S)
    at.query_params["scenario"] = HEADLINE_2X2[0]
    at.query_params["hamas"] = "maybe"
    at.query_params["edits"] = "no.such.field=3"
    at.query_params["reps"] = "-4"
    at.run()
    no_exceptions(at)
    text = " ".join(w.value for w in at.warning)
    assert "hamas=maybe" in text and "no.such.field" in text and "reps=-4" in text

"""The Sources, Batch results and Downloads pages."""

from __future__ import annotations

import io
import os
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.analysis.report_bundle import csv_bytes, html_report, markdown_report_zip, parquet_bytes
from sim.ui.page_batch import allowed_folder, find_experiments
from sim.ui.state import LAST_RESULTS, PENDING_POSITIONS
from tests.app.conftest import REPO, markdown_text, no_exceptions, shorten


def test_sources_lists_claims_with_the_parameters_they_feed(app: AppTest) -> None:
    app.switch_page("sim/ui/pages/sources.py").run()
    no_exceptions(app)
    claims = app.dataframe[0].value
    used = claims[claims["id"] == "fact.hamas_fighters"].iloc[0]
    assert used["parameters"] >= 1 and "hamas.fighters" in used["used for"]
    assert claims["parameters"].is_monotonic_decreasing  # the sources in use come first
    app.selectbox(key="source_detail").set_value("fact.hamas_fighters").run()
    assert "hamas.fighters" in markdown_text(app)
    app.text_input(key="source_filter").input("turkey").run()
    filtered = app.dataframe[0].value
    assert 0 < len(filtered) < len(claims)
    no_exceptions(app)


def test_sources_lists_every_assumption_with_its_range(app: AppTest) -> None:
    app.switch_page("sim/ui/pages/sources.py").run()
    assumptions = app.dataframe[1].value
    assert {"parameter", "value", "low", "high", "position in range"} <= set(assumptions.columns)
    assert (assumptions["low"] <= assumptions["value"]).all()
    assert (assumptions["value"] <= assumptions["high"]).all()
    assert "hamas.attack_rate" in set(assumptions["parameter"])


@pytest.fixture
def batch(app: AppTest, results_root: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("ISF_RESULTS_DIR", str(results_root))
    app.switch_page("sim/ui/pages/batch.py").run()
    no_exceptions(app)
    return app


def test_batch_opens_a_cli_results_folder(batch: AppTest, results_root: Path) -> None:
    batch.selectbox(key="batch_folder").set_value(str(results_root / "pair")).run()
    no_exceptions(batch)
    assert [m.value for m in batch.metric][:3] == ["2", "6", "0"]
    assert len(batch.dataframe) == 3  # bands, differences, tails of civilian deaths
    for view in ("Over time", "Ceasefire", "Manifest"):
        batch.segmented_control(key="batch_view").set_value(view).run()
        no_exceptions(batch)


def test_batch_shows_sensitivity_and_discovery_of_a_design(
    batch: AppTest, results_root: Path
) -> None:
    batch.selectbox(key="batch_folder").set_value(str(results_root / "morris")).run()
    batch.segmented_control(key="batch_view").set_value("Sensitivity").run()
    no_exceptions(batch)
    indices = batch.dataframe[0].value
    assert set(indices["factor"]) == {"hamas.attack_rate", "aid.seizure_probability_insecure"}
    batch.segmented_control(key="batch_view").set_value("Discovery").run()
    batch.text_input(key="batch_condition").input("incidents > 0").run()
    no_exceptions(batch)
    assert not batch.error, [e.value for e in batch.error]
    assert "PRIM" in markdown_text(batch)


def test_batch_refuses_folders_outside_the_results_roots(batch: AppTest) -> None:
    batch.text_input(key="batch_typed").input("/etc").run()
    no_exceptions(batch)
    message = " ".join(e.value for e in batch.error)
    assert "outside the results folders" in message
    assert "ISF_RESULTS_DIR=" in message  # the hint: how to open it anyway
    assert str(REPO) not in message and str(Path.home()) not in message  # no server paths


def test_batch_picker_lists_recent_results_without_server_paths(
    batch: AppTest, results_root: Path
) -> None:
    picker = batch.selectbox(key="batch_folder")
    shown = [picker.format_func(option) for option in picker.options]
    assert any("pair" in text and "2 scenario(s), 6 runs" in text for text in shown)
    assert not any(str(results_root) in text for text in shown)


def test_batch_opens_a_folder_the_cli_wrote_outside_results(
    app: AppTest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`isf-lab batch ... --out /anywhere/x`: opened once its folder is a configured root."""
    from subprocess import run as run_command

    out = tmp_path / "elsewhere" / "square"
    done = run_command(
        [sys.executable, "-m", "sim", "run", "scenarios/hamas-rejects-turkey-vetoed.yaml",
         "--reps", "2", "--seed", "4", "--executor", "serial", "--out", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    monkeypatch.setenv("ISF_RESULTS_DIR", f"/nonexistent{os.pathsep}{tmp_path / 'elsewhere'}")
    app.switch_page("sim/ui/pages/batch.py").run()
    app.text_input(key="batch_typed").input(str(out)).run()
    no_exceptions(app)
    assert not app.error
    assert [m.value for m in app.metric][:3] == ["1", "2", "0"]


def test_results_folders_are_found_and_checked(results_root: Path) -> None:
    found = find_experiments([results_root])
    assert {p.name for p in found} == {"pair", "morris"}
    assert allowed_folder(str(results_root / "pair"), [results_root]) == results_root / "pair"
    with pytest.raises(ValueError, match="no experiment"):
        allowed_folder(str(results_root), [results_root])


def test_downloads_need_results_first(app: AppTest) -> None:
    app.switch_page("sim/ui/pages/downloads.py").run()
    no_exceptions(app)
    assert "Run a scenario" in app.info[0].value
    labels = [b.label for b in app.get("download_button")]
    assert labels == ["YAML: hamas-accepts-turkey-included.yaml"]


def test_downloads_offer_tables_and_reports(app: AppTest) -> None:
    shorten(app)
    app.radio[1].set_value("vetoed").run()
    app.switch_page("sim/ui/pages/run.py").run()
    app.button(key="run_button").click().run()
    # the Run page does not show actor positions: they are read when Downloads needs them
    assert app.session_state[LAST_RESULTS].positions is None
    assert app.session_state[PENDING_POSITIONS] is not None
    app.switch_page("sim/ui/pages/downloads.py").run()
    no_exceptions(app)
    positions = app.session_state[LAST_RESULTS].positions
    assert positions is not None and not positions.empty
    assert app.session_state[PENDING_POSITIONS] is None
    labels = [b.label for b in app.get("download_button")]
    assert labels.count("CSV") == 3 and labels.count("Parquet") == 3
    assert "Report (HTML, self-contained)" in labels
    results = app.session_state[LAST_RESULTS]
    table = pd.read_parquet(io.BytesIO(parquet_bytes(results.summary)))
    assert table.equals(results.summary)
    text = csv_bytes(results.summary).decode()
    assert text.startswith("scenario,scenario_hash,replication")
    assert "(your scenario)" not in text  # the scenario column holds names only
    assert set(results.summary["scenario"]) == {
        "my-hamas-accepts-turkey-vetoed",
        "hamas-accepts-turkey-included",
    }
    html = html_report(results).decode()
    assert "<html" in html and "my-hamas-accepts-turkey-vetoed" in html
    assert "Provenance" in html and "data:image/png;base64" in html
    assert "Edits made in the lab" in html and "turkey=vetoed" in html  # the edits recorded
    assert set(results.positions["scenario"]) == set(results.summary["scenario"])
    assert "Politics: deals and actor positions" in html  # P(deal), no-deal state, actors
    assert "deal on turkish_participation" in html and "israel on " in html
    with zipfile.ZipFile(io.BytesIO(markdown_report_zip(results))) as archive:
        names = archive.namelist()
    assert "report.md" in names and any(n.endswith(".png") for n in names)

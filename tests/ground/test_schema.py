import pytest
from pydantic import ValidationError

from sim.scenario.ground import EpsteinSpec, GroundSpec, InterGroupSpec


def test_defaults_carry_provenance_and_units():
    spec = GroundSpec()
    assert spec.yellow_line_share.source == ["fact.yellow_line_share"]
    assert spec.legitimacy.idf.is_assumption
    schema = GroundSpec.model_json_schema()
    strip = schema["$defs"]["StripSpec"]["properties"]
    assert strip["cell_km"]["unit"] == "km"


def test_governorate_table_is_keyed_by_id_and_sums_to_the_strip():
    spec = GroundSpec()
    assert set(spec.governorates) == {"north_gaza", "gaza", "deir_al_balah", "khan_younis", "rafah"}
    area = sum(g.area_km2.value for g in spec.governorates.values())
    assert area == pytest.approx(365, abs=5)


def test_unknown_fields_and_out_of_range_values_are_rejected():
    with pytest.raises(ValidationError):
        GroundSpec.model_validate({"yellow_lines_share": {"value": 0.5, "assumption": [0, 1]}})
    with pytest.raises(ValidationError):
        GroundSpec.model_validate({"yellow_line_share": {"value": 1.5, "assumption": [0, 2]}})
    with pytest.raises(ValidationError):
        GroundSpec.model_validate({"yellow_line_share": {"value": 0.5}})


def test_one_entry_can_be_overridden_and_band_indices_must_be_contiguous():
    data = GroundSpec().model_dump()
    data["governorates"]["rafah"]["population_prewar"] = {"value": 300000.0, "source": ["fact.x"]}
    assert GroundSpec.model_validate(data).governorates["rafah"].population_prewar.value == 300000.0
    data["governorates"]["rafah"]["band_index"] = 7
    with pytest.raises(ValidationError, match="band_index"):
        GroundSpec.model_validate(data)


def test_epstein_spec_checks_the_lattice():
    with pytest.raises(ValidationError, match="2\\*vision"):
        EpsteinSpec.model_validate({"width": {"value": 10, "assumption": [10, 10]}})
    with pytest.raises(ValidationError, match="density"):
        EpsteinSpec.model_validate({"cop_density": {"value": 0.5, "assumption": [0, 1]}})
    assert InterGroupSpec().cop_density.value == 0.0
    with pytest.raises(ValidationError):
        EpsteinSpec(ratio_rule="ceil")  # type: ignore[arg-type]

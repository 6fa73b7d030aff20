"""Tests for the evidence digests, the relations and the registry of facts and papers."""

from __future__ import annotations

import doctest
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.scenario import evidence
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.evidence import (
    DEFAULT_SEEDS_DIR,
    Quantity,
    Stance,
    clear_cache,
    load_digests,
    load_registry,
    resolve_seeds_dir,
)
from sim.scenario.provenance import SOURCE_ID_PATTERN

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = {
    "axios_en": "000_c8fca99035141fb1.txt",
    "guardian_jpost": "001_e3572e40a3d04701.txt",
    "allisrael_2024": "002_b26cc9fd807b527c.txt",
    "axios_ar": "003_051c079325821dad.txt",
    "reuters": "004_6f7f2f70d9fb20fe.txt",
}
SHINGLE = 8


@pytest.fixture
def seeds(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the shipped seeds folder, to break on purpose."""
    folder = tmp_path / "seeds"
    shutil.copytree(DEFAULT_SEEDS_DIR, folder)
    yield folder
    clear_cache()


def _problems(folder: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        load_registry(folder)
    return caught.value.problems


def _line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


# ------------------------------------------------------------------ the shipped files


def test_default_seeds_dir_is_the_repository_folder() -> None:
    if os.environ.get("ISF_SEEDS_DIR"):
        pytest.skip("ISF_SEEDS_DIR overrides the default folder")
    assert DEFAULT_SEEDS_DIR.resolve() == (REPO / "seeds").resolve()


def test_every_shipped_digest_validates() -> None:
    digests = {d.document: d for d in load_digests()}
    assert set(digests) == set(DOCUMENTS)
    for doc, digest in digests.items():
        assert digest.source_file == DOCUMENTS[doc]
        assert 10 <= len(digest.claims) <= 25, doc
        assert all(c.id.startswith(f"{doc}.") for c in digest.claims)


def test_ids_are_unique_and_citable() -> None:
    registry = load_registry()
    digests, facts, papers = registry.digests, registry.facts, registry.papers
    ids = [c.id for d in digests for c in d.claims] + [f.id for f in facts] + [p.id for p in papers]
    assert len(ids) == len(set(ids))
    assert sorted(ids) == registry.ids()
    pattern = re.compile(SOURCE_ID_PATTERN)
    assert all(pattern.match(i) for i in ids), [i for i in ids if not pattern.match(i)]


def test_relations_reference_existing_claims() -> None:
    registry = load_registry()
    claims = set(registry.ids("claim"))
    assert registry.relations
    for relation in registry.relations:
        assert set(relation.claims) <= claims, relation.id
        assert set(relation.detail) <= set(relation.claims), relation.id
    kinds = {r.kind for r in registry.relations}
    assert kinds == {"agrees", "adds_detail", "differs", "conflicts", "changed_over_time"}


def test_arabic_additions_pair_the_two_axios_versions() -> None:
    added = [r for r in load_registry().relations if r.kind == "adds_detail"]
    assert len(added) >= 5
    for relation in added:
        documents = {c.split(".")[0] for c in relation.claims}
        assert documents == {"axios_en", "axios_ar"}, relation.id
        assert all(c.startswith("axios_ar.") for c in relation.detail)


def test_dates_separate_2024_from_october_2025() -> None:
    dates = {d.document: d.date for d in load_digests()}
    assert dates["allisrael_2024"].earliest.year == 2024
    assert dates["allisrael_2024"].latest.year == 2024
    for doc in ("axios_en", "axios_ar", "guardian_jpost", "reuters"):
        assert dates[doc].earliest.isoformat() >= "2025-10-10", doc
        assert dates[doc].latest.isoformat() <= "2025-11-17", doc


def _implications(claim_id: str) -> list[Stance | Quantity]:
    claim = load_registry().claim(claim_id)
    assert claim is not None, claim_id
    return list(claim.implies)


def _stances(claim_id: str) -> set[tuple[str, str, str]]:
    return {(s.actor, s.issue, s.stance) for s in _implications(claim_id) if isinstance(s, Stance)}


def test_key_claims_carry_the_expected_stances_and_numbers() -> None:
    assert ("israel", "turkish_participation", "vetoes") in _stances(
        "guardian_jpost.netanyahu_vetoes_turkey"
    )
    assert ("hamas", "hamas_disarmament", "opposes") in _stances(
        "guardian_jpost.hamas_rejects_disarmament"
    )
    assert ("turkey", "turkish_participation", "willing") in _stances("axios_en.turkey_willing")
    willing = {a for a, i, s in _stances("axios_en.contributors_willing") if s == "willing"}
    assert willing == {"indonesia", "azerbaijan", "egypt", "turkey"}
    excluded = {a for a, _, s in _stances("allisrael_2024.no_saudi_qatar") if s == "excluded"}
    assert excluded == {"saudi_arabia", "qatar"}
    troops = [q for q in _implications("reuters.us_200_support_troops") if isinstance(q, Quantity)]
    assert [(q.quantity, q.value, q.bound) for q in troops] == [("us_support_troops", 200, "upper")]


def test_brief_topics_are_all_covered() -> None:
    ids = set(load_registry().ids("claim"))
    wanted = {
        "axios_en.police_trained_us_egypt_jordan",
        "axios_en.southern_fallback",
        "axios_en.not_un_mission_us_oversight",
        "axios_ar.other_states_military_logistics",
        "axios_ar.fallback_limited_idf_south",
        "guardian_jpost.haiti_model",
        "guardian_jpost.egypt_wants_to_lead",
        "allisrael_2024.guard_pier_and_convoys",
        "allisrael_2024.factions_denounce_arab_force",
        "reuters.safe_zones_after_executions",
        "reuters.reconstruction_cleared_areas",
        "reuters.funding_pledges",
    }
    assert wanted <= ids, wanted - ids


def test_facts_and_papers_registry() -> None:
    registry = load_registry()
    facts = {f.id: f for f in registry.facts}
    for name in [
        "gaza_area",
        "gaza_length_width",
        "population_2024",
        "governorates",
        "yellow_line_share",
        "density_west_of_line",
        "crossings",
        "aid_trucks_prewar",
        "aid_trucks_target",
        "aid_trucks_reported",
        "pier_2024",
        "unsc_2803",
        "us_ccmc_kiryat_gat",
        "planning_force_size",
        "indonesia_pledge",
        "pledges_declines_2026",
        "egypt_commits",
        "pakistan_no_disarm",
        "israel_vetoes_turkey_qatar",
        "hamas_rejects_2803",
        "no_deployment_by_mid_2026",
        "safe_communities",
        "withdrawal_stages",
        "mission_kfor",
        "mission_haiti_mss",
        "mission_unifil",
        "mission_mnf_beirut",
        "mission_ifor",
        "mission_amisom",
        "mission_minusma",
        "mission_iraq_surge",
        "hamas_fighters",
        "deaths_2025",
        "gaza_force_density_comparisons",
    ]:
        assert f"fact.{name}" in facts, name
    assert "M" in facts["fact.mission_mnf_beirut"].flags
    assert "W" in facts["fact.withdrawal_stages"].flags
    assert "P" in facts["fact.aid_trucks_reported"].flags
    governorates = facts["fact.governorates"].table
    assert governorates is not None and len(governorates.rows) == 5
    papers = set(registry.ids("paper"))
    for name in [
        "epstein2002",
        "quinlivan1995",
        "dupuy_coin",
        "peic2014",
        "fortna2004",
        "fortna2008",
        "gilligan_sergenti2008",
        "sambanis2005",
        "hultman2013",
        "hultman2014",
        "hultman2016",
        "fjelde2019",
        "walter1997",
        "kapsarc_ktab",
        "bdm",
    ]:
        assert f"paper.{name}" in papers, name


def test_registry_lookup_and_suggestions() -> None:
    registry = load_registry()
    assert "axios_en.turkey_willing" in registry
    assert "axios_en.turkey_wiling" not in registry
    record = registry.get("axios_en.turkey_willing")
    assert record is not None and record.kind == "claim" and record.document == "axios_en"
    assert registry.get("fact.gaza_area") is not None
    assert registry.get("nope.nothing") is None
    assert registry.documents() == sorted(DOCUMENTS)
    assert registry.closest("axios_en.turkey_wiling")[0] == "axios_en.turkey_willing"
    assert registry.closest("fact.gaza_aera")[0] == "fact.gaza_area"
    assert all(len(r.text) <= 160 for r in registry.records.values())


def test_registry_is_cached_and_reloaded_after_an_edit(seeds: Path) -> None:
    first = load_registry(seeds)
    assert load_registry(seeds) is first
    path = seeds / "reuters.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert load_registry(seeds) is not first


def test_env_var_selects_the_seeds_folder(seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISF_SEEDS_DIR", str(seeds))
    assert resolve_seeds_dir() == seeds
    assert load_registry().digests[0].document == "allisrael_2024"


# ------------------------------------------------------------------ broken inputs


def test_duplicate_claim_id_names_both_places(seeds: Path) -> None:
    path = seeds / "reuters.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: reuters.truce_fragile", "id: reuters.planning_begun"))
    duplicates = [p for p in _problems(seeds) if "duplicate id" in p.message]
    assert len(duplicates) == 1
    problem = duplicates[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    first, second = [n for n, line in enumerate(lines, 1) if "id: reuters.planning_begun" in line]
    assert (problem.file, problem.line) == (str(path), second)
    assert "duplicate id 'reuters.planning_begun'" in problem.message
    assert f"{path}:{first}" in problem.message


def test_unknown_field_is_reported_at_its_line(seeds: Path) -> None:
    path = seeds / "axios_en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("    attribution: one unnamed US official\n", "    colour: red\n", 1)
    )
    problem = _problems(seeds)[0]
    assert problem.file == str(path)
    assert problem.line == _line_of(path, "colour: red")
    assert "unknown field 'colour'" in problem.message
    assert "axios_en.centcom_drafting" in problem.message
    assert problem.path == "claims.1.colour"
    assert problem.hint


def test_missing_confidence_says_what_to_add(seeds: Path) -> None:
    path = seeds / "reuters.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = _line_of(path, "id: reuters.us_advance_team")
    cut = next(n for n in range(start, len(lines)) if lines[n].strip().startswith("confidence:"))
    del lines[cut]
    path.write_text("".join(lines), encoding="utf-8")
    problem = _problems(seeds)[0]
    assert problem.file == str(path)
    assert problem.line == start
    assert "missing required field 'confidence'" in problem.message
    assert "reuters.us_advance_team" in problem.message
    assert problem.hint is not None and "level: high|medium|low" in problem.hint


def test_relation_to_unknown_claim_suggests_the_nearest(seeds: Path) -> None:
    path = seeds / "relations.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("reuters.truce_fragile]", "reuters.truce_fragil]", 1))
    problem = _problems(seeds)[0]
    assert problem.file == str(path)
    assert problem.line == _line_of(path, "reuters.truce_fragil]")
    assert "unknown claim 'reuters.truce_fragil'" in problem.message
    assert "reuters.truce_fragile" in problem.message


def test_unknown_actor_and_stance_are_caught(seeds: Path) -> None:
    path = seeds / "reuters.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("actors: [us, gaza_civilians]", "actors: [us, gaza_civilian]", 1)
    text = text.replace(
        "issue: displacement, stance: opposes", "issue: displacement, stance: oposes"
    )
    path.write_text(text, encoding="utf-8")
    messages = [p.message for p in _problems(seeds)]
    assert any("unknown actor 'gaza_civilian'" in m and "gaza_civilians" in m for m in messages)
    assert any("unknown stance 'oposes'" in m and "opposes" in m for m in messages)


def test_document_id_must_match_file_and_prefix_claims(seeds: Path) -> None:
    shutil.move(seeds / "reuters.yaml", seeds / "reuters_copy.yaml")
    path = seeds / "guardian_jpost.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("id: guardian_jpost.haiti_model", "id: guardian.haiti_model"))
    problems = {p.message: p for p in _problems(seeds)}
    renamed = [p for m, p in problems.items() if "'reuters_copy.yaml'" in m]
    assert len(renamed) == 1
    assert renamed[0].line == _line_of(seeds / "reuters_copy.yaml", "document: reuters")
    prefixed = [p for m, p in problems.items() if "must start with the document id" in m]
    assert len(prefixed) == 1 and prefixed[0].line == _line_of(path, "id: guardian.haiti_model")


def test_conditional_stance_needs_a_condition() -> None:
    with pytest.raises(ValueError, match="needs 'condition"):
        Stance(actor="us", issue="reconstruction", stance="conditional")
    with pytest.raises(ValueError, match="outside"):
        Quantity(quantity="x", value=5, low=1, high=2, unit="troops")


# ------------------------------------------------------------------ our own words


def _shared_seeds() -> Path:
    shared = os.environ.get("ISF_SHARED_DIR")
    base = Path(shared) if shared else REPO.parent / "shared"
    return base / "seeds"


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _shingles(words: list[str], n: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _copied_runs(texts: list[str], sources: set[tuple[str, ...]]) -> list[str]:
    return [" ".join(s) for text in texts for s in _shingles(_words(text)) & sources]


def test_shingle_check_catches_a_copied_sentence() -> None:
    source = _shingles(_words("The quick brown fox jumps over the lazy dog near the river."))
    assert _copied_runs(["As reported, the quick brown fox jumps over the lazy dog!"], source)
    assert not _copied_runs(["A fast brown fox leaps over a sleepy dog."], source)


def test_digests_never_copy_eight_words_of_a_source_document() -> None:
    folder = _shared_seeds()
    documents = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not documents:
        pytest.skip(f"source documents not found in {folder} (set ISF_SHARED_DIR)")
    sources: set[tuple[str, ...]] = set()
    for document in documents:
        sources |= _shingles(_words(document.read_text(encoding="utf-8")))
    for path in sorted(DEFAULT_SEEDS_DIR.glob("*.yaml")):
        texts = list(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert not _copied_runs(texts, sources), (path.name, _copied_runs(texts, sources))


def test_docs_never_copy_eight_words_of_a_source_document() -> None:
    folder = _shared_seeds()
    documents = sorted(folder.glob("*.txt")) if folder.is_dir() else []
    if not documents:
        pytest.skip(f"source documents not found in {folder} (set ISF_SHARED_DIR)")
    sources = set().union(*(_shingles(_words(d.read_text(encoding="utf-8"))) for d in documents))
    text = (REPO / "docs" / "sources.md").read_text(encoding="utf-8")
    assert not _copied_runs([text], sources)


def test_ids_mentioned_in_seed_text_and_docs_exist() -> None:
    registry = load_registry()
    known = set(registry.ids()) | {r.id for r in registry.relations}
    prefixes = "|".join([*DOCUMENTS, "fact", "paper", "rel"])
    pattern = re.compile(rf"\b(?:{prefixes})\.[a-z0-9_]+")
    files = [*DEFAULT_SEEDS_DIR.glob("*.yaml"), REPO / "docs" / "sources.md"]
    for path in files:
        mentioned = set(pattern.findall(path.read_text(encoding="utf-8")))
        unknown = {i for i in mentioned if i not in known and not i.endswith(".yaml")}
        assert not unknown, (path.name, unknown)


def test_module_docstring_example_runs() -> None:
    result = doctest.testmod(evidence)
    assert result.attempted >= 3 and result.failed == 0

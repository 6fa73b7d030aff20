"""Evidence digests of the source documents, and the registry of source ids.

The folder ``seeds/`` holds, in the project's own words:

* one digest per source document (``axios_en.yaml``, ``reuters.yaml`` ...): the outlet, what it
  relays, an approximate date and a list of claims, each with the actors it involves, the
  stances or numbers it implies and a confidence;
* ``relations.yaml``: where documents agree, add detail, differ or conflict;
* ``facts.yaml``: figures from the domain facts (``fact.*`` ids);
* ``papers.yaml``: the research literature (``paper.*`` ids).

Scenario parameters cite these ids (see :mod:`sim.scenario.provenance`); :func:`load_registry`
gives the set of valid ids, cached per folder.

Example:
    >>> registry = load_registry()
    >>> "axios_en.turkey_willing" in registry
    True
    >>> registry.get("fact.gaza_area").kind
    'fact'
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    model_validator,
)
from pydantic_core import ErrorDetails

from sim.scenario.base import StrictModel as _Strict
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.yamlio import FieldPath, LoadedYaml, dotted, load_yaml

DEFAULT_SEEDS_DIR = Path(
    os.environ.get("ISF_SEEDS_DIR") or Path(__file__).resolve().parents[2] / "seeds"
)
RELATIONS_FILE, FACTS_FILE, PAPERS_FILE = "relations.yaml", "facts.yaml", "papers.yaml"
VOCABULARY_FILE = "vocabulary.yaml"
OBSERVATIONS_FILE = "observations.yaml"  # read by sim.experiments.observations, not a digest
RESERVED_FILES = frozenset(
    {RELATIONS_FILE, FACTS_FILE, PAPERS_FILE, VOCABULARY_FILE, OBSERVATIONS_FILE}
)


def _vocabulary() -> dict[str, dict[str, str]]:
    """The controlled vocabularies shipped in the repository's ``seeds/vocabulary.yaml``."""
    path = Path(__file__).resolve().parents[2] / "seeds" / VOCABULARY_FILE
    data = load_yaml(path).data
    kinds = ("actors", "issues", "stances", "outlets")
    if not isinstance(data, dict) or any(not isinstance(data.get(k), dict) for k in kinds):
        raise ScenarioError.single(path, f"expected mappings {kinds} of id -> description")
    return {k: {str(i): str(d) for i, d in data[k].items()} for k in kinds}


_VOCABULARY = _vocabulary()
ACTORS: dict[str, str] = _VOCABULARY["actors"]
"""Actor ids allowed in claims and facts, with what each stands for."""
ISSUES: dict[str, str] = _VOCABULARY["issues"]
"""Issue ids allowed in stances (the bargaining model's candidate dimensions)."""
STANCES: dict[str, str] = _VOCABULARY["stances"]
"""Stance values, with what each means."""
OUTLETS: dict[str, str] = _VOCABULARY["outlets"]
"""Original reporting outlets that digests may say they relay."""

type Flag = Literal["P", "W", "M"]
type Level = Literal["high", "medium", "low"]


def suggest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The closest valid names to ``word`` (difflib), best first."""
    return difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = suggest(word, choices)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def _member_of(kind: str, choices: Iterable[str]) -> Callable[[str], str]:
    """A validator accepting only names in ``choices``, suggesting the nearest otherwise."""
    allowed = tuple(choices)

    def check(name: str) -> str:
        if name not in allowed:
            close = _did_you_mean(name, allowed)
            where = f"seeds/{VOCABULARY_FILE} ({kind})"
            raise ValueError(f"unknown {kind[:-1]} '{name}'{close}; valid ids are in {where}")
        return name

    return check


def _enum(choices: Iterable[str]) -> Any:
    return Field(json_schema_extra={"enum": list(choices)})


ActorId = Annotated[str, AfterValidator(_member_of("actors", ACTORS)), _enum(ACTORS)]
IssueId = Annotated[str, AfterValidator(_member_of("issues", ISSUES)), _enum(ISSUES)]
StanceValue = Annotated[str, AfterValidator(_member_of("stances", STANCES)), _enum(STANCES)]
Outlet = Annotated[str, AfterValidator(_member_of("outlets", OUTLETS)), _enum(OUTLETS)]
SnakeId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
ShortText = Annotated[str, Field(min_length=1, max_length=400)]
LongText = Annotated[str, Field(min_length=1, max_length=2000)]
PartialDate = Annotated[
    str, Field(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", description="YYYY[-MM[-DD]]")
]


class Confidence(_Strict):
    """How far we trust a claim, and why (named or anonymous sources, relays, partisanship)."""

    level: Level
    reason: ShortText


class Stance(_Strict):
    """A position an actor takes on an issue, e.g. Israel vetoes Turkish participation."""

    actor: ActorId
    issue: IssueId
    stance: StanceValue
    condition: ShortText | None = None
    note: ShortText | None = None

    @model_validator(mode="after")
    def _condition_given(self) -> Self:
        if self.stance == "conditional" and not self.condition:
            raise ValueError("a 'conditional' stance needs 'condition: <on what>'")
        return self


class Quantity(_Strict):
    """A number a claim or fact implies, as a value and/or a [low, high] range."""

    quantity: SnakeId
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: ShortText
    bound: Literal["approx", "exact", "upper", "lower"] = "approx"
    flags: list[Flag] = Field(default_factory=list)
    note: ShortText | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high', or neither")
        if self.value is None and self.low is None:
            raise ValueError("give 'value', or both 'low' and 'high'")
        if self.low is not None and self.high is not None:
            if self.low > self.high:
                raise ValueError(f"low {self.low} is above high {self.high}")
            if self.value is not None and not self.low <= self.value <= self.high:
                raise ValueError(f"value {self.value} is outside [{self.low}, {self.high}]")
        return self


def _implication_kind(raw: Any) -> str:
    is_quantity = "quantity" in raw if isinstance(raw, dict) else isinstance(raw, Quantity)
    return "<quantity>" if is_quantity else "<stance>"


Implication = Annotated[
    Annotated[Stance, Tag("<stance>")] | Annotated[Quantity, Tag("<quantity>")],
    Discriminator(_implication_kind),
]


class Claim(_Strict):
    """One distinct claim of a source document, in our words."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]
    actors: list[ActorId] = Field(min_length=1)
    says: LongText
    implies: list[Implication] = Field(default_factory=list)
    attribution: ShortText | None = None
    via: list[Outlet] = Field(default_factory=list)
    confidence: Confidence


def _period(text: str) -> tuple[date, date]:
    """First and last day of a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` period."""
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return date(*parts), date(*parts)
    if len(parts) == 2:
        year, month = parts
        following = date(year + month // 12, month % 12 + 1, 1)
        return date(year, month, 1), date.fromordinal(following.toordinal() - 1)
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


class DocumentDate(_Strict):
    """An approximate date, the window it must lie in, and how it was reasoned."""

    approx: PartialDate
    earliest: date
    latest: date
    basis: LongText

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.earliest > self.latest:
            raise ValueError(f"earliest {self.earliest} is after latest {self.latest}")
        start, end = _period(self.approx)
        if end < self.earliest or start > self.latest:
            raise ValueError(f"approx {self.approx} lies outside [{self.earliest}, {self.latest}]")
        return self


class Digest(_Strict):
    """The digest of one source document."""

    document: SnakeId
    source_file: ShortText
    outlet: ShortText
    outlet_note: LongText | None = None
    relays: list[Outlet] = Field(min_length=1)
    language: Literal["en", "ar"]
    date: DocumentDate
    summary: LongText
    reliability: Confidence
    claims: list[Claim] = Field(min_length=1)


class Relation(_Strict):
    """A relation between claims: agreement, added detail, wording difference or conflict."""

    id: Annotated[str, Field(pattern=r"^rel\.[a-z][a-z0-9_]*$")]
    kind: Literal["agrees", "adds_detail", "differs", "conflicts", "changed_over_time"]
    claims: list[str] = Field(min_length=2)
    detail: list[str] = Field(default_factory=list)
    says: LongText

    @model_validator(mode="after")
    def _detail_rules(self) -> Self:
        if self.kind == "adds_detail" and not self.detail:
            raise ValueError("an 'adds_detail' relation needs 'detail: [claims that add it]'")
        stray = [c for c in self.detail if c not in self.claims]
        if stray:
            raise ValueError(f"'detail' ids must also be listed in 'claims': {stray}")
        return self


class RelationsFile(_Strict):
    """The contents of ``relations.yaml``."""

    relations: list[Relation]


class Table(_Strict):
    """A small table: column name -> unit, and rows with exactly those columns."""

    columns: dict[str, str] = Field(min_length=1)
    rows: list[dict[str, str | float]] = Field(min_length=1)

    @model_validator(mode="after")
    def _rows_match(self) -> Self:
        for i, row in enumerate(self.rows):
            missing, extra = (
                sorted(set(self.columns) - set(row)),
                sorted(set(row) - set(self.columns)),
            )
            if missing or extra:
                raise ValueError(
                    f"row {i} does not match 'columns': missing {missing}, extra {extra}"
                )
        return self


class Fact(_Strict):
    """A figure or event from the domain facts, with who reported it."""

    id: Annotated[str, Field(pattern=r"^fact\.[a-z][a-z0-9_]*$")]
    text: LongText
    values: list[Quantity] = Field(default_factory=list)
    stances: list[Stance] = Field(default_factory=list)
    table: Table | None = None
    dates: dict[str, PartialDate] = Field(default_factory=dict)
    flags: list[Flag] = Field(default_factory=list)
    reported_by: list[ShortText] = Field(min_length=1)
    as_of: PartialDate | None = None
    note: ShortText | None = None


class FactsFile(_Strict):
    """The contents of ``facts.yaml``."""

    facts: list[Fact]


class Paper(_Strict):
    """A publication (or toolkit) whose findings the models use."""

    id: Annotated[str, Field(pattern=r"^paper\.[a-z][a-z0-9_]*$")]
    authors: list[ShortText] = Field(min_length=1)
    year: int = Field(ge=1900, le=2100)
    title: ShortText
    venue: ShortText
    kind: Literal["article", "book", "chapter", "report", "software"]
    finding: LongText
    figures: list[Quantity] = Field(default_factory=list)
    note: ShortText | None = None

    def citation(self) -> str:
        """Short author-year form, e.g. ``Hultman, Kathman and Shannon (2013)``."""
        names = [a if a.startswith("The ") or "(" in a else a.split()[-1] for a in self.authors]
        if len(names) > 3:
            return f"{names[0]} et al. ({self.year})"
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
        return f"{joined} ({self.year})"


class PapersFile(_Strict):
    """The contents of ``papers.yaml``."""

    papers: list[Paper]


@dataclass(frozen=True)
class SourceRecord:
    """What the registry keeps about one citable id."""

    id: str
    kind: Literal["claim", "fact", "paper"]
    text: str
    document: str | None = None


@dataclass
class SourceRegistry:
    """Every citable id (claims, facts, papers) with a short record, plus the parsed files."""

    records: dict[str, SourceRecord]
    digests: list[Digest] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)

    def __contains__(self, source_id: object) -> bool:
        return source_id in self.records

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids())

    def get(self, source_id: str) -> SourceRecord | None:
        """The record for ``source_id``, or ``None`` if unknown."""
        return self.records.get(source_id)

    def closest(self, source_id: str, n: int = 3) -> list[str]:
        """The valid ids nearest to a mistyped ``source_id`` (for "did you mean")."""
        return suggest(source_id, self.ids(), n)

    def ids(self, kind: str | None = None) -> list[str]:
        """All ids, sorted; only those of one ``kind`` (claim, fact, paper) if given."""
        return sorted(i for i, r in self.records.items() if kind is None or r.kind == kind)

    def documents(self) -> list[str]:
        """The document ids of the digests, sorted (``axios_ar``, ``axios_en`` ...)."""
        return sorted(d.document for d in self.digests)

    def claim(self, claim_id: str) -> Claim | None:
        """The full claim for ``claim_id``, or ``None``."""
        found = (c for d in self.digests for c in d.claims if c.id == claim_id)
        return next(found, None)


def resolve_seeds_dir(seeds_dir: Path | None = None) -> Path:
    """The seeds folder: the argument, else ``$ISF_SEEDS_DIR``, else ``DEFAULT_SEEDS_DIR``."""
    if seeds_dir is not None:
        return Path(seeds_dir)
    env = os.environ.get("ISF_SEEDS_DIR")
    return Path(env) if env else DEFAULT_SEEDS_DIR


def digest_paths(seeds_dir: Path | None = None) -> list[Path]:
    """The digest files in the seeds folder (every ``*.yaml`` except the registry files)."""
    folder = resolve_seeds_dir(seeds_dir)
    return sorted(p for p in folder.glob("*.yaml") if p.name not in RESERVED_FILES)


def load_digests(seeds_dir: Path | None = None) -> list[Digest]:
    """Load and check every digest in the seeds folder (with the rest of the registry).

    Args:
        seeds_dir: The folder; defaults to :func:`resolve_seeds_dir`.

    Returns:
        The digests, sorted by file name.

    Raises:
        ScenarioError: Listing every fault with its file and line.
    """
    return load_registry(seeds_dir).digests


def load_registry(seeds_dir: Path | None = None) -> SourceRegistry:
    """Load every seed file, check it, and index all citable ids (cached per folder).

    The cache is keyed by the folder and the size and modification time of its files, so an
    edited file is read again.

    Args:
        seeds_dir: The folder; defaults to :func:`resolve_seeds_dir`.

    Returns:
        The registry of claims, facts and papers, with the parsed files.

    Raises:
        ScenarioError: Listing every fault with its file and line.
    """
    folder = resolve_seeds_dir(seeds_dir).resolve()
    if not folder.is_dir():
        hint = "set ISF_SEEDS_DIR or pass seeds_dir"
        raise ScenarioError.single(str(folder), "seeds folder not found", hint=hint)
    key = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*.yaml"))
    cached = _CACHE.get(folder)
    if cached is not None and cached[0] == key:
        return cached[1]
    registry = _Builder(folder).build()
    _CACHE[folder] = (key, registry)
    return registry


def clear_cache() -> None:
    """Forget every cached registry."""
    _CACHE.clear()


_CACHE: dict[Path, tuple[tuple[tuple[str, int, int], ...], SourceRegistry]] = {}


def _fault(loaded: LoadedYaml, path: FieldPath, message: str, hint: str | None) -> Problem:
    return Problem(loaded.file, loaded.line_of(path), dotted(path), message, hint)


class _Builder:
    """Reads a seeds folder into a registry, gathering every fault before raising."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[Problem] = []
        self.records: dict[str, SourceRecord] = {}
        self.where: dict[str, str] = {}
        self.broken: set[str] = set()

    def build(self) -> SourceRegistry:
        digests = []
        for path in digest_paths(self.folder):
            parsed = _load_model(path, Digest, self.problems)
            if parsed is None:
                self.broken.add(path.stem)
                continue
            digest, loaded = parsed
            self.check_digest(path, digest, loaded)
            for i, claim in enumerate(digest.claims):
                record = SourceRecord(claim.id, "claim", _short(claim.says), digest.document)
                self.register(record, loaded, ("claims", i, "id"))
            digests.append(digest)
        facts = self.load_listing(FACTS_FILE, FactsFile)
        papers = self.load_listing(PAPERS_FILE, PapersFile)
        relations = self.load_relations()
        if self.problems:
            raise ScenarioError(self.problems)
        return SourceRegistry(
            records=self.records,
            digests=digests,
            relations=relations,
            facts=[f for f in facts if isinstance(f, Fact)],
            papers=[p for p in papers if isinstance(p, Paper)],
        )

    def register(self, record: SourceRecord, loaded: LoadedYaml, path: FieldPath) -> None:
        """Add a record, reporting a duplicate id with where it was first defined."""
        if record.id in self.records:
            message = f"duplicate id '{record.id}', already defined at {self.where[record.id]}"
            hint = "ids must be unique across all seed files; rename one of them"
            self.problems.append(_fault(loaded, path, message, hint))
            return
        self.records[record.id] = record
        self.where[record.id] = f"{loaded.file}:{loaded.line_of(path)}"

    def check_digest(self, path: Path, digest: Digest, loaded: LoadedYaml) -> None:
        """Checks that need the file name: document id, claim id prefixes, cited outlets."""
        doc = digest.document
        if doc != path.stem:
            message = f"document id '{doc}' does not match the file name '{path.name}'"
            hint = f"rename the file to {doc}.yaml or set 'document: {path.stem}'"
            self.problems.append(_fault(loaded, ("document",), message, hint))
        for i, claim in enumerate(digest.claims):
            if claim.id.split(".", 1)[0] != doc:
                message = f"claim id '{claim.id}' must start with the document id '{doc}.'"
                hint = f"rename it to '{doc}.{claim.id.split('.', 1)[-1]}'"
                self.problems.append(_fault(loaded, ("claims", i, "id"), message, hint))
            stray = sorted(set(claim.via) - set(digest.relays))
            if stray:
                message = f"claim '{claim.id}' cites {stray}, which 'relays' does not list"
                hint = "add the outlet to the digest's 'relays' or remove it from 'via'"
                self.problems.append(_fault(loaded, ("claims", i, "via"), message, hint))

    def load_listing(
        self, name: str, model: type[FactsFile] | type[PapersFile]
    ) -> list[Fact | Paper]:
        """Load ``facts.yaml`` or ``papers.yaml`` and register its ids."""
        parsed = _load_model(self.folder / name, model, self.problems)
        if parsed is None:
            return []
        content, loaded = parsed
        key = "facts" if isinstance(content, FactsFile) else "papers"
        items: list[Fact | Paper] = list(getattr(content, key))
        for i, item in enumerate(items):
            if isinstance(item, Fact):
                record = SourceRecord(item.id, "fact", _short(item.text))
            else:
                record = SourceRecord(item.id, "paper", _short(f"{item.citation()}: {item.title}"))
            self.register(record, loaded, (key, i, "id"))
        return items

    def load_relations(self) -> list[Relation]:
        """Load ``relations.yaml``; every claim it names must exist (unless its digest failed)."""
        parsed = _load_model(self.folder / RELATIONS_FILE, RelationsFile, self.problems)
        if parsed is None:
            return []
        content, loaded = parsed
        claim_ids = [i for i, r in self.records.items() if r.kind == "claim"]
        seen: set[str] = set()
        for i, relation in enumerate(content.relations):
            if relation.id in seen:
                message = f"duplicate relation id '{relation.id}'"
                self.problems.append(_fault(loaded, ("relations", i, "id"), message, "rename it"))
            seen.add(relation.id)
            for key in ("claims", "detail"):
                for j, claim_id in enumerate(getattr(relation, key)):
                    if claim_id in claim_ids or claim_id.split(".", 1)[0] in self.broken:
                        continue
                    message = (
                        f"relation '{relation.id}' refers to unknown claim '{claim_id}'"
                        + _did_you_mean(claim_id, claim_ids)
                    )
                    hint = "use a claim id defined in one of the digest files"
                    self.problems.append(_fault(loaded, ("relations", i, key, j), message, hint))
        return list(content.relations)


def _load_model[M: BaseModel](
    path: Path, model: type[M], problems: list[Problem]
) -> tuple[M, LoadedYaml] | None:
    """Read ``path`` and validate it as ``model``; faults are appended to ``problems``."""
    try:
        loaded = load_yaml(path)
    except ScenarioError as exc:
        problems.extend(exc.problems)
        return None
    if not isinstance(loaded.data, dict):
        problems.append(Problem(loaded.file, 1, "", "expected a mapping of fields", None))
        return None
    try:
        return model.model_validate(loaded.data), loaded
    except ValidationError as exc:
        problems.extend(_problem(loaded, err) for err in exc.errors(include_url=False))
        return None


_FIELD_HINTS = {
    "confidence": " {level: high|medium|low, reason: why}",
    "reliability": " {level: high|medium|low, reason: why}",
    "actors": " [lower-case actor ids]",
    "date": " {approx: YYYY-MM, earliest: YYYY-MM-DD, latest: YYYY-MM-DD, basis: how dated}",
}


def _problem(loaded: LoadedYaml, err: ErrorDetails) -> Problem:
    """Turn one pydantic error into a Problem naming the file, line and field."""
    path, missing = _data_path(loaded.data, err["loc"])
    where = ""
    if len(path) >= 2 and path[0] == "claims" and isinstance(path[1], int):
        claim_id = loaded.data["claims"][path[1]].get("id")
        where = f"in claim '{claim_id}': " if isinstance(claim_id, str) else ""
    line = loaded.line_of(path)
    if err["type"] == "missing" and missing is not None:
        hint = f"add '{missing}:' here" + _FIELD_HINTS.get(str(missing), "")
        message = f"{where}missing required field '{missing}'"
        return Problem(loaded.file, line, dotted((*path, missing)), message, hint)
    if err["type"] == "extra_forbidden":
        hint = "remove it or fix its spelling (the fields are in sim/scenario/evidence.py)"
        return Problem(loaded.file, line, dotted(path), f"{where}unknown field '{path[-1]}'", hint)
    message = where + err["msg"].removeprefix("Value error, ")
    choice = "use one of the listed values" if err["type"] == "literal_error" else None
    return Problem(loaded.file, line, dotted(path), message, choice)


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[FieldPath, str | int | None]:
    """Follow a pydantic error location through the data, skipping union tags (``<...>``).

    Returns:
        The part of the location present in the data, and the first key absent from it.
    """
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            path.append(part)
            current = current[part]
        elif not str(part).startswith("<"):
            return tuple(path), part
    return tuple(path), None


def _short(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"

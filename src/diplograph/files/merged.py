"""diplograph data files -> one, with entities that are the same made one (``import merge``,
and a ``--data`` folder whose files share identifiers, read as one).

Two entities are the same when they have the same id or share an identifier (the same
value for the same scheme: ``{"cameo": "RUS"}`` in a GDELT import and in a curated file).
The first one read keeps its id, type, description and coordinates; it gains the other's
name and aliases as aliases, and its identifiers. Relations are rewritten to the kept
ids; a relation of the same type, ends (either order for symmetric types), date and
certainty as one read before is merged into it (its evidence added, repeated evidence
left out), as ``data/README.md`` asks of a fact found in a second source. A relation id
used twice for different relations gets a suffix (``-2``). The files are read whole,
each checked on its own first; the result is checked as a whole before it is written.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import field as default
from pathlib import Path
from typing import Any, Protocol

import msgspec

from ..check.files import read_json
from ..model import records as model
from ..model.errors import DataError, ExportError
from ..model.gcpause import paused_gc
from ..model.rules import REFERENCES
from .atomic import write_atomic
from .locate import VOCABULARY_FILE, bundled_data_dir

#: The fields naming an entity (renamed when a merge renames it), from the rules.
_ENDS = tuple(rule.field for rule in REFERENCES if rule.to == "entities")


class Tally(Protocol):
    """What a merge counts (``importers.common.Report`` is one)."""

    rows: int
    kept: int
    merged: int
    entities: int
    entities_merged: int
    relations: int
    output: str
    notes: list[str]

    def skip(self, why: str) -> None: ...


@dataclass
class Counts:
    """A ``Tally`` nobody reads (a folder merged for a query)."""

    rows: int = 0
    kept: int = 0
    merged: int = 0
    entities: int = 0
    entities_merged: int = 0
    relations: int = 0
    output: str = ""
    notes: list[str] = default(default_factory=list)

    def skip(self, why: str) -> None:
        pass


def write_merged(
    files: list[Path],
    output: str,
    *,
    force: bool = False,
    label: str | None = None,
    report: Tally | None = None,
    empty: Callable[[], Exception] | None = None,
) -> None:
    """Merge data files into one data file at ``output``, counting into ``report``.
    ``label`` names the result in error messages (default: ``output``); ``empty()``, when
    given, is raised instead of writing a merge with no entity and no relation."""
    with paused_gc():  # (millions of objects, no cycles: the collector finds nothing)
        _merged(files, output, force, label, Counts() if report is None else report, empty)


def _merged(
    files: list[Path],
    output: str,
    force: bool,
    label: str | None,
    report: Tally,
    empty: Callable[[], Exception] | None,
) -> None:
    documents = []
    problems: list[str] = []
    for path in files:
        doc = _valid_as_is(path)  # (the fast path, in C)
        if doc is None:  # not certainly valid: the full checker says what is wrong
            doc = read_json(path)
            found = model.check_document(doc)
            problems += [f"{path}: {p}" for p in found]
        documents.append(doc)
    if problems:
        raise DataError(problems)
    types = relation_types()
    sources: dict[str, dict] = {}
    own_types: dict[str, dict] = {}
    entities: dict[str, dict] = {}
    by_identifier: dict[tuple[str, str], str] = {}
    for path, doc in zip(files, documents, strict=True):
        for record in doc.get("sources", []):
            _first(sources, record, path, "source", report)
        for record in doc.get("relation_types", []):
            if types.get(record["id"]) != record:
                _first(own_types, record, path, "relation type", report)
    relations: dict[tuple, dict] = {}
    ids: set[str] = set()
    for doc in documents:
        renamed: dict[str, str] = {}
        for record in doc.get("entities", []):
            renamed[record["id"]] = _entity(record, entities, by_identifier, report)
        for record in doc.get("relations", []):
            report.rows += 1
            rel = dict(record)
            for field in _ENDS:
                if field in rel:
                    rel[field] = renamed.get(rel[field], rel[field])
            rtype = rel["type"]
            symmetric = {**types, **own_types}.get(rtype, {}).get("symmetric", False)
            ends = sorted((rel["source"], rel["target"])) if symmetric else (rel["source"],)
            key = (rtype, *ends, rel["target"] if not symmetric else "", rel.get("date"))
            key += (rel["certainty"], rel.get("reported_by"))
            kept = relations.get(key)
            if kept is None:
                base, n = rel["id"], 1
                while rel["id"] in ids:
                    n += 1
                    rel["id"] = f"{base}-{n}"
                ids.add(rel["id"])
                relations[key] = rel
                report.kept += 1
                continue
            new = [ev for ev in rel["evidence"] if ev not in kept["evidence"]]
            if new:
                kept["evidence"] = [*kept["evidence"], *new]
                report.merged += 1
            else:
                report.skip("the same relation, with the same evidence, read before")
    if empty is not None and not entities and not relations:
        raise empty()  # (files without entities or relations: nothing to write)
    document: dict[str, Any] = {"schema_version": model.SCHEMA_VERSION}
    document["sources"] = list(sources.values())
    if own_types:
        document["relation_types"] = list(own_types.values())
    document["entities"] = list(entities.values())
    document["relations"] = list(relations.values())
    report.entities, report.relations, report.output = len(entities), len(relations), output
    encoded = msgspec.json.encode(document)
    del documents, document, entities, relations  # (only the text is needed now)
    if not _certainly_valid(encoded):
        _check(msgspec.json.decode(encoded), label or output)
    write_atomic(encoded + b"\n", output, force)


def relation_types() -> dict[str, dict]:
    """The bundled relation types, by id."""
    doc = json.loads((bundled_data_dir() / VOCABULARY_FILE).read_text(encoding="utf-8"))
    return {t["id"]: t for t in doc["relation_types"]}


def _valid_as_is(path: Path) -> dict | None:
    """The data file as plain values when the fast path vouches for each of its records
    (``model.check_document``'s rules; references are checked once merged), its keys in
    the order written; else None (then the full checker says what is wrong, with where
    in this file, as for unreadable files)."""
    from ..check.fast import decode_fast, own_rules_ok

    try:
        raw = path.read_bytes()
    except OSError:
        return None
    found = decode_fast(raw)  # (which allows one byte order mark)
    if found is None or not own_rules_ok([found[0]]):
        return None
    del found
    # (no key repeats: decode_fast counted them)
    return msgspec.json.decode(raw.removeprefix(b"\xef\xbb\xbf"))


def _certainly_valid(encoded: bytes) -> bool:
    """Whether the merged document (as JSON) passes every rule, with the bundled
    vocabulary, as far as the fast path can vouch (else the full checker decides)."""
    from ..check.fast import cross_check_fast, decode_fast

    found = decode_fast(encoded)
    vocabulary_doc = decode_fast((bundled_data_dir() / VOCABULARY_FILE).read_bytes())
    if found is None or vocabulary_doc is None:
        return False
    return cross_check_fast([vocabulary_doc[0], found[0]])


def _first(table: dict, record: dict, path: Path, what: str, report: Tally) -> None:
    """Keep the first record of an id; note a different one read later."""
    kept = table.setdefault(record["id"], record)
    if kept is not record and kept != record:
        report.notes.append(f"note: {path}: {what} '{record['id']}' differs; the first kept")


def _entity(record: dict, entities: dict, by_identifier: dict, report: Tally) -> str:
    """The id the entity is kept under (merged into one read before, or new)."""
    eid = record["id"] if record["id"] in entities else None
    for pair in (record.get("identifiers") or {}).items():
        if eid is None:
            eid = by_identifier.get(pair)
    if eid is None:
        kept = entities[record["id"]] = dict(record)
        eid = record["id"]
    else:
        report.entities_merged += 1
        kept = entities[eid]
        aliases = kept.setdefault("aliases", [])
        for alias in (record["name"], *record.get("aliases", [])):
            if alias != kept["name"] and alias not in aliases:
                aliases.append(alias)
        for field in ("description", "lat", "lon"):
            if field in record and field not in kept:
                kept[field] = record[field]
    if record.get("identifiers"):
        known = kept.setdefault("identifiers", {})
        for scheme, value in record["identifiers"].items():
            known.setdefault(scheme, value)
            by_identifier.setdefault((scheme, value), eid)
    return eid


def _check(document: dict, output: str) -> None:
    """DataError when the merged data is not valid (with the bundled vocabulary)."""
    vocabulary_doc = read_json(bundled_data_dir() / VOCABULARY_FILE)
    problems = [f"{output}: {p}" for p in model.check_document(document)]
    if not problems:
        problems = model.check_dataset([("vocabulary", vocabulary_doc), (output, document)])
    if problems:
        raise DataError(problems)


class _Identified(msgspec.Struct):
    identifiers: dict[str, str] | None = None


class _Entities(msgspec.Struct):
    entities: list[_Identified] = []


@contextlib.contextmanager
def merged_by_identifier(
    files: list[Path], where: Path, keep: Path | None = None
) -> Iterator[list[Path]]:
    """``files`` (the bundled vocabulary first, then the data files of ``where``) as they
    are, or, when entities of two data files share an identifier, the vocabulary and
    one file merging them (``write_merged``): written to ``keep`` (kept, beside the cache
    that reads its records), else to a temporary file removed afterwards.

    Only the entities' identifiers are decoded to decide (each file parsed once by
    msgspec, the relations skipped); the merge itself reads the files whole."""
    vocabulary, data = files[:1], files[1:]
    if len(data) < 2 or not _shared_identifier(data):
        yield files
        return
    label = f"{where} (merged by identifier)"
    if keep is not None:
        try:
            keep.parent.mkdir(parents=True, exist_ok=True)
            write_merged(data, str(keep), force=True, label=label)
        except (OSError, ExportError):
            pass  # an unwritable cache folder: a temporary file, below
        else:
            yield [*vocabulary, keep]
            return
    with tempfile.TemporaryDirectory(prefix="diplograph-merge-") as folder:
        merged = Path(folder) / "merged.json"
        write_merged(data, str(merged), force=True, label=label)
        yield [*vocabulary, merged]


def _shared_identifier(files: list[Path]) -> bool:
    """Whether entities of two of ``files`` share an identifier (False when a file does
    not decode: the checker then says what is wrong with it)."""
    decoder = msgspec.json.Decoder(_Entities)
    seen: dict[tuple[str, str], int] = {}
    for n, path in enumerate(files):
        try:
            doc = decoder.decode(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            return False
        for entity in doc.entities:
            for pair in (entity.identifiers or {}).items():
                if seen.setdefault(pair, n) != n:
                    return True
    return False

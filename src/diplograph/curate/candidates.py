"""Candidates as a file a person reviews, and accepting them through ``add``'s checks.

``extract --output candidates.json`` writes::

    {"candidates": 1, "source": "herald-2025-03-03",
     "entities": [{"id": "berg", "name": "Anna Berg", "type": "person", "aliases": []}],
     "relations": [{"accept": true, "type": "met", "source": "berg", "target": "dahl",
                    "quote": "...", "date": "2025-02-27", "date_text": "February 27",
                    "place": "port-aren", "certainty": "stated", "reported_by": null,
                    "negated": false, "note": null, "sentence": "..."}]}

``entities`` are the new entities the relations use (the data's own are named by id).
Set ``accept`` to false to leave a candidate out; edit any field. ``apply`` accepts the
file as ``add entity`` and ``add relation`` would, one record after another on the same
document (new entities first), and refuses what they refuse, plus a negated candidate
and one with no type; the caller writes the result only when nothing was refused.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from ..model.errors import DataError, DiplographError
from . import CurationError
from .document import DataFile
from .edit import RelationInput, add_entity, add_relation

VERSION = 1
_RELATION_FIELDS = (
    "type", "source", "target", "quote", "date", "date_text", "place", "certainty",
    "reported_by", "note",
)  # fmt: skip


def relation_row(candidate) -> dict[str, Any]:
    """The reviewable fields of an ``extract.Candidate``."""
    return {
        "accept": not candidate.negated and candidate.type is not None,
        "type": candidate.type,
        "source": candidate.source,
        "target": candidate.target,
        "quote": candidate.quote,
        "date": candidate.date,
        "date_text": candidate.date_text,
        "place": candidate.place,
        "certainty": candidate.certainty,
        "reported_by": candidate.reported_by,
        "negated": candidate.negated,
        "note": candidate.note,
        "known": candidate.known,
        "sentence": candidate.sentence or candidate.quote,
    }


def document(source: str, candidates: list, entities: list[dict]) -> dict[str, Any]:
    return {
        "candidates": VERSION,
        "source": source,
        "entities": entities,
        "relations": [relation_row(c) for c in candidates],
    }


def read(path: Path) -> dict[str, Any]:
    """A candidates file, its shape checked (DataError naming the file and record)."""
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise DataError([f"{path}: cannot read ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise DataError([f"{path}: not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise DataError([f"{path}: line {exc.lineno}: not JSON ({exc.msg})"]) from None
    if not isinstance(doc, dict) or doc.get("candidates") != VERSION:
        raise DataError([f"{path}: not a candidates file (made by 'extract --output')"])
    for kind in ("entities", "relations"):
        records = doc.get(kind, [])
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise DataError([f"{path}: '{kind}' must be a list of objects"])
    if not isinstance(doc.get("source"), str):
        raise DataError([f"{path}: 'source' must name the source the quotes are from"])
    for n, entity in enumerate(doc.get("entities", []), 1):
        for name in ("id", "name", "type"):
            if not isinstance(entity.get(name), str):
                raise DataError([f"{path}: entities[{n}]: '{name}' must be a string"])
    for n, rel in enumerate(doc.get("relations", []), 1):
        for name in ("source", "target", "quote"):
            if not isinstance(rel.get(name), str):
                raise DataError([f"{path}: relations[{n}]: '{name}' must be a string"])
    return doc


def _label(rel: dict) -> str:
    return f"{rel.get('source')} {rel.get('type') or '(no type)'} {rel.get('target')}"


def accept(
    datafile: DataFile, types: dict[str, dict], rel: dict, entities: list[dict], source: str
) -> tuple[DataFile, list[str]]:
    """``datafile`` with one candidate relation added (its new entities first), and
    lines saying what was done; CurationError when it cannot be."""
    if rel.get("negated"):
        raise CurationError("the source denies it (a negated clause is not a relation)")
    if not rel.get("type"):
        raise CurationError(
            rel.get("note") or "no relation type: choose one, or add one with 'add type'"
        )
    done: list[str] = []
    have = {e.get("id") for e in datafile.doc.get("entities", []) if isinstance(e, dict)}
    wanted = {rel.get(k) for k in ("source", "target", "place", "reported_by")} - {None}
    for entity in entities:
        if entity["id"] in wanted and entity["id"] not in have:
            record = {k: entity.get(k) for k in ("id", "name", "type", "aliases", "description")}
            record["aliases"] = list(record.get("aliases") or [])
            change = add_entity(datafile.doc, record)
            datafile = dataclasses.replace(datafile, doc=change.doc)
            have.add(entity["id"])
            done.append(f"added entity {entity['id']}")
    given = RelationInput(
        type=rel["type"],
        source=rel["source"],
        target=rel["target"],
        quotes=[rel["quote"]],
        evidence_source=source,
        date=rel.get("date"),
        date_text=rel.get("date_text"),
        place=rel.get("place"),
        certainty=rel.get("certainty") or "stated",
        reported_by=rel.get("reported_by"),
        note=rel.get("note"),
    )
    change = add_relation(datafile, types, given)
    done.append(f"{change.action} relation {change.record['id']}: {_label(change.record)}")
    return dataclasses.replace(datafile, doc=change.doc), done


@dataclasses.dataclass
class Batch:
    """What ``apply`` did: the document after it, and per candidate what happened."""

    datafile: DataFile
    added: list[str]
    refused: list[str]
    skipped: int


def apply(datafile: DataFile, types: dict[str, dict], doc: dict) -> Batch:
    """Every candidate with ``accept`` true, in order, through ``accept``."""
    added: list[str] = []
    refused: list[str] = []
    skipped = 0
    for n, rel in enumerate(doc.get("relations", []), 1):
        if not rel.get("accept", True):
            skipped += 1
            continue
        try:
            datafile, done = accept(datafile, types, rel, doc.get("entities", []), doc["source"])
        except DiplographError as exc:
            refused.append(f"relations[{n}] {_label(rel)}: {exc}")
            continue
        added.extend(done)
    return Batch(datafile, added, refused, skipped)

"""Add, edit and remove records: each operation takes a document and returns a ``Change``
holding a new document (the old one is never modified), ready for ``DataFile.save``,
which checks it with the full validator before anything is written.

Names resolve as queries resolve them (id, name or alias; case, accents and punctuation
ignored; did-you-mean when nothing matches), against the file's own entities: those are
the only ones its relations may refer to.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import dates
from ..model import records as model
from ..model.errors import UsageError
from ..model.text import choose_from
from . import CurationError, ids, words
from .document import DataFile, ordered
from .quotes import check_quote

#: Fields of a relation ``edit relation`` may set or clear.
RELATION_EDITABLE = ("date", "date_text", "place", "certainty", "reported_by", "note")
#: Fields of an entity ``edit entity`` may clear.
ENTITY_CLEARABLE = ("aliases", "description")


#: A record of each kind, as output names it.
RECORD_NAMES = {
    "sources": "source",
    "relation_types": "relation_type",
    "entities": "entity",
    "relations": "relation",
}


@dataclass
class Change:
    """What an operation did: the new document, the record it touched, and how."""

    doc: dict
    record: dict | None
    action: str  # added | merged | edited | removed
    kind: str  # sources | entities | relations
    removed: list[str] = field(default_factory=list)  # ids of relations removed with it
    notes: list[str] = field(default_factory=list)  # things the person should know

    def summary(self) -> dict[str, Any]:
        """The change as one JSON-able row (what ``--format json`` prints)."""
        row: dict[str, Any] = {"action": self.action, "kind": RECORD_NAMES[self.kind]}
        if self.record is not None:
            row["id"] = self.record.get("id")
            row["record"] = self.record
        if self.removed:
            row["removed_relations"] = self.removed
        if self.notes:
            row["notes"] = self.notes
        return row


# -- resolving what the user typed ---------------------------------------------------------


class _EntityGraph:
    """A document's entities, read as ``resolve.NameIndex`` reads a store's."""

    def __init__(self, entities: Iterable[dict]):
        self.records = {e["id"]: {k: v for k, v in e.items() if k != "id"} for e in entities}

    def entity(self, node: str) -> dict:
        """``Store.entity``: an entity's record by id."""
        return self.records[node]


def resolver(doc: dict):
    """A function from a typed name to the id of one of ``doc``'s entities (raising
    UnknownEntity with suggestions, or AmbiguousName)."""
    from ..queries.resolve import NameIndex, name_tables_of

    entities = [e for e in doc.get("entities", []) if isinstance(e, dict) and "id" in e]
    graph = _EntityGraph(entities)
    return NameIndex(graph, *name_tables_of(graph.records.items())).resolve


def relation_types(datafile: DataFile) -> dict[str, dict]:
    """The relation types a relation in ``datafile`` may use: the bundled vocabulary's
    and the file's own, by id."""
    from ..check.files import check_files
    from ..files.locate import with_vocabulary

    found: dict[str, dict] = {}
    others = [f for f in with_vocabulary([datafile.path]) if f != datafile.path]
    for _, doc in check_files(others) if others else []:
        for rtype in doc.get("relation_types", []):
            found[rtype["id"]] = rtype
    for rtype in datafile.records("relation_types"):
        if isinstance(rtype, dict) and "id" in rtype:
            found[rtype["id"]] = rtype
    return found


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" with the closest of ``choices``, or ""."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _find(doc: dict, kind: str, record_id: str) -> int:
    """The index of the record of ``kind`` with this id, or CurationError."""
    records = doc.get(kind, [])
    for i, record in enumerate(records):
        if isinstance(record, dict) and record.get("id") == record_id:
            return i
    ids_ = [r.get("id") for r in records if isinstance(r, dict) and isinstance(r.get("id"), str)]
    what = kind[:-1] if kind != "entities" else "entity"
    raise CurationError(f"no {what} with id '{record_id}'" + did_you_mean(record_id, ids_))


def _entity_index(doc: dict, name: str) -> int:
    """The index of the entity ``name`` names: an id, else a name or alias as queries
    read them (UnknownEntity with suggestions, or AmbiguousName)."""
    entities = doc.get("entities", [])
    for i, record in enumerate(entities):
        if isinstance(record, dict) and record.get("id") == name:
            return i
    return _find(doc, "entities", resolver(doc)(name))


def _in_order(record: dict, kind: str) -> dict:
    """``record`` with its fields in the order of ``model.RECORDS`` (others after)."""
    names = [f.name for f in model.RECORDS[kind]]
    return {
        **{n: record[n] for n in names if n in record},
        **{k: v for k, v in record.items() if k not in names},
    }


def _set(record: dict, kind: str, name: str, value: Any) -> dict:
    """``record`` with ``name`` set: in place when it is there (the other fields keep
    their order, so an edit diffs as its own line), else where ``model.RECORDS`` puts it
    among the fields present."""
    if name in record:
        record[name] = value
        return record
    order = [f.name for f in model.RECORDS[kind]]
    rank = order.index(name) if name in order else len(order)
    items = list(record.items())
    at = next(
        (j for j, (k, _) in enumerate(items) if k in order and order.index(k) > rank),
        len(items),
    )
    items.insert(at, (name, value))
    return dict(items)


def _with(doc: dict, kind: str) -> dict:
    """A deep copy of ``doc`` that has a list of ``kind`` (in canonical key order)."""
    new = copy.deepcopy(doc)
    if not isinstance(new.get(kind), list):
        new[kind] = []
    return ordered(new)


# -- sources -------------------------------------------------------------------------------


def add_source(doc: dict, record: dict) -> Change:
    """Add a source record (its id made from publisher and date when not given)."""
    try:
        dates.parse(record["published"])
    except dates.DateError as exc:
        raise UsageError(f"--published: {exc}") from None
    if not record.get("id"):
        record["id"] = ids.source_id(record["publisher"], record["published"])
    ids.check_id(record["id"], "source")
    taken = {s.get("id") for s in doc.get("sources", []) if isinstance(s, dict)}
    if record["id"] in taken:
        raise CurationError(f"source '{record['id']}' already exists")
    new = _with(doc, "sources")
    record = _in_order({k: v for k, v in record.items() if v is not None}, "sources")
    new["sources"].append(record)
    return Change(new, record, "added", "sources")


# -- relation types ------------------------------------------------------------------------


def add_type(datafile: DataFile, record: dict) -> Change:
    """Add a relation type to the file's own ``relation_types`` (refused when the id is
    taken, by the vocabulary or the file)."""
    ids.check_id(record["id"], "relation type")
    if record["id"] in relation_types(datafile):
        raise CurationError(
            f"relation type '{record['id']}' already exists (see 'diplograph list types')"
        )
    new = _with(datafile.doc, "relation_types")
    record = _in_order({k: v for k, v in record.items() if v not in (None, [])}, "relation_types")
    new["relation_types"].append(record)
    return Change(new, record, "added", "relation_types")


# -- entities ------------------------------------------------------------------------------


def add_entity(doc: dict, record: dict, force: bool = False) -> Change:
    """Add an entity (its id made by the data/README rules when not given). A name that
    already names an entity is refused unless ``force`` (add an alias instead)."""
    from ..model.errors import AmbiguousName, UnknownEntity

    entities = [e for e in doc.get("entities", []) if isinstance(e, dict)]
    taken = {e.get("id") for e in entities}
    if not force:
        resolve = resolver(doc)
        for name in (record["name"], *record.get("aliases", [])):
            try:
                existing = resolve(name)
            except (UnknownEntity, AmbiguousName, UsageError):
                continue
            raise CurationError(
                f"'{name}' already names entity '{existing}' (add an alias to it with "
                f"'edit entity {existing} --alias ...', or use --force for another one)"
            )
    if record.get("id"):
        ids.check_id(record["id"], "entity")
        if record["id"] in taken:
            raise CurationError(f"entity '{record['id']}' already exists")
    else:
        record["id"] = ids.entity_id(record["name"], record["type"], taken)
    new = _with(doc, "entities")
    record = _in_order({k: v for k, v in record.items() if v not in (None, [])}, "entities")
    new["entities"].append(record)
    return Change(new, record, "added", "entities")


def edit_entity(
    doc: dict,
    entity_id: str,
    changes: dict[str, Any],
    add_aliases: list[str],
    remove_aliases: list[str],
    clear: list[str],
) -> Change:
    """Change an entity's name, type, description or aliases (its id never changes)."""
    i = _entity_index(doc, entity_id)
    entity_id = doc["entities"][i]["id"]
    new = copy.deepcopy(doc)
    record = new["entities"][i]
    for name in clear:
        if name not in ENTITY_CLEARABLE:
            raise UsageError(
                f"--clear: an entity's '{name}' cannot be cleared "
                f"{choose_from(name, list(ENTITY_CLEARABLE))}"
            )
        record.pop(name, None)
    for name, value in changes.items():
        if value is not None:
            record = _set(record, "entities", name, value)
    if add_aliases or remove_aliases:  # else the aliases stay as written, [] included
        aliases = list(record.get("aliases", []))
        for alias in remove_aliases:
            if alias not in aliases:
                raise CurationError(f"entity '{entity_id}' has no alias '{alias}'")
            aliases.remove(alias)
        aliases.extend(a for a in add_aliases if a not in aliases)
        if aliases:
            record = _set(record, "entities", "aliases", aliases)
        else:
            record.pop("aliases", None)
    new["entities"][i] = record
    return Change(new, record, "edited", "entities")


def _uses(rel: dict, entity_id: str) -> bool:
    return entity_id in (rel.get(k) for k in ("source", "target", "place", "reported_by"))


def remove_entity(doc: dict, entity_id: str, with_relations: bool = False) -> Change:
    """Remove an entity; refused while relations refer to it, unless ``with_relations``
    (then those relations go too)."""
    i = _entity_index(doc, entity_id)
    entity_id = doc["entities"][i]["id"]
    users = [
        r.get("id") for r in doc.get("relations", []) if isinstance(r, dict) and _uses(r, entity_id)
    ]
    if users and not with_relations:
        shown = ", ".join(users[:3]) + (f" and {len(users) - 3} more" if len(users) > 3 else "")
        count = f"{len(users)} relation{'s' if len(users) != 1 else ''}"
        raise CurationError(
            f"entity '{entity_id}' is used by {count} ({shown}): remove them first, "
            "or use --with-relations"
        )
    new = copy.deepcopy(doc)
    record = new["entities"].pop(i)
    if users:
        gone = set(users)
        new["relations"] = [r for r in new["relations"] if r.get("id") not in gone]
    return Change(new, record, "removed", "entities", removed=users)


# -- relations -----------------------------------------------------------------------------


@dataclass
class RelationInput:
    """What ``add relation`` was given, names as typed."""

    type: str
    source: str
    target: str
    quotes: list[str]
    evidence_source: str | None = None
    date: str | None = None
    date_text: str | None = None
    place: str | None = None
    certainty: str = "stated"
    reported_by: str | None = None
    note: str | None = None


def _relation_type(types: dict[str, dict], type_id: str) -> dict:
    if type_id not in types:
        raise UsageError(f"unknown relation type '{type_id}'" + did_you_mean(type_id, types))
    return types[type_id]


def _evidence_source(datafile: DataFile, source_id: str | None) -> dict:
    """The source evidence will cite: the one named, else the file's last (newest)."""
    sources = [s for s in datafile.records("sources") if isinstance(s, dict)]
    if source_id is None:
        if not sources:
            raise CurationError("the file has no source yet: add one first with 'add source'")
        return sources[-1]
    found = datafile.source(source_id)
    if found is None:
        known = [s.get("id", "") for s in sources]
        raise CurationError(f"unknown source '{source_id}'" + did_you_mean(source_id, known))
    return found


def same_fact(rel: dict, rtype: dict, source: str, target: str) -> bool:
    """``rel`` joins the same two entities by the same type (either way if symmetric)."""
    if rel.get("type") != rtype["id"]:
        return False
    ends = (rel.get("source"), rel.get("target"))
    return ends == (source, target) or (rtype.get("symmetric") and ends == (target, source))


def add_relation(datafile: DataFile, types: dict[str, dict], given: RelationInput) -> Change:
    """Add a relation, or a second piece of evidence to the same fact already there.

    Names resolve against the file's entities; each quote must be verbatim in the
    evidence source's stored text (when it has one); a date in words becomes EDTF
    relative to that source's publication date, the words kept as ``date_text``. The
    same type between the same two entities (either way for symmetric types), with no
    date or the same date, is the same fact: the new quotes are added to its evidence."""
    doc = datafile.doc
    rtype = _relation_type(types, given.type)
    if not given.quotes or not all(q.strip() for q in given.quotes):
        raise UsageError("give the words of the source with --quote")
    if given.certainty == "reported" and not given.reported_by:
        raise UsageError("--certainty reported needs --reported-by (who reported it)")
    resolve = resolver(doc)
    source, target = resolve(given.source), resolve(given.target)
    if source == target:
        raise CurationError(f"a relation cannot join '{source}' to itself")
    cited = _evidence_source(datafile, given.evidence_source)
    notes = [n for q in given.quotes if (n := check_quote(datafile, cited, q))]
    date, date_text = given.date, given.date_text
    if date is not None:
        try:
            read = words.to_edtf(date, cited["published"])
        except CurationError as exc:
            raise UsageError(f"--date: {exc}") from None
        date = read.edtf
        if date_text is None and read.text:
            date_text = read.text
    record: dict[str, Any] = {
        "type": rtype["id"],
        "source": source,
        "target": target,
        "date": date,
        "date_text": date_text,
        "place": resolve(given.place) if given.place else None,
        "certainty": given.certainty,
        "reported_by": resolve(given.reported_by) if given.reported_by else None,
        "evidence": [{"source": cited["id"], "quote": q} for q in dict.fromkeys(given.quotes)],
        "note": given.note,
    }
    relations = doc.get("relations", [])
    for i, rel in enumerate(relations):
        if not isinstance(rel, dict):
            continue
        if same_fact(rel, rtype, source, target) and (
            date is None or rel.get("date") in (None, date)
        ):
            return _merge(doc, i, rel, record["evidence"], notes)
    taken = {r.get("id") for r in relations if isinstance(r, dict)}
    record["id"] = ids.relation_id(source, rtype["id"], target, taken)
    record = _in_order({k: v for k, v in record.items() if v is not None}, "relations")
    new = _with(doc, "relations")
    new["relations"].append(record)
    return Change(new, record, "added", "relations", notes=notes)


def _merge(doc: dict, i: int, rel: dict, evidence: list[dict], notes: list[str]) -> Change:
    fresh = [ev for ev in evidence if ev not in rel.get("evidence", [])]
    if not fresh:
        raise CurationError(f"relation '{rel['id']}' already has this evidence")
    new = copy.deepcopy(doc)
    record = new["relations"][i]
    record["evidence"].extend(fresh)
    notes = [
        *notes,
        f"the same fact is already relation '{rel['id']}': its evidence now has "
        f"{len(record['evidence'])} quotes (its other fields are kept; change them with "
        f"'edit relation {rel['id']}')",
    ]
    return Change(new, record, "merged", "relations", notes=notes)


def edit_relation(
    datafile: DataFile,
    relation_id: str,
    changes: dict[str, Any],
    clear: list[str],
    quotes: list[str],
    evidence_source: str | None = None,
) -> Change:
    """Set or clear a relation's fields (``RELATION_EDITABLE``), or add quotes to its
    evidence; names and date words are read as in ``add_relation``. Its id never
    changes."""
    doc = datafile.doc
    i = _find(doc, "relations", relation_id)
    new = copy.deepcopy(doc)
    record = new["relations"][i]
    notes: list[str] = []
    for name in clear:
        if name not in RELATION_EDITABLE or name == "certainty":
            choices = choose_from(name, [n for n in RELATION_EDITABLE if n != "certainty"])
            raise UsageError(f"--clear: a relation's '{name}' cannot be cleared {choices}")
        record.pop(name, None)
    resolve = resolver(doc)
    cited_id = evidence_source or record["evidence"][0]["source"]
    cited = _evidence_source(datafile, cited_id)
    for name, value in changes.items():
        if value is None:
            continue
        if name in ("place", "reported_by"):
            value = resolve(value)
        elif name == "date":
            try:
                read = words.to_edtf(value, cited["published"])
            except CurationError as exc:
                raise UsageError(f"--date: {exc}") from None
            value = read.edtf
            if read.text and changes.get("date_text") is None:
                record = _set(record, "relations", "date_text", read.text)
        record = _set(record, "relations", name, value)
    if record.get("certainty") == "reported" and "reported_by" not in record:
        raise UsageError("--certainty reported needs --reported-by (who reported it)")
    for quote in dict.fromkeys(quotes):
        note = check_quote(datafile, cited, quote)
        if note:
            notes.append(note)
        evidence = {"source": cited["id"], "quote": quote}
        if evidence not in record["evidence"]:
            record["evidence"].append(evidence)
    new["relations"][i] = record
    return Change(new, record, "edited", "relations", notes=notes)


def remove_relation(doc: dict, relation_id: str) -> Change:
    """Remove a relation (its id is not to be reused: others' exports may cite it)."""
    i = _find(doc, "relations", relation_id)
    new = copy.deepcopy(doc)
    record = new["relations"].pop(i)
    return Change(new, record, "removed", "relations")

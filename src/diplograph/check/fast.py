"""The fast validating decoder: msgspec Structs generated from ``model.RECORDS``.

Decoding and type checks run in C; the cross-record rules run as set algebra over whole
columns. Every function here answers only "certainly valid" (a value) or "not sure"
(None / False): on "not sure" the caller runs ``model``'s full checker, which names every
problem. So the two can never disagree on what is valid, only on how fast they say so.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from operator import attrgetter
from typing import Any

import msgspec

from ..model.records import EVIDENCE_FIELDS, RECORDS, SCHEMA_VERSION
from ..model.rules import CITED, IDS, REFERENCES, Agree, holds
from .repeats import EVIDENCE_ORDER, document_colons, repeats_a_key

# msgspec Structs generated from model.RECORDS (the one description of the format), so the
# fast path and the readable-message path cannot disagree on what is valid.

_NON_EMPTY = msgspec.Meta(min_length=1)


def _struct_field(spec) -> Any:
    from typing import Annotated, Literal

    if spec.kind == "boolean":
        kind: Any = bool
    elif spec.kind == "number":
        kind = Annotated[float, msgspec.Meta(ge=spec.minimum, le=spec.maximum)]
    elif spec.kind == "identifiers":
        kind = dict[Annotated[str, _NON_EMPTY], Annotated[str, _NON_EMPTY]]
    elif spec.kind == "attributes":
        kind = dict[Annotated[str, _NON_EMPTY], int | float]
    elif spec.kind == "strings":
        kind = list[Annotated[str, _NON_EMPTY]]
    elif spec.kind == "evidence":
        kind = Annotated[list[Evidence], _NON_EMPTY]
    elif spec.enum:
        kind = Literal[spec.enum]
    else:  # id patterns are checked on all ids at once in cross_check_fast (much faster)
        kind = Annotated[str, _NON_EMPTY]
    if spec.required:
        return (spec.name, kind)
    # absent reads as None, but an explicit null is refused, as the full checker does
    # (msgspec does not check defaults against the type)
    return (spec.name, kind, None)


def _defstruct(name: str, fields, kinds: dict[str, Any] | None = None) -> type[msgspec.Struct]:
    """A Struct for ``fields``; ``kinds`` narrows some fields' types (by field name)."""
    ordered = sorted(fields, key=lambda f: not f.required)  # required fields first
    members = []
    for spec in ordered:
        member = _struct_field(spec)
        if kinds and spec.name in kinds:
            kind = kinds[spec.name]
            member = (spec.name, kind) if spec.required else (spec.name, kind, None)
        members.append(member)
    return msgspec.defstruct(
        name,
        members,
        forbid_unknown_fields=True,
        omit_defaults=True,
        gc=False,
    )


Evidence = _defstruct("Evidence", EVIDENCE_FIELDS)
Source = _defstruct("Source", RECORDS["sources"])
RelationType = _defstruct("RelationType", RECORDS["relation_types"])
Entity = _defstruct("Entity", RECORDS["entities"])
Relation = _defstruct("Relation", RECORDS["relations"])
#: The Struct of each kind of record.
STRUCTS = {
    "sources": Source,
    "relation_types": RelationType,
    "entities": Entity,
    "relations": Relation,
}
#: The columns of a relation's evidence, in the order of an evidence Struct's fields.
EVIDENCE_COLUMNS = tuple(f"evidence.{name}" for name in EVIDENCE_ORDER)
astuple = msgspec.structs.astuple


def relation_struct(type_ids: list[str], source_ids: list[str]) -> type[msgspec.Struct]:
    """``Relation`` with its relation type and evidence sources narrowed to the known
    ids (``Literal``s, checked in C while decoding). An empty list (data with no
    sources yet, hence no relations) leaves its field a plain string."""
    from typing import Annotated, Literal

    sources = Literal[tuple(source_ids)] if source_ids else str
    evidence = _defstruct("Evidence", EVIDENCE_FIELDS, {"source": sources})
    return _defstruct(
        "Relation",
        RECORDS["relations"],
        {
            "type": Literal[tuple(type_ids)] if type_ids else str,
            "evidence": Annotated[list[evidence], _NON_EMPTY],
        },
    )


#: A data file's lists of records. In the document Structs an absent one decodes as None
#: (an explicit null is refused), so that ``repeats.document_colons`` can tell it from an empty
#: one; ``settled`` then makes it empty.
LISTS = ("sources", "relation_types", "entities", "relations")

Document = msgspec.defstruct(
    "Document",
    [
        ("schema_version", int),
        ("schema", str, msgspec.field(default=None, name="$schema")),  # null is refused
        ("sources", list[Source], None),
        ("relation_types", list[RelationType], None),
        ("entities", list[Entity], None),
        ("relations", list[Relation], None),
    ],
    forbid_unknown_fields=True,
    gc=False,
)


def settled(doc: Any) -> Any:
    """``doc`` (a document Struct) with each list its file left out as an empty one."""
    for name in LISTS:
        if getattr(doc, name) is None:
            setattr(doc, name, [])
    return doc


# Control characters can only hide in JSON as escapes (or as raw DEL, U+FFFE/U+FFFF):
# when any shows up, the file goes through the full checker, which says where. Surrogate
# escapes need no screening: msgspec decodes a pair (an emoji written by json.dumps'
# default ensure_ascii) and refuses a lone one, which sends the file to the checker too.
# An escaped colon (\u003a) would make ``repeats.colons_expected`` count one the text lacks.
_SUSPICIOUS = re.compile(
    rb"(?<!\\)(?:\\\\)*\\(?:u00[0189]|u003[aA]|u007[fF]|u[fF][fF][fF][eEfF]|[rbf])"
)  # (an escape: after an even number of backslashes, so not "C:\\reports")


_NONCHARACTER = re.compile(b"\xef\xbf[\xbe\xbf]")  # U+FFFE, U+FFFF in UTF-8
_C1 = re.compile(b"\xc2[\x80-\x9f]")  # U+0080-U+009F (C1 controls) in UTF-8


class _Spans(msgspec.Struct, gc=False):
    """Each entity's and relation's JSON bytes, as written, for the pack's record blobs."""

    entities: list[msgspec.Raw] = []
    relations: list[msgspec.Raw] = []


def screened(raw: bytes) -> bytes | None:
    """The bytes (a file's without its byte order mark), or None when the fast path must
    not vouch for them (an escaped control character or colon, DEL, U+FFFE/U+FFFF, a
    second byte order mark)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return None  # (json reads one at the start of a file, not two)
    if b"\\" in raw and _SUSPICIOUS.search(raw):
        return None
    # single bytes first: memchr is fast, a three-byte search is not
    if b"\x7f" in raw or (b"\xef" in raw and _NONCHARACTER.search(raw)):
        return None
    if b"\xc2" in raw and _C1.search(raw):
        return None
    return raw


def decoded(raw: bytes | None, kind: type) -> Any | None:
    """``raw`` decoded and validated as ``kind``, or None when it is not certainly valid
    (a key repeated in it is found by the caller: see ``repeats``)."""
    if raw is None:
        return None
    try:
        found = msgspec.json.decode(raw, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError, ValueError, RecursionError):
        return None
    if getattr(found, "schema_version", SCHEMA_VERSION) != SCHEMA_VERSION:
        return None
    return found


def decode_fast(raw: bytes) -> tuple[Any, _Spans] | None:
    """(Document Structs, record spans) when the file is certainly valid on its own.

    None sends the file to ``model.check_document``, which names every problem.
    """
    raw = screened(raw.removeprefix(b"\xef\xbb\xbf"))
    doc = decoded(raw, Document)
    if doc is None or repeats_a_key(raw, document_colons(doc)):
        return None
    return settled(doc), decoded(raw, _Spans)


def struct_columns(kind: str, records: list) -> dict[str, tuple]:
    """The fields of ``records`` (Structs of ``kind``) as columns by name, as the rules
    of ``model.rules`` read them: every field of each record in one call, then
    transposed (the loops run in C); a relation's evidence also as columns
    (``evidence.quote``...), one value per piece of evidence."""
    names = STRUCTS[kind].__struct_fields__
    found = tuple(zip(*map(astuple, records), strict=True)) or ((),) * len(names)
    columns = dict(zip(names, found, strict=True))
    if "evidence" in columns:
        pieces = list(itertools.chain.from_iterable(columns["evidence"]))
        cited = tuple(zip(*map(astuple, pieces), strict=True)) or ((),) * len(EVIDENCE_ORDER)
        columns.update(zip(EVIDENCE_COLUMNS, cited, strict=True))
    return columns


def json_array(pieces: Iterable) -> bytes:
    """JSON values (their bytes, e.g. ``msgspec.Raw``) as one JSON array, to decode a
    slice of records in one call."""
    return b"[" + b",".join(pieces) + b"]"


def column(records: list, name: str) -> list:
    """One field of every record, as a list (the loop runs in C)."""
    return list(map(attrgetter(name), records))


def cross_check_fast(documents: list[Any]) -> bool:
    """True when the merged documents pass every rule not checked while decoding: each
    record's own (``own_rules_ok``) and those between records (fast, no messages).

    Columns and set algebra (``model.rules``), so the work stays in C: a million
    relations take about a second.
    """
    columns = _columns(documents)
    return _own_rules_ok(columns) and _shared_rules_ok(documents, columns)


def _columns(documents: list[Any]) -> dict[str, dict[str, tuple]]:
    """Each kind's records of all the documents, as columns."""
    return {
        kind: struct_columns(kind, [r for d in documents for r in getattr(d, kind)])
        for kind in RECORDS
    }


def _shared_rules_ok(documents: list[Any], columns: dict[str, dict[str, tuple]]) -> bool:
    """No id used twice, every reference to a known record, one relation type per id
    (``model.rules``: ``IDS``, ``Unique`` and ``Agree``, ``REFERENCES``, ``CITED``)."""
    unique = ("entities", "sources", "relations")  # (IDS: Unique)
    if not all(IDS[kind].hold(columns[kind]["id"]) for kind in unique):
        return False
    types = Agree.merged(t for d in documents for t in d.relation_types)
    if types is None:
        return False
    known = {kind: set(columns[kind]["id"]) for kind in ("entities", "sources")}
    known["relation_types"] = set(types)
    relations = columns["relations"]
    return all(rule.hold(relations, known[rule.to]) for rule in (*REFERENCES, CITED))


def own_rules_ok(documents: list[Any]) -> bool:
    """True when every record of the documents passes the rules on it alone that
    decoding did not check (``model.rules.ALONE``: id patterns, no whitespace-only text,
    dates, evidence by certainty, coordinates, a relation's ends differ...; fast, no
    messages)."""
    return _own_rules_ok(_columns(documents))


def _own_rules_ok(columns: dict[str, dict[str, tuple]]) -> bool:
    return all(holds(kind, columns[kind]) for kind in RECORDS)

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

from ..model import dates
from ..model.datewords import date_texts_ok
from ..model.records import (
    CODED,
    ENTITY_ID,
    EVIDENCE_FIELDS,
    RECORDS,
    RELATION_ID,
    SCHEMA_VERSION,
)
from ..model.rules import RELATION_RULES
from .repeats import document_colons, repeats_a_key

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


def _blank(text: str | None) -> bool:
    return text is not None and text.isspace()


def evidence_ok(levels: Iterable[str], evidence: Iterable[list]) -> bool:
    """The rules on evidence that depend on the relation's certainty: a quote unless
    ``coded``, and for coded facts a quote, url or locator; no url or locator blank
    (``levels`` and ``evidence``: each relation's certainty and evidence Structs)."""
    levels, evidence = list(levels), list(evidence)
    flat = list(itertools.chain.from_iterable(evidence))
    if any(map(_blank, map(attrgetter("url"), flat))) or any(
        map(_blank, map(attrgetter("locator"), flat))
    ):
        return False
    if None not in map(attrgetter("quote"), flat):
        return True
    for level, items in zip(levels, evidence, strict=True):
        for ev in items:
            if ev.quote is not None:
                continue
            if level != CODED or (ev.url is None and ev.locator is None):
                return False
    return True


def entity_extras_ok(entities: list[Any]) -> bool:
    """The rules on entities' identifiers and coordinates: none blank, lat with lon."""
    lats, lons = column(entities, "lat"), column(entities, "lon")
    if list(map(type, lats)) != list(map(type, lons)):  # (NoneType or float, alike)
        return False
    for found in filter(None, column(entities, "identifiers")):
        if any(k.isspace() or v.isspace() for k, v in found.items()):
            return False
    return True


def attributes_ok(attributes: Iterable[dict | None]) -> bool:
    """No blank attribute name."""
    return not any(k.isspace() for found in attributes if found for k in found)


def all_match(pattern: str, values: list[str]) -> bool:
    """Every value matches the ^...$ pattern: one regex pass over the values joined."""
    if not values:
        return True
    joined = "\n".join(values)
    if joined.count("\n") != len(values) - 1:  # a value holds a newline
        return False
    body = pattern.strip("^$")
    return re.fullmatch(f"(?:{body}\n)*{body}", joined) is not None


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

    Written with map/attrgetter and set algebra so the work stays in C: a million
    relations take about a second.
    """
    return own_rules_ok(documents) and _shared_rules_ok(documents)


def _shared_rules_ok(documents: list[Any]) -> bool:
    """No id used twice, every reference to a known record, one relation type per id."""
    entities = set(column([e for d in documents for e in d.entities], "id"))
    if len(entities) != sum(len(d.entities) for d in documents):
        return False
    sources = {s.id for d in documents for s in d.sources}
    if len(sources) != sum(len(d.sources) for d in documents):
        return False
    types: dict[str, Any] = {}
    for d in documents:
        for t in d.relation_types:
            if t.id in types and types[t.id] != t:
                return False
            types[t.id] = t
    relations = [r for d in documents for r in d.relations]
    if len(set(column(relations, "id"))) != len(relations):
        return False
    ends = set(column(relations, "source")) | set(column(relations, "target"))
    ends |= set(column(relations, "place")) | set(column(relations, "reported_by"))
    ends.discard(None)
    if not ends <= entities or not set(column(relations, "type")) <= set(types):
        return False
    cited = {ev.source for r in relations for ev in r.evidence}
    return cited <= sources


def head_texts(documents: Iterable[Any]) -> list[str]:
    """Every string of the documents' sources and relation types (their cues too)."""
    found: list[str] = []
    for d in documents:
        for record in (*d.sources, *d.relation_types):
            for value in msgspec.structs.astuple(record):
                if isinstance(value, str):
                    found.append(value)
                elif isinstance(value, list):
                    found.extend(value)
    return found


def own_rules_ok(documents: list[Any]) -> bool:
    """True when every record of the documents passes the rules on it alone that
    decoding did not check (``model.check_document``'s, and a relation's ends differ):
    id patterns, no whitespace-only text, evidence by certainty, coordinates,
    attributes, dates (fast, no messages)."""
    entity_list = [e for d in documents for e in d.entities]
    types = [t.id for d in documents for t in d.relation_types]
    sources = [s.id for d in documents for s in d.sources]
    relations = [r for d in documents for r in d.relations]
    relation_ids = column(relations, "id")
    slugs = [*column(entity_list, "id"), *sources, *types]
    if not all_match(ENTITY_ID, slugs) or not all_match(RELATION_ID, relation_ids):
        return False
    source, target = column(relations, "source"), column(relations, "target")
    ruled = {"source": source, "target": target, "certainty": column(relations, "certainty")}
    ruled["reported_by"] = column(relations, "reported_by")
    if not all(rule.hold(ruled) for rule in RELATION_RULES):  # (model.rules)
        return False
    evidence = [ev for r in relations for ev in r.evidence]
    texts = [
        column(entity_list, "name"),
        [x for x in column(entity_list, "description") if x is not None],
        [a for e in entity_list for a in e.aliases or ()],
        [x for x in column(evidence, "quote") if x is not None],
        [x for x in column(relations, "note") if x is not None],
        [x for x in column(relations, "date_text") if x is not None],
        # references too: one that is only spaces is named as such, not as unknown
        source,
        target,
        column(relations, "type"),
        [x for x in column(relations, "place") if x is not None],
        [x for x in column(relations, "reported_by") if x is not None],
        column(evidence, "source"),
        head_texts(documents),
    ]
    if any(any(map(str.isspace, group)) for group in texts):  # whitespace-only text
        return False
    if not date_texts_ok(texts[5]):
        return False
    if not evidence_ok(column(relations, "certainty"), column(relations, "evidence")):
        return False
    if not entity_extras_ok(entity_list) or not attributes_ok(column(relations, "attributes")):
        return False
    try:
        for text in set(map(attrgetter("date"), relations)) - {None}:
            dates.parse(text)
        for s in (s for d in documents for s in d.sources):
            dates.parse(s.published)
    except dates.DateError:
        return False
    return True

"""Building a pack's sections from data files: check every record, then index it.

Two builders produce the same sections (``format`` writes and reads them):

- ``build_streaming``: the fast path. Relations are decoded and checked a slice at a
  time (``relations``) with Structs generated from ``model.records.RECORDS`` (relation
  types and evidence sources are ``Literal``s, checked in C). In a compactly written
  file the slices are cut straight from the file's bytes where records meet
  (``spans.CompactPart``: the compact path, which ``sizes.COMPACT`` or
  ``DIPLOGRAPH_COMPACT=off`` turns off), and the rest of the file is decoded without
  them; other layouts are first decoded with their relations left as raw JSON
  (``spans.SpanPart``). Large files are mapped into memory, not read (``_contents``).
  Large data is shared between two processes (``relations.split_relations``): the
  parent checks the entities and builds their tables (``tables``) while both take
  chunks of the relations. Compactly written files keep their relation records
  (``FileRecords``): the pack stores where each starts. Any doubt returns None.
- ``build_sections``: from documents the full checker passed (``documents_for_pack``);
  the path taken after a doubt, so error messages always come from one checker.

How large data must be for each way of working is in ``sizes``.
"""

from __future__ import annotations

import contextlib
import itertools
import mmap
import os
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from ..check.fast import (
    LISTS,
    Document,
    Relation,
    column,
    cross_check_fast,
    decode_fast,
    decoded,
    screened,
    settled,
    struct_columns,
)
from ..check.files import check_files
from ..check.repeats import Tally
from ..check.stream import find_problems
from ..model import dates
from ..model.errors import DataError
from ..model.records import SCHEMA_VERSION
from ..model.rules import Agree, Unique, holds
from . import sizes
from .format import CERTAINTY_CODES, FileRecords, Parts
from .relations import Relations, split_relations
from .spans import (
    SEPARATOR,
    TWO,
    CompactPart,
    Head,
    NotCompact,
    Progress,
    SpanPart,
    compact_region,
    decodes,
    file_records,
)
from .tables import assemble, entity_tables

_BOM = b"\xef\xbb\xbf"


# -- from documents the full checker passed ------------------------------------------------


def build_sections(loaded: list[tuple[Any, Any]], files: list[str]) -> dict[str, Any]:
    """Sections from whole decoded documents (``documents_for_pack``'s output)."""
    encode = msgspec.json.Encoder().encode
    documents = [doc for doc, _ in loaded]

    def records(kind: str) -> list:
        out: list = []
        for doc, spans in loaded:
            if spans is not None:
                out.extend(getattr(spans, kind))
            else:
                out.extend(encode(record) for record in getattr(doc, kind))
        return out

    entities = [e for d in documents for e in d.entities]
    relations = [r for d in documents for r in d.relations]
    index = {e.id: i for i, e in enumerate(entities)}
    sources = {x.id: x for d in documents for x in d.sources}
    types = {t.id: t for d in documents for t in d.relation_types}
    type_names = sorted({r.type for r in relations} | set(types))
    type_code = {t: i for i, t in enumerate(type_names)}
    parsed = {text: dates.parse(text) for text in {r.date for r in relations if r.date}}
    lower = {text: p.lower.toordinal() for text, p in parsed.items()}
    upper = {text: p.upper.toordinal() for text, p in parsed.items()}
    lower[None] = upper[None] = 0
    when = column(relations, "date")
    arrays = {
        "src": array("i", map(index.__getitem__, column(relations, "source"))),
        "dst": array("i", map(index.__getitem__, column(relations, "target"))),
        "type": array("H", map(type_code.__getitem__, column(relations, "type"))),
        "certainty": array("B", map(CERTAINTY_CODES.__getitem__, column(relations, "certainty"))),
        "lo": array("i", map(lower.__getitem__, when)),
        "hi": array("i", map(upper.__getitem__, when)),
        "reporter": array("i", [index[r.reported_by] if r.reported_by else -1 for r in relations]),
        "place": array("i", [index[r.place] if r.place else -1 for r in relations]),
    }
    return assemble(
        files,
        len(entities),
        records("entities"),
        sources,
        types,
        type_names,
        Parts(records("relations")),
        arrays,
        entity_tables(entities),
    )


# -- the fast path -------------------------------------------------------------------------


def build_streaming(
    files: list[Path], progress: Progress | None = None, compact: bool | None = None
) -> dict[str, Any] | None:
    """Sections for a pack, checking everything on the way; None on any doubt.

    Relations are decoded and checked a slice at a time, and their JSON goes into the
    pack as it was written, so memory holds the files, the index arrays and one slice of
    records (per process). A compactly written file's relations are decoded straight
    from its bytes (unless ``compact`` is False; None: ``sizes.COMPACT``); other layouts
    are first split into records by one decoding pass. None sends the caller to the
    full checker, which names every problem.
    """
    read = []
    for file in files:
        if progress:
            progress(f"reading {file.name}")
        try:
            read.append((file, *_contents(file)))
        except OSError:
            return None
    if sizes.COMPACT if compact is None else compact:
        try:
            return _build(read, progress, compact=True)
        except NotCompact:
            pass  # not laid out as the compact path assumed: read the simple way
    return _build(read, progress, compact=False)


def _contents(file: Path) -> tuple[bytes | mmap.mmap, int]:
    """(The file's bytes without a byte order mark, how many that left out.)

    A large file is mapped rather than read: no copy before the work starts, and each
    process only touches the pages it works on. (A file truncated by another program
    while mapped would crash the process, as it does tools that map their inputs; files
    replaced by writing a new one, as editors and ``json.dump`` to a new path do, are
    unaffected.)"""
    with open(file, "rb") as handle:
        if os.fstat(handle.fileno()).st_size >= sizes.MAP_MIN_BYTES:
            with contextlib.suppress(OSError, ValueError):
                mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                if mapped[:3] != _BOM:
                    return mapped, 0
                mapped.close()  # rare in large files: read and cut below
        raw = handle.read()
    text = raw.removeprefix(_BOM)  # screened later, part by part
    return text, len(raw) - len(text)


def _build(
    read: list[tuple[Path, bytes | mmap.mmap, int]], progress: Progress | None, compact: bool
) -> dict[str, Any] | None:
    """``build_streaming`` on files already read (path, bytes, where they start); with
    ``compact``, relations written compactly are decoded from the file's bytes (raises
    ``NotCompact`` when they are not laid out as that needs)."""
    heads, holders, region = [], [], None
    # the colons the files hold outside their relation records against those their
    # decoded records account for (``check.repeats.Tally``): clean when no object repeats
    # a key
    tally = Tally()
    for file, text, shift in read:
        found = compact_region(text) if compact else None
        if found is None:
            text = text if isinstance(text, bytes) else text[:]  # the record spans' buffer
            head = decoded(screened(text), Head)
            if head is None:
                return None
            # (their records' colons are explained once they are counted, chunk by chunk)
            tally.text(text)
            tally.document(head, LISTS[:3])
            if head.relations:
                holders.append((file, text, shift))
        else:
            start, end = found
            # the relations left out (each chunk of them is screened when decoded)
            rest = text[:start] + text[end:]
            head = decoded(screened(rest), Head)
            last = text.rfind(SEPARATOR, start, end)
            if head is None or not decodes(text[TWO(last) if last >= 0 else start : end], Relation):
                raise NotCompact
            tally.text(rest)
            tally.document(head, LISTS[:3])
            del rest  # (a copy of all but the relations)
            region = CompactPart(text, start, end)
            holders.append((file, text, shift))
        heads.append(settled(head))
    if region is not None and len(holders) > 1:
        raise NotCompact  # relations in several files: read the usual way
    entities = list(itertools.chain.from_iterable(h.entities for h in heads))
    ids = column(entities, "id")
    cited = [x for h in heads for x in h.sources]
    found = Agree.merged(t for h in heads for t in h.relation_types)
    if found is None or not Unique.hold(column(cited, "id")):  # (model.rules.IDS)
        return None
    types: dict[str, Any] = found
    sources = {x.id: x for x in cited}
    del cited

    count = len(entities)
    held = [entities]  # entity_work takes them (see ``split_relations``' ``let_go``)
    del entities

    def entity_work(abandon: Callable[[], bool]) -> dict[str, Any] | None:
        """Checks on entities, sources and types, then their pack sections (done by the
        parent while a child checks relations; not once the child has found a doubt).
        The entities' records are let go once their sections are made."""
        entities = held.pop()
        if (
            not Unique.hold(ids)
            or not holds("entities", struct_columns("entities", entities))
            or not holds("sources", struct_columns("sources", list(sources.values())))
            or not holds("relation_types", struct_columns("relation_types", list(types.values())))
        ):  # (model.rules)
            return None
        if abandon():
            return None
        encode = msgspec.json.Encoder().encode
        records: Parts | FileRecords | None = None  # compact: known once all are read
        if region is None:
            records = spans
            if len(holders) == 1 and len(spans) >= sizes.NUMPY_MIN:  # large: do not copy them
                records = file_records(*holders[0], spans) or spans
        return {
            "tables": entity_tables(entities),
            "blobs": [encode(e) for e in entities],
            "records": records,
        }

    type_names = sorted(types)
    spans = Parts(itertools.chain.from_iterable(h.relations for h in heads))
    del heads, head  # (the records live on in ``held`` alone)
    if (spans or region) and not (type_names and sources):
        return None  # every relation needs a type and a source to cite
    ctx = Relations(ids, type_names, list(sources), None if region is None else region.numpy)
    done = split_relations(region or SpanPart(spans), ctx, entity_work, progress, let_go=held)
    if done is None:
        return None
    arrays, entity_parts, relation_colons = done
    # let go of what looked the entities up before the adjacencies are sorted, the
    # build's peak
    ids = ctx = None  # (entity_work's closure holds ids too)
    if region is None:  # the relation records' colons are in the text counted above
        tally.explained(relation_colons)
    if not tally.clean:
        return None  # a key repeated outside the relation records
    records = entity_parts["records"]
    if region is not None:
        region.starts.add((region.stop + 1,), 1)  # where a record after the last would start
        records = FileRecords(*holders[0], region.starts.array())
    if progress:
        progress("indexing")
    return assemble(
        files=[str(f) for f, _, _ in read],
        count=count,
        entity_blobs=entity_parts["blobs"],
        sources=sources,
        types=types,
        type_names=type_names,
        relation_blobs=records,
        arrays=arrays,
        tables=entity_parts["tables"],
    )


def documents_for_pack(files: list[Path], progress=None, doubted: bool = False) -> list:
    """Checked documents for ``pack``: (Document Struct, raw record spans or None) pairs.

    The fast path decodes and validates in C and keeps each record's JSON bytes; anything
    it cannot vouch for goes through ``check_files``, which raises DataError naming every
    problem (or, when the fast path was only cautious, returns the documents, converted).
    ``doubted``: the cache builder already had a doubt, so most likely there is a
    problem to name: ``streamcheck`` looks for it first, a slice of records at a time.
    """
    import msgspec

    if doubted:
        problems = find_problems(files, progress)
        if problems:
            raise DataError(problems)
    loaded = []
    for file in files:
        if progress:
            progress(f"reading {file.name}")
        try:
            found = decode_fast(file.read_bytes())
        except OSError:
            break
        if found is None:
            break
        loaded.append(found)
    else:
        if progress:
            progress("checking references")
        if cross_check_fast([doc for doc, _ in loaded]):
            return loaded
    del loaded  # free the decoded records before the full checker reads the files again
    checked = check_files(files)
    # (the checked documents hold their records only: the version was checked)
    return [
        (settled(msgspec.convert({"schema_version": SCHEMA_VERSION, **doc}, Document)), None)
        for _, doc in checked
    ]

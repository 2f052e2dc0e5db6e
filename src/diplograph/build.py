"""Building a pack's sections from data files: check every record, then index it.

Two builders produce the same sections (``pack`` writes and reads them):

- ``build_streaming``: the fast path. msgspec decodes each file with its relations left
  as raw JSON, then decodes and checks them a slice at a time with Structs generated
  from ``model.RECORDS`` (relation types and evidence sources are ``Literal``s, checked
  in C). Large data is split between two processes (``os.fork``): the child checks and
  indexes the last part of the relations and hands its arrays back through a temporary
  file, while the parent checks the entities, builds their tables and does the first
  part. Compactly written files keep their relation records (``FileRecords``): the pack
  stores where each starts. Any doubt returns None.
- ``build_sections``: from documents the full checker passed (``load.documents_for_pack``);
  the path taken after a doubt, so error messages always come from one checker.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

import msgspec

from . import dates
from .fastcheck import (
    Entity,
    RelationType,
    Source,
    all_match,
    column,
    json_array,
    read_buffer,
    relation_struct,
)
from .model import ENTITY_ID, RELATION_ID
from .pack import CERTAINTY_CODES, RELATION_ARRAYS
from .resolve import fold_many

_REPORTED = CERTAINTY_CODES["reported"]
#: Relations decoded and checked per slice: small enough that a slice's records stay in
#: the processor's cache while their fields are read (measured fastest near 2,000).
SLICE = 2_000
#: Progress is reported about every this many relations.
PROGRESS_EVERY = 50_000
#: The default of ``dict.get`` for dates not coded yet.
_UNSEEN = itertools.repeat(-1)
#: From this many relations the work is split between two processes (when it can fork).
PARALLEL_MIN = 200_000
#: The parent's share of the relations (it also checks the entities and builds their
#: sections): balanced so that both finish together.
PARENT_SHARE = 0.42
#: From this many items, adjacency lists are sorted with numpy (imported only then).
NUMPY_MIN = 50_000

Progress = Callable[..., None]  # progress(step, done=None, total=None)


class Parts(list):
    """A blob kept as the list of its pieces (written to the pack one after the other)."""

    def join(self) -> bytes:
        return b"".join(self)


class FileRecords:
    """Relation records left where they are, in the data file: ``buffer`` (the file's
    bytes from ``shift``) holds record i at ``offsets[i]:offsets[i + 1] - 1``, one comma
    between records. The pack then stores only these offsets, not a copy of the records."""

    def __init__(self, path: Path, buffer: bytes, shift: int, offsets: array):
        self.path, self.buffer, self.shift, self.offsets = path, buffer, shift, offsets

    def join(self) -> bytes:
        return self.buffer


def _file_records(path: Path, buffer: bytes, shift: int, spans: list) -> FileRecords | None:
    """The relations' places in ``buffer`` when they lie one comma apart (a compactly
    written array), else None.

    Proof from two addresses: every separator between array elements is at least one
    byte, so when the last record starts exactly (sum of the other lengths) + (count - 1)
    bytes after the first, every separator is exactly one byte."""
    import numpy as np

    def where(span: Any) -> int:
        return np.frombuffer(span, dtype=np.uint8).ctypes.data - base

    base = np.frombuffer(buffer, dtype=np.uint8).ctypes.data
    lengths = np.fromiter(map(len, spans), dtype=np.int64, count=len(spans))
    first, last = where(spans[0]), where(spans[-1])
    if not 0 <= first <= last <= len(buffer) - lengths[-1]:
        return None  # the records are not in this buffer
    if last - first != int(lengths[:-1].sum()) + len(spans) - 1:
        return None
    offsets = np.empty(len(spans) + 1, dtype=np.int64)
    offsets[0] = first
    np.cumsum(lengths + 1, out=offsets[1:])
    offsets[1:] += first
    return FileRecords(path, buffer, shift, array("q", offsets.tobytes()))


# -- small helpers -------------------------------------------------------------------------


def _concat(blobs: Sequence) -> tuple[bytes, array]:
    offsets = array("q", [0])
    offsets.extend(itertools.accumulate(map(len, blobs)))
    return b"".join(blobs), offsets


def _csr(ends: array, count: int) -> tuple[array, array]:
    """Compressed adjacency: for node n, relation indices rel[off[n]:off[n+1]], in index
    order. Negative ends (no node) are left out."""
    if len(ends) >= NUMPY_MIN:
        import numpy as np

        keys = np.frombuffer(ends, dtype=np.intc)
        kept = np.flatnonzero(keys >= 0)
        keys = keys[kept]
        # a stable sort by end: (end, index) pairs coded in one int64 sort much faster
        # than numpy's stable argsort of int32
        coded = (keys.astype(np.int64) << 32) | kept
        coded.sort()
        order = (coded & 0xFFFFFFFF).astype(np.intc)
        offsets = np.zeros(count + 1, dtype=np.intc)
        np.cumsum(np.bincount(keys, minlength=count), out=offsets[1:])
        return array("i", offsets.tobytes()), array("i", order.tobytes())
    kept = [r for r in range(len(ends)) if ends[r] >= 0]
    rel = array("i", sorted(kept, key=ends.__getitem__))  # stable: index order
    counts = Counter(ends)
    offsets = array("i", [0])
    offsets.extend(itertools.accumulate(counts.get(n, 0) for n in range(count)))
    return offsets, rel


def _string_table(name: str, strings: list[str]) -> dict[str, Any]:
    lengths = list(map(len, strings))
    blob = "".join(strings).encode("utf-8")
    if len(blob) != sum(lengths):  # some text is not ASCII: count bytes one by one
        blob, offsets = _concat([text.encode("utf-8") for text in strings])
    else:
        offsets = array("q", [0])
        offsets.extend(itertools.accumulate(lengths))
    return {f"{name}_blob": blob, f"{name}_off": offsets}


def _name_table(name: str, keys: list[str], owners: Sequence[int]) -> dict[str, Any]:
    """A sorted string table of the distinct non-empty ``keys``, and per key the distinct
    ``owners`` it came with, ascending (CSR)."""
    if len(keys) >= NUMPY_MIN:
        return _name_table_numpy(name, keys, owners)
    table: dict[str, list[int]] = {}
    for key, i in dict.fromkeys(zip(keys, owners, strict=True)):  # distinct pairs
        if key:
            table.setdefault(key, []).append(i)
    ordered = sorted(table)
    lists = [sorted(table[key]) for key in ordered]
    pos_off = array("i", [0])
    pos_off.extend(itertools.accumulate(map(len, lists)))
    positions = array("i", itertools.chain.from_iterable(lists))
    return {**_string_table(name, ordered), f"{name}_pos_off": pos_off, f"{name}_pos": positions}


def _name_table_numpy(name: str, keys: list[str], owners: Sequence[int]) -> dict[str, Any]:
    """``_name_table`` for many keys: each (key, owner) pair coded as one integer
    (rank of the key * width + owner), then sorted and made distinct by numpy."""
    import numpy as np

    if "\x00" in "".join(keys):  # numpy drops trailing NULs (never in checked data)
        ordered = sorted(set(keys))
        rank = {key: n for n, key in enumerate(ordered)}
        ranks = np.fromiter(map(rank.__getitem__, keys), dtype=np.int64, count=len(keys))
    else:  # sorted and ranked as fixed-width strings: much faster than a dict of ranks
        table, ranks = np.unique(np.array(keys, dtype=str), return_inverse=True)
        ordered = table.tolist()
        ranks = ranks.astype(np.int64).ravel()
    who = np.asarray(owners, dtype=np.int64)
    kept = np.ones(len(keys), dtype=bool)
    if ordered and ordered[0] == "":  # the empty key sorts first: left out
        kept = ranks > 0
        ranks = ranks - 1
        ordered = ordered[1:]
    width = int(who.max()) + 1 if len(who) else 1
    pairs = np.sort(ranks[kept] * width + who[kept])
    if len(pairs):
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]  # distinct
    pos_off = np.zeros(len(ordered) + 1, dtype=np.intc)
    np.cumsum(np.bincount(pairs // width, minlength=len(ordered)), out=pos_off[1:])
    positions = (pairs % width).astype(np.intc)
    return {
        **_string_table(name, ordered),
        f"{name}_pos_off": array("i", pos_off.tobytes()),
        f"{name}_pos": array("i", positions.tobytes()),
    }


def name_tables(entities: list[Any]) -> dict[str, Any]:
    """The ``key_*`` (every folded id, name and alias) and ``sur_*`` (people's folded
    surnames) sections: name -> entity positions, in entity order."""
    count = len(entities)
    aliases = [a or () for a in column(entities, "aliases")]
    texts = [*column(entities, "id"), *column(entities, "name"), *itertools.chain(*aliases)]
    owners = array("i", range(count))
    owners.extend(owners)
    for i, names in enumerate(aliases):
        if names:
            owners.extend(itertools.repeat(i, len(names)))
    keys = fold_many(texts)
    people = {i for i, kind in enumerate(column(entities, "type")) if kind == "person"}
    surnames = [
        (key.rsplit(" ", 1)[1], i)
        for key, i in zip(keys, owners, strict=True)
        if i in people and " " in key
    ]
    return {
        **_name_table("key", keys, owners),
        **_name_table("sur", [key for key, _ in surnames], [i for _, i in surnames]),
    }


def entity_tables(entities: list[Any]) -> dict[str, Any]:
    """The pack sections made from the entities alone: ids, display names, ids in
    sorted order, and the name tables."""
    ids = column(entities, "id")
    return {
        "ids_blob": "\n".join(ids).encode("utf-8"),  # ids cannot hold a newline
        **_string_table("names", column(entities, "name")),  # display names, for rows
        "id_order": array("i", sorted(range(len(ids)), key=ids.__getitem__)),
        **name_tables(entities),
    }


def _plain(record: Any) -> dict:
    return {k: v for k, v in msgspec.structs.asdict(record).items() if v is not None}


def assemble(
    files: list[str],
    entities: list[Any],
    entity_blobs: list,
    sources: dict[str, Any],
    types: dict[str, Any],
    type_names: list[str],
    relation_blobs: Parts | FileRecords,
    arrays: dict[str, array],
    tables: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The pack sections from checked entities, relation records and index arrays
    (``src``, ``dst``, ``type``, ``certainty``, ``lo``, ``hi``, ``reporter``);
    ``tables``: ``entity_tables(entities)``, when already made."""
    count = len(entities)
    ent_blob, ent_off = _concat(entity_blobs)
    where: dict[str, Any] = {}
    if isinstance(relation_blobs, FileRecords):
        rel_off = relation_blobs.offsets
        where = {
            "rel_file": str(Path(relation_blobs.path).resolve()),
            "rel_shift": relation_blobs.shift,
        }
    else:
        rel_off = array("q", [0])
        rel_off.extend(itertools.accumulate(map(len, relation_blobs)))
    out_off, out_rel = _csr(arrays["src"], count)
    in_off, in_rel = _csr(arrays["dst"], count)
    reporter = arrays.pop("reporter")
    rep_off, rep_rel = _csr(reporter, count)  # -1 (no reporter) is left out
    return {
        "meta": {
            "files": files,
            "sources": {k: _plain(v) for k, v in sources.items()},
            "relation_types": {k: _plain(v) for k, v in types.items()},
            "type_names": type_names,
            **where,  # relation records read from the data file: which file, from where
        },
        **(tables if tables is not None else entity_tables(entities)),
        "rep_off": rep_off,
        "rep_rel": rep_rel,
        "ent_blob": ent_blob,
        "ent_off": ent_off,
        "rel_blob": relation_blobs,
        "rel_off": rel_off,
        **arrays,
        "out_off": out_off,
        "out_rel": out_rel,
        "in_off": in_off,
        "in_rel": in_rel,
    }


# -- from documents the full checker passed ------------------------------------------------


def build_sections(loaded: list[tuple[Any, Any]], files: list[str]) -> dict[str, Any]:
    """Sections from whole decoded documents (``load.documents_for_pack``'s output)."""
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
    }
    return assemble(
        files,
        entities,
        records("entities"),
        sources,
        types,
        type_names,
        Parts(records("relations")),
        arrays,
    )


# -- the fast path -------------------------------------------------------------------------


class _Head(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """A data file with its relations left as raw JSON, to be decoded a slice at a time."""

    schema_version: int
    sources: list[Source] = []
    relation_types: list[RelationType] = []
    entities: list[Entity] = []
    relations: list[msgspec.Raw] = []


#: The index arrays of relations, with their array type codes (the reporter array becomes
#: the pack's rep_off/rep_rel adjacency).
_ARRAYS = {**RELATION_ARRAYS, "reporter": "i"}
#: The relation fields indexing reads, taken from each record in one pass.
_COLUMNS = ("id", "source", "target", "type", "certainty", "date", "reported_by", "place")
_DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, ValueError, RecursionError)


class _Relations:
    """What checking and indexing relations needs, shared by both processes."""

    def __init__(self, ids: list[str], type_names: list[str], sources: list[str]):
        self.index: dict[str | None, int] = {node: i for i, node in enumerate(ids)}
        self.type_code = {t: i for i, t in enumerate(type_names)}
        # types and evidence sources are Literals: msgspec checks those references in C
        self.decoder = msgspec.json.Decoder(list[relation_struct(type_names, sources)])


def _index_relations(
    spans: Sequence,
    ctx: _Relations,
    progress: Progress | None = None,
    abandon: Callable[[], bool] | None = None,
) -> tuple[dict[str, array], array] | None:
    """Decode and check the relations in ``spans`` (their JSON pieces, a slice at a
    time); their index
    arrays and the hashes of their ids, or None on any doubt (or when ``abandon()``,
    asked before each slice, says the work is no longer needed)."""
    index, type_code = ctx.index, ctx.type_code
    lookup = index.__getitem__
    out = {name: array(code) for name, code in _ARRAYS.items()}
    src, dst, rtype, cert, reporter = (
        out[k] for k in ("src", "dst", "type", "certainty", "reporter")
    )
    date_code: dict[str | None, int] = {None: 0}
    lows, highs = [0], [0]
    when_codes = array("i")
    hashes = array("q")  # of the relation ids: duplicates are found among these
    fields = attrgetter(*_COLUMNS)
    total = len(spans)
    for start in range(0, total, SLICE):
        if progress and start % PROGRESS_EVERY < SLICE:
            progress("checking relations", start, total)
        if abandon is not None and abandon():
            return None
        try:
            rels = ctx.decoder.decode(json_array(spans[start : start + SLICE]))
        except _DECODE_ERRORS:
            return None
        if not rels:
            continue
        names, source, target, kinds, levels, when, reporters, places = zip(
            *map(fields, rels), strict=True
        )
        hashes.fromlist(list(map(hash, names)))
        index[None] = -1  # no reporter
        try:
            src.fromlist(list(map(lookup, source)))
            dst.fromlist(list(map(lookup, target)))
            reporter.fromlist(list(map(lookup, reporters)))
            if not set(places) <= index.keys():
                return None
        except KeyError:  # an unknown entity
            return None
        finally:
            del index[None]
        rtype.fromlist(list(map(type_code.__getitem__, kinds)))
        cert.fromlist(list(map(CERTAINTY_CODES.__getitem__, levels)))
        codes = list(map(date_code.get, when, _UNSEEN))
        if -1 in codes:  # dates not seen before
            for text in set(when) - date_code.keys():
                try:
                    low, high = dates.ordinal_bounds(text)
                except dates.DateError:
                    return None
                date_code[text] = len(lows)
                lows.append(low)
                highs.append(high)
            codes = list(map(date_code.__getitem__, when))
        when_codes.fromlist(codes)
        evidence = list(itertools.chain.from_iterable(map(attrgetter("evidence"), rels)))
        texts = (
            map(attrgetter("quote"), evidence),
            filter(None, map(attrgetter("note"), rels)),
            filter(None, map(attrgetter("date_text"), rels)),
        )
        if not all_match(RELATION_ID, names) or any(
            any(map(str.isspace, group)) for group in texts
        ):
            return None
        del rels, evidence, names, source, target, kinds, levels, when, reporters, places
    if progress:
        progress("checking relations", total, total)
    if not _distinct(hashes) or not _well_formed(out):
        return None
    out["lo"] = array("i", map(lows.__getitem__, when_codes))
    out["hi"] = array("i", map(highs.__getitem__, when_codes))
    return out, hashes


def _split_relations(
    spans: Sequence, ctx: _Relations, alongside: Callable[[], Any], progress: Progress | None
) -> tuple[dict[str, array], Any] | None:
    """Index arrays of all relations, and what ``alongside()`` gives (None: a doubt).

    Large data is split with a forked child, which checks and indexes the last part of
    the relations, writes its arrays and the hashes of its relation ids to an unnamed
    temporary file and exits; meanwhile the parent runs ``alongside`` and does the first
    part. If the child fails for any reason other than a doubt about the data, the
    parent does its part too.
    """
    total = len(spans)
    if total < PARALLEL_MIN or not hasattr(os, "fork") or _cpus() < 2:
        extra = alongside()
        done = _index_relations(spans, ctx, progress) if extra is not None else None
        return None if done is None else (done[0], extra)
    cut = int(total * PARENT_SHARE)
    with tempfile.TemporaryFile() as handoff:
        pid = os.fork()
        if pid == 0:  # the child: never returns, never touches the terminal
            code = 3
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                done = _index_relations(spans[cut:], ctx)
                if done is None:
                    code = 2  # a doubt: the full checker will say what is wrong
                else:
                    arrays, hashes = done
                    payload = {
                        "arrays": {k: v.tobytes() for k, v in arrays.items()},
                        "hashes": hashes.tobytes(),
                    }
                    handoff.write(msgspec.msgpack.encode(payload))
                    handoff.flush()
                    code = 0
            finally:
                os._exit(code)
        status: int | None = None  # the child's, once it has ended

        def child_doubts() -> bool:
            """Whether the child has ended with a doubt (then the parent stops early)."""
            nonlocal status
            if status is None:
                ended, found = os.waitpid(pid, os.WNOHANG)
                if ended:
                    status = found
            return status is not None and os.waitstatus_to_exitcode(status) == 2

        try:
            extra = alongside()
            mine = None
            if extra is not None:
                mine = _index_relations(
                    spans[:cut], ctx, _scaled(progress, cut, total), child_doubts
                )
            if mine is not None and status is None:  # else the full checker takes over
                _, status = os.waitpid(pid, 0)
        finally:
            if status is None:  # a doubt, an interruption or a failure: stop the child
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
        if mine is None or status is None:
            return None
        code = os.waitstatus_to_exitcode(status)
        if code == 2:
            return None
        arrays, hashes = mine
        if code != 0:  # the child died (out of memory, killed): do its part here
            theirs = _index_relations(spans[cut:], ctx)
            if theirs is None or not _distinct(hashes + theirs[1]):
                return None
            return _joined(arrays, theirs[0]), extra
        handoff.seek(0)
        payload = msgspec.msgpack.decode(handoff.read())
    hashes.frombytes(payload["hashes"])
    if not _distinct(hashes):
        return None  # a relation id used in both parts (or, rarely, two ids share a hash)
    theirs = {}
    for name, code in _ARRAYS.items():
        theirs[name] = array(code)
        theirs[name].frombytes(payload["arrays"][name])
    return _joined(arrays, theirs), extra


def _well_formed(out: dict[str, array]) -> bool:
    """No relation joins an entity to itself; every "reported" one names who reported it."""
    src, dst, cert, reporter = out["src"], out["dst"], out["certainty"], out["reporter"]
    if len(src) < NUMPY_MIN:
        return not any(map(int.__eq__, src, dst)) and not any(
            who < 0 for level, who in zip(cert, reporter, strict=True) if level == _REPORTED
        )
    import numpy as np

    ends = np.frombuffer(src, dtype=np.intc), np.frombuffer(dst, dtype=np.intc)
    unnamed = (np.frombuffer(cert, dtype=np.uint8) == _REPORTED) & (
        np.frombuffer(reporter, dtype=np.intc) < 0
    )
    return not bool((ends[0] == ends[1]).any() or unnamed.any())


def _distinct(hashes: array) -> bool:
    """No two equal values: relation ids are told apart by their hashes (equal ids have
    equal hashes; two ids sharing one only send the data to the full checker)."""
    if len(hashes) < NUMPY_MIN:
        return len(set(hashes)) == len(hashes)
    import numpy as np

    values = np.sort(np.frombuffer(hashes, dtype=np.int64))
    return not bool((values[1:] == values[:-1]).any())


def _joined(first: dict[str, array], second: dict[str, array]) -> dict[str, array]:
    for name, values in second.items():
        first[name].extend(values)
    return first


def _scaled(progress: Progress | None, part: int, total: int) -> Progress | None:
    """Progress of one part of the relations reported as progress through all of them
    (both parts advance together)."""
    if progress is None or not part:
        return progress
    return lambda step, done=None, _total=None: progress(step, done * total // part, total)


def _cpus() -> int:
    """The cores this process may use; $DIPLOGRAPH_JOBS=1 keeps the build in one process."""
    jobs = os.environ.get("DIPLOGRAPH_JOBS", "").strip()
    if jobs.isdigit() and int(jobs) > 0:
        return int(jobs)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def build_streaming(files: list[Path], progress: Progress | None = None) -> dict[str, Any] | None:
    """Sections for a pack, checking everything on the way; None on any doubt.

    Relations are decoded and checked a slice at a time, and their JSON goes into the
    pack as it was written, so memory holds the file, the index arrays and one slice of
    records (per process). None sends the caller to the full checker, which names every
    problem.
    """
    heads, buffers = [], []
    for file in files:
        if progress:
            progress(f"reading {file.name}")
        found = read_buffer(file, _Head)
        if found is None:
            return None
        heads.append(found[0])
        buffers.append((file, *found[1:]))
    entities = list(itertools.chain.from_iterable(h.entities for h in heads))
    ids = column(entities, "id")
    sources = {x.id: x for h in heads for x in h.sources}
    types: dict[str, Any] = {}
    for h in heads:
        for t in h.relation_types:
            if types.setdefault(t.id, t) != t:
                return None
    if len(sources) != sum(len(h.sources) for h in heads):
        return None

    def entity_work() -> dict[str, Any] | None:
        """Checks on entities, sources and types, then their pack sections (done by the
        parent while a child checks relations)."""
        small_texts = [
            column(entities, "name"),
            [x for x in column(entities, "description") if x is not None],
            [a for e in entities for a in e.aliases or ()],
            [
                v
                for rec in (*sources.values(), *types.values())
                for v in msgspec.structs.astuple(rec)
                if isinstance(v, str)
            ],
        ]
        if (
            len(set(ids)) != len(ids)
            or not all_match(ENTITY_ID, [*ids, *sources, *types])
            or any(any(map(str.isspace, group)) for group in small_texts)
        ):
            return None
        try:
            for x in sources.values():
                dates.parse(x.published)
        except dates.DateError:
            return None
        encode = msgspec.json.Encoder().encode
        records: Parts | FileRecords = spans
        if len(holders) == 1 and len(spans) >= NUMPY_MIN:  # large: do not copy the records
            records = _file_records(*holders[0], spans) or spans
        return {
            "tables": entity_tables(entities),
            "blobs": [encode(e) for e in entities],
            "records": records,
        }

    type_names = sorted(types)
    spans = Parts(itertools.chain.from_iterable(h.relations for h in heads))
    holders = [where for h, where in zip(heads, buffers, strict=True) if h.relations]
    del heads, buffers
    if spans and not (type_names and sources):
        return None  # every relation needs a type and a source to cite
    ctx = _Relations(ids, type_names, list(sources))
    done = _split_relations(spans, ctx, entity_work, progress)
    if done is None:
        return None
    arrays, entity_parts = done
    if progress:
        progress("indexing")
    return assemble(
        files=[str(f) for f in files],
        entities=entities,
        entity_blobs=entity_parts["blobs"],
        sources=sources,
        types=types,
        type_names=type_names,
        relation_blobs=entity_parts["records"],
        arrays=arrays,
        tables=entity_parts["tables"],
    )

"""Building a pack's sections from data files: check every record, then index it.

Two builders produce the same sections (``format`` writes and reads them):

- ``build_streaming``: the fast path. Relations are decoded and checked a slice at a
  time with Structs generated from ``model.records.RECORDS`` (relation types and evidence
  sources are ``Literal``s, checked in C). In a compactly written file the slices are
  cut straight from the file's bytes where records meet (``_CompactPart``), and the
  rest of the file is decoded without them; other layouts are first decoded with their
  relations left as raw JSON (``_SpanPart``). Large files are mapped into memory, not
  read (``_contents``). Large data is shared between two
  processes (``parallel.forked``): the parent checks the entities and builds their tables, then
  both take chunks of the relations, the parent from the front and the child from the
  back, until they meet (``Claims``); the child hands its arrays back through a
  temporary file. Compactly written files keep their relation records
  (``FileRecords``): the pack stores where each starts. Any doubt returns None.
- ``build_sections``: from documents the full checker passed (``documents_for_pack``);
  the path taken after a doubt, so error messages always come from one checker.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import mmap
import os
import re
import struct
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Any

import msgspec

from ..check.fast import (
    LISTS,
    Document,
    Entity,
    Relation,
    RelationType,
    Source,
    all_match,
    attributes_ok,
    column,
    cross_check_fast,
    decode_fast,
    decoded,
    entity_extras_ok,
    evidence_ok,
    head_texts,
    json_array,
    relation_struct,
    screened,
    settled,
)
from ..check.files import check_files
from ..check.repeats import colons, colons_expected, document_colons
from ..check.stream import find_problems
from ..model import dates
from ..model.errors import DataError
from ..model.records import ENTITY_ID, RECORDS, RELATION_ID, SCHEMA_VERSION
from ..model.text import fold_many, short_names
from ..parallel import Claims, forked, received_arrays, send_arrays, two_processes
from .format import CERTAINTY_CODES, RELATION_ARRAYS, FileRecords, Parts, file_state

_REPORTED = CERTAINTY_CODES["reported"]
#: Relations decoded and checked per slice: small enough that a slice's records stay in
#: the processor's cache while their fields are read (measured fastest near 2,000).
SLICE = 2_000
#: Relations decoded and checked per slice on the compact path, in bytes (about 1,000 of
#: the benchmark's relations; 125-500 kB measured alike).
SLICE_BYTES = 250_000
#: Progress is reported about every this many relations (compact path: bytes).
PROGRESS_EVERY = 50_000
PROGRESS_BYTES = 10_000_000
#: From this many relations the work is split between two processes (when it can fork).
PARALLEL_MIN = 200_000
PARALLEL_MIN_BYTES = 50_000_000  # on the compact path
#: Files from this size are mapped into memory rather than read (``_contents``).
MAP_MIN_BYTES = 16_000_000
_BOM = b"\xef\xbb\xbf"
#: From this many bytes of compactly written relations, numpy finds where records start.
NUMPY_MIN_BYTES = 16_000_000
#: From this many items, adjacency lists are sorted with numpy (imported only then).
NUMPY_MIN = 50_000

Progress = Callable[..., None]  # progress(step, done=None, total=None, unit=""); unit "bytes"


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


def _adjacencies(ends: Sequence[array], count: int) -> list[tuple[array, array]]:
    """``_csr`` of each of ``ends``; with numpy, the first in a thread of its own while
    this one does the others (numpy sorts and computes without holding the GIL)."""
    if len(ends[0]) < NUMPY_MIN:
        return [_csr(values, count) for values in ends]
    import threading

    first: list[Any] = []

    def work() -> None:
        try:
            first.append(_csr(ends[0], count))
        except BaseException as exc:  # (out of memory) raised again below
            first.append(exc)

    worker = threading.Thread(target=work, name="diplograph-adjacency")
    worker.start()
    try:
        rest = [_csr(values, count) for values in ends[1:]]
    finally:
        worker.join()
    if isinstance(first[0], BaseException):
        raise first[0]
    return [first[0], *rest]


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
        (word, i)
        for key, i in zip(keys, owners, strict=True)
        if i in people and " " in key
        for word in short_names(key)
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
    (``src``, ``dst``, ``type``, ``certainty``, ``lo``, ``hi``, ``reporter``, ``place``);
    ``tables``: ``entity_tables(entities)``, when already made."""
    count = len(entities)
    ent_blob, ent_off = _concat(entity_blobs)
    where: dict[str, Any] = {}
    if isinstance(relation_blobs, FileRecords):
        rel_off = relation_blobs.offsets
        where = {
            "rel_file": str(Path(relation_blobs.path).resolve()),
            "rel_shift": relation_blobs.shift,
            "rel_state": file_state(os.stat(relation_blobs.path)),
        }
    else:
        rel_off = array("q", [0])
        rel_off.extend(itertools.accumulate(map(len, relation_blobs)))
    # -1 (no reporter, no place) is left out of their adjacencies
    reporter, place = arrays.pop("reporter"), arrays.pop("place")
    (out_off, out_rel), (in_off, in_rel), (rep_off, rep_rel), (pla_off, pla_rel) = _adjacencies(
        (arrays["src"], arrays["dst"], reporter, place), count
    )
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
        "pla_off": pla_off,
        "pla_rel": pla_rel,
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
    """A data file with its relations left as raw JSON, to be decoded a slice at a time
    (an absent list is None until ``settled``, as in ``Document``)."""

    schema_version: int
    schema: str = msgspec.field(default=None, name="$schema")  # type: ignore[assignment]
    sources: list[Source] = None  # type: ignore[assignment]
    relation_types: list[RelationType] = None  # type: ignore[assignment]
    entities: list[Entity] = None  # type: ignore[assignment]
    relations: list[msgspec.Raw] = None  # type: ignore[assignment]


#: The index arrays of relations, with their array type codes (the reporter and place
#: arrays become the pack's rep_off/rep_rel and pla_off/pla_rel adjacencies).
_ARRAYS = {**RELATION_ARRAYS, "reporter": "i", "place": "i"}
#: The relation fields indexing reads, in the order they come in the record Structs.
_COLUMNS = ("id", "source", "target", "type", "certainty", "date", "reported_by", "place")
_TEXTS = ("evidence", "note", "date_text", "attributes")
_DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, ValueError, RecursionError)
#: Where a compactly written relations array starts (its first record begins with its id).
_OPENING = b'"relations":[{"id":'
#: Where two relation records meet in a compactly written array: the next starts two
#: bytes in (``_TWO``). In valid JSON these bytes cannot lie inside a string (a raw quote
#: would end it), nor inside a relation (its only nested objects, evidence, have no id),
#: so each one starts a record; the count of records decoded from each slice confirms it.
#: (A pattern starting at the record, with a look-behind, is 10x slower.)
_SEPARATOR = b'},{"id":'
_BETWEEN = re.compile(re.escape(_SEPARATOR))
_SEPARATOR_WORD = int.from_bytes(_SEPARATOR, "little")  # its eight bytes read as one integer
_TWO = (2).__add__


class _NotCompact(Exception):
    """The relations are not laid out as the compact path assumed: they are read the
    usual way instead (this says nothing about whether the data is valid)."""


class _Relations:
    """What checking and indexing relations needs, shared by both processes."""

    def __init__(
        self, ids: list[str], type_names: list[str], sources: list[str], numpy: Any = None
    ):
        # the ids as fresh strings, one after the other in memory: every lookup reads its
        # key's string, and packed together they stay in the processor's cache longer
        packed = "\n".join(ids).split("\n")
        keys = packed if len(packed) == len(ids) else ids  # (an id holding a newline)
        self.index: dict[str | None, int] = {node: i for i, node in enumerate(keys)}
        self.type_code = {t: i for i, t in enumerate(type_names)}
        # types and evidence sources are Literals: msgspec checks those references in C
        record = relation_struct(type_names, sources)
        self.decoder = msgspec.json.Decoder(list[record])
        self.fields = record.__struct_fields__
        #: numpy, where large data already imported it before a fork (then each process
        #: turns its date codes into days with it), else None
        self.numpy = numpy


class _SpanPart:
    """Relations as their JSON pieces (``msgspec.Raw``): chunk k is the k-th SLICE."""

    starts = None  # the records' places are not needed: the pieces are kept
    unit = ""  # progress counts relations

    def __init__(self, spans: Sequence):
        self.spans, self.size = spans, len(spans)
        self.chunks = -(-self.size // SLICE)

    def parallel(self) -> bool:
        return self.size >= PARALLEL_MIN

    def chunk(self, k: int) -> tuple[bytes, int | None]:
        """(chunk ``k`` as a JSON array of records, None: no count to confirm)."""
        return json_array(self.spans[k * SLICE : (k + 1) * SLICE]), None

    def reached(self, k: int) -> int:
        return min(k * SLICE, self.size)


class _CompactPart:
    """Relation records written one comma apart in ``text[begin:stop]`` (from the start of
    one record to the end of the last), decoded straight from the file's bytes: no pass
    over the whole array first. Chunk k holds the records that start in its SLICE_BYTES
    of the text, so either process finds any chunk's bounds on its own; the offset of
    every record in ``text`` is collected on the way (``starts``), for the pack."""

    unit = "bytes"  # progress counts bytes

    def __init__(self, text: bytes | mmap.mmap, begin: int, stop: int):
        self.text, self.begin, self.stop = text, begin, stop
        self.size = stop - begin
        self.chunks = -(-self.size // SLICE_BYTES)
        self.starts = _Column("q")
        self.view = memoryview(text)  # slices of it are copied once, into each JSON array
        self.numpy = None  # finds the records' starts in large data (imported before a fork)
        if self.size >= NUMPY_MIN_BYTES:
            import numpy

            self.numpy = numpy

    def parallel(self) -> bool:
        return self.size >= PARALLEL_MIN_BYTES

    def _record_at(self, k: int) -> int:
        """Where the first record starting in or after chunk ``k`` starts (``stop``:
        none does)."""
        if k == 0:
            return self.begin
        found = _BETWEEN.search(self.text, self.begin + k * SLICE_BYTES - 2, self.stop)
        return self.stop if found is None else found.start() + 2

    def chunk(self, k: int) -> tuple[bytes | None, int | None]:
        """(chunk ``k`` as a JSON array of records, how many records it must hold); None
        for the array when the fast path must not vouch for it (see ``screened``)."""
        first, after = self._record_at(k), self._record_at(k + 1)
        if first >= after:
            return b"[]", 0  # no record starts here (one longer than a chunk does before)
        end = after - 1 if after < self.stop else self.stop  # before the comma, if any
        if self.numpy is None:
            found = list(map(re.Match.start, _BETWEEN.finditer(self.text, first, end)))
            count = len(found) + 1
            self.starts.add(itertools.chain((first,), map(_TWO, found)), count)
        else:
            starts = self._starts(first, end)
            count = len(starts)
            self.starts.append(starts.tobytes())
        return screened(b"".join((b"[", self.view[first:end], b"]"))), count

    def _starts(self, first: int, end: int) -> Any:
        """Where the records in ``text[first:end]`` start (an int64 numpy array): what
        ``_BETWEEN`` finds there, found by numpy (four times faster on large data). The
        candidates are the closing braces; at each, the eight bytes from it are compared
        with the separator as one integer."""
        np = self.numpy
        size = end - first
        closing = np.flatnonzero(
            np.frombuffer(self.text, dtype=np.uint8, count=size, offset=first)[:-7] == 0x7D
        )  # each a "}" followed by at least seven bytes
        words = np.ndarray((max(size - 7, 0),), "<u8", self.text, first, (1,))  # overlapping
        found = closing[words[closing] == _SEPARATOR_WORD]
        starts = np.empty(len(found) + 1, dtype=np.int64)
        starts[0] = first
        np.add(found, first + 2, out=starts[1:])
        return starts

    def reached(self, k: int) -> int:
        return min(k * SLICE_BYTES, self.size)


def _batches(
    part: _SpanPart | _CompactPart,
    order: Iterable[int],
    progress: Progress | None = None,
    reached: Callable[[int], int] | None = None,
) -> Iterator[tuple[bytes | None, int | None]]:
    """The chunks of ``part`` in ``order`` (which may hand them out lazily), reporting
    progress as ``reached(k)`` (how many relations or bytes are taken, by both
    processes, when this one takes chunk ``k``)."""
    reached = reached or part.reached
    every = PROGRESS_BYTES if part.unit else PROGRESS_EVERY
    shown = None
    for k in order:
        if progress and (shown is None or reached(k) - shown >= every):
            shown = reached(k)
            progress("checking relations", shown, part.size, part.unit)
        yield part.chunk(k)
    if progress:
        progress("checking relations", part.size, part.size, part.unit)


def _compact_region(text: bytes) -> tuple[int, int] | None:
    """(start of the first relation, the closing bracket after the last) when the file's
    relations are written compactly and last in the file; else None. Only a guess: the
    caller confirms it (the rest of the file must decode without them, the last record
    must be a relation, each slice must hold as many records as ``_BETWEEN`` found)."""
    at = text.find(_OPENING)
    if at < 0:
        return None
    start = at + _OPENING.index(b"{")
    end = text.rfind(b"]")
    if end < start + 2 or text[end - 1 : end] != b"}" or text[end + 1 :].strip() != b"}":
        return None
    return start, end


_RELATION_FIELDS = RECORDS["relations"]


def _decodes(text: bytes, kind: Any) -> bool:
    """Whether ``text`` is valid JSON of type ``kind`` (a quick check, nothing kept)."""
    try:
        msgspec.json.decode(text, type=kind)
    except _DECODE_ERRORS:
        return False
    return True


class _DateCodes(dict):
    """Date text -> its number, numbered as first met (0: no date), with each number's
    earliest and latest day; a date not seen before is worked out on lookup (raises
    ``dates.DateError`` when it is not a date)."""

    def __init__(self) -> None:
        super().__init__({None: 0})
        self.lows, self.highs = [0], [0]

    def __missing__(self, text: str) -> int:
        low, high = dates.ordinal_bounds(text)
        self[text] = code = len(self.lows)
        self.lows.append(low)
        self.highs.append(high)
        return code


class _Column(list):
    """Integers for an array, added a slice at a time: packed by ``struct`` (three times
    faster per integer than the array's own conversion, which parses each one as an
    argument) and kept as pieces until ``array()`` joins them (an array grown piece by
    piece is copied again and again as it grows)."""

    def __init__(self, code: str):
        super().__init__()
        self.code = code

    def add(self, items: Iterable[int], count: int) -> None:
        self.append(struct.pack(f"{count}{self.code}", *items))

    def array(self) -> array:
        values = array(self.code)
        values.frombytes(b"".join(self))
        return values

    @classmethod
    def of(cls, code: str, items: Iterable[int], count: int) -> array:
        column = cls(code)
        column.add(items, count)
        return column.array()


def _index_relations(
    batches: Iterable[tuple[bytes | None, int | None]],
    ctx: _Relations,
    abandon: Callable[[], bool] | None = None,
    backwards: bool = False,
) -> tuple[dict[str, array], array, int] | None:
    """Decode and check the relations in ``batches`` (JSON arrays of records, each with
    the number of records it must hold, or None); their index arrays, the hashes of
    their ids and the colons in their text, or None on any doubt (or when
    ``abandon()``, asked before each slice, says the work is no longer needed;
    ``backwards``: the batches come last first). Raises
    ``_NotCompact`` when a slice of a compact part is not what its layout promised.
    What needs all relations at once is left to ``_sound`` (so a child process never
    imports numpy)."""
    index, type_code = ctx.index, ctx.type_code
    lookup = index.__getitem__
    columns = {name: _Column(code) for name, code in _ARRAYS.items() if name not in ("lo", "hi")}
    src, dst, rtype, cert, reporter, place = (
        columns[k].add for k in ("src", "dst", "type", "certainty", "reporter", "place")
    )
    date_code = _DateCodes()
    when_codes = _Column("i")
    hashes = _Column("q")  # of the relation ids: duplicates are found among these
    # every field of each record in one call (no attribute lookups), then as columns
    picked = itemgetter(*map(ctx.fields.index, (*_COLUMNS, *_TEXTS)))
    astuple = msgspec.structs.astuple
    np = ctx.numpy
    counted = 0  # colons in all the batches' records
    for blob, expected in batches:
        if blob is None or (abandon is not None and abandon()):
            return None
        try:
            rels = ctx.decoder.decode(blob)
        except _DECODE_ERRORS:
            if expected is not None and not _decodes(blob, list[msgspec.Raw]):
                raise _NotCompact from None  # not cut where records meet (or bad syntax)
            return None
        if expected is not None and len(rels) != expected:
            raise _NotCompact  # a record that does not start with its id
        if not rels:
            continue
        fields = tuple(zip(*map(astuple, rels), strict=True))
        (
            names,
            source,
            target,
            kinds,
            levels,
            when,
            reporters,
            places,
            quoted,
            notes,
            worded,
            numbers,
        ) = picked(fields)
        count = len(rels)
        hashes.add(map(hash, names), count)
        index[None] = -1  # no reporter
        try:
            src(map(lookup, source), count)
            dst(map(lookup, target), count)
            reporter(map(lookup, reporters), count)
            place(map(lookup, places), count)
        except KeyError:  # an unknown entity
            return None
        finally:
            del index[None]
        rtype(map(type_code.__getitem__, kinds), count)
        cert(map(CERTAINTY_CODES.__getitem__, levels), count)
        try:
            when_codes.add(map(date_code.__getitem__, when), count)
        except dates.DateError:
            return None
        evidence = list(itertools.chain.from_iterable(quoted))
        # each evidence's (source, quote, url, locator), as columns, in one pass
        cited = tuple(zip(*map(astuple, evidence), strict=True))
        _, quotes, urls, places_in = cited
        # a key repeated in a record (see ``check.repeats``; added up: ``colons``)
        found = colons(blob, np)
        if found != colons_expected(fields, ctx.fields, _RELATION_FIELDS, cited):
            return None
        counted += found
        texts = (
            filter(None, quotes),
            filter(None, urls),
            filter(None, places_in),
            filter(None, notes),
            filter(None, worded),
        )
        if not all_match(RELATION_ID, names) or any(
            any(map(str.isspace, group)) for group in texts
        ):
            return None
        if None in quotes and not evidence_ok(levels, quoted):  # coded facts, unquoted
            return None
        if any(numbers) and not attributes_ok(numbers):
            return None
        del rels, evidence, names, source, target, kinds, levels, when, reporters, places
        del quoted, notes, worded, numbers, quotes, urls, places_in, fields, cited
    if backwards:  # each column holds one piece per batch: put them back in order
        for column in (*columns.values(), when_codes, hashes):
            column.reverse()
    out = {name: column.array() for name, column in columns.items()}
    when = when_codes.array()
    bounds = {"lo": date_code.lows, "hi": date_code.highs}  # each one's earliest, latest day
    for name in bounds:
        if np is None:
            out[name] = _Column.of("i", map(bounds[name].__getitem__, when), len(when))
        else:  # one lookup per relation in Python is a tenth of a second per million
            days = np.array(bounds[name], dtype=np.intc)[np.frombuffer(when, dtype=np.intc)]
            out[name] = array("i", days.tobytes())
    return {name: out[name] for name in _ARRAYS}, hashes.array(), counted


#: How the child process ends: its arrays are written; a doubt about the data; the
#: relations are not laid out as the compact path assumed. Anything else: it failed.
_CHILD_DONE, _CHILD_DOUBTS, _CHILD_NOT_COMPACT = 0, 2, 4


def _split_relations(
    whole: _SpanPart | _CompactPart,
    ctx: _Relations,
    alongside: Callable[[Callable[[], bool]], Any],
    progress: Progress | None,
) -> tuple[dict[str, array], Any, int] | None:
    """Index arrays of all relations, what ``alongside(abandon)`` gives (None: a doubt;
    ``abandon()`` says whether the child has already found one) and how many colons
    the relations' text holds.

    Large data is shared with a forked child: the parent runs ``alongside``, then both
    check and index chunks of the relations, the parent from the front and the child
    from the back, until they meet (``Claims``). The child writes its arrays, the
    hashes of its relation ids and (compact part) its records' offsets to an unnamed
    temporary file and exits. If the child fails for any reason other than a doubt
    about the data, the parent does its chunks too.
    """
    parallel = whole.parallel() and two_processes()
    with tempfile.TemporaryFile() if parallel else contextlib.nullcontext() as handoff:
        claims = None
        if parallel:
            with contextlib.suppress(OSError):
                claims = Claims(whole.chunks, handoff)
        if claims is None:  # one process
            extra = alongside(lambda: False)
            if extra is None:
                return None
            done = _index_relations(_batches(whole, range(whole.chunks), progress), ctx)
            if done is None or not _sound(*done[:2]):
                return None
            return done[0], extra, done[2]

        def child_work() -> int:
            try:
                done = _index_relations(_batches(whole, claims.back()), ctx, backwards=True)
            except _NotCompact:
                return _CHILD_NOT_COMPACT
            if done is None:  # the full checker will say what is wrong (or pass it)
                return _CHILD_DOUBTS
            arrays, hashes, tally = done
            if whole.starts is not None:
                whole.starts.reverse()  # taken from the back
            counted = array("q", [tally])
            send_arrays(handoff, [*map(arrays.get, _ARRAYS), hashes, counted], whole.starts or [])
            return _CHILD_DONE

        with forked(child_work) as child:

            def child_gave_up() -> bool:
                """Whether the child has ended with a doubt or a surprise in the layout
                (then the parent stops early)."""
                return child.poll() in (_CHILD_DOUBTS, _CHILD_NOT_COMPACT)

            extra = alongside(child_gave_up)
            mine = None
            if extra is not None:
                taken = functools.partial(claims.taken, whole.chunks)
                reached = lambda k: whole.reached(taken())  # noqa: E731 (both processes)
                batches = _batches(whole, claims.front(), progress, reached)
                mine = _index_relations(batches, ctx, abandon=child_gave_up)
            if mine is not None:  # else the full checker takes over: the child is stopped
                child.wait()
        code = child.code
        if code == _CHILD_NOT_COMPACT:
            raise _NotCompact
        if mine is None or code is None or code == _CHILD_DOUBTS:
            return None
        arrays, hashes, tally = mine
        if code == _CHILD_DONE:
            *received, their_hashes, counted, their_starts = received_arrays(handoff)
            tally += struct.unpack("q", counted)[0]
            theirs = {name: array(code) for name, code in _ARRAYS.items()}
            for values, piece in zip(theirs.values(), received, strict=True):
                values.frombytes(piece)
            hashes.frombytes(their_hashes)
            if whole.starts is not None:
                whole.starts.append(bytes(their_starts))  # packed, as the child packed them
        else:  # the child died (out of memory, killed): do its chunks here
            done = _index_relations(_batches(whole, range(claims.meeting(), whole.chunks)), ctx)
            if done is None:
                return None
            theirs, their_hashes, their_colons = done
            hashes.extend(their_hashes)
            tally += their_colons
    arrays = _joined(arrays, theirs)
    return (arrays, extra, tally) if _sound(arrays, hashes) else None


def _sound(arrays: dict[str, array], hashes: array) -> bool:
    """The checks that need all relations: no relation id used twice (told apart by
    their hashes: equal ids have equal hashes, and two ids sharing one only send the
    data to the full checker), none joining an entity to itself, every "reported" one
    naming who reported it."""
    return _distinct(hashes) and _well_formed(arrays)


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


def build_streaming(files: list[Path], progress: Progress | None = None) -> dict[str, Any] | None:
    """Sections for a pack, checking everything on the way; None on any doubt.

    Relations are decoded and checked a slice at a time, and their JSON goes into the
    pack as it was written, so memory holds the files, the index arrays and one slice of
    records (per process). A compactly written file's relations are decoded straight
    from its bytes; other layouts are first split into records by one decoding pass.
    None sends the caller to the full checker, which names every problem.
    """
    read = []
    for file in files:
        if progress:
            progress(f"reading {file.name}")
        try:
            read.append((file, *_contents(file)))
        except OSError:
            return None
    try:
        return _build(read, progress, compact=True)
    except _NotCompact:
        return _build(read, progress, compact=False)


def _contents(file: Path) -> tuple[bytes | mmap.mmap, int]:
    """(The file's bytes without a byte order mark, how many that left out.)

    A large file is mapped rather than read: no copy before the work starts, and each
    process only touches the pages it works on. (A file truncated by another program
    while mapped would crash the process, as it does tools that map their inputs; files
    replaced by writing a new one, as editors and ``json.dump`` to a new path do, are
    unaffected.)"""
    with open(file, "rb") as handle:
        if os.fstat(handle.fileno()).st_size >= MAP_MIN_BYTES:
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
    ``_NotCompact`` when they are not laid out as that needs)."""
    heads, holders, region = [], [], None
    # the colons the files hold outside their relation records, less those their decoded
    # records account for (see ``check.repeats``): 0 when no object repeats a key
    unexplained = 0
    for file, text, shift in read:
        found = _compact_region(text) if compact else None
        if found is None:
            text = text if isinstance(text, bytes) else text[:]  # the record spans' buffer
            head = decoded(screened(text), _Head)
            if head is None:
                return None
            # (their records' colons are taken off once they are counted, chunk by chunk)
            unexplained += colons(text) - document_colons(head, LISTS[:3])
            if head.relations:
                holders.append((file, text, shift))
        else:
            start, end = found
            # the relations left out (each chunk of them is screened when decoded)
            rest = text[:start] + text[end:]
            head = decoded(screened(rest), _Head)
            last = text.rfind(_SEPARATOR, start, end)
            if head is None or not _decodes(
                text[_TWO(last) if last >= 0 else start : end], Relation
            ):
                raise _NotCompact
            unexplained += colons(rest) - document_colons(head, LISTS[:3])
            region = _CompactPart(text, start, end)
            holders.append((file, text, shift))
        heads.append(settled(head))
    if region is not None and len(holders) > 1:
        raise _NotCompact  # relations in several files: read the usual way
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
    head_strings = head_texts(heads)  # (checked with the entities, below)

    def entity_work(abandon: Callable[[], bool]) -> dict[str, Any] | None:
        """Checks on entities, sources and types, then their pack sections (done by the
        parent while a child checks relations; not once the child has found a doubt)."""
        small_texts = [
            column(entities, "name"),
            [x for x in column(entities, "description") if x is not None],
            [a for e in entities for a in e.aliases or ()],
            head_strings,
        ]
        if (
            len(set(ids)) != len(ids)
            or not all_match(ENTITY_ID, [*ids, *sources, *types])
            or any(any(map(str.isspace, group)) for group in small_texts)
            or not entity_extras_ok(entities)
        ):
            return None
        try:
            for x in sources.values():
                dates.parse(x.published)
        except dates.DateError:
            return None
        if abandon():
            return None
        encode = msgspec.json.Encoder().encode
        records: Parts | FileRecords | None = None  # compact: known once all are read
        if region is None:
            records = spans
            if len(holders) == 1 and len(spans) >= NUMPY_MIN:  # large: do not copy them
                records = _file_records(*holders[0], spans) or spans
        return {
            "tables": entity_tables(entities),
            "blobs": [encode(e) for e in entities],
            "records": records,
        }

    type_names = sorted(types)
    spans = Parts(itertools.chain.from_iterable(h.relations for h in heads))
    del heads
    if (spans or region) and not (type_names and sources):
        return None  # every relation needs a type and a source to cite
    ctx = _Relations(ids, type_names, list(sources), None if region is None else region.numpy)
    done = _split_relations(region or _SpanPart(spans), ctx, entity_work, progress)
    if done is None:
        return None
    arrays, entity_parts, relation_colons = done
    if unexplained != (0 if region is not None else relation_colons):
        return None  # a key repeated outside the relation records
    records = entity_parts["records"]
    if region is not None:
        region.starts.add((region.stop + 1,), 1)  # where a record after the last would start
        records = FileRecords(*holders[0], region.starts.array())
    if progress:
        progress("indexing")
    return assemble(
        files=[str(f) for f, _, _ in read],
        entities=entities,
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

"""A compact, indexed form of the data that queries read without building the whole graph.

``PackedGraph`` is the ``Store`` (``protocol.Store``) every query reads: it keeps
relations as arrays and JSON blobs, decoding only what a query touches (``who-met`` on a
million relations decodes a few dozen records). Arrays are read as typed views of a
memory map (only the pages a query touches), records with ``pread`` (from the data file
itself when the pack keeps only their offsets, see ``format.FileRecords``). Opening,
keying and repairing packs is ``cache``'s work; their file layout is ``format``'s.
"""

from __future__ import annotations

import collections
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import msgspec

from .blocks import Blob, PackDamaged, checked_view, whole
from .format import CERTAINTY_CODES
from .strings import Ids, IdSets, NameTable, Positions, StringTable

#: From this many relations, ``links`` works with numpy.
NUMPY_MIN_LINKS = 50_000
#: Records decoded per read when a command goes through all of them (export, search file).
SCAN_SLICE = 20_000


#: Each direction: (name, adjacency offsets, adjacency relations, the far end's array).
_WAYS = (("out", "out_off", "out_rel", "dst"), ("in", "in_off", "in_rel", "src"))
#: Each field relations are found by (``protocol.FIELDS``): its index's offsets, relations.
_INDEXES = {
    "source": ("out_off", "out_rel"),
    "target": ("in_off", "in_rel"),
    "place": ("pla_off", "pla_rel"),
    "reported_by": ("rep_off", "rep_rel"),
}


class PackedGraph:
    """The ``protocol.Store`` over pack sections (see module docstring): entities and
    relations found through the pack's indexes and arrays, records read only when asked
    for. Besides the protocol it offers what the search file is built from
    (``relation_columns``, ``relation_ends``, ``records_json``)."""

    def __init__(self, sections: dict[str, Any]):
        meta = sections["meta"]
        self._s = sections
        #: entity ids by position, each decoded when asked for (never all at once)
        self.ids = Ids(StringTable(sections["ids_blob"], sections["ids_off"]))
        self.index = Positions(self.ids, sections["id_order"])
        self.exact = NameTable(
            StringTable(sections["key_blob"], sections["key_off"]),
            sections["key_pos_off"],
            sections["key_pos"],
        )
        self.names = StringTable(sections["names_blob"], sections["names_off"])
        self.surname = NameTable(
            StringTable(sections["sur_blob"], sections["sur_off"]),
            sections["sur_pos_off"],
            sections["sur_pos"],
        )
        self.graph = {
            "sources": meta["sources"],
            "relation_types": meta["relation_types"],
            "files": meta["files"],
        }
        self.type_names: list[str] = meta["type_names"]
        #: 1 when relation records are read from the data file (a comma after each)
        self.rel_gap = 1 if "rel_file" in meta else 0
        self._node_cache: dict[int, dict] = {}
        self._names: dict[str, str] = {}  # display names asked for, by id
        self._edge_cache: dict[int, tuple] = {}
        self._relation_at: dict[str, int] = {}  # id -> index, of relations read in bulk
        self._decode = msgspec.json.Decoder().decode
        self._search = None
        self.path: Path | None = None  # the pack file, when read from the cache
        self.sidecar: Path | None = None  # where a persisted pack keeps its search index
        self.key = ""
        #: progress(step, done, total), then progress(None), while a search file is built
        self.progress: Callable[..., None] | None = None

    # entities and counts ------------------------------------------------------------------

    def entity(self, node: str) -> dict:
        """``Store.entity``: the record decoded on first use, then remembered."""
        return self.node_attrs(self.index[node])

    def entities(self) -> Iterator[tuple[str, dict]]:
        """``Store.entities``: the records a slice at a time (those not read yet not
        remembered: a pass over every entity stays small in memory)."""
        ids, cache, count = self.ids, self._node_cache, len(self.ids)
        for first in range(0, count, SCAN_SLICE):
            stop = min(first + SCAN_SLICE, count)
            try:
                records = self._decode(self.records_json("ent", first, stop))
            except msgspec.DecodeError as exc:
                raise PackDamaged(str(exc), self.path) from None
            if not isinstance(records, list) or len(records) != stop - first:
                raise PackDamaged("entity records do not match their index", self.path)
            for i, record in enumerate(records, first):
                known = cache.get(i)
                if known is None:
                    record.pop("id", None)
                    record.setdefault("aliases", [])
                    record.setdefault("description", "")
                    known = record
                yield ids[i], known

    def entity_ids(self) -> Iterator[str]:
        """``Store.entity_ids``, a slice of the id table at a time."""
        return iter(self.ids)

    def counts(self, fields: Sequence[str]) -> Iterator[tuple[str, int]]:
        """``Store.counts``, from the indexes' offsets."""
        offsets = [self._s[_INDEXES[field][0]] for field in fields]
        if len(offsets) == 2:  # the degree, kept short
            a, b = offsets
            for i, node in enumerate(self.ids):
                yield node, a[i + 1] - a[i] + b[i + 1] - b[i]
            return
        for i, node in enumerate(self.ids):
            yield node, sum(off[i + 1] - off[i] for off in offsets)

    def number_of_nodes(self) -> int:
        return len(self.ids)

    def number_of_edges(self) -> int:
        return len(self._s["src"])

    def relation_columns(self) -> tuple[Any, Any, Any]:
        """Every relation's source and target (entity positions) and type (a position in
        ``type_names``), as arrays."""
        return self._s["src"], self._s["dst"], self._s["type"]

    def entity_types(self) -> list[str]:
        """Every entity's type, in entity order (a slice of records at a time, only the
        type decoded)."""
        decoder = msgspec.json.Decoder(list[_EntityType])
        count, found = len(self.ids), []
        for first in range(0, count, SCAN_SLICE):
            records = decoder.decode(
                self.records_json("ent", first, min(first + SCAN_SLICE, count))
            )
            found += [record.type for record in records]
        return found

    def relation_type_counts(self) -> dict[str, int]:
        """How many relations each type has (types without any left out), from the array."""
        counted = collections.Counter(self._s["type"])
        return {self.type_names[t]: n for t, n in counted.items()}

    def latest_year(self) -> int | None:
        """``Store.latest_year``, from the earliest-day array (no record read)."""
        lows = self._s["lo"]
        if not len(lows):
            return None
        latest = max(lows)
        return date.fromordinal(latest).year if latest else None

    def relation_ends(self, rels: Sequence[int]) -> list[tuple[str, str, str]]:
        """(source's display name, relation type, target's display name) of relations by
        index, from the arrays and the name table (no relation record is read)."""
        types = self.type_names
        src, dst, rtype = self.relation_columns()
        names = self.names.many([*(src[r] for r in rels), *(dst[r] for r in rels)])
        kinds = [types[rtype[r]] for r in rels]
        return list(zip(names[: len(rels)], kinds, names[len(rels) :], strict=True))

    def name_tables(self) -> tuple[Mapping[str, set[str]], Mapping[str, set[str]]]:
        """(exact, surname) name tables as sets of ids (see ``protocol.Store``), read from
        the pack's sorted keys on demand."""
        return IdSets(self.exact, self.ids), IdSets(self.surname, self.ids)

    def name_of(self, node: str) -> str:
        """An entity's display name, without decoding its record (remembered: a query's
        rows name the same entities again and again)."""
        name = self._names.get(node)
        if name is None:
            i = self.index[node]
            attrs = self._node_cache.get(i)
            name = self._names[node] = attrs["name"] if attrs is not None else self.names[i]
        return name

    def names_of(self, nodes: Sequence[str]) -> list[str]:
        """``name_of`` of many entities, from one read of the name table."""
        found = self.names.many([self.index[node] for node in nodes])
        self._names.update(zip(nodes, found, strict=True))
        return found

    def node_attrs(self, i: int) -> dict:
        attrs = self._node_cache.get(i)
        if attrs is None:
            record = self._record("ent_blob", "ent_off", i)
            record.pop("id", None)
            record.setdefault("aliases", [])
            record.setdefault("description", "")
            attrs = self._node_cache[i] = record
        return attrs

    def edge(self, handle: int) -> tuple[str, str, str, dict]:
        """``Store.edge``: relation ``handle`` as (source, target, id, attributes)."""
        found = self._edge_cache.get(handle)
        if found is None:
            found = self._edge_cache[handle] = self._relation(handle)
        return found

    def _relation(self, i: int) -> tuple[str, str, str, dict]:
        record = self._record("rel_blob", "rel_off", i, self.rel_gap)
        key = record.pop("id")
        return record.pop("source"), record.pop("target"), key, record

    def relations(self, first: int = 0, stop: int | None = None) -> Iterator[tuple]:
        """``Store.relations``: (source, target, id, attributes), decoded a slice at a
        time (not kept: whole-graph passes such as an export stay small in memory)."""
        ids, src, dst = self.ids, self._s["src"], self._s["dst"]
        end = self.number_of_edges() if stop is None else stop
        for a in range(first, end, SCAN_SLICE):
            b = min(a + SCAN_SLICE, end)
            try:
                records = self._decode(self.records_json("rel", a, b))
            except msgspec.DecodeError as exc:
                raise PackDamaged(str(exc), self.path) from None
            if not isinstance(records, list) or len(records) != b - a:
                raise PackDamaged("relation records do not match their index", self.path)
            for r, record in enumerate(records, a):
                u, v = record.pop("source", None), record.pop("target", None)
                if ids[src[r]] != u or ids[dst[r]] != v or "id" not in record:
                    raise PackDamaged("a relation record does not match its index", self.path)
                yield u, v, record.pop("id"), record

    def records_json(self, kind: str, first: int, stop: int) -> bytes:
        """Records first..stop-1 (``kind`` "rel" or "ent") as one JSON array, in one read."""
        blob, offsets = self._s[f"{kind}_blob"], self._s[f"{kind}_off"]
        gap = self.rel_gap if kind == "rel" else 0
        base = offsets[first]
        if gap:  # records read from the data file lie one comma apart: an array already
            return b"[" + bytes(blob[base : offsets[stop] - gap]) + b"]"
        chunk = bytes(blob[base : offsets[stop]])
        cuts = [offset - base for offset in offsets[first : stop + 1]]
        return b"[" + b",".join(map(chunk.__getitem__, map(slice, cuts, cuts[1:]))) + b"]"

    def edges_of(self, handles: Sequence[int]) -> list[tuple[str, str, str, dict]]:
        """``Store.edges_of``: the relations not seen yet are read one after the other
        and decoded in one call."""
        cache = self._edge_cache
        missing = [r for r in handles if r not in cache]
        if len(missing) > 1:
            blob, off = self._s["rel_blob"], self._s["rel_off"]
            gap = self.rel_gap
            starts = [off[r] for r in missing]
            stops = [off[r + 1] - gap for r in missing]
            if isinstance(blob, Blob):
                raw = blob.pieces(starts, stops)
            else:
                raw = list(map(blob.__getitem__, map(slice, starts, stops)))
            try:
                records = self._decode(b"[" + b",".join(raw) + b"]")
            except msgspec.DecodeError as exc:
                raise PackDamaged(str(exc), self.path) from None
            if not isinstance(records, list) or len(records) != len(missing):
                raise PackDamaged("relation records do not match their index", self.path)
            src, dst, ids, known = self._s["src"], self._s["dst"], self.ids, self.index.remember
            for r, record in zip(missing, records, strict=True):
                u, v = record.pop("source", None), record.pop("target", None)
                if ids[src[r]] != u or ids[dst[r]] != v or "id" not in record:
                    raise PackDamaged("a relation record does not match its index", self.path)
                key = record.pop("id")
                cache[r] = (u, v, key, record)
                self._relation_at[key] = r
                known(u, src[r])  # their names are about to be asked for
                known(v, dst[r])
        return [cache[r] if r in cache else self.edge(r) for r in handles]

    def relation_by_id(self, key: str) -> tuple | None:
        """The relation with this id: its quoted id is looked for in the records' bytes
        (a chunk at a time, never decoded), and each record holding it is decoded to
        check (one pass over the records, at memory speed; only ``show`` asks)."""
        known = self._relation_at.get(key)
        if known is not None:
            return self.edge(known)
        if not key or '"' in key or "\\" in key:
            return None
        needle = msgspec.json.encode(key)
        blob, off = self._s["rel_blob"], self._s["rel_off"]
        count = self.number_of_edges()
        end = off[count] if count else 0
        step = 1 << 24
        position = 0
        while position < end:
            stop = min(end, position + step + len(needle))
            chunk = bytes(blob[position:stop])
            at = chunk.find(needle)
            while at != -1:
                r = bisect_right(off, position + at, 0, count + 1) - 1
                if 0 <= r < count:
                    found = self.edge(r)
                    if found[2] == key:
                        self._relation_at[key] = r
                        return found
                at = chunk.find(needle, at + 1)
            position += step
        return None

    # relations by handle (an index into the arrays): no record read ------------------------

    def handles(self, node: str, field: str, accepts=None) -> list[int]:
        """``Store.handles``, from the field's index."""
        offsets, rels = _INDEXES[field]
        i = self.index[node]
        off = self._s[offsets]
        chosen = self._s[rels][off[i] : off[i + 1]]
        if accepts is None:
            return list(chosen)
        if len(chosen) > 64:  # read the blocks the test reads in runs, not one by one
            for name in ("type", "certainty", "lo", "hi"):
                checked_view(self._s[name], chosen)
        return list(filter(accepts, chosen))

    def all_handles(self, accepts=None) -> Iterator[int]:
        """``Store.all_handles``: the indices of the passing relations."""
        every = range(self.number_of_edges())
        return iter(every) if accepts is None else filter(accepts, every)

    def ends(self, handles: Sequence[int]) -> list[tuple[str, str]]:
        """``Store.ends``, from the arrays (the ids read in one go)."""
        src, dst = self._s["src"], self._s["dst"]
        found = self.ids.many([*(src[r] for r in handles), *(dst[r] for r in handles)])
        return list(zip(found[: len(handles)], found[len(handles) :], strict=True))

    def relation_filter(self, filters) -> Callable[[int], bool] | None:
        """A test on relation indices equivalent to ``filters.accepts``, from arrays only."""
        if (
            filters.relation_types == frozenset()
            and not filters.certainty
            and (filters.since is None and filters.until is None)
            and filters.place is None
        ):
            return None
        s = self._s
        types = None
        if filters.relation_types:
            types = {i for i, t in enumerate(self.type_names) if t in filters.relation_types}
        levels = {CERTAINTY_CODES[c] for c in filters.certainty} if filters.certainty else None
        since = filters.since.toordinal() if filters.since else None
        until = filters.until.toordinal() if filters.until else None
        within = filters.within
        placed = None
        if filters.place is not None:
            i = self.index.get(filters.place)
            off = s["pla_off"]
            placed = set() if i is None else set(s["pla_rel"][off[i] : off[i + 1]])
        rtype, cert, lo, hi = s["type"], s["certainty"], s["lo"], s["hi"]
        if (
            types is not None
            and levels is None
            and since is None
            and until is None
            and placed is None
        ):
            return lambda i: rtype[i] in types  # the common case (who-met), kept short

        def accepts(i: int) -> bool:
            if types is not None and rtype[i] not in types:
                return False
            if levels is not None and cert[i] not in levels:
                return False
            if placed is not None and i not in placed:
                return False
            if since is None and until is None:
                return True
            if lo[i] == 0:
                return False
            if within:
                if since is not None and lo[i] < since:
                    return False
                return not (until is not None and hi[i] > until)
            if since is not None and hi[i] < since:
                return False
            return not (until is not None and lo[i] > until)

        return accepts

    def steps(self, node: str, direction: str, accepts, avoid) -> Iterator[tuple[str, int]]:
        """``Store.steps``: (next node, relation index), from the adjacency arrays."""
        s, ids = self._s, self.ids
        i = self.index[node]
        for way, offsets, rels, ends in _WAYS:
            if direction not in (way, "both"):
                continue
            off = s[offsets]
            chosen = s[rels][off[i] : off[i + 1]]
            far, known = checked_view(s[ends], chosen), self.index.remember
            if accepts is not None and len(chosen) > 64:  # read what the test reads
                for name in ("type", "certainty", "lo", "hi"):
                    checked_view(s[name], chosen)
            if len(chosen) > 64:  # the ids of the far ends, in one go
                self.ids.many([far[r] for r in chosen])
            for r in chosen:
                if accepts is None or accepts(r):
                    position = far[r]
                    nxt = ids[position]
                    if nxt not in avoid:
                        known(nxt, position)  # the search steps on from it
                        yield nxt, r

    def between(self, a: str, b: str, direction: str, accepts) -> list[int]:
        """``Store.between``: the far ends compared as positions (no id read)."""
        s = self._s
        i, j = self.index[a], self.index[b]
        found: list[int] = []
        if direction in ("out", "both"):
            off, rel, far = s["out_off"], s["out_rel"], s["dst"]
            found += [r for r in rel[off[i] : off[i + 1]] if far[r] == j]
        if direction in ("in", "both"):
            off, rel, far = s["in_off"], s["in_rel"], s["src"]
            found += [r for r in rel[off[i] : off[i + 1]] if far[r] == j]
        return [r for r in found if accepts is None or accepts(r)]

    def links(self, accepts, avoid) -> list[tuple[str, str]]:
        """``Store.links``, worked out on positions (with numpy on many relations) rather
        than ids."""
        count = len(self._s["src"])
        if count < NUMPY_MIN_LINKS:
            ids, src, dst = self.ids, self._s["src"], self._s["dst"]
            found = {(ids[src[r]], ids[dst[r]]) for r in self.all_handles(accepts)}
            return sorted((u, v) for u, v in found if u not in avoid and v not in avoid)
        import numpy as np

        src = np.frombuffer(whole(self._s["src"]), dtype=np.intc)
        dst = np.frombuffer(whole(self._s["dst"]), dtype=np.intc)
        kept = np.ones(count, dtype=bool)
        if accepts is not None:
            kept = np.fromiter(map(accepts, range(count)), dtype=bool, count=count)
        order = np.frombuffer(whole(self._s["id_order"]), dtype=np.intc)
        rank = np.empty(len(order), dtype=np.int64)  # each entity's place among sorted ids
        rank[order] = np.arange(len(order))
        if avoid:
            kept &= ~np.isin(src, [self.index[n] for n in avoid])
            kept &= ~np.isin(dst, [self.index[n] for n in avoid])
        size = max(len(order), 1)
        codes = np.unique(rank[src[kept]] * size + rank[dst[kept]])  # sorted, distinct
        ordered = [self.ids[i] for i in order.tolist()]
        return list(
            zip(
                map(ordered.__getitem__, (codes // size).tolist()),
                map(ordered.__getitem__, (codes % size).tolist()),
                strict=True,
            )
        )

    def bounds(self, handle: int) -> tuple[date, date] | None:
        """``Store.bounds``, from the day arrays."""
        lo = self._s["lo"][handle]
        if lo == 0:
            return None
        return date.fromordinal(lo), date.fromordinal(self._s["hi"][handle])

    def _record(self, blob: str, offsets: str, i: int, gap: int = 0) -> dict:
        off = self._s[offsets]
        try:
            return self._decode(self._s[blob][off[i] : off[i + 1] - gap])
        except msgspec.DecodeError as exc:
            raise PackDamaged(str(exc), self.path) from None

    def search_index(self):
        """The SearchIndex for ``queries.search``: the sidecar file when current, else built
        (and saved beside the pack when there is one)."""
        if self._search is None:
            from . import searchbuild

            self._search = searchbuild.index_of(self)
        return self._search


class _EntityType(msgspec.Struct, gc=False):
    """An entity record, for its type only (other fields are skipped unread)."""

    type: str

"""The pack's columns and indexes: string tables, name tables, adjacency lists (CSR) and
the sections assembled from checked records and index arrays (``assemble``), whichever
builder checked them. ``Column`` gathers integers for an array a slice at a time."""

from __future__ import annotations

import itertools
import os
import struct
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import msgspec

from ..check.fast import column
from ..model.text import fold_many, short_names
from . import sizes
from .format import FileRecords, Parts, file_state


def concat(blobs: Sequence) -> tuple[bytes, array]:
    offsets = array("q", [0])
    offsets.extend(itertools.accumulate(map(len, blobs)))
    return b"".join(blobs), offsets


def csr(ends: array, count: int) -> tuple[array, array]:
    """Compressed adjacency: for node n, relation indices rel[off[n]:off[n+1]], in index
    order. Negative ends (no node) are left out."""
    if len(ends) >= sizes.NUMPY_MIN:
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


def adjacencies(ends: Sequence[array], count: int) -> list[tuple[array, array]]:
    """``csr`` of each of ``ends``; with numpy, the first in a thread of its own while
    this one does the others (numpy sorts and computes without holding the GIL)."""
    if len(ends[0]) < sizes.NUMPY_MIN:
        return [csr(values, count) for values in ends]
    import threading

    first: list[Any] = []

    def work() -> None:
        try:
            first.append(csr(ends[0], count))
        except BaseException as exc:  # (out of memory) raised again below
            first.append(exc)

    worker = threading.Thread(target=work, name="diplograph-adjacency")
    worker.start()
    try:
        rest = [csr(values, count) for values in ends[1:]]
    finally:
        worker.join()
    if isinstance(first[0], BaseException):
        raise first[0]
    return [first[0], *rest]


def string_table(name: str, strings: list[str]) -> dict[str, Any]:
    lengths = list(map(len, strings))
    blob = "".join(strings).encode("utf-8")
    if len(blob) != sum(lengths):  # some text is not ASCII: count bytes one by one
        blob, offsets = concat([text.encode("utf-8") for text in strings])
    else:
        offsets = array("q", [0])
        offsets.extend(itertools.accumulate(lengths))
    return {f"{name}_blob": blob, f"{name}_off": offsets}


def bytes_table(name: str, items: list[bytes]) -> dict[str, Any]:
    """``string_table`` of strings already encoded."""
    offsets = array("q", [0])
    offsets.extend(itertools.accumulate(map(len, items)))
    return {f"{name}_blob": b"".join(items), f"{name}_off": offsets}


def name_table(name: str, keys: list[str], owners: Sequence[int]) -> dict[str, Any]:
    """A sorted string table of the distinct non-empty ``keys``, and per key the distinct
    ``owners`` it came with, ascending (CSR)."""
    if len(keys) >= sizes.NUMPY_MIN:
        return name_table_numpy(name, keys, owners)
    table: dict[str, list[int]] = {}
    for key, i in dict.fromkeys(zip(keys, owners, strict=True)):  # distinct pairs
        if key:
            table.setdefault(key, []).append(i)
    ordered = sorted(table)
    lists = [sorted(table[key]) for key in ordered]
    pos_off = array("i", [0])
    pos_off.extend(itertools.accumulate(map(len, lists)))
    positions = array("i", itertools.chain.from_iterable(lists))
    return {**string_table(name, ordered), f"{name}_pos_off": pos_off, f"{name}_pos": positions}


def name_table_numpy(name: str, keys: list[str], owners: Sequence[int]) -> dict[str, Any]:
    """``name_table`` for many keys: each (key, owner) pair coded as one integer
    (rank of the key * width + owner), then sorted and made distinct by numpy."""
    import numpy as np

    if "\x00" in "".join(keys):  # numpy drops trailing NULs (never in checked data)
        ordered: list = [key.encode("utf-8") for key in sorted(set(keys))]
        rank = {key: n for n, key in enumerate(sorted(set(keys)))}
        ranks = np.fromiter(map(rank.__getitem__, keys), dtype=np.int64, count=len(keys))
    else:  # sorted and ranked as fixed-width bytes (UTF-8 sorts as its text does): much
        # faster than a dict of ranks, and a quarter of the memory of numpy's str
        encoded = np.array([key.encode("utf-8") for key in keys], dtype=bytes)
        table, ranks = np.unique(encoded, return_inverse=True)
        del encoded
        ordered = table.tolist()
        ranks = ranks.astype(np.int64).ravel()
    who = np.asarray(owners, dtype=np.int64)
    kept = np.ones(len(keys), dtype=bool)
    if ordered and ordered[0] == b"":  # the empty key sorts first: left out
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
        **bytes_table(name, ordered),
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
        **name_table("key", keys, owners),
        **name_table("sur", [key for key, _ in surnames], [i for _, i in surnames]),
    }


def entity_tables(entities: list[Any]) -> dict[str, Any]:
    """The pack sections made from the entities alone: ids, display names, ids in
    sorted order, and the name tables."""
    ids = column(entities, "id")
    return {
        **string_table("ids", ids),
        **string_table("names", column(entities, "name")),  # display names, for rows
        "id_order": array("i", sorted(range(len(ids)), key=ids.__getitem__)),
        **name_tables(entities),
    }


def _plain(record: Any) -> dict:
    return {k: v for k, v in msgspec.structs.asdict(record).items() if v is not None}


def assemble(
    files: list[str],
    count: int,
    entity_blobs: list,
    sources: dict[str, Any],
    types: dict[str, Any],
    type_names: list[str],
    relation_blobs: Parts | FileRecords,
    arrays: dict[str, array],
    tables: dict[str, Any],
) -> dict[str, Any]:
    """The pack sections from ``count`` checked entities (their records' JSON and
    ``entity_tables``), relation records and index arrays (``src``, ``dst``, ``type``,
    ``certainty``, ``lo``, ``hi``, ``reporter``, ``place``). The entities' records
    themselves are not needed: a builder lets go of them first (at 1M entities they
    are most of its memory)."""
    ent_blob, ent_off = concat(entity_blobs)
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
    (out_off, out_rel), (in_off, in_rel), (rep_off, rep_rel), (pla_off, pla_rel) = adjacencies(
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
        **tables,
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


class Column(list):
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
        """The pieces as one array, each let go once it is in (this column is then
        empty): the pieces and the array are never held twice over, nor joined first.
        The array grows a piece at a time, in place where it is large (the allocator
        remaps its pages rather than copy them)."""
        values = array(self.code)
        self.reverse()
        while self:
            values.frombytes(self.pop())
        return values

    @classmethod
    def of(cls, code: str, items: Iterable[int], count: int) -> array:
        column = cls(code)
        column.add(items, count)
        return column.array()

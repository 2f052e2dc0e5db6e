"""Strings a pack keeps as one UTF-8 blob and offsets, each decoded when asked for:
``StringTable``; entity ids by position (``Ids``) and positions by id (``Positions``);
folded names to entity positions (``NameTable``, and ``IdSets`` of ids)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from itertools import pairwise
from typing import Any

from .blocks import PackDamaged, checked_view

#: Strings decoded per read when a table is gone through whole.
READ_SLICE = 100_000


def off_end(offsets: Any) -> int:
    return offsets[-1] if len(offsets) else 0


class StringTable:
    """Strings kept as one UTF-8 blob plus offsets; item i is decoded when asked for."""

    def __init__(self, blob: Any, offsets: Any):
        self._blob, self._off = blob, offsets

    @property
    def blob(self) -> Any:
        """The UTF-8 bytes (or a file section that reads them), items one after another."""
        return self._blob

    @property
    def offsets(self) -> Any:
        """Where each item starts in ``blob``, then where the last ends (int64)."""
        return self._off

    def __len__(self) -> int:
        return len(self._off) - 1

    def __getitem__(self, i: int) -> str:
        try:
            return str(self._blob[self._off[i] : self._off[i + 1]], "utf-8")
        except UnicodeDecodeError as exc:
            raise PackDamaged(str(exc)) from None

    def __iter__(self) -> Iterator[str]:
        count = len(self)
        for first in range(0, count, READ_SLICE):  # a slice at a time: memory stays small
            yield from self._read_range(first, min(first + READ_SLICE, count))

    def _read_range(self, first: int, stop: int) -> list[str]:
        """Items first..stop-1, sliced from one read (an ASCII read decoded once)."""
        off = self._off[first : stop + 1]
        base = off[0]
        blob = bytes(self._blob[base : off[-1]])
        if blob.isascii():
            text = blob.decode("ascii")
            return [text[a - base : b - base] for a, b in pairwise(off)]
        try:
            return [blob[a - base : b - base].decode("utf-8") for a, b in pairwise(off)]
        except UnicodeDecodeError as exc:
            raise PackDamaged(str(exc)) from None

    def many(self, indices: Sequence[int]) -> list[str]:
        """Items by index (repeats welcome), each distinct item decoded once: read one
        by one when they are few against the table, else sliced from one read of the
        part of the table they span."""
        if len(indices) < 64:
            return list(map(self.__getitem__, indices))
        distinct = list(set(indices))
        if len(distinct) * 64 < len(self):
            found = dict(zip(distinct, map(self.__getitem__, distinct), strict=True))
        else:
            found = dict(zip(distinct, self._read_all(distinct), strict=True))
        return list(map(found.__getitem__, indices))

    def _read_all(self, indices: Sequence[int]) -> list[str]:
        """Items by index, sliced from one read of the part of the section they span."""
        if not indices:
            return []
        off = checked_view(self._off, [*indices, *(i + 1 for i in indices)])
        base = min(off[i] for i in indices)
        blob = bytes(self._blob[base : max(off[i + 1] for i in indices)])
        try:
            return [blob[off[i] - base : off[i + 1] - base].decode("utf-8") for i in indices]
        except UnicodeDecodeError as exc:
            raise PackDamaged(str(exc)) from None


class Ids(Sequence):
    """Entity ids by position (a ``StringTable``), the ones read remembered: rows name
    the same entities again and again, and a path search steps through them."""

    def __init__(self, table: StringTable):
        self._table = table
        self._seen: dict[int, str] = {}

    def __len__(self) -> int:
        return len(self._table)

    def __getitem__(self, i: Any) -> Any:
        if i.__class__ is not int:
            return [self[k] for k in range(*i.indices(len(self)))]
        found = self._seen.get(i)
        if found is None:
            if i < 0:
                i += len(self)
            if not 0 <= i < len(self):
                raise IndexError(i)
            found = self._seen[i] = self._table[i]
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def many(self, indices: Sequence[int]) -> list[str]:
        """Ids by position, read in one go (see ``StringTable.many``), remembered."""
        seen = self._seen
        missing = [i for i in indices if i not in seen]
        if missing:
            seen.update(zip(missing, self._table.many(missing), strict=True))
        return [seen[i] for i in indices]


class NameTable(Mapping):
    """Folded name -> entity positions: sorted keys, binary search, no decoding up front."""

    def __init__(self, keys: StringTable, pos_off: Any, positions: Any):
        self._keys, self._pos_off, self._positions = keys, pos_off, positions
        self.keys_table = keys

    def __getitem__(self, key: str) -> list[int]:
        if isinstance(key, str):
            at = bisect_left(self._keys, key)
            if at < len(self._keys) and self._keys[at] == key:
                return self.at(at)
        raise KeyError(key)

    def at(self, position: int) -> list[int]:
        """The entity positions of the key at ``position`` in sorted order."""
        return list(self._positions[self._pos_off[position] : self._pos_off[position + 1]])

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class IdSets(Mapping):
    """A name table stored by entity position, read as sets of ids on demand."""

    def __init__(self, table: NameTable, ids: list[str]):
        self._table, self._ids = table, ids

    def __getitem__(self, key: str) -> set[str]:
        return {self._ids[i] for i in self._table[key]}

    def __iter__(self) -> Iterator[str]:
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, key: object) -> bool:
        return key in self._table


class Positions:
    """Entity id -> position: binary search over the ids in sorted order, remembering
    what it found and what ``remember`` is told (ends read from records whose arrays
    confirm them, the steps of a path search): what it holds follows the work done,
    never the size of the graph."""

    def __init__(self, ids: Ids, order: Any):
        self._ids, self._order = ids, order
        self._found: dict[str, int] = {}

    def get(self, node: object, default: int | None = None) -> int | None:
        found = self._found.get(node, -1)  # type: ignore[call-overload]
        if found >= 0:
            return found
        if not isinstance(node, str):
            return default
        order, ids = self._order, self._ids
        at = bisect_left(order, node, key=ids.__getitem__)
        if at < len(order) and ids[order[at]] == node:
            self._found[node] = order[at]
            return order[at]
        return default

    def remember(self, node: str, position: int) -> None:
        """Note where ``node`` is (read from a record whose ends the arrays confirm)."""
        self._found[node] = position

    def __getitem__(self, node: str) -> int:
        found = self.get(node)
        if found is None:
            raise KeyError(node)
        return found

    def __contains__(self, node: object) -> bool:
        return self.get(node) is not None

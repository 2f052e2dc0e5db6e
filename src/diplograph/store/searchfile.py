"""A packed graph's search index, as a file that search reads in place: its layout and
its reading (``read``); ``searchbuild`` writes it.

What ``queries.search`` scans (a ``searchindex.SearchIndex``), for a PackedGraph: the
name candidates (``NameCandidates``), and every description and evidence quote folded
(``model.text.fold``) and joined by NULs, with where each text starts. Within each slice
of relations, quotes are laid out by the ``label_key`` of the row their relation makes
in search results (``quote_key``, with the slices' bounds in ``quote_slices``), so a
search meets matches in the order of its rows and stops once no further one can make its
list. The arrays are read through a memory map as typed views, each checked a block at a
time when first read (``blocks.Checked``); the texts are read by pread a window at a time
(``TextSection``), so a search holds the windows it scans, not every page it touched.

Layout: MAGIC, then sections (each on 8 bytes), then a msgpack footer (key, layout,
checksum kind, each section's checksum), then the footer's checksum and length, 8 bytes
each. The footer names the pack it belongs to; anything that does not check out is
ignored and rebuilt. The sections of block checksums are checked whole when the file is
opened; the arrays a block at a time as they are read; texts, which a search scans only
as far as it needs, a block (``TEXT_BLOCK``) at a time, the blocks each scan covered; a
text found damaged raises ``PackDamaged``, and the pack and its search file are built
anew.
"""

from __future__ import annotations

import itertools
import mmap
import os
from array import array
from pathlib import Path
from typing import Any

import msgspec

from .blocks import CHECKSUM, Checked, PackDamaged, checksum
from .searchindex import NameCandidates, SearchIndex

MAGIC = b"DIPLOGRAPH-SRCH\x08"
#: Texts are checked in blocks of this many bytes, as searches scan them.
TEXT_BLOCK = 65536
SEPARATOR = "\x00"  # between folded texts; fold() keeps it
#: A search reads texts in windows of up to this many bytes, and keeps the last ones it
#: read up to WINDOWS_HELD bytes (see ``TextSection``).
WINDOW_MAX = 1 << 20
WINDOWS_HELD = 1 << 23
ARRAYS = {
    "cand_len": "q",
    "cand_byte": "q",
    "cand_at": "q",
    "cand_key_off": "i",
    "cand_key": "i",
    "desc_node": "i",
    "desc_starts": "q",
    "quote_starts": "q",
    "owner_rel": "i",
    "owner_pos": "i",
    "quote_key": "Q",
    "quote_slices": "q",
}
TEXTS = ("cand_text", "desc_blob", "quote_blob")


class TextSection:
    """A text section of a search file that ``blob_hits`` searches like bytes (``find``,
    slices), read by ``pread`` a window at a time rather than through a memory map, so a
    search that scans a gigabyte of quotes holds a few megabytes of them, not every page
    it touched. Each block (``TEXT_BLOCK``) is checked against its checksum (``sums``)
    when first read.

    ``source`` is the open file (or, for an index kept in memory, its bytes). Windows
    start small and double while a scan meets no match (up to ``WINDOW_MAX``); the last
    ones read are kept (``WINDOWS_HELD`` bytes), since a search resumes each slice where
    its last match was."""

    def __init__(self, source: Any, start: int, length: int, sums: Any, path: object):
        self._source, self._start, self._length = source, start, length
        self._sums, self._path = sums, path
        self._checked = bytearray(len(sums))
        self._fd = source.fileno() if hasattr(source, "fileno") else None
        #: block -> (the window holding it: where it starts in the section, its bytes)
        self._windows: dict[int, tuple[int, bytes]] = {}
        self._held = 0
        if len(sums) != -(-length // TEXT_BLOCK):
            raise ValueError("block checksums do not match the section's size")

    def __len__(self) -> int:
        return self._length

    def _read(self, first: int, stop: int) -> bytes:
        """Bytes from ``first`` (on a block boundary) to past ``stop - 1``: to the end of
        its block, each block among them checked once."""
        stop = min(self._length, -(-stop // TEXT_BLOCK) * TEXT_BLOCK)
        at = self._start + first
        if self._fd is None:
            data = bytes(self._source[at : self._start + stop])
        else:
            data = os.pread(self._fd, stop - first, at)
        if len(data) != stop - first:
            raise PackDamaged("a search file text is cut short", self._path)
        checked, view = self._checked, memoryview(data)
        for k in range(first // TEXT_BLOCK, -(-stop // TEXT_BLOCK)):
            if not checked[k]:
                offset = k * TEXT_BLOCK - first
                if checksum(view[offset : offset + TEXT_BLOCK]) != self._sums[k]:
                    raise PackDamaged("a search file text fails its checksum", self._path)
                checked[k] = 1
        return data

    def _window(self, at: int, reach: int) -> tuple[int, bytes]:
        """(Where it starts, its bytes): a window holding byte ``at`` and, where the
        section lasts, every byte before ``reach``."""
        block = at // TEXT_BLOCK
        held = self._windows.get(block)
        if held is not None and held[0] + len(held[1]) >= min(reach, self._length):
            return held
        first = block * TEXT_BLOCK
        data = self._read(first, reach)
        stop = first + len(data)
        if self._held + len(data) > WINDOWS_HELD:
            self._windows.clear()
            self._held = 0
        for k in range(block, -(-stop // TEXT_BLOCK)):
            self._windows[k] = (first, data)
        self._held += len(data)
        return first, data

    def find(self, needle: bytes, position: int = 0, end: int | None = None) -> int:
        stop = self._length if end is None else min(end, self._length)
        width, at = TEXT_BLOCK, position
        while at < stop and at + len(needle) <= stop:
            base, data = self._window(at, min(stop, at + width + len(needle) - 1))
            top = min(stop, base + len(data))
            found = data.find(needle, at - base, top - base)
            if found != -1:
                return base + found
            if top >= stop:
                break
            at = max(at + 1, top - len(needle) + 1)  # a match may cross into the next
            width = min(width * 2, WINDOW_MAX)
        return -1

    def __getitem__(self, part: slice) -> bytes:
        first, stop, _ = part.indices(self._length)
        if stop <= first:
            return b""
        base = first - first % TEXT_BLOCK
        return self._read(base, stop)[first - base : stop - base]


class _Named:
    """Entity positions read as their ids, one at a time (never a list of them all),
    each id's position told to the pack's index (``remember``): the rows it makes look
    their entities up by id next, and need not search for them."""

    def __init__(self, packed: Any, positions: Any):
        self._ids, self._positions, self._known = packed.ids, positions, packed.index.remember

    def __len__(self) -> int:
        return len(self._positions)

    def __getitem__(self, i: int) -> str:
        position = self._positions[i]
        node = self._ids[position]
        self._known(node, position)
        return node


def read_file(packed: Any, path: Path) -> Any | None:
    """The SearchIndex in the search file at ``path`` (kept open: its texts are read from
    it), or None when it is missing, unreadable, empty or not a current index of
    ``packed`` (see ``read``)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 (texts are read from it: kept open)
    except OSError:  # missing or unreadable
        return None
    try:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # empty
        handle.close()
        return None
    found = read(packed, mapped, packed.key, handle)
    if found is None:
        handle.close()
    return found


def read(packed: Any, buffer: Any, key: str, file: Any = None) -> Any | None:
    """The SearchIndex in ``buffer`` (bytes or a memory map), or None when the buffer is
    not a complete index of this pack, or an array in it fails its checksum; ``file``:
    the open file mapped as ``buffer``, from which texts are read (``TextSection``)."""
    try:
        size = len(buffer)
        if buffer[: len(MAGIC)] != MAGIC or size < len(MAGIC) + 16:
            return None
        footer_size = int.from_bytes(buffer[size - 8 : size], "little")
        if footer_size > size - len(MAGIC) - 16:
            return None
        end = size - 16 - footer_size
        footer = buffer[end : size - 16]
        if checksum(footer) != int.from_bytes(buffer[size - 16 : size - 8], "little"):
            return None
        footer = msgspec.msgpack.decode(footer)
        if (
            not isinstance(footer, dict)
            or footer.get("key") != key
            or footer.get("checksum") != CHECKSUM
        ):
            return None
        layout, sums = footer["layout"], footer["sums"]
        if set(layout) != {*ARRAYS, *TEXTS, *(f"{name}_sums" for name in (*TEXTS, *ARRAYS))}:
            return None
        view = memoryview(buffer)
        parts: dict[str, Any] = {}
        for name, (start, length) in layout.items():
            if start < len(MAGIC) or length < 0 or start + length > end:
                return None
            if name in TEXTS:
                continue
            code = ARRAYS.get(name, "Q")
            if start % 8 or length % array(code).itemsize:
                return None
            if name not in ARRAYS:  # block checksums: checked whole, now
                if checksum(view[start : start + length]) != sums[name]:
                    return None
                parts[name] = view[start : start + length].cast(code)
        for name in ARRAYS:  # checked a block at a time, as a search reads them
            start, length = layout[name]
            parts[name] = Checked(
                view[start : start + length],
                code=ARRAYS[name],
                sums=parts[f"{name}_sums"],
                path=packed.path,
            )
        for name in TEXTS:
            start, length = layout[name]
            source = buffer if file is None else file
            parts[name] = TextSection(source, start, length, parts[f"{name}_sums"], packed.path)
        starts = parts["cand_len"]
        if (
            len(parts["quote_starts"]) != len(parts["owner_rel"])
            or len(parts["owner_pos"]) != len(parts["owner_rel"])
            or len(parts["quote_key"]) != len(parts["owner_rel"])
            or list(parts["quote_slices"][:1]) != [0]
            or parts["quote_slices"][-1] != len(parts["owner_rel"])
            or any(map(int.__gt__, parts["quote_slices"], parts["quote_slices"][1:]))
            or len(parts["desc_starts"]) != len(parts["desc_node"])
            or not len(starts)
            or len(starts) != len(parts["cand_byte"])
            or len(parts["cand_at"]) != starts[-1] + 1
            or len(parts["cand_key_off"]) != starts[-1] + 1
        ):
            return None
    except (ValueError, KeyError, TypeError, IndexError, msgspec.DecodeError, PackDamaged):
        return None
    owner_rel, owner_pos = parts["owner_rel"], parts["owner_pos"]
    where = parts["cand_at"]  # candidate -> byte offset
    text = parts["cand_text"]

    def texts(first: int, stop: int) -> list[str]:
        if stop <= first:
            return []
        found = text[where[first] : where[stop]].decode("utf-8").split("\n")
        found.pop()  # each candidate ends with a newline
        return found

    names = NameCandidates(texts, starts, parts["cand_key_off"], parts["cand_key"])
    return SearchIndex(
        (
            names,
            packed.exact.keys_table.__getitem__,
            lambda position: list(_Named(packed, packed.exact.at(position))),
        ),
        _Named(packed, parts["desc_node"]),
        (parts["desc_blob"], parts["desc_starts"]),
        (
            parts["quote_blob"],
            parts["quote_starts"],
            list(itertools.pairwise(parts["quote_slices"])),
        ),
        (
            owner_rel.__getitem__,
            parts["quote_key"].__getitem__,
            packed.edges_of,
            packed.relation_ends,
        ),
        owner_pos.__getitem__,
    )

"""Sections read a block at a time, each block checked when a read first touches it.

Every section of a pack but its small msgpack one, and every array of a search file, is
kept with the checksum of each ``BLOCK`` bytes (``block_sums``). ``Blob`` reads records
from a byte section with pread; ``ReadChecked`` reads an array with pread a block at a
time, ``Checked`` over a memory map (the search file's arrays). Each keeps the blocks it
has read and checked, so a query pays, in time and in memory, for the blocks it reads,
not for the size of the section. A block that fails raises ``PackDamaged``.
"""

from __future__ import annotations

import os
import zlib
from array import array
from bisect import bisect_right
from typing import Any

from ..model.errors import CacheDamaged as PackDamaged  # a pack that fails its checks

#: Bytes per checked block.
BLOCK = 4096


try:  # xxh3 checks twice as many bytes a second as crc32 (4.5 against 2.1 GB/s here)
    from xxhash import xxh3_64_intdigest as _xxh3

    CHECKSUM = "xxh3"
except ImportError:  # pragma: no cover - xxhash is a dependency; packs then use crc32
    _xxh3 = None
    CHECKSUM = "crc32"


def checksum(data: Any) -> int:
    """The checksum of ``data`` (bytes, or any buffer) packs and search files use."""
    if _xxh3 is not None:
        return _xxh3(data)
    return zlib.crc32(data)


def block_sums(pieces: Any, block: int = BLOCK) -> array:
    """The checksum of each ``block`` bytes of the pieces joined (the last block may be
    shorter), without joining them all at once."""
    sums = array("Q")
    held: list[Any] = []
    size = 0
    for piece in pieces if isinstance(pieces, list) else [pieces]:
        held.append(piece)
        size += len(piece)
        if size >= 1 << 22:  # 4 MB gathered: check its whole blocks
            joined = b"".join(held)
            whole = len(joined) - len(joined) % block
            view = memoryview(joined)
            sums.extend(checksum(view[at : at + block]) for at in range(0, whole, block))
            held, size = [joined[whole:]], len(joined) - whole
    joined = memoryview(b"".join(held))
    sums.extend(checksum(joined[at : at + block]) for at in range(0, len(joined), block))
    return sums


class Blob:
    """A byte section of a pack file, read on demand with pread (slicing gives bytes).

    pread rather than mmap: page-cache pages are not charged to the process (a mapped
    record costs its page and the kernel's read-around), so a query that touches records
    all over a large file stays small in memory. With ``sums`` (the checksum of each
    ``BLOCK`` bytes), every read covers whole blocks and checks each one it covers.
    """

    def __init__(self, fd: int, start: int, length: int, sums: Any = None, path: object = None):
        self._fd, self._start, self._length = fd, start, length
        self._sums, self._path = sums, path
        if sums is not None and len(sums) != -(-length // BLOCK):
            raise PackDamaged("a section's block checksums do not match its size", path)

    def __len__(self) -> int:
        return self._length

    def _blocks(self, first: int, last: int) -> bytes:
        """Blocks ``first``..``last`` (inclusive), each checked against its checksum."""
        begin, end = first * BLOCK, min(self._length, (last + 1) * BLOCK)
        data = os.pread(self._fd, end - begin, self._start + begin)
        if len(data) != end - begin:
            raise PackDamaged("pack file shorter than its header says", self._path)
        view, sums = memoryview(data), self._sums
        for k in range(first, last + 1):
            at = (k - first) * BLOCK
            if checksum(view[at : at + BLOCK]) != sums[k]:
                raise PackDamaged("a block of a pack section fails its checksum", self._path)
        return data

    def pieces(self, starts: list[int], stops: list[int]) -> list[bytes]:
        """``[self[a:b] for a, b in zip(starts, stops)]``, with less work per piece."""
        fd, base, read = self._fd, self._start, os.pread
        if starts and (min(starts) < 0 or max(stops) > self._length):
            raise PackDamaged("a record lies outside its section", self._path)
        if self._sums is not None:
            return self._checked_pieces(starts, stops)
        found = [read(fd, b - a, base + a) for a, b in zip(starts, stops, strict=True)]
        if sum(map(len, found)) != sum(stops) - sum(starts):
            raise PackDamaged("pack file shorter than its header says", self._path)
        return found

    def _checked_pieces(self, starts: list[int], stops: list[int]) -> list[bytes]:
        """``pieces`` of a checked section: the blocks they cover, each read once."""
        needed = sorted(
            {
                k
                for a, b in zip(starts, stops, strict=True)
                for k in range(a // BLOCK, -(-b // BLOCK))
            }
        )
        runs: list[tuple[int, bytes]] = []  # (first byte, the blocks from it)
        first = None
        for n, k in enumerate(needed):
            if first is None:
                first = k
            if n + 1 == len(needed) or needed[n + 1] != k + 1:
                runs.append((first * BLOCK, self._blocks(first, k)))
                first = None
        places = [at for at, _ in runs]
        found = []
        for a, b in zip(starts, stops, strict=True):
            if b <= a:
                found.append(b"")
                continue
            at, data = runs[bisect_right(places, a) - 1]
            found.append(data[a - at : b - at])
        return found

    def __getitem__(self, part: slice) -> bytes:
        first, stop, _ = part.indices(self._length)
        if stop <= first:
            return b""
        if self._sums is not None:
            k = first // BLOCK
            data = self._blocks(k, (stop - 1) // BLOCK)
            return data[first - k * BLOCK : stop - k * BLOCK]
        data = os.pread(self._fd, stop - first, self._start + first)
        if len(data) != stop - first:
            raise PackDamaged("pack file shorter than its header says", self._path)
        return data


class Checked:
    """An array section of a pack: a typed view of the memory-mapped file whose blocks
    (``BLOCK`` bytes) are each checked against their checksum when first read, so a query
    maps and checks only the pages it touches.

    Reads as the view does (``a[i]``, ``a[i:j]``, ``len``, iteration). A loop over many
    scattered items checks their blocks at once (``check(indices)``) and then reads the
    unchecked ``view``; a whole-array pass (numpy) takes ``whole()``.
    """

    __slots__ = ("view", "_raw", "_sums", "_ok", "_shift", "_left", "_path")

    def __init__(self, raw: memoryview, code: str, sums: Any, path: object):
        self._raw, self._sums, self._path = raw, sums, path
        self.view = raw.cast(code) if len(raw) else memoryview(array(code))
        if len(sums) != -(-len(raw) // BLOCK):
            raise PackDamaged("a section's block checksums do not match its size", path)
        self._ok = bytearray(len(sums))
        self._left = len(sums)  # blocks not checked yet
        self._shift = (BLOCK // self.view.itemsize).bit_length() - 1  # item -> block

    def __len__(self) -> int:
        return len(self.view)

    def __getitem__(self, at: Any) -> Any:
        if at.__class__ is int:
            k = (at if at >= 0 else at + len(self.view)) >> self._shift
            if self._left and not self._ok[k]:
                if k >= len(self._ok) or k < 0:
                    raise IndexError(at)
                self._check_blocks(k, k + 1)
            return self.view[at]
        first, stop, step = at.indices(len(self.view))
        if self._left and stop > first:
            if step != 1:
                self.whole()
            else:
                self._check_blocks(first >> self._shift, ((stop - 1) >> self._shift) + 1)
        return self.view[at]

    def __iter__(self) -> Any:
        return iter(self.whole())

    def whole(self) -> memoryview:
        """The view, every block checked (for a pass over the whole array)."""
        if self._left:
            self._check_blocks(0, len(self._ok))
        return self.view

    def check(self, indices: Any) -> memoryview:
        """Check the blocks that items ``indices`` lie in; the view to read them from."""
        if self._left:
            ok, shift = self._ok, self._shift
            for k in {i >> shift for i in indices}:
                if not ok[k]:
                    self._check_blocks(k, k + 1)
        return self.view

    def _check_blocks(self, first: int, stop: int) -> None:
        ok, raw, sums = self._ok, self._raw, self._sums
        for k in range(first, stop):
            if not ok[k]:
                if checksum(raw[k * BLOCK : (k + 1) * BLOCK]) != sums[k]:
                    raise PackDamaged("a block of a pack section fails its checksum", self._path)
                ok[k] = 1
                self._left -= 1


class ReadChecked(Checked):
    """``Checked`` read with pread a block at a time (each kept once read and checked),
    not through a memory map: the page cache's pages are not charged to the process (a
    mapped page can bring its neighbours in with it), so what a query holds is the
    blocks it read. Pack arrays are read so."""

    __slots__ = ("_fd", "_start", "_length", "_code", "_count", "_blocks", "_whole")

    def __init__(self, fd: int, start: int, length: int, code: str, sums: Any, path: object):
        self._fd, self._start, self._length, self._code = fd, start, length, code
        self._sums, self._path = sums, path
        size = array(code).itemsize
        if len(sums) != -(-length // BLOCK):
            raise PackDamaged("a section's block checksums do not match its size", path)
        self._count = length // size
        self._shift = (BLOCK // size).bit_length() - 1
        self._blocks: dict[int, memoryview] = {}
        self._whole: memoryview | None = None

    @property
    def view(self) -> Any:  # (read item by item: see ``check``)
        return self if self._whole is None else self._whole

    @property
    def _ok(self) -> bytearray:  # blocks read so far (for tests and figures)
        found = bytearray(len(self._sums))
        for k in self._blocks:
            found[k] = 1
        if self._whole is not None:
            found = bytearray(b"\x01" * len(self._sums))
        return found

    @property
    def _left(self) -> int:
        return 0 if self._whole is not None else len(self._sums) - len(self._blocks)

    def __len__(self) -> int:
        return self._count

    def _read(self, first: int, stop: int) -> bytes:
        """Blocks first..stop-1, each checked against its checksum."""
        begin, end = first * BLOCK, min(self._length, stop * BLOCK)
        data = os.pread(self._fd, end - begin, self._start + begin)
        if len(data) != end - begin:
            raise PackDamaged("pack file shorter than its header says", self._path)
        view, sums = memoryview(data), self._sums
        for k in range(first, stop):
            at = (k - first) * BLOCK
            if checksum(view[at : at + BLOCK]) != sums[k]:
                raise PackDamaged("a block of a pack section fails its checksum", self._path)
        return data

    def _block(self, k: int) -> memoryview:
        found = self._blocks.get(k)
        if found is None:
            found = self._blocks[k] = memoryview(self._read(k, k + 1)).cast(self._code)
        return found

    def __getitem__(self, at: Any) -> Any:
        if self._whole is not None:
            return self._whole[at]
        if at.__class__ is int:
            if at < 0:
                at += self._count
            if not 0 <= at < self._count:
                raise IndexError(at)
            k = at >> self._shift
            found = self._blocks.get(k)
            if found is None:
                found = self._block(k)
            return found[at - (k << self._shift)]
        first, stop, step = at.indices(self._count)
        if stop <= first:
            return memoryview(array(self._code))
        if step != 1:
            return self.whole()[at]
        k, last = first >> self._shift, (stop - 1) >> self._shift
        if k == last:
            base = k << self._shift
            return self._block(k)[first - base : stop - base]
        data = memoryview(self._read(k, last + 1)).cast(self._code)
        base = k << self._shift
        return data[first - base : stop - base]

    def __iter__(self) -> Any:
        return iter(self.whole())

    def whole(self) -> memoryview:
        if self._whole is None:
            data = self._read(0, len(self._sums)) if self._length else b""
            self._whole = (
                memoryview(data).cast(self._code) if data else memoryview(array(self._code))
            )
            self._blocks.clear()
        return self._whole

    def check(self, indices: Any) -> Any:
        """Read the blocks items ``indices`` lie in, those next to each other in one
        read (the whole section when they are many of its blocks); ``self`` to read
        the items from."""
        if self._whole is not None:
            return self._whole
        shift, held = self._shift, self._blocks
        needed = sorted({i >> shift for i in indices} - held.keys())
        if len(needed) * 4 > len(self._sums):
            return self.whole()
        code, run = self._code, 0
        for n in range(len(needed)):
            if n + 1 == len(needed) or needed[n + 1] != needed[n] + 1:
                first, last = needed[run], needed[n]
                data = memoryview(self._read(first, last + 1))
                for k in range(first, last + 1):
                    at = (k - first) * BLOCK
                    held[k] = data[at : at + BLOCK].cast(code)
                run = n + 1
        return self


def whole(values: Any) -> Any:
    """``values`` as a buffer numpy can read: a ``Checked`` section with every block
    checked, anything else as it is."""
    return values.whole() if isinstance(values, Checked) else values


def checked_view(values: Any, indices: Any) -> Any:
    """What to read items ``indices`` of ``values`` from in a loop: a ``Checked``
    section's view once their blocks are checked, anything else as it is."""
    return values.check(indices) if isinstance(values, Checked) else values

"""The pack file: a dataset's records and index arrays, laid out for reading in place.

Layout: MAGIC, the header's length (4 bytes), the header's checksum (8 bytes), the
header (msgpack: format, key, layout, byteorder, size, checksum kind, each section's
checksum), then the sections, each starting on 8 bytes so that arrays can be mapped as
typed views. Sections hold only JSON, msgpack and raw integer arrays: nothing is executed
or unpickled. ``write_pack`` writes one atomically; ``read_pack`` checks the header and
layout and hands back the sections, each opened when first used. Every section but the
small msgpack one is checked a block at a time (``BLOCK`` bytes, their checksums kept in
a section of their own, ``sums_name``), the blocks a read touches when it touches them:
byte sections read a record at a time with pread (``Blob``), arrays as typed views of a
memory map (``Checked``). So a query pays, in time and in memory, for the blocks it
reads, not for the size of the graph. Any mismatch raises ``PackDamaged``: the cache is
deleted and the question answered from the data.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import zlib
from array import array
from bisect import bisect_right
from pathlib import Path
from typing import Any

import msgspec

from ..model.errors import CacheDamaged as PackDamaged  # a pack that fails its checks
from ..model.records import CERTAINTY

PACK_FORMAT = 8  # (7: a checksum per section; 8: a checksum per block of every section)
#: Byte sections read a record at a time are checked in blocks of this many bytes.
BLOCK = 4096
CERTAINTY_CODES = {level: i for i, level in enumerate(CERTAINTY)}
MAGIC = b"DIPLOGRAPH-PACK\x01"

_MSGPACK_SECTIONS = ("meta",)
#: Byte sections read by the slice with pread (``Blob``): records, and the sorted name keys.
_BLOB_SECTIONS = ("ent_blob", "rel_blob", "key_blob", "sur_blob")
#: One value per relation: the two ends, type, certainty, earliest and latest day (array
#: type codes).
RELATION_ARRAYS = {"src": "i", "dst": "i", "type": "H", "certainty": "B", "lo": "i", "hi": "i"}
#: Sections mapped as typed views (``Checked``): index arrays, and the ids and display
#: names (bytes), which rows read many of, here and there.
_ARRAY_SECTIONS = {
    "ids_blob": "B",
    "names_blob": "B",
    "ent_off": "q",
    "rel_off": "q",
    "ids_off": "q",
    "key_off": "q",
    "sur_off": "q",
    "names_off": "q",
    "id_order": "i",
    "key_pos_off": "i",
    "key_pos": "i",
    "sur_pos_off": "i",
    "sur_pos": "i",
    "rep_off": "i",
    "rep_rel": "i",
    "pla_off": "i",
    "pla_rel": "i",
    **RELATION_ARRAYS,
    "out_off": "i",
    "out_rel": "i",
    "in_off": "i",
    "in_rel": "i",
}


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


def write_pack(path: Path, key: str, sections: dict[str, Any]) -> None:
    """Write a pack atomically (temporary file, then rename), with every section's
    checksum in the header and the block checksums of the byte sections read a record
    at a time."""
    blobs: dict[str, Any] = {}
    for name, value in sections.items():
        if name in _MSGPACK_SECTIONS:
            blobs[name] = msgspec.msgpack.encode(value)
        elif isinstance(value, array):
            blobs[name] = memoryview(value).cast("B")  # its bytes, not a copy
        elif isinstance(value, FileRecords):
            blobs[name] = b""  # read from the data file (see meta["rel_file"])
        elif isinstance(value, list):  # build.Parts
            blobs[name] = value  # written piece by piece, never joined in memory
        else:
            blobs[name] = bytes(value)
    for name in [*_BLOB_SECTIONS, *_ARRAY_SECTIONS]:
        blobs[sums_name(name)] = memoryview(block_sums(blobs[name])).cast("B")
    sums = {name: checksum(blob) for name, blob in blobs.items() if not _blocked(name)}
    layout: dict[str, list[int]] = {}
    offset = 0
    for name, blob in blobs.items():
        offset = aligned(offset)  # every section starts on 8 bytes: arrays are mapped
        size = sum(map(len, blob)) if isinstance(blob, list) else len(blob)
        layout[name] = [offset, size]
        offset += size
    header = msgspec.msgpack.encode(
        {
            "format": PACK_FORMAT,
            "key": key,
            "layout": layout,
            "byteorder": sys.byteorder,
            "size": offset,
            "checksum": CHECKSUM,
            "sums": sums,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=temp_prefix(".pack."), dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC)
            out.write(len(header).to_bytes(4, "little"))
            out.write(checksum(header).to_bytes(8, "little"))
            out.write(header)
            body = aligned(out.tell())
            for name, blob in blobs.items():
                out.write(bytes(body + layout[name][0] - out.tell()))  # padding
                if isinstance(blob, list):
                    out.writelines(blob)
                else:
                    out.write(blob)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def sums_name(name: str) -> str:
    """The section holding the block checksums of section ``name``."""
    return f"{name}_sums"


def _blocked(name: str) -> bool:
    """Whether section ``name`` is checked a block at a time (else whole, when read)."""
    return name in _BLOB_SECTIONS or name in _ARRAY_SECTIONS


def temp_prefix(prefix: str) -> str:
    """A temporary file's prefix naming this process (``.pack.``: ``.pack.1234.``), so
    that a later run can remove what a killed one left (``remove_stale``)."""
    return f"{prefix}{os.getpid()}."


def remove_stale(folder: Path, prefixes: tuple[str, ...] = (".pack.", ".search.")) -> None:
    """Remove the temporary files in ``folder`` left by processes that no longer run
    (killed while writing: see ``temp_prefix``). Never raises."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefixes):
            continue
        pid = name.split(".")[2] if name.count(".") >= 3 else ""
        if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                target = folder / name
                if target.is_dir() and not target.is_symlink():
                    import shutil

                    shutil.rmtree(target)
                else:
                    target.unlink()


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (or may: one of another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def file_state(found: os.stat_result) -> list[int]:
    """What tells one state of a file from another: size, modification and change
    times, inode and device (no one but the kernel can set the change time back)."""
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev]


def aligned(offset: int) -> int:
    """``offset`` rounded up to a multiple of 8."""
    return (offset + 7) & ~7


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


class FileSections(dict):
    """Pack sections read from a file when first used: arrays (``ReadChecked``) and
    blobs (``Blob``) by pread, a block at a time, each block checked when first read;
    the small sections whole."""

    def __init__(self, fd: int, body: int, layout: dict[str, list[int]], sums: dict, path: object):
        super().__init__()
        self._fd, self._body, self._layout, self._sums = fd, body, layout, sums
        self.path = path
        self._more_fds: list[int] = []

    def __missing__(self, name: str) -> Any:
        offset, length = self._layout[name]
        start = self._body + offset
        meta = self["meta"] if name == "rel_blob" else {}
        if "rel_file" in meta:  # the records are in the data file, not in the pack
            value: Any = self._data_file(meta["rel_file"], meta["rel_shift"], meta["rel_state"])
        elif name in _BLOB_SECTIONS:
            value = Blob(self._fd, start, length, self[sums_name(name)], self.path)
        elif name in _ARRAY_SECTIONS or name.endswith("_sums"):
            code = _ARRAY_SECTIONS.get(name, "Q")
            if length % array(code).itemsize or start % 8:
                raise PackDamaged(f"section {name} has a bad length or place", self.path)
            if name in _ARRAY_SECTIONS:
                value = ReadChecked(self._fd, start, length, code, self[sums_name(name)], self.path)
            else:  # a section of block checksums: small, checked whole
                raw = os.pread(self._fd, length, start)
                if len(raw) != length:
                    raise PackDamaged(f"section {name} is cut short", self.path)
                self._check(name, raw)
                value = memoryview(raw).cast(code) if length else array(code)
        else:
            raw = os.pread(self._fd, length, start)
            if len(raw) != length:
                raise PackDamaged(f"section {name} is cut short", self.path)
            self._check(name, raw)
            try:
                value = msgspec.msgpack.decode(raw)
            except msgspec.DecodeError as exc:
                raise PackDamaged(str(exc), self.path) from None
        self[name] = value
        return value

    def _check(self, name: str, data: Any) -> None:
        if checksum(data) != self._sums.get(name):
            raise PackDamaged(f"section {name} fails its checksum", self.path)

    def _data_file(self, path: str, shift: int, state: list[int]) -> Blob:
        """The data file the relation records are read from (from ``shift``), when it is
        still in the ``state`` it was packed in (``file_state``): a data file's state is
        also part of the pack's key (``cache.data_key``), but the file a folder's data
        was merged into is not, and a file may be replaced after the key was checked."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise PackDamaged(f"cannot read {path}: {exc.strerror}", self.path) from None
        self._more_fds.append(fd)
        if file_state(os.fstat(fd)) != state:
            raise PackDamaged(f"{path} changed since it was packed", self.path)
        return Blob(fd, shift, max(0, os.fstat(fd).st_size - shift), path=self.path)

    def __del__(self) -> None:
        for fd in (self._fd, *self._more_fds):
            with contextlib.suppress(OSError):
                os.close(fd)


def read_pack(path: Path, key: str) -> dict[str, Any]:
    """Open a pack file; raise PackDamaged if its header or layout is off.

    Sections are read, and checked, when a query first needs them (``FileSections``).
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise PackDamaged(str(exc), path) from None
    try:
        total = os.fstat(fd).st_size
        fixed = len(MAGIC) + 12
        prefix = os.pread(fd, fixed, 0)
        if prefix[: len(MAGIC)] != MAGIC or len(prefix) != fixed:
            raise PackDamaged("bad magic", path)
        size = int.from_bytes(prefix[len(MAGIC) : len(MAGIC) + 4], "little")
        if size > total:
            raise PackDamaged("header larger than the file", path)
        raw = os.pread(fd, size, fixed)
        if checksum(raw) != int.from_bytes(prefix[len(MAGIC) + 4 :], "little"):
            raise PackDamaged("header fails its checksum", path)
        header = msgspec.msgpack.decode(raw)
        body = aligned(fixed + size)
        if (
            not isinstance(header, dict)
            or header.get("format") != PACK_FORMAT
            or header.get("key") != key
            or header.get("byteorder") != sys.byteorder
            or header.get("checksum") != CHECKSUM
            or body + header.get("size", -1) != total
        ):
            raise PackDamaged("stale or foreign pack", path)
        layout, sums = header["layout"], header["sums"]
        if set(layout) != {*_MSGPACK_SECTIONS, *_ARRAY_SECTIONS, *_BLOB_SECTIONS} | {
            *map(sums_name, [*_BLOB_SECTIONS, *_ARRAY_SECTIONS]),
        } or not isinstance(sums, dict):
            raise PackDamaged("sections missing", path)
        for name, (offset, length) in layout.items():
            if offset < 0 or length < 0 or body + offset + length > total:
                raise PackDamaged(f"section {name} out of bounds", path)
        return FileSections(fd, body, layout, sums, path)
    except (msgspec.DecodeError, KeyError, TypeError, ValueError, OSError, PackDamaged) as exc:
        os.close(fd)
        if isinstance(exc, PackDamaged):
            raise
        raise PackDamaged(str(exc), path) from None

"""The pack file: a dataset's records and index arrays, laid out for reading in place.

Layout: MAGIC, the header's length (4 bytes), the header (msgpack: format, key, layout,
byteorder, size), then the sections, each starting on 8 bytes so that arrays can be
mapped as typed views. Sections hold only JSON, msgpack and raw integer arrays: nothing
is executed or unpickled. ``write_pack`` writes one atomically; ``read_pack`` checks the
header and layout and hands back the sections, each read when first used.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Any

import msgspec

from ..model.errors import CacheDamaged as PackDamaged  # a pack that fails its checks
from ..model.records import CERTAINTY

PACK_FORMAT = 5
CERTAINTY_CODES = {level: i for i, level in enumerate(CERTAINTY)}
MAGIC = b"DIPLOGRAPH-PACK\x01"

_MSGPACK_SECTIONS = ("meta",)
_BLOB_SECTIONS = ("ent_blob", "rel_blob", "key_blob", "sur_blob")
_BYTES_SECTIONS = ("ids_blob", "names_blob")
#: One value per relation: the two ends, type, certainty, earliest and latest day (array
#: type codes).
RELATION_ARRAYS = {"src": "i", "dst": "i", "type": "H", "certainty": "B", "lo": "i", "hi": "i"}
_ARRAY_SECTIONS = {
    "ent_off": "q",
    "rel_off": "q",
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
    """Write a pack atomically (temporary file, then rename)."""
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
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".pack.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC)
            out.write(len(header).to_bytes(4, "little"))
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


def aligned(offset: int) -> int:
    """``offset`` rounded up to a multiple of 8."""
    return (offset + 7) & ~7


class Blob:
    """A byte section of a pack file, read on demand with pread (slicing gives bytes).

    pread rather than mmap: page-cache pages are not charged to the process (a mapped
    record costs its page and the kernel's read-around), so a query that touches records
    all over a large file stays small in memory.
    """

    def __init__(self, fd: int, start: int, length: int):
        self._fd, self._start, self._length = fd, start, length

    def __len__(self) -> int:
        return self._length

    def pieces(self, starts: list[int], stops: list[int]) -> list[bytes]:
        """``[self[a:b] for a, b in zip(starts, stops)]``, with less work per piece."""
        fd, base, read = self._fd, self._start, os.pread
        if starts and (min(starts) < 0 or max(stops) > self._length):
            raise PackDamaged("a record lies outside its section")
        found = [read(fd, b - a, base + a) for a, b in zip(starts, stops, strict=True)]
        if sum(map(len, found)) != sum(stops) - sum(starts):
            raise PackDamaged("pack file shorter than its header says")
        return found

    def __getitem__(self, part: slice) -> bytes:
        first, stop, _ = part.indices(self._length)
        if stop <= first:
            return b""
        data = os.pread(self._fd, stop - first, self._start + first)
        if len(data) != stop - first:
            raise PackDamaged("pack file shorter than its header says")
        return data


class FileSections(dict):
    """Pack sections read from a file when first used: arrays as typed views of a memory
    map (only the pages a query touches are read), blobs by the slice."""

    def __init__(self, fd: int, body: int, layout: dict[str, list[int]]):
        super().__init__()
        self._fd, self._body, self._layout = fd, body, layout
        self._map: memoryview | None = None
        self._more_fds: list[int] = []

    def mapped(self) -> memoryview:
        """The whole pack file, memory-mapped read-only."""
        if self._map is None:
            self._map = memoryview(mmap.mmap(self._fd, 0, access=mmap.ACCESS_READ))
        return self._map

    def __missing__(self, name: str) -> Any:
        offset, length = self._layout[name]
        start = self._body + offset
        meta = self["meta"] if name == "rel_blob" else {}
        if "rel_file" in meta:  # the records are in the data file, not in the pack
            value: Any = self._data_file(meta["rel_file"], meta["rel_shift"])
        elif name in _BLOB_SECTIONS:
            value = Blob(self._fd, start, length)
        elif name in _ARRAY_SECTIONS:
            code = _ARRAY_SECTIONS[name]
            if length % array(code).itemsize or start % 8:
                raise PackDamaged(f"section {name} has a bad length or place")
            value = self.mapped()[start : start + length].cast(code) if length else array(code)
        else:
            raw = os.pread(self._fd, length, start)
            if len(raw) != length:
                raise PackDamaged(f"section {name} is cut short")
            if name in _BYTES_SECTIONS:
                value = raw
            else:
                try:
                    value = msgspec.msgpack.decode(raw)
                except msgspec.DecodeError as exc:
                    raise PackDamaged(str(exc)) from None
        self[name] = value
        return value

    def _data_file(self, path: str, shift: int) -> Blob:
        """The data file the relation records are read from (from ``shift``)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError as exc:
            raise PackDamaged(f"cannot read {path}: {exc.strerror}") from None
        self._more_fds.append(fd)
        return Blob(fd, shift, max(0, os.fstat(fd).st_size - shift))

    def __del__(self) -> None:
        for fd in (self._fd, *self._more_fds):
            with contextlib.suppress(OSError):
                os.close(fd)


def read_pack(path: Path, key: str) -> dict[str, Any]:
    """Open a pack file; raise PackDamaged if its header or layout is off.

    Sections are read when a query first needs them (see ``FileSections``).
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError as exc:
        raise PackDamaged(str(exc)) from None
    try:
        total = os.fstat(fd).st_size
        prefix = os.pread(fd, len(MAGIC) + 4, 0)
        if prefix[: len(MAGIC)] != MAGIC or len(prefix) != len(MAGIC) + 4:
            raise PackDamaged("bad magic")
        size = int.from_bytes(prefix[len(MAGIC) :], "little")
        header = msgspec.msgpack.decode(os.pread(fd, size, len(MAGIC) + 4))
        body = aligned(len(MAGIC) + 4 + size)
        if (
            not isinstance(header, dict)
            or header.get("format") != PACK_FORMAT
            or header.get("key") != key
            or header.get("byteorder") != sys.byteorder
            or body + header.get("size", -1) != total
        ):
            raise PackDamaged("stale or foreign pack")
        layout = header["layout"]
        if set(layout) != {*_MSGPACK_SECTIONS, *_BLOB_SECTIONS, *_BYTES_SECTIONS, *_ARRAY_SECTIONS}:
            raise PackDamaged("sections missing")
        for name, (offset, length) in layout.items():
            if offset < 0 or length < 0 or body + offset + length > total:
                raise PackDamaged(f"section {name} out of bounds")
        return FileSections(fd, body, layout)
    except (msgspec.DecodeError, KeyError, TypeError, ValueError, PackDamaged) as exc:
        os.close(fd)
        if isinstance(exc, PackDamaged):
            raise
        raise PackDamaged(str(exc)) from None

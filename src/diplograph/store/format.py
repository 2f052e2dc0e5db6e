"""The pack file: a dataset's records and index arrays, laid out for reading in place.

Layout: MAGIC, the header's length (4 bytes), the header's checksum (8 bytes), the
header (msgpack: format, key, layout, byteorder, size, checksum kind, each section's
checksum), then the sections, each starting on 8 bytes so that arrays can be mapped as
typed views. Sections hold only JSON, msgpack and raw integer arrays: nothing is executed
or unpickled. ``write_pack`` writes one atomically; ``read_pack`` checks the header and
layout and hands back the sections, each opened when first used. Every section but the
small msgpack one is checked a block at a time (``BLOCK`` bytes, their checksums kept in
a section of their own, ``sums_name``), the blocks a read touches when it touches them:
byte sections read a record at a time with pread (``blocks.Blob``), arrays with pread a
block at a time (``blocks.ReadChecked``). So a query pays, in time and in memory, for the blocks it
reads, not for the size of the graph. Any mismatch raises ``PackDamaged``: the cache is
deleted and the question answered from the data.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Any

import msgspec

from ..model.errors import CacheDamaged as PackDamaged  # a pack that fails its checks
from ..model.records import CERTAINTY
from .blocks import CHECKSUM, Blob, ReadChecked, block_sums, checksum

PACK_FORMAT = 8  # (7: a checksum per section; 8: a checksum per block of every section)
#: Byte sections read a record at a time are checked in blocks of this many bytes.
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

    def __del__(self, close: Any = os.close, suppress: Any = contextlib.suppress) -> None:
        for fd in (self._fd, *self._more_fds):  # (no module globals: at exit, gone)
            with suppress(OSError):
                close(fd)


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

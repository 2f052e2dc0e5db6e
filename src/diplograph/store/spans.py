"""Where each relation's JSON is, and the chunks the builder checks.

A data file is decoded with its relations left as raw JSON (``Head``), then checked a
chunk at a time: ``SpanPart`` cuts chunks from those raw pieces; ``CompactPart`` (the
compact fast path) cuts them straight from the bytes of a file whose relations are
written one comma apart, where records meet (``SEPARATOR``), with no pass over the
array first, and keeps where each record starts (``file_records`` proves the same for
raw pieces), so the pack can read the records from the data file. A layout that is
not what the compact path assumed raises ``NotCompact``: the file is read the simple way.
"""

from __future__ import annotations

import contextlib
import itertools
import mmap
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import msgspec

from ..check.fast import Entity, RelationType, Source, json_array, screened
from . import sizes
from .format import FileRecords
from .tables import Column

Progress = Callable[..., None]  # progress(step, done=None, total=None, unit=""); unit "bytes"


class Head(msgspec.Struct, gc=False, forbid_unknown_fields=True):
    """A data file with its relations left as raw JSON, to be decoded a slice at a time
    (an absent list is None until ``settled``, as in ``Document``)."""

    schema_version: int
    schema: str = msgspec.field(default=None, name="$schema")  # type: ignore[assignment]
    sources: list[Source] = None  # type: ignore[assignment]
    relation_types: list[RelationType] = None  # type: ignore[assignment]
    entities: list[Entity] = None  # type: ignore[assignment]
    relations: list[msgspec.Raw] = None  # type: ignore[assignment]


DECODE_ERRORS = (msgspec.ValidationError, msgspec.DecodeError, ValueError, RecursionError)
#: Where a compactly written relations array starts (its first record begins with its id).
_OPENING = b'"relations":[{"id":'
#: Where two relation records meet in a compactly written array: the next starts two
#: bytes in (``TWO``). In valid JSON these bytes cannot lie inside a string (a raw quote
#: would end it), nor inside a relation (its only nested objects, evidence, have no id),
#: so each one starts a record; the count of records decoded from each slice confirms it.
#: (A pattern starting at the record, with a look-behind, is 10x slower.)
SEPARATOR = b'},{"id":'
BETWEEN = re.compile(re.escape(SEPARATOR))
_SEPARATOR_WORD = int.from_bytes(SEPARATOR, "little")  # its eight bytes read as one integer
TWO = (2).__add__


class NotCompact(Exception):
    """The relations are not laid out as the compact path assumed: they are read the
    usual way instead (this says nothing about whether the data is valid)."""


class SpanPart:
    """Relations as their JSON pieces (``msgspec.Raw``): chunk k is the k-th
    ``sizes.SLICE`` of them."""

    starts = None  # the records' places are not needed: the pieces are kept
    unit = ""  # progress counts relations

    def __init__(self, spans: Sequence):
        self.spans, self.size = spans, len(spans)
        self.chunks = -(-self.size // sizes.SLICE)

    def parallel(self) -> bool:
        return self.size >= sizes.PARALLEL_MIN

    def chunk(self, k: int) -> tuple[bytes, int | None]:
        """(chunk ``k`` as a JSON array of records, None: no count to confirm)."""
        return json_array(self.spans[k * sizes.SLICE : (k + 1) * sizes.SLICE]), None

    def reached(self, k: int) -> int:
        return min(k * sizes.SLICE, self.size)


class CompactPart:
    """Relation records written one comma apart in ``text[begin:stop]`` (from the start of
    one record to the end of the last), decoded straight from the file's bytes: no pass
    over the whole array first. Chunk k holds the records that start in its ``sizes.SLICE_BYTES``
    of the text, so either process finds any chunk's bounds on its own; the offset of
    every record in ``text`` is collected on the way (``starts``), for the pack."""

    unit = "bytes"  # progress counts bytes

    def __init__(self, text: bytes | mmap.mmap, begin: int, stop: int):
        self.text, self.begin, self.stop = text, begin, stop
        self.size = stop - begin
        self.chunks = -(-self.size // sizes.SLICE_BYTES)
        self.starts = Column("q")
        self.view = memoryview(text)  # slices of it are copied once, into each JSON array
        self.numpy = None  # finds the records' starts in large data (imported before a fork)
        if self.size >= sizes.NUMPY_MIN_BYTES:
            import numpy

            self.numpy = numpy

    def parallel(self) -> bool:
        return self.size >= sizes.PARALLEL_MIN_BYTES

    def _record_at(self, k: int) -> int:
        """Where the first record starting in or after chunk ``k`` starts (``stop``:
        none does)."""
        if k == 0:
            return self.begin
        found = BETWEEN.search(self.text, self.begin + k * sizes.SLICE_BYTES - 2, self.stop)
        return self.stop if found is None else found.start() + 2

    def chunk(self, k: int) -> tuple[bytes | None, int | None]:
        """(chunk ``k`` as a JSON array of records, how many records it must hold); None
        for the array when the fast path must not vouch for it (see ``screened``)."""
        first, after = self._record_at(k), self._record_at(k + 1)
        if first >= after:
            return b"[]", 0  # no record starts here (one longer than a chunk does before)
        end = after - 1 if after < self.stop else self.stop  # before the comma, if any
        if self.numpy is None:
            found = list(map(re.Match.start, BETWEEN.finditer(self.text, first, end)))
            count = len(found) + 1
            self.starts.add(itertools.chain((first,), map(TWO, found)), count)
        else:
            starts = self._starts(first, end)
            count = len(starts)
            self.starts.append(starts.tobytes())
        chunk = b"".join((b"[", self.view[first:end], b"]"))
        self._let_go(first, end)
        return screened(chunk), count

    def _let_go(self, first: int, end: int) -> None:
        """Hand the mapped pages of ``text[first:end]`` back (copied into a chunk): the
        kernel keeps them in its page cache, but they no longer count in this process's
        memory, which so stays the size of a few chunks however large the file."""
        if isinstance(self.text, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
            start = first - first % mmap.PAGESIZE
            with contextlib.suppress(OSError, ValueError):
                self.text.madvise(mmap.MADV_DONTNEED, start, end - start)

    def _starts(self, first: int, end: int) -> Any:
        """Where the records in ``text[first:end]`` start (an int64 numpy array): what
        ``BETWEEN`` finds there, found by numpy (four times faster on large data). The
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
        return min(k * sizes.SLICE_BYTES, self.size)


def batches(
    part: SpanPart | CompactPart,
    order: Iterable[int],
    progress: Progress | None = None,
    reached: Callable[[int], int] | None = None,
) -> Iterator[tuple[bytes | None, int | None]]:
    """The chunks of ``part`` in ``order`` (which may hand them out lazily), reporting
    progress as ``reached(k)`` (how many relations or bytes are taken, by both
    processes, when this one takes chunk ``k``)."""
    reached = reached or part.reached
    every = sizes.PROGRESS_BYTES if part.unit else sizes.PROGRESS_EVERY
    shown = None
    for k in order:
        if progress and (shown is None or reached(k) - shown >= every):
            shown = reached(k)
            progress("checking relations", shown, part.size, part.unit)
        yield part.chunk(k)
    if progress:
        progress("checking relations", part.size, part.size, part.unit)


def compact_region(text: bytes) -> tuple[int, int] | None:
    """(start of the first relation, the closing bracket after the last) when the file's
    relations are written compactly and last in the file; else None. Only a guess: the
    caller confirms it (the rest of the file must decode without them, the last record
    must be a relation, each slice must hold as many records as ``BETWEEN`` found)."""
    at = text.find(_OPENING)
    if at < 0:
        return None
    start = at + _OPENING.index(b"{")
    end = text.rfind(b"]")
    if end < start + 2 or text[end - 1 : end] != b"}" or text[end + 1 :].strip() != b"}":
        return None
    return start, end


def decodes(text: bytes, kind: Any) -> bool:
    """Whether ``text`` is valid JSON of type ``kind`` (a quick check, nothing kept)."""
    try:
        msgspec.json.decode(text, type=kind)
    except DECODE_ERRORS:
        return False
    return True


def file_records(path: Path, buffer: bytes, shift: int, spans: list) -> FileRecords | None:
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

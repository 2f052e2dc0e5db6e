"""Writing a pack's search file (its layout and reading: ``searchfile``).

The file is written in one pass, a slice of records at a time (memory stays small on a
million relations); many relations' quotes are folded by two processes (see ``write``).
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import msgspec

from ..model.gcpause import paused_gc
from ..model.text import fold_joined, fold_many
from ..model.vocabulary import relation_label
from ..parallel import Claims, forked, received_arrays, send_arrays, two_processes
from . import candidates, searchfile
from .blocks import CHECKSUM, block_sums, checksum, whole
from .format import aligned, temp_prefix
from .searchfile import MAGIC, SEPARATOR, TEXT_BLOCK, TEXTS
from .searchindex import label_key

#: Records read and folded per slice.
SLICE = 50_000
#: From this many relations, quotes are folded by two processes (when the machine can).
PARALLEL_MIN = 200_000
#: From this many relations, their label keys are worked out with numpy.
NUMPY_MIN = 50_000


class _Quote(msgspec.Struct, gc=False):
    quote: str | None = None
    url: str | None = None
    locator: str | None = None

    def text(self) -> str:
        """What search looks in: the quote, and where it is (a coded fact's URL)."""
        if self.url is None and self.locator is None:
            return self.quote or ""
        return " ".join(filter(None, (self.quote, self.url, self.locator)))


class _Quotes(msgspec.Struct, gc=False):
    """A relation record, for its quotes and note only (other fields are skipped unread)."""

    evidence: list[_Quote]
    note: str | None = None

    def texts(self) -> list[_Quote]:
        """What search looks in, in order: each piece of evidence, then the note (its
        place is one past the evidence)."""
        if self.note is None:
            return self.evidence
        return [*self.evidence, _Quote(quote=self.note)]


class _Description(msgspec.Struct, gc=False):
    description: str | None = None


class _BlockSums:
    """The checksum of each TEXT_BLOCK bytes of a text written piece by piece."""

    def __init__(self) -> None:
        self.sums = array("Q")
        self.carry = b""

    def add(self, data: Any) -> None:
        view = memoryview(data).cast("B")
        if self.carry:
            take = TEXT_BLOCK - len(self.carry)
            self.carry += bytes(view[:take])
            view = view[take:]
            if len(self.carry) < TEXT_BLOCK:
                return
            self.sums.append(checksum(self.carry))
            self.carry = b""
        whole = len(view) - len(view) % TEXT_BLOCK
        self.sums.extend(checksum(view[at : at + TEXT_BLOCK]) for at in range(0, whole, TEXT_BLOCK))
        self.carry = bytes(view[whole:])

    def done(self) -> array:
        if self.carry:
            self.sums.append(checksum(self.carry))
            self.carry = b""
        return self.sums


class _Writer:
    """Sections written one after the other, each starting on 8 bytes, each one's
    checksum worked out as it is written (texts: a checksum per block)."""

    def __init__(self, out: IO[bytes]):
        self.out, self.layout = out, {}
        self.sums: dict[str, int] = {}
        self.blocks = {name: _BlockSums() for name in TEXTS}
        self.array_sums: dict[str, array] = {}
        self.kernel_copies = True  # until a copy is refused
        out.write(MAGIC)

    def begin(self, name: str) -> None:
        position = self.out.tell()
        self.out.write(bytes(aligned(position) - position))
        self.layout[name] = [self.out.tell(), 0]

    def write(self, name: str, data: Any) -> None:
        self.layout[name][1] += self.out.write(data)  # bytes written
        if name in self.blocks:
            self.blocks[name].add(data)
        else:  # an array: written at once, a checksum per block (``blocks.Checked``)
            self.array_sums[name] = block_sums(memoryview(data).cast("B"))

    def copy(self, name: str, source: IO[bytes], start: int, length: int) -> None:
        """Add ``length`` bytes of the file ``source`` from ``start``: copied by the
        kernel where both are files on a system that can (no trip through this process's
        memory), else read and written; either way read for their checksums."""
        out = self.out
        out.flush()
        at = out.tell()
        try:
            if not self.kernel_copies:
                raise OSError("refused before")
            copy_range = os.copy_file_range  # Linux
            source_fd, out_fd = source.fileno(), out.fileno()
            done = 0
            while done < length:
                moved = copy_range(source_fd, out_fd, length - done, start + done, at + done)
                if moved <= 0:
                    raise OSError("copy_file_range made no progress")
                done += moved
            out.seek(at + length)
        except (AttributeError, OSError, io.UnsupportedOperation):
            self.kernel_copies = False
            out.seek(at)  # (anything copied before a failure is written over)
            source.seek(start)
            out.write(source.read(length))
        for first in range(start, start + length, 1 << 22):
            source.seek(first)
            self.blocks[name].add(source.read(min(1 << 22, start + length - first)))
        self.layout[name][1] += length

    def section(self, name: str, data: Any) -> None:
        self.begin(name)
        self.write(name, data)

    def _sums_section(self, name: str, sums: array) -> None:
        """A section of block checksums, itself checked whole when the file is opened."""
        self.begin(name)
        self.layout[name][1] += self.out.write(sums)
        self.sums[name] = checksum(sums)

    def finish(self, key: str) -> None:
        """The texts' block checksums, then the footer with every section's checksum."""
        for name in TEXTS:
            self._sums_section(f"{name}_sums", self.blocks[name].done())
        for name, sums in list(self.array_sums.items()):
            self._sums_section(f"{name}_sums", sums)
        footer = msgspec.msgpack.encode(
            {"key": key, "layout": self.layout, "checksum": CHECKSUM, "sums": self.sums}
        )
        self.out.write(footer)
        self.out.write(checksum(footer).to_bytes(8, "little"))
        self.out.write(len(footer).to_bytes(8, "little"))


def _folded(texts: list[str], at: int, order: Iterable[int] | None = None) -> tuple[bytes, array]:
    """``texts`` folded, each followed by the separator, as UTF-8, and where each starts,
    counting from byte ``at``; with ``order``, the texts are laid out in that order (the
    positions of ``texts``)."""
    if order is not None:
        texts = list(map(texts.__getitem__, order))
    if not texts:
        return b"", array("q")
    joined = fold_joined(texts)  # ASCII texts: folded in one pass, as bytes
    if joined is None:  # (a text holds a NUL, or is not ASCII)
        parts = [part.encode("utf-8") for part in fold_many(texts)]
        data = SEPARATOR.encode().join(parts) + SEPARATOR.encode()
        lengths: Iterable[int] = map(len, parts)
    else:  # the separators are the only NULs: where each text ends
        data = joined + SEPARATOR.encode()
        if len(texts) >= NUMPY_MIN:
            import numpy as np

            ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0)
            starts = np.empty(len(ends), dtype=np.int64)
            starts[0] = at
            starts[1:] = ends[:-1] + (at + 1)
            return data, array("q", starts.tobytes())
        lengths = map(len, joined.split(SEPARATOR.encode()))
    starts = array("q", itertools.accumulate(map((1).__add__, lengths), initial=at))
    starts.pop()  # where the text after the last would start
    return data, starts


#: The arrays of ``_QuoteSlices.joined()``: starts, owner_rel, owner_pos, quote_key and
#: quotes per slice; a process handing its slices over adds their blob pieces' sizes.
_JOINED_CODES = ("q", "i", "i", "Q", "q")


class _QuoteSlices:
    """The quotes of relations, folded a slice at a time (slice k: relations k * SLICE
    up to the next), in any order; ``add`` gives each slice's blob piece, ``joined`` its
    arrays, the slices in order. Within a slice the quotes are laid out by their
    relation's label key (``keys``), so a search can meet the matches of each slice in
    the order of the rows they make."""

    def __init__(self, packed: Any, keys: array):
        self.packed, self.count, self.keys = packed, packed.number_of_edges(), keys
        self.slices = -(-self.count // SLICE)
        self.decoder = msgspec.json.Decoder(list[_Quotes])
        #: slice -> (its blob piece's size, starts within it, then the other arrays)
        self.done: dict[int, tuple] = {}
        self.numpy = None  # sorts each slice by key, on many relations
        if self.count >= NUMPY_MIN:
            import numpy

            self.numpy = numpy

    def _by_key(self, first: int, stop: int) -> tuple[list[int], array, array]:
        """The relations first..stop-1 in the order of their keys (stable), as positions
        from ``first``, then as relation indices, with their keys."""
        np = self.numpy
        if np is None:
            keys = self.keys[first:stop]
            order = sorted(range(stop - first), key=keys.__getitem__)
            return (
                order,
                array("i", map(first.__add__, order)),
                array("Q", map(keys.__getitem__, order)),
            )
        keys = np.frombuffer(self.keys, dtype=np.uint64)[first:stop]
        ordered = keys.argsort(kind="stable")
        rels = (ordered + first).astype(np.intc)
        return ordered.tolist(), array("i", rels.tobytes()), array("Q", keys[ordered].tobytes())

    def add(self, k: int) -> bytes:
        """Fold slice ``k``: its blob piece (returned), where each quote starts in it,
        each quote's relation, place in that relation's evidence and label key, and how
        many quotes the slice holds (kept for ``joined``)."""
        first = k * SLICE
        stop = min(first + SLICE, self.count)
        records = self.decoder.decode(self.packed.records_json("rel", first, stop))
        order, owner_rel, quote_key = self._by_key(first, stop)
        evidence = [record.texts() for record in records]  # in the records' order
        quotes = [q.text() for q in itertools.chain.from_iterable(evidence)]
        owner_pos = array("i")
        if len(quotes) == stop - first:  # one quote each (every relation has one or more)
            owner_pos.frombytes(bytes(owner_pos.itemsize * len(quotes)))  # all zeros
            layout: Iterable[int] = order
        else:
            sizes = list(map(len, evidence))
            at = list(itertools.accumulate(sizes, initial=0))  # each record's first quote
            sizes = list(map(sizes.__getitem__, order))
            chain = itertools.chain.from_iterable
            layout = chain(
                map(range, map(at.__getitem__, order), map(at.__getitem__, (n + 1 for n in order)))
            )
            owner_rel = array("i", chain(map(itertools.repeat, owner_rel, sizes)))
            quote_key = array("Q", chain(map(itertools.repeat, quote_key, sizes)))
            owner_pos.extend(chain(map(range, sizes)))
        data, starts = _folded(quotes, 0, layout)
        counts = array("q", [len(quotes)])
        self.done[k] = (len(data), starts, owner_rel, owner_pos, quote_key, counts)
        return data

    def joined(self) -> tuple[array, array, array, array, array]:
        """(starts counted from the first slice's piece, owner_rel, owner_pos, quote_key,
        quotes per slice) of the slices folded here, in order: their pieces lie one after
        the other in that order."""
        starts, *more = map(array, _JOINED_CODES)
        size = 0
        for k in sorted(self.done):
            length, at, *columns = self.done.pop(k)
            if size and self.numpy is not None:
                at = array(
                    "q", (self.numpy.frombuffer(at, dtype=self.numpy.int64) + size).tobytes()
                )
            elif size:
                at = array("q", map(size.__add__, at))
            starts.extend(at)
            for values, column in zip(more, columns, strict=True):
                values.extend(column)
            size += length
        return starts, *more


def index_of(packed: Any) -> Any:
    """``packed``'s SearchIndex: its search file (``packed.sidecar``) when it is current,
    else written there first (atomically, hearing ``packed.progress``), else (no
    sidecar, an unwritable cache folder) built in memory."""
    if packed.sidecar is not None:
        found = searchfile.read_file(packed, packed.sidecar)
        if found is not None:
            return found
        temp = None
        try:
            handle, temp = tempfile.mkstemp(
                prefix=temp_prefix(".search."), dir=packed.sidecar.parent
            )
            with os.fdopen(handle, "wb") as out:
                write(packed, out, packed.key, packed.progress)
            os.replace(temp, packed.sidecar)
            temp = None
        except OSError:
            pass  # an unwritable cache folder: build it in memory below
        finally:
            if temp is not None:
                Path(temp).unlink(missing_ok=True)
            if packed.progress:
                packed.progress(None)
        found = searchfile.read_file(packed, packed.sidecar)
        if found is not None:
            return found
    buffer = io.BytesIO()
    write(packed, buffer, packed.key)
    return searchfile.read(packed, buffer.getvalue(), packed.key)


def write(packed: Any, out: IO[bytes], key: str, progress: Any = None) -> None:
    """Write ``packed``'s search index to ``out`` (a binary file open for writing);
    ``progress(step, done, total)`` hears how far it got.

    The quotes come first, each slice written as soon as it is folded. Those of many
    relations are shared with a forked child, as ``build`` shares the relations: the
    parent first makes the name candidates and the descriptions, then both fold slices
    of quotes, the parent from the front and the child from the back, until they meet;
    the child writes its pieces to a temporary file as it goes, and the parent copies
    them in after its own."""
    writer = _Writer(out)
    writer.begin("quote_blob")
    with paused_gc():  # a few objects per quote, no cycles
        quotes = _QuoteSlices(packed, _relation_keys(packed))
        shared = _shared(quotes, writer, lambda: _entity_sections(packed, progress), progress)
        if shared is None:  # one process
            sections = _entity_sections(packed, progress)
            for k in range(quotes.slices):
                if progress:
                    progress("indexing quotes for search", k * SLICE, quotes.count)
                writer.write("quote_blob", quotes.add(k))
            joined = quotes.joined()
        else:
            sections, joined = shared
    starts, owner_rel, owner_pos, quote_key, counts = joined
    for name, data in sections.items():
        writer.section(name, data)
    writer.section("quote_starts", starts)
    writer.section("owner_rel", owner_rel)
    writer.section("owner_pos", owner_pos)
    writer.section("quote_key", quote_key)
    writer.section("quote_slices", array("q", itertools.accumulate(counts, initial=0)))
    writer.finish(key)


def _relation_keys(packed: Any) -> array:
    """Each relation's ``label_key``, from the arrays and the name table. With numpy
    (many relations): a source's name of eight bytes or more decides the key alone, so
    only relations from shorter names are labelled one by one."""
    types = packed.type_names
    relation_types = packed.graph["relation_types"]
    src, dst, rtype = packed.relation_columns()
    if len(src) < NUMPY_MIN:
        names = list(packed.names)
        return array(
            "Q",
            [
                label_key(relation_label(relation_types, names[u], types[t], names[v]))
                for u, v, t in zip(src, dst, rtype, strict=True)
            ],
        )
    import numpy as np

    by_source, short = _name_keys(packed.names)
    sources = np.frombuffer(whole(src), dtype=np.intc)
    keys = by_source[sources]
    shorter = np.flatnonzero(short[sources]).tolist()
    if shorter:
        ends = [*map(src.__getitem__, shorter), *map(dst.__getitem__, shorter)]
        names = dict(zip(ends, packed.names.many(ends), strict=True))
        for r in shorter:
            label = relation_label(relation_types, names[src[r]], types[rtype[r]], names[dst[r]])
            keys[r] = label_key(label)
    return array("Q", keys.tobytes())


def _name_keys(names: Any) -> tuple[Any, Any]:
    """(Each name's first eight bytes of UTF-8, padded with NULs, as one big-endian
    integer; whether it is shorter than eight bytes), as numpy arrays, cut from the
    name table's blob by offsets: no name is decoded."""
    import numpy as np

    off = np.frombuffer(whole(names.offsets), dtype=np.int64)
    starts, lengths = off[:-1], off[1:] - off[:-1]
    blob = names.blob[0 : int(off[-1])] if len(off) else b""
    data = np.frombuffer(bytes(blob) + bytes(8), dtype=np.uint8)  # (reads past the end)
    width = np.arange(8)
    firsts = data[starts[:, None] + width]
    firsts[width >= lengths[:, None]] = 0  # a shorter name's own bytes, then NULs
    return firsts.view(">u8").ravel().astype(np.uint64), lengths < 8


def _shared(
    quotes: _QuoteSlices, writer: _Writer, alongside: Callable[[], dict[str, Any]], progress: Any
) -> tuple[dict[str, Any], tuple] | None:
    """(``alongside()``, ``quotes.joined()`` of every slice), the slices folded by this
    process and a forked child (its part joined in as one slice, the first it took), and
    their pieces written to ``writer``'s quote blob in order; None where the work stays
    in one process (small data, one core, no fork, no file locks)."""
    if quotes.count < PARALLEL_MIN or not two_processes():
        return None
    with tempfile.TemporaryFile() as handoff, tempfile.TemporaryFile() as pieces:
        try:
            claims = Claims(quotes.slices, handoff)
        except OSError:
            return None
        writer.out.flush()  # (the child must never write what this process buffered)

        def child_work() -> int:
            sizes = array("q")  # of its pieces, in the order they are written
            for k in claims.back():
                sizes.append(pieces.write(quotes.add(k)))
            pieces.flush()
            send_arrays(handoff, [*quotes.joined(), sizes], [])
            return 0

        with forked(child_work) as child:
            sections = alongside()
            for k in claims.front():
                if progress:
                    done = min(claims.taken(quotes.slices) * SLICE, quotes.count)
                    progress("indexing quotes for search", done, quotes.count)
                writer.write("quote_blob", quotes.add(k))
            child.wait()
        if child.code == 0:  # its slices, as one entry of ours
            *arrays, sizes = [array(code) for code in (*_JOINED_CODES, "q")]
            received = received_arrays(handoff)  # (each read when reached)
            for values in (*arrays, sizes):
                values.frombytes(next(received))
            # written last slice first (taken from the back): copied in slice order
            ends = list(itertools.accumulate(sizes))
            for size, end in zip(reversed(sizes), reversed(ends), strict=True):
                writer.copy("quote_blob", pieces, end - size, size)
            quotes.done[claims.meeting()] = (ends[-1] if ends else 0, *arrays)
        else:  # the child died (out of memory, killed): fold its slices here
            for k in range(claims.meeting(), quotes.slices):
                writer.write("quote_blob", quotes.add(k))
    return sections, quotes.joined()


def _entity_sections(packed: Any, progress: Any) -> dict[str, Any]:
    """The sections made from entities: folded descriptions and the name candidates."""
    desc_node, desc_starts, pieces = array("i"), array("q"), []
    size = 0
    entity_decoder = msgspec.json.Decoder(list[_Description])
    for first in range(0, len(packed.ids), SLICE):
        stop = min(first + SLICE, len(packed.ids))
        records = entity_decoder.decode(packed.records_json("ent", first, stop))
        texts = [record.description for record in records]
        desc_node.extend(itertools.compress(itertools.count(first), texts))
        texts = list(filter(None, texts))
        if texts:
            data, starts = _folded(texts, size)
            desc_starts.extend(starts)
            pieces.append(data)
            size += len(data)
    if progress:
        progress("indexing names for search")
    table = packed.exact.keys_table
    if len(table) >= NUMPY_MIN:  # read as bytes, never decoded
        offsets = whole(table.offsets)
        blob = bytes(table.blob[0 : offsets[-1]])
        found = candidates.of_table(blob, offsets)
    else:
        found = candidates.sections(list(packed.exact))
    return {
        "desc_blob": b"".join(pieces),
        **found,
        "desc_node": desc_node,
        "desc_starts": desc_starts,
    }

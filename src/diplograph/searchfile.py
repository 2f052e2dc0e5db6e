"""A packed graph's search index, as a file that search reads in place.

What ``query.search`` scans, for a PackedGraph: the name candidates (``NameCandidates``),
and every description and evidence quote folded (``resolve.fold``) and joined by NULs,
with where each text starts. The file is written in one pass, a slice of records at a
time (memory stays small on a million relations), and read through a memory map: the
arrays are typed views, and the texts are searched where they lie.

Layout: MAGIC, then sections (each on 8 bytes), then a msgpack footer (key, layout), then
the footer's length in 8 bytes. The footer names the pack it belongs to; anything that
does not check out is ignored and rebuilt.
"""

from __future__ import annotations

import itertools
from array import array
from bisect import bisect_right
from typing import IO, Any

import msgspec

from .pack import _aligned
from .resolve import fold_many

MAGIC = b"DIPLOGRAPH-SRCH\x03"
SEPARATOR = "\x00"  # between folded texts; fold() keeps it
#: Records read and folded per slice.
SLICE = 50_000
ARRAYS = {
    "cand_len": "q",
    "cand_byte": "q",
    "cand_key_off": "i",
    "cand_key": "i",
    "desc_node": "i",
    "desc_starts": "q",
    "quote_starts": "q",
    "owner_rel": "i",
    "owner_pos": "i",
}
TEXTS = ("cand_text", "desc_blob", "quote_blob")


class _Quote(msgspec.Struct, gc=False):
    quote: str


class _Quotes(msgspec.Struct, gc=False):
    """A relation record, for its quotes only (other fields are skipped unread)."""

    evidence: list[_Quote]


class _Description(msgspec.Struct, gc=False):
    description: str | None = None


class _Writer:
    """Sections written one after the other, each starting on 8 bytes."""

    def __init__(self, out: IO[bytes]):
        self.out, self.layout = out, {}
        out.write(MAGIC)

    def begin(self, name: str) -> None:
        position = self.out.tell()
        self.out.write(bytes(_aligned(position) - position))
        self.layout[name] = [self.out.tell(), 0]

    def write(self, name: str, data: Any) -> None:
        self.layout[name][1] += self.out.write(data)  # bytes written

    def section(self, name: str, data: Any) -> None:
        self.begin(name)
        self.write(name, data)

    def finish(self, key: str) -> None:
        footer = msgspec.msgpack.encode({"key": key, "layout": self.layout})
        self.out.write(footer)
        self.out.write(len(footer).to_bytes(8, "little"))


def _folded(texts: list[str], at: int) -> tuple[bytes, array]:
    """``texts`` folded, each followed by the separator, as UTF-8, and where each starts,
    counting from byte ``at``."""
    parts = fold_many(texts)
    data = (SEPARATOR.join(parts) + SEPARATOR).encode("utf-8")
    if len(data) == sum(map(len, parts)) + len(parts):  # ASCII: characters are bytes
        sizes = list(map(len, parts))
    else:
        sizes = [len(part.encode("utf-8")) for part in parts]
    starts = array("q", itertools.accumulate(map((1).__add__, sizes), initial=at))
    starts.pop()  # where the text after the last would start
    return data, starts


def write(packed: Any, out: IO[bytes], key: str, progress: Any = None) -> None:
    """Write ``packed``'s search index to ``out`` (a binary file open for writing);
    ``progress(step, done, total)`` hears how far it got."""
    from .query import NameCandidates

    writer = _Writer(out)
    # descriptions, then quotes: texts folded a slice at a time
    desc_node, desc_starts = array("i"), array("q")
    writer.begin("desc_blob")
    entity_decoder = msgspec.json.Decoder(list[_Description])
    for first in range(0, len(packed.ids), SLICE):
        stop = min(first + SLICE, len(packed.ids))
        records = entity_decoder.decode(packed.records_json("ent", first, stop))
        texts = []
        for i, record in enumerate(records, first):
            if record.description:
                desc_node.append(i)
                texts.append(record.description)
        if texts:
            data, starts = _folded(texts, writer.layout["desc_blob"][1])
            desc_starts.extend(starts)
            writer.write("desc_blob", data)
    owner_rel, owner_pos, quote_starts = array("i"), array("i"), array("q")
    writer.begin("quote_blob")
    relation_decoder = msgspec.json.Decoder(list[_Quotes])
    count = packed.number_of_edges()
    for first in range(0, count, SLICE):
        if progress:
            progress("indexing quotes for search", first, count)
        stop = min(first + SLICE, count)
        records = relation_decoder.decode(packed.records_json("rel", first, stop))
        evidence = [r.evidence for r in records]
        quotes = [q.quote for q in itertools.chain.from_iterable(evidence)]
        if len(quotes) == stop - first:  # one quote each (every relation has one or more)
            owner_rel.extend(range(first, stop))
            owner_pos.frombytes(bytes(owner_pos.itemsize * len(quotes)))  # all zeros
        else:
            sizes = list(map(len, evidence))
            chain = itertools.chain.from_iterable
            owner_rel.extend(chain(map(itertools.repeat, range(first, stop), sizes)))
            owner_pos.extend(chain(map(range, sizes)))
        data, starts = _folded(quotes, writer.layout["quote_blob"][1])
        quote_starts.extend(starts)
        writer.write("quote_blob", data)
    if progress:
        progress("indexing names for search")
    names = NameCandidates.build(list(packed.exact))
    encoded = [f"{t}\n".encode() for t in names["texts"]]  # folded texts hold no newline
    byte_at = [0, *itertools.accumulate(map(len, encoded))]
    writer.section("cand_text", b"".join(encoded))
    writer.section("cand_len", array("q", names["starts"]))
    writer.section("cand_byte", array("q", [byte_at[i] for i in names["starts"]]))
    writer.section("cand_key_off", array("i", names["offsets"]))
    writer.section("cand_key", array("i", names["indices"]))
    writer.section("desc_node", desc_node)
    writer.section("desc_starts", desc_starts)
    writer.section("quote_starts", quote_starts)
    writer.section("owner_rel", owner_rel)
    writer.section("owner_pos", owner_pos)
    writer.finish(key)


class TextSection:
    """A section of a buffer (bytes or a memory map) that ``blob_hits`` searches in
    place, like bytes."""

    def __init__(self, buffer: Any, start: int, length: int):
        self._buffer, self._start, self._length = buffer, start, length

    def __len__(self) -> int:
        return self._length

    def find(self, needle: bytes, position: int = 0) -> int:
        found = self._buffer.find(needle, self._start + position, self._start + self._length)
        return -1 if found == -1 else found - self._start

    def __getitem__(self, part: slice) -> bytes:
        first, stop, _ = part.indices(self._length)
        return bytes(self._buffer[self._start + first : self._start + max(first, stop)])


def read(packed: Any, buffer: Any, key: str) -> Any | None:
    """The SearchIndex in ``buffer`` (bytes or a memory map), or None when the buffer is
    not a complete index of this pack."""
    from .query import NameCandidates, SearchIndex

    try:
        size = len(buffer)
        if buffer[: len(MAGIC)] != MAGIC or size < len(MAGIC) + 8:
            return None
        footer_size = int.from_bytes(buffer[size - 8 : size], "little")
        if footer_size > size - len(MAGIC) - 8:
            return None
        footer = msgspec.msgpack.decode(buffer[size - 8 - footer_size : size - 8])
        if not isinstance(footer, dict) or footer.get("key") != key:
            return None
        layout = footer["layout"]
        if set(layout) != {*ARRAYS, *TEXTS}:
            return None
        view = memoryview(buffer)
        parts: dict[str, Any] = {}
        for name, (start, length) in layout.items():
            if start < len(MAGIC) or length < 0 or start + length > size - 8 - footer_size:
                return None
            if name in ARRAYS:
                code = ARRAYS[name]
                if start % 8 or length % array(code).itemsize:
                    return None
                parts[name] = view[start : start + length].cast(code)
            else:
                parts[name] = TextSection(buffer, start, length)
        starts = parts["cand_len"]
        if (
            len(parts["quote_starts"]) != len(parts["owner_rel"])
            or len(parts["owner_pos"]) != len(parts["owner_rel"])
            or len(parts["desc_starts"]) != len(parts["desc_node"])
            or not len(starts)
            or len(starts) != len(parts["cand_byte"])
            or len(parts["cand_key_off"]) != starts[-1] + 1
        ):
            return None
    except (ValueError, KeyError, TypeError, IndexError, msgspec.DecodeError):
        return None
    owner_rel, owner_pos = parts["owner_rel"], parts["owner_pos"]
    where = dict(zip(starts, parts["cand_byte"], strict=True))  # candidate -> byte offset
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
            lambda position: [packed.ids[i] for i in packed.exact.at(position)],
        ),
        [packed.ids[i] for i in parts["desc_node"]],
        (parts["desc_blob"], parts["desc_starts"]),
        (parts["quote_blob"], parts["quote_starts"]),
        (owner_rel.__getitem__, packed.edges_of, packed.relation_ends),
        owner_pos.__getitem__,
    )


def search_blob(texts: list[str]) -> tuple[str, list[int]]:
    """Folded texts joined by the separator, and where each starts (substring search on
    a networkx graph; a packed graph keeps the same as UTF-8 in its search file)."""
    parts = fold_many(texts)
    starts = list(itertools.accumulate((len(part) + 1 for part in parts), initial=0))
    starts.pop()
    return SEPARATOR.join(parts), starts


def blob_hits(blob: Any, starts: Any, needle: Any) -> list[int]:
    """Indices of the texts in ``blob`` that contain ``needle`` (str in str, or bytes in
    UTF-8 bytes or a mapped section: the same matches)."""
    hits: list[int] = []
    position = blob.find(needle)
    while position != -1:
        item = bisect_right(starts, position) - 1
        if not hits or hits[-1] != item:
            hits.append(item)
        following = starts[item + 1] if item + 1 < len(starts) else len(blob)
        position = blob.find(needle, following)
    return hits

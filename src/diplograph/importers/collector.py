"""The merge of rows into relations and of entities by identifier, and the streaming,
atomic writer of the result, in memory that does not grow with the rows.

Memory holds the entity tables (they grow with the distinct actors, not the rows).
Each row goes to one of ``BUCKETS`` temporary files, chosen by the hash of its merge key
(type, the two ends in sorted order, date), so every row that can merge with it lands in
the same file, in reading order. Each bucket is then merged on its own (a bucket larger
than ``BUCKET_BYTES`` is split again, by a different hash, until each part fits) into a
run of relations ordered by their first row; the data file is written by merging the
runs in that order. So the relations come out in the order they first appeared, as a
merge held wholly in memory would write them, and memory holds one bucket at a time.
"""

from __future__ import annotations

import heapq
import re
import struct
import tempfile
from array import array
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import msgspec

from ..model.records import CODED, ENTITY_TYPES
from .common import Progress, Report, nothing_kept

#: Coder numbers summed when rows merge (counts); the others are averaged (scales).
SUMMED = frozenset({"mentions", "sources", "articles", "events"})
#: Aliases kept per entity (the most frequent names are chosen by the importers).
MAX_ALIASES = 12
#: Temporary files the rows are spread over by their merge key.
BUCKETS = 64
#: A bucket holding more rows than this (in bytes, as spilled) is split again.
BUCKET_BYTES = 4 << 20
#: How many parts a bucket too large is split into.
SPLIT = 16

_SIZE = struct.Struct("<I")  # the length of each spilled row
_BLOCK = 1 << 20  # spilled rows are read back this many bytes at a time
_RUN = struct.Struct("<qI")  # a merged relation: its first row's number, its JSON's length
_ID = struct.Struct("<qq")  # a merged relation: its id's hash, its first row's number


class _Spill:
    """Length-prefixed records appended to an anonymous temporary file (removed when
    closed, or when the process dies)."""

    def __init__(self) -> None:
        self.file: BinaryIO = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self.size = 0

    def add(self, blob: bytes) -> None:
        self.file.write(_SIZE.pack(len(blob)))
        self.file.write(blob)
        self.size += _SIZE.size + len(blob)

    def records(self) -> Iterator[bytes]:
        """Every record added, read a block at a time."""
        self.file.flush()
        self.file.seek(0)
        left = b""
        while block := self.file.read(_BLOCK):
            data = left + block if left else block
            at, end = 0, len(data)
            while at + _SIZE.size <= end:
                (size,) = _SIZE.unpack_from(data, at)
                if at + _SIZE.size + size > end:
                    break
                at += _SIZE.size
                yield data[at : at + size]
                at += size
            left = data[at:]

    def close(self) -> None:
        self.file.close()


class Collector:
    """Entities and relations as rows come in, merged; written by ``write``.

    ``relation(...)`` merges a row into the relation with the same type, ends and date
    (the ends in either order for symmetric types). For a type with a direction, a row
    whose document (article, or story and sentence) already coded the same type, date
    and actors the other way round is that event coded twice: it merges into the reverse
    relation, so one coded event never yields relations in both directions. Rows are
    merged when ``write`` is called; the counts in the report are final after it.
    """

    def __init__(self, report: Report, types: dict[str, dict]):
        self.report = report
        self.types = types
        self.entities: dict[str, dict] = {}
        self._by_identifier: dict[tuple[str, str], str] = {}
        self.used: set[str] = set()  # the entities some relation refers to
        self._buckets: list[_Spill | None] = [None] * BUCKETS
        #: (id hash, first row) of each merged relation, spread by the hash
        self._ids: list[_Spill | None] = [None] * BUCKETS
        self._rows = 0
        self._encode = msgspec.msgpack.Encoder().encode
        self._decode = msgspec.msgpack.Decoder().decode

    def close(self) -> None:
        for spill in (*self._buckets, *self._ids):
            if spill is not None:
                spill.close()
        self._buckets, self._ids = [None] * BUCKETS, [None] * BUCKETS

    # -- entities ----------------------------------------------------------------------

    def entity(
        self,
        eid: str,
        name: str,
        etype: str,
        *,
        aliases: tuple[str, ...] | list[str] = (),
        identifiers: dict[str, str] | None = None,
        lat: float | None = None,
        lon: float | None = None,
        description: str | None = None,
    ) -> str:
        """The id of the entity described (merged with one sharing an identifier or id)."""
        name, aliases = printable(name), [printable(alias) for alias in aliases]
        description = printable(description) if description else description
        for pair in (identifiers or {}).items():
            found = self._by_identifier.get(pair)
            if found is not None:
                if found != eid and eid not in self.entities:
                    self.report.entities_merged += 1
                eid = found
                break
        record = self.entities.get(eid)
        if record is None:
            assert etype in ENTITY_TYPES, etype
            record = {"id": eid, "name": name, "type": etype}
            if description:
                record["description"] = description
            self.entities[eid] = record
        for alias in (name, *aliases):
            add_alias(record, alias)
        if identifiers:
            known = record.setdefault("identifiers", {})
            for key, value in identifiers.items():
                known.setdefault(key, value)
                self._by_identifier.setdefault((key, value), eid)
        if lat is not None and lon is not None and "lat" not in record:
            record["lat"], record["lon"] = lat, lon
        return eid

    # -- relations ---------------------------------------------------------------------

    def relation(
        self,
        rid: str,
        rtype: str,
        source: str,
        target: str,
        evidence: dict,
        *,
        document: str,
        date: str | None = None,
        place: str | None = None,
        certainty: str = CODED,
        numbers: dict[str, float] | None = None,
        extra: dict | None = None,
    ) -> None:
        """Take one row (merged with the others when ``write`` is called)."""
        row = (self._rows, rid, rtype, source, target, evidence, document, date, place)
        row += (certainty, numbers, extra)
        self._rows += 1
        k = _bucket(row, 0, BUCKETS)
        bucket = self._buckets[k]
        if bucket is None:
            bucket = self._buckets[k] = _Spill()
        bucket.add(self._encode(row))

    def _merged(self, bucket: _Spill, depth: int = 0) -> _Spill:
        """A run of the relations the rows of ``bucket`` make: (first row's number,
        JSON) records, in the order of their first rows. ``bucket`` is closed, and so
        is every temporary file made on the way, whatever happens."""
        opened: list[_Spill] = [bucket]
        try:
            if bucket.size > BUCKET_BYTES:
                parts: list[_Spill | None] = [None] * SPLIT
                for blob in bucket.records():
                    k = _bucket(self._decode(blob), depth + 1, SPLIT)
                    part = parts[k]
                    if part is None:
                        part = parts[k] = _Spill()
                        opened.append(part)
                    part.add(blob)
                split = [part for part in parts if part is not None]
                if len(split) > 1:  # (rows of one merge key cannot be split)
                    runs = []
                    for part in split:
                        opened.remove(part)
                        runs.append(self._merged(part, depth + 1))
                        opened.append(runs[-1])
                    return _joined_runs(runs)
                bucket = split[0]
            run = _Spill()
            opened.append(run)
            for first, record in _merge_rows(map(self._decode, bucket.records()), self):
                blob = msgspec.json.encode(record)
                run.file.write(_RUN.pack(first, len(blob)))
                run.file.write(blob)
                value = hash(record["id"])
                part = self._ids[value % BUCKETS]
                if part is None:
                    part = self._ids[value % BUCKETS] = _Spill()
                part.file.write(_ID.pack(value, first))
            opened.remove(run)
            return run
        finally:
            for spill in opened:
                spill.close()

    # -- writing -----------------------------------------------------------------------

    def write(
        self,
        output: str,
        force: bool,
        sources: list[dict],
        relation_types: list[dict] | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Merge the rows, then write the data file atomically: compact JSON, relations
        last (the layout the cache builder reads fastest), only entities some relation
        refers to. Nothing is written when no row made a relation (``nothing_kept``)."""
        from ..files.atomic import write_atomic

        runs: list[_Spill] = []
        try:
            filled = [b for b in self._buckets if b is not None]
            for n, bucket in enumerate(filled):
                if progress:
                    progress("merging rows", n, len(filled))
                self._buckets[self._buckets.index(bucket)] = None  # (closed by _merged)
                runs.append(self._merged(bucket))
            if progress and filled:
                progress("merging rows", len(filled), len(filled))
            if self.report.relations == 0:
                raise nothing_kept(self.report, output)
            repeated = _repeated_ids(self._ids)
            entities = [e for eid, e in self.entities.items() if eid in self.used]
            self.report.entities = len(entities)
            self.report.output = output
            total = self.report.relations

            def body(out: BinaryIO) -> None:
                encode = msgspec.json.encode
                out.write(b'{"schema_version":1,"sources":' + encode(sources))
                if relation_types:
                    out.write(b',"relation_types":' + encode(relation_types))
                out.write(b',"entities":' + encode(entities) + b',"relations":[')
                pieces: list[bytes] = []
                written = 0
                ordered = heapq.merge(*map(_run_records, runs))
                for r, (first, blob) in enumerate(ordered):
                    if first in repeated:  # (or only a hash in common: a suffix does no harm)
                        record = msgspec.json.decode(blob)
                        record["id"] = f"{record['id']}-{r}"
                        blob = encode(record)
                    pieces.append(blob)
                    if len(pieces) >= 2000:
                        out.write((b"," if written else b"") + b",".join(pieces))
                        written += len(pieces)
                        pieces.clear()
                        if progress:
                            progress("writing relations", written, total)
                if pieces:
                    out.write((b"," if written else b"") + b",".join(pieces))
                    written += len(pieces)
                if progress:  # (the bar ends at the total, not at the last full block)
                    progress("writing relations", written, total)
                out.write(b"]}\n")

            write_atomic(body, output, force)
        finally:
            for run in runs:
                run.close()


def _bucket(row: tuple | list, depth: int, count: int) -> int:
    """Which of ``count`` parts a row goes to: by its merge key (type, sorted ends,
    date), hashed with ``depth`` so that a part split again spreads anew."""
    _, _, rtype, source, target, _, _, date = row[:8]
    low, high = (source, target) if source <= target else (target, source)
    return hash((depth, rtype, low, high, date)) % count


def _merge_rows(rows: Iterable[list], collector: Collector) -> Iterator[tuple[int, dict]]:
    """(first row's number, relation record) for the relations ``rows`` make (rows in
    reading order, all those that may merge together among them), in order of their
    first rows. Counts kept and merged rows, and the entities used, on ``collector``."""
    report, types = collector.report, collector.types
    keys: dict[tuple, int] = {}
    coded: set[int] = set()  # hashes of (type, source, target, date, document)
    firsts: list[int] = []
    records: list[dict] = []
    forward = array("b")  # per relation: whether its source sorts first
    numbers: list[dict[str, list[float]] | None] = []  # name -> [sum, count]
    for row in rows:
        first, rid, rtype, source, target, evidence, document, date, place = row[:9]
        certainty, found, extra = row[9:]
        symmetric = types[rtype]["symmetric"]
        ends = (source, target) if not symmetric or source <= target else (target, source)
        key = (rtype, *ends, date)
        r = keys.get(key)
        reverse = False
        if not symmetric:
            back = keys.get((rtype, target, source, date))
            if back is not None and hash((rtype, target, source, date, document)) in coded:
                # this document coded the event the other way round already: one event
                r, reverse = back, True
            else:
                coded.add(hash((rtype, source, target, date, document)))
        if r is None:
            r = keys[key] = len(records)
            record: dict[str, Any] = {"id": rid, "type": rtype, "source": source}
            record["target"] = target
            if date:
                record["date"] = date
            if place:
                record["place"] = place
                collector.used.add(place)
            record["certainty"] = certainty
            record.update(extra or {})
            record["evidence"] = [evidence]
            records.append(record)
            firsts.append(first)
            forward.append(source <= target)
            numbers.append(None)
            collector.used.update((source, target))
            report.kept += 1
        else:
            records[r]["evidence"].append(evidence)
            if symmetric:  # A->B merged with B->A: counted as coded the other way round
                reverse = (source <= target) != forward[r]
            report.merged += 1
            report.merged_reverse += reverse
        if found:
            sums = numbers[r]
            if sums is None:
                sums = numbers[r] = {}
            for name, value in found.items():
                total = sums.setdefault(name, [0.0, 0])
                total[0] += value
                total[1] += 1
    report.relations += len(records)
    for first, record, sums in zip(firsts, records, numbers, strict=True):
        if sums:
            attributes = {}
            for name, (total, count) in sums.items():
                value = total if name in SUMMED else total / count
                attributes[name] = int(value) if value == int(value) else round(value, 4)
            record["attributes"] = attributes
        yield first, record


def _run_records(run: _Spill) -> Iterator[tuple[int, bytes]]:
    """A run's (first row's number, relation JSON) records, in order."""
    run.file.flush()
    run.file.seek(0)
    read = run.file.read
    while head := read(_RUN.size):
        first, size = _RUN.unpack(head)
        yield first, read(size)


def _joined_runs(runs: list[_Spill]) -> _Spill:
    """One run holding the records of ``runs`` (each closed), in order."""
    joined = _Spill()
    try:
        for first, blob in heapq.merge(*map(_run_records, runs)):
            joined.file.write(_RUN.pack(first, len(blob)))
            joined.file.write(blob)
    except BaseException:
        joined.close()
        raise
    finally:
        for run in runs:
            run.close()
    return joined


def _repeated_ids(parts: list[_Spill | None]) -> set[int]:
    """The first rows of the relations whose id an earlier relation has already (a
    repeated event id in the input), from their ids' hashes, spread over ``parts`` by
    value: each part is sorted on its own (16 bytes a relation of one part)."""
    import numpy as np

    found: set[int] = set()
    for part in parts:
        if part is None:
            continue
        part.file.flush()
        part.file.seek(0)
        pairs = np.frombuffer(part.file.read(), dtype=np.int64).reshape(-1, 2)
        order = np.lexsort((pairs[:, 1], pairs[:, 0]))  # by hash, then by first row
        ordered = pairs[order]
        later = np.flatnonzero(ordered[1:, 0] == ordered[:-1, 0]) + 1
        found.update(ordered[later, 1].tolist())
    return found


_C1 = re.compile("[\x80-\x9f]")


def _c1_as_windows_1252(found: re.Match) -> str:
    return found.group().encode("latin-1").decode("cp1252", errors="ignore")


def printable(text: str) -> str:
    """``text`` without C1 control characters, which data may not hold: coders' text
    often holds Windows-1252 punctuation read as Latin-1 (U+0091 for a quote), put back
    as the character it meant; the few without a meaning there are left out."""
    return _C1.sub(_c1_as_windows_1252, text) if _C1.search(text) else text


def add_alias(record: dict, alias: str) -> None:
    """Add ``alias`` to an entity record unless it is its name or already there."""
    alias = alias.strip()
    if not alias or alias == record["name"]:
        return
    aliases = record.setdefault("aliases", [])
    if alias not in aliases and len(aliases) < MAX_ALIASES:
        aliases.append(alias)

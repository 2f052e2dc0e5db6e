"""The merge of rows into relations and of entities by identifier, and the streaming,
atomic writer of the result.

Memory holds the entity tables and one small record per distinct relation (its merge
key, where its latest evidence went, its coder numbers summed); each row's evidence is
written to a temporary spill file as it is read, chained to the previous evidence of its
relation, and the data file is written at the end by walking those chains. So a million
rows take memory in proportion to the distinct relations they make, not to the rows or
the evidence.
"""

from __future__ import annotations

import os
import struct
import tempfile
from array import array
from collections.abc import Iterator
from typing import Any, BinaryIO

import msgspec

from ..model.records import CODED, ENTITY_TYPES
from .common import Progress, Report

#: Coder numbers summed when rows merge (counts); the others are averaged (scales).
SUMMED = frozenset({"mentions", "sources", "articles", "events"})
#: Aliases kept per entity (the most frequent names are chosen by the importers).
MAX_ALIASES = 12

_HEAD = struct.Struct("<qi")  # previous evidence's offset (-1: none), length of this one


class Collector:
    """Entities and relations as rows come in, merged; written by ``write``.

    ``relation(...)`` merges a row into the relation with the same type, ends and date
    (the ends in either order for symmetric types). For a type with a direction, a row
    whose document (article, or story and sentence) already coded the same type, date
    and actors the other way round is that event coded twice: it merges into the reverse
    relation, so one coded event never yields relations in both directions.
    """

    def __init__(self, report: Report, types: dict[str, dict]):
        self.report = report
        self.types = types
        self.entities: dict[str, dict] = {}
        self._by_identifier: dict[tuple[str, str], str] = {}
        self._keys: dict[tuple, int] = {}
        self._last = array("q")  # per relation: spill offset of its latest evidence
        #: hashes of (type, source, target, date, document) of the rows of types with a
        #: direction: the one index that grows with the rows (about 60 bytes a row)
        self._coded: set[int] = set()
        self._forward = array("b")  # per relation: whether its source sorts first
        self._ids = array("q")  # per relation: the hash of its id (see _repeated_ids)
        self._numbers: dict[str, tuple[array, array]] = {}  # name -> (sums, counts)
        self.used: set[str] = set()
        self._spill = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._at = 0
        self._encode = msgspec.json.Encoder().encode

    def close(self) -> None:
        self._spill.close()

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
        """Merge one row into the relations (see the class docstring); counts it."""
        symmetric = self.types[rtype]["symmetric"]
        ends = tuple(sorted((source, target))) if symmetric else (source, target)
        key = (rtype, *ends, date)
        r = self._keys.get(key)
        reverse = False
        if not symmetric:
            back = self._keys.get((rtype, target, source, date))
            if back is not None and hash((rtype, target, source, date, document)) in self._coded:
                # this document coded the event the other way round already: one event
                r, reverse = back, True
            else:
                self._coded.add(hash((rtype, source, target, date, document)))
        if r is None:
            r = len(self._last)
            self._keys[key] = r
            self._ids.append(hash(rid))
            record: dict[str, Any] = {"id": rid, "type": rtype, "source": source}
            record["target"] = target
            if date:
                record["date"] = date
            if place:
                record["place"] = place
                self.used.add(place)
            record["certainty"] = certainty
            record.update(extra or {})
            record["evidence"] = [evidence]
            self._last.append(self._put(-1, record))
            self._forward.append(source <= target)
            for sums, counts in self._numbers.values():
                sums.append(0.0)
                counts.append(0)
            self.used.update((source, target))
            self.report.kept += 1
        else:
            self._last[r] = self._put(self._last[r], evidence)
            if symmetric:  # A->B merged with B->A: counted as coded the other way round
                reverse = (source <= target) != self._forward[r]
            self.report.merged += 1
            self.report.merged_reverse += reverse
        for name, value in (numbers or {}).items():
            column = self._numbers.get(name)
            if column is None:
                count = len(self._last)
                column = (array("d", bytes(8 * count)), array("q", bytes(8 * count)))
                self._numbers[name] = column
            column[0][r] += value
            column[1][r] += 1

    def _put(self, previous: int, record: dict) -> int:
        blob = self._encode(record)
        at = self._at
        self._spill.write(_HEAD.pack(previous, len(blob)))
        self._spill.write(blob)
        self._at += _HEAD.size + len(blob)
        return at

    def _repeated_ids(self) -> set[int]:
        """The relations whose id an earlier relation has already (a repeated event id
        in the input): found by sorting the ids' hashes, 8 bytes a relation."""
        import numpy as np

        hashes = np.frombuffer(self._ids, dtype=np.int64)
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        later = np.flatnonzero(ordered[1:] == ordered[:-1]) + 1
        return set(order[later].tolist())

    def _relations(self) -> Iterator[bytes]:
        """Each relation's compact JSON, its evidence in reading order."""
        repeated = self._repeated_ids() if len(self._ids) else set()
        self._spill.flush()
        spill = self._spill.fileno()
        decode = msgspec.json.decode
        names = list(self._numbers)
        for r, last in enumerate(self._last):
            chain = []
            at = last
            while at >= 0:
                previous, size = _HEAD.unpack(os.pread(spill, _HEAD.size, at))
                chain.append(os.pread(spill, size, at + _HEAD.size))
                at = previous
            head = decode(chain.pop())
            if r in repeated:  # (or only a hash in common: a suffix does no harm)
                head["id"] = f"{head['id']}-{r}"
            if chain:
                head["evidence"].extend(decode(b"[" + b",".join(reversed(chain)) + b"]"))
            found = {}
            for name in names:
                sums, counts = self._numbers[name]
                if counts[r]:
                    total = sums[r]
                    value = total if name in SUMMED else total / counts[r]
                    found[name] = int(value) if value == int(value) else round(value, 4)
            if found:
                head["attributes"] = found
            yield self._encode(head)

    # -- writing -----------------------------------------------------------------------

    def write(
        self,
        output: str,
        force: bool,
        sources: list[dict],
        relation_types: list[dict] | None = None,
        progress: Progress | None = None,
    ) -> None:
        """Write the data file atomically: compact JSON, relations last (the layout the
        cache builder reads fastest), only entities some relation refers to."""
        from ..formats.common import write_atomic

        entities = [e for eid, e in self.entities.items() if eid in self.used]
        self.report.entities = len(entities)
        self.report.relations = len(self._last)
        self.report.output = output
        total = len(self._last)

        def body(out: BinaryIO) -> None:
            encode = self._encode
            out.write(b'{"schema_version":1,"sources":' + encode(sources))
            if relation_types:
                out.write(b',"relation_types":' + encode(relation_types))
            out.write(b',"entities":' + encode(entities) + b',"relations":[')
            pieces: list[bytes] = []
            written = 0
            for blob in self._relations():
                pieces.append(blob)
                if len(pieces) >= 2000:
                    out.write((b"," if written else b"") + b",".join(pieces))
                    written += len(pieces)
                    pieces.clear()
                    if progress:
                        progress("writing relations", written, total)
            if pieces:
                out.write((b"," if written else b"") + b",".join(pieces))
            out.write(b"]}\n")

        write_atomic(body, output, force)


def add_alias(record: dict, alias: str) -> None:
    """Add ``alias`` to an entity record unless it is its name or already there."""
    alias = alias.strip()
    if not alias or alias == record["name"]:
        return
    aliases = record.setdefault("aliases", [])
    if alias not in aliases and len(aliases) < MAX_ALIASES:
        aliases.append(alias)

"""What every importer shares: the merge of rows into relations, the entity tables with
their merge by identifier, the report, and the streaming, atomic writer of the result.

Memory holds the entity tables and one small record per distinct relation (its merge
key, where its latest evidence went, its coder numbers summed); each row's evidence is
written to a temporary spill file as it is read, chained to the previous evidence of its
relation, and the data file is written at the end by walking those chains. So a million
rows take memory in proportion to the distinct relations they make, not to the rows or
the evidence.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import struct
import tempfile
import unicodedata
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

import msgspec

from ..errors import DataError, UsageError
from ..model import CODED, ENTITY_TYPES
from ..resolve import fold

Progress = Callable[..., None]  # progress(step, done=None, total=None, unit="")

#: Coder numbers summed when rows merge (counts); the others are averaged (scales).
SUMMED = frozenset({"mentions", "sources", "articles", "events"})
#: Aliases kept per entity (the most frequent names are chosen by the importers).
MAX_ALIASES = 12

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "x") -> str:
    """A lowercase id made of ``text``'s letters and digits ("Kim Jong-Un" -> kim-jong-un)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    found = _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")
    return found[:80].strip("-") or fallback


def bundled_file(name: str) -> Path:
    from ..load import bundled_data_dir

    return bundled_data_dir() / name


def vocabulary() -> dict[str, dict]:
    """The bundled relation types, by id."""
    doc = json.loads(bundled_file("vocabulary.json").read_text(encoding="utf-8"))
    return {t["id"]: t for t in doc["relation_types"]}


class CameoMap:
    """CAMEO event code -> relation type, from ``data/cameo.json`` (longest prefix wins)."""

    def __init__(self) -> None:
        doc = json.loads(bundled_file("cameo.json").read_text(encoding="utf-8"))
        self.codes = {row["code"]: row["type"] for row in doc["codes"]}
        self.actor_types: dict[str, str] = doc["actor_types"]
        #: ISO 3166-1 alpha-3 (= CAMEO country code) -> {"iso3166": alpha-2, "name": ...}
        self.countries: dict[str, dict] = doc["countries"]
        self._by_country_name = {
            fold(name): code
            for code, country in self.countries.items()
            for name in (country["name"], *country.get("other_names", ()))
        }
        self._cache: dict[str, str | None] = {}

    def country_by_name(self, name: str) -> str | None:
        """The alpha-3 code of a country's name ("Russian Federation" -> RUS), or None."""
        return self._by_country_name.get(fold(name))

    def type_of(self, code: str) -> str | None:
        """The relation type of an event code, or None for a code that is not CAMEO."""
        found = self._cache.get(code, "")
        if found != "":
            return found
        found = None
        if code.isdigit():
            for end in range(len(code), 1, -1):
                found = self.codes.get(code[:end])
                if found:
                    break
        self._cache[code] = found
        return found


@dataclass
class Report:
    """What an import did: rows read, kept, merged and skipped (with why)."""

    files: list[str] = field(default_factory=list)
    rows: int = 0
    kept: int = 0  # rows that made a relation of their own
    merged: int = 0  # rows that became one more piece of evidence of a relation
    merged_reverse: int = 0  # of those: the same event coded in the other direction
    skipped: Counter = field(default_factory=Counter)
    entities: int = 0
    entities_merged: int = 0  # entities found to be one by a shared identifier
    relations: int = 0
    output: str = ""
    notes: list[str] = field(default_factory=list)

    def skip(self, why: str) -> None:
        self.skipped[why] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "output": self.output,
            "rows": self.rows,
            "kept": self.kept,
            "merged": self.merged,
            "merged_reverse": self.merged_reverse,
            "skipped": sum(self.skipped.values()),
            "skipped_why": dict(self.skipped.most_common()),
            "entities": self.entities,
            "entities_merged": self.entities_merged,
            "relations": self.relations,
            "notes": self.notes,
        }

    def lines(self) -> list[str]:
        """The report as lines of text (for stderr)."""
        skipped = sum(self.skipped.values())
        out = [
            f"read {self.rows:,} rows: {self.kept:,} kept, {self.merged:,} merged into "
            f"another row's relation ({self.merged_reverse:,} of them the same event coded in "
            f"the other direction), {skipped:,} skipped",
        ]
        out += [f"  skipped {n:,}: {why}" for why, n in self.skipped.most_common()]
        merged = f" ({self.entities_merged:,} merged by identifier)" if self.entities_merged else ""
        out.append(
            f"wrote {self.output}: {self.entities:,} entities{merged}, {self.relations:,} relations"
        )
        out += self.notes
        return out


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read from it (for a progress bar)."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n or 0


@contextlib.contextmanager
def open_text(path: Path) -> Iterator[tuple[IO[str], Callable[[], int], int]]:
    """(text file, bytes read so far, size) for ``path``; errors name the file."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except IsADirectoryError:
        raise DataError([f"{path}: is a folder, expected a file"]) from None
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise DataError([f"{path}: cannot read ({reason})"]) from None
    counting = _Counting(raw)
    text = io.TextIOWrapper(
        io.BufferedReader(counting, 1 << 20), encoding="utf-8-sig", errors="replace", newline=""
    )
    try:
        yield text, lambda: counting.count, os.fstat(raw.fileno()).st_size
    finally:
        raw.close()


def checked_rows(reader: Any, path: Path) -> Iterator[list[str]]:
    """The rows of a ``csv.reader``; a row it cannot read is a DataError at its line."""
    import csv

    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError([f"{path}:{reader.line_num}: cannot read the row ({exc})"]) from None
        yield row


def closest_column(name: str, columns: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
    lowered = {c.lower(): c for c in columns}
    if name.lower() in lowered:
        close = [lowered[name.lower()]]
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_output(output: str, force: bool) -> None:
    """Refuse early (before reading anything) an output that cannot be written."""
    from ..export import _prepare_target

    if output == "-":
        raise UsageError("give --output FILE: an import writes a data file")
    if Path(output).is_dir():
        from ..errors import ExportError

        raise ExportError(f"{output}: is a folder; give a file name")
    _prepare_target(output, force)


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
            if hash((rtype, target, source, date, document)) in self._coded:
                # this document coded the event the other way round already: one event
                r, reverse = self._keys[(rtype, target, source, date)], True
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
            for sums, counts in self._numbers.values():
                sums.append(0.0)
                counts.append(0)
            self.used.update((source, target))
            self.report.kept += 1
        else:
            self._last[r] = self._put(self._last[r], evidence)
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
        from ..export import write_atomic

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


def number(text: str) -> float | None:
    """A finite number from a cell, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def tick(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total, "bytes")

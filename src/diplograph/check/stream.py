"""The full checker's messages for data of any size, a slice of records at a time.

``files.check_files`` reads whole documents into Python objects: at a million relations
that takes about a minute and 3 GB just to name one bad record. ``find_problems`` finds
the same problems, with the same messages in the same order, while holding one slice of
entities or relations at a time: each slice is first decoded and checked by the fast
path (``fastcheck``'s Structs, checked in C); only a slice it cannot vouch for is read
as plain JSON and checked record by record with ``model``'s rules. The cross-record
rules run over whole slices at once, and record by record only where a slice breaks one.
"""

from __future__ import annotations

import codecs
import contextlib
import itertools
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from ..model import records as model
from ..model.errors import DataError
from ..model.rules import CITED, REFERENCES, holds
from ..parallel import Child, forked, two_processes
from .fast import EVIDENCE_COLUMNS, Entity, Relation, json_array, screened
from .files import check_files, file_order, line_col, read_json, repeated_message
from .repeats import (
    RepeatedKey,
    colons_expected,
    no_repeats,
    repeated_key_at,
    repeats_a_key,
    repeats_at_top,
)

#: Records per slice: small enough that a slice's records stay in the processor's cache.
SLICE = 2_000
#: Progress is reported about every this many relations.
PROGRESS_EVERY = 50_000
#: From this many records of a kind, a forked child checks the last part of them ...
PARALLEL_MIN = 200_000
#: ... while the parent checks the first part (it then also does the cross-record rules
#: on the child's part, in order).
PARENT_SHARE = 0.5
#: The kinds of records read a slice at a time (the others are few).
STREAMED = ("entities", "relations")

_RAW_FIELDS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_RAW_LIST = msgspec.json.Decoder(list[msgspec.Raw])
_DECODERS = {
    "entities": msgspec.json.Decoder(list[Entity]),
    "relations": msgspec.json.Decoder(list[Relation]),
}
_FIELDS = {"entities": Entity.__struct_fields__, "relations": Relation.__struct_fields__}
_DECODE_ERRORS = (msgspec.DecodeError, msgspec.ValidationError, RecursionError)


class _Unreadable(Exception):
    """A part of a file that ``json`` reads differently from msgspec (or not at all)."""


class _Repeated(_Unreadable):
    """A key repeated in one object: the file's only problem, as ``read_json`` says."""


class _File:
    """One data file: what was read of it, and the problems found in it so far."""

    def __init__(self, name: str):
        self.name = name
        #: each record's own problems, in reading order: the file's others, then
        #: those of its entities, then those of its relations
        self.shape: dict[str, list[str]] = {"head": [], **{kind: [] for kind in STREAMED}}
        self.duplicates: dict[str, list[str]] = {kind: [] for kind in model.RECORDS}
        self.references: list[str] = []
        self.head: dict[str, Any] = {}  # the checked sources and relation types
        self.spans: dict[str, list[msgspec.Raw]] = {kind: [] for kind in STREAMED}
        self.checked: dict[str, list] = {}  # or, for a file read whole, checked records


def find_problems(files: list[Path], progress: Callable[..., None] | None = None) -> list[str]:
    """Every problem ``files.check_files`` would raise for ``files`` (an empty list when
    the data is valid), found a slice of records at a time."""
    try:
        try:
            return _find_problems(files, progress, {})
        except _Repeated:
            pass  # (out of the handler: its traceback holds what was read)
        # a file with a repeated key is, for the full checker, that one problem and no
        # records: each such file's first repeat is found, then the rest checked
        broken = {str(f): m for f in files if (m := _first_repeat(f)) is not None}
        if not broken:
            raise _Unreadable
        return _find_problems(files, progress, broken)
    except _Unreadable:  # something only the whole-document reader reads: let it say
        try:
            check_files(files)
        except DataError as exc:
            return exc.problems
        return []


def _find_problems(
    files: list[Path], progress: Callable[..., None] | None, broken: dict[str, str]
) -> list[str]:
    """``find_problems``; ``broken``: the files with a repeated key, and its message."""
    read = [_read(file, broken.get(str(file))) for file in files]
    duplicates = model.Duplicates()
    for found in read:  # every id first: relations may refer to any file's entities
        for kind in ("sources", "relation_types"):
            for i, record in enumerate(found.head.get(kind, [])):
                if record is not None:
                    _add(found.duplicates[kind], duplicates.check(kind, found.name, i, record))
        _records(found, "entities", duplicates, None)
    references = model.References(duplicates)
    total, done = sum(len(f.spans["relations"]) for f in read), [0]

    def tick(count: int) -> None:
        if progress and (done[0] + count) // PROGRESS_EVERY > done[0] // PROGRESS_EVERY:
            progress("finding the problems", done[0] + count, total)
        done[0] += count

    if progress and total:
        progress("finding the problems", 0, total)
    for found in read:
        _records(found, "relations", duplicates, references, tick)
    problems = [
        *(p for f in read for part in f.shape.values() for p in part),
        *(p for f in read for kind in model.RECORDS for p in f.duplicates[kind]),
        *(p for f in read for p in f.references),
    ]
    return file_order(problems, files)


def _add(problems: list[str], found: str | None) -> None:
    if found:
        problems.append(found)


def _read(file: Path, repeat: str | None = None) -> _File:
    """The file's own problems and its records, entities and relations left as JSON
    (``repeat``: the message for a key repeated in it, then its only problem)."""

    found = _File(str(file))
    if repeat is not None:
        found.shape["head"].append(repeat)
        return found
    try:
        raw = file.read_bytes().removeprefix(b"\xef\xbb\xbf")
        # msgspec checks the syntax of what it skips, but not that its text is UTF-8;
        # control characters are looked for slice by slice (see _vouched)
        fields = _RAW_FIELDS.decode(raw) if _utf8(raw) else None
    except (OSError, *_DECODE_ERRORS):
        fields = None
    if fields is None:  # not an object of fields msgspec can read: the whole file, in full
        try:
            doc = read_json(file)
        except DataError as exc:
            found.shape["head"].extend(exc.problems)
            return found
        problems = model.check_document(doc)
        found.shape["head"].extend(f"{file}: {p}" for p in problems)
        if isinstance(doc, dict):
            found.head = model.without_bad_records(doc, problems)
            found.checked = {kind: found.head.pop(kind, []) for kind in STREAMED}
        return found
    if repeats_at_top(raw, fields):
        raise _Repeated  # (the full checker names it: ``_first_repeat`` leaves it)
    doc = {name: _loaded(value) for name, value in fields.items() if name not in STREAMED}
    problems = model.check_document(doc)
    found.shape["head"].extend(f"{file}: {p}" for p in problems)
    found.head = model.without_bad_records(doc, problems)
    for kind in STREAMED:
        if kind in fields:
            try:
                found.spans[kind] = _RAW_LIST.decode(fields[kind])
            except msgspec.ValidationError:
                problem = model.not_an_array(kind, _loaded(fields[kind]))
                found.shape[kind].append(f"{file}: {problem}")
    return found


def _utf8(raw: bytes) -> bool:
    """Whether ``raw`` is UTF-8 text (checked a chunk at a time: no copy of it all)."""
    if raw.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for at in range(0, len(raw), 1 << 24):
            decoder.decode(view[at : at + (1 << 24)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _loaded(value: bytes | msgspec.Raw) -> Any:
    """A JSON value as ``json`` reads it (so as ``check_files`` sees it). A key repeated
    in one object is ``_Unreadable`` too: ``read_json`` says where, for the whole file."""
    try:
        return json.loads(bytes(value).decode("utf-8"), object_pairs_hook=no_repeats)
    except RepeatedKey:
        raise _Repeated from None
    except (ValueError, RecursionError):
        raise _Unreadable from None


def _records(
    found: _File,
    kind: str,
    duplicates: model.Duplicates,
    references: model.References | None,
    tick: Callable[[int], None] | None = None,
) -> None:
    """Check the file's records of ``kind``: their own problems, duplicate ids, and (for
    relations) references, a slice at a time (``tick(n)`` after each slice of n)."""
    if kind in found.checked:  # read whole, checked already: the cross-record rules
        _one_by_one(found, kind, 0, found.checked[kind], duplicates, references)
        return
    spans = found.spans[kind]
    starts = range(0, len(spans), SLICE)
    with _ahead(kind, spans, starts, references) as ahead:
        for start in starts:
            if tick and start:
                tick(SLICE)
            piece = spans[start : start + SLICE]
            if start in ahead:  # the child's verdict: the slice's text only if needed
                verdict = ahead.pop(start)
                text = b"" if verdict is not None else json_array(piece)
            else:
                text = json_array(piece)
                verdict = _verdict(kind, text, references)
            if verdict is None:  # the fast path cannot vouch: each record in full
                records = _loaded(text)
                for i, record in enumerate(records):
                    problems = model.record_problems(kind, record, start + i)
                    found.shape[kind].extend(f"{found.name}: {p}" for p in problems)
                    if problems:
                        records[i] = model.stub(record)
                _one_by_one(found, kind, start, records, duplicates, references)
                continue
            ids, resolved = verdict
            seen = duplicates.seen[kind]
            if not model.IDS[kind].hold(ids) or not seen.keys().isdisjoint(ids):
                records = _plain_records(kind, text or json_array(piece))
                _one_by_one(found, kind, start, records, duplicates, references)
                continue
            # what Duplicates.check keeps for an id seen first here
            firsts = zip(
                itertools.repeat(found.name), itertools.count(start), itertools.repeat(None)
            )
            seen.update(zip(ids, firsts, strict=False))  # firsts never ends
            if not resolved:
                records = _plain_records(kind, text or json_array(piece))
                _one_by_one(found, kind, start, records, None, references)


def _verdict(
    kind: str, text: bytes, references: model.References | None
) -> tuple[list[str], bool] | None:
    """For a slice the fast path vouches for: its ids, and whether its relations break
    no cross-record rule besides ids (True for entities); else None."""
    vouched = _vouched(kind, text)
    if vouched is None:
        return None
    fields = vouched[1]
    return list(fields["id"]), references is None or _resolve(fields, references)


def _plain_records(kind: str, text: bytes) -> list:
    """The records of a slice the fast path vouched for, as plain values."""
    return msgspec.to_builtins(_DECODERS[kind].decode(text))


@contextlib.contextmanager
def _ahead(
    kind: str, spans: list, starts: range, references: model.References | None
) -> Iterator[dict[int, Any]]:
    """Verdicts on the last slices, found by a forked child while the parent works
    through the first ones: {slice start: ``_verdict``}, filled in when the parent
    reaches the first of them (empty: no child, or it failed; the parent then does
    those slices itself)."""
    if len(spans) < PARALLEL_MIN or not two_processes():
        yield {}
        return
    theirs = starts[int(len(starts) * PARENT_SHARE) :]
    with tempfile.TemporaryFile() as handoff:

        def child_work() -> int:
            found = {
                start: _verdict(kind, json_array(spans[start : start + SLICE]), references)
                for start in theirs
            }
            handoff.write(msgspec.msgpack.encode(found))
            handoff.flush()
            return 0

        with forked(child_work) as child:
            yield _Verdicts(theirs[0], child, handoff)


class _Verdicts(dict):
    """The child's verdicts, read from it when the parent first asks for one of them."""

    def __init__(self, first: int, child: Child, handoff: Any):
        super().__init__()
        self.first, self.child, self.handoff = first, child, handoff
        self._collected = False

    def __contains__(self, start: object) -> bool:
        if not self._collected and isinstance(start, int) and start >= self.first:
            self._collect()
        return super().__contains__(start)

    def _collect(self) -> None:
        self._collected = True
        if self.child.wait() == 0:
            self.handoff.seek(0)
            found = msgspec.msgpack.decode(self.handoff.read())
            self.update((int(start), verdict) for start, verdict in found.items())


def _one_by_one(
    found: _File,
    kind: str,
    start: int,
    records: list,
    duplicates: model.Duplicates | None,
    references: model.References | None,
) -> None:
    """The cross-record rules, record by record (``duplicates`` None: ids seen already)."""
    for i, record in enumerate(records, start):
        if record is None:
            continue
        if duplicates is not None:
            _add(found.duplicates[kind], duplicates.check(kind, found.name, i, record))
        if references is not None and not record.get("_bad"):
            where = f"{found.name}: {kind}[{i}]"
            found.references.extend(references.problems(where, record))


def _vouched(kind: str, text: bytes) -> tuple[list, dict[str, tuple]] | None:
    """The slice's records as Structs, and the fields the cross-record rules read (as
    columns), when none has a problem of its own; else None."""
    if screened(text) is None:
        return None  # a control character or the like somewhere
    try:
        records = _DECODERS[kind].decode(text)
    except _DECODE_ERRORS:
        return None
    if not records:
        return records, {"id": ()}
    # every field of each record in one call (no attribute lookups), then as columns
    columns = tuple(zip(*map(msgspec.structs.astuple, records), strict=True))
    if repeats_a_key(text, colons_expected(columns, _FIELDS[kind], model.RECORDS[kind])):
        return None  # a key repeated in a record
    fields = dict(zip(_FIELDS[kind], columns, strict=True))
    if kind == "relations":
        evidence = list(itertools.chain.from_iterable(fields["evidence"]))
        cited = zip(*map(msgspec.structs.astuple, evidence), strict=True)
        fields.update(zip(EVIDENCE_COLUMNS, cited, strict=True))  # (every relation cites)
    return (records, fields) if holds(kind, fields) else None  # (model.rules.ALONE)


def _resolve(fields: dict[str, tuple], references: model.References) -> bool:
    """True when no relation in the slice breaks a cross-record rule (besides ids):
    ``model.rules.REFERENCES`` and ``CITED``."""
    known = {
        "entities": references.entities,
        "relation_types": references.types,
        "sources": references.sources,
    }
    return all(rule.hold(fields, known[rule.to]) for rule in (*REFERENCES, CITED))


# -- the first repeated key ------------------------------------------------------------------


def _first_repeat(file: Path) -> str | None:
    """``read_json``'s message for the first key repeated in one object of ``file``, in
    reading order, found a slice of records at a time (a slice the fast path vouches for
    repeats none); None when there is none, or when it is at the top level (the full
    checker then says)."""
    import numpy as np

    try:
        raw = file.read_bytes().removeprefix(b"\xef\xbb\xbf")
        fields = _RAW_FIELDS.decode(raw)
    except (OSError, *_DECODE_ERRORS):
        return None
    if not _utf8(raw) or repeats_at_top(raw, fields):
        return None  # the full checker says what comes first

    def address(value: Any) -> int:
        return np.frombuffer(value, dtype=np.uint8).ctypes.data

    for name, value in fields.items():  # in reading order
        records = name in STREAMED and memoryview(value)[:1] == b"["
        pieces = _RAW_LIST.decode(value) if records else [value]
        for start in range(0, len(pieces), SLICE):
            piece = pieces[start : start + SLICE]
            if records and _vouched(name, json_array(piece)) is not None:
                continue
            for one in piece:
                text = bytes(one).decode("utf-8", "replace")
                try:
                    json.loads(text, object_pairs_hook=no_repeats)
                except RepeatedKey:
                    found = repeated_key_at(text)
                    if found is None:
                        return None
                    at, key = found
                    where = address(one) - address(raw) + len(text[:at].encode())
                    prefix = raw[:where].decode("utf-8", "replace")
                    return repeated_message(file, *line_col(prefix, len(prefix)), key)
                except (ValueError, RecursionError):
                    continue
    return None

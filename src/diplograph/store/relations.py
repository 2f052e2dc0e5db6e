"""Checking and indexing relations, a chunk at a time, in one process or two.

``index_relations`` decodes each chunk with Structs whose relation types and evidence
sources are ``Literal``s (checked in C), checks each record's own rules and the colons
of its text (``check.repeats``), and turns the fields into index arrays, column by
column. ``split_relations`` shares large data with a forked child (``parallel``): each
takes chunks from one end until they meet. The rules that need all relations at once
(no id twice, no relation joining an entity to itself, every "reported" one naming who
reported it) run on the joined arrays (``sound``).
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import struct
import tempfile
from array import array
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from ..check.fast import EVIDENCE_COLUMNS, relation_struct
from ..check.repeats import colons_expected, repeats_a_key
from ..model import dates, rules
from ..model.records import RECORDS
from ..model.rules import Edtf, holds
from ..parallel import Claims, forked, received_arrays, send_arrays, two_processes
from . import sizes
from .format import CERTAINTY_CODES, RELATION_ARRAYS
from .spans import (
    DECODE_ERRORS,
    CompactPart,
    NotCompact,
    Progress,
    SpanPart,
    batches,
    decodes,
)
from .tables import Column

#: The codes of the enumerations ``model.rules`` reads, as the arrays hold them.
_CODES = {"certainty": CERTAINTY_CODES}
#: The index array of each relation field naming an entity (its positions, -1 for none),
#: stated once: a reference to entities (``rules.REFERENCES``) not here is looked up, not
#: kept. The reporter and place arrays become the pack's rep_off/rep_rel and
#: pla_off/pla_rel adjacencies.
POSITIONS = {"source": "src", "target": "dst", "reported_by": "reporter", "place": "place"}
#: The index array of each field held as codes (``_CODES``).
CODED = {name: name for name in _CODES}
#: The index arrays of relations, with their array type codes.
ARRAYS = {**RELATION_ARRAYS, **{a: "i" for a in POSITIONS.values() if a not in RELATION_ARRAYS}}


def _plan() -> tuple[tuple[str, ...], frozenset, tuple, tuple]:
    """What indexing derives from ``model.rules`` (read when called, so that a rule
    added there is applied): the fields naming entities (looked up); every field looked
    up as known ids (the type and the evidence sources are ``Literal``s, checked while
    decoding), hence not blank; the rules applied in another form (dates are worked
    out: ``Edtf``'s rule; the rules between a relation's fields that the arrays can
    answer run over them: ``hold_coded``, in ``_well_formed``); those rules."""
    ends = tuple(r.field for r in rules.REFERENCES if r.to == "entities")
    looked_up = frozenset({*ends, "type", rules.CITED.field})
    arrays = {"positions": POSITIONS, "codes": CODED}
    coded = tuple(
        rule
        for rule in rules.RELATION_RULES
        if getattr(rule, "coded", None)  # (a rule without ``hold_coded``: batch by batch)
        and all(field in arrays[how] for field, how in rule.coded.items())
    )
    return ends, looked_up, (Edtf("date"), *coded), coded


class Relations:
    """What checking and indexing relations needs, shared by both processes."""

    def __init__(
        self, ids: list[str], type_names: list[str], sources: list[str], numpy: Any = None
    ):
        # the ids as fresh strings, one after the other in memory: every lookup reads its
        # key's string, and packed together they stay in the processor's cache longer
        packed = "\n".join(ids).split("\n")
        keys = packed if len(packed) == len(ids) else ids  # (an id holding a newline)
        self.index: dict[str | None, int] = {node: i for i, node in enumerate(keys)}
        self.type_code = {t: i for i, t in enumerate(type_names)}
        # types and evidence sources are Literals: msgspec checks those references in C
        record = relation_struct(type_names, sources)
        self.decoder = msgspec.json.Decoder(list[record])
        self.fields = record.__struct_fields__
        self.specs = RECORDS["relations"]  # (in the Struct's order)
        #: numpy, where large data already imported it before a fork (then each process
        #: turns its date codes into days with it), else None
        self.numpy = numpy


class _DateCodes(dict):
    """Date text -> its number, numbered as first met (0: no date), with each number's
    earliest and latest day; a date not seen before is worked out on lookup (raises
    ``dates.DateError`` when it is not a date)."""

    def __init__(self) -> None:
        super().__init__({None: 0})
        self.lows, self.highs = [0], [0]

    def __missing__(self, text: str) -> int:
        low, high = dates.ordinal_bounds(text)
        self[text] = code = len(self.lows)
        self.lows.append(low)
        self.highs.append(high)
        return code


def index_relations(
    batches: Iterable[tuple[bytes | None, int | None]],
    ctx: Relations,
    abandon: Callable[[], bool] | None = None,
    backwards: bool = False,
) -> tuple[dict[str, array], array, int] | None:
    """Decode and check the relations in ``batches`` (JSON arrays of records, each with
    the number of records it must hold, or None); their index arrays, the hashes of
    their ids and the colons in their text, or None on any doubt (or when
    ``abandon()``, asked before each slice, says the work is no longer needed;
    ``backwards``: the batches come last first). Raises
    ``NotCompact`` when a slice of a compact part is not what its layout promised.
    What needs all relations at once is left to ``_sound`` (so a child process never
    imports numpy)."""
    index, type_code = ctx.index, ctx.type_code
    lookup = index.__getitem__
    columns = {name: Column(code) for name, code in ARRAYS.items() if name not in ("lo", "hi")}
    rtype, cert = columns["type"].add, columns["certainty"].add
    ends, looked_up, applied, _ = _plan()
    # each entity reference with the array its positions go to (else only looked up)
    kept = [(end, columns[POSITIONS[end]].add) for end in ends if end in POSITIONS]
    checked = [end for end in ends if end not in POSITIONS]
    known = index.keys()
    date_code = _DateCodes()
    when_codes = Column("i")
    hashes = Column("q")  # of the relation ids: duplicates are found among these
    # every field of each record in one call (no attribute lookups), then as columns,
    # each by its name
    named = ctx.fields
    astuple = msgspec.structs.astuple
    np = ctx.numpy
    counted = 0  # colons in all the batches' records
    for blob, expected in batches:
        if blob is None or (abandon is not None and abandon()):
            return None
        try:
            rels = ctx.decoder.decode(blob)
        except DECODE_ERRORS:
            if expected is not None and not decodes(blob, list[msgspec.Raw]):
                raise NotCompact from None  # not cut where records meet (or bad syntax)
            return None
        if expected is not None and len(rels) != expected:
            raise NotCompact  # a record that does not start with its id
        if not rels:
            continue
        fields = tuple(zip(*map(astuple, rels), strict=True))
        field = dict(zip(named, fields, strict=True))
        names = field["id"]
        count = len(rels)
        hashes.add(map(hash, names), count)
        index[None] = -1  # no reporter
        try:
            for end, add in kept:
                add(map(lookup, field[end]), count)
            if not all(known >= set(field[end]) for end in checked):
                return None  # an unknown entity
        except KeyError:  # an unknown entity
            return None
        finally:
            del index[None]
        levels = field["certainty"]
        rtype(map(type_code.__getitem__, field["type"]), count)
        cert(map(CERTAINTY_CODES.__getitem__, levels), count)
        try:
            when_codes.add(map(date_code.__getitem__, field["date"]), count)
        except dates.DateError:
            return None
        quoted = field["evidence"]
        evidence = list(itertools.chain.from_iterable(quoted))
        # each evidence's fields, as columns, in one pass (every relation cites one)
        cited = tuple(zip(*map(astuple, evidence), strict=True))
        # a key repeated in a record (``check.repeats``; added up: ``colons``)
        expected = colons_expected(fields, ctx.fields, ctx.specs, cited)
        if repeats_a_key(blob, expected, np):
            return None
        counted += expected
        ruled = {**field, **dict(zip(EVIDENCE_COLUMNS, cited, strict=True))}
        if not holds("relations", ruled, implied=looked_up, skip=applied):  # (model.rules)
            return None
        del rels, evidence, names, levels, quoted, fields, field, cited, ruled
    if backwards:  # each column holds one piece per batch: put them back in order
        for column in (*columns.values(), when_codes, hashes):
            column.reverse()
    out = {name: column.array() for name, column in columns.items()}
    when = when_codes.array()
    bounds = {"lo": date_code.lows, "hi": date_code.highs}  # each one's earliest, latest day
    for name in bounds:
        if np is None:
            out[name] = Column.of("i", map(bounds[name].__getitem__, when), len(when))
        else:  # one lookup per relation in Python is a tenth of a second per million
            days = np.array(bounds[name], dtype=np.intc)[np.frombuffer(when, dtype=np.intc)]
            out[name] = array("i", days.tobytes())
    return {name: out[name] for name in ARRAYS}, hashes.array(), counted


#: How the child process ends: its arrays are written; a doubt about the data; the
#: relations are not laid out as the compact path assumed. Anything else: it failed.
_CHILD_DONE, _CHILD_DOUBTS, _CHILD_NOT_COMPACT = 0, 2, 4


def split_relations(
    whole: SpanPart | CompactPart,
    ctx: Relations,
    alongside: Callable[[Callable[[], bool]], Any],
    progress: Progress | None,
    let_go: list | None = None,
) -> tuple[dict[str, array], Any, int] | None:
    """Index arrays of all relations, what ``alongside(abandon)`` gives (None: a doubt;
    ``abandon()`` says whether the child has already found one) and how many colons
    the relations' text holds. ``let_go``: what only ``alongside`` reads (it takes it
    from the list); a child empties the list first, so that once ``alongside`` is done
    neither process holds it (the two share it from the fork on).

    Large data is shared with a forked child: the parent runs ``alongside``, then both
    check and index chunks of the relations, the parent from the front and the child
    from the back, until they meet (``Claims``). The child writes its arrays, the
    hashes of its relation ids and (compact part) its records' offsets to an unnamed
    temporary file and exits. If the child fails for any reason other than a doubt
    about the data, the parent does its chunks too.
    """
    parallel = whole.parallel() and two_processes()
    with tempfile.TemporaryFile() if parallel else contextlib.nullcontext() as handoff:
        claims = None
        if parallel:
            with contextlib.suppress(OSError):
                claims = Claims(whole.chunks, handoff)
        if claims is None:  # one process
            extra = alongside(lambda: False)
            if extra is None:
                return None
            done = index_relations(batches(whole, range(whole.chunks), progress), ctx)
            if done is None or not _sound(*done[:2]):
                return None
            return done[0], extra, done[2]

        def child_work() -> int:
            if let_go is not None:
                let_go.clear()
            try:
                done = index_relations(batches(whole, claims.back()), ctx, backwards=True)
            except NotCompact:
                return _CHILD_NOT_COMPACT
            if done is None:  # the full checker will say what is wrong (or pass it)
                return _CHILD_DOUBTS
            arrays, hashes, tally = done
            if whole.starts is not None:
                whole.starts.reverse()  # taken from the back
            counted = array("q", [tally])
            send_arrays(handoff, [*map(arrays.get, ARRAYS), hashes, counted], whole.starts or [])
            return _CHILD_DONE

        with forked(child_work) as child:

            def child_gave_up() -> bool:
                """Whether the child has ended with a doubt or a surprise in the layout
                (then the parent stops early)."""
                return child.poll() in (_CHILD_DOUBTS, _CHILD_NOT_COMPACT)

            extra = alongside(child_gave_up)
            mine = None
            if extra is not None:
                taken = functools.partial(claims.taken, whole.chunks)
                reached = lambda k: whole.reached(taken())  # noqa: E731 (both processes)
                front = batches(whole, claims.front(), progress, reached)
                mine = index_relations(front, ctx, abandon=child_gave_up)
            if mine is not None:  # else the full checker takes over: the child is stopped
                child.wait()
        code = child.code
        if code == _CHILD_NOT_COMPACT:
            raise NotCompact
        if mine is None or code is None or code == _CHILD_DOUBTS:
            return None
        arrays, hashes, tally = mine
        if code == _CHILD_DONE:
            # the child's part follows this one's: each of its arrays is added to this
            # one's as it is read (no copy of them all held beside the joined arrays)
            received = received_arrays(handoff)  # (each read when reached)
            for name in ARRAYS:
                arrays[name].frombytes(next(received))
            hashes.frombytes(next(received))
            tally += struct.unpack("q", next(received))[0]
            their_starts = next(received)
            if whole.starts is not None:
                whole.starts.append(their_starts)  # packed, as the child packed them
        else:  # the child died (out of memory, killed): do its chunks here
            done = index_relations(batches(whole, range(claims.meeting(), whole.chunks)), ctx)
            if done is None:
                return None
            theirs, their_hashes, their_colons = done
            arrays = _joined(arrays, theirs)
            hashes.extend(their_hashes)
            tally += their_colons
    return (arrays, extra, tally) if _sound(arrays, hashes) else None


def _sound(arrays: dict[str, array], hashes: array) -> bool:
    """The checks that need all relations: no relation id used twice (told apart by
    their hashes: equal ids have equal hashes, and two ids sharing one only send the
    data to the full checker), none joining an entity to itself, every "reported" one
    naming who reported it."""
    return _distinct(hashes) and _well_formed(arrays)


def _well_formed(out: dict[str, array]) -> bool:
    """The rules between a relation's own fields (``model.rules``: no relation joins an
    entity to itself; every "reported" one names who reported it) that the arrays can
    answer, over them (the others were applied batch by batch)."""
    *_, coded = _plan()
    named = {**POSITIONS, **CODED}
    numpy = None
    if len(out["src"]) >= sizes.NUMPY_MIN:
        import numpy
    for rule in coded:
        columns = {field: out[named[field]] for field in rule.coded}
        if not rule.hold_coded(columns, _CODES, numpy):
            return False
    return True


def _distinct(hashes: array) -> bool:
    """No two equal values: relation ids are told apart by their hashes (equal ids have
    equal hashes; two ids sharing one only send the data to the full checker)."""
    if len(hashes) < sizes.NUMPY_MIN:
        return len(set(hashes)) == len(hashes)
    import numpy as np

    values = np.sort(np.frombuffer(hashes, dtype=np.int64))
    return not bool((values[1:] == values[:-1]).any())


def _joined(first: dict[str, array], second: dict[str, array]) -> dict[str, array]:
    for name, values in second.items():
        first[name].extend(values)
    return first

"""A key written twice in one JSON object: how every path sees one.

``json`` with ``object_pairs_hook=no_repeats`` (the full checker) raises ``RepeatedKey``
and ``repeated_key_at`` says where. msgspec, which the fast paths decode with, keeps the
last value of a repeated key (its issue #648), so a repeat cannot be seen in what it
decodes. It can be counted: valid JSON holds one colon after each key and the others
inside strings, so text that repeats no key holds exactly as many colons as its decoded
records have keys, plus those in their strings. A repeated key adds a colon (and its lost
value may hold more) that no decoded record accounts for. Strings that cannot hold a
colon in valid data (ids, references, dates, enumerations) are not searched: a colon
there only makes a count differ, which sends the data to the full checker, as any doubt
does. An escaped colon (``\\u003a``) would be counted in a string but not in the text, so
``fast.screened`` sends text holding one to the full checker. Both counts run in C.

The guarantee: a fast path vouches for text only when ``repeats_a_key(text, expected)``
is False for the text it read, with ``expected`` from the records it decoded
(``colons_expected``, ``record_colons``, ``document_colons``); a path that reads text in
parts adds up ``colons(part)`` and the parts' expected counts, and vouches only when the
sums are equal. A key repeated anywhere is then never silently dropped.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec

from ..model.records import ENTITY_ID, EVIDENCE_FIELDS, RECORDS, Field
from ..model.rules import REFERENCES

#: The lists of records a data file holds (an absent one decodes as None).
_LISTS = tuple(RECORDS)
#: Fields holding references to ids (which cannot hold a colon in valid data).
_REFERENCES = frozenset(rule.field for rule in REFERENCES)
_TEXT_KINDS = ("string", "id", "date")
#: The order of an evidence Struct's fields (required first, as ``fast`` makes them).
EVIDENCE_ORDER = tuple(f.name for f in sorted(EVIDENCE_FIELDS, key=lambda f: not f.required))
_COLON = 0x3A
_astuple = msgspec.structs.astuple


def colons(text: bytes, numpy: Any = None) -> int:
    """How many colons ``text`` holds (``numpy``, where imported, counts a large text
    about four times faster than ``bytes.count``)."""
    if numpy is None:
        return text.count(b":")
    return int(numpy.count_nonzero(numpy.frombuffer(text, dtype=numpy.uint8) == _COLON))


def repeats_a_key(text: bytes, expected: int, numpy: Any = None) -> bool:
    """Whether ``text`` may repeat a key: it holds other than the ``expected`` colons
    of the records decoded from it (True sends it to the full checker)."""
    return colons(text, numpy) != expected


class Tally:
    """The colons of a text read in parts against those its decoded records account for
    (``colons_expected``): a key repeated anywhere leaves the text holding more than its
    records explain. A path that reads a file in parts keeps one: ``text`` for each part
    it read, ``explained`` (or ``document``) for what the records decoded from it
    account for; ``clean`` once every colon is explained."""

    __slots__ = ("left",)

    def __init__(self) -> None:
        self.left = 0

    def text(self, part: bytes, numpy: Any = None) -> None:
        self.left += colons(part, numpy)

    def explained(self, count: int) -> None:
        self.left -= count

    def document(self, doc: Any, kinds: Iterable[str] = _LISTS) -> None:
        """The colons ``doc`` (and its records of ``kinds``) account for
        (``document_colons``)."""
        self.left -= document_colons(doc, kinds)

    @property
    def clean(self) -> bool:
        return self.left == 0


def _colon_free(spec: Field) -> bool:
    """Whether the field's values hold no colon in valid data."""
    return (
        spec.pattern == ENTITY_ID
        or spec.enum is not None
        or spec.kind == "date"
        or spec.name in _REFERENCES
    )


def colons_expected(
    columns: Sequence[Sequence],
    fields: Sequence[str],
    specs: Sequence[Field],
    evidence: Sequence[Sequence] | None = None,
) -> int:
    """How many colons JSON text holding some records has when none of its objects
    repeats a key (not counting those in strings ``_colon_free`` passes over).

    ``columns``: each field's values (the records' ``astuple``s, zipped), in the order of
    ``fields`` (their Struct's); ``specs``: the fields' descriptions (``model.RECORDS``);
    ``evidence``: the columns of their evidence items, when already at hand.
    """
    if not columns:
        return 0  # no records
    kind_of = {spec.name: spec for spec in specs}
    count = len(columns[0])
    keys = 0
    texts: list[Iterable[str]] = []
    for name, values in zip(fields, columns, strict=True):
        spec = kind_of[name]
        if spec.kind in _TEXT_KINDS and not spec.required:
            values = list(filter(None, values))  # non-empty when valid (faster than count)
            keys += len(values)
        else:
            keys += count if spec.required else count - values.count(None)
        if spec.kind == "evidence":
            if evidence is None:
                items = itertools.chain.from_iterable(values)
                evidence = tuple(zip(*map(_astuple, items), strict=True))
            keys += colons_expected(evidence, EVIDENCE_ORDER, EVIDENCE_FIELDS)
        elif spec.kind in ("identifiers", "attributes"):
            found = list(filter(None, values))
            keys += sum(map(len, found))
            texts.extend(found)  # their keys
            if spec.kind == "identifiers":
                texts.extend(map(dict.values, found))
        elif spec.kind == "strings":
            texts.extend(filter(None, values))
        elif spec.kind in _TEXT_KINDS and not _colon_free(spec):
            texts.append(values)
    return keys + "".join(itertools.chain.from_iterable(texts)).count(":")


#: Records counted at a time by ``record_colons`` (columns of a slice stay in the cache).
_COUNT_SLICE = 2_000


def record_colons(records: Sequence, specs: Sequence[Field]) -> int:
    """``colons_expected`` for a list of record Structs."""
    if not records:
        return 0
    fields = type(records[0]).__struct_fields__
    found = 0
    for start in range(0, len(records), _COUNT_SLICE):
        piece = records[start : start + _COUNT_SLICE]
        found += colons_expected(tuple(zip(*map(_astuple, piece), strict=True)), fields, specs)
    return found


def document_colons(doc: Any, kinds: Iterable[str] = _LISTS) -> int:
    """``colons_expected`` for a document Struct (before ``fast.settled``: an absent list
    is None), its records of ``kinds`` included (those of other kinds are left out, not
    their key)."""
    keys = 1 + sum(getattr(doc, name) is not None for name in ("schema", *_LISTS))
    found = keys + (doc.schema or "").count(":")
    for kind in kinds:
        found += record_colons(getattr(doc, kind) or (), RECORDS[kind])
    return found


def repeats_at_top(raw: bytes, values: Mapping[str, Any]) -> bool:
    """Whether a key of the top-level object ``raw`` is written twice, given its
    ``values`` as msgspec kept them (raw JSON, the last of a repeat): the colons outside
    its values are then more than its keys."""
    inside = sum(bytes(value).count(b":") for value in values.values())
    return raw.count(b":") - inside != len(values)


# -- the full checker's view: where the first repeat is ----------------------------------------


class RepeatedKey(ValueError):
    """A key met twice in one JSON object (json would keep only the last value)."""

    def __init__(self, key: str):
        self.key = key


def no_repeats(pairs: list[tuple[str, Any]]) -> dict:
    """``json``'s ``object_pairs_hook`` that raises ``RepeatedKey`` for a repeated key."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise RepeatedKey(key)
            seen.add(key)
    return found


#: A JSON string, bracket, colon or comma (what a walk over JSON text needs to see).
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]')


def repeated_key_at(text: str) -> tuple[int, str] | None:
    """Where the first key repeated in one object of the JSON ``text`` starts, and the
    key (only called on text known to hold one: a walk over every string and bracket)."""
    stack: list[set[str] | None] = []  # per open bracket: the object's keys (None: array)
    expect_key = False
    for token in TOKEN.finditer(text):
        kind = token.group()
        if kind == "{":
            stack.append(set())
            expect_key = True
        elif kind == "[":
            stack.append(None)
        elif kind in "]}":
            if stack:
                stack.pop()
            expect_key = False
        elif kind == ",":
            expect_key = bool(stack) and stack[-1] is not None
        elif kind == ":":
            expect_key = False
        elif expect_key and stack and stack[-1] is not None:
            key = json.loads(kind)
            if key in stack[-1]:
                return token.start(), key
            stack[-1].add(key)
            expect_key = False
    return None

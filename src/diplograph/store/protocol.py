"""The ``Store`` protocol: the data-access primitives every query is built on.

Queries (``diplograph.queries``) take a Store and import only this module from the
store layer; everything a question needs beyond these primitives (a relation's
neighbourhood, what happened at a place, the part an export cuts, the whole graph as
networkx) is worked out in ``queries`` from them, so a new query needs no new method
here. The packed store (``store.packed.PackedGraph``) is the one production
implementation; the tests keep a networkx-built reference (``tests/reference.py``) that
implements exactly these methods, and compare the two.

Words used here:
- an *entity* is named by its id (a str); its *record* is a dict of its fields but the
  id (name, type, aliases, description...); *entity order* is the order the data
  files list the entities in;
- an *edge* is a relation as (source id, target id, relation id, attributes), the
  attributes being its record's other fields (type, date, certainty, evidence...);
  *storage order* is the store's own order of its relations (the data files' order in
  the packed store); no query's answer depends on it;
- a *handle* is the store's token for one relation (the packed store: an index into its
  arrays): handles are read (``ends``, ``bounds``) without reading the relation's
  record, and ``edge``/``edges_of`` read the record;
- a *field* a relation is found by: ``source``, ``target``, ``place`` or
  ``reported_by`` (the store keeps an index for each);
- ``accepts``: a store's test on handles equivalent to ``Filters.accepts``, made by
  ``relation_filter`` (None: every relation passes); primitives that take one skip the
  relations it refuses before reading anything of them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from ..model.filters import Filters
from .searchindex import NameCandidates, SearchIndex

__all__ = ["FIELDS", "Accepts", "Edge", "Handle", "NameCandidates", "SearchIndex", "Store"]

Edge = tuple[str, str, str, dict]  # source, target, relation id, attributes
Handle = Any  # a store's own token for one relation
Accepts = Callable[[Handle], bool] | None
Progress = Callable[..., None]

#: The fields relations are found by (``Store.handles``, ``Store.counts``).
FIELDS = ("source", "target", "place", "reported_by")


class Store(Protocol):
    """Read-only access to one dataset's entities and relations (see module docstring).

    Every method but ``graph`` is listed by ``tests/test_architecture.py``: the tests'
    reference implements exactly these, and the queries call nothing else."""

    #: {"sources": {id: record}, "relation_types": {id: record}, "files": [names read]}
    graph: dict[str, Any]

    # entities ------------------------------------------------------------------------

    def entity(self, node: str) -> dict:
        """The record of the entity ``node`` (KeyError: no such entity); ``aliases`` and
        ``description`` always present. The same dict each time: never change it."""
        ...

    def entities(self) -> Iterator[tuple[str, dict]]:
        """(id, record) of every entity, in entity order (records as ``entity`` gives)."""
        ...

    def entity_ids(self) -> Iterator[str]:
        """Every entity's id, in entity order (no record read)."""
        ...

    def entity_types(self) -> list[str]:
        """Every entity's type, in entity order ('' where a record has none)."""
        ...

    # names ---------------------------------------------------------------------------

    def name_of(self, node: str) -> str:
        """An entity's display name (its record's ``name``), without reading the record
        when the store keeps names apart."""
        ...

    def names_of(self, nodes: Sequence[str]) -> list[str]:
        """``name_of`` of many entities at once, in the order given (repeats welcome)."""
        ...

    def name_tables(self) -> tuple[Mapping[str, set[str]], Mapping[str, set[str]]]:
        """(exact, surname): folded id, name or alias -> the ids it names; folded surname
        of a person named in several words -> the ids it names (keys sorted on
        iteration in the packed store; no order promised)."""
        ...

    # counts --------------------------------------------------------------------------

    def number_of_nodes(self) -> int:
        """How many entities there are."""
        ...

    def number_of_edges(self) -> int:
        """How many relations there are."""
        ...

    def counts(self, fields: Sequence[str]) -> Iterator[tuple[str, int]]:
        """(id, how many relations have it in any of ``fields``) for every entity, in
        entity order, from the indexes (no record read); a relation counts once per
        field it is in: (``source``, ``target``) is networkx's degree, a relation of an
        entity with itself counting twice."""
        ...

    def relation_type_counts(self) -> dict[str, int]:
        """How many relations each type has (types without any left out; no order)."""
        ...

    def latest_year(self) -> int | None:
        """The year of the latest earliest day of any dated relation (None: none dated):
        the year a month typed without one is in."""
        ...

    # relations by handle -------------------------------------------------------------

    def relation_filter(self, filters: Filters) -> Accepts:
        """A test on handles equivalent to ``filters.accepts`` (None: ``filters`` lets
        every relation pass)."""
        ...

    def handles(self, node: str, field: str, accepts: Accepts = None) -> list[Handle]:
        """Handles of the relations whose ``field`` (one of ``FIELDS``) is ``node`` and
        that ``accepts`` passes, in storage order (KeyError: no such entity)."""
        ...

    def steps(
        self, node: str, direction: str, accepts: Accepts, avoid: Collection[str]
    ) -> Iterator[tuple[str, Handle]]:
        """(the other end, handle) of each relation ``accepts`` passes from ``node``
        (``direction`` out: it is the source; in: the target; both: out, then in), the
        other end never in ``avoid``; in storage order within each direction, no record
        read. A relation of ``node`` with itself is a step each way."""
        ...

    def between(self, a: str, b: str, direction: str, accepts: Accepts) -> list[Handle]:
        """Handles of the passing relations joining ``a`` to ``b`` (out: a->b, in: b->a,
        both: out, then in): what ``steps`` gives towards ``b``, found without reading
        the ids of ``a``'s other neighbours."""
        ...

    def all_handles(self, accepts: Accepts = None) -> Iterator[Handle]:
        """Handles of every relation ``accepts`` passes, in storage order."""
        ...

    def ends(self, handles: Sequence[Handle]) -> list[tuple[str, str]]:
        """(source id, target id) of relations by handle, in the order given (no record
        read)."""
        ...

    def bounds(self, handle: Handle) -> tuple[date, date] | None:
        """A relation's earliest and latest day, as ``model.dates`` reads its date (None:
        undated), no record read."""
        ...

    def edge(self, handle: Handle) -> Edge:
        """One relation by handle (remembered: the same tuple each time; never change
        it)."""
        ...

    def edges_of(self, handles: Sequence[Handle]) -> list[Edge]:
        """Relations by handle, in the order given, as ``edge`` gives them (the ones not
        read yet read in one go)."""
        ...

    # relations scanned or found by id ------------------------------------------------

    def relations(self, first: int = 0, stop: int | None = None) -> Iterator[Edge]:
        """Every relation (or those first..stop-1 in storage order), in storage order,
        read a slice at a time and not remembered: a pass over the whole graph stays
        small in memory."""
        ...

    def relation_by_id(self, key: str) -> Edge | None:
        """The relation with this id (None: none has it)."""
        ...

    def links(self, accepts: Accepts, avoid: Collection[str]) -> list[tuple[str, str]]:
        """The distinct (source, target) of the relations ``accepts`` passes whose ends
        are not in ``avoid``, sorted (no record read): the links of the simple graph."""
        ...

    def search_index(self) -> SearchIndex:
        """What search scans (built on first use, kept)."""
        ...

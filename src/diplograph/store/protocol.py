"""The ``Store`` protocol: everything a query may ask of the data, and nothing more.

Queries (``diplograph.queries``) take a Store and import only this module from the
store layer. The packed store (``store.packed.PackedGraph``) is the one production
implementation; the tests keep a networkx-built reference beside it to compare answers.

Words used here:
- an *entity* is named by its id (a str); its record (``nodes[id]``) is a dict of its
  fields but the id (name, type, aliases, description...);
- an *edge* is a relation as (source id, target id, relation id, attributes), the
  attributes being its record's other fields (type, date, certainty, evidence...);
- a *handle* is how the store tells relations apart in its fast paths (the packed store:
  an index into its arrays); ``edge(handle)`` reads the relation;
- ``accepts`` is a store's test on handles made from ``Filters`` by ``edge_filter``
  (None: every relation passes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from ..model.filters import Filters
from .searchindex import NameCandidates, SearchIndex

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Accepts", "Edge", "Handle", "NameCandidates", "SearchIndex", "Store"]

Edge = tuple[str, str, str, dict]  # source, target, relation id, attributes
Handle = Any  # a store's own token for one relation
Accepts = Callable[[Handle], bool] | None
Progress = Callable[..., None]


class Store(Protocol):
    """Read-only access to one dataset's entities and relations (see module docstring)."""

    #: {"sources": {id: record}, "relation_types": {id: record}, "files": [names read]}
    graph: dict[str, Any]
    #: entity id -> its record (without the id); ``id in nodes``; iteration gives ids;
    #: ``nodes(data=True)`` gives (id, record) of every entity
    nodes: Any

    def __contains__(self, node: object) -> bool: ...

    def __iter__(self) -> Iterator[str]: ...

    # counts --------------------------------------------------------------------------

    def number_of_nodes(self) -> int: ...

    def number_of_edges(self) -> int: ...

    def degree(self, node: str | None = None) -> Any:
        """Relations touching ``node`` (either direction); without one, (id, degree) of
        every entity."""
        ...

    def entity_types(self) -> list[str]:
        """Every entity's type, in entity order."""
        ...

    def relation_type_counts(self) -> dict[str, int]:
        """How many relations each type has (types without any left out)."""
        ...

    def latest_year(self) -> int | None:
        """The year of the latest earliest day of any dated relation (None: none dated):
        the year a month typed without one is in."""
        ...

    # names ---------------------------------------------------------------------------

    def name_of(self, node: str) -> str:
        """An entity's display name."""
        ...

    def names_of(self, nodes: Sequence[str]) -> list[str]:
        """``name_of`` of many entities at once."""
        ...

    def name_tables(self) -> tuple[Mapping[str, set[str]], Mapping[str, set[str]]]:
        """(exact, surname): folded id, name or alias -> the ids it names; folded surname
        of a person named in several words -> the ids it names."""
        ...

    # relations -----------------------------------------------------------------------

    def incident(
        self,
        node: str,
        direction: str,
        filters: Filters,
        skip: Callable[[str], bool] | None = None,
    ) -> Iterator[tuple[str, Edge]]:
        """Relations touching ``node`` that pass ``filters``: ('out', edge) where it is
        the source, ('in', edge) where it is the target (``direction`` out, in or both),
        without those whose other end ``skip`` refuses."""
        ...

    def reported_by(self, node: str) -> list[Edge]:
        """Relations whose ``reported_by`` is ``node``."""
        ...

    def relation_by_id(self, key: str) -> Edge | None:
        """The relation with this id (None: none has it)."""
        ...

    def placed_at(self, node: str, filters: Filters | None = None) -> list[Edge]:
        """Relations whose ``place`` is ``node`` that pass ``filters`` (None: all), in no
        particular order."""
        ...

    def place_links(self) -> list[tuple[str, str]]:
        """(place, actor) for each end of every relation that has a place: what ties a
        place to the graph though no relation has it as an end."""
        ...

    def count_placed_at(self, node: str) -> int:
        """How many relations have ``node`` as their ``place``."""
        ...

    def edges(
        self, keys: bool = True, data: bool = True, *, first: int = 0, stop: int | None = None
    ) -> Iterator[Edge]:
        """Every relation (or relations first..stop-1), in storage order (``keys`` and
        ``data`` as networkx names them: always both)."""
        ...

    def edges_of(self, handles: Sequence[Handle]) -> list[Edge]:
        """Relations by handle."""
        ...

    def edge(self, handle: Handle) -> Edge:
        """One relation by handle."""
        ...

    def relation_ordinals(self, key: str) -> tuple[int, int] | tuple[()] | None:
        """A relation's (earliest, latest) day ordinals if the store has them at hand
        (() when undated); None to let the caller parse its date."""
        ...

    # fast paths (handles, no record read) ----------------------------------------------

    def edge_filter(self, filters: Filters) -> Accepts:
        """A test on handles equivalent to ``filters.accepts`` (None: no filter)."""
        ...

    def fast_steps(
        self, node: str, direction: str, accepts: Accepts, avoid: Any
    ) -> Iterator[tuple[str, Handle]]:
        """(next entity, handle) one hop from ``node`` through passing relations, never
        into ``avoid``."""
        ...

    def between(self, a: str, b: str, direction: str, accepts: Accepts) -> list[Handle]:
        """Handles of the passing relations joining ``a`` to ``b`` (out: a->b, in: b->a,
        both)."""
        ...

    def bounds(self, handle: Handle) -> tuple[date, date] | None:
        """A relation's earliest and latest day (None: undated)."""
        ...

    def links(self, accepts: Accepts, avoid: frozenset[str]) -> list[tuple[str, str]]:
        """The distinct (source, target) of passing relations whose ends are not in
        ``avoid``, sorted."""
        ...

    def part(
        self, filters: Filters, ego: str | None, radius: int
    ) -> tuple[list[str], list[Handle]]:
        """(entity ids, relation handles) of the part ``queries.subgraph`` cuts: with
        ``ego``, the entities within ``radius`` hops of it through passing relations
        (directions ignored; ids sorted) and the passing relations among them; without,
        every passing relation and the entities they touch."""
        ...

    def simple_graph(self) -> nx.Graph:
        """The entities and who is linked to whom, as networkx's undirected simple graph."""
        ...

    def search_index(self) -> SearchIndex:
        """What search scans (built on first use)."""
        ...

    def to_networkx(self, progress: Progress | None = None) -> nx.MultiDiGraph:
        """The whole graph as a networkx MultiDiGraph (relation ids as edge keys)."""
        ...

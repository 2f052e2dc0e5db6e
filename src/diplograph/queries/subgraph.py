"""The part of the graph a user is looking at (for export and drawing), and the whole
store read as a networkx graph is read (``WholeGraph``): what the export formats take."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from ..model.errors import PartTooLarge, UsageError
from ..model.filters import NO_FILTERS, Filters
from ..model.gcpause import paused_gc
from ..store.protocol import Edge, Handle, Store

if TYPE_CHECKING:
    import networkx as nx

#: Relations read per slice when the whole graph is made into a networkx graph.
SCAN_SLICE = 20_000


class _EntityView:
    """``WholeGraph.nodes``: networkx's node view over a store (ids in entity order;
    ``nodes[id]`` the record; ``nodes(data=True)`` (id, record) pairs)."""

    def __init__(self, store: Store):
        self._store = store

    def __getitem__(self, node: str) -> dict:
        return self._store.entity(node)

    def __iter__(self) -> Iterator[str]:
        return self._store.entity_ids()

    def __len__(self) -> int:
        return self._store.number_of_nodes()

    def __call__(self, data: bool = False) -> Iterator[Any]:
        return self._store.entities() if data else self._store.entity_ids()


class WholeGraph:
    """A whole store read as the export formats read a networkx MultiDiGraph: ``graph``,
    ``nodes``, ``edges(keys=..., data=...)``, ``number_of_nodes``/``number_of_edges``,
    and ``to_networkx`` for the formats that need a real one. Relations are read a slice
    at a time as they are gone through (an export of a million stays small in memory)."""

    def __init__(self, store: Store):
        self.store = store
        self.graph = store.graph
        self.nodes = _EntityView(store)

    def number_of_nodes(self) -> int:
        return self.store.number_of_nodes()

    def number_of_edges(self) -> int:
        return self.store.number_of_edges()

    def edges(self, keys: bool = False, data: bool = False) -> Iterator[tuple]:
        """Every relation in storage order, as networkx gives a MultiDiGraph's edges:
        (source, target), then the relation id if ``keys``, then its attributes if
        ``data``."""
        if keys and data:
            return self.store.relations()
        return (
            (u, v, *((k,) if keys else ()), *((a,) if data else ()))
            for u, v, k, a in self.store.relations()
        )

    def to_networkx(self, progress: Callable[..., None] | None = None) -> nx.MultiDiGraph:
        """The whole graph as a networkx MultiDiGraph (relation ids as edge keys);
        ``progress(step, done, total)`` hears how many relations are read."""
        import networkx as nx

        store = self.store
        graph = nx.MultiDiGraph()
        graph.graph.update(store.graph)
        total = store.number_of_edges()
        with paused_gc():  # a few dicts per relation, no cycles: half the time
            graph.add_nodes_from(store.entities())
            for first in range(0, total, SCAN_SLICE):
                if progress is not None:
                    progress("reading relations", first, total)
                graph.add_edges_from(store.relations(first, min(first + SCAN_SLICE, total)))
        return graph


def part(
    graph: Store, filters: Filters, ego: str | None, radius: int
) -> tuple[list[str], list[Handle]]:
    """(entity ids, relation handles) of the part ``subgraph`` cuts, from the store's
    indexes (no record read): with ``ego``, the entities within ``radius`` hops of it
    through relations that pass ``filters`` (directions ignored; ids sorted) and the
    passing relations among them (in no order); without, every passing relation (in
    storage order) and the entities they touch (in entity order)."""
    accepts = graph.relation_filter(filters)
    if ego is None:
        chosen = list(graph.all_handles(accepts))
        touched = {end for pair in graph.ends(chosen) for end in pair}
        return [n for n in graph.entity_ids() if n in touched], chosen
    keep = {ego}
    frontier = [ego]
    for _ in range(radius):
        following = []
        for node in frontier:
            for other, _ in graph.steps(node, "both", accepts, keep):  # (not kept yet)
                keep.add(other)
                following.append(other)
        frontier = following
    chosen = []
    for node in keep:
        out = graph.handles(node, "source", accepts)
        chosen += [h for h, (_, v) in zip(out, graph.ends(out), strict=True) if v in keep]
    return sorted(keep), chosen


def subgraph(
    graph: Store,
    filters: Filters = NO_FILTERS,
    ego: str | None = None,
    radius: int = 1,
    at_most: int | None = None,
) -> WholeGraph | nx.MultiDiGraph:
    """The part of the graph a user is looking at (for export): the whole store (as a
    ``WholeGraph``) when nothing is cut away, else a new networkx MultiDiGraph.

    Relations must pass ``filters``. With ``ego``, only entities within ``radius`` hops of
    it (directions ignored, through passing relations) and the relations among them.
    Without filters or ego, the whole graph. With filters, entities no passing relation
    touches are left out. A part of more than ``at_most`` relations raises PartTooLarge
    before any relation is read.
    """
    if radius < 0:
        raise UsageError(f"a radius must be 0 or more, not {radius}")

    def check(count: int) -> None:
        if at_most is not None and count > at_most:
            raise PartTooLarge(count, at_most)

    if ego is None and filters == NO_FILTERS:
        check(graph.number_of_edges())
        return WholeGraph(graph)
    import networkx as nx

    nodes, rels = part(graph, filters, ego, radius)  # cut on the indexes: no record read
    check(len(rels))
    chosen: list[Edge] = graph.edges_of(rels)
    if ego is not None:
        chosen.sort(key=itemgetter(2))  # by relation id
    check(len(chosen))
    cut = nx.MultiDiGraph()
    cut.graph.update(graph.graph)
    cut.add_nodes_from((n, graph.entity(n)) for n in nodes)
    cut.add_edges_from(chosen)
    return cut

"""The part of the graph a user is looking at (for export and drawing)."""

from __future__ import annotations

from operator import itemgetter
from typing import TYPE_CHECKING

from ..model.errors import PartTooLarge, UsageError
from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Store

if TYPE_CHECKING:
    import networkx as nx


def subgraph(
    graph: Store,
    filters: Filters = NO_FILTERS,
    ego: str | None = None,
    radius: int = 1,
    at_most: int | None = None,
) -> Store | nx.MultiDiGraph:
    """The part of the graph a user is looking at (for export): the store itself when
    nothing is cut away, else a new networkx MultiDiGraph.

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
        return graph
    import networkx as nx

    nodes, rels = graph.part(filters, ego, radius)  # cut on the arrays: no record read
    check(len(rels))
    chosen = graph.edges_of(rels)
    if ego is not None:
        chosen.sort(key=itemgetter(2))  # by relation id
    check(len(chosen))
    part = nx.MultiDiGraph()
    part.graph.update(graph.graph)
    part.add_nodes_from((n, graph.nodes[n]) for n in nodes)
    part.add_edges_from(chosen)
    return part

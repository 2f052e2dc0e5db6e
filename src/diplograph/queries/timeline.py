"""What happened, in time order: everything, one actor, or a pair."""

from __future__ import annotations

from collections.abc import Iterable

from ..model.errors import UsageError
from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Edge, Store
from .common import incident, relation_row, sort_key


def timeline(graph: Store, nodes: list[str], filters: Filters = NO_FILTERS) -> list[dict]:
    """Dated relations in time order: all, those of one actor, or those between two."""
    if len(nodes) > 2:
        raise UsageError("timeline takes at most two names")
    if len(nodes) == 2 and nodes[0] == nodes[1]:
        raise UsageError("the two names are the same entity: give two different ones")
    if not nodes:
        edges: Iterable[Edge] = graph.edges()
    elif len(nodes) == 1:
        edges = (edge for _, edge in incident(graph, nodes[0]))
    else:
        a, b = nodes
        edges = (edge for _, edge in incident(graph, a) if b in (edge[0], edge[1]))
    dated = [e for e in edges if "date" in e[3] and filters.accepts(e[3])]
    dated.sort(key=lambda e: (sort_key(e[3]), e[2]))
    return [relation_row(graph, *e) for e in dated]

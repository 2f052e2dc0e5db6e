"""What happened, in time order: everything, one actor, or a pair."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..model.errors import UsageError
from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Edge, Store
from .common import incident, relation_row, sort_key


def timeline(graph: Store, nodes: list[str], filters: Filters = NO_FILTERS) -> list[dict]:
    """Dated relations in time order: all, those of one actor (and those placed at it),
    or those between two."""
    return timeline_and_undated(graph, nodes, filters)[0]


def timeline_and_undated(
    graph: Store, nodes: list[str], filters: Filters = NO_FILTERS
) -> tuple[list[dict], int]:
    """``timeline``, and how many undated relations it left out that would otherwise
    pass the filters (``list relations --between`` shows them)."""
    if len(nodes) > 2:
        raise UsageError("timeline takes at most two names")
    if len(nodes) == 2 and nodes[0] == nodes[1]:
        raise UsageError("the two names are the same entity: give two different ones")
    if not nodes:
        edges: Iterable[Edge] = graph.edges()
    elif len(nodes) == 1:  # its own relations, and what happened there
        own = {edge[2]: edge for _, edge in incident(graph, nodes[0])}
        own.update((edge[2], edge) for edge in graph.placed_at(nodes[0]))
        edges = own.values()
    else:
        a, b = nodes
        edges = (edge for _, edge in incident(graph, a) if b in (edge[0], edge[1]))
    undated_pass = replace(filters, since=None, until=None, within=False).accepts
    dated, undated = [], 0
    for edge in edges:
        if "date" in edge[3]:
            if filters.accepts(edge[3]):
                dated.append(edge)
        elif undated_pass(edge[3]):
            undated += 1
    dated.sort(key=lambda e: (sort_key(e[3]), e[2]))
    return [relation_row(graph, *e) for e in dated], undated

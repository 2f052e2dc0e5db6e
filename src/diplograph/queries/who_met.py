"""Who met an actor."""

from __future__ import annotations

from dataclasses import replace
from operator import itemgetter

from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Store
from .common import UNDATED, date_rank, display_names, incident, relation_fields


def who_met(
    graph: Store, node: str, filters: Filters = NO_FILTERS, first: int | None = None
) -> list[dict]:
    """Everyone with a ``met`` relation with ``node`` (either direction), by date (then
    the other's name, then the relation id).

    With ``first``, only the first ``first`` rows of that order (see ``first_met``)."""
    met_only = replace(filters, relation_types=frozenset({"met"}))
    if first is not None:
        return first_met(graph, node, met_only, first)[0]
    return _rows(graph, list(incident(graph, node, "both", met_only)))


def first_met(graph: Store, node: str, met_only: Filters, first: int) -> tuple[list[dict], int]:
    """(The first ``first`` rows of ``who_met``, how many rows it has in all), reading
    the records of those rows only: the relations are ranked by date from the store's
    arrays, and only those ranked no later than the ``first``-th (ties included) are
    read and ordered in full. A table of the busiest actor's first rows so costs what
    the table shows, not every meeting it has."""
    accepts = graph.edge_filter(met_only)
    ranked = []
    for _, handle in graph.fast_steps(node, "both", accepts, frozenset()):
        bounds = graph.bounds(handle)
        rank = (0, bounds[0].toordinal(), bounds[1].toordinal()) if bounds else UNDATED
        ranked.append((rank, handle))
    total = len(ranked)
    if first <= 0 or first >= total:
        chosen = [handle for _, handle in ranked]
    else:
        ranked.sort(key=itemgetter(0))
        cutoff = ranked[first - 1][0]
        chosen = [handle for rank, handle in ranked if rank <= cutoff]
    found = [("out" if edge[0] == node else "in", edge) for edge in graph.edges_of(chosen)]
    rows = _rows(graph, found)
    return (rows[:first] if first > 0 else rows), total


def _rows(graph: Store, incident_edges: list) -> list[dict]:
    """The rows of ``who_met`` for (direction, edge) pairs, in its order."""
    met = [
        (v if direction == "out" else u, key, attrs)
        for direction, (u, v, key, attrs) in incident_edges
    ]
    names = display_names(graph, [other for other, _, _ in met])
    found = []
    order: dict[str | None, tuple] = {}  # date -> sort key (a hub meets many on one day)
    for (other, key, attrs), name in zip(met, names, strict=True):
        when = attrs.get("date")
        rank = order.get(when)
        if rank is None:
            rank = order[when] = date_rank(graph, key, attrs)
        found.append((rank, name, key, other, attrs))
    found.sort(key=itemgetter(0, 1, 2))
    return [
        relation_fields(graph, key, attrs, {"id": other, "name": name})
        for _, name, key, other, attrs in found
    ]

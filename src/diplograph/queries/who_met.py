"""Who met an actor."""

from __future__ import annotations

from dataclasses import replace
from operator import itemgetter

from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Edge, Store
from .common import UNDATED, display_names, relation_fields


def who_met(
    graph: Store, node: str, filters: Filters = NO_FILTERS, first: int | None = None
) -> list[dict]:
    """Everyone with a ``met`` relation with ``node`` (either direction), by date (then
    the other's name, then the relation id).

    With ``first``, only the first ``first`` rows of that order (see ``first_met``)."""
    met_only = replace(filters, relation_types=frozenset({"met"}))
    return first_met(graph, node, met_only, 0 if first is None else first)[0]


def first_met(graph: Store, node: str, met_only: Filters, first: int) -> tuple[list[dict], int]:
    """(The first ``first`` rows of ``who_met`` (every row when ``first`` is 0 or
    less), how many rows it has in all), reading the records of those rows only: the
    relations are ranked by date from the store's ``bounds``, and only those ranked no
    later than the ``first``-th (ties included) are read and ordered in full. A table of
    the busiest actor's first rows so costs what the table shows, not every meeting it
    has."""
    accepts = graph.relation_filter(met_only)
    bounds = graph.bounds
    ranked = []
    # (by the indexes, not ``steps``: the other ends' ids are read for the rows shown only;
    # no relation joins an entity to itself, so none is in both)
    for handle in (
        *graph.handles(node, "source", accepts),
        *graph.handles(node, "target", accepts),
    ):
        found = bounds(handle)
        rank = (0, found[0].toordinal(), found[1].toordinal()) if found else UNDATED
        ranked.append((rank, handle))
    total = len(ranked)
    if 0 < first < total:
        ranked.sort(key=itemgetter(0))
        cutoff = ranked[first - 1][0]
        ranked = [item for item in ranked if item[0] <= cutoff]
    edges = graph.edges_of([handle for _, handle in ranked])
    rows = _rows(graph, node, [rank for rank, _ in ranked], edges)
    return (rows[:first] if first > 0 else rows), total


def _rows(graph: Store, node: str, ranks: list[tuple], edges: list[Edge]) -> list[dict]:
    """The rows of ``who_met`` for ``node``'s meetings (each with its date rank), in
    its order."""
    met = [(v if u == node else u, key, attrs) for u, v, key, attrs in edges]
    names = display_names(graph, [other for other, _, _ in met])
    found = [
        (rank, name, key, other, attrs)
        for rank, (other, key, attrs), name in zip(ranks, met, names, strict=True)
    ]
    found.sort(key=itemgetter(0, 1, 2))
    return [
        relation_fields(graph, key, attrs, {"id": other, "name": name})
        for _, name, key, other, attrs in found
    ]

"""What happened, in time order: everything, one actor, or a pair.

With a date window (``--since``/``--until``) the answer comes first: the relations whose
whole date lies in the window (``in_window`` true), in time order, then the spans that
merely overlap it (``in_window`` false: "2020/2025" overlaps February 2025), in time
order. ``--within`` keeps only the first. Without a window rows have no ``in_window``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..model import dates
from ..model.errors import UsageError
from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Edge, Store
from .common import incident, placed_at, relation_row, sort_key


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
        edges: Iterable[Edge] = graph.relations()
    elif len(nodes) == 1:  # its own relations, and what happened there
        own = {edge[2]: edge for _, edge in incident(graph, nodes[0])}
        own.update((edge[2], edge) for edge in placed_at(graph, nodes[0]))
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
    if not filters.dated:
        return [relation_row(graph, *e) for e in dated], undated
    inside, overlapping = [], []
    for edge in dated:
        whole = dates.parse(edge[3]["date"]).inside(filters.since, filters.until)
        row = relation_row(graph, *edge)
        row["in_window"] = whole
        (inside if whole else overlapping).append(row)
    return inside + overlapping, undated


def window_text(filters: Filters) -> str | None:
    """The date window as read, for a label: "2025-02-01 to 2025-02-28", "2025-06-21"
    (one day), "2025-06-21 onwards", "up to 2025-02-28"; None without a window."""
    since, until = filters.since, filters.until
    if since is None and until is None:
        return None
    if since is None:
        return f"up to {until.isoformat()}"
    if until is None:
        return f"{since.isoformat()} onwards"
    if since == until:
        return since.isoformat()
    return f"{since.isoformat()} to {until.isoformat()}"

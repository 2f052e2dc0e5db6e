"""Who is around an actor, hop by hop."""

from __future__ import annotations

from ..model.errors import UsageError
from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Store
from .common import entity_name, incident, reading, relation_fields, sort_key


def neighbors(
    graph: Store,
    node: str,
    direction: str = "both",
    depth: int = 1,
    filters: Filters = NO_FILTERS,
) -> list[dict]:
    """Entities within ``depth`` hops of ``node``, one row per relation reaching them."""
    if direction not in ("in", "out", "both"):
        raise UsageError(f"unknown direction '{direction}' (choose in, out or both)")
    if depth < 1:
        raise UsageError(f"a depth must be at least 1, not {depth}")
    seen = {node: 0}
    frontier = [node]
    rows = []
    for distance in range(1, depth + 1):
        following = []

        def nearer(other: str, distance: int = distance) -> bool:
            """Reached at a smaller distance: its relations from here are not rows."""
            return seen.get(other, distance) < distance

        for current in frontier:
            edges = sorted(
                incident(graph, current, direction, filters, nearer),
                key=lambda item: (sort_key(item[1][3]), item[1][2]),
            )
            for way, (u, v, key, attrs) in edges:
                other = v if way == "out" else u
                if other not in seen:
                    seen[other] = distance
                    following.append(other)
                rows.append(
                    {
                        "distance": distance,
                        "id": other,
                        "name": entity_name(graph, other),
                        "type": graph.entity(other).get("type", ""),
                        "via_id": current,
                        "via_name": entity_name(graph, current),
                        "direction": way,
                        "relation": reading(graph, attrs["type"], way == "out"),
                        "relation_type": attrs["type"],
                        **relation_fields(graph, key, attrs),
                    }
                )
        frontier = following
    return rows

"""Who met an actor."""

from __future__ import annotations

from dataclasses import replace
from operator import itemgetter

from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Store
from .common import date_rank, display_names, incident, relation_fields


def who_met(graph: Store, node: str, filters: Filters = NO_FILTERS) -> list[dict]:
    """Everyone with a ``met`` relation with ``node`` (either direction), by date."""
    met_only = replace(filters, relation_types=frozenset({"met"}))
    met = [
        (v if direction == "out" else u, key, attrs)
        for direction, (u, v, key, attrs) in incident(graph, node, "both", met_only)
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

"""Who did something to an actor: ``who released Tsikhanouski``, ``who sanctions Belarus``."""

from __future__ import annotations

from dataclasses import replace

from ..model.errors import UsageError
from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Store
from .common import incident, relation_row, sort_key


def who(
    graph: Store, node: str, relation_types: frozenset[str], filters: Filters = NO_FILTERS
) -> list[dict]:
    """The relations of these types touching ``node``, each read in its true direction
    (``relation_row``): first those whose target ``node`` is (the answer to "who
    released X": "Lukashenko released X"), then those it is the source of ("X released
    ..."), each part in time order (undated last). A symmetric type (met) reads the same
    both ways, so its relations are one part."""
    if not relation_types:
        raise UsageError("give a relation type (e.g. released, sanctions)")
    chosen = replace(filters, relation_types=frozenset(relation_types))
    types = graph.graph["relation_types"]
    found = []
    for way, (u, v, key, attrs) in incident(graph, node, "both", chosen):
        if way == "in" and u == v:  # a relation of an actor with itself: once
            continue
        symmetric = types.get(attrs["type"], {}).get("symmetric", False)
        part = 0 if way == "in" or symmetric else 1
        found.append(((part, sort_key(attrs), key), (u, v, key, attrs)))
    found.sort(key=lambda item: item[0])
    return [relation_row(graph, *edge) for _, edge in found]

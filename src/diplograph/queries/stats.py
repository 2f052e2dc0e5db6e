"""The shape of the graph: counts, most connected actors, brokers, components."""

from __future__ import annotations

import collections
from typing import Any

from ..model.gcpause import paused_gc
from ..store.protocol import Store
from .common import DEGREE, display_names, entity_name

#: Betweenness is exact on graphs of up to this many entities; on larger ones it is
#: estimated from a sample of pivots, as many as keep the breadth-first searches to about
#: BETWEENNESS_BUDGET entities and links visited in all (within PIVOTS).
EXACT_BETWEENNESS_MAX = 2000
BETWEENNESS_BUDGET = 3_000_000
PIVOTS = (10, 500)


def betweenness_pivots(nodes: int, links: int) -> int | None:
    """How many pivots estimate betweenness on a simple graph of this size (None: all,
    exactly)."""
    if nodes <= EXACT_BETWEENNESS_MAX:
        return None
    fewest, most = PIVOTS
    return max(fewest, min(most, BETWEENNESS_BUDGET // (nodes + links)))


def simple_graph(graph: Store) -> Any:
    """The entities and who is linked to whom, as networkx's undirected simple graph
    (what ``networkx.Graph`` makes of the whole graph), from the store's links: no
    relation record is read."""
    import networkx as nx

    simple = nx.Graph()
    simple.add_nodes_from(graph.entity_ids())
    simple.add_edges_from(graph.links(None, ()))
    return simple


def place_links(graph: Store) -> list[tuple[str, str]]:
    """(place, actor) for each end of every relation that has a place: what ties a
    place to the graph though no relation has it as an end (no record read)."""
    found = []
    for place, count in graph.counts(("place",)):
        if count:
            for u, v in graph.ends(graph.handles(place, "place")):
                found += ((place, u), (place, v))
    return found


def stats(graph: Store, top: int = 10, progress: Any = None) -> dict[str, list[dict]]:
    """Counts by type, most connected actors, brokers (betweenness), components;
    ``progress(step)`` hears each step as it starts.

    Components count a relation's place as linked to its two ends (Minsk, where
    meetings were held, is in the component of those who met there); ``members`` lists
    every member's name, sorted."""
    import networkx as nx

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    with paused_gc():  # networkx makes a dict or two per node and link: no cycles
        step("counting and linking entities")
        by_type = dict(collections.Counter(graph.entity_types()))
        rel_types = graph.relation_type_counts()
        simple = simple_graph(graph)
        degree = sorted(graph.counts(DEGREE), key=lambda item: (-item[1], item[0]))[:top]
        sample = betweenness_pivots(simple.number_of_nodes(), simple.number_of_edges())
        if sample:
            step(f"estimating betweenness from {sample} of {simple.number_of_nodes():,} entities")
        else:
            step("working out betweenness")
        between = nx.betweenness_centrality(simple, k=sample, seed=0 if sample else None)
        brokers = sorted(between.items(), key=lambda item: (-item[1], item[0]))[:top]
        step("finding components")
        # a place is part of what happened there: it joins the component of the
        # relations placed at it (a place nothing happened at stays on its own)
        simple.add_edges_from(place_links(graph))
        components = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
    # the largest ``top`` components are listed; entities with no relation at all (places
    # named only as where something happened, mostly) are only counted
    lone = sum(1 for c in components if len(c) == 1)
    linked = [c for c in components if len(c) > 1]
    return {
        "entities": [{"type": t, "count": n} for t, n in sorted(by_type.items())],
        "relations": [
            {"type": t, "count": n}
            for t, n in sorted(rel_types.items(), key=lambda i: (-i[1], i[0]))
        ],
        "most_connected": [
            {"id": n, "name": entity_name(graph, n), "degree": d} for n, d in degree
        ],
        "brokers": [
            {"id": n, "name": entity_name(graph, n), "betweenness": round(b, 4)}
            for n, b in brokers
            if b > 0
        ],
        "components": [
            {"component": i, "size": len(c), "members": sorted(display_names(graph, sorted(c)))}
            for i, c in enumerate(linked[:top], 1)
        ],
        "component_summary": [
            {
                "components": len(linked),
                "listed": min(top, len(linked)),
                "lone_entities": lone,
            }
        ],
    }

"""How two actors are connected: shortest, all shortest, k shortest, time-ordered paths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from itertools import islice

from ..model import dates
from ..model.errors import NoPath, UsageError
from ..model.filters import CERTAINTY_RANK, NO_FILTERS, Filters
from ..model.gcpause import paused_gc
from ..store.protocol import Edge, Handle, Store
from .common import entity_name, relation_row, sort_key


@dataclass(frozen=True)
class PathOptions:
    """Constraints on a path search (see ``paths``)."""

    filters: Filters = NO_FILTERS
    avoid: frozenset[str] = frozenset()
    directed: bool = False
    max_hops: int | None = None
    all_shortest: bool = False
    k: int = 1
    chronological: bool = False


class _Stepper:
    """One hop at a time over the relations a path may use.

    Yields (next node, handle): the store's handle of the relation, so a search reads
    arrays and decodes only the relations of the paths it returns.
    """

    def __init__(self, graph: Store, options: PathOptions):
        self.graph = graph
        self.options = options
        self.accepts = graph.relation_filter(options.filters)
        self._between: dict[tuple[str, str], Edge] = {}
        self.categories = _categories(graph)

    def __call__(self, node: str, reverse: bool = False) -> Iterator[tuple[str, Handle]]:
        direction = "both" if not self.options.directed else ("in" if reverse else "out")
        return self.graph.steps(node, direction, self.accepts, self.options.avoid)

    def edge(self, handle: Handle) -> Edge:
        return self.graph.edge(handle)

    def best_between(self, a: str, b: str) -> Edge:
        """The relation a path shows for the hop a -> b (see ``_best_edge``), memoized."""
        found = self._between.get((a, b))
        if found is None:
            direction = "out" if self.options.directed else "both"
            handles = (
                [] if b in self.options.avoid else self.graph.between(a, b, direction, self.accepts)
            )
            found = self._between[(a, b)] = _best_edge(
                [self.graph.edge(h) for h in handles], self.categories
            )
        return found

    def bounds(self, handle: Handle) -> tuple[date, date] | None:
        return self.graph.bounds(handle)


#: A span's width (days) counted at most this much: an open span counts as this wide.
_WIDEST = 36500


def _hop_rank(edge: Edge, categories: dict[str, str]) -> tuple[int, int, int, int]:
    """(certainty rank, vague?, undated?, width in days) of one hop. A hop is vague
    when it is an event or stance with no date, or a span open at one end; a role or
    tie the source does not date (``envoy-of``) is not vague, only undated."""
    attrs = edge[3]
    when = attrs.get("date")
    if when is None:
        vague = categories.get(attrs["type"]) in ("event", "stance")
        return (CERTAINTY_RANK[attrs["certainty"]], int(vague), 1, _WIDEST)
    bounds = dates.parse(when)
    open_span = bounds.lower == date.min or bounds.upper == date.max
    width = min(bounds.upper.toordinal() - bounds.lower.toordinal(), _WIDEST)
    return (CERTAINTY_RANK[attrs["certainty"]], int(open_span), 0, width)


def _categories(graph: Store) -> dict[str, str]:
    return {rid: t.get("category", "") for rid, t in graph.graph["relation_types"].items()}


def _best_edge(edges: list[Edge], categories: dict[str, str]) -> Edge:
    """Of parallel relations on one hop, the surest, then dated and specific before open
    spans and undated, then the narrowest date, then the most recent."""

    def rank(edge: Edge) -> tuple:
        _, lower, upper = sort_key(edge[3])
        return (*_hop_rank(edge, categories), -upper.toordinal(), -lower.toordinal(), edge[2])

    return min(edges, key=rank)


def path_rank(
    graph: Store, nodes: list[str], edges: list[Edge], categories: dict[str, str] | None = None
) -> tuple:
    """How paths of one length are ranked (the first is the one ``path`` shows, and
    ``--k`` lists the rest after it), in this order:

    1. surer facts: the least sure hop (stated before reported, hedged, hypothetical),
       then the sum over hops;
    2. fewer vague hops: events without a date, spans open at one end;
    3. fewer actors on the way that are not people (countries, organisations, groups);
    4. narrower dates in total (an undated role counts as one open span);
    5. the relation ids, so the answer does not depend on storage order.
    """
    categories = _categories(graph) if categories is None else categories
    hops = [_hop_rank(edge, categories) for edge in edges]
    collective = sum(1 for n in nodes[1:-1] if graph.entity(n).get("type") != "person")
    return (
        max((h[0] for h in hops), default=0),
        sum(h[0] for h in hops),
        sum(h[1] for h in hops),
        collective,
        sum(h[3] for h in hops),
        [edge[2] for edge in edges],
    )


#: How many equally short paths are compared to pick the best one.
SHORTEST_CANDIDATES = 200


def _expand(step: _Stepper, frontier: list[str], depth: dict, parents: dict, reverse: bool):
    """One breadth-first layer, recording every parent of each newly reached node."""
    following: list[str] = []
    for node in frontier:
        level = depth[node] + 1
        for nxt, _handle in step(node, reverse):
            seen = depth.get(nxt)
            if seen is None:
                depth[nxt] = level
                parents[nxt] = [node]
                following.append(nxt)
            elif seen == level and node not in parents[nxt]:
                parents[nxt].append(node)
    for node in following:
        parents[node].sort()  # one canonical order, whatever the storage order
    return sorted(following)


def _unwind(parents: dict[str, list[str]], goal: str) -> Iterator[list[str]]:
    if not parents[goal]:
        yield [goal]
        return
    for parent in parents[goal]:
        for prefix in _unwind(parents, parent):
            yield [*prefix, goal]


def _shortest_node_paths(step: _Stepper, start: str, goal: str, limit: int | None):
    """Shortest node sequences from start to goal, by bidirectional breadth-first search.

    Each side expands a whole layer at a time (the smaller frontier first). When a layer
    first reaches the other side, every node it shares with it lies on a shortest path,
    and every shortest path passes through one of them; paths are read out through
    those middles in a canonical (sorted) order, at most ``limit`` of them.
    """
    max_hops = step.options.max_hops
    depth = ({start: 0}, {goal: 0})
    parents: tuple[dict, dict] = ({start: []}, {goal: []})
    frontier = ([start], [goal])
    hops = 0
    middles: list[str] = []
    while frontier[0] and frontier[1] and (max_hops is None or hops < max_hops):
        side = 0 if len(frontier[0]) <= len(frontier[1]) else 1
        fresh = _expand(step, frontier[side], depth[side], parents[side], reverse=side == 1)
        frontier = (fresh, frontier[1]) if side == 0 else (frontier[0], fresh)
        hops += 1
        middles = [node for node in fresh if node in depth[1 - side]]
        if middles:
            break
    found: list[list[str]] = []
    for middle in middles:
        for prefix in _unwind(parents[0], middle):
            for suffix in _unwind(parents[1], middle):
                found.append(prefix + suffix[::-1][1:])
                if limit is not None and len(found) >= limit:
                    return found
    return found


def chronological_ok(hops: list[dict]) -> bool:
    """True when some choice of days, one within each hop's date bounds, never goes back.

    This is exact for uncertain dates: a hop dated '2025-04' may follow one dated
    '2025-04-10' (both can be April 10 or later), but '2025-02' may not follow '2025-04';
    a span open at its end counts as its start (``dates.sequence_bounds``): "since autumn
    2024" may not follow June 2025.
    Undated hops can never be placed, so they are not allowed.
    """
    earliest = date.min
    for attrs in hops:
        when = attrs.get("date")
        if when is None:
            return False
        lower, upper = dates.sequence_bounds(when)
        earliest = max(earliest, lower)
        if earliest > upper:
            return False
    return True


def _chronological_path(step: _Stepper, start: str, goal: str) -> list[Edge]:
    """Fewest-hop path whose hops can happen in time order (see ``chronological_ok``).

    Label-setting search: at each hop count a node keeps the earliest day it can be
    reached by; a label is dropped when the node was already reached in fewer hops by a
    day no later. This finds the fewest hops exactly. Ties go to the path whose relation
    ids sort first, so the answer does not depend on storage order.
    """
    max_hops = step.options.max_hops
    best: dict[str, date] = {start: date.min}
    layer: dict[str, tuple[date, list]] = {start: (date.min, [])}
    hops = 0

    def keys(trail: list) -> list[str]:
        return [step.edge(h)[2] for h in trail]

    while layer:
        if goal in layer and goal != start:
            return [step.edge(h) for h in layer[goal][1]]
        if max_hops is not None and hops >= max_hops:
            break
        following: dict[str, tuple[date, list]] = {}
        for node in sorted(layer):
            day, trail = layer[node]
            for nxt, handle in step(node):
                bounds = step.bounds(handle)
                if bounds is None:
                    continue
                if bounds[1] == date.max:  # open at its end: placed at its start
                    bounds = dates.sequence_bounds(step.edge(handle)[3]["date"])
                arrive = max(day, bounds[0])
                if arrive > bounds[1] or (nxt in best and best[nxt] <= arrive):
                    continue
                current = following.get(nxt)
                candidate = [*trail, handle]
                if (
                    current is None
                    or arrive < current[0]
                    or (arrive == current[0] and keys(candidate) < keys(current[1]))
                ):
                    following[nxt] = (arrive, candidate)
        for node, (day, _) in following.items():
            best[node] = min(day, best.get(node, date.max))
        layer = following
        hops += 1
    return []


def _path_nodes(start: str, edges: list[Edge]) -> list[str]:
    """The actors a path passes, from ``start``, read off its hops."""
    nodes = [start]
    for u, v, _, _ in edges:
        nodes.append(v if nodes[-1] == u else u)
    return nodes


def _choose_edges(step: _Stepper, nodes: list[str]) -> list[Edge]:
    return [step.best_between(a, b) for a, b in zip(nodes, nodes[1:], strict=False)]


def _k_shortest(graph: Store, step: _Stepper, start: str, goal: str) -> list[list[str]]:
    """The k shortest simple node paths (networkx's Yen-style search on a simple graph)."""
    import networkx as nx

    options, avoid = step.options, step.options.avoid
    simple: nx.Graph = nx.DiGraph() if options.directed else nx.Graph()
    # links sorted, so that the order among equally long paths does not depend on storage
    links = graph.links(step.accepts, avoid)
    with paused_gc():  # a dict or two per entity and link, no cycles
        simple.add_nodes_from(sorted(n for n in graph.entity_ids() if n not in avoid))
        simple.add_edges_from(links)
        try:
            found = list(islice(nx.shortest_simple_paths(simple, start, goal), options.k))
        except nx.NetworkXNoPath:
            return []
    if options.max_hops is not None:
        found = [p for p in found if len(p) - 1 <= options.max_hops]
    return found


def paths(
    graph: Store, start: str, goal: str, options: PathOptions = PathOptions()
) -> list[list[Edge]]:
    """Shortest chains of relations from ``start`` to ``goal``.

    Directions are ignored unless ``options.directed``. Returns one path (the surest,
    best-dated of the shortest), all shortest paths (``all_shortest``), the ``k``
    shortest simple paths, or the fewest-hop time-ordered path; raises NoPath.
    """
    if start == goal:
        raise UsageError("the two names are the same entity: give two different ones")
    for node in (start, goal):
        if node in options.avoid:
            raise UsageError(f"cannot avoid '{entity_name(graph, node)}': it is an end of the path")
    step = _Stepper(graph, options)

    def ranked(node_paths: list[list[str]]) -> list[list[Edge]]:
        chosen = [(p, _choose_edges(step, p)) for p in node_paths]
        chosen.sort(key=lambda pe: (len(pe[1]), path_rank(graph, *pe, step.categories)))
        return [edges for _, edges in chosen]

    if options.chronological:
        found = [p for p in [_chronological_path(step, start, goal)] if p]
    else:
        limit = None if options.all_shortest else SHORTEST_CANDIDATES
        node_paths = _shortest_node_paths(step, start, goal, limit)
        if options.k > 1 and node_paths:  # the path ``path`` shows first, then the rest
            best = ranked(node_paths)[0]
            first = tuple(_path_nodes(start, best))
            others = {tuple(p): p for p in [*node_paths, *_k_shortest(graph, step, start, goal)]}
            others.pop(first, None)
            found = [best, *ranked(list(others.values()))][: options.k]
        else:
            found = ranked(node_paths)
            if not options.all_shortest:
                found = found[:1]
    if not found:
        a, b = entity_name(graph, start), entity_name(graph, goal)
        limits = " under the given constraints" if options != PathOptions() else ""
        raise NoPath(f"no path between {a} and {b}{limits}")
    return found


def path_rows(graph: Store, found: list[list[Edge]]) -> list[dict]:
    """One row per hop (path number, hop number), each read in its true direction."""
    return [
        {"path": i, "hop": j, **relation_row(graph, *edge)}
        for i, edges in enumerate(found, 1)
        for j, edge in enumerate(edges, 1)
    ]

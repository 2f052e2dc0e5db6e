"""Questions asked of the graph. Pure functions: graph (and resolved ids) in, rows out.

A row is a plain dict. Rows that name an entity carry its id and name; rows about a
relation carry its date (EDTF, as written), date_text, certainty, reported_by,
relation_id and evidence (a list of {source, quote}). Nothing here prints.
"""

from __future__ import annotations

import collections
import itertools
import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from operator import itemgetter
from typing import Any

from . import dates
from .errors import NoPath, PartTooLarge, UsageError
from .model import CERTAINTY

CERTAINTY_RANK = {level: rank for rank, level in enumerate(CERTAINTY)}
Edge = tuple[str, str, str, dict]  # source, target, relation id, attributes


@dataclass(frozen=True)
class Filters:
    """Which relations a query may use: by type, date window and certainty.

    A dated relation passes the date window when its bounds overlap it; an undated
    relation passes only when no window is set.
    """

    since: date | None = None
    until: date | None = None
    certainty: frozenset[str] = field(default_factory=frozenset)
    relation_types: frozenset[str] = field(default_factory=frozenset)

    def accepts(self, attrs: dict) -> bool:
        """True when a relation (edge attributes) passes every filter."""
        if self.relation_types and attrs["type"] not in self.relation_types:
            return False
        if self.certainty and attrs["certainty"] not in self.certainty:
            return False
        if self.since is None and self.until is None:
            return True
        when = attrs.get("date")
        return when is not None and dates.parse(when).overlaps(self.since, self.until)


def make_filters(
    graph: Any,
    since: str | None = None,
    until: str | None = None,
    certainty: Iterable[str] = (),
    relation_types: Iterable[str] = (),
) -> Filters:
    """Build Filters from user-typed values, raising UsageError on unknown ones."""
    try:
        since_day = dates.parse(since).lower if since else None
        until_day = dates.parse(until).upper if until else None
    except dates.DateError as exc:
        raise UsageError(f"bad date filter: {exc}") from None
    if since_day and until_day and since_day > until_day:
        raise UsageError(f"--since {since} is after --until {until}")
    levels = frozenset(certainty)
    unknown = sorted(levels - set(CERTAINTY))
    if unknown:
        raise UsageError(f"unknown certainty '{unknown[0]}' (choose from {', '.join(CERTAINTY)})")
    return Filters(since_day, until_day, levels, check_relation_types(graph, relation_types))


def check_relation_types(graph: Any, names: Iterable[str]) -> frozenset[str]:
    """The relation type ids given, each checked against the vocabulary."""
    known = graph.graph["relation_types"]
    types = frozenset(names)
    for name in sorted(types):
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"unknown relation type '{name}'{hint}")
    return types


NO_FILTERS = Filters()


def entity_name(graph: Any, node: str | None) -> str:
    """Display name of an entity id ('' for None)."""
    return namer(graph)(node) if node is not None else ""


def namer(graph: Any):
    """``entity_name`` for one graph, looked up once (for loops over many rows)."""
    name_of = getattr(graph, "name_of", None)  # a PackedGraph reads its name table
    if name_of is None:
        nodes = graph.nodes

        def name_of(node: str) -> str:
            return nodes[node].get("name", node)

    return name_of


def display_names(graph: Any, nodes: list[str]) -> list[str]:
    """``entity_name`` of many entities (a PackedGraph reads them in one go)."""
    names_of = getattr(graph, "names_of", None)
    return names_of(nodes) if names_of else list(map(namer(graph), nodes))


def reading(graph: Any, rtype: str, forward: bool = True) -> str:
    """How a relation type reads: 'released' forward, 'was released by' backward."""
    spec = graph.graph["relation_types"].get(rtype)
    if spec is None:
        return rtype
    return spec["label"] if forward or spec["symmetric"] else spec["inverse"]


def sort_key(attrs: dict) -> tuple:
    """Chronological order: dated relations by (earliest, latest); undated last."""
    when = attrs.get("date")
    if not when:
        return (1, date.max, date.max)
    parsed = dates.parse(when)
    return (0, parsed.lower, parsed.upper)


_UNDATED = (1, date.max.toordinal(), date.max.toordinal())


def date_rank(graph: Any, key: str, attrs: dict) -> tuple:
    """A sort key in the order of ``sort_key``, as (dated?, earliest, latest) day ordinals:
    from a PackedGraph's date arrays when it has just read the relation (no parsing)."""
    bounds = getattr(graph, "relation_ordinals", None)
    found = bounds(key) if bounds else None
    if found is not None:
        return (0, *found) if found else _UNDATED
    when = attrs.get("date")
    return (0, *dates.ordinal_bounds(when)) if when else _UNDATED


def relation_fields(graph: Any, key: str, attrs: dict, row: dict | None = None) -> dict:
    """The provenance columns every relation row carries (added to ``row`` if given)."""
    get = attrs.get
    place, reported_by = get("place"), get("reported_by")
    name = namer(graph) if place or reported_by else None
    row = {} if row is None else row
    row["date"] = get("date", "")
    row["date_text"] = get("date_text", "")
    row["place_id"] = place or ""
    row["place"] = name(place) if place else ""
    row["certainty"] = attrs["certainty"]
    row["reported_by"] = name(reported_by) if reported_by else ""
    row["relation_id"] = key
    row["evidence"] = attrs["evidence"]
    row["note"] = get("note", "")
    if "attributes" in attrs:  # coder numbers (GDELT, ICEWS), only where there are some
        row["attributes"] = attrs["attributes"]
    return row


def relation_row(graph: Any, u: str, v: str, key: str, attrs: dict) -> dict[str, Any]:
    """A relation read in its true direction: from (actor), relation, to."""
    return {
        "from_id": u,
        "from_name": entity_name(graph, u),
        "relation": reading(graph, attrs["type"]),
        "type": attrs["type"],
        "to_id": v,
        "to_name": entity_name(graph, v),
        **relation_fields(graph, key, attrs),
    }


def incident(
    graph: Any,
    node: str,
    direction: str = "both",
    filters: Filters = NO_FILTERS,
    skip: Callable[[str], bool] | None = None,
) -> Iterator[tuple[str, Edge]]:
    """Relations touching ``node``: ('out', edge) where it is the source, ('in', edge) else;
    without those whose other end ``skip`` refuses (a packed graph never reads them)."""
    if hasattr(graph, "incident"):  # a PackedGraph filters on its arrays first
        yield from graph.incident(node, direction, filters, skip)
        return
    if direction in ("out", "both"):
        for _, v, key, attrs in graph.out_edges(node, keys=True, data=True):
            if filters.accepts(attrs) and not (skip and skip(v)):
                yield "out", (node, v, key, attrs)
    if direction in ("in", "both"):
        for u, _, key, attrs in graph.in_edges(node, keys=True, data=True):
            if filters.accepts(attrs) and not (skip and skip(u)):
                yield "in", (u, node, key, attrs)


# -- who-met -------------------------------------------------------------------------------


def who_met(graph: Any, node: str, filters: Filters = NO_FILTERS) -> list[dict]:
    """Everyone with a ``met`` relation with ``node`` (either direction), by date."""
    met_only = Filters(filters.since, filters.until, filters.certainty, frozenset({"met"}))
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


# -- path ----------------------------------------------------------------------------------


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
    """One hop at a time over the relations a path may use, on either kind of graph.

    Yields (next node, handle): on a networkx graph the handle is the edge tuple; on a
    PackedGraph it is the relation's index, so a search reads arrays and decodes only the
    relations of the paths it returns.
    """

    def __init__(self, graph: Any, options: PathOptions):
        self.graph = graph
        self.options = options
        self.packed = hasattr(graph, "fast_steps")
        self.accepts = graph.edge_filter(options.filters) if self.packed else None

    def __call__(self, node: str, reverse: bool = False) -> Iterator[tuple[str, Any]]:
        direction = "both" if not self.options.directed else ("in" if reverse else "out")
        if self.packed:
            yield from self.graph.fast_steps(node, direction, self.accepts, self.options.avoid)
            return
        for way, edge in incident(self.graph, node, direction, self.options.filters):
            nxt = edge[1] if way == "out" else edge[0]
            if nxt not in self.options.avoid:
                yield nxt, edge

    def edge(self, handle: Any) -> Edge:
        return self.graph.edge(handle) if self.packed else handle

    def best_between(self, a: str, b: str) -> Edge:
        """The relation a path shows for the hop a -> b (see ``_best_edge``), memoized."""
        memo = self.__dict__.setdefault("_between", {})
        if (a, b) not in memo:
            if self.packed:
                direction = "out" if self.options.directed else "both"
                handles = self.graph.between(a, b, direction, self.accepts)
                if b in self.options.avoid:
                    handles = []
                edges = [self.graph.edge(h) for h in handles]
            else:
                edges = [h for nxt, h in self(a) if nxt == b]
            memo[(a, b)] = _best_edge(edges)
        return memo[(a, b)]

    def bounds(self, handle: Any) -> tuple[date, date] | None:
        if self.packed:
            return self.graph.bounds(handle)
        when = handle[3].get("date")
        if when is None:
            return None
        parsed = dates.parse(when)
        return parsed.lower, parsed.upper


def _best_edge(edges: list[Edge]) -> Edge:
    """Of parallel relations on one hop, the most certain, then most recent and precise."""

    def rank(edge: Edge) -> tuple:
        attrs = edge[3]
        dated, lower, upper = sort_key(attrs)
        return (
            CERTAINTY_RANK[attrs["certainty"]],
            dated,
            -upper.toordinal(),
            -lower.toordinal(),
            edge[2],
        )

    return min(edges, key=rank)


def _path_rank(edges: list[Edge]) -> tuple:
    """Among equally short paths, prefer surer facts, then dated ones, then precise dates."""
    certainty = undated = width = 0
    for edge in edges:
        attrs = edge[3]
        certainty += CERTAINTY_RANK[attrs["certainty"]]
        if "date" in attrs:
            bounds = dates.parse(attrs["date"])
            width += min(bounds.upper.toordinal() - bounds.lower.toordinal(), 36500)
        else:
            undated += 1
    return (certainty, undated, width, [edge[2] for edge in edges])


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
    '2025-04-10' (both can be April 10 or later), but '2025-02' may not follow '2025-04'.
    Undated hops can never be placed, so they are not allowed.
    """
    earliest = date.min
    for attrs in hops:
        when = attrs.get("date")
        if when is None:
            return False
        bounds = dates.parse(when)
        earliest = max(earliest, bounds.lower)
        if earliest > bounds.upper:
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


def _choose_edges(step: _Stepper, nodes: list[str]) -> list[Edge]:
    return [step.best_between(a, b) for a, b in zip(nodes, nodes[1:], strict=False)]


def _k_shortest(graph: Any, step: _Stepper, start: str, goal: str) -> list[list[str]]:
    """The k shortest simple node paths (networkx's Yen-style search on a simple graph)."""
    import networkx as nx

    from .gcpause import paused_gc

    options, avoid = step.options, step.options.avoid
    simple: nx.Graph = nx.DiGraph() if options.directed else nx.Graph()
    # links sorted, so that the order among equally long paths does not depend on storage
    if step.packed:
        links = graph.links(step.accepts, avoid)
    else:
        pairs = (
            (u, v)
            for u, v, _k, a in graph.edges(keys=True, data=True)
            if options.filters.accepts(a)
        )
        links = sorted({(u, v) for u, v in pairs if u not in avoid and v not in avoid})
    with paused_gc():  # a dict or two per entity and link, no cycles
        simple.add_nodes_from(sorted(n for n in graph if n not in avoid))
        simple.add_edges_from(links)
        try:
            found = list(islice(nx.shortest_simple_paths(simple, start, goal), options.k))
        except nx.NetworkXNoPath:
            return []
    if options.max_hops is not None:
        found = [p for p in found if len(p) - 1 <= options.max_hops]
    return found


def paths(
    graph: Any, start: str, goal: str, options: PathOptions = PathOptions()
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
    if options.chronological:
        found = [p for p in [_chronological_path(step, start, goal)] if p]
    elif options.k > 1:
        found = [_choose_edges(step, p) for p in _k_shortest(graph, step, start, goal)]
        found.sort(key=lambda edges: (len(edges), _path_rank(edges)))
    else:
        limit = None if options.all_shortest else SHORTEST_CANDIDATES
        node_paths = _shortest_node_paths(step, start, goal, limit)
        found = sorted((_choose_edges(step, p) for p in node_paths), key=_path_rank)
        if not options.all_shortest:
            found = found[:1]
    if not found:
        a, b = entity_name(graph, start), entity_name(graph, goal)
        limits = " under the given constraints" if options != PathOptions() else ""
        raise NoPath(f"no path between {a} and {b}{limits}")
    return found


def path_rows(graph: Any, found: list[list[Edge]]) -> list[dict]:
    """One row per hop (path number, hop number), each read in its true direction."""
    return [
        {"path": i, "hop": j, **relation_row(graph, *edge)}
        for i, edges in enumerate(found, 1)
        for j, edge in enumerate(edges, 1)
    ]


def subgraph(
    graph: Any,
    filters: Filters = NO_FILTERS,
    ego: str | None = None,
    radius: int = 1,
    at_most: int | None = None,
):
    """The part of the graph a user is looking at, as a new graph (for export).

    Relations must pass ``filters``. With ``ego``, only entities within ``radius`` hops of
    it (directions ignored, through passing relations) and the relations among them.
    Without filters or ego, the whole graph. With filters, entities no passing relation
    touches are left out. A part of more than ``at_most`` relations raises PartTooLarge
    (on a packed graph, before any relation is read).
    """
    if radius < 0:
        raise UsageError("--radius must be 0 or more")

    def check(count: int) -> None:
        if at_most is not None and count > at_most:
            raise PartTooLarge(count, at_most)

    if ego is None and filters == NO_FILTERS:
        check(graph.number_of_edges())
        return graph
    import networkx as nx

    if hasattr(graph, "part"):  # a packed graph: cut on its arrays, then read the part
        nodes, rels = graph.part(filters, ego, radius)
        check(len(rels))
        chosen = graph.edges_of(rels)
        if ego is not None:
            chosen.sort(key=itemgetter(2))  # by relation id, as below
    elif ego is not None:
        keep = {ego}
        frontier = [ego]
        for _ in range(radius):
            following = []
            for node in frontier:
                for _, (u, v, _key, _attrs) in incident(graph, node, "both", filters):
                    other = v if u == node else u
                    if other not in keep:
                        keep.add(other)
                        following.append(other)
            frontier = following
        edges = {
            edge[2]: edge
            for node in keep
            for way, edge in incident(graph, node, "out", filters)
            if edge[1] in keep
        }
        chosen = [edges[key] for key in sorted(edges)]
        nodes = sorted(keep)
    else:
        chosen = [e for e in graph.edges(keys=True, data=True) if filters.accepts(e[3])]
        touched = {n for u, v, _, _ in chosen for n in (u, v)}
        nodes = [n for n in graph if n in touched]
    check(len(chosen))
    part = nx.MultiDiGraph()
    part.graph.update(graph.graph)
    part.add_nodes_from((n, graph.nodes[n]) for n in nodes)
    part.add_edges_from(chosen)
    return part


# -- neighbors, timeline, list -------------------------------------------------------------


def neighbors(
    graph: Any,
    node: str,
    direction: str = "both",
    depth: int = 1,
    filters: Filters = NO_FILTERS,
) -> list[dict]:
    """Entities within ``depth`` hops of ``node``, one row per relation reaching them."""
    if direction not in ("in", "out", "both"):
        raise UsageError(f"unknown direction '{direction}' (choose in, out or both)")
    if depth < 1:
        raise UsageError("--depth must be at least 1")
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
                        "type": graph.nodes[other].get("type", ""),
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


def timeline(graph: Any, nodes: list[str], filters: Filters = NO_FILTERS) -> list[dict]:
    """Dated relations in time order: all, those of one actor, or those between two."""
    if len(nodes) > 2:
        raise UsageError("timeline takes at most two names")
    if len(nodes) == 2 and nodes[0] == nodes[1]:
        raise UsageError("the two names are the same entity: give two different ones")
    if not nodes:
        edges: Iterable[Edge] = graph.edges(keys=True, data=True)
    elif len(nodes) == 1:
        edges = (edge for _, edge in incident(graph, nodes[0]))
    else:
        a, b = nodes
        edges = (edge for _, edge in incident(graph, a) if b in (edge[0], edge[1]))
    dated = [e for e in edges if "date" in e[3] and filters.accepts(e[3])]
    dated.sort(key=lambda e: (sort_key(e[3]), e[2]))
    return [relation_row(graph, *e) for e in dated]


def list_entities(graph: Any, entity_type: str | None = None) -> list[dict]:
    """Entities (optionally of one type), by name, with their degree."""
    from .model import ENTITY_TYPES

    if entity_type is not None and entity_type not in ENTITY_TYPES:
        raise UsageError(
            f"unknown entity type '{entity_type}' (choose from {', '.join(ENTITY_TYPES)})"
        )
    rows = [
        {
            "id": node,
            "name": attrs.get("name", node),
            "type": attrs.get("type", ""),
            "aliases": attrs.get("aliases", []),
            "description": attrs.get("description", ""),
            "relations": graph.degree(node),
        }
        for node, attrs in graph.nodes(data=True)
        if entity_type is None or attrs.get("type") == entity_type
    ]
    return sorted(rows, key=lambda r: (r["name"].casefold(), r["id"]))


def list_relations(graph: Any, filters: Filters = NO_FILTERS) -> list[dict]:
    """Relations passing the filters, in time order (undated last)."""
    edges = [e for e in graph.edges(keys=True, data=True) if filters.accepts(e[3])]
    edges.sort(key=lambda e: (sort_key(e[3]), e[2]))
    return [relation_row(graph, *e) for e in edges]


# -- show ----------------------------------------------------------------------------------


def entity_card(graph: Any, node: str) -> dict[str, Any]:
    """The entity's own fields."""
    attrs = graph.nodes[node]
    card = {
        "id": node,
        "name": attrs.get("name", node),
        "type": attrs.get("type", ""),
        "aliases": attrs.get("aliases", []),
        "description": attrs.get("description", ""),
    }
    for extra in ("identifiers", "lat", "lon"):  # only where the data has them
        if extra in attrs:
            card[extra] = attrs[extra]
    return card


def show(graph: Any, node: str, filters: Filters = NO_FILTERS) -> dict[str, Any]:
    """Entity card, its relations grouped by type, and the claims it reported."""
    groups: dict[str, list[dict]] = {}
    for way, (u, v, key, attrs) in sorted(
        incident(graph, node, "both", filters), key=lambda item: (sort_key(item[1][3]), item[1][2])
    ):
        other = v if way == "out" else u
        groups.setdefault(attrs["type"], []).append(
            {
                "id": other,
                "name": entity_name(graph, other),
                "direction": way,
                "relation": reading(graph, attrs["type"], way == "out"),
                **relation_fields(graph, key, attrs),
            }
        )
    by_node = getattr(graph, "reported_by", None)  # a PackedGraph keeps an index
    candidates = by_node(node) if by_node else graph.edges(keys=True, data=True)
    reported = sorted(
        (
            relation_row(graph, u, v, key, attrs)
            for u, v, key, attrs in candidates
            if attrs.get("reported_by") == node and filters.accepts(attrs)
        ),
        key=lambda row: (sort_key(row), row["relation_id"]),
    )
    return {**entity_card(graph, node), "relations": groups, "reported": reported}


def show_rows(card: dict[str, Any]) -> list[dict]:
    """``show`` flattened to one row per relation (for csv)."""
    return [
        {"entity_id": card["id"], "entity_name": card["name"], "relation_type": rtype, **row}
        for rtype, rows in card["relations"].items()
        for row in rows
    ]


# -- stats ---------------------------------------------------------------------------------


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


def stats(graph: Any, top: int = 10, progress: Any = None) -> dict[str, list[dict]]:
    """Counts by type, most connected actors, brokers (betweenness), components;
    ``progress(step)`` hears each step as it starts."""
    import networkx as nx

    from .gcpause import paused_gc

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    with paused_gc():  # networkx makes a dict or two per node and link: no cycles
        step("counting and linking entities")
        if hasattr(graph, "simple_graph"):  # a packed graph: from its arrays
            by_type = dict(collections.Counter(graph.entity_types()))
            rel_types = graph.relation_type_counts()
            simple = graph.simple_graph()
        else:
            by_type = {}
            for _, attrs in graph.nodes(data=True):
                by_type[attrs.get("type", "")] = by_type.get(attrs.get("type", ""), 0) + 1
            rel_types = {}
            for _, _, attrs in graph.edges(data=True):
                rel_types[attrs["type"]] = rel_types.get(attrs["type"], 0) + 1
            simple = nx.Graph(graph)
        degree = sorted(graph.degree(), key=lambda item: (-item[1], item[0]))[:top]
        sample = betweenness_pivots(simple.number_of_nodes(), simple.number_of_edges())
        if sample:
            step(f"estimating betweenness from {sample} of {simple.number_of_nodes():,} entities")
        else:
            step("working out betweenness")
        between = nx.betweenness_centrality(simple, k=sample, seed=0 if sample else None)
        brokers = sorted(between.items(), key=lambda item: (-item[1], item[0]))[:top]
        step("finding components")
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
            {
                "component": i,
                "size": len(c),
                "members": ", ".join(sorted(entity_name(graph, n) for n in c)[:8])
                + (" ..." if len(c) > 8 else ""),
            }
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


# -- search --------------------------------------------------------------------------------

#: Scores: a name or alias scores its similarity (0-100, typos cost a little); a match
#: inside a description or an evidence quote scores these fixed values.
DESCRIPTION_SCORE = 80.0
QUOTE_SCORE = 75.0
NAME_CUTOFF = 75


def search(graph: Any, text: str, limit: int = 20) -> list[dict]:
    """Ranked search over names, aliases, descriptions and evidence quotes.

    Names and aliases (and each word of them) are compared with the folded text by edit
    similarity, so typos and transliteration variants match ('Tikhanovsky', 'Kelog').
    Descriptions and quotes match when they contain the folded text (case-, accent- and
    punctuation-insensitive). Each entity or relation appears once, with its best match.
    """
    from .resolve import fold
    from .searchfile import blob_hits

    query = fold(text)
    if not query:
        raise UsageError("empty search text")
    found = search_index(graph)
    # entity -> (score, the position of the name key it matched; None: its description),
    # the first best
    matched: dict[str, tuple[float, int | None]] = {}

    def consider(node: str, score: float, position: int | None) -> None:
        known = matched.get(node)
        if known is None or score > known[0]:
            matched[node] = (round(score, 1), position)

    for position, score in found.names.matches(query, NAME_CUTOFF):
        for node in sorted(found.nodes_at(position)):
            consider(node, score, position)
    needle: Any = query if isinstance(found.desc_blob, str) else query.encode("utf-8")
    if len(query) >= 3:  # a packed graph's texts are UTF-8 bytes, searched in place
        for item in blob_hits(found.desc_blob, found.desc_starts, needle):
            consider(found.desc_node[item], DESCRIPTION_SCORE, None)
    # Only the entity rows that can make the list are read (a common word in names
    # matches thousands of entities): they rank by score, then name, then id.
    nodes = list(matched)
    shown = dict(zip(nodes, display_names(graph, nodes), strict=True))
    ranked = sorted(nodes, key=lambda node: (-matched[node][0], shown[node], node))
    rows = [_entity_row(graph, found, node, *matched[node]) for node in ranked[:limit]]
    if len(query) >= 3:
        # Quote rows all score QUOTE_SCORE, so they rank after these entity rows, and
        # among themselves by label, then relation id: only the ones that can make the
        # list are looked for, and only those read (a common word matches thousands).
        ahead = sum(1 for score, _ in matched.values() if score >= QUOTE_SCORE)
        first_hit = _quote_candidates(found, needle, limit - ahead)
        chosen, labels = _first_by_label(graph, found, list(first_hit), limit - ahead)
        edges = found.owner_edges(chosen)
        for (_, _, key, attrs), owner, label in zip(edges, chosen, labels, strict=True):
            ev = attrs["evidence"][found.quote_position(first_hit[owner])]
            field = "quote" if "quote" in ev else "evidence"  # a coded fact: URL, locator
            rows.append(_row("relation", key, QUOTE_SCORE, label, field, evidence_words(ev)))
    return sorted(rows, key=_ranking)[:limit]


def evidence_words(ev: dict) -> str:
    """What search looks in for one piece of evidence: its quote, and where it is (the
    URL and locator of a machine-coded fact)."""
    if "url" not in ev and "locator" not in ev:
        return ev.get("quote", "")
    return " ".join(filter(None, (ev.get("quote"), ev.get("url"), ev.get("locator"))))


def _entity_row(
    graph: Any, found: SearchIndex, node: str, score: float, position: int | None
) -> dict:
    """The search row of an entity that matched by the name key at ``position`` or
    (None) by its description."""
    attrs = graph.nodes[node]
    if position is None:
        field, match = "description", attrs["description"]
    else:
        field, match = _matched_name(node, attrs, found.key_at(position))
    return _row("entity", node, score, attrs.get("name", node), field, match)


def _row(kind: str, ident: str, score: float, name: str, field: str, match: str) -> dict:
    return {
        "score": round(score, 1),
        "kind": kind,
        "id": ident,
        "name": name,
        "field": field,
        "match": match,
    }


def _ranking(row: dict) -> tuple:
    """The order of search results: best score first, entities before relations at equal
    scores, then by name and id."""
    return (-row["score"], row["kind"], row["name"], row["id"])


def _quote_candidates(found: SearchIndex, needle: Any, count: int) -> dict[Any, int]:
    """Relation -> its first matching quote, for every relation whose row can be among
    the first ``count`` quote rows. Within each slice of the quotes they are laid out by
    their relation's label key (``searchfile.label_key``: never larger for a smaller
    label), and the slices' matches are merged in key order; so once ``count`` relations
    match, the largest key seen bounds the keys of every row that can still make the
    list: matches are looked for until a larger key (ties included)."""
    import heapq

    from .searchfile import blob_hits

    first_hit: dict[Any, int] = {}
    if count <= 0:
        return first_hit
    key_of = found.quote_key
    streams = [
        (
            (key_of(item), item)
            for item in blob_hits(found.quote_blob, found.quote_starts, needle, a, b)
        )
        for a, b in found.quote_slices
    ]
    cut = None
    for key, item in heapq.merge(*streams):
        if cut is not None and key > cut:
            break
        owner = found.quote_owner(item)
        if owner not in first_hit:
            first_hit[owner] = item
            if len(first_hit) == count:
                cut = key  # (matches come in key order: the largest so far)
    return first_hit


def relation_label(graph: Any, source_name: str, rtype: str, target_name: str) -> str:
    """A relation row's title in search results: "source reads-as target"."""
    return f"{source_name} {reading(graph, rtype)} {target_name}"


def _first_by_label(
    graph: Any, found: SearchIndex, owners: list, count: int
) -> tuple[list, list[str]]:
    """The relations among ``owners`` whose rows can be among the first ``count`` when
    ranked by label (ties at the last label all kept: their relation ids decide), with
    their labels ("source reads-as target"), told from each relation's ends and type
    alone (``found.owner_ends``: no record is read)."""
    if count <= 0:
        return [], []
    between: dict[str, str] = {}  # relation type -> " reads-as "
    labels = []
    for u_name, rtype, v_name in found.owner_ends(owners):
        said = between.get(rtype)
        if said is None:
            said = between[rtype] = relation_label(graph, "", rtype, "")
        labels.append(f"{u_name}{said}{v_name}")
    if len(owners) <= count:
        return owners, labels
    last = sorted(labels)[count - 1]
    kept = [n for n, label in enumerate(labels) if label <= last]
    return [owners[n] for n in kept], [labels[n] for n in kept]


def _matched_name(node: str, attrs: dict, key: str) -> tuple[str, str]:
    from .resolve import fold

    if fold(attrs.get("name", node)) == key:
        return "name", attrs.get("name", node)
    for alias in attrs.get("aliases", []):
        if fold(alias) == key:
            return "alias", alias
    return "id", node


class NameCandidates:
    """What names are compared with: every folded key of the name index and every word
    of the several-word keys, each distinct text once, sorted by (length, text).

    Sorting by length lets ``matches`` compare only the texts whose length can reach the
    cutoff (edit similarity cannot exceed 2 * shorter / (sum of lengths)).
    """

    def __init__(self, texts: Any, length_starts: Any, key_offsets: Any, key_indices: Any):
        """``texts(a, b)`` gives candidates a..b-1; ``length_starts[n]`` is the first
        candidate at least n characters long; candidate c stands for the keys
        ``key_indices[key_offsets[c]:key_offsets[c + 1]]`` (positions in sorted keys)."""
        self.texts, self.length_starts = texts, length_starts
        self.key_offsets, self.key_indices = key_offsets, key_indices

    @staticmethod
    def build(keys: list[str]) -> dict[str, Any]:
        """The parts of NameCandidates for sorted ``keys``: texts in order, and arrays."""
        stands: dict[str, list[int]] = {}  # text -> keys, ascending (keys come in order)
        for i, key in enumerate(keys):
            stands.setdefault(key, []).append(i)
            if " " in key:  # a key is never one of its own words: no repeats
                for word in set(key.split(" ")):
                    stands.setdefault(word, []).append(i)
        texts = sorted(stands)
        texts.sort(key=len)  # stable: by length, then text
        lengths = list(map(len, texts))
        longest = lengths[-1] if lengths else 0
        starts = [bisect_left(lengths, size) for size in range(longest + 2)]
        lists = list(map(stands.__getitem__, texts))
        offsets = [0, *itertools.accumulate(map(len, lists))]
        indices = list(itertools.chain.from_iterable(lists))
        return {"texts": texts, "starts": starts, "offsets": offsets, "indices": indices}

    def matches(self, query: str, cutoff: float) -> list[tuple[int, float]]:
        """(key position, score) for every candidate within ``cutoff`` of ``query``, best
        first (ties: shorter, then alphabetical candidates first)."""
        from rapidfuzz import fuzz, process

        share = cutoff / 100
        shortest = math.floor(len(query) * share / (2 - share)) if share else 0
        longest = math.ceil(len(query) * (2 - share) / share) + 1 if share else 10**9
        last = len(self.length_starts) - 1
        first, stop = (self.length_starts[min(n, last)] for n in (shortest, longest))
        out = []
        for _text, score, at in process.extract(
            query, self.texts(first, stop), scorer=fuzz.ratio, limit=None, score_cutoff=cutoff
        ):
            c = first + at
            for key in self.key_indices[self.key_offsets[c] : self.key_offsets[c + 1]]:
                out.append((key, score))
        return out


class SearchIndex:
    """What search scans: name candidates, folded description and quote texts.

    Descriptions and quotes are joined into one folded text each, so a substring search
    is one pass in C.
    """

    def __init__(self, names, desc_node, desc_text, quote_text, quote_owners, quote_position):
        """``names`` is (NameCandidates, key position -> key, key position -> the ids of
        the entities it names); ``desc_text`` and
        ``quote_text`` are (folded blob, start offsets) pairs, ``quote_text`` with the
        (first, stop) quote ranges within which quotes are laid out by the
        ``searchfile.label_key`` of their relation's row; ``quote_owners`` is (quote -> its
        relation's handle, quote -> that key, handles -> their edges, handles -> (source's
        name, relation type, target's name) of each); ``quote_position``: quote -> its
        place in its relation's evidence."""
        self.names, self.key_at, self.nodes_at = names
        self.desc_node = desc_node
        self.desc_blob, self.desc_starts = desc_text
        self.quote_blob, self.quote_starts, self.quote_slices = quote_text
        self.quote_owner, self.quote_key, self.owner_edges, self.owner_ends = quote_owners
        self.quote_position = quote_position


_SEARCH_INDEXES: Any = None


def search_index(graph: Any) -> SearchIndex:
    """The graph's SearchIndex (a PackedGraph builds and caches its own)."""
    global _SEARCH_INDEXES
    import weakref

    from .resolve import index_for
    from .searchfile import label_key, search_blob

    if hasattr(graph, "search_index"):
        return graph.search_index()
    if _SEARCH_INDEXES is None:
        _SEARCH_INDEXES = weakref.WeakKeyDictionary()
    found = _SEARCH_INDEXES.get(graph)
    if found is None:
        descriptions = [
            (n, a["description"]) for n, a in graph.nodes(data=True) if a.get("description")
        ]
        name_of = namer(graph)
        edges: list[Edge] = list(graph.edges(keys=True, data=True))
        row_keys = [
            label_key(relation_label(graph, name_of(u), attrs["type"], name_of(v)))
            for u, v, _, attrs in edges
        ]
        owners: list[tuple[int, int]] = []  # each quote's (edge, place in its evidence)
        quotes: list[str] = []
        for r in sorted(range(len(edges)), key=row_keys.__getitem__):  # as in a search file
            for position, ev in enumerate(edges[r][3]["evidence"]):
                owners.append((r, position))
                quotes.append(evidence_words(ev))

        def ends(chosen: list[int]) -> list[tuple[str, str, str]]:
            return [
                (name_of(edges[r][0]), edges[r][3]["type"], name_of(edges[r][1])) for r in chosen
            ]

        exact = index_for(graph).exact
        keys = sorted(exact)
        parts = NameCandidates.build(keys)
        texts = parts["texts"]
        names = NameCandidates(
            lambda a, b: texts[a:b], parts["starts"], parts["offsets"], parts["indices"]
        )
        found = SearchIndex(
            (names, keys.__getitem__, lambda position: exact.get(keys[position], ())),
            [node for node, _ in descriptions],
            search_blob([text for _, text in descriptions]),
            (*search_blob(quotes), [(0, len(quotes))]),
            (
                lambda i: owners[i][0],
                lambda i: row_keys[owners[i][0]],
                lambda chosen: [edges[r] for r in chosen],
                ends,
            ),
            lambda i: owners[i][1],
        )
        _SEARCH_INDEXES[graph] = found
    return found

"""Questions asked of the graph. Pure functions: graph (and resolved ids) in, rows out.

A row is a plain dict. Rows that name an entity carry its id and name; rows about a
relation carry its date (EDTF, as written), date_text, certainty, reported_by,
relation_id and evidence (a list of {source, quote}). Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import Any

import networkx as nx

from . import dates
from .errors import NoPath, UsageError
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
    graph: nx.MultiDiGraph,
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


def check_relation_types(graph: nx.MultiDiGraph, names: Iterable[str]) -> frozenset[str]:
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


def entity_name(graph: nx.MultiDiGraph, node: str | None) -> str:
    """Display name of an entity id ('' for None)."""
    if node is None:
        return ""
    return graph.nodes[node].get("name", node)


def reading(graph: nx.MultiDiGraph, rtype: str, forward: bool = True) -> str:
    """How a relation type reads: 'released' forward, 'was released by' backward."""
    spec = graph.graph["relation_types"].get(rtype)
    if spec is None:
        return rtype
    return spec["label"] if forward or spec["symmetric"] else spec["inverse"]


def sort_key(attrs: dict) -> tuple:
    """Chronological order: dated relations by (earliest, latest); undated last."""
    when = attrs.get("date")
    if when is None:
        return (1, date.max, date.max)
    parsed = dates.parse(when)
    return (0, parsed.lower, parsed.upper)


def relation_fields(graph: nx.MultiDiGraph, key: str, attrs: dict) -> dict[str, Any]:
    """The provenance columns every relation row carries."""
    reported_by = attrs.get("reported_by")
    return {
        "date": attrs.get("date", ""),
        "date_text": attrs.get("date_text", ""),
        "place_id": attrs.get("place", ""),
        "place": entity_name(graph, attrs.get("place")),
        "certainty": attrs["certainty"],
        "reported_by": entity_name(graph, reported_by),
        "relation_id": key,
        "evidence": attrs["evidence"],
        "note": attrs.get("note", ""),
    }


def relation_row(graph: nx.MultiDiGraph, u: str, v: str, key: str, attrs: dict) -> dict[str, Any]:
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
    graph: nx.MultiDiGraph, node: str, direction: str = "both", filters: Filters = NO_FILTERS
) -> Iterator[tuple[str, Edge]]:
    """Relations touching ``node``: ('out', edge) where it is the source, ('in', edge) else."""
    if direction in ("out", "both"):
        for _, v, key, attrs in graph.out_edges(node, keys=True, data=True):
            if filters.accepts(attrs):
                yield "out", (node, v, key, attrs)
    if direction in ("in", "both"):
        for u, _, key, attrs in graph.in_edges(node, keys=True, data=True):
            if filters.accepts(attrs):
                yield "in", (u, node, key, attrs)


# -- who-met -------------------------------------------------------------------------------


def who_met(graph: nx.MultiDiGraph, node: str, filters: Filters = NO_FILTERS) -> list[dict]:
    """Everyone with a ``met`` relation with ``node`` (either direction), by date."""
    met_only = Filters(filters.since, filters.until, filters.certainty, frozenset({"met"}))
    found = []
    for direction, (u, v, key, attrs) in incident(graph, node, "both", met_only):
        other = v if direction == "out" else u
        found.append((sort_key(attrs), entity_name(graph, other), other, key, attrs))
    found.sort(key=lambda item: item[:2])
    return [
        {"id": other, "name": name, **relation_fields(graph, key, attrs)}
        for _, name, other, key, attrs in found
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


def _steps(graph: nx.MultiDiGraph, node: str, options: PathOptions) -> Iterator[tuple[str, Edge]]:
    """(next node, edge) pairs one hop from ``node`` under the options."""
    direction = "out" if options.directed else "both"
    for way, edge in incident(graph, node, direction, options.filters):
        nxt = edge[1] if way == "out" else edge[0]
        if nxt not in options.avoid:
            yield nxt, edge


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


def _hop_edges(graph: nx.MultiDiGraph, a: str, b: str, options: PathOptions) -> list[Edge]:
    return [edge for nxt, edge in _steps(graph, a, options) if nxt == b]


def _projection(graph: nx.MultiDiGraph, options: PathOptions) -> nx.Graph:
    """A simple graph of the usable relations (for k-shortest simple paths)."""
    simple: nx.Graph = nx.DiGraph() if options.directed else nx.Graph()
    simple.add_nodes_from(n for n in graph if n not in options.avoid)
    for u, v, _key, attrs in graph.edges(keys=True, data=True):
        if u in options.avoid or v in options.avoid or not options.filters.accepts(attrs):
            continue
        simple.add_edge(u, v)
    return simple


def _bfs_parents(
    graph: nx.MultiDiGraph, start: str, goal: str, options: PathOptions
) -> dict[str, list[str]]:
    """Breadth-first search recording every shortest-path parent of each node."""
    parents: dict[str, list[str]] = {start: []}
    depth = {start: 0}
    frontier = [start]
    while frontier and goal not in depth:
        if options.max_hops is not None and depth[frontier[0]] >= options.max_hops:
            break
        following = []
        for node in frontier:
            for nxt, _edge in _steps(graph, node, options):
                if nxt not in depth:
                    depth[nxt] = depth[node] + 1
                    parents[nxt] = [node]
                    following.append(nxt)
                elif depth[nxt] == depth[node] + 1 and node not in parents[nxt]:
                    parents[nxt].append(node)
        frontier = following
    return parents if goal in depth else {}


def _unwind(parents: dict[str, list[str]], goal: str) -> Iterator[list[str]]:
    if not parents[goal]:
        yield [goal]
        return
    for parent in parents[goal]:
        for prefix in _unwind(parents, parent):
            yield [*prefix, goal]


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


def _chronological_path(
    graph: nx.MultiDiGraph, start: str, goal: str, options: PathOptions
) -> list[Edge]:
    """Fewest-hop path whose hops can happen in time order (see ``chronological_ok``).

    Label-setting search: at each hop count a node keeps the earliest day it can be
    reached by; a label is dropped when the node was already reached in fewer hops
    by a day no later. This finds the fewest hops exactly.
    """
    best: dict[str, date] = {start: date.min}
    layer: dict[str, tuple[date, list[Edge]]] = {start: (date.min, [])}
    hops = 0
    while layer:
        if goal in layer and goal != start:
            return layer[goal][1]
        if options.max_hops is not None and hops >= options.max_hops:
            break
        following: dict[str, tuple[date, list[Edge]]] = {}
        for node, (day, trail) in layer.items():
            for nxt, edge in _steps(graph, node, options):
                when = edge[3].get("date")
                if when is None:
                    continue
                bounds = dates.parse(when)
                arrive = max(day, bounds.lower)
                if arrive > bounds.upper:
                    continue
                if nxt in best and best[nxt] <= arrive:
                    continue
                if nxt not in following or arrive < following[nxt][0]:
                    following[nxt] = (arrive, [*trail, edge])
        for node, (day, _) in following.items():
            best[node] = min(day, best.get(node, date.max))
        layer = following
        hops += 1
    return []


def _choose_edges(graph: nx.MultiDiGraph, nodes: list[str], options: PathOptions) -> list[Edge]:
    pairs = zip(nodes, nodes[1:], strict=False)
    return [_best_edge(_hop_edges(graph, a, b, options)) for a, b in pairs]


def paths(
    graph: nx.MultiDiGraph, start: str, goal: str, options: PathOptions = PathOptions()
) -> list[list[Edge]]:
    """Shortest chains of relations from ``start`` to ``goal``.

    Directions are ignored unless ``options.directed``. Returns one path, all shortest
    paths (``all_shortest``), or the ``k`` shortest simple paths; raises NoPath.
    """
    if start == goal:
        raise UsageError("the two names are the same entity: give two different ones")
    for node in (start, goal):
        if node in options.avoid:
            raise UsageError(f"cannot avoid '{entity_name(graph, node)}': it is an end of the path")
    if options.chronological:
        found = [_chronological_path(graph, start, goal, options)]
        found = [p for p in found if p]
    elif options.k > 1:
        simple = _projection(graph, options)
        try:
            node_paths = list(islice(nx.shortest_simple_paths(simple, start, goal), options.k))
        except nx.NetworkXNoPath:
            node_paths = []
        if options.max_hops is not None:
            node_paths = [p for p in node_paths if len(p) - 1 <= options.max_hops]
        found = [_choose_edges(graph, p, options) for p in node_paths]
    else:
        parents = _bfs_parents(graph, start, goal, options)
        limit = None if options.all_shortest else SHORTEST_CANDIDATES
        node_paths = list(islice(_unwind(parents, goal), limit)) if parents else []
        found = sorted((_choose_edges(graph, p, options) for p in node_paths), key=_path_rank)
        if not options.all_shortest:
            found = found[:1]
    if not found:
        a, b = entity_name(graph, start), entity_name(graph, goal)
        limits = " under the given constraints" if options != PathOptions() else ""
        raise NoPath(f"no path between {a} and {b}{limits}")
    return found


def path_rows(graph: nx.MultiDiGraph, found: list[list[Edge]]) -> list[dict]:
    """One row per hop (path number, hop number), each read in its true direction."""
    return [
        {"path": i, "hop": j, **relation_row(graph, *edge)}
        for i, edges in enumerate(found, 1)
        for j, edge in enumerate(edges, 1)
    ]


def subgraph(
    graph: nx.MultiDiGraph,
    filters: Filters = NO_FILTERS,
    ego: str | None = None,
    radius: int = 1,
) -> nx.MultiDiGraph:
    """The part of the graph a user is looking at, as a new graph (for export).

    Relations must pass ``filters``. With ``ego``, only entities within ``radius`` hops of
    it (directions ignored, through passing relations) and the relations among them.
    Without filters or ego, the whole graph. With filters, entities no passing relation
    touches are left out.
    """
    if radius < 0:
        raise UsageError("--radius must be 0 or more")
    if ego is None and filters == NO_FILTERS:
        return graph
    keep: set[str] | None = None
    if ego is not None:
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
    part = nx.MultiDiGraph()
    part.graph.update(graph.graph)
    if keep is not None:
        part.add_nodes_from((n, graph.nodes[n]) for n in keep)
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        if not filters.accepts(attrs) or (keep is not None and (u not in keep or v not in keep)):
            continue
        for node in (u, v):
            if node not in part:
                part.add_node(node, **graph.nodes[node])
        part.add_edge(u, v, key=key, **attrs)
    return part


# -- neighbors, timeline, list -------------------------------------------------------------


def neighbors(
    graph: nx.MultiDiGraph,
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
        for current in frontier:
            edges = sorted(
                incident(graph, current, direction, filters), key=lambda item: sort_key(item[1][3])
            )
            for way, (u, v, key, attrs) in edges:
                other = v if way == "out" else u
                if other in seen and seen[other] < distance:
                    continue
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


def timeline(graph: nx.MultiDiGraph, nodes: list[str], filters: Filters = NO_FILTERS) -> list[dict]:
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


def list_entities(graph: nx.MultiDiGraph, entity_type: str | None = None) -> list[dict]:
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


def list_relations(graph: nx.MultiDiGraph, filters: Filters = NO_FILTERS) -> list[dict]:
    """Relations passing the filters, in time order (undated last)."""
    edges = [e for e in graph.edges(keys=True, data=True) if filters.accepts(e[3])]
    edges.sort(key=lambda e: (sort_key(e[3]), e[2]))
    return [relation_row(graph, *e) for e in edges]


# -- show ----------------------------------------------------------------------------------


def entity_card(graph: nx.MultiDiGraph, node: str) -> dict[str, Any]:
    """The entity's own fields."""
    attrs = graph.nodes[node]
    return {
        "id": node,
        "name": attrs.get("name", node),
        "type": attrs.get("type", ""),
        "aliases": attrs.get("aliases", []),
        "description": attrs.get("description", ""),
    }


def show(graph: nx.MultiDiGraph, node: str, filters: Filters = NO_FILTERS) -> dict[str, Any]:
    """Entity card, its relations grouped by type, and the claims it reported."""
    groups: dict[str, list[dict]] = {}
    for way, (u, v, key, attrs) in sorted(
        incident(graph, node, "both", filters), key=lambda item: sort_key(item[1][3])
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
    reported = [
        relation_row(graph, u, v, key, attrs)
        for u, v, key, attrs in graph.edges(keys=True, data=True)
        if attrs.get("reported_by") == node and filters.accepts(attrs)
    ]
    return {**entity_card(graph, node), "relations": groups, "reported": reported}


def show_rows(card: dict[str, Any]) -> list[dict]:
    """``show`` flattened to one row per relation (for csv)."""
    return [
        {"entity_id": card["id"], "entity_name": card["name"], "relation_type": rtype, **row}
        for rtype, rows in card["relations"].items()
        for row in rows
    ]


# -- stats ---------------------------------------------------------------------------------


def stats(graph: nx.MultiDiGraph, top: int = 10) -> dict[str, list[dict]]:
    """Counts by type, most connected actors, brokers (betweenness), components."""
    by_type: dict[str, int] = {}
    for _, attrs in graph.nodes(data=True):
        by_type[attrs.get("type", "")] = by_type.get(attrs.get("type", ""), 0) + 1
    rel_types: dict[str, int] = {}
    for _, _, attrs in graph.edges(data=True):
        rel_types[attrs["type"]] = rel_types.get(attrs["type"], 0) + 1
    simple = nx.Graph(graph)
    degree = sorted(graph.degree(), key=lambda item: (-item[1], item[0]))[:top]
    # Exact betweenness is O(V*E); sample pivots on large graphs so stats stays usable.
    sample = None if simple.number_of_nodes() <= 2000 else 500
    between = nx.betweenness_centrality(simple, k=sample, seed=0 if sample else None)
    brokers = sorted(between.items(), key=lambda item: (-item[1], item[0]))[:top]
    components = sorted(nx.connected_components(simple), key=lambda c: (-len(c), min(c)))
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
            for i, c in enumerate(components, 1)
        ],
    }


# -- search --------------------------------------------------------------------------------


def search(graph: nx.MultiDiGraph, text: str, limit: int = 20) -> list[dict]:
    """Ranked fuzzy search over names, aliases, descriptions and evidence quotes.

    Tolerates typos and transliteration variants ('Tikhanovsky', 'Lukashenka'):
    names are compared accent- and case-folded with rapidfuzz's weighted ratio.
    """
    from rapidfuzz import fuzz, process

    from .resolve import fold

    query = fold(text)
    if not query:
        raise UsageError("empty search text")
    candidates: list[tuple[str, str, str, str, str]] = []  # folded, kind, id, field, text
    for node, attrs in graph.nodes(data=True):
        candidates.append(
            (fold(attrs.get("name", node)), "entity", node, "name", attrs.get("name", node))
        )
        for alias in attrs.get("aliases", []):
            candidates.append((fold(alias), "entity", node, "alias", alias))
        if attrs.get("description"):
            candidates.append(
                (fold(attrs["description"]), "entity", node, "description", attrs["description"])
            )
    labels: dict[str, str] = {}
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        labels[key] = (
            f"{entity_name(graph, u)} {reading(graph, attrs['type'])} {entity_name(graph, v)}"
        )
        for ev in attrs["evidence"]:
            candidates.append((fold(ev["quote"]), "relation", key, "quote", ev["quote"]))
    long_text = {"description", "quote"}

    def scorer(a: str, b: str, **kwargs: Any) -> float:
        return max(fuzz.WRatio(a, b, **kwargs), fuzz.partial_ratio(a, b, **kwargs) * 0.95)

    matches = process.extract(
        query, [c[0] for c in candidates], scorer=scorer, limit=None, score_cutoff=70
    )
    best: dict[tuple[str, str], dict] = {}
    for _, score, index in matches:
        _, kind, ident, field_name, original = candidates[index]
        if field_name in long_text:
            score *= 0.9  # a name match outranks a mention in running text
        row = best.get((kind, ident))
        if row is None or score > row["score"]:
            name = entity_name(graph, ident) if kind == "entity" else labels[ident]
            best[(kind, ident)] = {
                "score": round(score, 1),
                "kind": kind,
                "id": ident,
                "name": name,
                "field": field_name,
                "match": original,
            }
    ranked = sorted(best.values(), key=lambda r: (-r["score"], r["kind"], r["name"]))
    return ranked[:limit]

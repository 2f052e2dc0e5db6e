"""A reference ``Store`` built with networkx straight from the data files.

The packed store (``diplograph.store.packed.PackedGraph``) is diplograph's one store; this
one exists so tests can compare its answers with an independent implementation of the
same protocol (``diplograph.store.protocol.Store``): a networkx MultiDiGraph, relations
as edges keyed by their ids, every question answered by walking it.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

import networkx as nx

from diplograph.files.locate import read_documents, resolve_data_path
from diplograph.model import dates
from diplograph.model.filters import NO_FILTERS, Filters
from diplograph.model.records import evidence_words
from diplograph.model.text import fold_many
from diplograph.model.vocabulary import relation_label
from diplograph.queries.resolve import name_tables_of
from diplograph.store.protocol import Edge
from diplograph.store.searchindex import NameCandidates, SearchIndex, label_key


def build_graph(documents: list[tuple[str, dict]]) -> nx.MultiDiGraph:
    """Checked documents as a networkx MultiDiGraph (relation ids as edge keys)."""
    graph = nx.MultiDiGraph()
    graph.graph["sources"] = {}
    graph.graph["relation_types"] = {}
    graph.graph["files"] = [name for name, _ in documents]
    for _, doc in documents:
        for source in doc.get("sources", []):
            graph.graph["sources"][source["id"]] = dict(source)
        for rtype in doc.get("relation_types", []):
            graph.graph["relation_types"][rtype["id"]] = dict(rtype)
        for entity in doc.get("entities", []):
            attrs = {k: v for k, v in entity.items() if k != "id"}
            attrs.setdefault("aliases", [])
            attrs.setdefault("description", "")
            graph.add_node(entity["id"], **attrs)
    for _, doc in documents:
        for rel in doc.get("relations", []):
            attrs = {k: v for k, v in rel.items() if k not in ("id", "source", "target")}
            attrs["evidence"] = [dict(e) for e in rel["evidence"]]
            graph.add_edge(rel["source"], rel["target"], key=rel["id"], **attrs)
    return graph


def load_graph(path: str | os.PathLike[str] | None = None) -> nx.MultiDiGraph:
    """The data at ``path`` (default: the bundled dataset), read by the full checker."""
    return build_graph(read_documents(resolve_data_path(path)))


def reference_store(path: str | os.PathLike[str] | None = None) -> NetworkxStore:
    """``load_graph(path)`` as a Store."""
    return NetworkxStore(load_graph(path))


class NetworkxStore:
    """The Store protocol over a networkx MultiDiGraph (handles are edge tuples)."""

    def __init__(self, graph: nx.MultiDiGraph):
        self.nx = graph
        self.graph = graph.graph
        self.nodes = graph.nodes
        self._search: SearchIndex | None = None

    def __contains__(self, node: object) -> bool:
        return node in self.nx

    def __iter__(self) -> Iterator[str]:
        return iter(self.nx)

    def number_of_nodes(self) -> int:
        return self.nx.number_of_nodes()

    def number_of_edges(self) -> int:
        return self.nx.number_of_edges()

    def degree(self, node: str | None = None) -> Any:
        return self.nx.degree(node) if node is not None else self.nx.degree()

    def entity_types(self) -> list[str]:
        return [attrs.get("type", "") for _, attrs in self.nx.nodes(data=True)]

    def relation_type_counts(self) -> dict[str, int]:
        return dict(collections.Counter(a["type"] for _, _, a in self.nx.edges(data=True)))

    def latest_year(self) -> int | None:
        from diplograph.model import dates

        lows = [dates.parse(a["date"]).lower for *_, a in self.edges() if a.get("date")]
        return max(lows).year if lows else None

    def name_of(self, node: str) -> str:
        return self.nx.nodes[node].get("name", node)

    def names_of(self, nodes: Sequence[str]) -> list[str]:
        return [self.name_of(node) for node in nodes]

    def name_tables(self) -> tuple[Mapping[str, set[str]], Mapping[str, set[str]]]:
        return name_tables_of(self.nx.nodes(data=True))

    def incident(
        self,
        node: str,
        direction: str,
        filters: Filters,
        skip: Callable[[str], bool] | None = None,
    ) -> Iterator[tuple[str, Edge]]:
        if direction in ("out", "both"):
            for _, v, key, attrs in self.nx.out_edges(node, keys=True, data=True):
                if filters.accepts(attrs) and not (skip and skip(v)):
                    yield "out", (node, v, key, attrs)
        if direction in ("in", "both"):
            for u, _, key, attrs in self.nx.in_edges(node, keys=True, data=True):
                if filters.accepts(attrs) and not (skip and skip(u)):
                    yield "in", (u, node, key, attrs)

    def reported_by(self, node: str) -> list[Edge]:
        return [e for e in self.edges() if e[3].get("reported_by") == node]

    def relation_by_id(self, key: str) -> Edge | None:
        return next((e for e in self.edges() if e[2] == key), None)

    def placed_at(self, node: str, filters: Filters | None = None) -> list[Edge]:
        return [
            e
            for e in self.edges()
            if e[3].get("place") == node and (filters is None or filters.accepts(e[3]))
        ]

    def place_links(self) -> list[tuple[str, str]]:
        return [
            (a["place"], end) for u, v, _, a in self.edges() if a.get("place") for end in (u, v)
        ]

    def count_placed_at(self, node: str) -> int:
        return len(self.placed_at(node))

    def edges(
        self, keys: bool = True, data: bool = True, *, first: int = 0, stop: int | None = None
    ) -> Iterator[Edge]:
        return iter(list(self.nx.edges(keys=True, data=True))[first:stop])

    def edges_of(self, handles: Sequence[Edge]) -> list[Edge]:
        return list(handles)

    def edge(self, handle: Edge) -> Edge:
        return handle

    def relation_ordinals(self, key: str) -> None:
        return None

    def edge_filter(self, filters: Filters) -> Callable[[Edge], bool] | None:
        if filters == NO_FILTERS:
            return None
        return lambda edge: filters.accepts(edge[3])

    def fast_steps(
        self, node: str, direction: str, accepts: Any, avoid: Any
    ) -> Iterator[tuple[str, Edge]]:
        for way, edge in self.incident(node, direction, NO_FILTERS):
            if accepts is not None and not accepts(edge):
                continue
            nxt = edge[1] if way == "out" else edge[0]
            if nxt not in avoid:
                yield nxt, edge

    def between(self, a: str, b: str, direction: str, accepts: Any) -> list[Edge]:
        return [edge for nxt, edge in self.fast_steps(a, direction, accepts, ()) if nxt == b]

    def bounds(self, handle: Edge) -> tuple[date, date] | None:
        when = handle[3].get("date")
        if when is None:
            return None
        parsed = dates.parse(when)
        return parsed.lower, parsed.upper

    def links(self, accepts: Any, avoid: frozenset[str]) -> list[tuple[str, str]]:
        pairs = ((u, v) for u, v, k, a in self.edges() if accepts is None or accepts((u, v, k, a)))
        return sorted({(u, v) for u, v in pairs if u not in avoid and v not in avoid})

    def part(self, filters: Filters, ego: str | None, radius: int) -> tuple[list[str], list]:
        if ego is None:
            chosen = [e for e in self.edges() if filters.accepts(e[3])]
            touched = {n for u, v, _, _ in chosen for n in (u, v)}
            return [n for n in self.nx if n in touched], chosen
        keep = {ego}
        frontier = [ego]
        for _ in range(radius):
            following = []
            for node in frontier:
                for _, (u, v, _key, _attrs) in self.incident(node, "both", filters):
                    other = v if u == node else u
                    if other not in keep:
                        keep.add(other)
                        following.append(other)
            frontier = following
        edges = {
            edge[2]: edge
            for node in keep
            for _, edge in self.incident(node, "out", filters)
            if edge[1] in keep
        }
        return sorted(keep), [edges[key] for key in sorted(edges)]

    def simple_graph(self) -> nx.Graph:
        return nx.Graph(self.nx)

    def to_networkx(self, progress: Any = None) -> nx.MultiDiGraph:
        return self.nx

    def search_index(self) -> SearchIndex:
        if self._search is None:
            self._search = self._index()
        return self._search

    def _index(self) -> SearchIndex:
        descriptions = [
            (n, a["description"]) for n, a in self.nx.nodes(data=True) if a.get("description")
        ]
        types = self.graph["relation_types"]
        edges = list(self.edges())
        row_keys = [
            label_key(relation_label(types, self.name_of(u), a["type"], self.name_of(v)))
            for u, v, _, a in edges
        ]
        owners: list[tuple[int, int]] = []  # each quote's (edge, place in its evidence)
        quotes: list[str] = []
        for r in sorted(range(len(edges)), key=row_keys.__getitem__):  # as in a search file
            texts = [*map(evidence_words, edges[r][3]["evidence"])]
            if "note" in edges[r][3]:  # one past the evidence, as in a search file
                texts.append(edges[r][3]["note"])
            for position, text in enumerate(texts):
                owners.append((r, position))
                quotes.append(text)

        def ends(chosen: list[int]) -> list[tuple[str, str, str]]:
            return [
                (self.name_of(edges[r][0]), edges[r][3]["type"], self.name_of(edges[r][1]))
                for r in chosen
            ]

        exact, _ = self.name_tables()
        keys = sorted(exact)
        parts = NameCandidates.build(keys)
        texts = parts["texts"]
        names = NameCandidates(
            lambda a, b: texts[a:b], parts["starts"], parts["offsets"], parts["indices"]
        )
        return SearchIndex(
            (names, keys.__getitem__, lambda position: exact.get(keys[position], ())),
            [node for node, _ in descriptions],
            _folded_blob([text for _, text in descriptions]),
            (*_folded_blob(quotes), [(0, len(quotes))]),
            (
                lambda i: owners[i][0],
                lambda i: row_keys[owners[i][0]],
                lambda chosen: [edges[r] for r in chosen],
                ends,
            ),
            lambda i: owners[i][1],
        )


def _folded_blob(texts: list[str]) -> tuple[bytes, list[int]]:
    """The texts folded, as UTF-8 joined by NULs, and where each starts."""
    parts = [part.encode("utf-8") for part in fold_many(texts)]
    starts, at = [], 0
    for part in parts:
        starts.append(at)
        at += len(part) + 1
    return b"\x00".join(parts), starts

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
    """The Store protocol over a networkx MultiDiGraph (handles are edge tuples), every
    primitive answered by walking it; ``nx`` is the graph itself, for the tests' own
    networkx questions. It implements exactly the protocol's methods
    (``tests/test_architecture.py`` holds it to them)."""

    def __init__(self, graph: nx.MultiDiGraph):
        self.nx = graph
        self.graph = graph.graph
        self._search: SearchIndex | None = None
        self._fields: dict[str, tuple[int, dict[str, list[Edge]]]] = {}

    # entities

    def entity(self, node: str) -> dict:
        return self.nx.nodes[node]

    def entities(self) -> Iterator[tuple[str, dict]]:
        return iter(self.nx.nodes(data=True))

    def entity_ids(self) -> Iterator[str]:
        return iter(self.nx)

    def entity_types(self) -> list[str]:
        return [attrs.get("type", "") for _, attrs in self.nx.nodes(data=True)]

    # names

    def name_of(self, node: str) -> str:
        return self.nx.nodes[node].get("name", node)

    def names_of(self, nodes: Sequence[str]) -> list[str]:
        return [self.name_of(node) for node in nodes]

    def name_tables(self) -> tuple[Mapping[str, set[str]], Mapping[str, set[str]]]:
        return name_tables_of(self.nx.nodes(data=True))

    # counts

    def number_of_nodes(self) -> int:
        return self.nx.number_of_nodes()

    def number_of_edges(self) -> int:
        return self.nx.number_of_edges()

    def counts(self, fields: Sequence[str]) -> Iterator[tuple[str, int]]:
        found = collections.Counter(
            _field(edge, field) for edge in self._edges() for field in fields
        )
        return ((node, found[node]) for node in self.nx)

    def relation_type_counts(self) -> dict[str, int]:
        return dict(collections.Counter(a["type"] for *_, a in self._edges()))

    def latest_year(self) -> int | None:
        lows = [dates.parse(a["date"]).lower for *_, a in self._edges() if a.get("date")]
        return max(lows).year if lows else None

    # relations by handle (the edge tuples themselves)

    def relation_filter(self, filters: Filters) -> Callable[[Edge], bool] | None:
        if filters == NO_FILTERS:
            return None
        return lambda edge: filters.accepts(edge[3])

    def handles(self, node: str, field: str, accepts: Any = None) -> list[Edge]:
        if node not in self.nx:
            raise KeyError(node)
        return [e for e in self._by_field(field).get(node, ()) if accepts is None or accepts(e)]

    def _by_field(self, field: str) -> dict[str, list[Edge]]:
        """Entity -> the relations having it in ``field``, in storage order: every
        relation looked at once (again whenever the graph's size changes)."""
        size = self.nx.number_of_edges()
        held = self._fields.get(field)
        if held is None or held[0] != size:
            found: dict[str, list[Edge]] = {}
            for edge in self._edges():
                found.setdefault(_field(edge, field), []).append(edge)
            held = self._fields[field] = (size, found)
        return held[1]

    def steps(
        self, node: str, direction: str, accepts: Any, avoid: Any
    ) -> Iterator[tuple[str, Edge]]:
        ways = []
        if direction in ("out", "both"):
            ways += [
                (v, (node, v, k, a)) for _, v, k, a in self.nx.out_edges(node, keys=True, data=True)
            ]
        if direction in ("in", "both"):
            ways += [
                (u, (u, node, k, a)) for u, _, k, a in self.nx.in_edges(node, keys=True, data=True)
            ]
        for nxt, edge in ways:
            if (accepts is None or accepts(edge)) and nxt not in avoid:
                yield nxt, edge

    def between(self, a: str, b: str, direction: str, accepts: Any) -> list[Edge]:
        return [edge for nxt, edge in self.steps(a, direction, accepts, ()) if nxt == b]

    def all_handles(self, accepts: Any = None) -> Iterator[Edge]:
        return (e for e in self._edges() if accepts is None or accepts(e))

    def ends(self, handles: Sequence[Edge]) -> list[tuple[str, str]]:
        return [(u, v) for u, v, _, _ in handles]

    def bounds(self, handle: Edge) -> tuple[date, date] | None:
        when = handle[3].get("date")
        if when is None:
            return None
        parsed = dates.parse(when)
        return parsed.lower, parsed.upper

    def edge(self, handle: Edge) -> Edge:
        return handle

    def edges_of(self, handles: Sequence[Edge]) -> list[Edge]:
        return list(handles)

    # relations scanned or by id

    def relations(self, first: int = 0, stop: int | None = None) -> Iterator[Edge]:
        return iter(self._edges()[first:stop])

    def relation_by_id(self, key: str) -> Edge | None:
        return next((e for e in self._edges() if e[2] == key), None)

    def links(self, accepts: Any, avoid: Any) -> list[tuple[str, str]]:
        pairs = ((u, v) for u, v, _, _ in self.all_handles(accepts))
        return sorted({(u, v) for u, v in pairs if u not in avoid and v not in avoid})

    def search_index(self) -> SearchIndex:
        if self._search is None:
            self._search = self._index()
        return self._search

    def _edges(self) -> list[Edge]:
        """Every relation, in the graph's order (its storage order)."""
        return list(self.nx.edges(keys=True, data=True))

    def _index(self) -> SearchIndex:
        descriptions = [
            (n, a["description"]) for n, a in self.nx.nodes(data=True) if a.get("description")
        ]
        types = self.graph["relation_types"]
        edges = self._edges()
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


def _field(edge: Edge, field: str) -> str | None:
    """The entity a relation has in ``field`` (``protocol.FIELDS``), or None."""
    if field == "source":
        return edge[0]
    if field == "target":
        return edge[1]
    return edge[3].get(field)


def _folded_blob(texts: list[str]) -> tuple[bytes, list[int]]:
    """The texts folded, as UTF-8 joined by NULs, and where each starts."""
    parts = [part.encode("utf-8") for part in fold_many(texts)]
    starts, at = [], 0
    for part in parts:
        starts.append(at)
        at += len(part) + 1
    return b"\x00".join(parts), starts

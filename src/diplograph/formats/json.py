"""networkx node-link JSON (``edges`` key): notebooks, D3.

Native lists; ``networkx.node_link_graph(data, edges="edges")`` reads it back equal.
"""

from __future__ import annotations

import json
from typing import Any

import networkx as nx

from ..files.atomic import write_atomic
from .common import as_networkx, entity_fields, relation_fields

SUMMARY = "networkx node-link JSON for notebooks and D3"
SUFFIXES = (".json",)
FOLDER = False


def node_link(graph: nx.MultiDiGraph) -> dict:
    """networkx node-link data with native lists; ``node_link_graph`` reads it back."""
    clean = nx.MultiDiGraph()
    clean.graph.update(
        sources=list(graph.graph.get("sources", {}).values()),
        relation_types=list(graph.graph.get("relation_types", {}).values()),
    )
    for node in graph.nodes:
        clean.add_node(node, **entity_fields(graph, node))
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        clean.add_edge(u, v, key=key, **relation_fields(key, attrs))
    return nx.node_link_data(clean, edges="edges")


def to_json(graph: nx.MultiDiGraph) -> bytes:
    """node-link JSON (``edges`` key, relation ids as ``key``), UTF-8."""
    return (json.dumps(node_link(graph), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(graph: Any, output: str, force: bool = False, progress: Any = None) -> None:
    """Write ``graph`` to ``output`` atomically."""
    write_atomic(to_json(as_networkx(graph, progress)), output, force)

"""Graphviz DOT: every field a quoted attribute (lists as JSON text).

The node's name is its ``label``; the edge label is the relation and its date.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..files.atomic import write_atomic
from .common import as_networkx, flat_graph

SUMMARY = "Graphviz DOT (dot -Tsvg)"
SUFFIXES = (".dot", ".gv")
FOLDER = False


def _dot_string(value: str) -> str:
    """A DOT double-quoted string. Backslashes are doubled so escString labels keep them."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "\\r").replace("\n", "\\n") + '"'


def to_dot(graph: nx.MultiDiGraph) -> bytes:
    """A Graphviz digraph: labelled nodes and edges, every field as an attribute."""
    flat = flat_graph(graph)
    lines = [
        "digraph diplograph {",
        "  graph [rankdir=LR];",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for node, attrs in flat.nodes(data=True):
        # the name is the label: pydot (and others) reserve a node attribute "name"
        fields = {
            "label": attrs.get("name", node),
            **{k: x for k, x in attrs.items() if k != "name"},
        }
        body = ", ".join(f"{k}={_dot_string(v)}" for k, v in fields.items())
        lines.append(f"  {_dot_string(node)} [{body}];")
    for u, v, key, attrs in flat.edges(keys=True, data=True):
        label = attrs["relation"] + (f"\n{attrs['date']}" if "date" in attrs else "")
        fields = {"id": key, "label": label, **attrs}
        body = ", ".join(f"{k}={_dot_string(x)}" for k, x in fields.items())
        lines.append(f"  {_dot_string(u)} -> {_dot_string(v)} [{body}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def write(graph: Any, output: str, force: bool = False, progress: Any = None) -> None:
    """Write ``graph`` to ``output`` atomically."""
    write_atomic(to_dot(as_networkx(graph, progress)), output, force)

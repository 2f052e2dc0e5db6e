"""A Mermaid flowchart for Markdown pages.

The picture shows names and relations; every field is kept, as JSON, in a ``%%``
comment line above each node and edge. With an ``.md`` output it is a fenced block that
GitHub renders.
"""

from __future__ import annotations

import json
import re
from typing import Any

import networkx as nx

from ..files.atomic import write_atomic
from .common import as_networkx, entity_fields, relation_fields

SUMMARY = "a Mermaid flowchart (a fenced block in .md files)"
SUFFIXES = (".mmd", ".mermaid", ".md")
FOLDER = False


def _mermaid_label(text: str) -> str:
    """Text safe inside a quoted Mermaid label (entity codes for the few specials)."""
    replacements = {"&": "#amp;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "|": "#124;"}
    out = "".join(replacements.get(c, c) for c in text).replace("\n", "<br/>")
    return _LINE_BREAKING.sub(" ", out)


# Characters some readers take as line breaks (str.splitlines, editors): kept out of lines.
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def _one_line_json(value: object) -> str:
    """JSON on one line whatever the text holds (line-breaking characters as \\uXXXX)."""
    text = json.dumps(value, ensure_ascii=False)
    return _LINE_BREAKING.sub(lambda m: f"\\u{ord(m[0]):04x}", text)


def to_mermaid(graph: nx.MultiDiGraph, fenced: bool = False) -> bytes:
    """A Mermaid flowchart. Each node and edge is preceded by a ``%%`` comment holding
    all its fields as JSON, so nothing is lost though the picture shows only labels."""
    ids = {node: f"n{i}" for i, node in enumerate(graph.nodes)}
    lines = ["flowchart LR"]
    for node in graph.nodes:
        fields = {"id": node, **entity_fields(graph, node)}
        lines.append(f"  %% entity {_one_line_json(fields)}")
        name = _mermaid_label(str(graph.nodes[node].get("name", node)))
        lines.append(f'  {ids[node]}["{name}"]')
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        fields = {"source": u, "target": v, **relation_fields(key, attrs)}
        lines.append(f"  %% relation {_one_line_json(fields)}")
        label = attrs["type"] + (f" {attrs['date']}" if attrs.get("date") else "")
        lines.append(f'  {ids[u]} -->|"{_mermaid_label(label)}"| {ids[v]}')
    if fenced:  # a Markdown file: GitHub renders the block as a picture
        lines = ["```mermaid", *lines, "```"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def write(graph: Any, output: str, force: bool = False, progress: Any = None) -> None:
    """Write ``graph`` to ``output`` atomically (fenced for Markdown when it ends in .md)."""
    part = as_networkx(graph, progress)
    write_atomic(to_mermaid(part, fenced=output.endswith(".md")), output, force)

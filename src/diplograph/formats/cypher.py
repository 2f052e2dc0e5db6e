"""Cypher CREATE statements for Neo4j or Memgraph (``cypher-shell < file``).

Every string escaped; aliases are lists; evidence is JSON text (a property cannot hold
maps).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from .common import as_networkx, entity_fields, relation_fields, text_of, write_atomic
from .neo4j import neo4j_label, neo4j_type

SUMMARY = "Cypher CREATE statements for Neo4j, Memgraph"
SUFFIXES = (".cypher", ".cql")
FOLDER = False


_CYPHER_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def cypher_string(value: str) -> str:
    """A single-quoted Cypher string literal; control and line-breaking characters as
    \\uXXXX, so every statement stays on one line."""
    out = []
    for char in value:
        if char in _CYPHER_ESCAPES:
            out.append(_CYPHER_ESCAPES[char])
        elif ord(char) < 0x20 or char in "\x7f\x85\u2028\u2029":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return "'" + "".join(out) + "'"


def _cypher_value(value: object) -> str:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[" + ", ".join(cypher_string(v) for v in value) + "]"
    return cypher_string(text_of(value))


def _cypher_map(fields: dict[str, object]) -> str:
    return "{" + ", ".join(f"`{k}`: {_cypher_value(v)}" for k, v in fields.items()) + "}"


def to_cypher(graph: nx.MultiDiGraph) -> bytes:
    """CREATE statements for Neo4j or Memgraph: nodes ``:Entity:<Type>`` keyed by ``id``,
    relationships of type UPPER_SNAKE_CASE with every field; all strings escaped."""
    lines = [
        "// diplograph export: run in an empty database (cypher-shell < file, or mgconsole).",
        "// Neo4j 5: CREATE CONSTRAINT entity_id IF NOT EXISTS "
        "FOR (n:Entity) REQUIRE n.id IS UNIQUE;",
        "// Memgraph: CREATE CONSTRAINT ON (n:Entity) ASSERT n.id IS UNIQUE;",
    ]
    for node in graph.nodes:
        fields = {"id": node, **entity_fields(graph, node)}
        label = neo4j_label(str(fields.get("type", "entity")))
        lines.append(f"CREATE (:Entity:{label} {_cypher_map(fields)});")
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        fields = relation_fields(key, attrs)
        lines.append(
            f"MATCH (a:Entity {{id: {cypher_string(u)}}}), (b:Entity {{id: {cypher_string(v)}}}) "
            f"CREATE (a)-[:{neo4j_type(attrs['type'])} {_cypher_map(fields)}]->(b);"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def write(graph: Any, output: str, force: bool = False, progress: Any = None) -> None:
    """Write ``graph`` to ``output`` atomically."""
    write_atomic(to_cypher(as_networkx(graph, progress)), output, force)

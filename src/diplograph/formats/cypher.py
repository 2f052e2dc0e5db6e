"""Cypher statements: CREATE for Neo4j or Memgraph, or a typed script for Ladybug (Kuzu).

Two dialects, one graph:

- ``neo4j`` (the default; Memgraph reads it too): nodes ``:Entity:<Type>`` keyed by
  ``id``, relationships of type UPPER_SNAKE_CASE. Every string escaped; aliases are a
  list; evidence, identifiers and attributes are JSON text (a Neo4j property cannot hold
  maps); ``date_start``/``date_end`` are Neo4j ``date`` values (the earliest and latest day
  of the EDTF ``date``, absent when open).
- ``ladybug`` (Ladybug, the embeddable graph database continuing Kuzu): a schema first
  (``CREATE NODE TABLE Entity``, one ``CREATE REL TABLE`` per relation type, named as in
  Neo4j, so the same ``MATCH`` patterns work), then the records inside one transaction.
  Typed: ``aliases STRING[]``, ``lat``/``lon DOUBLE``, ``date_start``/``date_end DATE``,
  evidence a list of structs (``source``, ``quote``, ``url``, ``locator``), identifiers
  and attributes maps. One ``Entity`` table with a ``type`` column stands for Neo4j's
  second label. The ``parquet`` export carries a ``ladybug.cypher`` that loads the same
  tables with ``COPY`` (the bulk route).
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..files.atomic import write_atomic
from ..model import dates
from ..model.records import EVIDENCE_FIELDS
from .common import (
    as_networkx,
    day_or_none,
    entity_fields,
    relation_fields,
    text_of,
)
from .neo4j import neo4j_label, neo4j_type

SUMMARY = "Cypher statements for Neo4j, Memgraph (--dialect ladybug: Ladybug/Kuzu)"
SUFFIXES = (".cypher", ".cql")
FOLDER = False
#: The Cypher each engine reads; the first is the default.
DIALECTS = ("neo4j", "ladybug")


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


def date_bounds(fields: dict[str, object]) -> dict[str, str]:
    """``date_start`` and ``date_end``: the earliest and latest day of a relation's EDTF
    date as ISO text, each left out when that end is open (or the relation undated)."""
    if "date" not in fields:
        return {}
    bounds = dates.parse(str(fields["date"]))
    found = {"date_start": day_or_none(bounds.lower), "date_end": day_or_none(bounds.upper)}
    return {k: v for k, v in found.items() if v is not None}


def _dated(fields: dict[str, object]) -> str:
    """The date bounds as Cypher ``date()`` values, ready to join a property map."""
    return "".join(f", `{k}`: date('{v}')" for k, v in date_bounds(fields).items())


def to_cypher(graph: nx.MultiDiGraph, dialect: str = "neo4j") -> bytes:
    """The graph as Cypher statements in ``dialect`` (see the module docstring)."""
    if dialect == "ladybug":
        return _to_ladybug(graph)
    if dialect != "neo4j":
        raise ValueError(f"unknown Cypher dialect {dialect!r}")
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
        body = _cypher_map(fields)[:-1] + _dated(fields) + "}"
        lines.append(
            f"MATCH (a:Entity {{id: {cypher_string(u)}}}), (b:Entity {{id: {cypher_string(v)}}}) "
            f"CREATE (a)-[:{neo4j_type(attrs['type'])} {body}]->(b);"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- Ladybug (Kuzu) -------------------------------------------------------------------------

#: Entity columns and their Ladybug types, in the order of the data format.
LADYBUG_ENTITY = {
    "id": "STRING",
    "name": "STRING",
    "type": "STRING",
    "aliases": "STRING[]",
    "description": "STRING",
    "identifiers": "MAP(STRING, STRING)",
    "lat": "DOUBLE",
    "lon": "DOUBLE",
}
_EVIDENCE = [f.name for f in EVIDENCE_FIELDS]
#: Relation columns and their Ladybug types (after FROM and TO).
LADYBUG_RELATION = {
    "relation_id": "STRING",
    "relation": "STRING",
    "date": "STRING",
    "date_start": "DATE",
    "date_end": "DATE",
    "date_text": "STRING",
    "place": "STRING",
    "certainty": "STRING",
    "reported_by": "STRING",
    "evidence": "STRUCT(" + ", ".join(f"`{n}` STRING" for n in _EVIDENCE) + ")[]",
    "note": "STRING",
    "attributes": "MAP(STRING, DOUBLE)",
}


def ladybug_tables(relation_types: set[str]) -> dict[str, list[str]]:
    """Ladybug relationship table name -> the relation types it holds (Neo4j's names)."""
    tables: dict[str, list[str]] = {}
    for rtype in sorted(relation_types):
        tables.setdefault(neo4j_type(rtype), []).append(rtype)
    return tables


def ladybug_schema(relation_types: set[str]) -> list[str]:
    """The DDL statements: the ``Entity`` node table, one REL table per relation type."""

    def columns(spec: dict[str, str]) -> str:
        return ", ".join(f"`{name}` {kind}" for name, kind in spec.items())

    return [
        f"CREATE NODE TABLE Entity({columns(LADYBUG_ENTITY)}, PRIMARY KEY (`id`));",
        *(
            f"CREATE REL TABLE `{table}`(FROM Entity TO Entity, {columns(LADYBUG_RELATION)});"
            for table in ladybug_tables(relation_types)
        ),
    ]


def _ladybug_string(value: object) -> str:
    return "NULL" if value is None else cypher_string(str(value))


def _ladybug_value(name: str, value: Any) -> str:
    if name in ("lat", "lon"):
        return repr(float(value))
    if name == "evidence":
        # every struct spells every field (NULL when absent): a list holds one struct type
        items = (
            "{" + ", ".join(f"`{n}`: {_ladybug_string(ev.get(n))}" for n in _EVIDENCE) + "}"
            for ev in value
        )
        return "[" + ", ".join(items) + "]"
    if name in ("identifiers", "attributes"):
        keys = ", ".join(cypher_string(str(k)) for k in value)
        shown = repr if name == "attributes" else cypher_string
        values = ", ".join(
            shown(float(v) if name == "attributes" else str(v)) for v in value.values()
        )
        return f"map([{keys}], [{values}])"
    return _cypher_value(value)


def _ladybug_map(fields: dict[str, object]) -> str:
    return "{" + ", ".join(f"`{k}`: {_ladybug_value(k, v)}" for k, v in fields.items()) + "}"


def _to_ladybug(graph: nx.MultiDiGraph) -> bytes:
    lines = [
        "// diplograph export for Ladybug (Kuzu): run in an empty database, e.g. in Python:",
        "//   ladybug.Connection(ladybug.Database('graph.lbug')).execute(open(FILE).read())",
        *ladybug_schema({attrs["type"] for _, _, attrs in graph.edges(data=True)}),
        "BEGIN TRANSACTION;",
    ]
    for node in graph.nodes:
        fields = {"id": node, **entity_fields(graph, node)}
        lines.append(f"CREATE (:Entity {_ladybug_map(fields)});")
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        fields = relation_fields(key, attrs)
        body = _ladybug_map(fields)[:-1] + _dated(fields) + "}"
        lines.append(
            f"MATCH (a:Entity {{id: {cypher_string(u)}}}), (b:Entity {{id: {cypher_string(v)}}}) "
            f"CREATE (a)-[:`{neo4j_type(attrs['type'])}` {body}]->(b);"
        )
    lines.append("COMMIT;")
    return ("\n".join(lines) + "\n").encode("utf-8")


def write(
    graph: Any, output: str, force: bool = False, progress: Any = None, dialect: str = "neo4j"
) -> None:
    """Write ``graph`` to ``output`` atomically, in ``dialect`` (one of ``DIALECTS``)."""
    write_atomic(to_cypher(as_networkx(graph, progress), dialect), output, force)

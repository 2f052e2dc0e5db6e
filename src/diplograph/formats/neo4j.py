"""A folder of ``neo4j-admin database import`` CSV files with typed headers.

Aliases are ``string[]`` (an alias may not contain ';'); evidence is JSON text; control
characters are refused (the importer cannot read them back). A README.txt in the folder
gives the import command.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import networkx as nx

from ..files.atomic import write_folder_atomic
from ..model import dates
from ..model.errors import ExportError
from .common import (
    RELATION_FIELDS,
    as_networkx,
    check_text,
    day_or_none,
    entity_fields,
    relation_fields,
    text_of,
)

SUMMARY = "a folder of neo4j-admin import CSV files"
SUFFIXES = ()
FOLDER = True


# -- Neo4j ---------------------------------------------------------------------------------

NEO4J_IMPORT = (
    "neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv "
    "--multiline-fields=true --overwrite-destination neo4j"
)


def neo4j_type(rtype: str) -> str:
    """A relation type as a Neo4j relationship type: ``negotiates-with`` -> NEGOTIATES_WITH."""
    return re.sub(r"[^A-Za-z0-9]+", "_", rtype).strip("_").upper() or "RELATED"


def neo4j_label(entity_type: str) -> str:
    """An entity type as a Neo4j label: ``organization`` -> Organization."""
    return re.sub(r"[^A-Za-z0-9]+", "", entity_type.title()) or "Thing"


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def to_neo4j(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import``.

    Nodes get labels ``Entity`` and their type (``Person``...); relationships get the
    relation type in UPPER_SNAKE_CASE, ``date_start:date`` and ``date_end:date`` (the
    date's bounds, empty when open or undated) besides the EDTF ``date`` as written.
    """
    node_rows = []
    for node in graph.nodes:
        fields = entity_fields(graph, node)
        for key, value in fields.items():
            check_text(text_of(value), f"entity '{node}' {key}")
        aliases = [str(a) for a in fields.get("aliases", [])]
        for alias in aliases:
            check_text(alias, f"entity '{node}' aliases")
            if ";" in alias:
                raise ExportError(
                    f"entity '{node}' alias {alias!r} contains ';', neo4j's array delimiter"
                )
        node_rows.append(
            [
                node,
                str(fields.get("name", node)),
                str(fields.get("type", "")),
                ";".join(aliases),
                str(fields.get("description", "")),
                "Entity;" + neo4j_label(str(fields.get("type", "entity"))),
                text_of(fields["identifiers"]) if "identifiers" in fields else "",
                str(fields.get("lat", "")),
                str(fields.get("lon", "")),
            ]
        )
    rel_rows = []
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        fields = relation_fields(key, attrs)
        for name, value in fields.items():
            check_text(text_of(value), f"relation '{key}' {name}")
        start = end = ""
        if "date" in fields:
            bounds = dates.parse(str(fields["date"]))
            start, end = day_or_none(bounds.lower) or "", day_or_none(bounds.upper) or ""
        rel_rows.append(
            [u, v, neo4j_type(attrs["type"])]
            + [text_of(fields.get(k, "")) for k in RELATION_FIELDS]
            + [start, end]
        )
    readme = (
        "Load these files into an empty Neo4j 5 database (stop it first):\n\n"
        f"    {NEO4J_IMPORT}\n\n"
        "Aliases are string[] (';'-separated); evidence is JSON text; date_start/date_end\n"
        "are the earliest and latest day of the EDTF date.\n"
    )
    return {
        "nodes.csv": _csv_bytes(
            ["id:ID", "name", "type", "aliases:string[]", "description", ":LABEL"]
            + ["identifiers", "lat:float", "lon:float"],
            node_rows,
        ),
        "relationships.csv": _csv_bytes(
            [":START_ID", ":END_ID", ":TYPE", *RELATION_FIELDS, "date_start:date", "date_end:date"],
            rel_rows,
        ),
        "README.txt": readme.encode("utf-8"),
    }


def write(graph: Any, output: str, force: bool = False, progress: Any = None) -> None:
    """Write ``graph`` as a folder at ``output``, atomically."""
    write_folder_atomic(to_neo4j(as_networkx(graph, progress)), output, force)

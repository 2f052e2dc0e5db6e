"""A folder of Apache Parquet files with typed columns, for DuckDB, Spark, Polars, BigQuery.

``entities.parquet``, ``relations.parquet``, ``sources.parquet`` and
``relation_types.parquet``: one row per record, one column per field, absent fields null.
Dates stay EDTF text (``date``: ``2024-23``, ``2020/2025``) beside ``date_start`` and
``date_end``, Parquet dates holding its earliest and latest day (null when that end is
open); aliases and cues are lists of strings; evidence is a list of structs (``source``,
``quote``, ``url``, ``locator``); identifiers and attributes are maps. ``ladybug.cypher``
beside them loads the folder into Ladybug (Kuzu) by ``COPY``. Needs pyarrow
(``pip install 'diplograph[parquet]'``), imported only here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import networkx as nx

from ..files.atomic import write_folder_atomic
from ..model.errors import ExportError
from ..model.records import EVIDENCE_FIELDS, RECORDS
from .common import as_networkx
from .cypher import LADYBUG_RELATION, cypher_string, date_bounds, ladybug_schema, ladybug_tables

SUMMARY = "a folder of Parquet files (DuckDB, Spark, Polars; needs pyarrow)"
SUFFIXES = ()
FOLDER = True


def _pyarrow() -> Any:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise ExportError(
            "export --format parquet needs pyarrow, which is not installed: "
            "pip install 'diplograph[parquet]'"
        ) from None
    return pa, pq


def _schemas(pa: Any) -> dict[str, Any]:
    """Each file's Arrow schema, its columns in the order of the data format."""
    text = pa.string()
    kinds = {
        "id": text,
        "string": text,
        "date": text,
        "strings": pa.list_(text),
        "number": pa.float64(),
        "boolean": pa.bool_(),
        "identifiers": pa.map_(text, text),
        "attributes": pa.map_(text, pa.float64()),
        "evidence": pa.list_(pa.struct([(f.name, text) for f in EVIDENCE_FIELDS])),
    }

    def schema(record: str) -> Any:
        fields = []
        for field in RECORDS[record]:
            fields.append(pa.field(field.name, kinds[field.kind], nullable=not field.required))
            if record == "relations" and field.name == "date":
                fields += [pa.field(n, pa.date32()) for n in ("date_start", "date_end")]
        return pa.schema(fields)

    return {name: schema(name) for name in ("entities", "relations", "sources", "relation_types")}


def _columns(schema: Any, rows: list[dict]) -> dict[str, list]:
    """Column by column; an empty field (``""``, ``[]``, ``{}``) is null, as an absent one."""
    return {
        name: [None if row.get(name) in ("", [], {}) else row.get(name) for row in rows]
        for name in schema.names
    }


def _records(graph: nx.MultiDiGraph) -> dict[str, list[dict]]:
    entities = [{"id": node, **attrs} for node, attrs in graph.nodes(data=True)]
    relations = []
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        row = {**attrs, "id": key, "source": u, "target": v}
        for name, day in date_bounds(attrs).items():
            row[name] = dt.date.fromisoformat(day)
        relations.append(row)
    return {
        "entities": entities,
        "relations": relations,
        "sources": list(graph.graph.get("sources", {}).values()),
        "relation_types": list(graph.graph.get("relation_types", {}).values()),
    }


#: The relations file's column for each Ladybug relationship column.
_LADYBUG_COLUMNS = {"relation_id": "id", "relation": "type"}


def ladybug_script(relation_types: set[str]) -> str:
    """Ladybug (Kuzu) statements creating the tables of ``export --format cypher --dialect
    ladybug`` and filling them from these files with ``COPY`` (run in the folder)."""
    returned = ", ".join(
        ["source", "target", *(_LADYBUG_COLUMNS.get(c, c) for c in LADYBUG_RELATION)]
    )
    lines = [
        "// Load into an empty Ladybug (Kuzu) database, from inside this folder, e.g.:",
        "//   ladybug.Connection(ladybug.Database('graph.lbug'))"
        ".execute(open('ladybug.cypher').read())",
        *ladybug_schema(relation_types),
        "COPY Entity FROM 'entities.parquet';",
    ]
    for table, types in ladybug_tables(relation_types).items():
        chosen = ", ".join(cypher_string(t) for t in types)
        lines.append(
            f"COPY `{table}` FROM (LOAD FROM 'relations.parquet' WHERE type IN [{chosen}] "
            f"RETURN {returned});"
        )
    return "\n".join(lines) + "\n"


def to_parquet(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """The four Parquet files (name -> bytes) of ``graph``, and ``ladybug.cypher``."""
    pa, pq = _pyarrow()
    files = {}
    schemas = _schemas(pa)
    for name, rows in _records(graph).items():
        schema = schemas[name]
        try:
            table = pa.table(_columns(schema, rows), schema=schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:  # data that is not as checked
            raise ExportError(f"{name}: cannot be written as Parquet ({exc})") from None
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        files[f"{name}.parquet"] = sink.getvalue().to_pybytes()
    types = {attrs["type"] for _, _, attrs in graph.edges(data=True)}
    files["ladybug.cypher"] = ladybug_script(types).encode("utf-8")
    return files


def write(graph: Any, output: str, force: bool = False, progress: Any = None) -> None:
    """Write ``graph`` as a folder of Parquet files at ``output``, atomically."""
    write_folder_atomic(to_parquet(as_networkx(graph, progress)), output, force)

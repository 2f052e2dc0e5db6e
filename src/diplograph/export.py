"""Write the graph in formats other tools read, atomically.

What every format keeps: each entity (id, name, type, aliases, description) and each
relation (id, relation type, source, target, date, date_text, place, certainty,
reported_by, evidence, note). Lists (aliases, evidence) become JSON text where a format
cannot hold a list. The relation type is exported as ``relation`` (GEXF reserves
``type`` on edges), and absent optional fields are left out, never written as "None".

Each ``to_<format>`` function returns bytes; ``write_atomic`` puts them on disk so that a
failure leaves no partial file and leaves an existing file as it was.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import networkx as nx

from .errors import ExportError

ENTITY_FIELDS = ("name", "type", "aliases", "description")
RELATION_FIELDS = (
    "relation_id",
    "relation",
    "date",
    "date_text",
    "place",
    "certainty",
    "reported_by",
    "evidence",
    "note",
)
LIST_FIELDS = {"aliases", "evidence"}


def _text(value: object) -> str:
    """A field as text: lists and objects as compact JSON, the rest as str."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings (lists as JSON), one type per name.

    Relation ids stay the edge keys and are also kept as a ``relation_id`` attribute
    (igraph and rustworkx drop GraphML edge ids); graph-level ``sources`` and ``relation_types``
    become JSON text. Optional fields that are absent are left out.
    """
    flat = nx.MultiDiGraph()
    flat.graph["sources"] = _text(list(graph.graph.get("sources", {}).values()))
    flat.graph["relation_types"] = _text(list(graph.graph.get("relation_types", {}).values()))
    for node, attrs in graph.nodes(data=True):
        flat.add_node(node, **{k: _text(attrs[k]) for k in ENTITY_FIELDS if k in attrs})
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        values = {"relation_id": key, "relation": attrs["type"], **attrs}
        flat.add_edge(
            u, v, key=key, **{k: _text(values[k]) for k in RELATION_FIELDS if k in values}
        )
    return flat


def to_graphml(graph: nx.MultiDiGraph) -> bytes:
    """GraphML 1.1, valid against the official schema; relation ids are edge ids.

    All attributes are strings (lists as JSON text); readable by igraph, rustworkx,
    networkx, yEd and Gephi.
    """
    buffer = io.BytesIO()
    nx.write_graphml_xml(flat_graph(graph), buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


FORMATS = {"graphml": to_graphml}


def write_atomic(data: bytes, output: str, force: bool = False) -> None:
    """Write ``data`` to ``output`` ('-' for stdout) via a temporary file and rename.

    Refuses to replace an existing file unless ``force``. On any failure the temporary
    file is removed and an existing target is left untouched.
    """
    if output == "-":
        import sys

        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise ExportError(f"{output}: is a folder; give a file name")
    if not folder.is_dir():
        raise ExportError(f"{output}: folder '{folder}' does not exist")
    if target.exists() and not force:
        raise ExportError(f"{output}: already exists (use --force to overwrite)")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{output}: cannot write in '{folder}' ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{output}: cannot write ({exc.strerror})") from None
        raise

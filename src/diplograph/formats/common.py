"""What every export format shares: the fields exported, text checks (atomic writes are
``files.atomic``).

The formats themselves are the other modules of this package, one per format (see the
package docstring for the registry).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import msgspec
import networkx as nx

from ..model import dates
from ..model.errors import ExportError
from ..model.records import CONTROL_CHARACTERS

ENTITY_FIELDS = ("name", "type", "aliases", "description", "identifiers", "lat", "lon")
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
    "attributes",
)


encode_json = msgspec.json.Encoder().encode


def text_of(value: object) -> str:
    """A field as text: lists and objects as compact JSON (UTF-8 kept), the rest as str."""
    if isinstance(value, list | dict):
        return encode_json(value).decode("utf-8")
    return str(value)


def escape_text(text: str) -> str:
    """``xml.sax.saxutils.escape``, without the work when nothing needs escaping."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')


def quote_attribute(text: str) -> str:
    """``xml.sax.saxutils.quoteattr``, without the work when nothing needs escaping."""
    return quoteattr(text) if ATTRIBUTE_SPECIAL.search(text) else f'"{text}"'


def check_text(value: str, where: str) -> str:
    if CONTROL_CHARACTERS.search(value):
        raise ExportError(f"{where}: contains a control character, which cannot be exported")
    return value


def entity_fields(graph: nx.MultiDiGraph, node: str) -> dict[str, object]:
    """An entity's exported fields, in order, absent ones left out."""
    attrs = graph.nodes[node]
    return {k: attrs[k] for k in ENTITY_FIELDS if k in attrs and attrs[k] not in (None, "", [])}


def relation_fields(key: str, attrs: dict) -> dict[str, object]:
    """A relation's exported fields, in order, absent ones left out."""
    values = {"relation_id": key, "relation": attrs["type"], **attrs}
    return {
        k: values[k] for k in RELATION_FIELDS if k in values and values[k] not in (None, "", [])
    }


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes are all strings (lists as JSON), one type per name.

    Relation ids stay the edge keys and are also kept as a ``relation_id`` attribute;
    graph-level ``sources`` and ``relation_types`` become JSON text. Raises ExportError
    on text XML cannot carry (control characters), naming the entity or relation.
    """
    flat = nx.MultiDiGraph()
    flat.graph["sources"] = text_of(list(graph.graph.get("sources", {}).values()))
    flat.graph["relation_types"] = text_of(list(graph.graph.get("relation_types", {}).values()))
    for node in graph.nodes:
        check_text(str(node), f"entity id {node!r}")
        fields = entity_fields(graph, node)
        flat.add_node(
            node, **{k: check_text(text_of(v), f"entity '{node}' {k}") for k, v in fields.items()}
        )
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        fields = relation_fields(key, attrs)
        flat.add_edge(
            u,
            v,
            key=key,
            **{k: check_text(text_of(x), f"relation '{key}' {k}") for k, x in fields.items()},
        )
    return flat


def xml_text(text: str, where: str) -> str:
    """``text`` escaped for XML, after refusing control characters (see ``check_text``)."""
    return escape(check_text(text, where))


def day_or_none(day: date) -> str | None:
    """A date bound as ISO text; None for an open end (the earliest or latest day)."""
    return None if day in (dates.MIN_DAY, dates.MAX_DAY) else day.isoformat()


def as_networkx(graph: Any, progress: Callable[..., None] | None = None) -> nx.MultiDiGraph:
    """``graph`` as a networkx MultiDiGraph: a part cut by ``queries.subgraph`` already
    is one; the whole store (``queries.subgraph.WholeGraph``) is read into one
    (``progress`` hears how many relations are read)."""
    if isinstance(graph, nx.MultiDiGraph):
        return graph
    return graph.to_networkx(progress)

"""GraphML 1.0, streamed: igraph, rustworkx, networkx, yEd, Gephi, Cytoscape.

Valid against the official GraphML schema. Every attribute is a string (lists such as
aliases and evidence as JSON text), relation ids are the edge ids and a ``relation_id``
attribute (igraph drops edge ids), absent fields are left out. Written from the store a
batch of relations at a time, so memory stays flat on large data.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO
from xml.sax.saxutils import quoteattr

from ..files.atomic import write_atomic
from ..model.gcpause import paused_gc
from ..model.records import CONTROL_CHARACTERS
from .common import (
    ATTRIBUTE_SPECIAL,
    ENTITY_FIELDS,
    RELATION_FIELDS,
    check_text,
    encode_json,
    entity_fields,
    escape_text,
    quote_attribute,
    relation_fields,
    text_of,
    xml_text,
)

SUMMARY = "GraphML for igraph, rustworkx, networkx, yEd, Gephi"
SUFFIXES = (".graphml",)
FOLDER = False


GRAPHML_HEADER = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)


def write_graphml(graph: Any, out: BinaryIO, progress: Callable[..., None] | None = None) -> None:
    """Stream GraphML to ``out``, one element at a time (memory stays flat on big graphs);
    ``progress(step, done, total)`` hears how many relations are written.

    Valid against the official schema; relation ids are edge ids (and ``relation_id``
    data); every attribute is a string, lists as JSON text; absent fields are left out.
    Read by igraph, rustworkx, networkx, yEd and Gephi.
    """
    keys = [("graph", "sources"), ("graph", "relation_types")]
    keys += [("node", k) for k in ENTITY_FIELDS] + [("edge", k) for k in RELATION_FIELDS]
    ids = {key: f"d{i}" for i, key in enumerate(keys)}
    chunks: list[str] = [GRAPHML_HEADER]
    for (domain, name), key_id in ids.items():
        chunks.append(
            f'  <key id="{key_id}" for="{domain}" attr.name="{name}" attr.type="string" />\n'
        )
    chunks.append('  <graph edgedefault="directed">\n')
    for name in ("sources", "relation_types"):
        value = text_of(list(graph.graph.get(name, {}).values()))
        chunks.append(f'    <data key="{ids[("graph", name)]}">{xml_text(value, name)}</data>\n')
    flush_at = 2000

    def flush() -> None:
        out.write("".join(chunks).encode("utf-8"))
        chunks.clear()

    with paused_gc():  # each record decoded into a few dicts, no cycles
        for node in graph.nodes:
            check_text(str(node), f"entity id {node!r}")
            chunks.append(f"    <node id={quoteattr(str(node))}>\n")
            for key, value in entity_fields(graph, node).items():
                text = xml_text(text_of(value), f"entity '{node}' {key}")
                chunks.append(f'      <data key="{ids[("node", key)]}">{text}</data>\n')
            chunks.append("    </node>\n")
            if len(chunks) > flush_at:
                flush()
        flush()
        key_ids = {name: ids[("edge", name)] for name in RELATION_FIELDS}
        total, done = graph.number_of_edges(), 0
        for count, piece in _graphml_edges(graph, key_ids):
            out.write(piece.encode("utf-8"))
            done += count
            if progress is not None and (done % PROGRESS_EVERY < count or done == total):
                progress("writing relations", done, total)
    chunks.append("  </graph>\n</graphml>\n")
    flush()


#: Relations written to GraphML per batch (their checks and escaping done at once).
GRAPHML_BATCH = 2_000
#: How often (in relations) a long export reports its progress.
PROGRESS_EVERY = 20_000
_LATER_FIELDS = RELATION_FIELDS[2:]  # read from a relation's attributes as they are
_EVIDENCE = RELATION_FIELDS.index("evidence")
_PLAIN = {str, type(None)}


def _graphml_edges(graph: Any, key_ids: dict[str, str]) -> Iterator[tuple[int, str]]:
    """The GraphML ``<edge>`` elements of every relation, a batch at a time, with how many
    relations each holds. Each batch's texts are checked for control characters and
    escaped in one pass each, and each element is filled into a template made once per
    set of present fields (a few dozen): a third of the time of building every element
    piece by piece."""
    templates: dict[tuple[str, ...], str] = {}
    edges = iter(graph.edges(keys=True, data=True))
    while batch := list(itertools.islice(edges, GRAPHML_BATCH)):
        rows, texts, ends = [], [], []
        for u, v, key, attrs in batch:
            values = [attrs.get("relation_id", key), attrs.get("relation", attrs["type"])]
            values += map(attrs.get, _LATER_FIELDS)
            evidence = values[_EVIDENCE]
            if type(evidence) is list:  # none: left out, as an absent field
                values[_EVIDENCE] = encode_json(evidence).decode("utf-8") if evidence else None
            if {*map(type, values)} <= _PLAIN:  # absent fields: None or ""
                rows.append(tuple(itertools.compress(RELATION_FIELDS, values)))
                texts += itertools.compress(values, values)
            else:  # anything else, as every other format writes it
                fields = relation_fields(key, attrs)
                rows.append(tuple(fields))
                texts += map(text_of, fields.values())
            ends += (str(u), str(v), str(key))
        if CONTROL_CHARACTERS.search("".join(texts)) or CONTROL_CHARACTERS.search("".join(ends)):
            _name_control_character(batch)  # raises ExportError naming relation and field
        # NUL (a control character) is in none of them now: it can join and part them
        escaped = iter(escape_text("\x00".join(texts)).split("\x00") if texts else ())
        plain = not ATTRIBUTE_SPECIAL.search("".join(ends))
        at = iter(ends if plain else map(quote_attribute, ends))
        pieces = []
        for names in rows:
            template = templates.get((plain, *names))
            if template is None:
                template = templates[(plain, *names)] = _edge_template(names, key_ids, plain)
            pieces.append(
                template.format(
                    next(at), next(at), next(at), *itertools.islice(escaped, len(names))
                )
            )
        yield len(batch), "".join(pieces)


def _edge_template(names: tuple[str, ...], key_ids: dict[str, str], plain: bool) -> str:
    """A ``str.format`` template of an ``<edge>`` with the fields ``names``: its source,
    target and id (quoted already unless ``plain``), then the fields' escaped texts."""
    quoted = '"{}"' if plain else "{}"
    return (
        f"    <edge source={quoted} target={quoted} id={quoted}>\n"
        + "".join(f'      <data key="{key_ids[name]}">{{}}</data>\n' for name in names)
        + "    </edge>\n"
    )


def _name_control_character(edges: list[tuple]) -> None:
    """Raise ExportError for the first relation among ``edges`` holding a control
    character, naming it and the field (each text checked on its own)."""
    for u, v, key, attrs in edges:
        for name, value in relation_fields(key, attrs).items():
            check_text(text_of(value), f"relation '{key}' {name}")
        for end in (u, v, key):
            check_text(str(end), f"relation '{key}' source, target or id")


def to_graphml(graph: Any) -> bytes:
    """GraphML as bytes (see ``write_graphml``)."""
    buffer = io.BytesIO()
    write_graphml(graph, buffer)
    return buffer.getvalue()


def write(graph: Any, output: str, force: bool = False, progress: Any = None) -> None:
    """Stream ``graph`` (a store, or a part of one) to ``output`` atomically."""
    write_atomic(lambda out: write_graphml(graph, out, progress), output, force)

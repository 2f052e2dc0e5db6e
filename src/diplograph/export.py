"""Write the graph in formats other tools read, atomically.

What every format keeps: each entity (id, name, type, aliases, description, identifiers,
lat, lon) and each relation (id, relation type, source, target, date, date_text, place,
certainty, reported_by, evidence, note, attributes), plus the sources and relation types
the data declares (GEXF: the sources only).
The relation type is exported as ``relation`` (GEXF reserves ``type`` on edges) and the
relation id as ``relation_id`` as well as the format's own edge id, since igraph and
rustworkx drop GraphML edge ids. Absent optional fields are left out, never "None".

=========  ==========================================================================
format     what it holds, what it gives up
=========  ==========================================================================
graphml    GraphML 1.0 (valid against the official XSD). Lists as JSON text.
gexf       GEXF 1.2 for Gephi. Lists as JSON text; dated relations carry GEXF ``start``
           / ``end`` (the date's earliest/latest day) so Gephi's timeline replays them.
json       networkx node-link JSON: native lists, ``node_link_graph`` reads it back equal.
dot        Graphviz. Every field as a quoted attribute (lists as JSON text); the node
           name is its ``label``; the edge label is relation and date.
mermaid    A flowchart for Markdown. The picture shows names and relations; every field
           is kept, as JSON, in a ``%%`` comment line above each node and edge.
neo4j      A folder of ``neo4j-admin database import`` CSV files with typed headers.
           Aliases are ``string[]`` (an alias may not contain ';'); evidence is JSON text;
           control characters are refused (the importer cannot read them back).
cypher     CREATE statements for Neo4j or Memgraph, every string escaped. Aliases are
           lists; evidence is JSON text (a property cannot hold maps).
=========  ==========================================================================

Each ``to_<format>`` function returns bytes (``to_neo4j`` a dict of file name to bytes);
``write_atomic`` and ``write_folder_atomic`` put them on disk so that a failure leaves no
partial output and leaves an existing file as it was.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import msgspec
import networkx as nx

from . import dates
from .errors import ExportError
from .gcpause import paused_gc
from .model import CONTROL_CHARACTERS

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


_encode_json = msgspec.json.Encoder().encode


def _text(value: object) -> str:
    """A field as text: lists and objects as compact JSON (UTF-8 kept), the rest as str."""
    if isinstance(value, list | dict):
        return _encode_json(value).decode("utf-8")
    return str(value)


def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape``, without the work when nothing needs escaping."""
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


_ATTRIBUTE_SPECIAL = re.compile('[&<>"\n\r\t]')


def _attribute(text: str) -> str:
    """``xml.sax.saxutils.quoteattr``, without the work when nothing needs escaping."""
    return quoteattr(text) if _ATTRIBUTE_SPECIAL.search(text) else f'"{text}"'


def _check_text(value: str, where: str) -> str:
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
    flat.graph["sources"] = _text(list(graph.graph.get("sources", {}).values()))
    flat.graph["relation_types"] = _text(list(graph.graph.get("relation_types", {}).values()))
    for node in graph.nodes:
        _check_text(str(node), f"entity id {node!r}")
        fields = entity_fields(graph, node)
        flat.add_node(
            node, **{k: _check_text(_text(v), f"entity '{node}' {k}") for k, v in fields.items()}
        )
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        fields = relation_fields(key, attrs)
        flat.add_edge(
            u,
            v,
            key=key,
            **{k: _check_text(_text(x), f"relation '{key}' {k}") for k, x in fields.items()},
        )
    return flat


# -- GraphML -------------------------------------------------------------------------------


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
        value = _text(list(graph.graph.get(name, {}).values()))
        chunks.append(f'    <data key="{ids[("graph", name)]}">{_xml(value, name)}</data>\n')
    flush_at = 2000

    def flush() -> None:
        out.write("".join(chunks).encode("utf-8"))
        chunks.clear()

    with paused_gc():  # each record decoded into a few dicts, no cycles
        for node in graph.nodes:
            _check_text(str(node), f"entity id {node!r}")
            chunks.append(f"    <node id={quoteattr(str(node))}>\n")
            for key, value in entity_fields(graph, node).items():
                text = _xml(_text(value), f"entity '{node}' {key}")
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
                values[_EVIDENCE] = _encode_json(evidence).decode("utf-8") if evidence else None
            if {*map(type, values)} <= _PLAIN:  # absent fields: None or ""
                rows.append(tuple(itertools.compress(RELATION_FIELDS, values)))
                texts += itertools.compress(values, values)
            else:  # anything else, as every other format writes it
                fields = relation_fields(key, attrs)
                rows.append(tuple(fields))
                texts += map(_text, fields.values())
            ends += (str(u), str(v), str(key))
        if CONTROL_CHARACTERS.search("".join(texts)) or CONTROL_CHARACTERS.search("".join(ends)):
            _name_control_character(batch)  # raises ExportError naming relation and field
        # NUL (a control character) is in none of them now: it can join and part them
        escaped = iter(_escape("\x00".join(texts)).split("\x00") if texts else ())
        plain = not _ATTRIBUTE_SPECIAL.search("".join(ends))
        at = iter(ends if plain else map(_attribute, ends))
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
            _check_text(_text(value), f"relation '{key}' {name}")
        for end in (u, v, key):
            _check_text(str(end), f"relation '{key}' source, target or id")


def _xml(text: str, where: str) -> str:
    return escape(_check_text(text, where))


def to_graphml(graph: Any) -> bytes:
    """GraphML as bytes (see ``write_graphml``)."""
    buffer = io.BytesIO()
    write_graphml(graph, buffer)
    return buffer.getvalue()


# -- GEXF ----------------------------------------------------------------------------------

GEXF_NS = "http://www.gexf.net/1.2draft"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def _gexf_day(day: date) -> str | None:
    return None if day in (dates.MIN_DAY, dates.MAX_DAY) else day.isoformat()


def to_gexf(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 for Gephi, valid against the GEXF XSD and read by networkx.

    The node label is the name; the edge label is the relation type, also kept as the
    ``relation`` attribute (GEXF reserves ``type``). Dated relations get ``start`` and
    ``end`` (earliest and latest day; open ends left out) in a dynamic graph.
    """
    flat = flat_graph(graph)
    ET.register_namespace("", GEXF_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(
        f"{{{GEXF_NS}}}gexf",
        {
            "version": "1.2",
            f"{{{XSI_NS}}}schemaLocation": f"{GEXF_NS} http://www.gexf.net/1.2draft/gexf.xsd",
        },
    )
    meta = ET.SubElement(root, f"{{{GEXF_NS}}}meta")
    ET.SubElement(meta, f"{{{GEXF_NS}}}creator").text = "diplograph"
    ET.SubElement(meta, f"{{{GEXF_NS}}}description").text = "sources: " + flat.graph["sources"]
    body = ET.SubElement(
        root,
        f"{{{GEXF_NS}}}graph",
        {"defaultedgetype": "directed", "mode": "dynamic", "timeformat": "date"},
    )
    node_keys = [k for k in ENTITY_FIELDS if k != "name"]
    edge_keys = list(RELATION_FIELDS)
    for cls, keys in (("node", node_keys), ("edge", edge_keys)):
        attributes = ET.SubElement(body, f"{{{GEXF_NS}}}attributes", {"class": cls})
        for key in keys:
            ET.SubElement(
                attributes,
                f"{{{GEXF_NS}}}attribute",
                {"id": key, "title": key, "type": "string"},
            )
    nodes = ET.SubElement(body, f"{{{GEXF_NS}}}nodes")
    for node, attrs in flat.nodes(data=True):
        element = ET.SubElement(
            nodes, f"{{{GEXF_NS}}}node", {"id": node, "label": attrs.get("name", node)}
        )
        _attvalues(element, attrs, node_keys)
    edges = ET.SubElement(body, f"{{{GEXF_NS}}}edges")
    for u, v, key, attrs in flat.edges(keys=True, data=True):
        xml_attrs = {"id": key, "source": u, "target": v, "label": attrs["relation"]}
        if "date" in attrs:
            bounds = dates.parse(attrs["date"])
            for name, day in (("start", bounds.lower), ("end", bounds.upper)):
                text = _gexf_day(day)
                if text:
                    xml_attrs[name] = text
        element = ET.SubElement(edges, f"{{{GEXF_NS}}}edge", xml_attrs)
        _attvalues(element, attrs, edge_keys)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _attvalues(element: ET.Element, attrs: dict, keys: list[str]) -> None:
    present = [k for k in keys if k in attrs]
    if not present:
        return
    values = ET.SubElement(element, f"{{{GEXF_NS}}}attvalues")
    for key in present:
        ET.SubElement(values, f"{{{GEXF_NS}}}attvalue", {"for": key, "value": attrs[key]})


# -- node-link JSON ------------------------------------------------------------------------


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


# -- DOT -----------------------------------------------------------------------------------


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


# -- Mermaid -------------------------------------------------------------------------------


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
            _check_text(_text(value), f"entity '{node}' {key}")
        aliases = [str(a) for a in fields.get("aliases", [])]
        for alias in aliases:
            _check_text(alias, f"entity '{node}' aliases")
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
                _text(fields["identifiers"]) if "identifiers" in fields else "",
                str(fields.get("lat", "")),
                str(fields.get("lon", "")),
            ]
        )
    rel_rows = []
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        fields = relation_fields(key, attrs)
        for name, value in fields.items():
            _check_text(_text(value), f"relation '{key}' {name}")
        start = end = ""
        if "date" in fields:
            bounds = dates.parse(str(fields["date"]))
            start, end = _gexf_day(bounds.lower) or "", _gexf_day(bounds.upper) or ""
        rel_rows.append(
            [u, v, neo4j_type(attrs["type"])]
            + [_text(fields.get(k, "")) for k in RELATION_FIELDS]
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


# -- Cypher --------------------------------------------------------------------------------

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
    return cypher_string(_text(value))


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


# -- registry and writing ------------------------------------------------------------------

FORMATS: dict[str, Callable[[nx.MultiDiGraph], bytes]] = {
    "graphml": to_graphml,
    "gexf": to_gexf,
    "json": to_json,
    "dot": to_dot,
    "mermaid": to_mermaid,
    "cypher": to_cypher,
}
FOLDER_FORMATS: dict[str, Callable[[nx.MultiDiGraph], dict[str, bytes]]] = {"neo4j": to_neo4j}
ALL_FORMATS = (*FORMATS, *FOLDER_FORMATS)


def _prepare_target(output: str, force: bool) -> tuple[Path, Path]:
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ExportError(f"{output}: folder '{folder}' does not exist")
    if (target.exists() or target.is_symlink()) and not force:
        raise ExportError(f"{output}: already exists (use --force to overwrite)")
    return target, folder


def _file_mode(target: Path) -> int:
    """The mode a new file would get (keeping an existing file's mode when replacing it)."""
    if target.exists():
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(
    data: bytes | Callable[[BinaryIO], None], output: str, force: bool = False
) -> None:
    """Write ``data`` (bytes, or a function writing to a binary file) to ``output`` ('-'
    for stdout) via a temporary file and rename.

    Refuses to replace an existing file unless ``force``. On any failure (or Ctrl-C)
    the temporary file is removed and an existing target is left untouched.
    """
    if output == "-":
        import sys

        if callable(data):
            data(sys.stdout.buffer)
        else:
            sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    if Path(output).is_dir():
        raise ExportError(f"{output}: is a folder; give a file name")
    target, folder = _prepare_target(output, force)
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"{output}: cannot write in '{folder}' ({exc.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as out:
            if callable(data):
                data(out)
            else:
                out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, _file_mode(target))
        os.replace(temp, target)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{output}: cannot write ({exc.strerror})") from None
        raise


def write_folder_atomic(files: dict[str, bytes], output: str, force: bool = False) -> None:
    """Write several files as one folder: built beside the target, then renamed into place.

    An existing folder is replaced only with ``force``, and only once the new one is
    complete; on failure nothing changes.
    """
    if output == "-":
        raise ExportError("this format writes a folder of files: give --output FOLDER, not '-'")
    target, folder = _prepare_target(output, force)
    if target.exists() and not target.is_dir():
        raise ExportError(f"{output}: is a file; this format writes a folder")
    try:
        temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=folder))
    except OSError as exc:
        raise ExportError(f"{output}: cannot write in '{folder}' ({exc.strerror})") from None
    old = None
    try:
        for name, data in files.items():
            with open(temp / name, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=folder))
            os.replace(target, old / "previous")
        os.replace(temp, target)
    except BaseException as exc:
        if old is not None and not target.exists():
            os.replace(old / "previous", target)
        shutil.rmtree(temp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        if isinstance(exc, OSError):
            raise ExportError(f"{output}: cannot write ({exc.strerror})") from None
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)

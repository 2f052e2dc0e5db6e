"""GEXF 1.2 for Gephi, valid against the GEXF XSD and read by networkx.

Lists as JSON text; dated relations carry GEXF ``start``/``end`` (the date's earliest and
latest day), so Gephi's timeline replays them. The relation type is the edge attribute
``relation`` (GEXF reserves ``type``).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

import networkx as nx

from ..files.atomic import write_atomic
from ..model import dates
from .common import (
    ENTITY_FIELDS,
    RELATION_FIELDS,
    as_networkx,
    day_or_none,
    flat_graph,
)

SUMMARY = "GEXF 1.2 for Gephi (dated relations replay on its timeline)"
SUFFIXES = (".gexf",)
FOLDER = False


GEXF_NS = "http://www.gexf.net/1.2draft"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


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
                text = day_or_none(day)
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


def write(graph: Any, output: str, force: bool = False, progress: Any = None) -> None:
    """Write ``graph`` to ``output`` atomically."""
    write_atomic(to_gexf(as_networkx(graph, progress)), output, force)

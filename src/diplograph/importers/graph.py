"""Graph files (GraphML, GEXF, networkx node-link JSON) -> a diplograph data file.

diplograph's own exports round-trip exactly: every entity and relation field is read
back (lists and objects from their JSON text, coordinates as numbers), with the sources
and the relation types the data declared. Other tools' graphs are read too: a node's
``name`` or ``label`` is its name, its ``type`` its entity type when it is one (else
``group``); an edge's ``relation``, ``type`` or ``label`` is its relation type (a type
not in the vocabulary is declared in the file); an edge without evidence cites the file,
by edge id, as a ``coded`` fact (no person's quote). The file is read whole (networkx's
readers): graph files are far smaller than event exports.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import msgspec

from ..check.files import read_json
from ..check.repeats import RepeatedKey, no_repeats
from ..model.errors import DataError
from ..model.records import CERTAINTY, CODED, ENTITY_ID, ENTITY_TYPES, RELATION_ID
from .cameo import vocabulary
from .common import Report, check_output, nothing_kept, slug

_ENTITY_LISTS = {"aliases": list, "identifiers": dict}
_RELATION_OBJECTS = {"evidence": list, "attributes": dict}
_ENTITY_ORDER = ("name", "type", "aliases", "description", "identifiers", "lat", "lon")
_RELATION_ORDER = ("date", "date_text", "place", "certainty", "reported_by", "evidence")
_RELATION_ORDER += ("note", "attributes")


def _read(path: Path) -> tuple[Any, str]:
    """(networkx MultiDiGraph, format) of a graph file."""
    import networkx as nx

    try:
        head = path.read_bytes()[:4096].lstrip()
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise DataError([f"{path}: cannot read ({reason})"]) from None
    try:
        if head.startswith(b"{"):
            data = read_json(path)  # (names the line and column of a repeated key)
            edges = "edges" if "edges" in data else "links"
            graph = nx.node_link_graph(data, directed=True, multigraph=True, edges=edges)
            return graph, "json"
        if b"<gexf" in head:
            graph = nx.read_gexf(path)
            if not graph.is_multigraph():
                graph = nx.MultiDiGraph(graph)
            return graph, "gexf"
        if b"<graphml" in head:
            return nx.read_graphml(path, force_multigraph=True), "graphml"
    except (ValueError, KeyError, TypeError, nx.NetworkXError) as exc:
        raise DataError([f"{path}: cannot read the graph ({exc})"]) from None
    except Exception as exc:  # XML parse errors of either XML library
        if type(exc).__name__ in ("ParseError", "XMLSyntaxError"):
            raise DataError([f"{path}: not well-formed XML ({exc})"]) from None
        raise
    raise DataError([f"{path}: not GraphML, GEXF or node-link JSON"])


def _gexf_sources(path: Path) -> list:
    """The sources diplograph's GEXF writer keeps in <meta><description>."""
    from xml.etree import ElementTree as ET

    for _, element in ET.iterparse(path):
        if element.tag.endswith("description") and (element.text or "").startswith("sources: "):
            sources = element.text[len("sources: ") :]
            return _json(sources, list, f"{path}: the graph's sources") or []
        if element.tag.endswith("}nodes"):
            break
    return []


def _json(value: Any, kind: type, where: str = "") -> Any:
    """A list or object field: as is, or read from its JSON text; None if it is neither.
    A key repeated in one object of that text is a DataError naming ``where``."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            found = json.loads(value, object_pairs_hook=no_repeats)
        except RepeatedKey as repeated:
            name = json.dumps(repeated.key, ensure_ascii=True)
            raise DataError([f"{where}: key {name} repeated in one object"]) from None
        except ValueError:
            return None
        return found if isinstance(found, kind) else None
    return None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def import_graph(path: Path, output: str, *, force: bool = False) -> Report:
    """Import one graph file into a data file; the report says what was kept."""
    from ..files.atomic import write_atomic

    check_output(output, force)
    graph, fmt = _read(path)
    report = Report(files=[str(path)])
    types = vocabulary()
    sources = _json(graph.graph.get("sources"), list, f"{path}: the graph's sources") or []
    if fmt == "gexf":
        sources = _gexf_sources(path)
    declared = _json(graph.graph.get("relation_types"), list, f"{path}: its types") or []
    own_types = [t for t in declared if isinstance(t, dict) and types.get(t.get("id")) != t]
    known = {*types, *(t.get("id") for t in own_types)}
    fallback = slug(path.stem, "graph")
    ids: dict[Any, str] = {}
    entities = []
    for node, attrs in graph.nodes(data=True):
        eid = str(node)
        if not re.match(ENTITY_ID, eid):
            eid = slug(eid, "entity")
            while eid in ids.values():
                eid += "-2"
        ids[node] = eid
        record: dict[str, Any] = {"id": eid}
        for name in _ENTITY_ORDER:
            value = attrs.get(name)
            if name == "name" and value in (None, ""):
                value = attrs.get("label") or str(node)
            if name == "type" and value not in ENTITY_TYPES:
                value = "group"
            if name in _ENTITY_LISTS:
                value = _json(value, _ENTITY_LISTS[name], f"{path}: node {eid}: {name}")
            elif name in ("lat", "lon"):
                value = _number(value)
            if value not in (None, "", [], {}):
                record[name] = value
        if ("lat" in record) != ("lon" in record):
            record.pop("lat", None), record.pop("lon", None)
        entities.append(record)
    relations = []
    cited_file = False
    seen: set[str] = set()
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        report.rows += 1
        rtype = attrs.get("relation") or attrs.get("type") or attrs.get("label")
        if not rtype:
            report.skip("no relation type on the edge")
            continue
        rtype = str(rtype)
        if rtype not in known:
            rtype = slug(rtype, "related-to")
            if rtype not in known:
                own_types.append(
                    {
                        "id": rtype,
                        "label": rtype.replace("-", " "),
                        "inverse": f"is the target of {rtype.replace('-', ' ')}",
                        "symmetric": False,
                        "category": "tie",
                        "description": f"Read from {path.name}.",
                    }
                )
                known.add(rtype)
        rid = str(attrs.get("relation_id") or attrs.get("id") or key)
        if not re.match(RELATION_ID, rid) or rid in seen:
            rid = f"{fallback}-{report.rows}"
        seen.add(rid)
        if ids[u] == ids[v]:
            report.skip("an edge from an entity to itself")
            continue
        record = {"id": rid, "type": rtype, "source": ids[u], "target": ids[v]}
        for name in _RELATION_ORDER:
            value = attrs.get(name)
            if name in _RELATION_OBJECTS:
                value = _json(value, _RELATION_OBJECTS[name], f"{path}: edge {rid}: {name}")
            if value not in (None, "", [], {}):
                record[name] = value
        if record.get("certainty") not in CERTAINTY:
            record["certainty"] = CODED
        if "evidence" not in record:
            record["evidence"] = [{"source": fallback, "locator": f"edge {key}"}]
            record["certainty"] = CODED
            cited_file = True
        for field in ("place", "reported_by"):
            if field in record:
                record[field] = ids.get(record[field], record[field])
        relations.append(record)
        report.kept += 1
    if cited_file and fallback not in {s.get("id") for s in sources}:
        published = datetime.date.fromtimestamp(path.stat().st_mtime).isoformat()
        sources.append(
            {"id": fallback, "title": path.name, "publisher": "unknown", "published": published}
        )
    if (report.rows and not relations) or not (entities or relations):
        raise nothing_kept(report, output)  # (edges read, none kept; or an empty graph)
    document: dict[str, Any] = {"schema_version": 1, "sources": sources}
    if own_types:
        document["relation_types"] = own_types
    document["entities"] = entities
    document["relations"] = relations
    report.entities, report.relations, report.output = len(entities), len(relations), output
    write_atomic(msgspec.json.encode(document) + b"\n", output, force)
    return report

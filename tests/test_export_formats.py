"""Every export format read back by an independent reader, nothing lost.

Each format has a reader that turns the file back into (entities, relations): dicts of
id -> fields, with lists decoded. The property tests feed random graphs whose text holds
unicode, quotes, &<>, newlines, emoji and control characters through every format: the
result is either read back equal, or refused with ExportError, never silently corrupted.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CHROMIUM, chromium_command, schema_validator
from diplograph import formats
from diplograph.formats import graphml
from diplograph.formats.common import RELATION_FIELDS, entity_fields, relation_fields
from diplograph.formats.cypher import cypher_string
from diplograph.formats.dot import to_dot
from diplograph.formats.gexf import to_gexf
from diplograph.formats.graphml import to_graphml, write_graphml
from diplograph.formats.json import to_json
from diplograph.formats.mermaid import to_mermaid
from diplograph.formats.neo4j import neo4j_type, to_neo4j
from diplograph.model import dates
from diplograph.model.errors import ExportError

LISTS = {"aliases", "evidence"}


def decode(fields: dict) -> dict:
    return {k: json.loads(v) if k in LISTS and isinstance(v, str) else v for k, v in fields.items()}


def expected(graph: nx.MultiDiGraph) -> tuple[dict, dict]:
    entities = {n: entity_fields(graph, n) for n in graph.nodes}
    relations = {
        k: {"source": u, "target": v, **relation_fields(k, a)}
        for u, v, k, a in graph.edges(keys=True, data=True)
    }
    return entities, relations


# -- readers, one per format ---------------------------------------------------------------


def read_graphml(data: bytes):
    g = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    entities = {n: decode(a) for n, a in g.nodes(data=True)}
    relations = {
        k: {"source": u, "target": v, **decode(a)} for u, v, k, a in g.edges(keys=True, data=True)
    }
    return entities, relations


def read_gexf(data: bytes):
    g = nx.read_gexf(io.BytesIO(data), version="1.2draft")
    entities = {}
    for n, a in g.nodes(data=True):
        fields = {k: v for k, v in a.items() if k != "label"}
        entities[n] = decode({"name": a["label"], **fields})
    relations = {}
    for u, v, a in g.edges(data=True):  # a DiGraph unless there are parallel edges
        fields = {x: y for x, y in a.items() if x not in ("id", "label", "start", "end")}
        relations[a["id"]] = {"source": u, "target": v, **decode(fields)}
    return entities, relations


def read_json(data: bytes):
    g = nx.node_link_graph(json.loads(data), edges="edges")
    entities = dict(g.nodes(data=True))
    relations = {k: {"source": u, "target": v, **a} for u, v, k, a in g.edges(keys=True, data=True)}
    return entities, relations


def _dot_unquote(value: str) -> str:
    assert value.startswith('"') and value.endswith('"'), value
    return re.sub(
        r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), value[1:-1], flags=re.S
    )


def read_dot(data: bytes):
    pydot = pytest.importorskip("pydot")
    (g,) = pydot.graph_from_dot_data(data.decode("utf-8"))
    entities = {}
    for node in g.get_nodes():
        if node.get_name() in ("node", "edge", "graph"):
            continue
        attrs = {k: _dot_unquote(v) for k, v in node.get_attributes().items()}
        name = attrs.pop("label")
        entities[_dot_unquote(node.get_name())] = decode({"name": name, **attrs})
    relations = {}
    for edge in g.get_edges():
        attrs = {k: _dot_unquote(v) for k, v in edge.get_attributes().items()}
        attrs.pop("label")
        key = attrs.pop("id")
        relations[key] = {
            "source": _dot_unquote(edge.get_source()),
            "target": _dot_unquote(edge.get_destination()),
            **decode(attrs),
        }
    return entities, relations


def read_mermaid(data: bytes):
    entities, relations = {}, {}
    for line in data.decode("utf-8").splitlines():
        line = line.strip()
        if line.startswith("%% entity "):
            fields = json.loads(line[len("%% entity ") :])
            entities[fields.pop("id")] = fields
        elif line.startswith("%% relation "):
            fields = json.loads(line[len("%% relation ") :])
            relations[fields["relation_id"]] = fields
    return entities, relations


def read_neo4j(files: dict[str, bytes]):
    nodes = list(csv.DictReader(io.StringIO(files["nodes.csv"].decode("utf-8"))))
    rels = list(csv.DictReader(io.StringIO(files["relationships.csv"].decode("utf-8"))))
    entities = {}
    for row in nodes:
        fields = {"name": row["name"], "type": row["type"]}
        if row["aliases:string[]"]:
            fields["aliases"] = row["aliases:string[]"].split(";")
        if row["description"]:
            fields["description"] = row["description"]
        assert row[":LABEL"].startswith("Entity;")
        entities[row["id:ID"]] = fields
    relations = {}
    for row in rels:
        fields = {k: v for k, v in row.items() if k in RELATION_FIELDS and v != ""}
        relations[row["relation_id"]] = {
            "source": row[":START_ID"],
            "target": row[":END_ID"],
            **decode(fields),
        }
        assert row[":TYPE"] == neo4j_type(row["relation"])
    return entities, relations


_CYPHER_STRING = r"'(?:[^'\\]|\\.)*'"


def _cypher_unescape(literal: str) -> str:
    simple = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\"}

    def one(m):
        if m[1] == "u":
            return chr(int(m[2], 16))
        return simple[m[1]]

    return re.sub(
        r"\\(u)([0-9a-fA-F]{4})|\\(.)", lambda m: one(m) if m[1] else simple[m[3]], literal[1:-1]
    )


def _cypher_map(text: str) -> dict:
    """Parse the `{...}` property map our exporter writes (strings and string lists)."""
    out = {}
    pattern = rf"`([^`]+)`: (\[(?:{_CYPHER_STRING}(?:, )?)*\]|{_CYPHER_STRING})"
    for key, value in re.findall(pattern, text):
        if value.startswith("["):
            out[key] = [_cypher_unescape(v) for v in re.findall(_CYPHER_STRING, value)]
        else:
            out[key] = _cypher_unescape(value)
    return out


def read_cypher(data: bytes):
    entities, relations = {}, {}
    for line in data.decode("utf-8").splitlines():
        if line.startswith("CREATE (:Entity:"):
            fields = _cypher_map(line[line.index("{") : line.rindex("}") + 1])
            entities[fields.pop("id")] = fields
        elif line.startswith("MATCH "):
            ends = re.findall(rf"\{{id: ({_CYPHER_STRING})\}}", line)
            fields = _cypher_map(line[line.index("-[:") :])
            relations[fields["relation_id"]] = {
                "source": _cypher_unescape(ends[0]),
                "target": _cypher_unescape(ends[1]),
                **decode(fields),
            }
    return entities, relations


def _present(value) -> bool:
    return value not in (None, "", [])


def _plain(value):
    """A Parquet value as the data format has it: maps as dicts, no null struct fields."""
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return dict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


def read_parquet(files: dict[str, bytes]):
    """The Parquet folder read back by pyarrow (every column typed, nothing as text)."""
    pq = pytest.importorskip("pyarrow.parquet")
    tables = {
        n: pq.read_table(io.BytesIO(d)).to_pylist()
        for n, d in files.items()
        if n.endswith(".parquet")
    }
    entities = {
        row["id"]: {k: _plain(v) for k, v in row.items() if k != "id" and _present(v)}
        for row in tables["entities.parquet"]
    }
    relations = {}
    for row in tables["relations.parquet"]:
        fields = {k: _plain(v) for k, v in row.items() if _present(v)}
        fields["relation_id"], fields["relation"] = fields.pop("id"), fields.pop("type")
        start, end = fields.pop("date_start", None), fields.pop("date_end", None)
        if "date" in fields:  # the bounds are the EDTF date's
            bounds = dates.parse(fields["date"])
            assert start == (None if bounds.lower == dates.MIN_DAY else bounds.lower)
            assert end == (None if bounds.upper == dates.MAX_DAY else bounds.upper)
        else:
            assert start is None and end is None
        relations[fields["relation_id"]] = fields
    return entities, relations


READERS = {
    "graphml": read_graphml,
    "gexf": read_gexf,
    "json": read_json,
    "dot": read_dot,
    "mermaid": read_mermaid,
    "cypher": read_cypher,
}


def export_and_read(fmt: str, graph):
    if fmt == "neo4j":
        return read_neo4j(to_neo4j(graph))
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
        return read_parquet(formats.get("parquet").to_parquet(graph))
    return READERS[fmt](_to_bytes(fmt, graph))


@pytest.mark.parametrize("fmt", formats.names())
def test_bundled_graph_round_trips(graph, fmt):
    assert export_and_read(fmt, graph) == expected(graph)


def test_every_format_is_tested():
    assert set(formats.names()) == {*READERS, "neo4j", "parquet"}


def test_every_format_keeps_the_contract():
    """Each module is an ExportFormat (typing.Protocol), with values of the right types,
    and its write takes the protocol's parameters."""
    import inspect

    for name in formats.names():
        module = formats.get(name)
        assert isinstance(module, formats.ExportFormat), name
        assert isinstance(module.SUMMARY, str) and module.SUMMARY.strip(), name
        assert isinstance(module.SUFFIXES, tuple), name
        assert all(isinstance(s, str) and s.startswith(".") for s in module.SUFFIXES), name
        assert isinstance(module.FOLDER, bool), name
        params = list(inspect.signature(module.write).parameters)
        assert params[:4] == ["graph", "output", "force", "progress"], name
        if isinstance(module, formats.DialectFormat):
            assert "dialect" in params and module.DIALECTS, name
    assert formats.summaries()["cypher"] == formats.get("cypher").SUMMARY


def test_format_help_lists_each_summary(cli, monkeypatch):
    result = cli("export", "--help")
    text = " ".join(result.stdout.split())
    for name, summary in formats.summaries().items():
        assert f"{name}: {' '.join(summary.split())}" in text
    folders = [n for n in formats.names() if formats.get(n).FOLDER]
    assert folders and f"File (or folder, for {', '.join(folders)})" in text
    monkeypatch.setattr(formats.get("json"), "FOLDER", True)  # the help reads FOLDER
    text = " ".join(cli("export", "--help").stdout.split())
    assert f"File (or folder, for json, {', '.join(folders)})" in text


# -- independent tools ---------------------------------------------------------------------


def test_gexf_valid_against_schema(graph, tmp_path):
    path = tmp_path / "g.gexf"
    path.write_bytes(to_gexf(graph))
    assert schema_validator().validate("gexf12", str(path)) == []


def test_gexf_carries_time_for_gephi(graph):
    g = nx.read_gexf(io.BytesIO(to_gexf(graph)))
    edges = {a["id"]: a for _, _, a in g.edges(data=True)}
    edge = edges["kellogg-met-lukashenko"]
    assert (edge["start"], edge["end"]) == ("2025-06-21", "2025-06-21")
    open_end = edges["trump-leads-united-states"]
    assert open_end["start"] == "2025-01-01" and "end" not in open_end
    assert "start" not in edges["cole-deputy-of-kellogg"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
def test_graphviz_parses_dot(graph, tmp_path):
    path = tmp_path / "g.dot"
    path.write_bytes(to_dot(graph))
    result = subprocess.run(["dot", "-Tsvg", str(path)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(b'class="node"') == graph.number_of_nodes()
    assert result.stdout.count(b'class="edge"') == graph.number_of_edges()


def test_mermaid_shape(graph):
    text = to_mermaid(graph).decode()
    lines = text.splitlines()
    assert lines[0] == "flowchart LR"
    drawn = [line for line in lines if "-->|" in line]
    assert len(drawn) == graph.number_of_edges()
    for line in drawn:
        assert re.fullmatch(r'  n\d+ -->\|"[^"|]*"\| n\d+', line), line
    fenced = to_mermaid(graph, fenced=True).decode().splitlines()
    assert fenced[0] == "```mermaid" and fenced[-1] == "```"


def test_neo4j_headers(graph):
    files = to_neo4j(graph)
    assert files["nodes.csv"].startswith(
        b"id:ID,name,type,aliases:string[],description,:LABEL,identifiers,lat:float,lon:float\n"
    )
    header = files["relationships.csv"].split(b"\n", 1)[0].decode()
    assert header.startswith(":START_ID,:END_ID,:TYPE,")
    assert header.endswith("date_start:date,date_end:date")
    assert b"neo4j-admin database import full" in files["README.txt"]


def test_cypher_escapes():
    assert cypher_string("it's \\ \n\x01") == "'it\\'s \\\\ \\n\\u0001'"
    assert _cypher_unescape(cypher_string("it's \\ \n\x01")) == "it's \\ \n\x01"


def test_neo4j_refuses_semicolon_alias():
    g = nx.MultiDiGraph()
    g.add_node("a", name="A", type="person", aliases=["x;y"])
    with pytest.raises(ExportError, match="contains ';'"):
        to_neo4j(g)


# -- the traps in CONTEXT.md ---------------------------------------------------------------


def test_trap_graphml_lists_and_none_and_one_type_per_key(graph):
    data = to_graphml(graph).decode()
    keys = re.findall(r'<key id="[^"]+" for="(\w+)" attr.name="([^"]+)" attr.type="(\w+)"', data)
    assert len(keys) == len({(f, n) for f, n, _ in keys})  # one key per attribute name
    assert {t for _, _, t in keys} == {"string"}
    assert ">None<" not in data


def test_trap_graphml_edge_ids_unique(graph):
    ids = re.findall(r'<edge [^>]*id="([^"]+)"', to_graphml(graph).decode())
    assert len(ids) == len(set(ids)) == graph.number_of_edges()


def test_trap_gexf_relation_type_survives(graph):
    g = nx.read_gexf(io.BytesIO(to_gexf(graph)))
    assert {a["relation"] for _, _, a in g.edges(data=True)} == {
        a["type"] for _, _, a in graph.edges(data=True)
    }


def test_trap_gexf_has_no_graph_name(graph):
    assert b"<graph name=" not in to_gexf(graph)


def test_trap_node_link_uses_edges_key(graph):
    data = json.loads(to_json(graph))
    assert "edges" in data and "links" not in data


def test_trap_control_characters_refused():
    g = nx.MultiDiGraph()
    g.add_node("a", name="bad\x0bname", type="person")
    for fmt in ("graphml", "gexf", "dot"):
        with pytest.raises(ExportError, match="entity 'a' name: contains a control character"):
            _to_bytes(fmt, g)


def small_batches_graph() -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_node("a&b", name="A & B", type="group")  # an id quoted as an XML attribute
    g.add_node("c", name="C", type="person")
    quotes = ["plain", "x < y & z > w", 'say "no"', "line\nbreak", "emoji 😀"]
    for i, quote in enumerate(quotes):
        attrs = {
            "type": "met",
            "certainty": "stated",
            "evidence": [{"source": "s", "quote": quote}],
        }
        if i % 2:
            attrs.update(date="2025-06-21", note=f"note {i} <&>")
        g.add_edge("a&b" if i % 3 else "c", "c", key=f"r{i}", **attrs)
    g.add_edge("c", "c", key="r-none", type="met", certainty="stated", evidence=[], note="")
    return g


def test_graphml_relations_written_in_batches(monkeypatch):
    """Relations are checked, escaped and filled in a batch at a time: the same file
    for any batch size, read back whole by networkx."""
    g = small_batches_graph()
    whole = to_graphml(g)
    monkeypatch.setattr(graphml, "GRAPHML_BATCH", 2)
    assert to_graphml(g) == whole
    assert read_graphml(whole) == expected(g)
    g.add_edge("c", "a&b", key="r-odd", type="met", certainty="stated", evidence=[], note=7)
    assert b">7</data>" in to_graphml(g)  # a value that is not text: as str() gives


def test_graphml_export_reports_progress(monkeypatch):
    monkeypatch.setattr(graphml, "GRAPHML_BATCH", 2)
    monkeypatch.setattr(graphml, "PROGRESS_EVERY", 3)
    g = small_batches_graph()  # 6 relations: batches end at 2, 4, 6
    calls = []
    write_graphml(g, io.BytesIO(), lambda *a: calls.append(a))
    assert calls == [("writing relations", 4, 6), ("writing relations", 6, 6)]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"note": "bad\x0bnote"}, "relation 'r5' note: contains a control character"),
        ({"key": "r\x01"}, "relation 'r\x01' relation_id: contains a control character"),
    ],
)
def test_graphml_control_character_in_a_later_batch_named(monkeypatch, where, message):
    monkeypatch.setattr(graphml, "GRAPHML_BATCH", 2)
    g = small_batches_graph()
    attrs = {"type": "met", "certainty": "stated", "evidence": [{"source": "s", "quote": "q"}]}
    key = where.pop("key", "r5")
    g.add_edge("c", "c", key=key, **attrs, **where)
    with pytest.raises(ExportError, match=re.escape(message)):
        to_graphml(g)


def test_trap_booleans_never_written(graph):
    data = to_graphml(graph)
    assert b'attr.type="boolean"' not in data and b">True<" not in data


# -- property tests ------------------------------------------------------------------------

slugs = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}", fullmatch=True)
nasty = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(list("&<>\"'\\\n\t;|%{}[]`") + ["😀", "é", "Ł", "\x01", "\r"]),
    ),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip())


@st.composite
def random_graphs(draw):
    g = nx.MultiDiGraph()
    g.graph["sources"] = {
        "s": {"id": "s", "title": draw(nasty), "publisher": "p", "published": "2025"}
    }
    g.graph["relation_types"] = {}
    ids = draw(st.lists(slugs, min_size=2, max_size=5, unique=True))
    for node in ids:
        attrs = {"name": draw(nasty), "type": draw(st.sampled_from(["person", "group"]))}
        if draw(st.booleans()):
            attrs["aliases"] = draw(st.lists(nasty, max_size=3))
        if draw(st.booleans()):
            attrs["description"] = draw(nasty)
        g.add_node(node, **attrs)
    for i in range(draw(st.integers(1, 5))):
        u, v = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        attrs = {
            "type": draw(st.sampled_from(["met", "negotiates-with", "released"])),
            "certainty": "stated",
            "evidence": [{"source": "s", "quote": draw(nasty)}],
        }
        if draw(st.booleans()):
            attrs["date"] = draw(st.sampled_from(["2025-06-21", "2024-23", "2020/2025", "../2022"]))
        if draw(st.booleans()):
            attrs["note"] = draw(nasty)
        g.add_edge(u, v, key=f"r{i}", **attrs)
    return g


@pytest.mark.parametrize("fmt", formats.names())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(g=random_graphs())
def test_random_graphs_round_trip_or_are_refused(fmt, g):
    try:
        back = export_and_read(fmt, g)
    except ExportError:
        return  # refused with a clear error
    assert back == expected(g)


# -- Mermaid, rendered by mermaid.js itself ------------------------------------------------

MERMAID_JS = os.environ.get("DIPLOGRAPH_MERMAID_JS", "")


def render_mermaid(source: str, tmp_path) -> str:
    """The DOM after mermaid.js rendered ``source`` in headless Chromium."""
    import html

    library = tmp_path / "mermaid.min.js"
    library.write_bytes(Path(MERMAID_JS).read_bytes())
    page = tmp_path / "page.html"
    page.write_text(
        f'<!DOCTYPE html><html><body><pre class="mermaid">{html.escape(source)}</pre>'
        '<div id="status" data-ready="0"></div><script src="mermaid.min.js"></script><script>'
        "mermaid.initialize({startOnLoad: false, maxEdges: 100000});"
        "mermaid.run().then(() => { const s = document.getElementById('status');"
        "s.dataset.nodes = document.querySelectorAll('g.node').length;"
        "s.dataset.edges = document.querySelectorAll('g.edgeLabel').length;"
        "s.dataset.ready = '1'; }).catch(e => {"
        "document.getElementById('status').dataset.error = String(e); });</script>"
        "</body></html>",
        encoding="utf-8",
    )
    flags = chromium_command(
        tmp_path,
        "--allow-file-access-from-files",
        "--virtual-time-budget=20000",
        "--dump-dom",
        page.as_uri(),
    )
    return subprocess.run(flags, capture_output=True, text=True, timeout=120, check=False).stdout


needs_mermaid = pytest.mark.skipif(
    not (MERMAID_JS and Path(MERMAID_JS).exists() and CHROMIUM),
    reason="set DIPLOGRAPH_MERMAID_JS to mermaid.min.js (npm package mermaid) and install Chromium",
)


@needs_mermaid
def test_mermaid_renders_in_mermaid_js(graph, tmp_path):
    dom = render_mermaid(to_mermaid(graph).decode("utf-8"), tmp_path)
    status = re.search(r'<div id="status"[^>]*>', dom)[0]
    assert 'data-ready="1"' in status, status
    assert f'data-nodes="{graph.number_of_nodes()}"' in status
    assert f'data-edges="{graph.number_of_edges()}"' in status


@needs_mermaid
def test_mermaid_labels_survive_special_characters(tmp_path):
    g = nx.MultiDiGraph()
    g.add_node("a", name='Say "hi" & <b>bye</b> | ok', type="person")
    g.add_node("b", name="Ł😀", type="person")
    g.add_edge(
        "a", "b", key="r1", type="met", certainty="stated", evidence=[{"source": "s", "quote": "q"}]
    )
    dom = render_mermaid(to_mermaid(g).decode("utf-8"), tmp_path)
    assert 'data-ready="1"' in re.search(r'<div id="status"[^>]*>', dom)[0]
    text = re.sub(r"<[^>]+>", "", dom)
    import html

    assert (
        'Say "hi" &amp; &lt;b&gt;bye&lt;/b&gt; | ok' in text
        or 'Say "hi" & <b>bye</b> | ok' in html.unescape(text)
    )
    assert "Ł😀" in text


def _to_bytes(fmt: str, graph) -> bytes:
    """What the format ``fmt`` makes of ``graph``, as bytes (its ``to_<format>``)."""
    return getattr(formats.get(fmt), f"to_{fmt}")(graph)

"""Exports read back by independent readers, and written atomically."""

import json
import subprocess
import sys

import networkx as nx
import pytest

from conftest import SCHEMAS, last_error
from diplograph import export
from diplograph.errors import ExportError


@pytest.fixture(scope="module")
def graphml_file(tmp_path_factory, graph):
    path = tmp_path_factory.mktemp("export") / "belarus.graphml"
    path.write_bytes(export.to_graphml(graph))
    return path


def test_graphml_valid_against_official_schema(graphml_file):
    if not (SCHEMAS / "validate.py").exists():
        pytest.skip("../shared/schemas not present")
    pytest.importorskip("lxml")
    sys.path.insert(0, str(SCHEMAS))
    try:
        import validate
    finally:
        sys.path.pop(0)
    assert validate.validate("graphml", str(graphml_file)) == []


def test_graphml_read_by_networkx(graph, graphml_file):
    back = nx.read_graphml(graphml_file, force_multigraph=True)
    assert set(back.nodes) == set(graph.nodes)
    assert {k for _, _, k in back.edges(keys=True)} == {k for _, _, k in graph.edges(keys=True)}
    edge = back.edges["kellogg", "lukashenko", "kellogg-met-lukashenko"]
    assert edge["relation"] == "met" and edge["date"] == "2025-06-21"
    original = graph.edges["kellogg", "lukashenko", "kellogg-met-lukashenko"]
    assert json.loads(edge["evidence"]) == original["evidence"]
    assert json.loads(back.nodes["lukashenko"]["aliases"]) == graph.nodes["lukashenko"]["aliases"]
    assert "reported_by" not in edge  # absent optional fields are left out, not "None"


def test_graphml_read_by_igraph(graph, graphml_file):
    igraph = pytest.importorskip("igraph")
    g = igraph.Graph.Read_GraphML(str(graphml_file))
    assert (g.vcount(), g.ecount()) == (graph.number_of_nodes(), graph.number_of_edges())
    names = dict(zip(g.vs["id"], g.vs["name"], strict=True))
    assert names["lukashenko"] == "Alexander Lukashenko"
    assert sorted(g.es["relation_id"]) == sorted(k for _, _, k in graph.edges(keys=True))


def test_graphml_read_by_rustworkx(graph, graphml_file):
    rustworkx = pytest.importorskip("rustworkx")
    (g,) = rustworkx.read_graphml(str(graphml_file))
    assert (g.num_nodes(), g.num_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    relations = sorted(e["relation"] for e in g.edges())
    assert relations == sorted(a["type"] for _, _, a in graph.edges(data=True))


def test_export_cli_writes_and_refuses_overwrite(cli, tmp_path):
    out = tmp_path / "g.graphml"
    first = cli("export", "--format", "graphml", "--output", out)
    assert first.exit_code == 0 and out.exists()
    before = out.read_bytes()
    second = cli("export", "--format", "graphml", "--output", out)
    assert second.exit_code == 1
    assert last_error(second) == f"Error: {out}: already exists (use --force to overwrite)"
    assert out.read_bytes() == before
    assert cli("export", "--format", "graphml", "--output", out, "--force").exit_code == 0


def test_export_to_stdout():
    result = subprocess.run(
        [sys.executable, "-m", "diplograph", "export", "--format", "graphml", "--output", "-"],
        capture_output=True,
        check=True,
    )
    assert result.stdout.startswith(b"<?xml")


def test_export_missing_folder(cli, tmp_path):
    out = tmp_path / "missing" / "g.graphml"
    result = cli("export", "--format", "graphml", "--output", out)
    assert result.exit_code == 1
    assert last_error(result) == f"Error: {out}: folder '{out.parent}' does not exist"


def test_failed_write_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "g.graphml"
    target.write_text("old")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", broken_fsync)
    with pytest.raises(ExportError, match="cannot write"):
        export.write_atomic(b"new", str(target), force=True)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.graphml"]

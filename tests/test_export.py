"""Exports read back by independent readers, and written atomically."""

import json
import subprocess
import sys

import networkx as nx
import pytest

from conftest import last_error, schema_validator
from diplograph.files import atomic as export
from diplograph.formats.graphml import to_graphml
from diplograph.model.errors import ExportError


@pytest.fixture(scope="module")
def graphml_file(tmp_path_factory, graph):
    path = tmp_path_factory.mktemp("export") / "belarus.graphml"
    path.write_bytes(to_graphml(graph))
    return path


def test_graphml_valid_against_official_schema(graphml_file):
    assert schema_validator().validate("graphml", str(graphml_file)) == []


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


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "dot", "mermaid", "cypher"])
def test_every_file_format_via_cli(cli, tmp_path, fmt):
    out = tmp_path / f"g.{fmt}"
    result = cli("export", "--format", fmt, "--output", out)
    assert result.exit_code == 0, result.stderr
    assert out.stat().st_size > 1000
    assert result.stderr.strip() == f"wrote {out} (38 entities, 83 relations)"


def test_neo4j_folder_via_cli(cli, tmp_path):
    out = tmp_path / "neo"
    assert cli("export", "-f", "neo4j", "-o", out).exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.txt", "nodes.csv", "relationships.csv"]
    again = cli("export", "-f", "neo4j", "-o", out)
    assert last_error(again) == f"Error: {out}: already exists (use --force to overwrite)"
    (out / "stale.txt").write_text("x")
    assert cli("export", "-f", "neo4j", "-o", out, "--force").exit_code == 0
    assert not (out / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["neo"]  # no temporary folders left
    to_stdout = cli("export", "-f", "neo4j", "-o", "-")
    assert to_stdout.exit_code == 1
    assert last_error(to_stdout) == (
        "Error: this format writes a folder of files: give --output FOLDER, not '-'"
    )


def test_subgraph_export(cli, tmp_path):
    out = tmp_path / "ego.json"
    result = cli("export", "-f", "json", "-o", out, "--ego", "Zenkovich", "--radius", "1")
    assert result.exit_code == 0
    data = json.loads(out.read_text())
    assert {n["id"] for n in data["nodes"]} == {"zenkovich", "lukashenko", "cole", "united-states"}
    out2 = tmp_path / "released.json"
    cli("export", "-f", "json", "-o", out2, "--relation", "released", "--since", "2025")
    data = json.loads(out2.read_text())
    assert {e["relation"] for e in data["edges"]} == {"released"}
    assert all(e.get("date", "").startswith("2025") for e in data["edges"])
    out3 = tmp_path / "stated.json"
    cli("export", "-f", "json", "-o", out3, "--certainty", "stated")
    assert {e["certainty"] for e in json.loads(out3.read_text())["edges"]} == {"stated"}


def test_mermaid_markdown_is_fenced(cli, tmp_path):
    out = tmp_path / "graph.md"
    cli("export", "-f", "mermaid", "-o", out, "--ego", "Cole")
    assert out.read_text().startswith("```mermaid\nflowchart LR\n")


def test_export_output_is_a_folder(cli, tmp_path):
    result = cli("export", "-f", "graphml", "-o", tmp_path)
    assert result.exit_code == 1
    assert last_error(result) == f"Error: {tmp_path}: is a folder; give a file name"


def test_export_ego_unknown(cli, tmp_path):
    result = cli("export", "-f", "json", "-o", tmp_path / "x.json", "--ego", "Nobodyx")
    assert result.exit_code == 1 and "no entity named 'Nobodyx'" in last_error(result)
    assert not (tmp_path / "x.json").exists()

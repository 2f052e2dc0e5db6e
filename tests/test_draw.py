"""Pictures: the SVG holds every label, the HTML page renders offline in a real browser."""

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import CHROMIUM, chromium_command, last_error
from diplograph.formats import drawing as draw

needs_graphviz = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz not installed")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed")


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


@needs_graphviz
def test_svg_has_every_node_and_edge_label(graph, cli, tmp_path):
    out = tmp_path / "belarus.svg"
    result = cli("draw", "--output", out)
    assert result.exit_code == 0, result.stderr
    texts = svg_texts(out.read_bytes())
    for _, attrs in graph.nodes(data=True):
        assert attrs["name"] in texts
    labels = [t for t in texts]
    for _, _, attrs in graph.edges(data=True):
        reading = graph.graph["relation_types"][attrs["type"]]["label"]
        assert reading in labels
        if "date" in attrs:
            assert attrs["date"] in labels
    for legend in ("Legend", "person", "country", "stated", "hypothetical"):
        assert legend in texts
    root = ET.fromstring(out.read_bytes())
    ids = {g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert {f"edge-{k}" for _, _, k in graph.edges(keys=True)} <= ids


@needs_graphviz
def test_svg_ego_and_filters(cli, tmp_path):
    out = tmp_path / "zenkovich.svg"
    assert cli("draw", "Zenkovich", "--radius", "1", "--output", out).exit_code == 0
    texts = svg_texts(out.read_bytes())
    assert "Yuri Zenkovich" in texts and "John Cole" in texts and "Keith Kellogg" not in texts
    out2 = tmp_path / "released.svg"
    assert cli("draw", "--relation", "released", "--output", out2).exit_code == 0
    assert "met" not in svg_texts(out2.read_bytes())


@needs_graphviz
def test_png(cli, tmp_path):
    out = tmp_path / "g.png"
    assert cli("draw", "Cole", "--output", out).exit_code == 0
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_html_is_standalone(graph, cli, tmp_path):
    out = tmp_path / "g.html"
    assert cli("draw", "--output", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert not re.search(r"""<script[^>]+src=|<link[^>]+href=|https?://[^"' ]+\.js""", page)
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.S)[1])
    assert len(data["nodes"]) == graph.number_of_nodes()
    assert len(data["edges"]) == graph.number_of_edges()
    kellogg = next(e for e in data["edges"] if e["id"] == "kellogg-met-lukashenko")
    assert kellogg["relation"]["evidence"][0]["quote"].startswith("Keith Kellogg met with")
    assert (kellogg["lower"], kellogg["upper"]) == ("2025-06-21", "2025-06-21")


def test_html_escapes_script_breakers(write_data, cli, tmp_path):
    from conftest import mini

    doc = mini()
    doc["entities"][0]["name"] = "</script><script>alert(1)</script>"
    out = tmp_path / "x.html"
    assert cli("draw", "--output", out, data=write_data(doc)).exit_code == 0
    page = out.read_text(encoding="utf-8")
    assert "</script><script>alert(1)" not in page


@needs_chromium
def test_html_renders_in_chromium(cli, tmp_path, graph):
    out = tmp_path / "g.html"
    cli("draw", "--output", out)
    for budget in (15000, 40000, 90000):  # a loaded machine may need more virtual time
        dom = subprocess.run(
            chromium_command(
                tmp_path, f"--virtual-time-budget={budget}", "--dump-dom", out.as_uri()
            ),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        ).stdout
        status = re.search(r'<div id="status"[^>]*>', dom)[0]
        if 'data-ready="1"' in status:
            break
    assert 'data-ready="1"' in status
    assert f'data-nodes="{graph.number_of_nodes()}"' in status
    assert f'data-edges="{graph.number_of_edges()}"' in status
    flags = chromium_command(tmp_path, "--virtual-time-budget=15000")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*flags, f"--screenshot={shot}", "--window-size=1400,900", out.as_uri()],
        capture_output=True,
        timeout=120,
        check=False,
    )
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000  # more than a blank page


def test_draw_errors(cli, tmp_path):
    result = cli("draw", "--output", tmp_path / "g.pdf")
    assert result.exit_code == 2
    assert last_error(result) == (
        f"Error: cannot draw '{tmp_path / 'g.pdf'}': the file name must end in .svg, .png or .html"
    )
    assert last_error(cli("draw")) == "Error: give --output FILE.svg, FILE.png or FILE.html"
    empty = cli(
        "draw", "--relation", "spouse-of", "--since", "2024", "--output", tmp_path / "g.html"
    )
    assert last_error(empty) == "Error: nothing to draw: no relation passes the filters"
    big = cli("draw", "--max-relations", "50", "--output", tmp_path / "g.html")
    assert big.exit_code == 2
    assert last_error(big) == (
        "Error: the drawing would hold 83 relations (at most 50): draw a part (NAME --radius 1,"
        " --relation, --since) or raise --max-relations"
    )
    assert not (tmp_path / "g.html").exists()
    assert cli("draw", "--max-relations", "83", "--output", tmp_path / "g.html").exit_code == 0


def test_missing_graphviz_is_a_clear_error(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(draw.shutil, "which", lambda name: None)
    result = cli("draw", "--output", tmp_path / "g.svg")
    assert result.exit_code == 1
    assert "needs Graphviz's 'dot' program, which is not installed" in last_error(result)
    assert not (tmp_path / "g.svg").exists()

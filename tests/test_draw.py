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
def test_graphviz_svg_has_every_node_and_edge_label(graph, cli, tmp_path):
    out = tmp_path / "belarus.svg"
    result = cli("draw", "--layout", "dot", "--output", out)
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
@pytest.mark.parametrize("layout", ["dot", "sfdp"])
def test_graphviz_png(cli, tmp_path, layout):
    out = tmp_path / "g.png"
    assert cli("draw", "Cole", "--layout", layout, "--output", out).exit_code == 0
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


def chromium_dom(tmp_path, url: str, *flags: str) -> str:
    """The DOM of ``url`` once the page says it is drawn (a loaded machine may need more
    virtual time)."""
    for budget in (15000, 40000, 90000):
        dom = subprocess.run(
            chromium_command(
                tmp_path, f"--virtual-time-budget={budget}", *flags, "--dump-dom", url
            ),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        ).stdout
        if 'data-ready="1"' in dom:
            return dom
    pytest.fail("the page never finished drawing")


def inside(box: dict, frame: dict) -> bool:
    return (
        box["left"] >= frame["left"] - 0.5
        and box["top"] >= frame["top"] - 0.5
        and box["right"] <= frame["right"] + 0.5
        and box["bottom"] <= frame["bottom"] + 0.5
    )


def overlap(a: dict, b: dict) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


@needs_chromium
def test_html_whole_graph_reads_in_a_1400_by_1000_window(cli, tmp_path, graph):
    """The whole bundled graph at the default zoom: the legend in view, every actor's
    name whole inside the drawing, no label on another (so the relations between the two
    hubs can be read), labels big enough to read, and no place floating alone."""
    import html

    out = tmp_path / "g.html"
    assert cli("draw", "--output", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.S)[1])
    tied = {p["place"] for p in data["places"]}
    tied |= {e["from"] for e in data["edges"]} | {e["to"] for e in data["edges"]}
    assert [n["id"] for n in data["nodes"] if n["id"] not in tied] == []
    assert "pretrial-detention-center" in {p["place"] for p in data["places"]}

    dom = chromium_dom(tmp_path, out.as_uri() + "#boxes", "--window-size=1400,1000")
    report = json.loads(html.unescape(re.search(r'<pre id="boxes"[^>]*>(.*?)</pre>', dom, re.S)[1]))
    size = report["window"]
    window = {"left": 0, "top": 0, "right": size["width"], "bottom": size["height"]}
    assert report["window"]["width"] == 1400
    assert inside(report["legend"], window), report["legend"]
    assert len(report["actors"]) == graph.number_of_nodes()
    outside = [
        b["id"] for b in report["actors"] + report["labels"] if not inside(b, report["frame"])
    ]
    assert outside == []
    boxes = report["actors"] + report["labels"]
    on_each_other = [
        (a["id"], b["id"]) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if overlap(a, b)
    ]
    assert on_each_other == []
    assert report["scale"] * 11 >= 8  # relation labels (11 px) at least 8 px on screen

    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            *chromium_command(tmp_path, "--virtual-time-budget=15000"),
            f"--screenshot={shot}",
            "--window-size=1400,1000",
            out.as_uri(),
        ],
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


def test_graphviz_layout_without_graphviz_is_one_clear_error(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(draw.shutil, "which", lambda name: None)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for layout in ("dot", "sfdp"):
        result = cli("draw", "--layout", layout, "--output", tmp_path / "g.svg")
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"Error: --layout {layout} needs Graphviz's 'dot' program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
            "the default --layout spring needs no system program"
        )
        assert list(tmp_path.iterdir()) == []  # no file, not even a temporary one


def test_layout_option_errors(cli, tmp_path):
    bad = cli("draw", "--layout", "circo", "--output", tmp_path / "g.svg")
    assert bad.exit_code == 2
    assert last_error(bad) == "Error: unknown --layout 'circo': choose spring, dot or sfdp"
    page = cli("draw", "--layout", "dot", "--output", tmp_path / "g.html")
    assert page.exit_code == 2
    assert last_error(page) == (
        "Error: --layout is for .svg and .png pictures (the .html page lays itself out)"
    )
    assert list(tmp_path.iterdir()) == []


# Pictures with no system program: laid out in Python, written as SVG directly ---------


def parse_svg(data: bytes):
    etree = pytest.importorskip("lxml.etree")
    return etree.fromstring(data)  # raises on anything that is not well-formed XML


def texts_of(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_svg_with_no_graphviz_holds_every_actor_relation_and_legend(
    graph, cli, tmp_path, monkeypatch
):
    monkeypatch.setattr(draw.shutil, "which", lambda name: None)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot, no program at all
    out = tmp_path / "belarus.svg"
    result = cli("draw", "--output", out)
    assert result.exit_code == 0, result.stderr
    root = parse_svg(out.read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = texts_of(root)
    for _, attrs in graph.nodes(data=True):
        assert attrs["name"] in texts
    relation_types = graph.graph["relation_types"]
    lines = [t for t in texts if t]
    for _, _, attrs in graph.edges(data=True):
        reading = relation_types[attrs["type"]]["label"]
        expected = reading + (f"  {attrs['date']}" if attrs.get("date") else "")
        assert expected in lines
    for legend in ("Legend", "person", "country", "place", "stated", "hypothetical"):
        assert legend in texts
    ids = {g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert {f"edge-{k}" for _, _, k in graph.edges(keys=True)} <= ids
    assert {f"node-{n}" for n in graph.nodes} <= ids
    # each relation's tooltip holds its certainty and evidence
    titles = {
        g.get("id"): g.findtext("{http://www.w3.org/2000/svg}title")
        for g in root.iter("{http://www.w3.org/2000/svg}g")
    }
    assert titles["edge-kellogg-met-lukashenko"].startswith("stated: Keith Kellogg met with")


def test_svg_is_the_same_each_time(cli, tmp_path):
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    assert cli("draw", "--output", first).exit_code == 0
    assert cli("draw", "--output", second).exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def boxes_overlap(a, b) -> bool:
    return abs(a.x - b.x) < (a.w + b.w) / 2 and abs(a.y - b.y) < (a.h + b.h) / 2


def test_layout_no_box_overlaps_and_places_sit_with_what_happened_there(graph):
    from diplograph.formats.layout import layout

    scene = layout(graph)
    boxes = [*scene.actors.values(), *scene.bundles]
    overlapping = [
        (getattr(a, "id", a), getattr(b, "id", b))
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if boxes_overlap(a, b)
    ]
    assert overlapping == []
    assert all(b.x - b.w / 2 >= 0 and b.x + b.w / 2 <= scene.width + 0.01 for b in boxes)
    assert all(b.y - b.h / 2 >= 0 and b.y + b.h / 2 <= scene.height + 0.01 for b in boxes)
    # the relations between the two hubs share one label each way, a line per relation
    between = [b for b in scene.bundles if {b.source, b.target} == {"lukashenko", "tsikhanouski"}]
    assert sum(len(b.lines) for b in between) == sum(
        1 for u, v in graph.edges() if {u, v} == {"lukashenko", "tsikhanouski"}
    )
    assert len(between) <= 2
    # a place with no relation of its own is tied to the labels of what happened there
    detention = {
        scene.bundles[i].source for place, i in scene.places if place == "pretrial-detention-center"
    }
    assert "lukashenko" in detention
    tied = {p for p, _ in scene.places} | {e for edge in graph.edges() for e in edge}
    assert all(n in tied for n, a in graph.nodes(data=True) if a["type"] == "place")


def test_svg_of_a_neighbourhood_and_filters(cli, tmp_path):
    out = tmp_path / "zenkovich.svg"
    assert cli("draw", "Zenkovich", "--radius", "1", "--output", out).exit_code == 0
    texts = texts_of(parse_svg(out.read_bytes()))
    assert "Yuri Zenkovich" in texts and "John Cole" in texts and "Keith Kellogg" not in texts
    out2 = tmp_path / "released.svg"
    assert cli("draw", "--relation", "released", "--output", out2).exit_code == 0
    assert not any(t.startswith("met") for t in texts_of(parse_svg(out2.read_bytes())))


def test_svg_escapes_markup(write_data, cli, tmp_path):
    from conftest import mini

    doc = mini()
    doc["entities"][0]["name"] = "A & B <script>"
    out = tmp_path / "x.svg"
    assert cli("draw", "--output", out, data=write_data(doc)).exit_code == 0
    assert "A & B <script>" in texts_of(parse_svg(out.read_bytes()))


def test_png_with_no_graphviz(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(draw.shutil, "which", lambda name: None)
    out = tmp_path / "g.png"
    result = cli("draw", "Cole", "--output", out)
    try:
        import resvg_py  # noqa: F401
    except ImportError:  # without the png extra: one clear line, no file
        assert result.exit_code == 1
        assert last_error(result) == (
            "Error: drawing PNG with the default layout needs the resvg-py package "
            "(pip install 'diplograph[png]'), or Graphviz with --layout dot; "
            "an .svg or .html picture needs neither"
        )
        assert not out.exists()
        return
    assert result.exit_code == 0, result.stderr
    png = out.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000


def test_png_without_resvg_is_one_clear_error(cli, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "resvg_py", None)  # import fails
    out = tmp_path / "g.png"
    result = cli("draw", "Cole", "--output", out)
    assert result.exit_code == 1
    assert "needs the resvg-py package (pip install 'diplograph[png]')" in last_error(result)
    assert result.stderr.count("\n") == 1
    assert not out.exists()

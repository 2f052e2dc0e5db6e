"""Pictures of the graph: a static SVG/PNG and a standalone HTML page.

The static picture is laid out in Python by default (``layout``: a spring layout in
which each label takes room, so labels do not overlap; written by ``picture``, no system
program needed), or by Graphviz's ``dot``/``sfdp`` when asked (``--layout``). Entities
are coloured and shaped by type, relations styled by certainty, and a legend explains
both. The HTML page uses the same layout; it inlines vis-network (see
``static/README.md``) and the data, and works offline: pan, zoom, click an actor for its
card and relations, click a label or a line for its relations' dates, certainty and
evidence, filter by relation type and date.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import resources
from typing import Any

from ..model import dates
from ..model.errors import ExportError

#: Entity type -> (fill colour, Graphviz shape). Colour-blind-safe (Okabe-Ito) hues.
TYPE_STYLE = {
    "person": ("#E69F00", "ellipse"),
    "country": ("#56B4E9", "box"),
    "organization": ("#009E73", "component"),
    "place": ("#F0E442", "house"),
    "group": ("#CC79A7", "folder"),
    "event": ("#D55E00", "note"),
}
#: Certainty -> (edge colour, Graphviz style).
CERTAINTY_STYLE = {
    "stated": ("#222222", "solid"),
    "reported": ("#0072B2", "dashed"),
    "hedged": ("#D55E00", "dashed"),
    "hypothetical": ("#999999", "dotted"),
    "coded": ("#6B4C9A", "solid"),  # machine-coded event data (GDELT, ICEWS)
}
FORMATS = ("svg", "png", "html")


def _q(text: str) -> str:
    """A DOT string literal (labels: backslashes doubled, newlines as \\n)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _edge_label(attrs: dict, relation_types: dict) -> str:
    spec = relation_types.get(attrs["type"], {})
    label = spec.get("label", attrs["type"])
    return label + (f"\n{attrs['date']}" if attrs.get("date") else "")


def to_dot_picture(graph: Any, title: str) -> str:
    """DOT source for the static picture, with a legend for the types and certainties used."""
    relation_types = graph.graph.get("relation_types", {})
    lines = [
        "digraph diplograph {",
        f"  graph [rankdir=LR, fontname=Helvetica, fontsize=20, labelloc=t, label={_q(title)},"
        " nodesep=0.35, ranksep=0.6, pad=0.3, bgcolor=white];",
        "  node [style=filled, fontname=Helvetica, fontsize=12, penwidth=1.2];",
        "  edge [fontname=Helvetica, fontsize=9, arrowsize=0.7];",
    ]
    used_types, used_certainty = set(), set()
    for node, attrs in graph.nodes(data=True):
        entity_type = attrs.get("type", "person")
        used_types.add(entity_type)
        color, shape = TYPE_STYLE.get(entity_type, ("#DDDDDD", "ellipse"))
        tooltip = f"{attrs.get('name', node)} ({entity_type}): {attrs.get('description', '')}"
        lines.append(
            f"  {_q(node)} [label={_q(attrs.get('name', node))}, fillcolor={_q(color)}, "
            f"shape={shape}, tooltip={_q(tooltip)}, id={_q('node-' + node)}];"
        )
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        used_certainty.add(attrs["certainty"])
        color, style = CERTAINTY_STYLE.get(attrs["certainty"], ("#222222", "solid"))
        quote = " / ".join(ev.get("quote") or ev.get("url", "") for ev in attrs["evidence"])
        lines.append(
            f"  {_q(u)} -> {_q(v)} [label={_q(_edge_label(attrs, relation_types))}, "
            f"color={_q(color)}, fontcolor={_q(color)}, style={style}, "
            f"tooltip={_q(attrs['certainty'] + ': ' + quote)}, id={_q('edge-' + key)}];"
        )
    lines += _legend(used_types, used_certainty)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _legend(types: set[str], certainties: set[str]) -> list[str]:
    rows = []
    for entity_type in (t for t in TYPE_STYLE if t in types):
        color, _ = TYPE_STYLE[entity_type]
        rows.append(
            f'<TR><TD BGCOLOR="{color}" WIDTH="18"> </TD><TD ALIGN="LEFT">{entity_type}</TD></TR>'
        )
    for level in (c for c in CERTAINTY_STYLE if c in certainties):
        color, style = CERTAINTY_STYLE[level]
        mark = {"solid": "&#8212;&#8212;", "dashed": "- - -", "dotted": "&#183; &#183; &#183;"}
        rows.append(
            f'<TR><TD><FONT COLOR="{color}">{mark[style]}</FONT></TD>'
            f'<TD ALIGN="LEFT">{level}</TD></TR>'
        )
    table = (
        '<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">'
        '<TR><TD COLSPAN="2"><B>Legend</B></TD></TR>' + "".join(rows) + "</TABLE>>"
    )
    return [
        "  subgraph cluster_legend {",
        '    graph [label="", style=rounded, color="#BBBBBB"];',
        f'    legend [shape=plaintext, style="", label={table}, id="legend"];',
        "  }",
    ]


#: Layouts: ``spring`` is computed in Python (networkx, numpy) and needs no system
#: program; ``dot`` (layered) and ``sfdp`` (force-directed, for thousands of relations)
#: are Graphviz's, used only when asked for.
LAYOUTS = ("spring", "dot", "sfdp")
#: Graphviz is stopped after this many seconds (the drawing is refused with a hint).
DRAW_TIMEOUT = 60


def render_static(graph: Any, fmt: str, title: str, layout: str = "spring") -> bytes:
    """SVG or PNG bytes: laid out in Python (``spring``), or by Graphviz (``dot``,
    ``sfdp``: its ``dot`` program must be installed)."""
    if layout == "spring":
        from .layout import layout as lay_out
        from .picture import to_svg

        svg = to_svg(graph, lay_out(graph), title, (TYPE_STYLE, CERTAINTY_STYLE))
        return svg if fmt == "svg" else rasterise(svg)
    executable = shutil.which("dot")
    if executable is None:
        raise ExportError(
            f"--layout {layout} needs Graphviz's 'dot' program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz); "
            "the default --layout spring needs no system program"
        )
    command = [executable, f"-T{fmt}"]
    if layout == "sfdp":
        command += ["-Ksfdp", "-Goverlap=prism", "-Gsplines=line"]
    try:
        result = subprocess.run(
            command,
            input=to_dot_picture(graph, title).encode("utf-8"),
            capture_output=True,
            timeout=DRAW_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        hint = "--layout sfdp, " if layout == "dot" else ""
        raise ExportError(
            f"Graphviz took more than {DRAW_TIMEOUT} s: try {hint}the default --layout spring, "
            "or draw a smaller part (NAME --radius 1, --relation, --since)"
        ) from None
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExportError(f"Graphviz failed: {message[-1] if message else 'no message'}")
    return result.stdout


#: The longest side of a PNG (px): a larger drawing is scaled down to it (a picture of
#: thousands of relations is read as SVG, zoomed, or drawn as a part).
PNG_MAX_SIDE = 4_000


def rasterise(svg: bytes) -> bytes:
    """PNG bytes of an SVG, by resvg (the ``png`` extra: a wheel, no system library),
    at most ``PNG_MAX_SIDE`` px on its longest side."""
    import re

    size = re.search(rb'<svg[^>]* width="([0-9.]+)" height="([0-9.]+)"', svg)
    width, height = (float(size[1]), float(size[2])) if size else (0.0, 0.0)
    fit = {}
    if max(width, height) > PNG_MAX_SIDE:
        if width >= height:
            fit["width"] = PNG_MAX_SIDE
        else:
            fit["height"] = PNG_MAX_SIDE
    try:
        import resvg_py
    except ImportError:
        raise ExportError(
            "drawing PNG with the default layout needs the resvg-py package "
            "(pip install 'diplograph[png]'), or Graphviz with --layout dot; "
            "an .svg or .html picture needs neither"
        ) from None
    try:
        return bytes(
            resvg_py.svg_to_bytes(svg_string=svg.decode("utf-8"), background="white", **fit)
        )
    except ValueError as error:  # resvg refuses what it cannot render
        raise ExportError(f"could not draw the PNG: {error}") from None


def page_data(graph: Any) -> dict:
    """Nodes and edges (every field) as the HTML page uses them, and where the layout
    (``layout.layout``) puts each actor and each bundle's label."""
    from .layout import layout as lay_out

    scene = lay_out(graph)
    relation_types = graph.graph.get("relation_types", {})
    nodes = []
    for node, attrs in graph.nodes(data=True):
        color, _ = TYPE_STYLE.get(attrs.get("type", ""), ("#DDDDDD", "ellipse"))
        actor = scene.actors[node]
        nodes.append(
            {
                "id": node,
                "label": attrs.get("name", node),
                "color": color,
                "x": round(actor.x, 1),
                "y": round(actor.y, 1),
                "entity": {"id": node, **attrs},
            }
        )
    edges = []
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        color, style = CERTAINTY_STYLE.get(attrs["certainty"], ("#222222", "solid"))
        lower = upper = None
        if attrs.get("date"):
            bounds = dates.parse(attrs["date"])
            lower = None if bounds.lower == dates.MIN_DAY else bounds.lower.isoformat()
            upper = None if bounds.upper == dates.MAX_DAY else bounds.upper.isoformat()
        edges.append(
            {
                "id": key,
                "from": u,
                "to": v,
                "label": _edge_label(attrs, relation_types),
                "color": color,
                "dashes": style != "solid",
                "lower": lower,
                "upper": upper,
                "relation": {"id": key, "source": u, "target": v, **attrs},
            }
        )
    bundles = [
        {
            "id": f"bundle-{i}",
            "from": bundle.source,
            "to": bundle.target,
            "x": round(bundle.x, 1),
            "y": round(bundle.y, 1),
            "lines": [{"relation": line.key, "text": line.text} for line in bundle.lines],
        }
        for i, bundle in enumerate(scene.bundles)
    ]
    places = [{"place": place, "bundle": f"bundle-{i}"} for place, i in scene.places]
    return {
        "nodes": nodes,
        "edges": edges,
        "bundles": bundles,
        "places": places,
        "relation_types": relation_types,
        "type_style": {k: v[0] for k, v in TYPE_STYLE.items()},
        "certainty_style": {k: v[0] for k, v in CERTAINTY_STYLE.items()},
        "certainty_line": {k: v[1] for k, v in CERTAINTY_STYLE.items()},
    }


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element (no '</script>' or '<!--' can appear)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(graph: Any, title: str) -> bytes:
    """One standalone HTML file: the data and vis-network inlined, nothing from the network."""
    static = resources.files("diplograph") / "static"
    library = (static / "vis-network.min.js").read_text(encoding="utf-8")
    template = (static / "page.html").read_text(encoding="utf-8")
    from html import escape

    page = (
        template.replace("{{TITLE}}", escape(title))
        .replace("{{LIBRARY}}", library.replace("</script", "<\\/script"))
        .replace("{{DATA}}", _script_json(page_data(graph)))
    )
    return page.encode("utf-8")


def render(graph: Any, fmt: str, title: str, layout: str = "spring") -> bytes:
    """The picture in ``fmt`` (svg, png or html), laid out by ``layout`` (see
    ``LAYOUTS``; the HTML page is always laid out in Python)."""
    if fmt == "html":
        return render_html(graph, title)
    return render_static(graph, fmt, title, layout)

"""The SVG picture written directly from a ``layout.Scene``: no Graphviz, no system program.

It shows what the Graphviz picture shows: each actor named, filled with its type's colour
and drawn in its type's shape; each relation's reading and date, coloured and dashed by
its certainty, with its evidence as a tooltip; a place tied by a dotted line to what
happened there; a title and a legend. Element ids match the Graphviz picture's
(``node-ID``, ``edge-ID``, ``legend``) so scripts can find things in either.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .layout import LABEL_FONT, NODE_FONT, Actor, Scene, clip, text_width

#: Certainty -> SVG dash pattern (the Graphviz picture's solid, dashed, dotted).
DASHES = {"solid": "", "dashed": "6,4", "dotted": "2,3"}
#: The place line: dotted, light.
PLACE_COLOR = "#8A8A8A"
MARGIN = 24
TITLE = 20


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _shape(actor: Actor, x: float, y: float, fill: str) -> str:
    """The actor's outline by type, around its box centred at (x, y)."""
    w, h = actor.w, actor.h
    left, top = x - w / 2, y - h / 2
    paint = f'fill="{fill}" stroke="#444444" stroke-width="1.2"'
    if actor.type == "person":
        return f'<ellipse cx="{_f(x)}" cy="{_f(y)}" rx="{_f(w / 2)}" ry="{_f(h / 2)}" {paint}/>'
    if actor.type == "place":  # a house: a roof over a box
        roof = min(8.0, h / 3)
        points = [
            (left, top + roof),
            (x, top),
            (left + w, top + roof),
            (left + w, top + h),
            (left, top + h),
        ]
        return f'<polygon points="{" ".join(f"{_f(a)},{_f(b)}" for a, b in points)}" {paint}/>'
    rect = f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(w)}" height="{_f(h)}"'
    if actor.type == "organization":  # a component: two tabs on the left side
        tabs = "".join(
            f'<rect x="{_f(left - 4)}" y="{_f(top + h * f - 3)}" width="8" height="6" {paint}/>'
            for f in (0.3, 0.7)
        )
        return f'{rect} rx="2" {paint}/>{tabs}'
    if actor.type == "group":  # a folder: a tab on top
        tab = f'<rect x="{_f(left + 4)}" y="{_f(top - 4)}" width="{_f(w / 3)}" height="5" {paint}/>'
        return f'{tab}{rect} rx="2" {paint}/>'
    if actor.type == "event":  # a note: a folded corner
        fold = 8
        points = [
            (left, top),
            (left + w - fold, top),
            (left + w, top + fold),
            (left + w, top + h),
            (left, top + h),
        ]
        return f'<polygon points="{" ".join(f"{_f(a)},{_f(b)}" for a, b in points)}" {paint}/>'
    return f"{rect} {paint}/>"


def _legend(
    types: list[str], certainties: list[str], places: bool, styles: tuple[dict, dict]
) -> tuple[list[str], float, float]:
    """The legend's elements (at the origin), its width and height."""
    type_style, certainty_style = styles
    rows: list[str] = []
    y = 42.0
    for entity_type in types:
        color = type_style[entity_type][0]
        rows.append(
            f'<rect x="10" y="{_f(y - 10)}" width="16" height="12" rx="2" fill="{color}" '
            f'stroke="#444444"/><text x="34" y="{_f(y)}">{escape(entity_type)}</text>'
        )
        y += 18
    for level in certainties:
        color, style = certainty_style[level]
        dash = DASHES[style]
        rows.append(
            f'<line x1="8" y1="{_f(y - 4)}" x2="28" y2="{_f(y - 4)}" stroke="{color}" '
            f'stroke-width="1.6"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
            f'<text x="34" y="{_f(y)}" fill="{color}">{escape(level)}</text>'
        )
        y += 18
    if places:
        rows.append(
            f'<line x1="8" y1="{_f(y - 4)}" x2="28" y2="{_f(y - 4)}" stroke="{PLACE_COLOR}" '
            f'stroke-dasharray="1,3"/><text x="34" y="{_f(y)}">where it happened</text>'
        )
        y += 18
    words = [*types, *certainties, *(["where it happened"] if places else [])]
    width = 44 + max(text_width(w, NODE_FONT - 1) for w in words)
    return rows, width, y - 6


def to_svg(graph: Any, scene: Scene, title: str, styles: tuple[dict, dict]) -> bytes:
    """The SVG document of ``scene`` (laid out from ``graph``)."""
    type_style, certainty_style = styles
    actors = scene.actors
    used_types = [t for t in type_style if any(a.type == t for a in actors.values())]
    used_types += sorted({a.type for a in actors.values()} - set(type_style))
    styles_all = {**{t: ("#DDDDDD", "box") for t in used_types}, **type_style}
    used_levels = [c for c in certainty_style if any(c in b.certainties for b in scene.bundles)]
    legend, legend_w, legend_h = _legend(
        used_types, used_levels, bool(scene.places), (styles_all, certainty_style)
    )
    ox, oy = MARGIN, MARGIN + TITLE + 12
    width = ox + scene.width + MARGIN + legend_w + MARGIN
    height = oy + max(scene.height, legend_h) + MARGIN
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_f(width)}" height="{_f(height)}" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" '
        'font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(title)}</title>",
        "<defs>",
    ]
    for level, (color, _) in certainty_style.items():
        out.append(
            f'<marker id="arrow-{level}" viewBox="0 0 10 10" refX="10" refY="5" '
            'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto">'
            f'<path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
        )
    out += [
        "</defs>",
        f'<rect width="{_f(width)}" height="{_f(height)}" fill="white"/>',
        f'<text x="{_f(width / 2)}" y="{MARGIN + TITLE - 4}" font-size="{TITLE}" '
        f'text-anchor="middle">{escape(title)}</text>',
        f'<g transform="translate({_f(ox)},{_f(oy)})">',
        '<g id="lines" fill="none" stroke-width="1.2">',
    ]
    for index, bundle in enumerate(scene.bundles):
        source, target = actors[bundle.source], actors[bundle.target]
        levels = bundle.certainties
        for k, level in enumerate(levels):
            color, style = certainty_style.get(level, ("#222222", "solid"))
            offset = (k - (len(levels) - 1) / 2) * 3
            a = clip(source, (bundle.x, bundle.y), source.type == "person")
            b = clip(target, (bundle.x, bundle.y), target.type == "person")
            dash = DASHES[style]
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<path id="bundle-{index}-{escape(level)}" d="M{_f(a[0] + offset)},'
                f"{_f(a[1] + offset)} L{_f(bundle.x + offset)},{_f(bundle.y + offset)} "
                f'L{_f(b[0] + offset)},{_f(b[1] + offset)}" stroke="{color}"{dash_attr} '
                f'marker-end="url(#arrow-{level if level in certainty_style else "stated"})"/>'
            )
    for place, index in scene.places:
        bundle, box = scene.bundles[index], actors[place]
        a = clip(box, (bundle.x, bundle.y))
        b = clip(bundle, (box.x, box.y))
        out.append(
            f'<line x1="{_f(a[0])}" y1="{_f(a[1])}" x2="{_f(b[0])}" y2="{_f(b[1])}" '
            f'stroke="{PLACE_COLOR}" stroke-dasharray="1,3"/>'
        )
    out.append("</g>")
    tips = {key: _tooltip(attrs) for _, _, key, attrs in graph.edges(keys=True, data=True)}
    out.append(f'<g id="labels" font-size="{LABEL_FONT}">')
    step = LABEL_FONT * 1.25
    for bundle in scene.bundles:
        left, top = bundle.x - bundle.w / 2, bundle.y - bundle.h / 2
        out.append(
            f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(bundle.w)}" '
            f'height="{_f(bundle.h)}" rx="3" fill="white" fill-opacity="0.92"/>'
        )
        for n, line in enumerate(bundle.lines):
            color, _ = certainty_style.get(line.certainty, ("#222222", "solid"))
            tip = tips.get(line.key, "")
            out.append(
                f"<g id={quoteattr('edge-' + line.key)}><title>{escape(tip)}</title>"
                f'<text x="{_f(left + 4)}" y="{_f(top + 2 + step * (n + 1) - 3)}" '
                f'fill="{color}">{escape(line.text)}</text></g>'
            )
    out.append("</g>")
    out.append(f'<g id="actors" font-size="{NODE_FONT}" text-anchor="middle">')
    for actor in actors.values():
        color = styles_all.get(actor.type, ("#DDDDDD", "box"))[0]
        attrs = graph.nodes[actor.id]
        tip = f"{actor.name} ({actor.type}): {attrs.get('description', '')}"
        out.append(
            f"<g id={quoteattr('node-' + actor.id)}><title>{escape(tip)}</title>"
            f"{_shape(actor, actor.x, actor.y, color)}"
            f'<text x="{_f(actor.x)}" y="{_f(actor.y + NODE_FONT * 0.36)}">'
            f"{escape(actor.name)}</text></g>"
        )
    out.append("</g></g>")
    lx = ox + scene.width + MARGIN
    out.append(
        f'<g id="legend" transform="translate({_f(lx)},{_f(oy)})" font-size="{NODE_FONT - 1}">'
        f'<rect width="{_f(legend_w)}" height="{_f(legend_h + 8)}" rx="6" fill="white" '
        'stroke="#BBBBBB"/><text x="10" y="20" font-weight="bold">Legend</text>'
    )
    out += legend
    out.append("</g></svg>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _tooltip(attrs: dict) -> str:
    quote = " / ".join(ev.get("quote") or ev.get("url", "") for ev in attrs["evidence"])
    return f"{attrs['certainty']}: {quote}"

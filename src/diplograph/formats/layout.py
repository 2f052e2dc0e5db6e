"""A picture's layout with no system program: where each actor, each label and each
line goes, computed in Python (networkx and numpy), for the SVG and the HTML page alike.

The graph is laid out the way Graphviz's ``dot`` treats labels: the relations from one
actor to another are a *bundle*, and a bundle's label (one line per relation: its
reading and date) is a node of its own, placed by the layout between the two ends, so
labels take room and push each other apart instead of piling up on the line between two
hubs. A place is tied to the labels of what happened there (not left floating). Then
every box (actors and labels) is pushed apart until none overlaps another.

Text is measured with a table of Helvetica's widths (no font is read): boxes hold the
text with a margin for fonts that run a little wider.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Font sizes (px) of actor names and relation labels; line height is 1.25 of them.
NODE_FONT = 13
LABEL_FONT = 11
#: Above this many boxes (actors + labels), only the actors are laid out, each label is
#: put halfway along its line and boxes are not pushed apart: labels may overlap (a
#: drawing this large is read by zooming into a part, or drawn as a part).
SEPARATE_UPTO = 3_000
#: Above this many layout nodes, networkx's spring layout needs scipy; ours samples the
#: repulsion instead (each node is pushed by this many others, scaled up).
SAMPLE = 128

_NARROW = set("ijlI.,:;'|!()[]/ft-r ")
_WIDE = set("mwMW@%")


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at ``size`` px in Helvetica, a little generously."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.3
        elif char in _WIDE:
            em += 0.86
        elif char.isupper() or char.isdigit():
            em += 0.64 if char.isupper() else 0.56
        else:
            em += 0.53
    return em * size * 1.06


@dataclass
class Box:
    """An actor or a label: its centre and size (px)."""

    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0


@dataclass
class Actor(Box):
    id: str = ""
    name: str = ""
    type: str = ""


@dataclass
class Line:
    """One relation in a bundle's label."""

    key: str
    text: str
    certainty: str
    place: str | None


@dataclass
class Bundle(Box):
    """The relations from ``source`` to ``target``, drawn as one labelled line."""

    source: str = ""
    target: str = ""
    lines: list[Line] = field(default_factory=list)

    @property
    def certainties(self) -> list[str]:
        return list(dict.fromkeys(line.certainty for line in self.lines))


@dataclass
class Scene:
    """Everything a picture draws, in px, with (0, 0) at the top left of the drawing."""

    actors: dict[str, Actor]
    bundles: list[Bundle]
    #: (place id, bundle index): a place tied to the label of what happened there
    places: list[tuple[str, int]]
    width: float
    height: float


def reading(attrs: dict, relation_types: dict) -> str:
    """A relation's label line: how its type reads, then its date."""
    label = relation_types.get(attrs["type"], {}).get("label", attrs["type"])
    return label + (f"  {attrs['date']}" if attrs.get("date") else "")


def _bundles(graph: Any) -> list[Bundle]:
    relation_types = graph.graph.get("relation_types", {})
    found: dict[tuple[str, str], Bundle] = {}
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        bundle = found.setdefault((u, v), Bundle(source=u, target=v))
        line = Line(key, reading(attrs, relation_types), attrs["certainty"], attrs.get("place"))
        bundle.lines.append(line)
    for bundle in found.values():
        bundle.lines.sort(key=lambda line: line.text)
        bundle.w = max(text_width(line.text, LABEL_FONT) for line in bundle.lines) + 8
        bundle.h = len(bundle.lines) * LABEL_FONT * 1.25 + 4
    return list(found.values())


def _spring(n: int, edges: np.ndarray, seed: int, iterations: int = 120) -> np.ndarray:
    """Fruchterman-Reingold positions of ``n`` nodes joined by ``edges`` (pairs of
    indices), in [-1, 1]; up to 500 nodes with networkx, above that with a sampled
    repulsion (networkx needs scipy there)."""
    if n < 500:
        import networkx as nx

        graph = nx.Graph()
        graph.add_nodes_from(range(n))
        graph.add_edges_from(map(tuple, edges.tolist()))
        pos = nx.spring_layout(graph, seed=seed, iterations=iterations)
        return np.array([pos[i] for i in range(n)], dtype=float)
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1, 1, (n, 2))
    k = 2 / np.sqrt(n)
    step = 0.1
    for _ in range(iterations):
        sample = rng.choice(n, size=min(SAMPLE, n), replace=False)
        delta = pos[:, None, :] - pos[None, sample, :]
        dist2 = np.maximum((delta**2).sum(axis=2), 1e-6)
        push = (delta * (k * k / dist2)[:, :, None]).sum(axis=1) * (n / len(sample))
        pull = np.zeros_like(pos)
        d = pos[edges[:, 0]] - pos[edges[:, 1]]
        length = np.sqrt((d**2).sum(axis=1))[:, None]
        force = d * length / k
        np.add.at(pull, edges[:, 0], -force)
        np.add.at(pull, edges[:, 1], force)
        move = push + pull
        norm = np.maximum(np.sqrt((move**2).sum(axis=1))[:, None], 1e-9)
        pos += move / norm * np.minimum(norm, step)
        step *= 0.97
    pos -= pos.mean(axis=0)
    return pos / max(np.abs(pos).max(), 1e-9)


def _near_pairs(xy: np.ndarray, reach: float) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of boxes whose centres are less than ``reach`` apart across (a sweep
    over the boxes sorted by x: only these can overlap)."""
    order = np.argsort(xy[:, 0], kind="stable")
    xs = xy[order, 0]
    ends = np.searchsorted(xs, xs + reach, side="right")
    counts = ends - np.arange(len(xs)) - 1
    first = np.repeat(np.arange(len(xs)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    second = first + 1 + (np.arange(counts.sum()) - starts)
    return order[first], order[second]


def _separate(xy: np.ndarray, half: np.ndarray, gap: float) -> None:
    """Push apart boxes (centres ``xy``, half sizes ``half``) until no two overlap (with
    ``gap`` px between them), moving each pair along the axis where they overlap least;
    where boxes stay jammed, the whole drawing is spread a little."""
    n = len(xy)
    if n < 2 or n > SEPARATE_UPTO:
        return
    # a small drawing is spread gently (it should fit a screen), a large one quickly
    every, grow = (150, 1.05) if n <= TRY_SEEDS_UPTO else (10, 1.1)
    reach = 2 * float(half[:, 0].max()) + gap
    for round_ in range(3_000):
        if round_ and round_ % every == 0:
            xy *= grow
        i, j = _near_pairs(xy, reach)
        dx = xy[i, 0] - xy[j, 0]
        dy = xy[i, 1] - xy[j, 1]
        ox = half[i, 0] + half[j, 0] + gap - np.abs(dx)
        oy = half[i, 1] + half[j, 1] + gap - np.abs(dy)
        hit = (ox > 0) & (oy > 0)
        if not hit.any():
            return
        i, j, dx, dy, ox, oy = i[hit], j[hit], dx[hit], dy[hit], ox[hit], oy[hit]
        # boxes are wider than tall: moving sideways a little more often keeps the
        # drawing near the shape of a screen instead of a tall column
        along_x = ox < oy * 2
        sign_x = np.where(dx >= 0, 1.0, -1.0)
        sign_y = np.where(dy >= 0, 1.0, -1.0)
        move = np.zeros((len(i), 2))
        move[:, 0] = np.where(along_x, ox * sign_x / 2 + 0.5 * sign_x, 0)
        move[:, 1] = np.where(along_x, 0, oy * sign_y / 2 + 0.5 * sign_y)
        shift = np.zeros_like(xy)
        np.add.at(shift, i, move)
        np.add.at(shift, j, -move)
        xy += shift


#: Seeds tried for a small graph (the most compact drawing is kept), and how small.
SEEDS = (1, 2, 3)
TRY_SEEDS_UPTO = 400


def layout(graph: Any, aspect: float = 1.2) -> Scene:
    """The scene of ``graph`` (a networkx MultiDiGraph): actors, bundles, places, placed,
    as compact as can be for a frame ``aspect`` times wider than tall. The same graph
    always gives the same scene."""
    actors = {
        node: Actor(id=node, name=attrs.get("name", node), type=attrs.get("type", ""))
        for node, attrs in graph.nodes(data=True)
    }
    for actor in actors.values():
        actor.w = text_width(actor.name, NODE_FONT) + 22
        actor.h = NODE_FONT * 1.25 + 12
    bundles = _bundles(graph)
    places = sorted(
        {
            (line.place, index)
            for index, bundle in enumerate(bundles)
            for line in bundle.lines
            if line.place in actors
        }
    )
    boxes: list[Box] = [*actors.values(), *bundles]
    index = {node: i for i, node in enumerate(actors)}
    first = len(actors)
    pairs: Iterable[tuple[int, int]] = [
        *((index[b.source], first + i) for i, b in enumerate(bundles)),
        *((first + i, index[b.target]) for i, b in enumerate(bundles)),
        *((index[p], first + i) for p, i in places),
    ]
    if len(boxes) > SEPARATE_UPTO:
        return _large(actors, bundles, places, index)
    edges = np.array(list(pairs) or [(0, 0)], dtype=int).reshape(-1, 2)
    half = np.array([(b.w / 2, b.h / 2) for b in boxes])
    best = None
    for seed in SEEDS if len(boxes) <= TRY_SEEDS_UPTO else SEEDS[:1]:
        xy = _placed(_spring(len(boxes), edges, seed), half)
        low, high = (xy - half).min(axis=0), (xy + half).max(axis=0)
        width, height = (high - low).tolist()
        fit = min(aspect / width, 1 / height)
        if best is None or fit > best[0]:
            best = (fit, xy - low, width, height)
    _, xy, width, height = best
    for box, (x, y) in zip(boxes, xy.tolist(), strict=True):
        box.x, box.y = x, y
    return Scene(actors, bundles, places, width, height)


def _large(actors: dict, bundles: list[Bundle], places: list, index: dict) -> Scene:
    """The scene of a large drawing: actors laid out alone, each label halfway along
    its line."""
    edges = np.array(
        [(index[b.source], index[b.target]) for b in bundles] or [(0, 0)], dtype=int
    ).reshape(-1, 2)
    boxes = list(actors.values())
    half = np.array([(b.w / 2, b.h / 2) for b in boxes])
    xy = _spring(len(boxes), edges, SEEDS[0], iterations=60)
    xy -= xy.mean(axis=0)
    xy *= np.sqrt(float((half[:, 0] * half[:, 1]).sum() * 4) * 3) / 2
    for box, (x, y) in zip(boxes, xy.tolist(), strict=True):
        box.x, box.y = x, y
    for bundle in bundles:
        source, target = actors[bundle.source], actors[bundle.target]
        bundle.x, bundle.y = (source.x + target.x) / 2, (source.y + target.y) / 2
    every = [*boxes, *bundles]
    left = min(b.x - b.w / 2 for b in every)
    top = min(b.y - b.h / 2 for b in every)
    for box in every:
        box.x -= left
        box.y -= top
    width = max(b.x + b.w / 2 for b in every)
    height = max(b.y + b.h / 2 for b in every)
    return Scene(actors, bundles, places, width, height)


def _placed(xy: np.ndarray, half: np.ndarray) -> np.ndarray:
    """Spring positions in [-1, 1] turned so the drawing's long side lies across, spread
    to an area that holds every box about twice over, then boxes pushed apart."""
    xy = xy - xy.mean(axis=0)
    if len(xy) > 2:
        _, _, turn = np.linalg.svd(xy, full_matrices=False)
        xy = xy @ turn.T
    area = float((half[:, 0] * half[:, 1]).sum() * 4)
    xy *= np.sqrt(area * 2) / 2
    _separate(xy, half, gap=6)
    return xy


def clip(box: Box, toward: tuple[float, float], ellipse: bool = False) -> tuple[float, float]:
    """Where the line from ``box``'s centre toward a point leaves the box (or the
    ellipse inside it)."""
    dx, dy = toward[0] - box.x, toward[1] - box.y
    if dx == 0 and dy == 0:
        return box.x, box.y
    a, b = box.w / 2, box.h / 2
    if ellipse:
        t = 1 / np.hypot(dx / a, dy / b)
    else:
        t = min(a / abs(dx) if dx else np.inf, b / abs(dy) if dy else np.inf)
    t = min(float(t), 1.0)
    return box.x + dx * t, box.y + dy * t

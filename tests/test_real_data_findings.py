"""The smaller findings of the trial on real event data: evidence capped in tables, stats
--top limiting components, large drawings laid out by sfdp and stopped in time."""

from __future__ import annotations

import io
import subprocess

import networkx as nx
import pytest
from rich.console import Console

from diplograph.cli.render import RELATION_COLUMNS, emit
from diplograph.formats import drawing as draw
from diplograph.model.errors import ExportError
from diplograph.queries.stats import stats
from reference import NetworkxStore


def test_tables_cap_evidence_json_keeps_all():
    row = {
        "date": "2017-05-01",
        "certainty": "coded",
        "evidence": [{"source": "gdelt", "url": f"https://e.org/{i}"} for i in range(12)],
    }
    out = io.StringIO()
    emit([row], "table", Console(file=out, width=200, no_color=True), RELATION_COLUMNS)
    text = out.getvalue()
    assert "https://e.org/2" in text and "https://e.org/3" not in text
    assert "… and 9 more" in text
    out = io.StringIO()
    emit([row], "json", Console(file=out, width=200), RELATION_COLUMNS)
    assert out.getvalue().count("https://e.org/") == 12


def test_stats_top_limits_components_and_counts_lone_entities():
    graph = nx.MultiDiGraph()
    for i in range(30):
        graph.add_node(f"a{i}", name=f"A{i}", type="person")
        graph.add_node(f"b{i}", name=f"B{i}", type="person")
        graph.add_edge(f"a{i}", f"b{i}", key=f"r{i}", type="met")
    for i in range(50):
        graph.add_node(f"p{i}", name=f"P{i}", type="place")
    found = stats(NetworkxStore(graph), top=5)
    assert len(found["components"]) == 5
    assert found["component_summary"] == [{"components": 30, "listed": 5, "lone_entities": 50}]


def _chain(count: int) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for i in range(count):
        graph.add_node(f"n{i}", name=f"N{i}", type="person")
    for i in range(count):
        graph.add_edge(
            f"n{i}",
            f"n{(i + 1) % count}",
            key=f"r{i}",
            type="met",
            certainty="coded",
            evidence=[{"source": "s", "url": "u"}],
        )
    return graph


@pytest.mark.parametrize(("layout", "flag"), [("dot", None), ("sfdp", "-Ksfdp")])
def test_large_drawings_use_sfdp_when_asked_and_spring_by_default(monkeypatch, layout, flag):
    seen = {}

    def run(command, **options):
        seen["command"], seen["timeout"] = command, options["timeout"]
        return subprocess.CompletedProcess(command, 0, b"<svg/>", b"")

    monkeypatch.setattr(draw.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(draw.subprocess, "run", run)
    assert draw.render_static(_chain(600), "svg", "t", layout) == b"<svg/>"
    assert (
        (flag in seen["command"]) if flag else not any(c.startswith("-K") for c in seen["command"])
    )
    assert seen["timeout"] == draw.DRAW_TIMEOUT
    # the default layout (dot took minutes at 2,500 relations) runs no program at all
    seen.clear()
    assert draw.render_static(_chain(600), "svg", "t").startswith(b"<?xml")
    assert seen == {}


def test_drawing_that_takes_too_long_is_refused(monkeypatch):
    def run(command, **options):
        raise subprocess.TimeoutExpired(command, options["timeout"])

    monkeypatch.setattr(draw.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(draw.subprocess, "run", run)
    with pytest.raises(ExportError, match="Graphviz took more than 60 s: try --layout sfdp, "):
        draw.render_static(_chain(600), "svg", "t", "dot")

"""The exports loaded into real engines, asked the same five questions as diplograph.

Ladybug (the embeddable graph database continuing Kuzu) loads the bundled data from
``export --format cypher --dialect ladybug`` (its Cypher route) and a generated graph of
10,000 relations from ``export --format parquet`` with the folder's ``ladybug.cypher``
(its COPY route). DuckDB reads the Parquet folder. Each engine must give the same rows
as diplograph: who met an actor, an actor's neighbours, the shortest paths between two,
relation counts by type, and an actor's relations in a date window.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from diplograph.files.locate import resolve_data_path
from diplograph.formats.common import entity_fields, relation_fields
from diplograph.formats.cypher import date_bounds
from diplograph.model.filters import Filters
from diplograph.queries.neighbors import neighbors
from diplograph.queries.paths import PathOptions, paths
from diplograph.queries.timeline import timeline
from diplograph.queries.who_met import who_met
from diplograph.store.cache import open_store

ladybug = pytest.importorskip("ladybug", reason="pip install ladybug (the engines test extra)")
pytest.importorskip("pyarrow", reason="pip install pyarrow (the parquet extra)")


def rows(conn, query: str, **parameters) -> list[list]:
    result = conn.execute(query, parameters)
    found = []
    while result.has_next():
        found.append(result.get_next())
    return found


def evidence(items) -> tuple:
    """Evidence as comparable tuples, absent fields left out."""
    return tuple(tuple(sorted((k, v) for k, v in ev.items() if v is not None)) for ev in items)


def load_ladybug(tmp_path: Path, script: str, folder: Path | None = None, monkeypatch=None):
    """A new Ladybug database with ``script`` run in it, as its users run a file."""
    if folder is not None:
        monkeypatch.chdir(folder)  # the COPY statements name files relative to it
    conn = ladybug.Connection(ladybug.Database(str(tmp_path / "graph.lbug")))
    conn.execute(script)
    return conn


# -- the five questions, asked of each ----------------------------------------------------


def diplograph_answers(store, actor: str, ends: tuple[str, str], window) -> dict:
    since, until = window
    met = {
        (
            r["id"],
            r["relation_id"],
            r["date"],
            r["certainty"],
            r["place_id"],
            evidence(r["evidence"]),
        )
        for r in who_met(store, actor)
    }
    around = sorted((r["id"], r["relation_id"]) for r in neighbors(store, actor))
    shortest = {
        tuple(_nodes(ends[0], edges))
        for edges in paths(store, *ends, PathOptions(all_shortest=True))
    }
    counts = dict(store.relation_type_counts())
    dated = sorted(r["relation_id"] for r in timeline(store, [actor], Filters(since, until)))
    return {"met": met, "around": around, "shortest": shortest, "counts": counts, "dated": dated}


def _nodes(start: str, edges) -> list[str]:
    nodes = [start]
    for u, v, _, _ in edges:
        nodes.append(v if u == nodes[-1] else u)
    return nodes


def cypher_answers(conn, actor: str, ends: tuple[str, str], window) -> dict:
    since, until = window
    met = {
        (other, rid, date, certainty, place, evidence(ev))
        for other, rid, date, certainty, place, ev in rows(
            conn,
            "MATCH (a:Entity {id: $id})-[r:MET]-(b:Entity) "
            "RETURN b.id, r.relation_id, r.date, r.certainty, r.place, r.evidence",
            id=actor,
        )
    }
    around = sorted(
        tuple(row)
        for row in rows(
            conn, "MATCH (a:Entity {id: $id})-[r]-(b:Entity) RETURN b.id, r.relation_id", id=actor
        )
    )
    shortest = {
        tuple(row[0])
        for row in rows(
            conn,
            "MATCH p = (a:Entity {id: $a})-[* ALL SHORTEST 1..30]-(b:Entity {id: $b}) "
            "RETURN properties(nodes(p), 'id')",
            a=ends[0],
            b=ends[1],
        )
    }
    counts = dict((t, n) for t, n in rows(conn, "MATCH ()-[r]->() RETURN r.relation, count(*)"))
    # a relation's date overlaps the window: its earliest day is on or before the window's
    # end and its latest on or after its start (an open end always passes); and what
    # happened at the actor, when it is a place
    dated = sorted(
        {
            row[0]
            for row in rows(
                conn,
                "MATCH (a:Entity)-[r]-(b:Entity) WHERE (a.id = $id OR r.place = $id) "
                "AND r.date IS NOT NULL "
                "AND (r.date_start IS NULL OR r.date_start <= $until) "
                "AND (r.date_end IS NULL OR r.date_end >= $since) RETURN r.relation_id",
                id=actor,
                since=since,
                until=until,
            )
        }
    )
    return {"met": met, "around": around, "shortest": shortest, "counts": counts, "dated": dated}


# -- the bundled data, by the Cypher route -------------------------------------------------

BUNDLED = ("lukashenko", ("trump", "tsikhanouski"), (dt.date(2025, 2, 1), dt.date(2025, 2, 28)))


@pytest.fixture(scope="module")
def bundled_store():
    return open_store(resolve_data_path(None))


def test_bundled_data_by_cypher_gives_the_same_answers(cli, tmp_path, bundled_store):
    out = tmp_path / "belarus.cypher"
    assert cli("export", "--output", out, "--dialect", "ladybug").exit_code == 0
    conn = load_ladybug(tmp_path, out.read_text(encoding="utf-8"))
    expected = diplograph_answers(bundled_store, *BUNDLED)
    assert len(expected["met"]) >= 4 and len(expected["dated"]) >= 3
    assert len(expected["shortest"]) >= 1 and len(expected["counts"]) > 10
    assert cypher_answers(conn, *BUNDLED) == expected


@pytest.mark.long
def test_both_ladybug_routes_load_the_same_graph(cli, tmp_path, monkeypatch):
    cypher, folder = tmp_path / "g.cypher", tmp_path / "parquet"
    assert cli("export", "-o", cypher, "--dialect", "ladybug").exit_code == 0
    assert cli("export", "-o", folder, "--format", "parquet").exit_code == 0
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    by_cypher = load_ladybug(tmp_path / "a", cypher.read_text(encoding="utf-8"))
    by_copy = load_ladybug(
        tmp_path / "b", (folder / "ladybug.cypher").read_text(), folder, monkeypatch
    )
    entity = "MATCH (n:Entity) RETURN n.* ORDER BY n.id"
    relation = "MATCH (a)-[r]->(b) RETURN a.id, b.id, label(r), r.* ORDER BY r.relation_id"
    for query in (entity, relation):
        assert rows(by_cypher, query) == rows(by_copy, query)
    assert len(rows(by_copy, relation)) == 83


def test_nothing_lost_on_the_way_into_ladybug(cli, tmp_path, graph):
    """Every field of every record comes back out of the engine, typed."""
    out = tmp_path / "g.cypher"
    assert cli("export", "-o", out, "--dialect", "ladybug").exit_code == 0
    conn = load_ladybug(tmp_path, out.read_text(encoding="utf-8"))
    for (entity,) in rows(conn, "MATCH (n:Entity) RETURN n"):
        kept = {k: v for k, v in entity.items() if v is not None and not k.startswith("_")}
        assert kept == {"id": entity["id"], **entity_fields(graph, entity["id"])}
    found = rows(conn, "MATCH (a)-[r]->(b) RETURN a.id, b.id, r")
    assert len(found) == graph.number_of_edges()
    for source, target, relation in found:
        key = relation["relation_id"]
        attrs = relation_fields(key, graph.edges[source, target, key])
        assert relation["relation"] == attrs.pop("relation")
        del attrs["relation_id"]
        assert evidence(relation["evidence"]) == evidence(attrs.pop("evidence"))
        days = {k: relation[k].isoformat() for k in ("date_start", "date_end") if relation[k]}
        assert days == date_bounds(attrs)
        kept = {
            k: v
            for k, v in relation.items()
            if v is not None
            and k not in ("_ID", "_SRC", "_DST", "_LABEL", "relation_id", "relation", "evidence")
            and k not in ("date_start", "date_end")
        }
        assert kept == attrs


# -- a generated graph of 10,000 relations, by the COPY route ------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    folder = tmp_path_factory.mktemp("generated")
    path = folder / "generated.json"
    path.write_text(json.dumps(generate.generate(2_000, 10_000, seed=5)), encoding="utf-8")
    return path, open_store(path)


def test_generated_graph_by_parquet_gives_the_same_answers(cli, tmp_path, monkeypatch, generated):
    path, store = generated
    folder = tmp_path / "parquet"
    assert cli("export", "-o", folder, "--format", "parquet", data=path).exit_code == 0
    conn = load_ladybug(tmp_path, (folder / "ladybug.cypher").read_text(), folder, monkeypatch)
    assert rows(conn, "MATCH ()-[r]->() RETURN count(*)") == [[10_000]]
    # the busiest actor who met someone, and an actor three hops from it
    actor = max(
        (e for e in ("e0", "e1", "e2", "e3") if who_met(store, e)),
        key=lambda e: len(who_met(store, e)),
    )
    far = next(r["id"] for r in neighbors(store, actor, depth=3) if r["distance"] == 3)
    window = (dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    expected = diplograph_answers(store, actor, (actor, far), window)
    assert len(expected["met"]) > 10 and len(expected["dated"]) > 10
    assert all(len(p) == 4 for p in expected["shortest"])
    assert cypher_answers(conn, actor, (actor, far), window) == expected


# -- DuckDB, for SQL users ----------------------------------------------------------------


def duckdb_who_met(folder: Path, actor: str) -> set:
    duckdb = pytest.importorskip("duckdb", reason="pip install duckdb (the engines test extra)")
    relations = str(folder / "relations.parquet")
    found = duckdb.sql(
        "SELECT CASE WHEN source = $id THEN target ELSE source END, id, date, certainty, "
        f"place, evidence FROM read_parquet('{relations}') "
        "WHERE type = 'met' AND $id IN (source, target)",
        params={"id": actor},
    ).fetchall()
    return {(o, rid, d, c, p, evidence(ev)) for o, rid, d, c, p, ev in found}


def test_duckdb_reads_parquet_and_answers_who_met(cli, tmp_path, bundled_store):
    folder = tmp_path / "parquet"
    assert cli("export", "-o", folder, "--format", "parquet").exit_code == 0
    expected = diplograph_answers(bundled_store, *BUNDLED)["met"]
    assert duckdb_who_met(folder, "lukashenko") == expected
    assert len(expected) >= 4


def test_duckdb_sees_typed_columns(cli, tmp_path):
    duckdb = pytest.importorskip("duckdb", reason="pip install duckdb")
    folder = tmp_path / "parquet"
    assert cli("export", "-o", folder, "--format", "parquet").exit_code == 0
    described = dict(
        (name, kind)
        for name, kind, *_ in duckdb.sql(
            f"DESCRIBE SELECT * FROM read_parquet('{folder / 'relations.parquet'}')"
        ).fetchall()
    )
    assert described["date"] == "VARCHAR"
    assert described["date_start"] == described["date_end"] == "DATE"
    assert described["evidence"].startswith("STRUCT(") and described["evidence"].endswith("[]")
    assert described["attributes"] == "MAP(VARCHAR, DOUBLE)"
    winter = duckdb.sql(
        f"SELECT date, date_start, date_end FROM read_parquet('{folder / 'relations.parquet'}') "
        "WHERE id = 'smith-met-lukashenko'"
    ).fetchall()
    assert winter == [("2025-02-04/2025-02-14", dt.date(2025, 2, 4), dt.date(2025, 2, 14))]


def test_generated_graph_in_duckdb(cli, tmp_path, generated):
    path, store = generated
    folder = tmp_path / "parquet"
    assert cli("export", "-o", folder, "--format", "parquet", data=path).exit_code == 0
    for actor in ("e0", "e7"):
        expected = {
            (
                r["id"],
                r["relation_id"],
                r["date"],
                r["certainty"],
                r["place_id"],
                evidence(r["evidence"]),
            )
            for r in who_met(store, actor)
        }
        assert len(expected) > 5
        assert duckdb_who_met(folder, actor) == expected

"""diplograph import: GDELT, ICEWS, edge lists and graph files, on real and synthetic data."""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import ROOT, SHARED, mini
from diplograph.importers.gdelt import import_gdelt
from diplograph.importers.icews import import_icews
from diplograph.queries.resolve import resolve
from diplograph.store.cache import open_store as open_packed
from reference import NetworkxStore, load_graph, reference_store

DATA = Path(__file__).parent / "data"
GDELT_SAMPLE = SHARED / "realdata" / "gdelt2_events2samps.csv"
GDELT_SLICE = DATA / "gdelt2_sample_slice.csv"
ICEWS = DATA / "icews_sample.tab"
SYMMETRIC = {
    t["id"]
    for t in json.loads((ROOT / "data" / "vocabulary.json").read_text("utf-8"))["relation_types"]
    if t["symmetric"]
}


def last_error(result) -> str:
    return result.stderr.strip().splitlines()[-1]


def opposite_pairs(doc: dict, document) -> list:
    """Relations of one type and date in both directions citing one document."""
    cited = defaultdict(set)
    for rel in doc["relations"]:
        key = (rel["type"], rel["source"], rel["target"], rel.get("date"))
        cited[key].update(document(ev) for ev in rel["evidence"])
    return [
        key
        for key, docs in cited.items()
        if key[0] not in SYMMETRIC and docs & cited.get((key[0], key[2], key[1], key[3]), set())
    ]


# -- GDELT ---------------------------------------------------------------------------------


@pytest.mark.skipif(not GDELT_SAMPLE.exists(), reason="../shared/realdata is not here")
def test_gdelt_sample_counts_and_answers(tmp_path):
    out = tmp_path / "gdelt.json"
    report = import_gdelt([GDELT_SAMPLE], str(out))
    assert (report.rows, report.kept, report.merged) == (6090, 2457, 1443)
    assert report.merged_reverse == 399
    assert dict(report.skipped) == {
        "one actor only (--one-actor place keeps it as a relation to the place)": 2179,
        "the same actor on both sides": 11,
    }
    assert (report.entities, report.relations) == (961, 2457)
    doc = json.loads(out.read_text("utf-8"))
    assert opposite_pairs(doc, lambda ev: ev.get("url")) == []
    graph = load_graph(out)  # the full checker accepts it
    # a known pair and date: Russia visited the United States on 2017-05-01, coded three
    # times (GLOBALEVENTID 651829163 first), mentions summed
    attrs = graph.edges["rus", "usa", "gdelt-651829163"]
    assert (attrs["type"], attrs["date"], attrs["certainty"]) == ("visited", "2017-05-01", "coded")
    assert len(attrs["evidence"]) == 3 and attrs["attributes"]["mentions"] == 10
    assert attrs["evidence"][0]["locator"] == "GLOBALEVENTID 651829163, CAMEO 042"
    assert graph.nodes["usa"]["name"] == "United States"
    assert graph.nodes["usa"]["identifiers"] == {"cameo": "USA", "iso3166": "US"}
    assert graph.nodes["usagov"]["name"] == "United States government"
    # an exact name beats the 18 entities that have it as an alias
    assert resolve(NetworkxStore(graph), "United States") == "usa"
    assert resolve(open_packed(out), "United States") == "usa"


@pytest.mark.skipif(not GDELT_SAMPLE.exists(), reason="../shared/realdata is not here")
def test_gdelt_one_actor_events_to_their_place(tmp_path):
    out = tmp_path / "gdelt.json"
    report = import_gdelt([GDELT_SAMPLE], str(out), one_actor="place")
    assert report.skipped["one actor and no place below country level"] == 379
    assert report.kept + report.merged + sum(report.skipped.values()) == 6090
    graph = load_graph(out)
    places = {v for _, v in graph.edges() if graph.nodes[v]["type"] == "place"}
    assert places and all("lat" in graph.nodes[p] for p in places)


def test_gdelt_raw_export_without_header_reads_alike(tmp_path):
    rows = list(csv.reader(GDELT_SLICE.open(encoding="utf-8")))
    drop = rows[0].index("CAMEOCodeDescription")  # not in the raw exports
    raw = tmp_path / "20170701.export.CSV"
    raw.write_text(
        "".join("\t".join(r[:drop] + r[drop + 1 :]) + "\n" for r in rows[1:]), encoding="utf-8"
    )
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    with_header = import_gdelt([GDELT_SLICE], str(a))
    without = import_gdelt([raw], str(b))
    assert (with_header.rows, with_header.kept, with_header.merged) == (300, 56, 43)
    assert (without.rows, without.kept, without.merged) == (300, 56, 43)
    first, second = json.loads(a.read_text("utf-8")), json.loads(b.read_text("utf-8"))
    assert first["relations"] == second["relations"]
    assert first["entities"] == second["entities"]


def test_gdelt_1_layout_reads_alike(tmp_path):
    rows = list(csv.reader(GDELT_SLICE.open(encoding="utf-8")))
    drop = rows[0].index("CAMEOCodeDescription")
    raw = tmp_path / "20130401.export.CSV"  # GDELT 1.0: no ADM2 codes, DATEADDED a day
    lines = []
    for row in rows[1:]:
        row = row[:drop] + row[drop + 1 :]
        row = [c for i, c in enumerate(row) if i not in (39, 47, 55)]
        row[55] = row[55][:8]
        assert len(row) == 58
        lines.append("\t".join(row) + "\n")
    raw.write_text("".join(lines), encoding="utf-8")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    import_gdelt([GDELT_SLICE], str(a))
    report = import_gdelt([raw], str(b))
    assert (report.rows, report.kept, report.merged) == (300, 56, 43)
    first, second = json.loads(a.read_text("utf-8")), json.loads(b.read_text("utf-8"))
    assert first["relations"] == second["relations"]
    assert first["entities"] == second["entities"]


def test_gdelt_wrong_layout_is_one_line_error(cli, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("a\tb\tc\n", encoding="utf-8")
    result = cli("import", "gdelt", str(bad), "-o", str(tmp_path / "out.json"))
    assert result.exit_code == 1
    assert last_error(result) == (
        f"Error: {bad}:1: 3 columns; a GDELT export has 57 or 58 (GDELT 1.0) or 61 "
        "(GDELT 2.0), or a header row starting GLOBALEVENTID"
    )
    header = tmp_path / "header.csv"
    header.write_text("GLOBALEVENTID,SQLDATE,Actor1Code,Actor1Nam\n", encoding="utf-8")
    result = cli("import", "gdelt", str(header), "-o", str(tmp_path / "out.json"))
    assert last_error(result).startswith(
        f"Error: {header}:1: no column 'Actor1Name' in the header (did you mean 'Actor1Nam'?)"
    )
    assert not (tmp_path / "out.json").exists()


# -- ICEWS ---------------------------------------------------------------------------------


def test_icews_counts_merges_and_directions(tmp_path):
    out = tmp_path / "icews.json"
    report = import_icews([ICEWS], str(out))
    assert (report.rows, report.kept, report.merged, report.merged_reverse) == (16, 9, 4, 3)
    assert dict(report.skipped) == {
        "the same actor on both sides": 1,
        "CAMEO code is not CAMEO ('999')": 1,
        "no valid Event Date": 1,
    }
    assert (report.entities, report.relations) == (19, 9)
    doc = json.loads(out.read_text("utf-8"))
    assert opposite_pairs(doc, lambda ev: ev["locator"].split(";")[0]) == []
    graph = load_graph(out)
    # ICEWS codes a consult both ways: one symmetric relation, three pieces of evidence
    summit = [a for u, v, a in graph.edges(data=True) if {u, v} == {"kim-jong-un", "moon-jae-in"}]
    assert len(summit) == 1 and summit[0]["type"] == "consulted"
    assert len(summit[0]["evidence"]) == 3 and summit[0]["date"] == "2018-04-27"
    assert summit[0]["attributes"] == {"events": 3, "intensity": 1}
    # a consult is not a meeting; 190 is a fight, not an invasion, and one relation
    assert not [a for _, _, a in graph.edges(data=True) if a["type"] in ("met", "invaded")]
    fights = [(u, v) for u, v, a in graph.edges(data=True) if a["type"] == "fights"]
    assert fights == [("mali", "chad")]
    place = graph.nodes["place-panmunjom-gyeonggi-south-korea"]
    assert (place["lat"], place["lon"]) == (37.9561, 126.6772)


@pytest.mark.parametrize(("typed", "entity"), [("Xi", "xi-jinping"), ("Moon", "moon-jae-in")])
def test_family_name_first(tmp_path, typed, entity):
    out = tmp_path / "icews.json"
    import_icews([ICEWS], str(out))
    for graph in (reference_store(out), open_packed(out)):
        assert resolve(graph, typed) == entity
        assert resolve(graph, "Aso") == "aso-taro"
        assert resolve(graph, "Putin") == "vladimir-putin"


def test_ambiguous_short_name_is_an_error(cli, tmp_path):
    out = tmp_path / "icews.json"
    import_icews([ICEWS], str(out))
    result = cli("--data", str(out), "who-met", "Kim")
    assert result.exit_code == 1
    assert last_error(result) == (
        "Error: 'Kim' matches 3 entities: Kim Jong-Un (kim-jong-un), Kim Yo-jong "
        "(kim-yo-jong), Sung Kim (sung-kim); type a full name or an id"
    )


def test_icews_cli_report_as_json(cli, tmp_path):
    out = tmp_path / "icews.json"
    result = cli("import", "icews", str(ICEWS), "-o", str(out), "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["rows"], report["kept"], report["merged"], report["skipped"]) == (16, 9, 4, 3)
    assert report["output"] == str(out)
    assert cli("--data", str(out), "validate").exit_code == 0
    coded = json.loads(
        cli("--data", str(out), "list", "relations", "--certainty", "coded", "-f", "json").stdout
    )
    assert len(coded) == 9


# -- the model across files: identifiers -------------------------------------------------------


def test_entities_merge_by_identifier_in_one_import(tmp_path):
    from diplograph.importers.cameo import vocabulary
    from diplograph.importers.collector import Collector
    from diplograph.importers.common import Report

    report = Report()
    collector = Collector(report, vocabulary())
    a = collector.entity("russia", "Russia", "country", identifiers={"cameo": "RUS"})
    b = collector.entity("rus", "Russian Federation", "country", identifiers={"cameo": "RUS"})
    assert a == b == "russia" and report.entities_merged == 1
    assert collector.entities["russia"]["aliases"] == ["Russian Federation"]
    collector.close()


# -- CSV ---------------------------------------------------------------------------------------


def test_csv_with_map(cli, tmp_path):
    edges = tmp_path / "edges.csv"
    edges.write_text(
        "from,to,kind,when,text,link\n"
        "Alice Arviz,Bob Smith,meeting,2025-04,Alice met Bob,https://example.org/1\n"
        "Bob Smith,Alice Arviz,meeting,2025-04,Bob met Alice,https://example.org/2\n"
        "Bob Smith,Carol Smith,released,2025-04-10,Bob freed Carol,\n"
        "Carol Smith,Dan Doe,lunch,2025-05,Carol lunched with Dan,\n"
        "Dan Doe,Alice Arviz,met,,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.json"
    args = ["import", "csv", str(edges), "-o", str(out), "--source", "from", "--target", "to"]
    args += ["--type", "kind", "--date", "when", "--quote", "text", "--url", "link"]
    result = cli(*args, "--map", "meeting=met")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        "read 5 rows: 2 kept, 1 merged into another row's relation (1 of them coded the other "
        "way round), 2 skipped"
    )
    doc = json.loads(out.read_text("utf-8"))
    met = doc["relations"][0]
    assert (met["type"], met["certainty"], len(met["evidence"])) == ("met", "stated", 2)
    assert met["evidence"][1] == {
        "source": "edges",
        "quote": "Bob met Alice",
        "url": "https://example.org/2",
        "locator": "line 3",
    }
    assert cli("--data", str(out), "who-met", "Alice Arviz").exit_code == 0


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--type", "kynd"], 1, "no column 'kynd' (did you mean 'kind'?)"),
        (
            ["--type", "kind", "--map", "meeting=meet"],
            2,
            "--map meeting=meet: unknown relation type 'meet' (did you mean 'met'?)",
        ),
        (["--type", "kind", "--map", "meeting"], 2, "--map takes VALUE=TYPE, got 'meeting'"),
    ],
)
def test_csv_errors(cli, tmp_path, extra, code, message):
    edges = tmp_path / "edges.csv"
    edges.write_text("from,to,kind\nA,B,met\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = cli(
        "import", "csv", str(edges), "-o", str(out), "--source", "from", "--target", "to", *extra
    )
    assert result.exit_code == code
    assert last_error(result).endswith(message)
    assert not out.exists()


# -- atomic writes -----------------------------------------------------------------------------


def test_failed_import_leaves_nothing_and_keeps_the_old_file(cli, tmp_path):
    out = tmp_path / "out.json"
    out.write_text("old", encoding="utf-8")
    result = cli("import", "icews", str(ICEWS), "-o", str(out))
    assert result.exit_code == 1
    assert last_error(result) == f"Error: {out}: already exists (use --force to overwrite)"
    missing = tmp_path / "missing.tab"
    result = cli("import", "icews", str(ICEWS), str(missing), "-o", str(out), "--force")
    assert result.exit_code == 1
    assert last_error(result) == f"Error: {missing}: cannot read (no such file)"
    assert out.read_text("utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


# -- graph files -------------------------------------------------------------------------------


def graph_equal(a, b) -> None:
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    edges = lambda g: {k: (u, v, d) for u, v, k, d in g.edges(keys=True, data=True)}  # noqa: E731
    assert edges(a) == edges(b)
    assert a.graph["sources"] == b.graph["sources"]
    assert a.graph["relation_types"] == b.graph["relation_types"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_own_exports_round_trip(cli, tmp_path, fmt):
    sets = {"bundled": None, "coded": tmp_path / "icews.json"}
    import_icews([ICEWS], str(sets["coded"]))
    for name, data in sets.items():
        exported, back = tmp_path / f"{name}.{fmt}", tmp_path / f"{name}-back.json"
        base = ["--data", str(data)] if data else []
        assert cli(*base, "export", "-f", fmt, "-o", str(exported)).exit_code == 0
        result = cli("import", "graph", str(exported), "-o", str(back))
        assert result.exit_code == 0, result.stderr
        graph_equal(load_graph(data) if data else load_graph(), load_graph(back))


def test_a_repeated_key_in_a_graph_file_is_an_error(cli, tmp_path):
    import networkx as nx

    g = nx.DiGraph()
    g.add_edge("a", "b", relation="met", evidence='[{"source": "s", "quote": "x", "quote": "y"}]')
    graphml = tmp_path / "g.graphml"
    nx.write_graphml(g, graphml)
    nodelink = tmp_path / "g.json"
    nodelink.write_text('{"nodes": [{"id": "a", "id": "b"}], "links": []}', encoding="utf-8")
    for path, message in (
        (graphml, f'{graphml}: edge 0: evidence: key "quote" repeated in one object'),
        (nodelink, f'{nodelink}:1:24: invalid JSON: key "id" repeated in one object'),
    ):
        out = tmp_path / "out.json"
        result = cli("import", "graph", str(path), "-o", str(out))
        assert (result.exit_code, last_error(result)) == (1, f"Error: {message}")
        assert not out.exists()


def test_foreign_graph(tmp_path):
    import networkx as nx

    from diplograph.importers.graph import import_graph

    g = nx.DiGraph()
    g.add_node("A B", label="Alpha Beta")
    g.add_node("c", type="country")
    g.add_edge("A B", "c", relation="met")
    g.add_edge("c", "A B", label="trades with")
    path = tmp_path / "foreign.graphml"
    nx.write_graphml(g, path)
    out = tmp_path / "out.json"
    report = import_graph(path, str(out))
    assert (report.entities, report.relations) == (2, 2)
    graph = load_graph(out)
    assert graph.nodes["a-b"]["name"] == "Alpha Beta"
    assert {a["type"] for _, _, a in graph.edges(data=True)} == {"met", "trades-with"}


def test_mini_with_new_fields_round_trips_through_json_export(cli, tmp_path):
    doc = mini()
    doc["entities"][0]["identifiers"] = {"wikidata": "Q1"}
    doc["entities"][4].update(lat=53.9, lon=27.5667)
    data = tmp_path / "d.json"
    data.write_text(json.dumps(doc), encoding="utf-8")
    exported, back = tmp_path / "d.graphml", tmp_path / "back.json"
    assert cli("--data", str(data), "export", "-f", "graphml", "-o", str(exported)).exit_code == 0
    assert cli("import", "graph", str(exported), "-o", str(back)).exit_code == 0
    graph_equal(load_graph(data), load_graph(back))


# -- merging data files by identifier ---------------------------------------------------------


def test_merge_gdelt_and_icews_and_curated_by_identifier(cli, tmp_path):
    gdelt, icews = tmp_path / "gdelt.json", tmp_path / "icews.json"
    import_gdelt([GDELT_SLICE], str(gdelt))
    import_icews([ICEWS], str(icews))
    curated = tmp_path / "curated.json"
    doc = mini()
    doc["entities"].append(
        {
            "id": "mali-republic",
            "name": "Republic of Mali",
            "type": "country",
            "identifiers": {"iso3166": "ML"},
        }
    )
    doc["relations"].append(
        {
            "id": "r9",
            "type": "met",
            "source": "alice",
            "target": "mali-republic",
            "certainty": "stated",
            "evidence": [{"source": "src", "quote": "Alice met Mali"}],
        }
    )
    curated.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "merged.json"
    result = cli(
        "import", "merge", str(gdelt), str(icews), str(curated), "-o", str(out), "-f", "json"
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    # by identifier: Mali and Chad from ICEWS, Mali from the file; by id: Beijing
    assert report["entities_merged"] == 4
    graph = load_graph(out)
    mali = graph.nodes["mli"]
    assert mali["identifiers"] == {"cameo": "MLI", "iso3166": "ML"}
    assert "Republic of Mali" in mali["aliases"]
    assert graph.has_edge("alice", "mli", "r9")  # the relation follows its entity
    assert graph.has_edge("mali", "chad") is False and graph.has_edge("mli", "tcd")
    # merging a file with itself changes nothing
    again = tmp_path / "again.json"
    assert cli("import", "merge", str(out), str(out), "-o", str(again)).exit_code == 0
    graph_equal(load_graph(out), load_graph(again))


def test_search_finds_coded_evidence_by_url_and_locator(cli, tmp_path):
    out = tmp_path / "icews.json"
    import_icews([ICEWS], str(out))
    rows = json.loads(cli("--data", str(out), "search", "Yonhap", "-f", "json").stdout)
    assert {r["id"] for r in rows} >= {"icews-1001", "icews-1012", "icews-1013"}
    assert {r["field"] for r in rows} == {"evidence"}


def test_unreadable_row_is_one_line_error(cli, tmp_path):
    edges = tmp_path / "big.csv"
    edges.write_text('from,to,kind\nA,B,"' + "x" * 200_000 + '"\n', encoding="utf-8")
    out = tmp_path / "out.json"
    result = cli(
        "import",
        "csv",
        str(edges),
        "-o",
        str(out),
        "--source",
        "from",
        "--target",
        "to",
        "--type",
        "kind",
    )
    assert result.exit_code == 1
    assert last_error(result) == (
        f"Error: {edges}:2: cannot read the row (field larger than field limit (131072))"
    )
    assert not out.exists()


def test_repeated_event_ids_get_distinct_relation_ids(tmp_path):
    rows = ICEWS.read_text("utf-8").splitlines()
    # event 1004 again, other actors: a second relation with the same event id
    again = rows[4].replace("Kim Jong-Un", "Xi Jinping")
    data = tmp_path / "twice.tab"
    data.write_text("\n".join([*rows, again]) + "\n", encoding="utf-8")
    out = tmp_path / "out.json"
    import_icews([data], str(out))
    ids = [r["id"] for r in json.loads(out.read_text("utf-8"))["relations"]]
    assert len(ids) == len(set(ids)) == 10
    assert "icews-1004" in ids and "icews-1004-9" in ids


def _merged_folder(tmp_path: Path) -> Path:
    """A folder of two GDELT imports sharing entities by identifier."""
    lines = GDELT_SLICE.read_text("utf-8").splitlines(keepends=True)
    folder = tmp_path / "folder"
    folder.mkdir()
    for n, part in enumerate((lines[1:150], lines[150:])):
        piece = tmp_path / f"part{n}.csv"
        piece.write_text(lines[0] + "".join(part), encoding="utf-8")
        import_gdelt([piece], str(folder / f"gdelt{n}.json"))
    return folder


@pytest.mark.parametrize("cache", ["on", "off"])
def test_data_folder_merges_by_identifier(cli, tmp_path, monkeypatch, cache):
    monkeypatch.setenv("DIPLOGRAPH_CACHE", cache)
    folder = _merged_folder(tmp_path)
    # both files hold United States (id usa, identifier cameo USA): one entity
    rows = json.loads(cli("--data", str(folder), "list", "entities", "-f", "json").stdout)
    assert [r["id"] for r in rows].count("usa") == 1
    whole = tmp_path / "whole.json"
    import_gdelt([GDELT_SLICE], str(whole))
    whole_rows = json.loads(cli("--data", str(whole), "list", "entities", "-f", "json").stdout)
    assert {r["id"] for r in rows} == {r["id"] for r in whole_rows}
    assert cli("--data", str(folder), "validate").exit_code == 0
    # the second time from the cache (or merged again when there is none)
    again = json.loads(cli("--data", str(folder), "list", "entities", "-f", "json").stdout)
    assert again == rows


def test_a_merged_folder_is_packed_once(cli, tmp_path, monkeypatch):
    """The second query on a folder merged by identifier reads the cache: nothing is
    merged or built again (once, a pack was never written for it)."""
    from diplograph.files import merged
    from diplograph.store import build

    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    folder = _merged_folder(tmp_path)
    command = ("--data", str(folder), "who-met", "United States", "-f", "json")
    first = cli(*command)
    assert first.exit_code == 0, first.stderr

    def refused(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(merged, "write_merged", refused)
    monkeypatch.setattr(build, "build_streaming", refused)
    again = cli(*command)
    assert (again.exit_code, again.stdout) == (0, first.stdout)


def test_a_changed_merged_file_is_never_read_as_it_was(cli, tmp_path, monkeypatch):
    """The pack of a merged folder reads its relation records from the merged file in
    the cache folder: edited there (its size kept), the pack is rebuilt, never mixed."""
    from diplograph.store import cache

    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    folder = _merged_folder(tmp_path)
    command = ("--data", str(folder), "list", "relations", "--between", "United States")
    command += ("-f", "json")
    expected = cli(*command).stdout
    merged = next(cache.cache_dir().glob("*.merged.json"))
    text = merged.read_bytes()
    url = json.loads(expected)[0]["evidence"][0]["url"].encode()
    assert url in text
    merged.write_bytes(text.replace(url, url[:-1] + b"X"))
    assert cli(*command).stdout == expected


def test_data_folder_merge_problems_name_the_folder(cli, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    a, b = mini(), mini()
    a["entities"][0]["identifiers"] = {"wikidata": "Q1"}
    b = {
        "schema_version": 1,
        "sources": a["sources"],
        "entities": [
            {"id": "alice2", "name": "Alice", "type": "person", "identifiers": {"wikidata": "Q1"}}
        ],
        "relations": [
            {
                "id": "x1",
                "type": "met",
                "source": "alice2",
                "target": "nobody",
                "certainty": "stated",
                "evidence": [{"source": "src", "quote": "q"}],
            }
        ],
    }
    (folder / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(b), encoding="utf-8")
    result = cli("--data", str(folder), "who-met", "Alice")
    assert result.exit_code == 1
    assert last_error(result) == (
        f"Error: {folder} (merged by identifier): relations[4].target: unknown entity 'nobody'"
    )
    b["relations"][0]["target"] = "bob"  # an entity of the other file: fine once merged
    (folder / "b.json").write_text(json.dumps(b), encoding="utf-8")
    rows = json.loads(cli("--data", str(folder), "who-met", "Alice", "-f", "json").stdout)
    assert {r["relation_id"] for r in rows} == {"r1", "x1"}


# -- merging in bounded memory ---------------------------------------------------------------


def _gdelt_rows(tmp_path: Path, rows: int) -> Path:
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from import_gdelt import generate

    path = tmp_path / "generated.tsv"
    generate(path, rows, seed=3)
    return path


@pytest.mark.long
def test_rows_merge_alike_however_the_buckets_are_split(tmp_path, monkeypatch):
    """Rows spread over few buckets, each split again (and again) into parts: the same
    file, byte for byte, and the same report as with the default buckets."""
    from diplograph.importers import collector

    generated = _gdelt_rows(tmp_path, 20_000)
    sample = [GDELT_SAMPLE] if GDELT_SAMPLE.exists() else [GDELT_SLICE]
    rows = ICEWS.read_text("utf-8").splitlines()
    twice = tmp_path / "twice.tab"  # a repeated event id, other actors
    twice.write_text("\n".join([*rows, rows[4].replace("Kim Jong-Un", "Xi Jinping")]) + "\n")
    runs = {}
    for name, sizes in (("default", {}), ("split", {"BUCKETS": 3, "BUCKET_BYTES": 40_000})):
        with monkeypatch.context() as patch:
            for setting, value in sizes.items():
                patch.setattr(collector, setting, value)
            out = tmp_path / name
            out.mkdir()
            reports = [
                import_gdelt([*sample, generated], str(out / "gdelt.json")).as_dict(),
                import_icews([twice], str(out / "icews.json")).as_dict(),
            ]
            runs[name] = (
                [r | {"output": Path(r["output"]).name} for r in reports],
                (out / "gdelt.json").read_bytes(),
                (out / "icews.json").read_bytes(),
            )
    assert runs["split"] == runs["default"]
    assert runs["default"][0][0]["merged_reverse"] > 0
    ids = [r["id"] for r in json.loads(runs["split"][2])["relations"]]
    assert "icews-1004" in ids and "icews-1004-9" in ids


@pytest.mark.long
def test_reading_rows_keeps_nothing_per_row():
    """Memory while rows come in does not grow with them (they go to temporary files):
    forty thousand distinct relations take no more than two thousand."""
    import tracemalloc

    from diplograph.importers.cameo import vocabulary
    from diplograph.importers.collector import Collector
    from diplograph.importers.common import Report

    collector = Collector(Report(), vocabulary())
    people = [collector.entity(f"p{i}", f"Person {i}", "person") for i in range(50)]

    def rows(start: int, stop: int) -> None:
        for n in range(start, stop):
            collector.relation(
                f"ev-{n}",
                "met",
                people[n % 50],
                people[(n * 7 + 1) % 50],
                {"source": "s", "url": f"https://example.org/{n}"},
                document=f"https://example.org/{n}",
                date=f"{1000 + n // 336}-{1 + n // 28 % 12:02d}-{1 + n % 28:02d}",  # distinct
                numbers={"tone": n % 7},
            )

    try:
        rows(0, 2_000)  # every bucket's file is open, with its buffer
        tracemalloc.start()
        rows(2_000, 4_000)
        early = tracemalloc.get_traced_memory()[0]
        rows(4_000, 40_000)
        late = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    finally:
        collector.close()
    assert late - early < 64_000  # a merge index in memory: about 200 bytes a relation


def test_a_failed_merge_leaves_no_temporary_file_open(tmp_path, monkeypatch):
    """However the merge of rows stops (here: a failure in the middle of the buckets,
    some split again), every temporary file it opened is closed."""
    from diplograph.importers import collector

    generated = _gdelt_rows(tmp_path, 4_000)
    monkeypatch.setattr(collector, "BUCKETS", 4)
    monkeypatch.setattr(collector, "BUCKET_BYTES", 20_000)
    real, calls = collector._merge_rows, [0]

    def failing(rows, owner):
        calls[0] += 1
        if calls[0] == 9:
            raise OSError(28, "No space left on device")
        yield from real(rows, owner)

    monkeypatch.setattr(collector, "_merge_rows", failing)
    before = len(os.listdir("/proc/self/fd"))
    try:
        import_gdelt([generated], str(tmp_path / "out.json"))
    except OSError:  # (while it lives, its traceback holds what the merge had made)
        assert len(os.listdir("/proc/self/fd")) == before
    else:
        pytest.fail("the import did not fail")
    assert not (tmp_path / "out.json").exists()


def _pair(tmp_path: Path) -> tuple[Path, dict, dict]:
    """A folder for two files sharing an identifier (Alice), and their documents."""
    folder = tmp_path / "folder"
    folder.mkdir()
    a = mini()
    a["entities"][0]["identifiers"] = {"wikidata": "Q1"}
    b = mini()
    alice = {"id": "alice2", "name": "Alice", "type": "person", "identifiers": {"wikidata": "Q1"}}
    b["entities"] = [alice, *b["entities"][1:]]
    b["relations"] = [r for r in b["relations"] if "alice" not in (r["source"], r["target"])]
    for r in b["relations"]:
        r["id"] += "-b"
    return folder, a, b


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda r: r.update(date="2025-13"), "relations[0].date: "),
        (lambda r: r.update(id="bad id"), "relations[0].id: "),
        (lambda r: r["evidence"][0].update(quote=" "), "relations[0].evidence[0].quote: "),
    ],
)
def test_merge_names_the_file_of_a_bad_record(cli, tmp_path, change, problem):
    """Each file is checked on its own before the merge (by the fast path, else the full
    checker): a bad record is named in its own file, not in the merged result."""
    folder, a, b = _pair(tmp_path)
    change(b["relations"][0])
    (folder / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(b), encoding="utf-8")
    result = cli("--data", str(folder), "who-met", "Alice")
    assert result.exit_code == 1
    assert last_error(result).startswith(f"Error: {folder / 'b.json'}: {problem}")


@pytest.mark.parametrize("field", ["type", "target", "place", "reported_by", "source"])
def test_merge_names_a_blank_reference_in_its_own_file(cli, tmp_path, field):
    """Even when the relation would merge into one of the other file (same fact)."""
    folder, a, b = _pair(tmp_path)
    rel = b["relations"][0]
    if field == "source":
        rel["evidence"][0]["source"] = " "
        where = "relations[0].evidence[0].source"
    else:
        rel[field] = " "
        where = f"relations[0].{field}"
    (folder / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(b), encoding="utf-8")
    result = cli("--data", str(folder), "who-met", "Alice")
    assert result.exit_code == 1
    assert f"Error: {folder / 'b.json'}: {where}: " in result.stderr


def test_merge_refuses_blank_cues_and_a_second_byte_order_mark(cli, tmp_path):
    folder, a, b = _pair(tmp_path)
    b["relation_types"] = [
        {"id": "hailed", "label": "hailed", "inverse": "was hailed by", "symmetric": False,
         "category": "event", "cues": [" "]},
    ]  # fmt: skip
    (folder / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(b), encoding="utf-8")
    merging = (str(folder / "a.json"), str(folder / "b.json"), "-o", str(tmp_path / "o.json"))
    result = cli("import", "merge", *merging)
    assert result.exit_code == 1
    assert f"{folder / 'b.json'}: relation_types[0].cues[0]: " in result.stderr
    assert cli("validate", data=folder / "b.json").exit_code == 1  # the fast path too
    del b["relation_types"]
    (folder / "b.json").write_bytes(b"\xef\xbb\xbf" * 2 + json.dumps(b).encode())
    result = cli("import", "merge", *merging)
    assert result.exit_code == 1
    assert last_error(result).startswith(f"Error: {folder / 'b.json'}:1:1: ")


def test_a_merged_folder_with_an_unwritable_merged_file_still_answers(cli, tmp_path, monkeypatch):
    """When the merged file cannot be kept in the cache folder, the folder is merged
    into a temporary file for the run, and no pack is kept that would read from it."""
    from diplograph.store import cache

    folder, a, b = _pair(tmp_path)
    (folder / "a.json").write_text(json.dumps(a), encoding="utf-8")
    (folder / "b.json").write_text(json.dumps(b), encoding="utf-8")
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    files = cache.with_vocabulary(cache.data_files(folder))
    name = cache.data_key(files)[0]
    cache.cache_dir().mkdir(parents=True, exist_ok=True)
    (cache.cache_dir() / name).with_suffix(".merged.json").mkdir()  # cannot be written
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "off")
    expected = cli("--data", str(folder), "show", "Alice", "-f", "json").stdout
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    for _ in range(2):
        result = cli("--data", str(folder), "show", "Alice", "-f", "json")
        assert (result.exit_code, result.stdout, result.stderr) == (0, expected, "")


def test_a_winter_after_9999_is_not_a_date(cli, write_data):
    doc = mini()
    doc["relations"][0]["date"] = "9999-24"
    path = write_data(doc)
    result = cli("validate", data=path)
    assert result.exit_code == 1
    assert last_error(result).endswith("'9999-24' ends after 9999 (winter runs into the next year)")

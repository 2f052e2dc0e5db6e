"""Building packs: the fast builder, split across two processes or not, gives the same
sections as the whole-document builder, and declines (None) whatever the checker rejects."""

import json
import os
import sys
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT
from diplograph import build, export, query
from diplograph import pack as pack_module
from diplograph.errors import DataError
from diplograph.load import data_files, documents_for_pack, load_graph, with_vocabulary
from diplograph.pack import PackedGraph, open_packed
from diplograph.resolve import fold, fold_many

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

sys.path.pop(0)

RELATIONS = 4000
REAL_CPUS = build._cpus


@pytest.fixture(scope="module")
def document():
    return generate.generate(600, RELATIONS, seed=7)


def files_for(tmp_path: Path, doc: dict) -> list[Path]:
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc, ensure_ascii=False))
    return with_vocabulary(data_files(path))


@pytest.fixture
def small_thresholds(monkeypatch):
    """Several slices, the numpy adjacency sort and the two-process split, on small data."""
    monkeypatch.setattr(build, "SLICE", 700)
    monkeypatch.setattr(build, "PROGRESS_EVERY", 1400)
    monkeypatch.setattr(build, "NUMPY_MIN", 100)
    monkeypatch.setattr(build, "PARALLEL_MIN", 1000)
    monkeypatch.setattr(build, "_cpus", lambda: 2)  # split even on a one-core machine


def comparable(sections: dict) -> dict:
    out = {}
    for name, value in sections.items():
        if isinstance(value, build.Parts):
            value = value.join()
        out[name] = value.tobytes() if isinstance(value, array) else value
    return out


def test_split_build_is_byte_identical_to_one_process(tmp_path, document, monkeypatch):
    files = files_for(tmp_path, document)
    monkeypatch.setattr(build, "SLICE", 700)
    one = comparable(build.build_streaming(files))
    monkeypatch.setattr(build, "PARALLEL_MIN", 1000)
    monkeypatch.setattr(build, "NUMPY_MIN", 100)
    monkeypatch.setattr(build, "_cpus", lambda: 2)
    two = comparable(build.build_streaming(files))
    assert one.keys() == two.keys()
    for name in one:
        assert one[name] == two[name], name


def test_fast_builder_matches_whole_document_builder(tmp_path, document, small_thresholds):
    files = files_for(tmp_path, document)
    streamed = build.build_streaming(files)
    assert streamed is not None
    whole = build.build_sections(documents_for_pack(files), [str(f) for f in files])
    streamed["rel_blob"] = streamed["rel_blob"].join()
    whole["rel_blob"] = whole["rel_blob"].join()
    a, b = PackedGraph(streamed), PackedGraph(whole)
    for node in ["e0", "e5", "e99", "e321"]:
        assert query.who_met(a, node) == query.who_met(b, node)
        assert query.show(a, node) == query.show(b, node)
    assert query.paths(a, "e3", "e300") == query.paths(b, "e3", "e300")
    nxg = load_graph(files[-1])
    assert query.who_met(a, "e0") == query.who_met(nxg, "e0")


def _last(doc: dict) -> dict:
    return doc["relations"][-1]  # in the child's part when the build is split


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: _last(d).update(target="nobody"), id="unknown-target"),
        pytest.param(lambda d: _last(d).update(place="nowhere"), id="unknown-place"),
        pytest.param(lambda d: _last(d).update(id=d["relations"][0]["id"]), id="id-in-both"),
        pytest.param(lambda d: _last(d).update(date="2025-02-30"), id="impossible-date"),
        pytest.param(lambda d: _last(d).update(type="annexed"), id="unknown-type"),
        pytest.param(lambda d: _last(d).update(target=_last(d)["source"]), id="self-loop"),
        pytest.param(
            lambda d: (_last(d).update(certainty="reported"), _last(d).pop("reported_by", 0)),
            id="no-reporter",
        ),
        pytest.param(lambda d: _last(d)["evidence"][0].update(quote=" \u3000"), id="blank"),
        pytest.param(lambda d: _last(d)["evidence"][0].update(source="rumour"), id="source"),
        pytest.param(lambda d: _last(d).update(id="has space"), id="bad-id"),
        pytest.param(lambda d: _last(d).update(note=None), id="null-note"),
        pytest.param(lambda d: _last(d).update(place=None), id="null-place"),
    ],
)
def test_declines_what_the_checker_rejects(tmp_path, document, small_thresholds, damage):
    doc = json.loads(json.dumps(document))
    damage(doc)
    files = files_for(tmp_path, doc)
    assert build.build_streaming(files) is None
    with pytest.raises(DataError) as info:
        open_packed(files[-1])
    assert f"relations[{RELATIONS - 1}]" in str(info.value)


@pytest.mark.parametrize("kind", ["sources", "relation_types", "entities"])
def test_declines_a_null_optional_field(tmp_path, document, kind):
    doc = json.loads(json.dumps(document))
    optional = {"sources": "url", "relation_types": "cameo", "entities": "description"}[kind]
    records = doc.get(kind) or json.loads((ROOT / "data" / "vocabulary.json").read_text())[kind]
    doc[kind] = [*doc.get(kind, []), {**records[-1], optional: None}]
    if kind != "relation_types":
        doc[kind][-1]["id"] = "added-by-test"
    files = files_for(tmp_path, doc)
    assert build.build_streaming(files) is None
    with pytest.raises(
        DataError, match=f"{kind}\\[\\d+\\].{optional}: expected a string, got null"
    ):
        open_packed(files[-1])


@pytest.mark.parametrize(
    "name",
    [
        "unknown-entity.json",
        "duplicate-ids.json",
        "impossible-date.json",
        "empty-quote.json",
        "unknown-relation-type.json",
        "unknown-source.json",
        "wrong-types.json",
        "missing-keys.json",
    ],
)
def test_declines_the_bad_data_corpus(name):
    assert build.build_streaming(with_vocabulary([ROOT / "tests" / "corpus" / name])) is None


def test_parent_does_the_part_of_a_child_that_died(
    tmp_path, document, small_thresholds, monkeypatch
):
    files = files_for(tmp_path, document)
    expected = comparable(build.build_streaming(files))
    parent, index = os.getpid(), build._index_relations

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)  # as if killed
        return index(*args, **kwargs)

    monkeypatch.setattr(build, "_index_relations", dying)
    assert comparable(build.build_streaming(files)) == expected


def test_parent_stops_early_when_the_child_doubts(
    tmp_path, document, small_thresholds, monkeypatch
):
    """Bad data in the child's part: the parent gives up its own part instead of
    finishing it, and the child is reaped."""
    import time

    monkeypatch.setattr(build, "SLICE", 50)  # the parent's part: 34 slices
    doc = json.loads(json.dumps(document))
    doc["relations"][int(RELATIONS * build.PARENT_SHARE)]["target"] = "nobody"  # child's 1st
    files = files_for(tmp_path, doc)
    parent, calls, json_of = os.getpid(), [], build.json_array

    def slow(pieces):
        if os.getpid() == parent:
            calls.append(pieces)
            time.sleep(0.05)  # the child meets its doubt long before the parent is done
        return json_of(pieces)

    monkeypatch.setattr(build, "json_array", slow)
    assert build.build_streaming(files) is None
    assert len(calls) < 20  # of 34
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # reaped


def test_interrupted_parent_leaves_no_child(tmp_path, document, small_thresholds, monkeypatch):
    files = files_for(tmp_path, document)

    def interrupted(entities):
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "name_tables", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build.build_streaming(files)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was stopped and reaped


def test_adjacency_same_with_and_without_numpy(monkeypatch):
    ends = array("i", [3, 1, 3, 0, 1, -1, 1, 4, 3, 0, -1])
    monkeypatch.setattr(build, "NUMPY_MIN", 10**9)
    plain = build._csr(ends, 6)
    monkeypatch.setattr(build, "NUMPY_MIN", 0)
    assert build._csr(ends, 6) == plain
    assert list(plain[0]) == [0, 2, 5, 5, 8, 9, 9]
    assert list(plain[1]) == [3, 9, 1, 4, 6, 0, 2, 8, 7]  # -1: left out


@settings(max_examples=300)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "a", "b c", "ab", "é", "zz", "a b", "a\x00", "a\x00b"]),
            st.integers(0, 6),
        ),
        max_size=30,
    )
)
def test_name_table_same_with_and_without_numpy(pairs):
    keys, owners = [k for k, _ in pairs], array("i", [i for _, i in pairs])
    plain = build._name_table("key", keys, owners)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build, "NUMPY_MIN", 0)
        assert build._name_table("key", keys, owners) == plain
    # the table itself: distinct non-empty keys, sorted, with their distinct owners
    table = sorted({k for k in keys if k})
    offsets, blob = plain["key_off"], plain["key_blob"]
    assert [blob[offsets[n] : offsets[n + 1]].decode() for n in range(len(table))] == table
    pos_off, pos = plain["key_pos_off"], plain["key_pos"]
    for n, key in enumerate(table):
        assert list(pos[pos_off[n] : pos_off[n + 1]]) == sorted({i for k, i in pairs if k == key})


TEXTS = st.lists(
    st.text(alphabet=st.sampled_from(" \t\n\r\x0b-_./'’ŁłÖöAbZ\x1c\x1f\xa0é,;()[]\""), max_size=9),
    max_size=20,
)


@settings(max_examples=400)
@given(TEXTS)
def test_fold_many_is_fold_of_each(texts):
    assert fold_many(texts) == [fold(t) for t in texts]


@pytest.mark.parametrize(
    ("layout", "kept_in_place"),
    [
        ({"separators": (",", ":")}, True),  # compact: records are read from the data file
        ({}, False),  # ", " between records: copied into the pack
        ({"indent": 2}, False),
    ],
)
@pytest.mark.parametrize("bom", [False, True])
def test_relation_records_read_in_place_or_copied(
    tmp_path, document, small_thresholds, monkeypatch, layout, kept_in_place, bom
):
    from diplograph.pack import open_packed

    path = tmp_path / "data.json"
    text = json.dumps(document, ensure_ascii=False, **layout)
    path.write_bytes(b"\xef\xbb\xbf" * bom + text.encode())
    files = with_vocabulary(data_files(path))
    sections = build.build_streaming(files)
    assert isinstance(sections["rel_blob"], build.FileRecords) is kept_in_place
    assert ("rel_file" in sections["meta"]) is kept_in_place
    nxg = load_graph(path)
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    written = open_packed(path)  # built and written to the cache
    read = open_packed(path)  # read back from the cache
    assert read.path is not None
    for graph in (written, read):
        for node in ["e0", "e5", "e321"]:
            assert query.who_met(graph, node) == query.who_met(nxg, node)
            assert query.show(graph, node) == query.show(nxg, node)
        assert query.search(graph, "sources said in item 12") == query.search(
            nxg, "sources said in item 12"
        )
    pack_size = read.path.stat().st_size
    assert (pack_size < path.stat().st_size / 2) is kept_in_place  # no copy of the records
    # a pass over every record (export) reads them a slice at a time: the same graph
    monkeypatch.setattr(pack_module, "SCAN_SLICE", 333)
    assert _graphml_content(read) == _graphml_content(nxg)


def _graphml_content(graph) -> tuple:
    import io

    import networkx as nx

    found = nx.read_graphml(io.BytesIO(export.to_graphml(graph)), force_multigraph=True)
    nodes = sorted((n, sorted(a.items())) for n, a in found.nodes(data=True))
    edges = sorted((u, v, k, sorted(a.items())) for u, v, k, a in found.edges(keys=True, data=True))
    return nodes, edges


def test_progress_reported_while_building(tmp_path, document, small_thresholds):
    calls = []
    files = files_for(tmp_path, document)
    assert build.build_streaming(files, lambda *a: calls.append(a)) is not None
    steps = [c[0] for c in calls]
    assert steps[0] == "reading vocabulary.json" and "reading data.json" in steps
    checked = [c for c in calls if c[0] == "checking relations"]
    assert checked[-1] == ("checking relations", RELATIONS, RELATIONS)
    done = [c[1] for c in checked]
    assert done == sorted(done) and len(done) > 2
    assert steps[-1] == "indexing"


def test_progress_bar_on_a_terminal():
    import io

    from rich.console import Console

    from diplograph.cli import LoadProgress

    out = io.StringIO()
    bar = LoadProgress(Console(file=out, force_terminal=True, width=100))
    bar("reading data.json")
    bar("checking relations", 500, 1000)
    bar._bar.refresh()
    bar(None)
    assert "checking relations..." in out.getvalue()
    assert "500/1,000" in out.getvalue()
    assert bar._bar is None


def test_one_job_builds_in_one_process(tmp_path, document, small_thresholds, monkeypatch):
    files = files_for(tmp_path, document)
    split = comparable(build.build_streaming(files))
    monkeypatch.setattr(build, "_cpus", REAL_CPUS)
    monkeypatch.setenv("DIPLOGRAPH_JOBS", "1")
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked with DIPLOGRAPH_JOBS=1"))
    assert comparable(build.build_streaming(files)) == split


def test_doubt_in_the_parents_part_stops_the_child(tmp_path, document, small_thresholds):
    doc = json.loads(json.dumps(document))
    doc["relations"][0]["target"] = "nobody"  # in the parent's part
    assert build.build_streaming(files_for(tmp_path, doc)) is None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # stopped and reaped, not left running

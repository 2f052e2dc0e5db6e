"""Building packs: the fast builder, split across two processes or not, gives the same
sections as the whole-document builder, and declines (None) whatever the checker rejects."""

import itertools
import json
import mmap
import os
import sys
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, Gate, slow, some_slow
from diplograph import parallel
from diplograph.files.locate import data_files, with_vocabulary
from diplograph.formats import graphml
from diplograph.model import text
from diplograph.model.errors import DataError
from diplograph.model.text import fold, fold_joined, fold_many
from diplograph.queries.listing import show
from diplograph.queries.paths import paths
from diplograph.queries.search import search
from diplograph.queries.who_met import who_met
from diplograph.store import build, relations, sizes, spans
from diplograph.store import packed as pack_module
from diplograph.store import tables as packtables
from diplograph.store.build import documents_for_pack
from diplograph.store.cache import open_store as open_packed
from diplograph.store.packed import PackedGraph
from reference import reference_store

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

sys.path.pop(0)

RELATIONS = 4000
REAL_CPUS = parallel._cpus


@pytest.fixture(scope="module")
def document():
    return generate.generate(600, RELATIONS, seed=7)


@pytest.fixture(scope="module")
def reference_of_document(document, tmp_path_factory):
    """The networkx reference of ``document``, and its GraphML content (built once: every
    layout of the document holds the same graph)."""
    path = tmp_path_factory.mktemp("reference") / "data.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    nxg = reference_store(path)
    return nxg, _graphml_content(nxg)


def files_for(tmp_path: Path, doc: dict, compact: bool = False) -> list[Path]:
    """The document as a data file (``compact``: no spaces, as the benchmark writes;
    else json.dumps' ", " and ": "), with the vocabulary file before it."""
    path = tmp_path / "data.json"
    spacing = {"separators": (",", ":")} if compact else {}
    path.write_text(json.dumps(doc, ensure_ascii=False, **spacing))
    return with_vocabulary(data_files(path))


#: Both ways relations are read: from a compactly written file's bytes, slice by slice,
#: or split into records by a first decoding pass (any other layout).
LAYOUTS = pytest.mark.parametrize("compact", [True, False], ids=["compact", "spaced"])


@pytest.fixture
def small_thresholds(monkeypatch):
    """Several slices, the numpy adjacency sort and the two-process split, on small data."""
    monkeypatch.setattr(sizes, "SLICE", 700)
    monkeypatch.setattr(sizes, "SLICE_BYTES", 150_000)  # about 700 relations
    monkeypatch.setattr(sizes, "PROGRESS_EVERY", 1400)
    monkeypatch.setattr(sizes, "PROGRESS_BYTES", 300_000)
    monkeypatch.setattr(sizes, "NUMPY_MIN", 100)
    monkeypatch.setattr(sizes, "PARALLEL_MIN", 1000)
    monkeypatch.setattr(sizes, "PARALLEL_MIN_BYTES", 200_000)
    monkeypatch.setattr(sizes, "NUMPY_MIN_BYTES", 200_000)  # records' starts found by numpy
    monkeypatch.setattr(sizes, "MAP_MIN_BYTES", 0)  # files mapped, not read
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)  # split even on a one-core machine


def comparable(sections: dict) -> dict:
    out = {}
    for name, value in sections.items():
        if isinstance(value, build.Parts):
            value = value.join()
        elif isinstance(value, build.FileRecords):
            value = (value.path, bytes(value.buffer), value.shift, value.offsets.tobytes())
        out[name] = value.tobytes() if isinstance(value, array) else value
    return out


@LAYOUTS
def test_split_build_is_byte_identical_to_one_process(tmp_path, document, monkeypatch, compact):
    files = files_for(tmp_path, document, compact)
    monkeypatch.setattr(sizes, "SLICE", 700)
    monkeypatch.setattr(sizes, "SLICE_BYTES", 150_000)
    one = comparable(build.build_streaming(files))
    monkeypatch.setattr(sizes, "PARALLEL_MIN", 1000)
    monkeypatch.setattr(sizes, "PARALLEL_MIN_BYTES", 200_000)
    monkeypatch.setattr(sizes, "NUMPY_MIN", 100)
    monkeypatch.setattr(sizes, "NUMPY_MIN_BYTES", 200_000)
    monkeypatch.setattr(sizes, "MAP_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)
    two = comparable(build.build_streaming(files))  # mapped, and split between two
    assert one.keys() == two.keys()
    for name in one:
        assert one[name] == two[name], name


@LAYOUTS
def test_fast_builder_matches_whole_document_builder(tmp_path, document, small_thresholds, compact):
    files = files_for(tmp_path, document, compact)
    streamed = build.build_streaming(files)
    assert streamed is not None
    assert isinstance(streamed["rel_blob"], build.FileRecords) is compact
    whole = build.build_sections(documents_for_pack(files), [str(f) for f in files])
    streamed["rel_blob"] = streamed["rel_blob"].join()
    whole["rel_blob"] = whole["rel_blob"].join()
    a, b = PackedGraph(streamed), PackedGraph(whole)
    assert a.number_of_edges() == b.number_of_edges() == RELATIONS
    # every record read back whole, as written
    nxg = reference_store(files[-1])
    assert list(a.relations()) == list(b.relations())
    assert {e[2]: e for e in a.relations()} == {e[2]: e for e in nxg.nx.edges(keys=True, data=True)}
    for node in ["e0", "e5", "e99", "e321"]:
        assert who_met(a, node) == who_met(b, node)
        assert show(a, node) == show(b, node)
    assert paths(a, "e3", "e300") == paths(b, "e3", "e300")
    assert who_met(a, "e0") == who_met(nxg, "e0")


#: The relation damaged: set by the test (the last, in the child's part when the build
#: is split; one in the middle of the child's part; one in the parent's part).
DAMAGED = [RELATIONS - 1]


def _last(doc: dict) -> dict:
    return doc["relations"][DAMAGED[0]]


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
        pytest.param(lambda d: _last(d).update(note="a\x07b"), id="control-character"),
        pytest.param(lambda d: _last(d).update(note="a\uffffb"), id="noncharacter"),
    ],
)
@pytest.mark.parametrize("where", some_slow([RELATIONS - 1, RELATIONS * 3 // 4, 10], 1))
@LAYOUTS
def test_declines_what_the_checker_rejects(
    tmp_path, document, small_thresholds, damage, where, compact, monkeypatch
):
    monkeypatch.setattr(sys.modules[__name__], "DAMAGED", [where])
    doc = json.loads(json.dumps(document))
    damage(doc)
    files = files_for(tmp_path, doc, compact)
    paths = _paths_taken(monkeypatch)
    assert build.build_streaming(files) is None
    if where != RELATIONS - 1:  # (a bad last record can send it the usual way at once)
        assert paths == [True]  # declined at the first attempt: no second reading
    with pytest.raises(DataError) as info:
        open_packed(files[-1])
    assert f"relations[{where}]" in str(info.value)


def _paths_taken(monkeypatch) -> list[bool]:
    """Records, for each attempt at building, whether it read relations the compact way."""
    taken, attempt = [], build._build

    def spy(read, progress, compact):
        taken.append(compact)
        return attempt(read, progress, compact)

    monkeypatch.setattr(build, "_build", spy)
    return taken


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


@LAYOUTS
def test_parent_does_the_part_of_a_child_that_died(
    tmp_path, document, small_thresholds, monkeypatch, compact
):
    files = files_for(tmp_path, document, compact)
    expected = comparable(build.build_streaming(files))
    parent, index = os.getpid(), relations.index_relations

    def dying(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)  # as if killed
        return index(*args, **kwargs)

    monkeypatch.setattr(relations, "index_relations", dying)
    assert comparable(build.build_streaming(files)) == expected


def _held(monkeypatch, gate: Gate) -> list:
    """The process ``gate`` holds waits at its first chunk until the other has done its
    part; returns the list of chunks the parent took (``taken.chunks``: how many there
    are)."""
    parent, taken = os.getpid(), _Taken()
    for part_class in (spans.SpanPart, spans.CompactPart):
        chunk = part_class.chunk

        def held(self, k, chunk=chunk):
            if os.getpid() == parent:
                taken.append(k)
                taken.chunks = self.chunks
            if gate.here():
                gate.wait()
            return chunk(self, k)

        monkeypatch.setattr(part_class, "chunk", held)
    return taken


class _Taken(list):
    chunks = 0


@LAYOUTS
def test_parent_stops_early_when_the_child_doubts(
    tmp_path, document, small_thresholds, monkeypatch, compact
):
    """Bad data in the child's first chunk: the parent gives up instead of going on, and
    the child is reaped."""
    monkeypatch.setattr(sizes, "SLICE", 50)  # 80 chunks
    monkeypatch.setattr(sizes, "SLICE_BYTES", 10_000)  # about 90 chunks
    doc = json.loads(json.dumps(document))
    doc["relations"][-1]["target"] = "nobody"  # the child starts from the back
    files = files_for(tmp_path, doc, compact)
    taken = _held(monkeypatch, Gate(monkeypatch, waiting="parent"))
    assert build.build_streaming(files) is None
    # at most the parent's first chunk, then it saw the child's doubt (none at all when
    # the child doubted while the parent still checked the entities: it asks then too)
    assert len(taken) <= 1
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # reaped


@LAYOUTS
def test_parent_skips_the_entity_tables_when_the_child_doubts_first(
    tmp_path, document, small_thresholds, monkeypatch, compact
):
    doc = json.loads(json.dumps(document))
    doc["relations"][-1]["target"] = "nobody"  # the child's first chunk
    files = files_for(tmp_path, doc, compact)
    gate = Gate(monkeypatch, waiting="parent")
    columns, tables = build.struct_columns, []

    def held_columns(*args):
        if gate.here() and not tables:
            tables.append("checking")
            gate.wait()  # the parent's checks on entities last until the child has ended
        return columns(*args)

    monkeypatch.setattr(build, "struct_columns", held_columns)
    monkeypatch.setattr(build, "entity_tables", lambda entities: tables.append("built"))
    assert build.build_streaming(files) is None
    assert tables == ["checking"]  # the tables were never built


@LAYOUTS
@pytest.mark.parametrize("slow_parent", [True, False], ids=["slow-parent", "slow-child"])
def test_the_faster_process_takes_more_chunks(
    tmp_path, document, small_thresholds, monkeypatch, compact, slow_parent
):
    """Chunks go to whichever process asks first: the result is the same however they
    end up shared."""
    monkeypatch.setattr(sizes, "SLICE", 100)  # 40 chunks
    monkeypatch.setattr(sizes, "SLICE_BYTES", 20_000)  # about 45 chunks
    files = files_for(tmp_path, document, compact)
    monkeypatch.setattr(parallel, "_cpus", lambda: 1)
    expected = comparable(build.build_streaming(files))
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)
    gate = Gate(monkeypatch, waiting="parent" if slow_parent else "child")
    taken = _held(monkeypatch, gate)
    assert comparable(build.build_streaming(files)) == expected
    assert taken.chunks >= 40
    if slow_parent:  # held at its first chunk until the child took all the others
        assert taken == [0]
    else:  # the child, held at its first chunk until the parent took all the others
        assert len(taken) == taken.chunks - 1
    assert taken == list(range(len(taken)))  # the parent's, from the front


@LAYOUTS
def test_interrupted_parent_leaves_no_child(
    tmp_path, document, small_thresholds, monkeypatch, compact
):
    files = files_for(tmp_path, document, compact)

    def interrupted(entities):
        raise KeyboardInterrupt

    monkeypatch.setattr(packtables, "name_tables", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build.build_streaming(files)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # the child was stopped and reaped


def test_record_starts_found_alike_with_and_without_numpy(tmp_path):
    """Where records start in any stretch of a compact array: found by numpy on large
    data, by the pattern on small; separators at the very ends of the stretch included."""
    import numpy

    text = b'[{"id":"a"},{"id":"b","e":[{"x":1},{"x":2}]},{"id":"c"}},{"id":},{"id":"d"}]'
    path = tmp_path / "records"
    path.write_bytes(text)
    with open(path, "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    for buffer in (text, mapped):
        part = spans.CompactPart(buffer, 1, len(text) - 1)
        part.numpy = numpy
        for first in range(len(text)):
            for end in range(first + 1, len(text) + 1):
                found = spans.BETWEEN.finditer(text, first, end)
                expected = [first, *(match.start() + 2 for match in found)]
                assert part._starts(first, end).tolist() == expected, (first, end)


def test_adjacency_same_with_and_without_numpy(monkeypatch):
    ends = array("i", [3, 1, 3, 0, 1, -1, 1, 4, 3, 0, -1])
    monkeypatch.setattr(sizes, "NUMPY_MIN", 10**9)
    plain = packtables.csr(ends, 6)
    monkeypatch.setattr(sizes, "NUMPY_MIN", 0)
    assert packtables.csr(ends, 6) == plain
    assert list(plain[0]) == [0, 2, 5, 5, 8, 9, 9]
    assert list(plain[1]) == [3, 9, 1, 4, 6, 0, 2, 8, 7]  # -1: left out


def test_adjacencies_in_a_thread_same_as_one_by_one(monkeypatch):
    ends = [array("i", [3, 1, 3, 0, 1, -1]), array("i", [0, 0, 5, 2, -1, 4]), array("i", [-1] * 6)]
    expected = [packtables.csr(values, 6) for values in ends]
    monkeypatch.setattr(sizes, "NUMPY_MIN", 0)
    assert packtables.adjacencies(ends, 6) == expected
    real = packtables.csr

    def failing(values, count):
        if values is ends[0]:
            raise MemoryError
        return real(values, count)

    monkeypatch.setattr(packtables, "csr", failing)
    with pytest.raises(MemoryError):  # the thread's failure is raised where it was asked
        packtables.adjacencies(ends, 6)


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
    plain = packtables.name_table("key", keys, owners)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sizes, "NUMPY_MIN", 0)
        assert packtables.name_table("key", keys, owners) == plain
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


ASCII_TEXTS = st.lists(
    st.text(alphabet=st.sampled_from(" \t\n\r\x0b-_./'AbZ\x1c\x1f,;()[]\"\x00"), max_size=9),
    max_size=20,
)


@settings(max_examples=400)
@given(st.one_of(TEXTS, ASCII_TEXTS), st.sampled_from([0, text.NUMPY_MIN_BYTES]))
def test_fold_joined_is_fold_of_each_joined(texts, numpy_from):
    joined = "\x00".join(texts)
    with pytest.MonkeyPatch.context() as patch:  # spaces collapsed by numpy, or replaced
        patch.setattr(text, "NUMPY_MIN_BYTES", numpy_from)
        if texts and joined.isascii() and joined.count("\x00") == len(texts) - 1:
            assert fold_joined(texts) == "\x00".join(map(fold, texts)).encode()
        else:
            assert fold_joined(texts) is None


@pytest.mark.parametrize(
    ("layout", "kept_in_place"),
    [
        ({"separators": (",", ":")}, True),  # compact: records are read from the data file
        ({}, False),  # ", " between records: copied into the pack
        pytest.param({"indent": 2}, False, marks=slow),
    ],
)
@pytest.mark.parametrize("bom", [False, True])
def test_relation_records_read_in_place_or_copied(
    tmp_path,
    document,
    reference_of_document,
    small_thresholds,
    monkeypatch,
    layout,
    kept_in_place,
    bom,
):
    from diplograph.store.cache import open_store as open_packed

    path = tmp_path / "data.json"
    text = json.dumps(document, ensure_ascii=False, **layout)
    path.write_bytes(b"\xef\xbb\xbf" * bom + text.encode())
    files = with_vocabulary(data_files(path))
    sections = build.build_streaming(files)
    assert isinstance(sections["rel_blob"], build.FileRecords) is kept_in_place
    if kept_in_place:  # mapped (small_thresholds), unless a byte order mark must be cut
        assert isinstance(sections["rel_blob"].buffer, mmap.mmap) is not bom
    assert ("rel_file" in sections["meta"]) is kept_in_place
    nxg, nxg_content = reference_of_document  # (the same graph in every layout)
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    written = open_packed(path)  # built and written to the cache
    read = open_packed(path)  # read back from the cache
    assert read.path is not None
    for graph in (written, read):
        for node in ["e0", "e5", "e321"]:
            assert who_met(graph, node) == who_met(nxg, node)
            assert show(graph, node) == show(nxg, node)
        assert search(graph, "sources said in item 12") == search(nxg, "sources said in item 12")
    pack_size = read.path.stat().st_size
    assert (pack_size < path.stat().st_size / 2) is kept_in_place  # no copy of the records
    # a pass over every record (export) reads them a slice at a time: the same graph
    monkeypatch.setattr(pack_module, "SCAN_SLICE", 333)
    assert _graphml_content(read) == nxg_content


def _graphml_content(graph) -> tuple:
    import io

    import networkx as nx

    from diplograph.queries.subgraph import WholeGraph

    written = graphml.to_graphml(WholeGraph(graph))  # the whole store, as export reads it
    found = nx.read_graphml(io.BytesIO(written), force_multigraph=True)
    nodes = sorted((n, sorted(a.items())) for n, a in found.nodes(data=True))
    edges = sorted((u, v, k, sorted(a.items())) for u, v, k, a in found.edges(keys=True, data=True))
    return nodes, edges


@LAYOUTS
@pytest.mark.parametrize("cpus", [1, 2])
def test_progress_reported_while_building(
    tmp_path, document, small_thresholds, compact, monkeypatch, cpus
):
    """Progress through the relations, in one process or as the parent sees both (how
    many reports the parent makes then depends on how many chunks it takes)."""
    monkeypatch.setattr(parallel, "_cpus", lambda: cpus)
    calls = []
    files = files_for(tmp_path, document, compact)
    assert build.build_streaming(files, lambda *a: calls.append(a)) is not None
    steps = [c[0] for c in calls]
    assert steps[0] == "reading vocabulary.json" and "reading data.json" in steps
    checked = [c for c in calls if c[0] == "checking relations"]
    if compact:  # how far through the relations' bytes
        size = files[-1].stat().st_size
        assert checked[-1][1] == checked[-1][2] and size * 0.9 < checked[-1][2] < size
        assert {c[3] for c in checked} == {"bytes"}
    else:
        assert checked[-1] == ("checking relations", RELATIONS, RELATIONS, "")
    done = [c[1] for c in checked]
    assert done == sorted(done) and len(done) >= (3 if cpus == 1 else 1)
    assert steps[-1] == "indexing"


def test_progress_bar_on_a_terminal():
    import io

    from rich.console import Console

    from diplograph.cli.env import LoadProgress

    out = io.StringIO()
    bar = LoadProgress(Console(file=out, force_terminal=True, width=100))
    bar("reading data.json")
    bar("checking relations", 500, 1000)
    bar._bar.refresh()
    assert "500/1,000" in out.getvalue()
    bar("checking relations", 120_400_000, 254_000_000, "bytes")
    bar._bar.refresh()
    bar(None)
    assert "checking relations..." in out.getvalue()
    assert "120/254 MB" in out.getvalue()
    assert bar._bar is None


def test_one_job_builds_in_one_process(tmp_path, document, small_thresholds, monkeypatch):
    files = files_for(tmp_path, document)
    split = comparable(build.build_streaming(files))
    monkeypatch.setattr(parallel, "_cpus", REAL_CPUS)
    monkeypatch.setenv("DIPLOGRAPH_JOBS", "1")
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked with DIPLOGRAPH_JOBS=1"))
    assert comparable(build.build_streaming(files)) == split


def test_doubt_in_the_parents_part_stops_the_child(tmp_path, document, small_thresholds):
    doc = json.loads(json.dumps(document))
    doc["relations"][0]["target"] = "nobody"  # in the parent's part
    assert build.build_streaming(files_for(tmp_path, doc)) is None
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # stopped and reaped, not left running


def _usual_way(monkeypatch, files: list[Path]) -> dict | None:
    """What the build gives when relations are first split into records by a decoding
    pass (the way every layout but the compact one is read)."""
    with monkeypatch.context() as patch:
        patch.setattr(sizes, "COMPACT", False)  # the switch: the simple path
        return build.build_streaming(files)


def _swap_keys(record: dict) -> dict:
    return {**{k: v for k, v in record.items() if k != "id"}, "id": record["id"]}


def _relations_first(doc: dict) -> dict:
    return {"schema_version": 1, "relations": doc["relations"], **doc}


def _record_with_id_last(doc: dict, where: int = 3000) -> dict:
    doc["relations"][where] = _swap_keys(doc["relations"][where])
    return doc


def _first_record_with_id_last(doc: dict) -> dict:
    doc["relations"][0] = _swap_keys(doc["relations"][0])
    return doc


def _separator_in_a_quote(doc: dict) -> dict:
    for r in (0, 1500, 3000, RELATIONS - 1):
        doc["relations"][r]["evidence"][0]["quote"] = 'He said "},{"id":"r5" and left.'
        doc["relations"][r]["note"] = '},{"id":'
    return doc


@pytest.mark.parametrize(
    ("change", "attempts"),
    [
        pytest.param(lambda d: d, [True], id="as-written"),
        pytest.param(_separator_in_a_quote, [True], id="separator-in-a-quote"),
        pytest.param(_relations_first, [True, False], id="relations-not-last"),
        pytest.param(_record_with_id_last, [True, False], id="child-record-not-starting-with-id"),
        pytest.param(
            lambda d: _record_with_id_last(d, 100),
            [True, False],
            id="parent-record-not-starting-with-id",
        ),
        pytest.param(_first_record_with_id_last, [True], id="first-record-not-starting-with-id"),
        pytest.param(
            lambda d: {**d, "relations": [*d["relations"], *d["relations"][:3]]},
            [True],  # the last record is decoded first: no relation ids are repeated there
            id="duplicate-ids",
        ),
    ],
)
def test_compact_path_gives_what_the_usual_way_gives(
    tmp_path, document, small_thresholds, monkeypatch, change, attempts
):
    doc = change(json.loads(json.dumps(document)))
    files = files_for(tmp_path, doc, compact=True)
    usual = _usual_way(monkeypatch, files)
    paths = _paths_taken(monkeypatch)
    found = build.build_streaming(files)
    assert paths == attempts
    assert (found is None) == (usual is None)
    if found is not None:
        assert comparable(found) == comparable(usual)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param(b'"id":"r3000",', b'"id":"r3000"', id="missing-comma"),
        pytest.param(b'"id":"r3000",', b'"id":"r3000",,', id="extra-comma"),
        pytest.param(b'{"id":"r3000",', b'{"id":"r3000"}},{"id":"x",', id="extra-brace"),
        pytest.param(b'},{"id":"r3000",', b'}],"relations":[{"id":"r3000",', id="two-arrays"),
        pytest.param(b'{"id":"r3000",', b'{"id":"r3000","id":"r3000",', id="repeated-key"),
        pytest.param(b"]}", b"] }", id="space-at-the-end"),
        pytest.param(b"}]}", b"}\n]}", id="space-before-the-bracket"),
    ],
)
def test_compact_path_on_damaged_or_unusual_syntax(
    tmp_path, document, small_thresholds, monkeypatch, old, new
):
    """Damage where records meet, in the child's part: the same answer as the usual way
    (None, or the same sections), and the same error message from the checker."""
    files = files_for(tmp_path, document, compact=True)
    text = files[-1].read_bytes()
    at = text.rindex(old) if old.endswith(b"]}") else text.index(old)
    files[-1].write_bytes(text[:at] + new + text[at + len(old) :])
    usual = _usual_way(monkeypatch, files)
    found = build.build_streaming(files)
    assert (found is None) == (usual is None)
    if found is not None:
        assert comparable(found) == comparable(usual)
        return
    with monkeypatch.context() as patch:
        patch.setattr(sizes, "COMPACT", False)  # the switch: the simple path
        with pytest.raises(DataError) as usual_error:
            open_packed(files[-1])
    with pytest.raises(DataError) as error:
        open_packed(files[-1])
    assert str(error.value) == str(usual_error.value)


def test_one_process_where_files_cannot_be_locked(
    tmp_path, document, small_thresholds, monkeypatch
):
    """The two processes share chunks under a file lock: where the temporary folder's file
    system refuses locks, the build stays in one process and gives the same sections."""
    import fcntl

    files = files_for(tmp_path, document, compact=True)
    expected = comparable(build.build_streaming(files))

    def refused(*args):
        raise OSError("locks not supported")

    monkeypatch.setattr(fcntl, "lockf", refused)
    monkeypatch.setattr(os, "fork", lambda: pytest.fail("forked"))
    assert comparable(build.build_streaming(files)) == expected


def test_the_compact_switch_builds_the_same_pack(tmp_path, document, monkeypatch):
    """``sizes.COMPACT`` off: a compactly written file is read the simple way, and the
    pack is the same but for where its relation records are kept (a copy, not offsets
    into the data file)."""
    files = files_for(tmp_path, document, compact=True)
    taken = _paths_taken(monkeypatch)
    on = build.build_streaming(files)
    monkeypatch.setattr(sizes, "COMPACT", False)
    off = build.build_streaming(files)
    assert taken == [True, False]
    assert isinstance(on["rel_blob"], build.FileRecords)
    assert isinstance(off["rel_blob"], build.Parts)
    kept, offsets = on["rel_blob"].buffer, on["rel_blob"].offsets
    in_place = [bytes(kept[a : b - 1]) for a, b in itertools.pairwise(offsets)]
    blob, starts = off["rel_blob"].join(), off["rel_off"]
    copied = [blob[a:b] for a, b in itertools.pairwise(starts)]
    assert in_place == copied and len(copied) == RELATIONS
    where = ("rel_file", "rel_shift", "rel_state")
    assert {k: v for k, v in on["meta"].items() if k not in where} == off["meta"]
    same = set(on) - {"rel_blob", "rel_off", "meta"}
    assert same == set(off) - {"rel_blob", "rel_off", "meta"}
    for name in same:
        assert comparable({name: on[name]}) == comparable({name: off[name]}), name


@pytest.mark.long
def test_diplograph_compact_off_answers_the_same(tmp_path, document):
    """The switch from outside: ``DIPLOGRAPH_COMPACT=off`` builds a pack that gives every
    answer the compact path's pack gives."""
    import subprocess

    path = files_for(tmp_path, document, compact=True)[-1]
    asked = [
        ["who-met", "e5", "-f", "json"],
        ["show", "e321", "-f", "json"],
        ["search", "Kalo", "-f", "csv"],
        ["stats", "-f", "json"],
    ]
    # each switch read at start-up: one process per switch asks every question in turn
    ask = (
        "import json, sys\n"
        "from typer.testing import CliRunner\n"
        "from diplograph.cli.app import app\n"
        "runner = CliRunner()\n"
        "argvs = json.loads(sys.argv[1])\n"
        "said = [runner.invoke(app, argv, catch_exceptions=False) for argv in argvs]\n"
        "assert all(r.exit_code == 0 for r in said), [r.stderr for r in said]\n"
        "print(json.dumps([r.stdout for r in said]))\n"
    )
    answers = {}
    for switch in ("on", "off"):
        env = {**os.environ, "DIPLOGRAPH_COMPACT": switch, "DIPLOGRAPH_CACHE": "on"}
        env["DIPLOGRAPH_CACHE_DIR"] = str(tmp_path / f"cache-{switch}")
        argvs = [["--data", str(path), *argv] for argv in asked]
        answers[switch] = json.loads(
            subprocess.run(
                [sys.executable, "-c", ask, json.dumps(argvs)],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            ).stdout
        )
    assert answers["on"] == answers["off"]
    assert all(answers["on"])


def test_a_childs_part_is_read_back_whole_or_refused():
    """What a child sends (its arrays, then its pieces joined) is read back an array at a
    time, the same bytes; a file cut anywhere is refused as an OSError (which the command
    line tells in one line), never read as fewer or shorter arrays."""
    import struct
    import tempfile
    from array import array

    from diplograph.parallel import received_arrays, send_arrays

    sent = [array("q", [1, -2, 3]), array("i", [4]), array("H")]
    with tempfile.TemporaryFile() as handoff:
        send_arrays(handoff, sent, [b"ab", b"c"])
        handoff.seek(0)
        whole = handoff.read()
        got = list(received_arrays(handoff))
    assert got == [*(a.tobytes() for a in sent), b"abc"]
    for cut in [0, 3, 8, 9, len(whole) - 1]:
        with tempfile.TemporaryFile() as handoff:
            handoff.write(whole[:cut])
            with pytest.raises(OSError, match="cut short"):
                list(received_arrays(handoff))
    with tempfile.TemporaryFile() as handoff:  # a header that is not a list of sizes
        handoff.write(struct.pack("q", 1) + b"\xc3")
        with pytest.raises(OSError, match="cut short"):
            list(received_arrays(handoff))

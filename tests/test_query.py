"""Query functions on the bundled data and on small hand-made graphs."""

import networkx as nx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import mini
from diplograph.files.locate import bundled_data_dir, read_documents
from diplograph.model.errors import NoPath, UsageError
from diplograph.queries.common import sort_key
from diplograph.queries.filters import make_filters
from diplograph.queries.listing import list_entities, list_relations, show
from diplograph.queries.neighbors import neighbors
from diplograph.queries.paths import PathOptions, chronological_ok, paths
from diplograph.queries.search import search
from diplograph.queries.stats import betweenness_pivots, stats
from diplograph.queries.timeline import timeline
from diplograph.queries.who_met import who_met
from diplograph.store.cache import open_store
from reference import build_graph, load_graph


@pytest.fixture(scope="module")
def graph():
    """The bundled dataset, as the store every command reads."""
    return open_store(bundled_data_dir())


def hops(found):
    return [[(u, a["type"], v) for u, v, _, a in path] for path in found]


def graph_of(write_data, relations, entities=("a", "b", "c", "d", "e")):
    doc = mini()
    doc["entities"] = [{"id": e, "name": e.upper(), "type": "person"} for e in entities]
    doc["relations"] = [
        {
            "id": f"r{i}",
            "type": t,
            "source": s,
            "target": o,
            "certainty": "stated",
            "evidence": [{"source": "src", "quote": "q"}],
            **({"date": d} if d else {}),
        }
        for i, (s, t, o, d) in enumerate(relations)
    ]
    return open_store(write_data(doc))


def test_who_met_sorted_by_date(graph):
    rows = who_met(graph, "lukashenko")
    assert [r["id"] for r in rows] == [
        "opposition-leaders-2020",
        "tsikhanouski",
        "smith",
        "kellogg",
    ]
    assert all(r["certainty"] and r["evidence"] for r in rows)


def test_path_prefers_surest_best_dated(graph):
    found = paths(graph, "trump", "tsikhanouski")
    # all stated; the Kellogg chain has no open span (envoy-of is an undated role, not a
    # vague event) and passes people only
    assert hops(found) == [
        [
            ("kellogg", "envoy-of", "trump"),
            ("kellogg", "met", "lukashenko"),
            ("lukashenko", "released", "tsikhanouski"),
        ]
    ]


def test_all_shortest_and_k(graph):
    every = paths(graph, "trump", "tsikhanouski", PathOptions(all_shortest=True))
    assert len(every) > 1 and len({len(p) for p in every}) == 1
    k = paths(graph, "kellogg", "tsikhanouski", PathOptions(k=3))
    assert len(k) == 3 and [len(p) for p in k] == sorted(len(p) for p in k)


def test_via_avoid_directed(graph):
    via = make_filters(graph, relation_types=["met", "released"])
    found = paths(graph, "kellogg", "zenkovich", PathOptions(filters=via))
    assert hops(found) == [
        [("kellogg", "met", "lukashenko"), ("lukashenko", "released", "zenkovich")]
    ]
    avoided = paths(graph, "kellogg", "zenkovich", PathOptions(avoid=frozenset({"lukashenko"})))
    assert all("lukashenko" not in (u, v) for u, v, _, _ in avoided[0])
    with pytest.raises(NoPath):
        paths(graph, "zenkovich", "kellogg", PathOptions(directed=True, filters=via))


def test_max_hops(graph):
    with pytest.raises(NoPath, match="under the given constraints"):
        paths(graph, "trump", "tsikhanouski", PathOptions(max_hops=2))


def test_avoid_an_end(graph):
    with pytest.raises(UsageError, match="it is an end of the path"):
        paths(graph, "trump", "kellogg", PathOptions(avoid=frozenset({"kellogg"})))


def test_chronological_ok_is_exact():
    d = lambda text: {"date": text}  # noqa: E731
    assert chronological_ok([d("2025-04-10"), d("2025-04")])  # April can be the 10th or later
    assert chronological_ok([d("2025-04"), d("2025-04-10")])
    assert not chronological_ok([d("2025-04"), d("2025-02")])
    assert chronological_ok([d("2025-01-21/2025-01-31"), d("2025-02-04/2025-02-14")])
    assert not chronological_ok([d("2025-04-20"), d("2025-04"), d("2025-04-15")])
    assert not chronological_ok([d("2025"), {}])


def test_chronological_path_takes_a_longer_route_in_time_order(write_data):
    g = graph_of(
        write_data,
        [
            ("a", "met", "b", "2025-03"),
            ("b", "met", "d", "2025-01"),  # shortest, but goes back in time
            ("b", "met", "c", "2025-04"),
            ("c", "met", "d", "2025-05"),
        ],
    )
    assert hops(paths(g, "a", "d")) == [[("a", "met", "b"), ("b", "met", "d")]]
    chrono = paths(g, "a", "d", PathOptions(chronological=True))
    assert hops(chrono) == [[("a", "met", "b"), ("b", "met", "c"), ("c", "met", "d")]]
    assert chronological_ok([e[3] for e in chrono[0]])


def test_chronological_keeps_the_earliest_arrival(write_data):
    # reaching c late (via the direct hop) would block c->d; the longer way arrives in time
    g = graph_of(
        write_data,
        [
            ("a", "met", "c", "2025-09"),
            ("a", "met", "b", "2025-01"),
            ("b", "met", "c", "2025-02"),
            ("c", "met", "d", "2025-03"),
        ],
    )
    chrono = paths(g, "a", "d", PathOptions(chronological=True))
    assert hops(chrono) == [[("a", "met", "b"), ("b", "met", "c"), ("c", "met", "d")]]


def test_chronological_on_bundled_data(graph):
    found = paths(graph, "smith", "zenkovich", PathOptions(chronological=True))
    assert hops(found) == [
        [("smith", "met", "lukashenko"), ("lukashenko", "released", "zenkovich")]
    ]


def test_neighbors(graph):
    rows = neighbors(graph, "zenkovich")
    assert {(r["id"], r["relation"], r["direction"]) for r in rows} == {
        ("lukashenko", "was released by", "in"),
        ("cole", "was escorted by", "in"),
        ("united-states", "is a citizen of", "out"),
    }
    out = neighbors(graph, "zenkovich", direction="out")
    assert [r["id"] for r in out] == ["united-states"]
    two = neighbors(graph, "zenkovich", depth=2)
    assert {r["distance"] for r in two} == {1, 2}
    assert any(r["id"] == "kellogg" and r["via_id"] == "cole" for r in two)
    with pytest.raises(UsageError):
        neighbors(graph, "zenkovich", direction="sideways")


def test_neighbors_relation_filter(graph):
    f = make_filters(graph, relation_types=["released"])
    rows = neighbors(graph, "lukashenko", filters=f)
    assert {r["id"] for r in rows} == {"zenkovich", "tsikhanouski", "june-21-prisoners"}


def test_timeline_orders_partial_dates(graph):
    rows = timeline(graph, ["lukashenko"])
    keys = [sort_key({"date": r["date"]}) for r in rows]
    assert keys == sorted(keys)
    pair = timeline(graph, ["lukashenko", "smith"])
    assert {r["relation_id"] for r in pair} == {"smith-met-lukashenko"}
    everything = timeline(graph, [])
    assert len(everything) == sum(1 for _, _, _, a in graph.relations() if "date" in a)
    with pytest.raises(UsageError):
        timeline(graph, ["lukashenko", "lukashenko"])


def test_timeline_filters(graph):
    f = make_filters(graph, since="2025-04", until="2025-04")
    rows = timeline(graph, [], f)
    assert {r["relation_id"] for r in rows} >= {
        "lukashenko-released-zenkovich",
        "cole-escorted-zenkovich",
    }
    assert "kellogg-met-lukashenko" not in {r["relation_id"] for r in rows}


def test_certainty_filter(graph):
    f = make_filters(graph, certainty=["hypothetical"])
    rows = list_relations(graph, f)
    assert rows and all(r["certainty"] == "hypothetical" for r in rows)


def test_make_filters_errors(graph):
    with pytest.raises(UsageError, match=r"starts after it ends \(2025-05 is after 2025-04\)"):
        make_filters(graph, since="2025-05", until="2025-04")


def test_stats(graph):
    s = stats(graph, top=3)
    assert sum(r["count"] for r in s["entities"]) == graph.number_of_nodes()
    assert sum(r["count"] for r in s["relations"]) == graph.number_of_edges()
    assert s["most_connected"][0]["id"] == "belarus"
    assert s["brokers"][0]["id"] == "lukashenko"
    assert s["components"][0]["size"] > 30


@pytest.mark.parametrize(
    ("nodes", "links", "pivots"),
    [
        (2000, 10**6, None),
        (2001, 9_000, 272),
        (10_000, 77_000, 34),
        (100_000, 900_000, 10),
        (2001, 0, 500),
    ],
)
def test_betweenness_pivots_keep_stats_quick(nodes, links, pivots):
    """Exact up to 2,000 entities; beyond, as many pivots as about three million entities
    and links visited allow, never fewer than 10 nor more than 500."""
    assert betweenness_pivots(nodes, links) == pivots


def test_stats_matches_networkx(graph):
    s = stats(graph, top=5)
    expected = nx.betweenness_centrality(nx.Graph(load_graph()))
    for row in s["brokers"]:
        assert row["betweenness"] == round(expected[row["id"]], 4)


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Tikhanovsky", "tsikhanouski"),
        ("Lukashenka", "lukashenko"),
        ("Kelog", "kellogg"),
        ("Ziankovich", "zenkovich"),
        ("grand deal", "grand-deal"),
    ],
)
def test_search(graph, text, first):
    rows = search(graph, text)
    assert rows[0]["id"] == first


def test_search_finds_quotes(graph):
    rows = search(graph, "bargaining chips")
    assert any(r["kind"] == "relation" and r["field"] == "quote" for r in rows)


def test_list_entities(graph):
    people = list_entities(graph, "person")
    assert all(r["type"] == "person" for r in people) and len(people) == 12
    with pytest.raises(UsageError, match="unknown entity type 'planet'"):
        list_entities(graph, "planet")


def test_show(graph):
    card = show(graph, "new-york-times")
    assert card["name"] == "The New York Times"
    assert "reported-on" in card["relations"]
    assert {r["relation_id"] for r in card["reported"]} >= {"smith-discussed-grand-deal"}


def test_same_graph_from_folder_and_documents():
    documents = read_documents(bundled_data_dir())
    assert build_graph(documents).number_of_edges() == load_graph().number_of_edges()


NAME_TEXTS = st.lists(
    st.text(alphabet=st.sampled_from("abcdek łö"), min_size=1, max_size=14).map(
        lambda t: " ".join(t.split())
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(NAME_TEXTS, st.text(alphabet=st.sampled_from("abcdek łö"), min_size=1, max_size=10))
def test_name_candidates_skip_only_what_cannot_match(keys, text):
    """Comparing only candidates of a reachable length finds what comparing all finds."""
    from rapidfuzz import fuzz, process

    from diplograph.queries.search import NAME_CUTOFF
    from diplograph.store.searchindex import NameCandidates

    keys = sorted({k for k in keys if k})
    if not keys:
        return
    parts = NameCandidates.build(keys)
    texts = parts["texts"]
    names = NameCandidates(
        lambda a, b: texts[a:b], parts["starts"], parts["offsets"], parts["indices"]
    )
    found = sorted(names.matches(text, NAME_CUTOFF))
    expected = sorted(
        (key, score)
        for candidate, score, at in process.extract(
            text, texts, scorer=fuzz.ratio, limit=None, score_cutoff=NAME_CUTOFF
        )
        for key in parts["indices"][parts["offsets"][at] : parts["offsets"][at + 1]]
    )
    assert found == expected
    words = {w for k in keys for w in [k, *k.split(" ")]}
    assert set(texts) == words


@settings(max_examples=200, deadline=None)
@given(st.one_of(NAME_TEXTS, st.just([])))
@example(["de la de", "la", "de", "ł la"])
@example(["a  b", " x", "y ", "  ", "é a", "a"])  # empty words: doubled, leading, trailing spaces
def test_name_candidate_sections_by_numpy_are_the_plain_ones(keys):
    """Many keys' candidates are worked out with numpy: the same sections, byte for byte
    (words repeated in a key, keys that are also words of others, non-ASCII, none)."""
    from diplograph.store import candidates

    keys = sorted({k for k in keys if k})
    plain = candidates.sections(keys)  # (few keys)
    assert candidates.sections_numpy(keys) == plain


def test_search_looks_in_notes_and_sources(graph):
    """A relation's note and a source's title or publisher are searched too."""
    note = next(
        (k, a["note"]) for _, _, k, a in graph.relations() if a.get("note") and len(a["note"]) > 20
    )
    words = " ".join(note[1].split()[:4])
    rows = search(graph, words, limit=50)
    assert any(r["id"] == note[0] and r["field"] in ("note", "quote") for r in rows)
    found = search(graph, "Carnegie Endowment")
    assert found[0]["kind"] == "source" and found[0]["id"] == "carnegie-2025-06-24"
    assert found[0]["field"] == "publisher"


@pytest.mark.parametrize("window", [1, 7, 64, 1 << 16])
def test_a_search_file_text_read_in_windows_finds_what_bytes_find(tmp_path, monkeypatch, window):
    """``TextSection`` reads its file a window at a time (pread, not a map): every
    ``find`` and slice equals the same on the whole bytes, with matches that cross a
    window's or a block's edge, and a damaged block is found when read."""
    import random

    from diplograph.store import searchfile
    from diplograph.store.format import PackDamaged, checksum

    monkeypatch.setattr(searchfile, "TEXT_BLOCK", 16)
    monkeypatch.setattr(searchfile, "WINDOW_MAX", 16 * window)
    monkeypatch.setattr(searchfile, "WINDOWS_HELD", 64)
    rng = random.Random(window)
    text = bytes(rng.choice(b"ab\x00") for _ in range(1000))
    head = b"HEAD" * 3
    path = tmp_path / "texts"
    path.write_bytes(head + text + b"TAIL")
    sums = [checksum(text[k : k + 16]) for k in range(0, len(text), 16)]
    with open(path, "rb") as handle:
        section = searchfile.TextSection(handle, len(head), len(text), sums, path)
        for _ in range(300):
            needle = bytes(rng.choice(b"ab\x00") for _ in range(rng.randint(1, 6)))
            first = rng.randrange(len(text))
            stop = rng.choice([None, rng.randrange(first, len(text) + 5)])
            assert section.find(needle, first, stop) == text.find(needle, first, stop)
            a, b = sorted(rng.randrange(len(text) + 1) for _ in range(2))
            assert section[a:b] == text[a:b]
    damaged = bytearray(head + text + b"TAIL")
    damaged[len(head) + 500] ^= 1
    path.write_bytes(damaged)
    with open(path, "rb") as handle:
        section = searchfile.TextSection(handle, len(head), len(text), sums, path)
        assert section[0:400] == text[0:400]  # the damage lies further on: unread yet
        with pytest.raises(PackDamaged):
            section.find(b"never there")

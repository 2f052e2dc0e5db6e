"""diplograph as a Python library: every method against the CLI's JSON for the same
question (bundled data and a generated graph), against the engine on the tests' own
networkx store, the networkx and pandas tables, errors, laziness and doctests."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys
from datetime import date

import msgspec
import pytest

import diplograph
from conftest import ROOT, last_error
from diplograph.api import graph as graph_module
from diplograph.api import records
from diplograph.model import dates
from diplograph.model.filters import Filters
from diplograph.queries import listing, neighbors, paths, search, timeline, who, who_met
from diplograph.queries.filters import make_filters
from reference import reference_store

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

sys.path.pop(0)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated graph on disk (names sharing surnames, every date precision)."""
    path = tmp_path_factory.mktemp("gen") / "gen.json"
    path.write_text(json.dumps(generate.generate(80, 600, seed=5)), encoding="utf-8")
    return path


def people(path, count=3):
    """The names of the most connected people of the data at ``path`` (their ids)."""
    g = diplograph.open(path)
    found = [e for e in g.list_entities(type="person") if e.relations]
    found.sort(key=lambda e: (-e.relations, e.id))
    return [e.id for e in found[:count]]


def common_type(g, node):
    """The relation type most of ``node``'s relations have."""
    from collections import Counter

    counts = Counter(x.type for x in g.list_relations(between=[node]))
    return min(counts, key=lambda t: (-counts[t], t))


def cli_json(cli, data, *args):
    result = cli(*args, "--format", "json", data=data)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def as_rows(found):
    return [r.to_dict() for r in found]


# -- every method against the CLI ---------------------------------------------------------


def questions(path):
    """(CLI arguments, the library call) pairs asking the same question of ``path``."""
    a, b, c = people(path)
    g = diplograph.open(path)
    some = common_type(g, a)
    return [
        (("who-met", a), lambda: as_rows(g.who_met(a))),
        (("who-met", b, "--since", "2000"), lambda: as_rows(g.who_met(b, since="2000"))),
        (("who", some, a), lambda: as_rows(g.who(some, a))),
        (
            ("who", some, b, "--certainty", "stated,reported"),
            lambda: as_rows(g.who(some, b, certainty="stated,reported")),
        ),
        (("path", a, c), lambda: as_rows(g.path(a, c))),
        (("path", a, c, "--k", "3"), lambda: as_rows(g.path(a, c, k=3))),
        (("path", a, b, "--directed"), lambda: as_rows(g.path(a, b, directed=True))),
        (("neighbors", a, "--depth", "2"), lambda: as_rows(g.neighbors(a, depth=2))),
        (
            ("neighbors", b, "--direction", "out", "-r", some),
            lambda: as_rows(g.neighbors(b, direction="out", relation=some)),
        ),
        (("timeline",), lambda: as_rows(g.timeline())),
        (("timeline", a), lambda: as_rows(g.timeline(a))),
        (("timeline", a, b), lambda: as_rows(g.timeline(a, b))),
        (("search", a[:4]), lambda: as_rows(g.search(a[:4]))),
        (("show", a), lambda: g.show(a).to_dict()),
        (("show", a, "-r", some), lambda: g.show(a, relation=some).to_dict()),
        (("list", "entities"), lambda: as_rows(g.list_entities())),
        (("list", "entities", "-t", "person"), lambda: as_rows(g.list_entities(type="person"))),
        (("list", "relations"), lambda: as_rows(g.list_relations())),
        (
            ("list", "relations", "--between", a, "--until", "2024"),
            lambda: as_rows(g.list_relations(between=[a], until="2024")),
        ),
        (("stats",), lambda: g.stats().to_dict()),
    ]


@pytest.mark.parametrize("which", ["bundled", "generated"])
def test_every_method_answers_as_the_cli(cli, generated, which):
    path = ROOT / "data" if which == "bundled" else generated
    asked = questions(path)
    answered = 0
    for args, call in asked:
        expected = cli_json(cli, path, *args)
        assert call() == expected, args
        answered += bool(expected)
    assert answered >= len(asked) - 2  # the questions have answers, not empty lists


def test_bundled_answers_read_as_the_article():
    g = diplograph.open()
    released = g.who("released", "Tsikhanouski")
    assert [(x.from_id, x.type, x.to_id) for x in released] == [
        ("lukashenko", "released", "tsikhanouski")
    ]
    assert released[0].evidence[0].quote  # every answer carries its quote
    sanctions = {x.from_name for x in g.who("sanctions", "Belarus")}
    assert {"United States", "European Union"} <= sanctions
    assert "Alexander Lukashenko" in {m.name for m in g.who_met("Kellogg")}


# -- the records hold every field of the engine's rows ------------------------------------


def test_records_hold_every_field_of_the_engine_rows(generated):
    """On the tests' own networkx store (an independent Store), each method's records
    equal the engine's rows field for field: the library adds, drops and reorders
    nothing."""
    g = diplograph.open(generated)
    ref = reference_store(generated)
    a, b, _ = people(generated)
    none = Filters()
    some = common_type(g, a)
    pairs = [
        (g.who_met(a), who_met.who_met(ref, a, none)),
        (g.who(some, a), who.who(ref, a, frozenset({some}), none)),
        (g.neighbors(a, depth=2), neighbors.neighbors(ref, a, "both", 2, none)),
        (g.timeline(a), timeline.timeline(ref, [a], none)),
        (g.list_relations(), listing.list_relations(ref, none)),
        (g.list_entities(), listing.list_entities(ref)),
        (g.search(a[:5]), search.search(ref, a[:5])),
        (
            g.path(a, b, k=2),
            paths.path_rows(ref, paths.paths(ref, a, b, paths.PathOptions(k=2))),
        ),
    ]
    for found, rows in pairs:
        assert rows and [r.to_dict() for r in found] == rows
        assert [list(r.to_dict()) for r in found] == [list(row) for row in rows]  # order too
    assert g.show(a).to_dict() == listing.show(ref, a, none)


def test_records_are_typed_iterable_and_json():
    g = diplograph.open()
    meeting = g.who_met("Kellogg")[0]
    assert isinstance(meeting, records.Meeting)
    assert isinstance(meeting.evidence[0], records.Evidence)
    assert dict(meeting) == meeting.to_dict()
    assert json.loads(diplograph.to_json(g.who_met("Kellogg"))) == [meeting.to_dict()]
    json.dumps(g.stats().to_dict())  # plain JSON all the way down
    with pytest.raises(AttributeError):
        meeting.name = "someone else"  # frozen


def test_who_lists_what_was_done_to_the_actor_first(generated):
    g = diplograph.open(generated)
    for node in people(generated):
        for rtype in {x.type for x in g.list_relations(between=[node])}:
            found = g.who(rtype, node)
            symmetric = g.store.graph["relation_types"][rtype]["symmetric"]
            parts = [0 if x.to_id == node or symmetric else 1 for x in found]
            assert parts == sorted(parts)
            assert all(node in (x.from_id, x.to_id) and x.type == rtype for x in found)
            every = {x.relation_id for x in g.list_relations(between=[node], relation=rtype)}
            assert {x.relation_id for x in found} == every


# -- the CLI's who command ----------------------------------------------------------------


def test_who_command_table_and_errors(cli):
    shown = cli("who", "released", "Tsikhanouski")
    assert shown.exit_code == 0
    assert "Who released Siarhei Tsikhanouski" in shown.stdout
    assert "Alexander Lukashenko released Siarhei" in shown.stdout
    csv = cli("who", "escorted", "Zenkovich", "--format", "csv")
    assert csv.stdout.splitlines()[0].startswith("from_id,from_name,relation")
    typo = cli("who", "releasd", "Tsikhanouski")
    assert typo.exit_code == 2
    assert last_error(typo) == "Error: unknown relation type 'releasd' (did you mean 'released'?)"
    nobody = cli("who", "released", "Tsikhanousky")
    assert nobody.exit_code == 1 and "'Siarhei Tsikhanouski'" in last_error(nobody)
    upper = cli("who", "SANCTIONS", "Belarus", "--format", "json")
    assert upper.exit_code == 0 and {r["type"] for r in json.loads(upper.stdout)} == {"sanctions"}
    empty = cli("who", "released", "Kellogg")
    assert empty.exit_code == 0 and "no recorded 'released' relations" in empty.stdout
    swapped = cli("who", "Tsikhanouski", "released")
    assert swapped.exit_code == 2
    assert last_error(swapped) == (
        "Error: unknown relation type 'Tsikhanouski': the relation comes first, then the "
        "name (who released Tsikhanouski)"
    )
    spaced = cli("who", "Keith Kellogg", "met")
    assert last_error(spaced).endswith('(who met "Keith Kellogg")')


# -- errors: the CLI's messages, as exceptions, nothing printed ---------------------------


@pytest.mark.parametrize(
    ("call", "args", "kind"),
    [
        (lambda g: g.who_met("Lukashenkk"), ("who-met", "Lukashenkk"), diplograph.UnknownEntity),
        (
            lambda g: g.who("met", "Kellogg", since="soon"),
            ("who", "met", "Kellogg", "--since", "soon"),
            diplograph.UsageError,
        ),
        (
            lambda g: g.list_relations(relation="freed"),
            ("list", "relations", "-r", "freed"),
            diplograph.UsageError,
        ),
        (
            lambda g: g.path("Kellogg", "Kellogg", max_hops=1, relation="sanctions"),
            ("path", "Kellogg", "Kellogg", "--max-hops", "1", "-r", "sanctions"),
            diplograph.DiplographError,
        ),
        (
            lambda g: g.show("no-such-relation-id"),
            ("show", "no-such-relation-id"),
            diplograph.UnknownEntity,
        ),
    ],
)
def test_errors_are_exceptions_with_the_cli_messages(cli, capsys, call, args, kind):
    g = diplograph.open()
    try:
        call(g)
    except diplograph.DiplographError as exc:
        assert isinstance(exc, kind)
        assert capsys.readouterr() == ("", "")  # nothing printed
        result = cli(*args)
        assert result.exit_code == exc.exit_code
        assert last_error(result) == f"Error: {exc}"
    else:  # a question with an answer: the CLI succeeds too
        assert cli(*args).exit_code == 0


def test_ambiguous_names_raise_with_candidates(write_data):
    doc = {
        "schema_version": 1,
        "sources": [
            {"id": "s", "title": "T", "publisher": "P", "published": "2025"},
        ],
        "entities": [
            {"id": "anna-kim", "name": "Anna Kim", "type": "person"},
            {"id": "boris-kim", "name": "Boris Kim", "type": "person"},
        ],
        "relations": [
            {
                "id": "r1",
                "type": "met",
                "source": "anna-kim",
                "target": "boris-kim",
                "certainty": "stated",
                "evidence": [{"source": "s", "quote": "Anna Kim met Boris Kim"}],
            }
        ],
    }
    g = diplograph.open(write_data(doc))
    with pytest.raises(diplograph.AmbiguousName) as found:
        g.who_met("Kim")
    assert found.value.candidates == ["anna-kim", "boris-kim"]
    assert "Anna Kim (anna-kim), Boris Kim (boris-kim)" in str(found.value)


def test_bad_data_raises_data_error(write_data):
    with pytest.raises(diplograph.DataError) as found:
        diplograph.open(write_data('{"schema_version": 1, "entities": [}'))
    assert "data.json" in str(found.value)


def test_progress_is_a_callback(tmp_path, monkeypatch):
    monkeypatch.setenv("DIPLOGRAPH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("diplograph.store.cache.PERSIST_THRESHOLD", 1)
    path = tmp_path / "g.json"
    path.write_text(json.dumps(generate.generate(50, 300, seed=3)), encoding="utf-8")
    heard = []
    g = diplograph.open(path, progress=lambda step, *rest, **kw: heard.append(step))
    assert heard and all(step is None or isinstance(step, str) for step in heard)
    steps = []
    g.stats(progress=steps.append)
    assert "finding components" in steps


# -- networkx and pandas ------------------------------------------------------------------


def test_to_networkx_keeps_every_field():
    """Round trip: every entity and relation of the data file, field for field, plus
    parsed bounds of every date; counts equal."""
    doc = json.loads((ROOT / "data" / "belarus.json").read_text(encoding="utf-8"))
    g = diplograph.read_networkx()
    assert g.number_of_nodes() == len(doc["entities"])
    assert g.number_of_edges() == len(doc["relations"])
    for entity in doc["entities"]:
        assert g.nodes[entity["id"]] == {"aliases": [], **entity}  # (always a list)
    for rel in doc["relations"]:
        attrs = dict(g.edges[rel["source"], rel["target"], rel["id"]])
        earliest, latest = attrs.pop("earliest"), attrs.pop("latest")
        assert attrs == rel
        if "date" in rel:
            parsed = dates.parse(rel["date"])
            assert (earliest, latest) == (parsed.lower, parsed.upper)
            assert isinstance(earliest, date)
        else:
            assert earliest is latest is None
    assert set(g.graph["sources"]) == {s["id"] for s in doc["sources"]}
    assert "released" in g.graph["relation_types"]


def test_to_networkx_cuts_as_export_does(cli, tmp_path, generated):
    nx = pytest.importorskip("networkx")
    a = people(generated)[0]
    for args, cut in [
        ((a, "--radius", "1"), {"ego": a, "radius": 1}),
        ((a, "--radius", "2", "--since", "2010"), {"ego": a, "radius": 2, "since": "2010"}),
        (("-r", "met",), {"relation": "met"}),
        ((), {}),
    ]:  # fmt: skip
        out = tmp_path / f"cut{len(args)}.graphml"
        result = cli("export", *args, "--output", str(out), "--force", data=generated)
        assert result.exit_code == 0, result.stderr
        exported = nx.read_graphml(out)
        part = diplograph.read_networkx(generated, **cut)
        assert set(part.nodes) == set(exported.nodes)
        assert {k for *_, k in part.edges(keys=True)} == {
            d.get("id", k) for *_, k, d in exported.edges(keys=True, data=True)
        }


def test_betweenness_on_the_graph():
    nx = pytest.importorskip("networkx")
    g = diplograph.read_networkx()
    central = nx.betweenness_centrality(nx.Graph(g))
    assert max(central, key=central.get) in {"lukashenko", "belarus", "united-states"}


def test_to_pandas(generated):
    pd = pytest.importorskip("pandas")
    entities, relations = diplograph.open(generated).to_pandas()
    assert isinstance(relations, pd.DataFrame)
    g = diplograph.open(generated)
    assert len(entities) == len(g.list_entities())
    assert len(relations) == len(g.list_relations())
    assert {"id", "type", "source", "target", "date", "earliest", "latest", "evidence"} <= set(
        relations.columns
    )
    by_type = relations.groupby("type").size().to_dict()
    expected = {}
    for rel in g.list_relations():
        expected[rel.type] = expected.get(rel.type, 0) + 1
    assert by_type == expected


def test_to_pandas_without_pandas_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(diplograph.UsageError, match=r"pip install 'diplograph\[pandas\]'"):
        diplograph.open().to_pandas()


# -- a cheap import, a typed surface, runnable docs ----------------------------------------


def imported_after(code: str) -> set[str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_import_diplograph_is_cheap():
    heavy = {"networkx", "rich", "typer", "pandas", "numpy", "msgspec", "rapidfuzz"}
    assert not heavy & imported_after("import diplograph")
    opened = imported_after("import diplograph\ng = diplograph.open()\ng.who_met('Kellogg')")
    assert not {"networkx", "rich", "typer", "pandas"} & opened
    started = subprocess.run(  # the CLI: every module it imports, named on stderr
        [sys.executable, "-X", "importtime", "-c", "from diplograph.cli.app import main; "
         "import sys; sys.argv = ['diplograph', 'who', 'met', 'Kellogg']; main()"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "diplograph.api" in started.stderr  # the question went through the library
    assert " pandas" not in started.stderr


def test_public_surface():
    assert (ROOT / "src" / "diplograph" / "py.typed").exists()
    for name in diplograph.__all__:
        value = getattr(diplograph, name)
        if callable(value):
            assert value.__doc__, name
    assert set(records.__all__) <= set(diplograph.__all__)
    with pytest.raises(AttributeError):
        diplograph.no_such_name  # noqa: B018
    for name, method in vars(graph_module.Graph).items():
        if callable(method) and not name.startswith("_"):
            assert method.__doc__, name


@pytest.mark.parametrize("module", [diplograph, graph_module], ids=lambda m: m.__name__)
def test_doctests(module):
    found = doctest.testmod(module, extraglobs={"diplograph": diplograph}, verbose=False)
    assert found.attempted > 0 and found.failed == 0


def test_filters_keyword_arguments_match_the_cli_checks():
    g = diplograph.open()
    assert g.filters(relation="met, released", certainty=["STATED"]) == make_filters(
        g.store, certainty=["stated"], relation_types=["met", "released"]
    )
    with pytest.raises(diplograph.UsageError):
        g.filters(within=True)


def test_records_convert_strictly():
    """A field the engine adds and the records lack fails here, never silently lost."""
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"type": "met", "count": 1, "new_field": 2}, records.TypeCount)


def test_readme_python_session_runs():
    """The README's "From Python" session, run as a doctest."""
    pytest.importorskip("pandas")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## From Python", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```pycon\n")[1:]
    assert len(blocks) == 3
    session = "\n".join(block.split("```", 1)[0] for block in blocks)
    test = doctest.DocTestParser().get_doctest(session, {}, "README", "README.md", 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False) == (0, len(test.examples))


def _tied(path):
    """A generated graph whose busiest actor meets many on the same few days."""
    doc = generate.generate(60, 900, seed=9)
    days = ["2024-03-01", "2024-03-01", "2024-03-02", None, "2024-03", "2024"]
    for n, relation in enumerate(doc["relations"]):
        if relation["type"] == "met":
            relation.pop("date_text", None)
            if days[n % len(days)] is None:
                relation.pop("date", None)
            else:
                relation["date"] = days[n % len(days)]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("first", [1, 2, 5, 17, 50, 10_000])
def test_the_first_meetings_are_the_first_rows_of_all(tmp_path, generated, first):
    """``who_met(first=N)`` (what a table asks) is the first N rows of the whole answer,
    ties on a day broken by name then id as there, and ``total`` counts them all; from
    the packed store and from the reference."""
    for path in (generated, _tied(tmp_path / "tied.json")):
        g = diplograph.open(path)
        for node in people(path, 4):
            whole = g.who_met(node)
            cut = g.who_met(node, first=first)
            assert list(cut) == list(whole)[:first]
            assert (cut.total, len(cut)) == (len(whole), min(first, len(whole)))
            dated = g.who_met(node, since="2024-03-01", first=first)
            assert list(dated) == list(g.who_met(node, since="2024-03-01"))[:first]
        reference = reference_store(path)
        for node in people(path, 2):
            met = Filters(relation_types=frozenset({"met"}))
            rows, total = who_met.first_met(reference, node, met, first)
            assert rows == who_met.who_met(reference, node)[:first]
            assert total == len(who_met.who_met(reference, node))


def test_a_who_met_table_says_how_many_more(cli, tmp_path):
    path = _tied(tmp_path / "tied.json")
    node = people(path, 1)[0]
    every = json.loads(cli("who-met", node, "--format", "json", data=path).stdout)
    assert len(every) > 5
    table = cli("who-met", node, "--limit", "3", data=path).stdout
    assert f"{len(every) - 3:,} more rows not shown ({len(every):,} in all)" in table
    assert every[0]["name"] in table

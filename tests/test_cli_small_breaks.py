"""Issue 29, "consistency and small breaks": a failed import writes nothing, options in
any case and suggested by meaning, choices with a did-you-mean, component members that
keep their commas, search that ranks word matches first, a progress bar that ends at
its total."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import SHARED, last_error

DATA = Path(__file__).parent / "data"
GDELT_SLICE = DATA / "gdelt2_sample_slice.csv"
GDELT_SAMPLE = SHARED / "realdata" / "gdelt2_events2samps.csv"
ICEWS = DATA / "icews_sample.tab"

# -- a failed import writes nothing -------------------------------------------------------


def _edges(tmp_path: Path) -> Path:
    path = tmp_path / "edges.csv"
    path.write_text("a,b,t\nBelarus,United States,meeting\nPoland,Lithuania,meeting\n")
    return path


def test_csv_import_that_keeps_nothing_writes_nothing_and_the_rerun_works(cli, tmp_path):
    edges, out = _edges(tmp_path), tmp_path / "e.json"
    args = ["import", "csv", edges, "--source", "a", "--target", "b", "--type", "t"]
    failed = cli(*args, "--output", out)
    assert failed.exit_code == 1
    assert not out.exists()
    error = last_error(failed)
    assert error.startswith(f"Error: {out}: not written: none of the 2 rows read")
    assert "skipped 2: type 'meeting' is not a relation type (map it with --map)" in error
    again = cli(*args, "--output", out, "--map", "meeting=met")
    assert again.exit_code == 0, again.stderr
    assert len(json.loads(out.read_text())["relations"]) == 2


def _one_actor_gdelt(tmp_path: Path) -> Path:
    """The GDELT slice with every event's second actor removed."""
    rows = list(csv.reader(GDELT_SLICE.open(encoding="utf-8")))
    at = rows[0].index("Actor2Code"), rows[0].index("Actor2Name")
    for row in rows[1:]:
        for i in at:
            row[i] = ""
    path = tmp_path / "one-actor.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def test_gdelt_import_that_keeps_nothing_writes_nothing(cli, tmp_path):
    events, out = _one_actor_gdelt(tmp_path), tmp_path / "g.json"
    failed = cli("import", "gdelt", events, "--output", out)
    assert failed.exit_code == 1 and not out.exists()
    assert "not written: none of the 300 rows read" in last_error(failed)
    assert "one actor only" in last_error(failed)
    again = cli("import", "gdelt", events, "--output", out, "--one-actor", "place")
    assert again.exit_code == 0, again.stderr
    assert json.loads(out.read_text())["relations"]


def test_icews_import_that_keeps_nothing_writes_nothing(cli, tmp_path):
    lines = ICEWS.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    target = header.index("Target Name")
    blanked = [lines[0]]
    for line in lines[1:]:
        cells = line.split("\t")
        cells[target] = ""
        blanked.append("\t".join(cells))
    events, out = tmp_path / "one.tab", tmp_path / "i.json"
    events.write_text("\n".join(blanked) + "\n", encoding="utf-8")
    failed = cli("import", "icews", events, "--output", out)
    assert failed.exit_code == 1 and not out.exists()
    assert "not written: none of the" in last_error(failed)
    assert cli("import", "icews", ICEWS, "--output", out).exit_code == 0
    assert json.loads(out.read_text())["relations"]


def test_graph_import_that_keeps_nothing_writes_nothing(cli, tmp_path):
    graph = {
        "directed": True,
        "multigraph": True,
        "graph": {},
        "nodes": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "edges": [{"source": "a", "target": "b", "key": 0}],  # no relation type
    }
    path, out = tmp_path / "g.json", tmp_path / "out.json"
    path.write_text(json.dumps(graph))
    failed = cli("import", "graph", path, "--output", out)
    assert failed.exit_code == 1 and not out.exists()
    assert "skipped 1: no relation type on the edge" in last_error(failed)
    graph["edges"][0]["relation"] = "met"
    path.write_text(json.dumps(graph))
    assert cli("import", "graph", path, "--output", out).exit_code == 0
    assert len(json.loads(out.read_text())["relations"]) == 1


def test_merge_of_empty_files_writes_nothing(cli, tmp_path):
    a, b, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "m.json"
    assert cli("init", a).exit_code == 0 and cli("init", b).exit_code == 0
    failed = cli("import", "merge", a, b, "--output", out)
    assert failed.exit_code == 1 and not out.exists()
    assert f"{out}: not written" in last_error(failed)


# -- the import progress bar ends at its total --------------------------------------------


def test_import_progress_ends_at_every_total(tmp_path):
    from diplograph.importers.collector import BUCKETS
    from diplograph.importers.csv import import_csv

    edges = tmp_path / "edges.csv"
    rows = [f"Actor {n},Actor {n + 1},met" for n in range(2_457)]  # not a multiple of 2,000
    edges.write_text("a,b,t\n" + "\n".join(rows) + "\n")
    calls: list[tuple] = []

    def progress(step, done=None, total=None, unit=""):
        calls.append((step, done, total))

    report = import_csv(
        edges,
        str(tmp_path / "out.json"),
        source="a",
        target="b",
        type_column="t",
        progress=progress,
    )
    assert report.relations == 2_457
    last: dict[str, tuple] = {}
    for step, done, total in calls:
        last[step] = (done, total)
    assert set(last) == {"reading edges.csv", "merging rows", "writing relations"}
    assert last["writing relations"] == (2_457, 2_457)
    assert last["merging rows"][0] == last["merging rows"][1] <= BUCKETS
    assert last["reading edges.csv"] == (edges.stat().st_size,) * 2


# -- options in any case, suggested by meaning --------------------------------------------


def _commands(command, path=()):
    """(command line, click command) of every command of the app."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield path, command
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, (*path, name))


def _app_command():
    import typer

    from diplograph.cli.app import app

    return typer.main.get_command(app)


def test_every_choice_option_takes_any_case():
    seen = set()
    for path, command in _commands(_app_command()):
        for param in command.params:
            if getattr(param.type, "choices", None) is not None:
                seen.add(max(param.opts, key=len))
                assert param.type.case_sensitive is False, (path, param.opts)
    assert {"--format", "--type", "--direction", "--one-actor", "--category"} <= seen


@pytest.mark.parametrize(
    "args",
    [
        ["who-met", "Lukashenko"],
        ["list", "relations", "--limit", "3"],
        ["stats"],
        ["validate"],
        ["search", "Kellogg"],
    ],
)
def test_format_json_in_capitals_reads_as_json(cli, args):
    upper = cli(*args, "--format", "JSON")
    assert upper.exit_code == 0, upper.stderr
    assert upper.stdout == cli(*args, "--format", "json").stdout
    assert cli(*args, "-f", "Csv").stdout == cli(*args, "-f", "csv").stdout


def test_import_report_format_in_capitals(cli, tmp_path):
    out = tmp_path / "g.json"
    done = cli("import", "gdelt", GDELT_SLICE, "--output", out, "--format", "JSON")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["relations"] > 0


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["who-met", "Lukashenko", "--from", "2025"], "No such option: --from (did you mean "
         "'--since'?)"),
        (["timeline", "--to", "2025"], "No such option: --to (did you mean '--until'?)"),
        (["who-met", "Lukashenko", "--json"], "No such option: --json (did you mean "
         "'--format json'?)"),
        (["list", "entities", "--csv"], "No such option: --csv (did you mean '--format csv'?)"),
        (["timeline", "--at", "Minsk"], "No such option: --at (did you mean '--place'?)"),
        (["stats", "--from", "2025"], "No such option: --from"),  # no date filter: no --format
        (
            ["who-met", "Lukashenko", "--debug"],
            "No such option: --debug (--debug is an option of diplograph itself: give it "
            "before the command, 'diplograph --debug ...')",
        ),
    ],
)  # fmt: skip
def test_options_are_suggested_by_meaning(cli, args, error):
    result = cli(*args)
    assert result.exit_code == 2
    assert last_error(result) == f"Error: {error}"


def test_a_spelling_mistake_keeps_clicks_suggestion(cli):
    result = cli("who-met", "Lukashenko", "--sinse", "2025")
    assert result.exit_code == 2 and "--since" in last_error(result)


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["add", "entity", "--name", "X", "--type", "organisation"], "organization"),
        (["add", "entity", "--name", "X", "--type", "persn"], "person"),
        (["neighbors", "Lukashenko", "--direction", "outward"], "out"),
        (["who-met", "Lukashenko", "--format", "jsn"], "json"),
        (["import", "gdelt", GDELT_SLICE, "-o", "x.json", "--one-actor", "places"], "place"),
    ],
)
def test_every_choice_gets_a_did_you_mean(cli, args, meant):
    result = cli(*args)
    assert result.exit_code == 2
    assert last_error(result).endswith(f"(did you mean '{meant}'?)")


def test_a_choice_far_from_any_gets_no_guess(cli):
    result = cli("who-met", "Lukashenko", "--format", "xml")
    assert result.exit_code == 2
    assert "did you mean" not in last_error(result)
    assert "'xml' is not one of 'table', 'json', 'csv'" in last_error(result)


# -- validate --source-text FILE ----------------------------------------------------------


def test_source_text_without_id_is_the_one_sources(cli, tmp_path, mini_path):
    text = tmp_path / "source.txt"
    text.write_text("Alice met Bob. Bob released Carol. Carol met Dan. It could be.")
    ok = cli("validate", "--source-text", text, data=mini_path)
    assert ok.exit_code == 0, ok.stderr
    assert "4 quotes found verbatim in src" in ok.stdout


def test_source_text_without_id_names_the_sources_when_several(cli, tmp_path, write_data):
    from conftest import mini

    doc = mini()
    doc["sources"].append({"id": "other", "title": "U", "publisher": "P", "published": "2025"})
    path = write_data(doc)
    text = tmp_path / "source.txt"
    text.write_text("Alice met Bob.")
    result = cli("validate", "--source-text", text, data=path)
    assert result.exit_code == 2
    assert last_error(result) == (
        f"Error: --source-text {text}: the data has 2 sources (src, other); "
        f"say which with SOURCE_ID={text}"
    )


# -- search: a fuzzy match never beats a word match ---------------------------------------


def _word_rows_first(rows: list[dict], text: str) -> None:
    """Every row whose matched text holds ``text`` (folded) ranks above every row that
    is only similar to it."""
    from diplograph.model.text import fold

    holds = [fold(text) in fold(row["match"]) for row in rows]
    assert holds == sorted(holds, reverse=True), [(r["score"], r["match"][:40]) for r in rows]


def test_a_fuzzy_name_ranks_below_a_quote_holding_the_word(cli, write_data):
    from conftest import mini

    doc = mini()
    doc["entities"].append(
        {"id": "triumph", "name": "Multinational company", "type": "group",
         "aliases": ["Triumph Group Inc"]}
    )  # fmt: skip
    doc["relations"][2]["evidence"][0]["quote"] = "Carol met Dan, Trump said"
    path = write_data(doc)
    rows = json.loads(cli("search", "Trump", "-f", "json", data=path).stdout)
    assert [(r["kind"], r["id"]) for r in rows] == [("relation", "r3"), ("entity", "triumph")]
    assert rows[1]["score"] < rows[0]["score"]
    _word_rows_first(rows, "Trump")
    # a name holding the word ranks first of all
    doc["entities"].append({"id": "trump", "name": "Donald Trump", "type": "person"})
    rows = json.loads(cli("search", "Trump", "-f", "json", data=write_data(doc)).stdout)
    assert [r["id"] for r in rows] == ["trump", "r3", "triumph"]


@pytest.mark.parametrize("text", ["Lukashenko", "Tikhanovsky", "Kelog", "Minsk", "release"])
def test_word_matches_rank_first_on_the_bundled_data(cli, text):
    rows = json.loads(cli("search", text, "-f", "json", "--limit", "1000").stdout)
    assert rows
    _word_rows_first(rows, text)


def test_typos_still_find_the_person(cli):
    rows = json.loads(cli("search", "Kelog", "-f", "json").stdout)
    assert rows[0]["id"] == "kellogg"


@pytest.mark.skipif(not GDELT_SAMPLE.exists(), reason="../shared/realdata is not here")
def test_search_trump_on_the_gdelt_sample(cli, tmp_path):
    out = tmp_path / "gdelt.json"
    assert cli("import", "gdelt", GDELT_SAMPLE, "--output", out).exit_code == 0
    rows = json.loads(cli("search", "Trump", "-f", "json", "--limit", "1000", data=out).stdout)
    assert rows[0]["field"] == "evidence" and "trump" in rows[0]["match"].lower()
    triumph = [n for n, r in enumerate(rows) if r["match"] == "Triumph Group Inc"]
    assert triumph and triumph[0] == len(rows) - 1
    _word_rows_first(rows, "Trump")


# -- stats: component members keep their commas ------------------------------------------


def _component_doc(names: list[str]) -> dict:
    from conftest import mini

    doc = mini()
    doc["entities"] = [
        {"id": f"e{n}", "name": name, "type": "place" if "," in name else "person"}
        for n, name in enumerate(names)
    ]
    doc["relations"] = [
        {
            "id": f"r{n}",
            "type": "met",
            "source": "e0",
            "target": f"e{n}",
            "certainty": "stated",
            "evidence": [{"source": "src", "quote": f"met {n}"}],
        }
        for n in range(1, len(names))
    ]
    return doc


def _members_cell(stdout: str) -> str:
    """The members cell of the first component row of a stats table drawn wide."""
    lines = stdout.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("Components"))
    return lines[at + 3].split("│")[-1].strip()


def test_stats_members_are_not_joined_with_commas(cli, write_data, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    names = ["Accra, Greater Accra, Ghana", "Abuja, Nigeria", "Ado Ekiti, Ekiti, Nigeria"]
    names += ["Anna", "Bob"]
    path = write_data(_component_doc(names))
    cell = _members_cell(cli("stats", data=path).stdout)
    assert cell.split(" · ") == sorted(names)
    sections = json.loads(cli("stats", "-f", "json", data=path).stdout)
    assert sections["components"][0]["members"] == sorted(names)  # JSON: a list


def test_stats_members_beyond_eight_are_counted(cli, write_data, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    names = [f"Town {n:02}, Region" for n in range(12)]
    cell = _members_cell(cli("stats", data=write_data(_component_doc(names))).stdout)
    assert cell.split(" · ") == [*names[:8], "(and 4 more)"]


def test_stats_members_holding_a_middle_dot_go_one_per_line(cli, write_data, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    names = ["Saint·Denis, France", "Zed"]
    out = cli("stats", data=write_data(_component_doc(names))).stdout
    lines = out.splitlines()
    at = next(n for n, line in enumerate(lines) if line.startswith("Components"))
    cells = [line.split("│")[-1].strip() for line in lines[at + 3 : at + 5]]
    assert cells == names


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["who-met", "Lukashenko", "--certainty", "statd"], "stated"),
        (["list", "entities", "--type", "organisation"], "organization"),
        (["export", "-o", "-", "--format", "grapml"], "graphml"),
        (["export", "-o", "-", "--format", "cypher", "--dialect", "neo4"], "neo4j"),
    ],
)
def test_choices_checked_by_the_library_get_a_did_you_mean_too(cli, args, meant):
    result = cli(*args)
    assert result.exit_code == 2
    assert f"(did you mean '{meant}'? choose from " in last_error(result)


@pytest.mark.parametrize(
    ("option", "value", "meant"),
    [("--entity-type", "organisation", "organization"), ("--certainty", "coed", "coded")],
)
def test_import_csv_choices_get_a_did_you_mean(cli, tmp_path, option, value, meant):
    edges, out = _edges(tmp_path), tmp_path / "e.json"
    args = ["import", "csv", edges, "--source", "a", "--target", "b", "--type", "t"]
    result = cli(*args, "--output", out, option, value)
    assert result.exit_code == 2 and not out.exists()
    assert f"(did you mean '{meant}'? choose from " in last_error(result)
    ok = cli(*args, "--output", out, "--map", "meeting=met", option, meant.upper())
    assert ok.exit_code == 0, ok.stderr  # (any case)

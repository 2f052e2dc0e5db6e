"""Issue 29, "consistency and small breaks": a failed import writes nothing, options in
any case and suggested by meaning, choices with a did-you-mean, component members that
keep their commas, search that ranks word matches first, a progress bar that ends at
its total. (Search ranking and stats members, through one query command each, are in
``test_cli_queries.py``.)"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from conftest import last_error

DATA = Path(__file__).parent / "data"
GDELT_SLICE = DATA / "gdelt2_sample_slice.csv"
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


# -- stats: component members keep their commas ------------------------------------------


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

"""Issue 21: answers a reader expects, one name per concept, every format, tables that
never cut or stall (each point of the issue, through the CLI). What one query command
alone answers is in ``test_cli_queries.py``."""

import csv
import io
import json
import re

import pytest

from conftest import last_error

# -- places ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--place", "Minsk"],
        ["list", "relations", "--place", "Minsk"],
        ["neighbors", "Lukashenko", "--place", "Minsk"],
    ],
)
def test_place_filters_every_relation_list(cli, args):
    rows = json.loads(cli(*args, "--format", "json").stdout)
    assert rows and all(row["place_id"] == "minsk" for row in rows)


def test_place_filters_exports(cli, tmp_path):
    out = tmp_path / "minsk.json"
    result = cli("export", "-o", out, "--place", "Minsk")
    assert result.exit_code == 0, result.stderr
    graph = json.loads(out.read_text())
    assert graph["edges"] and all(edge["place"] == "minsk" for edge in graph["edges"])


def test_unknown_place_is_an_unknown_name(cli):
    result = cli("who-met", "Lukashenko", "--place", "Atlantis")
    assert result.exit_code == 1
    assert last_error(result).startswith("Error: no entity named 'Atlantis'")


def test_places_with_events_are_not_isolated_components(cli):
    sections = json.loads(cli("stats", "--format", "json").stdout)
    alone = [c["members"] for c in sections["components"] if c["size"] == 1]
    assert ["Minsk"] not in alone
    biggest = sections["components"][0]["members"]
    assert isinstance(biggest, list) and "Minsk" in biggest
    assert len(biggest) == sections["components"][0]["size"]


# -- months ---------------------------------------------------------------------------------


# -- search and names -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "entity"),
    [("Keith", "kellogg"), ("Yuri", "zenkovich"), ("Siarhei", "tsikhanouski")],
)
def test_a_first_name_finds_the_person(cli, typed, entity):
    card = json.loads(cli("show", typed, "-f", "json").stdout)
    assert card["id"] == entity


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("Pretrial", "Pretrial detention center"), ("Grand", "“Grand deal”")],
)
def test_a_first_word_suggests_the_name(cli, typed, suggested):
    result = cli("show", typed)
    assert result.exit_code == 1
    assert last_error(result) == f"Error: no entity named '{typed}' (did you mean '{suggested}'?)"


def test_nothing_close_points_to_search(cli):
    result = cli("show", "Qqqzzx")
    assert last_error(result) == (
        "Error: no entity named 'Qqqzzx'; look for it with: diplograph search Qqqzzx"
    )


def test_a_leading_the_is_ignored(cli):
    card = json.loads(cli("show", "the US", "-f", "json").stdout)
    assert card["id"] == "united-states"


# -- relations by id ------------------------------------------------------------------------


# -- one name per concept -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["list", "relations", "--relation", "met"],
        ["list", "relations", "--type", "met"],
        ["list", "relations", "-r", "MET"],
        ["timeline", "-r", "Met"],
    ],
)
def test_relation_types_one_option_any_case(cli, args):
    rows = json.loads(cli(*args, "-f", "json").stdout)
    assert rows and {row["type"] for row in rows} == {"met"}


def test_path_takes_relation_and_its_old_spelling(cli):
    new = cli("path", "Smith", "Zenkovich", "--relation", "met,released", "-f", "json").stdout
    old = cli("path", "Smith", "Zenkovich", "--via", "met,released", "-f", "json").stdout
    assert json.loads(new) == json.loads(old) and json.loads(new)
    assert "--via" not in cli("path", "--help").stdout


def test_certainty_any_case(cli):
    rows = json.loads(cli("list", "relations", "--certainty", "Hypothetical", "-f", "json").stdout)
    assert rows and {row["certainty"] for row in rows} == {"hypothetical"}


def test_export_infers_the_format_and_takes_a_name(cli, tmp_path):
    out = tmp_path / "z.graphml"
    result = cli("export", "--output", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text().lstrip().startswith("<?xml")
    ego = tmp_path / "kellogg.json"
    new = cli("export", "Kellogg", "--radius", "1", "-o", ego)
    assert new.exit_code == 0, new.stderr
    old_path = tmp_path / "old.json"
    assert cli("export", "--ego", "Kellogg", "-o", old_path).exit_code == 0
    assert json.loads(ego.read_text()) == json.loads(old_path.read_text())


def test_export_of_an_unknown_extension_asks_for_the_format(cli, tmp_path):
    result = cli("export", "-o", tmp_path / "z.xyz")
    assert result.exit_code == 2
    assert "cannot tell the format of" in last_error(result)


def test_data_given_twice_is_refused(cli):
    result = cli("--data", "a.json", "--data", "b.json", "stats")
    assert result.exit_code == 2
    assert last_error(result).startswith("Error: --data given 2 times ('a.json', 'b.json')")


def test_json_null_for_a_missing_date_or_place(cli):
    row = json.loads(cli("show", "zenkovich-citizen-of-united-states", "-f", "json").stdout)
    assert row["date"] is None and row["place"] is None and row["place_id"] is None


# -- validate -------------------------------------------------------------------------------


BAD = {
    "schema_version": 1,
    "sources": [{"id": "s", "title": "t", "publisher": "p", "published": "2025"}],
    "entities": [
        {"id": "a", "name": "A", "type": "person"},
        {"id": "b", "name": "B", "type": "organisation"},
    ],
    "relations": [
        {
            "id": "r1",
            "type": "meets",
            "source": "a",
            "target": "b",
            "certainty": "reported",
            "reported_by": "zz",
            "evidence": [{"source": "s", "quote": "q"}],
        }
    ],
}


def test_validate_reports_every_problem_at_once_with_suggestions(cli, tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps(BAD, indent=1))
    result = cli("validate", data=data)
    assert result.exit_code == 1
    errors = result.stderr
    assert "'organisation' is not one of" in errors and "(did you mean 'organization'?)" in errors
    fixed = {**BAD, "entities": [BAD["entities"][0], {**BAD["entities"][1], "type": "group"}]}
    data.write_text(json.dumps(fixed, indent=1))
    result = cli("validate", data=data)
    assert "unknown relation type 'meets' (did you mean 'met'?)" in result.stderr
    assert "reported_by: unknown entity 'zz'" in result.stderr


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_validate_speaks_json_and_csv(cli, tmp_path, fmt):
    data = tmp_path / "d.json"
    data.write_text(json.dumps(BAD))
    result = cli("validate", "--format", fmt, data=data)
    assert result.exit_code == 1
    if fmt == "json":
        rows = json.loads(result.stdout)
    else:
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and set(rows[0]) == {"file", "line", "id", "where", "problem"}
    typed = [row for row in rows if row["where"] == "entities[1].type"]
    assert [(str(row["line"]), row["id"]) for row in typed] == [("1", "b")]
    good = cli("validate", "--format", fmt)
    assert good.exit_code == 0
    assert good.stdout.strip() in ("[]", "file,line,id,where,problem")


def test_validate_places_problems_by_id_and_line(cli, tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps(BAD, indent=1))
    result = cli("validate", data=data)
    lines = data.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if '"r1"' in text)
    assert f"Error: {data}:{line}: relations[0] 'r1'.reported_by: unknown entity 'zz'" in (
        result.stderr.splitlines()
    )


# -- tables ---------------------------------------------------------------------------------


def test_tables_show_the_first_rows_and_say_how_many_more(cli):
    result = cli("list", "relations", "--limit", "3")
    assert result.stdout.count("carnegie-2025-06-24") >= 3
    total = len(json.loads(cli("list", "relations", "-f", "json").stdout))
    assert f"{total - 3} more rows not shown ({total} in all)" in result.stdout
    assert "--format csv" in result.stdout
    default = cli("list", "relations").stdout
    assert f"{total - 50} more rows not shown" in default
    assert "more rows not shown" not in cli("list", "relations", "--limit", "0").stdout
    rows = json.loads(cli("list", "relations", "-f", "json").stdout)
    assert len(rows) == total  # scripts get everything unless they ask for less


def _undecorated(text: str) -> str:
    return re.sub(r"[\s│┃━─╇┼]", "", text)


@pytest.mark.parametrize("width", ["60", "40"])
def test_narrow_terminals_get_records_never_cut_words(cli, monkeypatch, width):
    monkeypatch.setenv("COLUMNS", width)
    result = cli("who-met", "Kellogg")
    lines = result.stdout.splitlines()
    assert all(len(line) <= int(width) for line in lines)
    assert "evidence: " in result.stdout  # every field, one per line
    words = " ".join(lines).split()
    assert "2025-06-21" in words and "Kellogg" in " ".join(words)
    quote = "“Keith Kellogg met with Alexander Lukashenko in Minsk on June 21”"
    assert quote in " ".join(line.strip() for line in lines)


def test_wide_terminals_keep_the_table(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert "┃" in cli("who-met", "Kellogg").stdout


def test_piped_tables_have_no_trailing_spaces_and_no_color_means_no_style(cli, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")  # even when colour is forced otherwise
    out = cli("who-met", "Lukashenko").stdout
    assert "\x1b[" not in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_help_has_plain_metavars_and_whole_summaries(cli):
    top = cli("--help").stdout
    assert "..." not in top.split("Commands:")[1]
    for command in [["who-met"], ["path"], ["timeline"], ["neighbors"], ["export"], ["stats"]]:
        text = cli(*command, "--help").stdout
        assert "<int range>" not in text and "<str>" not in text, command
        assert "{NAME}" not in text, command


ALL_COMMANDS = [
    [],
    ["who-met"],
    ["path"],
    ["show"],
    ["neighbors"],
    ["search"],
    ["timeline"],
    ["stats"],
    ["list"],
    ["list", "relations"],
    ["list", "entities"],
    ["list", "types"],
    ["export"],
    ["draw"],
    ["validate"],
    ["import"],
    ["import", "gdelt"],
    ["import", "csv"],
    ["init"],
    ["add"],
    ["add", "relation"],
    ["add", "entity"],
    ["edit"],
    ["edit", "relation"],
    ["remove"],
    ["extract"],
]


@pytest.mark.parametrize("command", ALL_COMMANDS, ids=lambda c: " ".join(c) or "diplograph")
def test_every_help_reads_plainly(cli, command):
    text = cli(*command, "--help").stdout
    assert not re.search(r"<[a-z |]+>", text), text  # <str>, <int range>, <a|b>
    assert "{" not in text.split("\n", 1)[0], text  # usage line: NAME, not {NAME}
    if "Commands:" in text:
        summaries = text.split("Commands:")[1]
        assert not re.search(r"\.\.\.$", summaries, re.M), summaries


def test_import_report_as_csv(cli, tmp_path):
    edges = tmp_path / "edges.csv"
    edges.write_text("a,b,kind,url\nAnna,Boris,met,https://example.org/1\n")
    out = tmp_path / "out.json"
    columns = ["--source", "a", "--target", "b", "--type", "kind", "--url", "url"]
    result = cli("import", "csv", edges, "-o", out, *columns, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"field", "value"} == set(rows[0])
    assert any(row["field"] == "relations" for row in rows)


def test_entity_types_any_case(cli):
    rows = json.loads(cli("list", "entities", "--type", "Country", "-f", "json").stdout)
    assert rows and {row["type"] for row in rows} == {"country"}

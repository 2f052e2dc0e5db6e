"""The query commands through the CLI (who-met, path, show, neighbors, timeline,
search, stats, list): every format, their errors, then each command's own tests."""

import csv
import io
import json

import pytest

from conftest import SHARED, last_error

GDELT_SAMPLE = SHARED / "realdata" / "gdelt2_events2samps.csv"

WHO_MET_KEYS = {"id", "name", "date", "place", "certainty", "relation_id", "evidence"}
PATH_KEYS = {
    "from_id",
    "from_name",
    "relation",
    "to_id",
    "to_name",
    "date",
    "certainty",
    "relation_id",
    "evidence",
}

COMMANDS = [
    ("show", "Zenkovich"),
    ("neighbors", "Zenkovich", "--depth", "2"),
    ("search", "Tikhanovsky"),
    ("timeline", "Lukashenko"),
    ("timeline",),
    ("timeline", "Lukashenko", "Smith"),
    ("stats",),
    ("list", "entities", "--type", "person"),
    ("list", "relations", "--type", "released"),
    ("path", "Kellogg", "Tsikhanouski", "--k", "3"),
    ("path", "Smith", "Zenkovich", "--chronological"),
    ("path", "Trump", "Tsikhanouski", "--all"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_formats(cli, args):
    table = cli(*args)
    assert table.exit_code == 0, table.stderr
    assert table.stdout.strip()
    as_json = json.loads(cli(*args, "--format", "json").stdout)
    assert as_json
    as_csv = cli(*args, "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(as_csv)))
    assert len(rows) > 1


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_entity_rows_carry_id_and_name(cli, args):
    data = json.loads(cli(*args, "--format", "json").stdout)
    rows = data if isinstance(data, list) else data.get("most_connected", [data])
    for row in rows:
        if "from_id" in row:
            assert row["from_name"] and row["to_name"]
        elif "id" in row:
            assert "name" in row


def test_show_tree(cli):
    out = cli("show", "Zenkovich").stdout
    assert out.startswith("Yuri Zenkovich (zenkovich, person)")
    assert "was released by Alexander Lukashenko" in out
    assert "“In April, Lukashenko released the last political prisoner" in out


def test_show_json_groups_by_type(cli):
    card = json.loads(cli("show", "Zenkovich", "-f", "json").stdout)
    assert set(card["relations"]) == {"released", "escorted", "citizen-of"}
    assert card["aliases"][0] == "Zenkovich"


def test_neighbors_tree(cli):
    out = cli("neighbors", "Cole", "--depth", "2", "--tree").stdout
    lines = out.splitlines()
    assert lines[0] == "John Cole"
    assert any("is deputy of Keith Kellogg" in line for line in lines)
    assert any("met Alexander Lukashenko" in line for line in lines)


def test_neighbors_direction_and_relation(cli):
    rows = json.loads(
        cli(
            "neighbors", "Lukashenko", "--relation", "released", "--direction", "out", "-f", "json"
        ).stdout
    )
    assert {r["id"] for r in rows} == {"zenkovich", "tsikhanouski", "june-21-prisoners"}
    assert {r["direction"] for r in rows} == {"out"}


def test_search_no_match(cli):
    result = cli("search", "qqqqxxxxzzzz")
    assert result.exit_code == 0 and "no matches" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("neighbors", "Lukashenko", "--relation", "freed"),
            2,
            "Error: unknown relation type 'freed'",
        ),
        (("neighbors", "Lukashenko", "--direction", "up"), 2, "Invalid value for '--direction'"),
        (("neighbors", "Lukashenko", "--depth", "0"), 2, "Invalid value for '--depth'"),
        (("timeline", "A", "B", "C"), 2, "Error: timeline takes at most two names"),
        (
            ("timeline", "--since", "soon"),
            2,
            "Error: bad date filter: cannot read 'soon' as a date",
        ),
        (("list", "entities", "--type", "planet"), 2, "Error: unknown entity type 'planet'"),
        (("search", "  "), 2, "Error: empty search text"),
        (("path", "Trump", "Kellogg", "--all", "--k", "2"), 2, "Error: --all cannot be combined"),
        (
            ("path", "Trump", "Kellogg", "--avoid", "Kellogg"),
            2,
            "Error: cannot avoid 'Keith Kellogg'",
        ),
        (
            ("path", "Russia", "Smith", "--chronological"),
            1,
            "Error: no path between Russia and Christopher Smith under the given constraints",
        ),
        (("show", "Nobody Here"), 1, "Error: no entity named 'Nobody Here'"),
        (
            ("who-met", "Lukashenkko"),
            1,
            "Error: no entity named 'Lukashenkko' (did you mean 'Alexander Lukashenko'",
        ),
        (("who-met", ""), 2, "Error: empty name '': type a name, alias or id"),
        (
            ("path", "Trump", "Trump"),
            2,
            "Error: the two names are the same entity: give two different ones",
        ),
        (
            ("who-met", "Lukashenko", "--since", "2025-13"),
            2,
            "Error: bad date filter: '2025-13' has an impossible month '13'",
        ),
        (
            ("who-met", "Lukashenko", "--certainty", "sure"),
            2,
            "Error: unknown certainty 'sure' "
            "(choose from stated, reported, hedged, hypothetical, coded)",
        ),
        (
            ("path", "Trump", "Minsk", "--via", "meet"),
            2,
            "Error: unknown relation type 'meet' (did you mean 'met'?)",
        ),
    ],
)
def test_errors(cli, args, code, message):
    result = cli(*args)
    assert result.exit_code == code
    said = last_error(result)
    assert said.startswith(message) if message.startswith("Error: ") else message in said
    assert "Traceback" not in result.stderr + result.stdout


def test_completion_of_names():
    from diplograph.cli.options import complete_name as _complete_name

    class Ctx:
        params = {"data": None}

        def find_root(self):
            return self

    names = _complete_name(Ctx(), "Tsikh")
    assert "Tsikhanouski" in names and "Tsikhanouskaya" in names


def test_shell_completion_through_the_real_cli():
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "diplograph"
    if not script.exists():
        pytest.skip("the diplograph script is not installed next to this Python")
    env = {
        **os.environ,
        "_DIPLOGRAPH_COMPLETE": "complete_bash",
        "COMP_WORDS": "diplograph who-met Tsikh",
        "COMP_CWORD": "2",
    }
    result = subprocess.run([str(script)], env=env, capture_output=True, text=True, check=False)
    assert result.stdout.split() == ["Tsikhanouskaya", "Tsikhanouski"], result.stderr


# -- who-met -------------------------------------------------------------------------------


def test_who_met_table(cli):
    result = cli("who-met", "Lukashenko")
    assert result.exit_code == 0, result.stderr
    for name in ("Keith Kellogg", "Christopher Smith", "Siarhei Tsikhanouski"):
        assert name in result.stdout
    assert "Keith Kellogg met with Alexander Lukashenko in Minsk on June 21" in result.stdout
    assert "carnegie-2025-06-24" in result.stdout


def test_who_met_json(cli):
    result = cli("who-met", "Lukashenko", "--format", "json")
    rows = json.loads(result.stdout)
    assert set(rows[0]) >= WHO_MET_KEYS
    assert [r["id"] for r in rows][-2:] == ["smith", "kellogg"]  # sorted by date
    kellogg = rows[-1]
    assert (kellogg["date"], kellogg["place"], kellogg["certainty"]) == (
        "2025-06-21",
        "Minsk",
        "stated",
    )
    assert kellogg["evidence"] == [
        {
            "source": "carnegie-2025-06-24",
            "quote": "Keith Kellogg met with Alexander Lukashenko in Minsk on June 21",
        }
    ]


def test_who_met_csv_has_json_keys(cli):
    as_json = json.loads(cli("who-met", "Lukashenko", "-f", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(cli("who-met", "Lukashenko", "-f", "csv").stdout)))
    assert list(rows[0]) == list(as_json[0])
    assert json.loads(rows[-1]["evidence"]) == as_json[-1]["evidence"]


def test_who_met_either_direction(cli):
    rows = json.loads(cli("who-met", "Kellogg", "-f", "json").stdout)
    assert [r["id"] for r in rows] == ["lukashenko"]


def test_who_met_nobody(cli):
    result = cli("who-met", "Putin")
    assert result.exit_code == 0
    assert "no recorded meetings with Putin" in result.stdout
    assert json.loads(cli("who-met", "Putin", "-f", "json").stdout) == []


def test_who_met_filters(cli):
    # a date window keeps relations whose dates can fall in it (bounds overlap)
    rows = json.loads(cli("who-met", "Lukashenko", "--since", "2025-03", "-f", "json").stdout)
    assert [r["id"] for r in rows] == ["opposition-leaders-2020", "tsikhanouski", "kellogg"]
    rows = json.loads(cli("who-met", "Lukashenko", "--since", "2025-06-22", "-f", "json").stdout)
    assert rows == []
    rows = json.loads(cli("who-met", "Lukashenko", "--until", "2025-02", "-f", "json").stdout)
    assert [r["id"] for r in rows] == ["opposition-leaders-2020", "tsikhanouski", "smith"]
    rows = json.loads(cli("who-met", "Lukashenko", "--certainty", "hedged", "-f", "json").stdout)
    assert rows == []


def test_who_met_in_a_place(cli):
    rows = json.loads(cli("who-met", "Lukashenko", "--place", "Minsk", "-f", "json").stdout)
    assert {row["id"] for row in rows} == {"kellogg", "smith"}
    assert all(row["place_id"] == "minsk" for row in rows)
    assert (
        "Who met Alexander Lukashenko in Minsk"
        in cli("who-met", "Lukashenko", "--place", "Minsk").stdout
    )


def test_ambiguous(cli, mini_path):
    result = cli("who-met", "Smith", data=mini_path)
    assert result.exit_code == 1
    assert last_error(result) == (
        "Error: 'Smith' matches 2 entities: Bob Smith (bob), "
        "Carol Smith (carol); type a full name or an id"
    )


# -- path ----------------------------------------------------------------------------------


def test_path_reads_true_direction(cli):
    rows = json.loads(cli("path", "Trump", "Tsikhanouski", "-f", "json").stdout)
    assert set(rows[0]) >= PATH_KEYS
    hops = [(r["from_id"], r["relation"], r["to_id"]) for r in rows]
    assert hops == [  # the Kellogg chain (people, dated) before "negotiates with US"
        ("kellogg", "is envoy of", "trump"),
        ("kellogg", "met", "lukashenko"),
        ("lukashenko", "released", "tsikhanouski"),
    ]


def test_path_table_and_csv(cli):
    table = cli("path", "Trump", "Tsikhanouski")
    assert "Keith Kellogg met Alexander Lukashenko" in table.stdout
    assert "Alexander Lukashenko released Siarhei Tsikhanouski" in table.stdout
    rows = list(
        csv.DictReader(io.StringIO(cli("path", "Trump", "Tsikhanouski", "-f", "csv").stdout))
    )
    assert [r["to_name"] for r in rows][-1] == "Siarhei Tsikhanouski"


def test_no_path(cli, mini_path, write_data):
    result = cli("path", "Trump", "Pretrial detention center")  # a place only: no relation
    assert result.exit_code == 1
    assert last_error(result) == "Error: no path between Donald Trump and Pretrial detention center"


# -- show ----------------------------------------------------------------------------------


def test_a_place_card_shows_what_happened_there(cli):
    card = json.loads(cli("show", "Minsk", "--format", "json").stdout)
    here = {row["relation_id"] for row in card["happened_here"]}
    assert {"kellogg-met-lukashenko", "smith-met-lukashenko"} <= here
    shown = cli("show", "Minsk").stdout
    assert "happened here" in shown and "Keith Kellogg met Alexander Lukashenko" in shown


def test_show_a_relation_by_its_id(cli):
    result = cli("show", "kellogg-met-lukashenko")
    assert result.exit_code == 0, result.stderr
    assert "Keith Kellogg met Alexander Lukashenko" in result.stdout
    assert "Keith Kellogg met with Alexander Lukashenko in Minsk on June 21" in result.stdout
    row = json.loads(cli("show", "kellogg-met-lukashenko", "-f", "json").stdout)
    assert (row["relation_id"], row["place_id"], row["date"]) == (
        "kellogg-met-lukashenko",
        "minsk",
        "2025-06-21",
    )


# -- timeline ------------------------------------------------------------------------------


def test_a_place_timeline_holds_its_meetings(cli):
    rows = json.loads(cli("timeline", "Minsk", "--format", "json").stdout)
    assert "kellogg-met-lukashenko" in {row["relation_id"] for row in rows}


def test_within_keeps_only_relations_inside_the_window(cli):
    overlap = json.loads(
        cli("timeline", "--since", "2025-02", "--until", "2025-02", "-f", "json").stdout
    )
    inside = json.loads(
        cli("timeline", "--since", "2025-02", "--until", "2025-02", "--within", "-f", "json").stdout
    )
    assert len(inside) < len(overlap)
    assert all(row["date"].startswith("2025-02") for row in inside)
    assert "smith-met-lukashenko" in {row["relation_id"] for row in inside}


@pytest.mark.parametrize("month", ["February", "feb", "February 2025", "Feb 2025", "2025-02"])
def test_months_in_words(cli, month):
    expected = cli("timeline", "--since", "2025-02", "--until", "2025-02", "-f", "json").stdout
    found = cli("timeline", "--since", month, "--until", month, "-f", "json")
    assert found.exit_code == 0, found.stderr
    assert found.stdout == expected


def test_within_needs_a_window(cli):
    result = cli("timeline", "--within")
    assert result.exit_code == 2
    assert last_error(result) == "Error: within needs a date window: a start, an end or both"


def test_timeline_says_how_many_undated_it_left_out(cli):
    result = cli("timeline", "Zenkovich", "United States")
    assert "no dated relations match" in result.stdout
    assert "1 undated relation left out" in result.stdout
    said = " ".join(result.stdout.split())
    assert "list relations --between Zenkovich --between 'United States' shows it" in said
    rows = json.loads(
        cli(
            "list",
            "relations",
            "--between",
            "Zenkovich",
            "--between",
            "United States",
            "-f",
            "json",
        ).stdout
    )
    assert [row["type"] for row in rows] == ["citizen-of"]


# -- search: names first; a fuzzy match never beats a word match ---------------------------


def test_search_ranks_names_starting_with_the_text_first(cli):
    rows = json.loads(cli("search", "Tsikh", "-f", "json").stdout)
    assert rows[0]["id"] in ("tsikhanouski", "tsikhanouskaya")
    assert "tsikhanouski" in [row["id"] for row in rows[:2]]
    rows = json.loads(cli("search", "Lukash", "-f", "json").stdout)
    assert rows[0]["id"] == "lukashenko"
    assert rows[0]["score"] > 80


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


# -- stats: component members keep their commas --------------------------------------------


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

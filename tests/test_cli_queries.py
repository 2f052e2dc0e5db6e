"""The query commands through the CLI: every format, and their errors."""

import csv
import io
import json

import pytest

from conftest import last_error

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
    ],
)
def test_errors(cli, args, code, message):
    result = cli(*args)
    assert result.exit_code == code
    assert message in last_error(result)


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

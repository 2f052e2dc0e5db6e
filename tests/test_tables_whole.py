"""Tables never lose text: every command's table, drawn at many widths on the bundled
data and on a generated graph of long names and quotes, shows every quote, id, date and
name whole (read down each column: no dropped character, no word cut across lines)."""

from __future__ import annotations

import json

import pytest

WIDTHS = (40, 60, 80, 100, 120, 200)

BUNDLED = (
    ("who-met", "Lukashenko"),
    ("list", "relations", "--certainty", "reported"),
    ("list", "entities"),
    ("timeline", "--since", "February", "--until", "February", "--within"),
    ("timeline", "--since", "February", "--until", "February"),
    ("timeline",),
    ("search", "Trump"),
    ("search", "released"),
    ("path", "Trump", "Tsikhanouski"),
    ("neighbors", "Lukashenko"),
    ("stats",),
)

LONG = "Konstantinopoulos-Papadimitriou"


def long_graph() -> dict:
    """Long names, long ids, quotes with inner quotes and long tokens, spans as dates."""
    people = [
        ("general", f"Lieutenant-General Alexandros {LONG} of the Hellenic Republic"),
        ("committee", "International Committee for the Humanitarian Release of Detainees"),
        ("envoy", "Special Envoy “the Fixer” Smith"),
        ("city", "Saint-Jean-sur-Richelieu, Montérégie, Québec"),
    ]
    entities = [
        {"id": f"{key}-with-a-very-long-identifier-{n:02d}", "name": name, "type": "person"}
        for n, (key, name) in enumerate(people)
    ]
    entities[3]["type"] = "place"
    ids = [e["id"] for e in entities]
    quote = (
        "they discussed a “grand deal”—a mass release of political prisoners in exchange "
        f"for lifting some sanctions (see https://example.org/{LONG}/report-2025-02-14.html)"
    )
    relations = [
        {
            "id": f"relation-{a}-{b}-with-an-extraordinarily-long-identifier",
            "type": kind,
            "source": ids[a],
            "target": ids[b],
            "date": date,
            "date_text": "Two weeks later, on the fourteenth",
            "certainty": certainty,
            "evidence": [{"source": "the-source-with-a-long-id-2025-06-24", "quote": quote}],
            **extra,
        }
        for a, b, kind, date, certainty, extra in (
            (0, 1, "met", "2025-02-04/2025-02-14", "reported", {"reported_by": ids[2]}),
            (1, 2, "met", "2025-02-14", "stated", {"place": ids[3]}),
            (2, 0, "released", "2025-02", "stated", {}),
        )
    ]
    return {
        "schema_version": 1,
        "sources": [
            {
                "id": "the-source-with-a-long-id-2025-06-24",
                "title": "T",
                "publisher": "P",
                "published": "2025-06-24",
            }
        ],
        "entities": entities,
        "relations": relations,
    }


LONG_COMMANDS = (
    ("who-met", "general-with-a-very-long-identifier-00"),
    ("list", "relations"),
    ("list", "entities"),
    ("timeline",),
    ("search", LONG),
    ("path", "general-with-a-very-long-identifier-00", "envoy-with-a-very-long-identifier-02"),
    ("neighbors", "general-with-a-very-long-identifier-00"),
    ("stats",),
)


def norm(text: str) -> str:
    return " ".join(text.split())


def readings(out: str) -> list[str]:
    """The texts a reader reads in ``out``: each table column read top to bottom, and the
    lines outside tables (records, titles, notes) read in order."""
    texts: list[str] = []
    loose: list[str] = []
    columns: list[list[str]] | None = None
    for line in out.split("\n"):
        if "╇" in line:  # the rule under a table's header
            columns = [[] for _ in range(line.count("╇") + 1)]
            continue
        if columns is not None:
            if set(line.strip()) <= set("─┼") and line.strip():
                continue
            if line.count("│") == len(columns) - 1 and line.strip():
                for column, part in zip(columns, line.split("│"), strict=True):
                    column.append(part)
                continue
            texts.extend(norm(" ".join(c)) for c in columns)
            columns = None
        if "┃" in line:  # a header line: the next line is the rule
            continue
        loose.append(line)
    if columns is not None:
        texts.extend(norm(" ".join(c)) for c in columns)
    texts.append(norm(" ".join(loose)))
    return texts


def values(rows) -> set[str]:
    """Every quote, id, date and name (and other text) in a command's JSON answer."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str) and value.strip():
            found.add(norm(value))

    walk(rows)
    return found


def whole(value: str, texts: list[str], width: int) -> bool:
    if any(value in text for text in texts):
        return True
    if max(map(len, value.split())) > width - 16:  # longer than a line: it must fold
        squeezed = value.replace(" ", "")
        return any(squeezed in text.replace(" ", "") for text in texts)
    return False


def check_command(cli, args, data=None) -> None:
    wide = cli(*args, data=data, env={"COLUMNS": "2000"})
    assert wide.exit_code == 0, wide.stderr
    answer = cli(*args, "--format", "json", data=data)
    shown = {
        v for v in values(json.loads(answer.stdout)) if any(v in t for t in readings(wide.stdout))
    }
    assert shown, f"{args}: nothing of the JSON answer is shown at 2000 columns"
    for width in WIDTHS:
        out = cli(*args, data=data, env={"COLUMNS": str(width)}).stdout
        texts = readings(out)
        lost = sorted(v for v in shown if not whole(v, texts, width))
        assert not lost, f"{' '.join(args)} at {width} columns loses text: {lost[:3]}\n{out}"
        assert max(len(line) for line in out.split("\n")) <= width, f"wider than {width}"


@pytest.fixture
def cli_env():
    from typer.testing import CliRunner

    from diplograph.cli.app import app

    runner = CliRunner()

    def run(*args, data=None, env=None):
        argv = (["--data", str(data)] if data is not None else []) + [str(a) for a in args]
        return runner.invoke(app, argv, env=env, catch_exceptions=False)

    return run


@pytest.mark.parametrize("args", BUNDLED, ids=" ".join)
def test_bundled_tables_keep_every_character(cli_env, args):
    check_command(cli_env, args)


@pytest.mark.parametrize("args", LONG_COMMANDS, ids=" ".join)
def test_long_names_and_quotes_keep_every_character(cli_env, write_data, args):
    check_command(cli_env, args, data=write_data(long_graph()))


def test_the_check_sees_a_dropped_character():
    """The reader of columns is not fooled: a cut word or a lost character is seen."""
    table = (
        " when     ┃ evidence\n"
        "━━━━━━━━━━╇━━━━━━━━━━\n"
        " 2025-02-1│ “release\n"
        " 4        │ of politica\n"
    )
    texts = readings(table)
    assert not whole("2025-02-14", texts, 80)
    assert not whole("“release of political", texts, 80)
    assert whole("“release of politica", texts, 80)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_probe_fits_exactly_when_the_whole_table_fits(width):
    """``fits`` measures a one-row probe (each column's longest word) instead of every
    cell: it must give the whole table's answer, with wide (CJK) and long words too."""
    from rich.console import Console

    from diplograph.cli import render

    columns = [("who", lambda r: r["who"]), ("evidence", lambda r: r["quote"])]
    rows = [
        {"who": "Alexander Lukashenko", "quote": "met with him in Minsk on June 21"},
        {"who": "习近平 Xi Jinping", "quote": f"“{LONG}” said, see https://example.org/{LONG}"},
        {"who": "Лукашенко", "quote": "a [bold]markup-looking[/bold] word and an-ordinary-one"},
    ]
    console = Console(width=width, file=None, color_system=None)
    for lines in (True, False):
        for some in (rows[:1], rows, rows[::-1]):
            cells = render._plain_cells(some, columns)
            shown = render.table(some, columns, "t", lines=lines, cells=cells)
            small = render.probe(shown, columns, cells)
            assert render.fits(console, small) == render.fits(console, shown), (width, some)

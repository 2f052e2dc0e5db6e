"""init, add, edit and remove through the CLI: what they write, their errors (exact last
line of stderr, exit code), atomic writes and the layout-preserving write."""

import difflib
import json
import shutil
from pathlib import Path

import pytest

from conftest import ARTICLE, ROOT, last_error, unplaced
from diplograph.cli.app import Interrupted
from diplograph.curate import document

ARTICLE_TEXT = """Peace talks in Geneva

Published on March 3, 2025

Foreign Minister Anna Berg met with her Norwegian counterpart Lars Dahl in Geneva on
February 27. Two days later, Berg’s ministry released a statement. In late January, Dahl
had visited Oslo’s partners — quietly.
"""


@pytest.fixture
def curated(tmp_path, cli):
    """A new data file with a source (its text stored), three entities and a relation."""
    path = tmp_path / "talks.json"
    article = tmp_path / "article.txt"
    article.write_text(ARTICLE_TEXT, encoding="utf-8")
    steps = [
        ("init", str(path)),
        ("add", "source", "--id", "herald-2025-03-03", "--title", "Peace talks in Geneva")
        + ("--publisher", "The Herald", "--published", "2025-03-03", "--text", str(article)),
        ("add", "entity", "--name", "Anna Berg", "--type", "person", "--alias", "Berg"),
        ("add", "entity", "--name", "Lars Dahl", "--type", "person", "--alias", "Dahl"),
        ("add", "entity", "--name", "Geneva", "--type", "place"),
        ("add", "relation", "--type", "met", "Berg", "Dahl")
        + ("--quote", "Anna Berg met with her Norwegian counterpart", "--date", "February 27"),
    ]
    for step in steps:
        data = None if step[0] == "init" else path
        result = cli(*step, data=data)
        assert result.exit_code == 0, (step, result.stderr)
    return path


def doc_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_init_writes_a_valid_empty_file_with_its_schema(tmp_path, cli):
    path = tmp_path / "new.json"
    result = cli("init", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"wrote {path}, {tmp_path / 'schema.json'}\n"
    assert doc_of(path) == {
        "$schema": "./schema.json",
        "schema_version": 1,
        "sources": [],
        "entities": [],
        "relations": [],
    }
    schema = doc_of(tmp_path / "schema.json")
    assert schema == json.loads((ROOT / "data" / "schema.json").read_text(encoding="utf-8"))
    assert cli("validate", data=path).stdout == "ok: 2 files, 0 entities, 0 relations\n"
    assert cli("validate", data=tmp_path).exit_code == 0  # a folder skips schema.json


def test_init_schema_validates_the_file(tmp_path, cli, curated):
    jsonschema = pytest.importorskip("jsonschema")
    schema = doc_of(curated.parent / "schema.json")
    jsonschema.validate(doc_of(curated), schema)


def test_init_errors(tmp_path, cli):
    path = tmp_path / "new.json"
    cli("init", str(path))
    again = cli("init", str(path))
    assert (again.exit_code, last_error(again)) == (
        1,
        f"Error: {path}: already exists (use --force to overwrite)",
    )
    assert cli("init", str(path), "--force").exit_code == 0
    nowhere = cli("init", str(tmp_path / "no" / "x.json"))
    assert last_error(nowhere) == (
        f"Error: {tmp_path / 'no' / 'x.json'}: folder '{tmp_path / 'no'}' does not exist"
    )


def test_the_walkthrough_writes_what_it_says(curated, cli):
    doc = doc_of(curated)
    assert doc["sources"] == [
        {
            "id": "herald-2025-03-03",
            "title": "Peace talks in Geneva",
            "publisher": "The Herald",
            "published": "2025-03-03",
            "text": "sources/herald-2025-03-03.txt",
        }
    ]
    stored = curated.parent / "sources" / "herald-2025-03-03.txt"
    assert stored.read_text(encoding="utf-8") == ARTICLE_TEXT
    assert [e["id"] for e in doc["entities"]] == ["berg", "dahl", "geneva"]
    assert doc["relations"] == [
        {
            "id": "berg-met-dahl",
            "type": "met",
            "source": "berg",
            "target": "dahl",
            "date": "2025-02-27",
            "date_text": "February 27",
            "certainty": "stated",
            "evidence": [
                {
                    "source": "herald-2025-03-03",
                    "quote": "Anna Berg met with her Norwegian counterpart",
                }
            ],
        }
    ]
    result = cli("validate", data=curated)
    assert result.stdout == (
        "ok: 2 files, 3 entities, 1 relations; 1 quotes found verbatim in herald-2025-03-03\n"
    )
    assert cli("who-met", "Berg", "-f", "json", data=curated).exit_code == 0


def test_add_relation_prints_the_relation(curated, cli):
    result = cli(
        "add",
        "relation",
        "-t",
        "visited",
        "Dahl",
        "Geneva",
        "-q",
        "in Geneva on\nFebruary 27",
        "--date",
        "2025-02-27",
        data=curated,
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"added relation dahl-visited-geneva: dahl visited geneva 2025-02-27 · stated "
        f"(in {curated})\n"
    )
    record = doc_of(curated)["relations"][-1]
    assert "date_text" not in record  # EDTF given: no words to keep


def test_add_relation_json_and_the_same_fact_again(curated, cli):
    result = cli(
        "add",
        "relation",
        "--type",
        "met",
        "Lars Dahl",  # the other way round: met is symmetric
        "Anna Berg",
        "--quote",
        "Foreign Minister Anna Berg",
        "--format",
        "json",
        data=curated,
    )
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)
    assert (row["action"], row["id"]) == ("merged", "berg-met-dahl")
    assert [e["quote"] for e in row["record"]["evidence"]] == [
        "Anna Berg met with her Norwegian counterpart",
        "Foreign Minister Anna Berg",
    ]
    assert len(doc_of(curated)["relations"]) == 1
    again = cli(
        "add", "relation", "-t", "met", "Berg", "Dahl", "-q", "Foreign Minister Anna Berg",
        data=curated,
    )  # fmt: skip
    assert (again.exit_code, last_error(again)) == (
        1,
        "Error: relation 'berg-met-dahl' already has this evidence",
    )


def test_a_different_date_is_another_relation(curated, cli):
    result = cli(
        "add", "relation", "-t", "met", "Berg", "Dahl", "-q", "Two days later",
        "--date", "March 1", "--certainty", "hedged", data=curated,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert [r["id"] for r in doc_of(curated)["relations"]] == ["berg-met-dahl", "berg-met-dahl-2"]


def test_add_relation_with_place_reported_by_and_note(curated, cli):
    result = cli(
        "add", "relation", "-t", "visited", "Dahl", "Geneva", "-q", "Dahl\nhad visited",
        "--date", "late January", "--place", "geneva", "--certainty", "reported",
        "--reported-by", "Anna Berg", "--note", "A guess.", "-f", "json", data=curated,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)["record"]
    assert record == {
        "id": "dahl-visited-geneva",
        "type": "visited",
        "source": "dahl",
        "target": "geneva",
        "date": "2025-01-21/2025-01-31",
        "date_text": "late January",
        "place": "geneva",
        "certainty": "reported",
        "reported_by": "berg",
        "evidence": [{"source": "herald-2025-03-03", "quote": "Dahl\nhad visited"}],
        "note": "A guess.",
    }


ERRORS = [
    (
        ["add", "relation", "-t", "mets", "Berg", "Dahl", "-q", "Anna Berg"],
        2,
        "Error: unknown relation type 'mets' (did you mean 'met'?)",
    ),
    (
        ["add", "relation", "-t", "met", "Berk", "Dahl", "-q", "Anna Berg"],
        1,
        "Error: no entity named 'Berk' (did you mean 'Anna Berg'?)",
    ),
    (
        ["add", "relation", "-t", "met", "Berg", "Berg", "-q", "Anna Berg"],
        1,
        "Error: a relation cannot join 'berg' to itself",
    ),
    (
        ["add", "relation", "-t", "met", "Berg", "Dahl", "-q", "Anna Berg met with his Norwegian"],
        1,
        'Error: quote "Anna Berg met with his Norwegian" is not in source '
        "'herald-2025-03-03'; the text has: \"Anna Berg met with her Norwegian\"",
    ),
    (
        ["add", "relation", "-t", "met", "Berg", "Dahl", "-q", "Berg's ministry"],
        1,
        'Error: quote "Berg\'s ministry" differs only in quote marks, dashes or spacing '
        "from source 'herald-2025-03-03'; the text has: \"Berg’s ministry\"",
    ),
    (
        ["add", "relation", "-t", "met", "Berg", "Dahl", "-q", "Two days later"]
        + ["--date", "two days later"],
        2,
        "Error: --date: 'two days later' is relative to another event, not to the "
        "publication date: give the date in EDTF (--date 2025-02-04/2025-02-14) and keep "
        "the words with --date-text",
    ),
    (
        ["add", "relation", "-t", "met", "Berg", "Dahl", "-q", "x", "--certainty", "reported"],
        2,
        "Error: --certainty reported needs --reported-by (who reported it)",
    ),
    (
        ["add", "relation", "-t", "met", "Berg", "Dahl"],
        2,
        "Error: give the words of the source with --quote",
    ),
    (
        ["add", "relation", "-t", "met", "Berg", "Dahl", "-q", "Anna", "--evidence-source", "h"],
        1,
        "Error: unknown source 'h'",
    ),
    (
        ["add", "relation", "-t", "visited", "Dahl", "Geneva", "-q", "Geneva", "--note", "a\x01"],
        1,
        "Error: {path}: relations[1].note: contains a control character",
    ),
    (
        ["add", "source", "--id", "herald-2025-03-03", "--title", "T", "--publisher", "P"]
        + ["--published", "2025-03-03"],
        1,
        "Error: source 'herald-2025-03-03' already exists",
    ),
    (
        ["add", "source", "--title", "T", "--publisher", "P", "--published", "March"],
        2,
        "Error: --published: 'March' is not an EDTF date (expected e.g. 2025-06-21, "
        "2025-04, 2024-23)",
    ),
    (
        ["add", "entity", "--name", "Anna Berg", "--type", "person"],
        1,
        "Error: 'Anna Berg' already names entity 'berg' (add an alias to it with 'edit "
        "entity berg --alias ...', or use --force for another one)",
    ),
    (
        ["add", "entity", "--name", "X", "--type", "person", "--id", "Bad Id"],
        1,
        "Error: 'Bad Id' is not a valid entity id (lowercase letters, digits and '-', "
        "e.g. 'bad-id')",
    ),
    (
        ["edit", "relation", "berg-met-dah"],
        1,
        "Error: no relation with id 'berg-met-dah' (did you mean 'berg-met-dahl'?)",
    ),
    (
        ["edit", "relation", "berg-met-dahl", "--clear", "certainty"],
        2,
        "Error: --clear: a relation's 'certainty' cannot be cleared (choose from date, "
        "date_text, place, reported_by, note)",
    ),
    (
        ["edit", "entity", "berg", "--remove-alias", "Anna"],
        1,
        "Error: entity 'berg' has no alias 'Anna'",
    ),
    (
        ["remove", "entity", "berg"],
        1,
        "Error: entity 'berg' is used by 1 relation (berg-met-dahl): remove them first, "
        "or use --with-relations",
    ),
    (
        ["remove", "relation", "nope"],
        1,
        "Error: no relation with id 'nope'",
    ),
]


@pytest.mark.parametrize(("args", "code", "message"), ERRORS)
def test_errors_change_nothing(curated, cli, args, code, message):
    before = curated.read_bytes()
    result = cli(*args, data=curated)
    assert (result.exit_code, last_error(result)) == (code, message.format(path=curated))
    assert curated.read_bytes() == before
    assert sorted(p.name for p in curated.parent.iterdir()) == [
        "article.txt",
        "schema.json",
        "sources",
        "talks.json",
    ]


def test_click_refuses_bad_choices_with_exit_2(curated, cli):
    result = cli(
        "add", "relation", "-t", "met", "Berg", "Dahl", "-q", "x", "--certainty", "sure",
        data=curated,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "'sure' is not one of" in result.stderr


def test_which_file_is_changed(tmp_path, cli, monkeypatch):
    result = cli("add", "entity", "--name", "X", "--type", "person")
    assert (result.exit_code, last_error(result)) == (
        2,
        "Error: give the data file to change with --data FILE (before the command; "
        "'diplograph init FILE' makes one)",
    )
    folder = cli("add", "entity", "--name", "X", "--type", "person", data=tmp_path)
    assert (folder.exit_code, last_error(folder)) == (
        2,
        f"Error: {tmp_path}: is a folder; give the one data file to change (--data FILE)",
    )
    missing = cli("add", "entity", "--name", "X", "--type", "person", data=tmp_path / "m.json")
    assert (missing.exit_code, last_error(missing)) == (
        1,
        f"Error: {tmp_path / 'm.json'}: no such file ('diplograph init {tmp_path / 'm.json'}' "
        "makes one)",
    )


def test_edit_relation(curated, cli):
    result = cli(
        "edit", "relation", "berg-met-dahl", "--certainty", "hedged", "--date", "late February",
        "--place", "Geneva", "-f", "json", data=curated,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)["record"]
    assert (record["certainty"], record["date"], record["date_text"], record["place"]) == (
        "hedged",
        "2025-02-21/2025-02-28",
        "late February",
        "geneva",
    )
    cleared = cli("edit", "relation", "berg-met-dahl", "--clear", "date,date_text,place",
                  data=curated)  # fmt: skip
    assert cleared.exit_code == 0, cleared.stderr
    record = doc_of(curated)["relations"][0]
    assert not {"date", "date_text", "place"} & set(record)
    quoted = cli("edit", "relation", "berg-met-dahl", "-q", "in Geneva", data=curated)
    assert quoted.exit_code == 0
    assert doc_of(curated)["relations"][0]["evidence"][-1]["quote"] == "in Geneva"


def test_edit_entity(curated, cli):
    result = cli(
        "edit", "entity", "berg", "--description", "Foreign Minister.", "--alias", "A. Berg",
        "--remove-alias", "Berg", data=curated,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"edited entity berg (in {curated})\n"
    assert doc_of(curated)["entities"][0] == {
        "id": "berg",
        "name": "Anna Berg",
        "type": "person",
        "aliases": ["A. Berg"],
        "description": "Foreign Minister.",
    }
    cli("edit", "entity", "berg", "--clear", "aliases", "--type", "group", data=curated)
    assert doc_of(curated)["entities"][0] == {
        "id": "berg",
        "name": "Anna Berg",
        "type": "group",
        "description": "Foreign Minister.",
    }


def test_remove(curated, cli):
    result = cli("remove", "entity", "dahl", "--with-relations", "-f", "json", data=curated)
    assert result.exit_code == 0, result.stderr
    row = json.loads(result.stdout)
    assert (row["action"], row["kind"], row["id"], row["removed_relations"]) == (
        "removed",
        "entity",
        "dahl",
        ["berg-met-dahl"],
    )
    doc = doc_of(curated)
    assert [e["id"] for e in doc["entities"]] == ["berg", "geneva"]
    assert doc["relations"] == []
    gone = cli("remove", "entity", "geneva", data=curated)
    assert gone.stdout == f"removed entity geneva (from {curated})\n"


def test_remove_relation(curated, cli):
    result = cli("remove", "relation", "berg-met-dahl", data=curated)
    assert result.stdout.startswith("removed relation berg-met-dahl: berg met dahl 2025-02-27")
    assert doc_of(curated)["relations"] == []


def test_a_source_without_stored_text_is_not_checked(curated, cli):
    added = cli(
        "add", "source", "--title", "Notes", "--publisher", "The Daily Note",
        "--published", "2025-03-04", data=curated,
    )  # fmt: skip
    assert added.stdout == f"added source daily-2025-03-04 (in {curated})\n"
    result = cli("add", "relation", "-t", "met", "Dahl", "Geneva", "-q", "anything", data=curated)
    assert result.exit_code == 0
    assert (
        last_error(result)
        == "note: quote not checked: source 'daily-2025-03-04' has no stored text"
    )


# -- atomic writes -------------------------------------------------------------------------


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), Interrupted])
def test_a_failed_write_leaves_the_file_and_no_temporary_file(curated, cli, monkeypatch, failure):
    before = curated.read_bytes()

    def fail(*args):
        raise failure

    monkeypatch.setattr(document.os, "fsync", fail)
    args = ("add", "entity", "--name", "Oslo", "--type", "place")
    if isinstance(failure, OSError):
        result = cli(*args, data=curated)
        assert (result.exit_code, last_error(result)) == (
            1,
            f"Error: {curated}: cannot write (No space left on device)",
        )
    else:
        with pytest.raises(Interrupted):  # what Ctrl-C raises (see cli.main)
            cli(*args, data=curated)
    assert curated.read_bytes() == before
    assert not [p for p in curated.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_source_write_leaves_no_stored_text(curated, cli, monkeypatch, tmp_path):
    before = curated.read_bytes()
    real = document.os.replace
    calls = []

    def fail_second(src, dst):  # the text is stored, then the data file fails
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(document.os, "replace", fail_second)
    text = tmp_path / "other.txt"
    text.write_text("Other words.", encoding="utf-8")
    result = cli(
        "add", "source", "--id", "other-2025", "--title", "T", "--publisher", "P",
        "--published", "2025", "--text", str(text), data=curated,
    )  # fmt: skip
    assert result.exit_code == 1
    assert curated.read_bytes() == before
    assert sorted(p.name for p in (curated.parent / "sources").iterdir()) == [
        "herald-2025-03-03.txt"
    ]


def test_the_file_keeps_its_layout(tmp_path, cli):
    path = tmp_path / "four.json"
    doc = {"schema_version": 1, "entities": [{"id": "jose", "name": "José", "type": "person"}]}
    path.write_text(json.dumps(doc, indent=4, ensure_ascii=True), encoding="utf-8")
    cli("add", "entity", "--name", "Łukasz Nowak", "--type", "person", data=path)
    text = path.read_text(encoding="utf-8")
    assert '\n        },\n        {\n            "id": "nowak",' in text
    assert "\\u0141ukasz" in text and not text.endswith("\n")


# -- the layout-preserving write on the bundled dataset --------------------------------------


@pytest.fixture
def belarus(tmp_path):
    path = tmp_path / "belarus.json"
    shutil.copy(ROOT / "data" / "belarus.json", path)
    if ARTICLE.exists():
        (tmp_path / "sources").mkdir()
        shutil.copy(ARTICLE, tmp_path / "sources" / "carnegie-2025-06-24.txt")
    return path


def diff(before: str, after: str) -> tuple[list[str], list[str]]:
    lines = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    added = [x[1:] for x in lines if x.startswith("+") and not x.startswith("+++")]
    removed = [x[1:] for x in lines if x.startswith("-") and not x.startswith("---")]
    return added, removed


def test_adding_a_relation_diffs_as_its_lines(belarus, cli):
    before = belarus.read_text(encoding="utf-8")
    result = cli(
        "add",
        "relation",
        "-t",
        "reported-on",
        "The New York Times",
        "Smith",
        "-q",
        "The New York Times reported that they discussed",
        "-f",
        "json",
        data=belarus,
    )  # fmt: skip (a fact the data lacks, for the layout alone)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)["record"]
    after = belarus.read_text(encoding="utf-8")
    added, removed = diff(before, after)
    assert removed == []
    own = json.dumps(record, indent=2, ensure_ascii=False)
    own_lines = [("    " + line).rstrip() for line in own.splitlines()]
    # the comma that now ends the previous relation is the only line not its own
    assert added == ["    },", *own_lines[:-1]] or added == own_lines
    assert json.loads(after)["relations"][-1] == record


def test_an_edit_diffs_as_one_line(belarus, cli):
    before = belarus.read_text(encoding="utf-8")
    result = cli("edit", "relation", "kellogg-met-lukashenko", "--certainty", "hedged",
                 data=belarus)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    added, removed = diff(before, belarus.read_text(encoding="utf-8"))
    assert (added, removed) == (['      "certainty": "hedged",'], ['      "certainty": "stated",'])
    cli("edit", "relation", "kellogg-met-lukashenko", "--certainty", "stated", data=belarus)
    assert belarus.read_text(encoding="utf-8") == before  # back, byte for byte


def test_a_second_quote_diffs_inside_its_relation(belarus, cli):
    before = belarus.read_text(encoding="utf-8")
    result = cli(
        "add", "relation", "-t", "met", "Kellogg", "Lukashenko",
        "-q", "The meeting with Kellogg was in itself a breakthrough", data=belarus,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("merged relation kellogg-met-lukashenko")
    added, removed = diff(before, belarus.read_text(encoding="utf-8"))
    assert removed == []
    assert added == [
        "        },",
        "        {",
        '          "source": "carnegie-2025-06-24",',
        '          "quote": "The meeting with Kellogg was in itself a breakthrough"',
    ]


# -- validate with stored texts --------------------------------------------------------------


def test_validate_from_a_plain_clone_names_the_unchecked_source(cli, tmp_path):
    """The bundled data as a clone has it: the article's text is not shipped."""
    shutil.copy(ROOT / "data" / "belarus.json", tmp_path / "belarus.json")
    result = cli("validate", data=tmp_path)
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: 2 files, ")
    assert "; " not in result.stdout  # no quote checked
    note = result.stderr.strip().splitlines()[-1]
    assert note.startswith(
        f"note: quotes of 'carnegie-2025-06-24' not checked: "
        f"{tmp_path / 'sources' / 'carnegie-2025-06-24.txt'} is missing (obtain "
    )
    source = json.loads((ROOT / "data" / "belarus.json").read_text(encoding="utf-8"))
    source = source["sources"][0]
    if "url" in source:
        assert note.endswith(f"(obtain it from {source['url']})")
    else:
        assert note.endswith(
            "(obtain the text of “Is Belarus Coming In From the Cold Following a U.S. "
            "Visit?”, Carnegie Endowment for International Peace, 2025-06-24)"
        )


def test_validate_finds_the_text_where_the_source_says(belarus, cli):
    if not ARTICLE.exists():
        pytest.skip("../shared/sources not present")
    result = cli("validate", data=belarus)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("quotes found verbatim in carnegie-2025-06-24\n")
    assert result.stderr == ""


def test_validate_reports_a_bad_quote_against_the_stored_text(curated, cli):
    doc = doc_of(curated)
    doc["relations"][0]["evidence"][0]["quote"] = "Anna Berg met with his counterpart"
    curated.write_text(json.dumps(doc), encoding="utf-8")
    result = cli("validate", data=curated)
    assert (result.exit_code, unplaced(last_error(result))) == (
        1,
        f"Error: {curated}: relations[0].evidence[0].quote: not found in source "
        "'herald-2025-03-03': \"Anna Berg met with his counterpart\"",
    )


def test_source_text_overrides_the_stored_text(curated, cli, tmp_path):
    other = tmp_path / "other.txt"
    other.write_text("Nothing here.", encoding="utf-8")
    result = cli("validate", "--source-text", f"herald-2025-03-03={other}", data=curated)
    assert result.exit_code == 1
    assert "not found in source 'herald-2025-03-03'" in last_error(result)


def test_validate_notes_sources_with_no_text(mini_path, cli):
    result = cli("validate", data=mini_path)
    assert result.exit_code == 0
    assert last_error(result) == (
        "note: quotes of src not checked: no text file recorded for this source "
        "(--source-text ID=FILE checks one; 'add source --text' records one)"
    )


def test_windows_line_endings_are_kept(tmp_path, cli):
    path = tmp_path / "crlf.json"
    doc = {"schema_version": 1, "entities": []}
    path.write_bytes(json.dumps(doc, indent=2).replace("\n", "\r\n").encode() + b"\r\n")
    assert cli("add", "entity", "--name", "Oslo", "--type", "place", data=path).exit_code == 0
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 5


@pytest.mark.parametrize(("value", "why"), [(5, "got a number"), (None, "got null")])
def test_schema_key_must_be_a_string(write_data, cli, value, why):
    path = write_data({"$schema": value, "schema_version": 1})
    result = cli("validate", data=path)
    assert (result.exit_code, last_error(result)) == (
        1,
        f"Error: {path}: $schema: expected a string, {why}",
    )
    assert cli("validate", data=write_data({"$schema": "", "schema_version": 1})).exit_code == 0


def test_a_large_file_is_checked_by_the_fast_path(tmp_path, cli, monkeypatch):
    """A valid change is vouched for in C; the full checker (which names problems) is
    only asked when the fast path cannot vouch."""
    from diplograph.check import files as load

    calls = []
    real = load.check_files
    monkeypatch.setattr(load, "check_files", lambda files: calls.append(files) or real(files))
    path = tmp_path / "d.json"
    cli("init", str(path))
    assert cli("add", "entity", "--name", "Oslo", "--type", "place", data=path).exit_code == 0
    assert calls == []
    bad = cli("add", "entity", "--name", "Bergen", "--type", "place", "--description", "\x01",
              data=path)  # fmt: skip
    assert bad.exit_code == 1 and calls


def test_a_file_changed_meanwhile_is_not_overwritten(curated, monkeypatch, cli):
    """Another program's change between this command's read and its write is kept."""
    from diplograph.curate import edit

    real = edit.add_entity

    def meanwhile(doc, record, force=False):
        curated.write_text(curated.read_text(encoding="utf-8") + " ", encoding="utf-8")
        return real(doc, record, force)

    monkeypatch.setattr(edit, "add_entity", meanwhile)
    result = cli("add", "entity", "--name", "Oslo", "--type", "place", data=curated)
    assert (result.exit_code, last_error(result)) == (
        1,
        f"Error: {curated}: changed by another program while this command ran; nothing "
        "written (run the command again)",
    )
    assert curated.read_text(encoding="utf-8").endswith("}\n ")


def test_a_symbolic_link_stays_a_link(curated, cli):
    link = curated.parent / "link.json"
    link.symlink_to(curated.name)
    assert cli("add", "entity", "--name", "Oslo", "--type", "place", data=link).exit_code == 0
    assert link.is_symlink()
    assert doc_of(curated)["entities"][-1]["id"] == "oslo"


def test_add_type_then_use_it(curated, cli):
    result = cli(
        "add", "type", "--id", "mediates", "--label", "mediates", "--inverse",
        "is mediated by", "--category", "event", "--cue", "mediat*", data=curated,
    )  # fmt: skip
    assert result.stdout == f"added relation type mediates (in {curated})\n"
    assert doc_of(curated)["relation_types"] == [
        {
            "id": "mediates",
            "label": "mediates",
            "inverse": "is mediated by",
            "symmetric": False,
            "category": "event",
            "cues": ["mediat*"],
        }
    ]
    assert list(doc_of(curated)) == [
        "$schema", "schema_version", "sources", "relation_types", "entities", "relations",
    ]  # fmt: skip
    used = cli("add", "relation", "-t", "mediates", "Berg", "Dahl", "-q", "Anna Berg",
               data=curated)  # fmt: skip
    assert used.exit_code == 0, used.stderr
    again = cli(
        "add", "type", "--id", "met", "--label", "m", "--inverse", "m", "--category",
        "event", data=curated,
    )  # fmt: skip
    assert (again.exit_code, last_error(again)) == (
        1,
        "Error: relation type 'met' already exists (see 'diplograph list types')",
    )
    types = json.loads(cli("list", "types", "-f", "json", data=curated).stdout)
    assert types[0]["id"] == "met" and types[-1]["id"] == "mediates"


def test_an_entity_edit_touches_only_its_field(tmp_path, cli):
    path = tmp_path / "d.json"
    doc = {
        "schema_version": 1,
        "entities": [{"id": "x", "name": "X", "type": "group", "aliases": []}],
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    assert cli("edit", "entity", "x", "--type", "event", data=path).exit_code == 0
    added, removed = diff(before, path.read_text(encoding="utf-8"))
    assert (added, removed) == (['      "type": "event",'], ['      "type": "group",'])


def test_a_new_field_goes_where_the_format_puts_it(belarus, cli):
    before = belarus.read_text(encoding="utf-8")
    result = cli("edit", "relation", "kellogg-envoy-of-trump", "--date", "2025", data=belarus)
    assert result.exit_code == 0, result.stderr
    added, removed = diff(before, belarus.read_text(encoding="utf-8"))
    assert (added, removed) == (['      "date": "2025",'], [])
    relation = json.loads(belarus.read_text(encoding="utf-8"))["relations"][0]
    assert list(relation)[:5] == ["id", "type", "source", "target", "date"]

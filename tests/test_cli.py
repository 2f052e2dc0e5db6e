"""Each command through the CLI, in every format, and every error a user can trigger."""

import json

import pytest

from conftest import last_error, unplaced


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("export", "--format", "pdf", "--output", "-"),
            2,
            "Error: unknown export format 'pdf' (choose from graphml",
        ),
    ],
)
def test_errors(cli, args, code, message):
    result = cli(*args)
    assert result.exit_code == code
    assert last_error(result).startswith(message)
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_format_is_usage_error(cli):
    result = cli("who-met", "Lukashenko", "--format", "xml")
    assert result.exit_code == 2
    assert "Invalid value for '--format'" in result.stderr


def test_bad_data_every_problem_one_line_each(cli, write_data):
    from conftest import mini

    doc = mini()
    doc["relations"][0]["target"] = "nobody"
    doc["relations"][1]["date"] = "2025-13-45"
    path = write_data(doc)
    result = cli("who-met", "Alice", data=path)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}: relations[1].date: invalid date: "
        "'2025-13-45' has an impossible month '13'",
        f"Error: {path}: relations[0].target: unknown entity 'nobody'",
    ]


def test_error_lines_show_the_data_as_written(cli, write_data):
    """Nothing in a message is read as markup or emoji codes."""
    from conftest import mini

    doc = mini()
    doc["relations"][0]["target"] = "[bold]no:smile:body[/bold]"
    path = write_data(doc)
    result = cli("who-met", "Alice", data=path)
    assert result.stderr.strip().splitlines() == [
        f"Error: {path}: relations[0].target: unknown entity '[bold]no:smile:body[/bold]'"
    ]


@pytest.mark.parametrize(
    "args", [("who-met", "Alice"), ("path", "alice", "bob"), ("show", "bob"), ("neighbors", "bob")]
)
def test_tables_show_the_data_as_written(cli, write_data, monkeypatch, args):
    """Names and quotes holding markup or emoji codes are shown verbatim, titles too."""
    from conftest import mini

    monkeypatch.setenv("COLUMNS", "200")
    doc = mini()
    doc["entities"][1]["name"] = "Bob :smile: [b]x[/b]"
    doc["relations"][0]["evidence"][0]["quote"] = "quote :thumbs_up: here"
    result = cli(*args, data=write_data(doc))
    assert result.exit_code == 0, result.stderr
    assert "Bob :smile: [b]x[/b]" in result.stdout
    assert "😄" not in result.stdout and "👍" not in result.stdout
    assert ":thumbs_up:" in result.stdout


def test_debug_shows_traceback(cli):
    from diplograph.model.errors import UnknownEntity

    with pytest.raises(UnknownEntity):
        cli("--debug", "who-met", "Nobody At All")


def test_version(cli):
    assert cli("--version").stdout.startswith("diplograph ")


def test_validate_ok(cli):
    result = cli("validate")
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: 2 files, ")


@pytest.mark.parametrize("layout", ["compact", "indented", "bom"])
def test_validate_source_text_on_large_data(cli, tmp_path, monkeypatch, layout):
    """Large data: quotes are read from the files a slice at a time; the problems are
    those of the whole-document check, in its order."""
    import sys

    from conftest import ROOT
    from diplograph.files.locate import data_files, read_documents
    from diplograph.model.records import check_quotes

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import generate

    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")
    monkeypatch.setattr("diplograph.check.files.EVIDENCE_SLICE", 333)
    doc = generate.generate(60, 2_500, seed=11)
    quotes = [rel["evidence"][0]["quote"] for rel in doc["relations"]]
    text = tmp_path / "source.txt"
    text.write_text(" ".join(quotes[::3]).replace(" said", "  said"), encoding="utf-8")
    folder = tmp_path / "data"
    folder.mkdir()
    half = len(doc["relations"]) // 2
    first = {**doc, "relations": doc["relations"][:half]}
    second = {"schema_version": 1, "relations": doc["relations"][half:]}
    for name, part in (("a.json", first), ("b.json", second)):
        body = json.dumps(part, indent=1 if layout == "indented" else None)
        prefix = "\ufeff" if layout == "bom" else ""
        (folder / name).write_text(prefix + body, encoding="utf-8")
    expected, checked = check_quotes(read_documents(folder), {"bench": text.read_text()})
    assert len(expected) > 100 and checked == 2_500
    result = cli("validate", "--source-text", f"bench={text}", data=folder)
    assert result.exit_code == 1
    said = unplaced(result.stderr).strip().splitlines()
    assert said == [f"Error: {p}" for p in expected]
    assert len(data_files(folder)) == 2


def test_validate_source_text_errors(cli, tmp_path, mini_path):
    text = tmp_path / "source.txt"
    text.write_text("Alice met Bob. Bob released Carol. Carol met Dan. It could be.")
    ok = cli("validate", "--source-text", f"src={text}", data=mini_path)
    assert ok.exit_code == 0 and "4 quotes found verbatim in src" in ok.stdout
    text.write_text("Alice  met Bob. Bob released Carol. could")
    bad = cli("validate", "--source-text", f"src={text}", data=mini_path)
    assert bad.exit_code == 1
    assert unplaced(bad.stderr).strip().splitlines() == [
        f"Error: {mini_path}: relations[0].evidence[0].quote: differs only in quote marks, "
        "dashes or spacing in source 'src': \"Alice met Bob\"",
        f"Error: {mini_path}: relations[2].evidence[0].quote: not found in source 'src': "
        '"Carol met Dan"',
    ]
    unknown = cli("validate", "--source-text", f"nope={text}", data=mini_path)
    assert last_error(unknown) == "Error: --source-text: unknown source 'nope'"
    malformed = cli("validate", "--source-text", "src", data=mini_path)
    assert malformed.exit_code == 2
    assert last_error(malformed) == (
        "Error: --source-text takes SOURCE_ID=FILE (or FILE), got 'src' (no such file)"
    )


class Recorder(list):
    """Stands for the terminal's progress bar."""

    stopped = False

    def __call__(self, *args):
        self.append(args)

    def stop(self):
        self.stopped = True


@pytest.mark.parametrize(("least", "shown"), [(0, True), (10**9, False)])
def test_long_exports_show_progress(tmp_path, monkeypatch, least, shown):
    """On a terminal, exporting many relations shows how far it got, then clears the bar
    (a short export would only flash one)."""
    from diplograph.cli import env as env_module
    from diplograph.files.locate import bundled_data_dir
    from diplograph.formats.common import as_networkx
    from diplograph.queries.subgraph import WholeGraph
    from diplograph.store.cache import open_store as open_packed

    monkeypatch.setattr(env_module, "PROGRESS_MIN_RELATIONS", least)
    bar = Recorder()
    env = env_module.Env()
    env.progress = bar
    packed = open_packed(bundled_data_dir())
    with env.long_pass(packed) as progress:
        made = as_networkx(WholeGraph(packed), progress)
    assert made.number_of_edges() == packed.number_of_edges()
    assert bar.stopped
    assert (bar[:1] == [("reading relations", 0, packed.number_of_edges())]) is shown

"""Bad data, bad arguments, interrupted runs: clear errors, exit codes, nothing lost.

Bad data is tried through the library (``load_graph``: the problems as DataError
lines) and through the command line (one ``Error:`` line each, exit 1)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import budget, last_error, mini, some_slow
from diplograph.check.files import read_json
from diplograph.model.errors import DataError
from reference import load_graph

CORPUS = Path(__file__).parent / "corpus"

BAD_FILES = {
    "truncated.json": [":5:1: invalid JSON: unexpected end of file (is it truncated?)"],
    "empty.json": [": empty file, expected a JSON object"],
    "top-level-array.json": [": expected a JSON object at the top level, got an array"],
    "binary.json": [":1:1: not UTF-8 text (byte 0x89 at offset 0)"],
    "invalid-utf8.json": [":2:39: not UTF-8 text (byte 0xe9 at offset 60)"],
    "deep-nesting.json": [":1:1001: invalid JSON: nested too deeply"],
    "wrong-types.json": [
        ": entities[0].name: expected a string, got a number",
        ": entities[0].aliases: expected an array of strings, got a string",
        ": relations[0].evidence: expected an array of evidence objects, got an object",
    ],
    "missing-keys.json": [
        ": entities[1].type: is required",
        ": relations[0].certainty: is required",
    ],
    "unknown-entity.json": [": relations[0].target: unknown entity 'bobb' (did you mean 'bob'?)"],
    "duplicate-ids.json": [": entities[2].id: duplicate id 'alice' (first at {path}: entities[0])"],
    "unknown-relation-type.json": [
        ": relations[0].type: unknown relation type 'meet' (did you mean 'met'?)"
    ],
    "impossible-date.json": [
        ": relations[0].date: invalid date: '2025-13-45' has an impossible month '13'"
    ],
    "unknown-source.json": [
        ": relations[0].evidence[0].source: unknown source 'srcc' (did you mean 'src'?)"
    ],
    "empty-quote.json": [": relations[0].evidence[0].quote: must not be empty"],
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_data_file(cli, name):
    path = CORPUS / name
    result = cli("who-met", "Alice", data=path)
    assert result.exit_code == 1
    expected = [f"Error: {path}" + line.format(path=path) for line in BAD_FILES[name]]
    assert result.stderr.strip().splitlines() == expected
    assert result.stdout == ""


def test_corpus_is_complete():
    on_disk = {p.name for p in CORPUS.glob("*.json")}
    assert on_disk == set(BAD_FILES) | {"good.json", "byte-order-mark.json"}


def test_byte_order_mark_accepted(cli, write_data):
    path = write_data(b"\xef\xbb\xbf" + json.dumps(mini()).encode())
    assert "alice" in load_graph(path)  # the library
    assert cli("who-met", "Alice", data=CORPUS / "byte-order-mark.json").exit_code == 0


def test_empty_folder(cli, tmp_path):
    assert error_lines(tmp_path) == [f"{tmp_path}: no data files (*.json) in this folder"]
    result = cli("stats", data=tmp_path)
    assert result.exit_code == 1
    assert last_error(result) == f"Error: {tmp_path}: no data files (*.json) in this folder"


def test_missing_path(cli, tmp_path):
    assert error_lines(tmp_path / "nope.json") == [
        f"{tmp_path / 'nope.json'}: no such file or folder"
    ]
    result = cli("stats", data=tmp_path / "nope")
    assert last_error(result) == f"Error: {tmp_path / 'nope'}: no such file or folder"


def test_broken_symlink(cli, tmp_path):
    link = tmp_path / "data.json"
    link.symlink_to(tmp_path / "gone.json")
    assert error_lines(link) == [f"{link}: broken symbolic link"]
    assert last_error(cli("stats", data=link)) == f"Error: {link}: broken symbolic link"


@pytest.mark.long
def test_huge_file_many_problems_capped(cli, write_data):
    doc = mini()
    rel = doc["relations"][0]
    doc["relations"] = [{**rel, "id": f"r{i}", "target": "nobody"} for i in range(50000)]
    path = write_data(doc)
    assert path.stat().st_size > 5_000_000
    result = cli("who-met", "Alice", data=path)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 1 and len(lines) == 21
    assert lines[-1] == ("Error: ... and 49980 more problems (diplograph validate lists them all)")
    everything = cli("validate", data=path)
    assert len(everything.stderr.strip().splitlines()) == 50000


def test_env_var_data(cli, monkeypatch, mini_path):
    monkeypatch.setenv("DIPLOGRAPH_DATA", str(mini_path))
    assert "alice" in load_graph()  # the library
    monkeypatch.setenv("DIPLOGRAPH_DATA", str(CORPUS / "good.json"))
    assert json.loads(cli("who-met", "Alice", "-f", "json").stdout)[0]["id"] == "bob"


# -- bad data, through the library ----------------------------------------------------------


def error_lines(path):
    with pytest.raises(DataError) as info:
        load_graph(path)
    return info.value.problems


def test_graph_shape(graph):
    assert graph.is_multigraph() and graph.is_directed()
    attrs = graph.edges["kellogg", "lukashenko", "kellogg-met-lukashenko"]
    assert attrs["type"] == "met" and attrs["date"] == "2025-06-21" and attrs["place"] == "minsk"
    assert graph.nodes["lukashenko"]["type"] == "person"
    assert "carnegie-2025-06-24" in graph.graph["sources"]


def test_folder_merges_files(tmp_path):
    doc = mini()
    first = {**doc, "relations": doc["relations"][:2]}
    second = {"schema_version": 1, "relations": doc["relations"][2:]}
    (tmp_path / "a.json").write_text(json.dumps(first))
    (tmp_path / "b.json").write_text(json.dumps(second))
    (tmp_path / "schema.json").write_text("{}")  # a schema next to the data is not data
    graph = load_graph(tmp_path)
    assert graph.number_of_edges() == 4


def test_syntax_error_has_line_and_column(write_data):
    path = write_data('{\n  "schema_version": 1,\n  "entities": [\n')
    assert error_lines(path) == [
        f"{path}:4:1: invalid JSON: unexpected end of file (is it truncated?)"
    ]
    bad = write_data('{"schema_version": 1,\n "entities": [}', "bad.json")
    assert error_lines(bad) == [f"{bad}:2:15: invalid JSON: invalid character '}}'"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"a": [1, 2,]}', ":1:13: invalid JSON: trailing comma in array"),
        (b'{"a": 1}\n{"b": 2}', ":2:1: invalid JSON: trailing characters"),
        (b'{"a": NaN}', ":1:7: invalid JSON: invalid character 'N'"),
        (b'{"a": "\\x"}', ":1:9: invalid JSON: invalid escaped character"),
        (b'{\n "\xc3\xa4": "\xc3\xa9b\x07"}', ":2:10: invalid JSON: invalid character U+0007"),
        # cut short inside a string: reported where the file ends
        (
            b'{\n "schema_version": 1,\n "entities": [{"id": "ab',
            ":3:25: invalid JSON: unexpected end of file (is it truncated?)",
        ),
    ],
)
def test_syntax_errors_say_what_and_where(write_data, content, message):
    path = write_data(content)
    assert error_lines(path) == [f"{path}{message}"]


def test_lone_surrogate_escape_is_not_taken_for_truncation(write_data):
    """msgspec reports a lone surrogate escape as a syntax error or as truncation; json
    reads it, and the checker names the field."""
    path = write_data(
        b'{"schema_version": 1, "entities": [{"id": "a", "name": "x\\ud800", "type": "person"}]}'
    )
    assert error_lines(path) == [f"{path}: entities[0].name: contains a control character"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file, expected a JSON object"),
        (b"[]", "expected a JSON object at the top level, got an array"),
        (b'{"schema_version": 1, "x": "\xff"}', ":1:29: not UTF-8 text (byte 0xff at offset 28)"),
        (b"\x00\x01\x02binary", ":1:1: invalid JSON: invalid character U+0000"),
        (b"[" * 100000 + b"]" * 100000, "invalid JSON: nested too deeply"),
    ],
)
def test_bad_files(write_data, content, message):
    path = write_data(content)
    lines = error_lines(path)
    assert len(lines) == 1 and lines[0].startswith(str(path)) and lines[0].endswith(message)


def test_problems_across_files_all_reported(tmp_path):
    (tmp_path / "a.json").write_text("{")
    (tmp_path / "b.json").write_text("[]")
    lines = error_lines(tmp_path)
    assert len(lines) == 2
    assert lines[0].startswith(str(tmp_path / "a.json"))
    assert lines[1].startswith(str(tmp_path / "b.json"))


def test_read_json_plain(write_data):
    assert read_json(write_data({"a": 1})) == {"a": 1}


# -- bad arguments -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (("who-met", "--", "--foo"), 1, "Error: no entity named '--foo'"),
        (("who-met", "--foo"), 2, "Error: No such option: --foo"),
        (("who-met",), 2, "Error: Missing argument 'NAME'."),
        (("who-met", "x" * 300), 2, "Error: name is too long (300 characters, at most 200)"),
        (("who-met", "   "), 2, "Error: empty name '   ': type a name, alias or id"),
        (("frobnicate",), 2, "Error: No such command 'frobnicate'."),
        (
            ("neighbors", "Cole", "--relation", "met,freed"),
            2,
            "Error: unknown relation type 'freed'",
        ),
        (
            ("timeline", "--until", "2025-02-30"),
            2,
            "Error: bad date filter: '2025-02-30' has an impossible day '30' for its month",
        ),
        (
            ("path", "A", "B", "--k", "0"),
            2,
            "Error: Invalid value for '--k': 0 is not in the range 1<=x<=1000.",
        ),
    ],
)
def test_bad_arguments(cli, args, code, line):
    result = cli(*args)
    assert result.exit_code == code
    assert last_error(result).startswith(line)


def test_output_in_unwritable_folder(cli):
    target = Path("/sys/diplograph-test.json")
    if not Path("/sys").is_dir() or os.access("/sys", os.W_OK) and not Path("/sys").stat():
        pytest.skip("no read-only folder to try")
    result = cli("export", "-f", "json", "-o", target)
    assert result.exit_code == 1
    assert last_error(result).startswith(f"Error: {target}: cannot write in '/sys' (")


# -- nothing lost --------------------------------------------------------------------------


def test_interrupt_during_write_leaves_target_untouched(tmp_path, monkeypatch):
    from diplograph.files import atomic as export

    target = tmp_path / "g.json"
    target.write_text("old")

    class FakeFile:
        def __init__(self, fd, mode):
            self._file = open(fd, mode, closefd=True)  # noqa: SIM115

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._file.close()

        def write(self, data):
            self._file.write(data[:10])
            raise KeyboardInterrupt  # Ctrl-C half-way through

    monkeypatch.setattr(export.os, "fdopen", FakeFile)
    with pytest.raises(KeyboardInterrupt):
        export.write_atomic(b"new content " * 100, str(target), force=True)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.json"]


@pytest.fixture(scope="module")
def big_data(tmp_path_factory):
    """A dataset big enough that an export takes a noticeable time."""
    path = tmp_path_factory.mktemp("big") / "big.json"
    generate = Path(__file__).parents[1] / "benchmarks" / "generate.py"
    subprocess.run(
        [
            sys.executable,
            str(generate),
            "--entities",
            "20000",
            "--relations",
            "150000",
            "--output",
            str(path),
        ],
        check=True,
    )
    return path


def test_an_interruption_while_the_command_line_is_imported_ends_it_quietly(tmp_path):
    """Ctrl-C before ``app.main`` has set its handlers (while typer, rich and the rest
    are imported): "Interrupted", exit 130, no traceback, and the command never runs.
    The import is made to take its time and the signal sent from inside it."""
    script = tmp_path / "slow_import.py"
    script.write_text(
        "import os, signal, sys, time, types\n"
        "class Slow(types.ModuleType):\n"
        "    def __getattr__(self, name):\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        time.sleep(5)\n"
        "        raise AttributeError(name)\n"
        "sys.modules['diplograph.cli.app'] = Slow('diplograph.cli.app')\n"
        "from diplograph.cli.start import main\n"
        "main()\n"
        "print('the command ran')\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, check=False
    )
    assert time.monotonic() - started < 4  # at once, not after the import
    assert (result.returncode, result.stderr, result.stdout) == (130, "Interrupted\n", "")


@pytest.mark.long
@pytest.mark.parametrize("delay", some_slow([0.3, 1.5, 0.8, 3.0], 2))
def test_signal_mid_export_never_leaves_a_partial_file(big_data, tmp_path, delay):
    target = tmp_path / "big.graphml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "diplograph",
            "--data",
            str(big_data),
            "export",
            "-f",
            "graphml",
            "-o",
            str(target),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    started = time.monotonic()
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - started < 10  # ends promptly
    assert b"Traceback" not in err
    if proc.returncode == 130:
        assert err.decode().strip() == "Interrupted"
        assert list(tmp_path.iterdir()) == []
    else:  # finished before the signal arrived: then the file is whole
        assert proc.returncode == 0
        assert target.read_bytes().rstrip().endswith(b"</graphml>")
        assert [p.name for p in tmp_path.iterdir()] == ["big.graphml"]


def test_broken_pipe_is_quiet():
    result = subprocess.run(
        f"{sys.executable} -m diplograph list relations -f csv | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.startswith("from_id,")
    assert result.stderr == ""


# -- fuzzing -------------------------------------------------------------------------------

COMMAND_WORDS = [
    "who-met",
    "path",
    "show",
    "neighbors",
    "search",
    "timeline",
    "stats",
    "list",
    "entities",
    "relations",
    "export",
    "validate",
]
OPTION_WORDS = [
    "--format",
    "-f",
    "--since",
    "--until",
    "--certainty",
    "--relation",
    "--via",
    "--avoid",
    "--depth",
    "--k",
    "--max-hops",
    "--all",
    "--directed",
    "--chronological",
    "--tree",
    "--direction",
    "--type",
    "--limit",
    "--top",
    "--ego",
    "--radius",
    "--output",
    "--source-text",
    "--data",
    "json",
    "csv",
    "table",
    "graphml",
    "Lukashenko",
    "Kellogg",
    "2025",
    "2025-13",
    "-",
    "0",
    "-1",
]
words = st.one_of(st.sampled_from(COMMAND_WORDS + OPTION_WORDS), st.text(max_size=30))


@settings(max_examples=budget(300, 40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(argv=st.lists(words, max_size=7))
def test_fuzzed_arguments_never_traceback(argv, tmp_path_factory):
    from typer.testing import CliRunner

    from diplograph.cli.app import app

    argv = ["--output" if a == "--output" else a for a in argv]
    if "export" in argv or "--output" in argv or "-o" in argv:
        argv = [a for a in argv if a not in ("--output", "-o")]  # never write files here
    if "--data" in argv:
        argv = [a for a in argv if a != "--data"]
    result = CliRunner().invoke(app, argv, catch_exceptions=True)
    assert result.exit_code in (0, 1, 2), (argv, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        argv,
        repr(result.exception),
    )
    assert "Traceback" not in result.stdout + result.stderr

import json
import os

import pytest

from conftest import mini
from diplograph.check.files import read_json
from diplograph.model.errors import DataError
from reference import load_graph


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


def test_env_var(monkeypatch, mini_path):
    monkeypatch.setenv("DIPLOGRAPH_DATA", str(mini_path))
    assert "alice" in load_graph()


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


def test_byte_order_mark_is_accepted(write_data):
    path = write_data(b"\xef\xbb\xbf" + json.dumps(mini()).encode())
    assert "alice" in load_graph(path)


def test_missing_path(tmp_path):
    assert error_lines(tmp_path / "nope.json") == [
        f"{tmp_path / 'nope.json'}: no such file or folder"
    ]


def test_empty_folder(tmp_path):
    assert error_lines(tmp_path) == [f"{tmp_path}: no data files (*.json) in this folder"]


def test_broken_symlink(tmp_path):
    link = tmp_path / "link.json"
    os.symlink(tmp_path / "gone.json", link)
    assert error_lines(link) == [f"{link}: broken symbolic link"]


def test_problems_across_files_all_reported(tmp_path):
    (tmp_path / "a.json").write_text("{")
    (tmp_path / "b.json").write_text("[]")
    lines = error_lines(tmp_path)
    assert len(lines) == 2
    assert lines[0].startswith(str(tmp_path / "a.json"))
    assert lines[1].startswith(str(tmp_path / "b.json"))


def test_read_json_plain(write_data):
    assert read_json(write_data({"a": 1})) == {"a": 1}

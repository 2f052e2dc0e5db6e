"""A key repeated in one JSON object is an error, wherever the object is.

msgspec keeps the last value of a repeated key (its issue #648), so the fast paths count
colons to see one (``check.repeats``). These tests write valid data full of
colons where valid data may hold them (so a count that forgot one would doubt valid
data), then repeat one key in a random object, in both layouts the builder reads, split
between two processes: every path must refuse to vouch, and the error must name the
key, line and column, as the full checker does.
"""

from __future__ import annotations

import copy
import json
import random
import sys
from pathlib import Path

import pytest

from conftest import some_slow
from diplograph import parallel
from diplograph.check import fast, stream
from diplograph.check.files import check_files
from diplograph.check.stream import find_problems
from diplograph.files.locate import data_files, with_vocabulary
from diplograph.store import build, sizes

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402

RELATIONS = 3000
SENTINEL = "__repeated__"


@pytest.fixture(scope="module")
def document() -> dict:
    """Generated data with colons in every kind of string that may hold one."""
    doc = generate.generate(300, RELATIONS, seed=11)
    doc["$schema"] = "https://example.org/diplograph.schema.json"
    doc["sources"][0]["url"] = "https://example.org/a:b"
    doc["relation_types"] = [
        {
            "id": "brokered",
            "label": "brokered: a deal with",
            "inverse": "had a deal brokered by",
            "symmetric": False,
            "category": "event",
            "cameo": "0:57",
            "cues": ["brokered:", "deal"],
        }
    ]
    for i, entity in enumerate(doc["entities"]):
        if i % 4 == 0:
            entity["identifiers"] = {"cameo": f"X{i}", "urn:x": f"a:{i}"}
        if i % 9 == 0:
            entity["description"] = "Seen: often"
            entity["aliases"] = [*entity.get("aliases", []), f"Alias: {i}"]
        if i % 10 == 0:
            entity["lat"], entity["lon"] = 0.0, 12.5
    for i, relation in enumerate(doc["relations"]):
        if i % 3 == 0:
            relation["id"] = f"gdelt:{i}"
        if i % 5 == 0:
            relation["note"] = f"Note: see item {i}"
        if i % 7 == 0:
            relation["evidence"].append(
                {
                    "source": "bench",
                    "quote": "He said: yes",
                    "url": "https://example.org/x:y",
                    "locator": "story 1:2",
                }
            )
        if i % 11 == 0:
            relation["attributes"] = {"tone:avg": 1.5, "goldstein": -2}
        if i % 13 == 0:
            relation["date_text"] = "at 10:30"
        if i % 17 == 0:
            relation["type"] = "brokered"
    return doc


def write(path: Path, doc: dict, compact: bool) -> str:
    text = (
        json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
        if compact
        else json.dumps(doc, indent=1, ensure_ascii=False)
    )
    path.write_text(text, encoding="utf-8")
    return text


@pytest.fixture
def small(monkeypatch):
    """Several slices, numpy and two processes, on small data (builder and checker)."""
    for name, value in {
        "SLICE": 700,
        "SLICE_BYTES": 150_000,
        "NUMPY_MIN": 100,
        "NUMPY_MIN_BYTES": 200_000,
        "PARALLEL_MIN": 1000,
        "PARALLEL_MIN_BYTES": 200_000,
        "MAP_MIN_BYTES": 0,
    }.items():
        monkeypatch.setattr(sizes, name, value)
    monkeypatch.setattr(stream, "SLICE", 300)
    monkeypatch.setattr(stream, "PARALLEL_MIN", 1000)
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)


LAYOUTS = pytest.mark.parametrize("compact", [True, False], ids=["compact", "pretty"])


@LAYOUTS
def test_valid_data_full_of_colons_is_vouched_for(tmp_path, document, small, compact):
    path = tmp_path / "data.json"
    text = write(path, document, compact)
    files = with_vocabulary(data_files(path))
    sections = build.build_streaming(files)
    assert sections is not None
    assert isinstance(sections["rel_blob"], build.FileRecords) is compact
    assert fast.decode_fast(text.encode()) is not None
    assert find_problems(files) == []
    for kind in ("entities", "relations"):  # every slice vouched for by the fast path
        for start in range(0, len(document[kind]), 300):
            piece = document[kind][start : start + 300]
            assert stream._vouched(kind, json.dumps(piece).encode()) is not None


def _objects(doc: dict) -> dict[str, list[dict]]:
    """Every object of the document, by where it is."""
    relations = doc["relations"]
    return {
        "top level": [doc],
        "source": doc["sources"],
        "relation type": doc["relation_types"],
        "entity": doc["entities"],
        "relation": relations,
        "evidence": [ev for r in relations for ev in r["evidence"]],
        "identifiers": [e["identifiers"] for e in doc["entities"] if "identifiers" in e],
        "attributes": [r["attributes"] for r in relations if "attributes" in r],
    }


def repeated(doc: dict, seed: int) -> tuple[dict, str, str]:
    """(A copy of ``doc`` with a sentinel key in one random object, where, the key the
    sentinel repeats): the sentinel holds a different value of the same kind."""
    rng = random.Random(seed)
    doc = copy.deepcopy(doc)
    where = rng.choice(sorted(_objects(doc)))
    target = rng.choice(_objects(doc)[where])
    key = rng.choice(sorted(target))
    value = target[key]
    if isinstance(value, str):
        value = value + " 2"
    elif isinstance(value, bool):
        value = not value
    elif isinstance(value, int | float):
        value = value + 1
    target[SENTINEL] = value
    return doc, where, key


def _place(text: str, at: int) -> str:
    line = text.count("\n", 0, at) + 1
    return f"{line}:{at - (text.rfind(chr(10), 0, at) + 1) + 1}"


@LAYOUTS
@pytest.mark.parametrize("seed", some_slow(range(24), 4))
def test_a_repeated_key_anywhere_is_found_on_every_path(tmp_path, document, small, compact, seed):
    doc, where, key = repeated(document, seed)
    path = tmp_path / "data.json"
    text = write(path, doc, compact)
    written = json.dumps(key, ensure_ascii=False)
    at = text.index(json.dumps(SENTINEL))
    text = text[:at] + written + text[at + len(SENTINEL) + 2 :]
    path.write_text(text, encoding="utf-8")
    files = with_vocabulary(data_files(path))
    expected = [
        f"{path}:{_place(text, at)}: invalid JSON: key {json.dumps(key)} repeated in one object"
    ]
    assert build.build_streaming(files) is None, where
    assert fast.decode_fast(text.encode()) is None, where
    assert find_problems(files) == expected, where
    with pytest.raises(Exception) as caught:
        check_files(files)
    assert caught.value.problems == expected


@pytest.mark.parametrize(
    ("where", "key"),
    [("relation", "target"), ("evidence", "quote"), ("entity", "name"), ("identifiers", "cameo")],
)
def test_the_command_line_names_a_repeated_key(cli, tmp_path, document, where, key):
    doc = copy.deepcopy(document)
    target = _objects(doc)[where][-1]
    target[SENTINEL] = target[key]
    path = tmp_path / "data.json"
    text = write(path, doc, compact=True)
    at = text.index(json.dumps(SENTINEL))
    path.write_text(text.replace(json.dumps(SENTINEL), json.dumps(key)), encoding="utf-8")
    for command in (("validate",), ("stats",), ("who-met", "e0")):
        result = cli(*command, data=path)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f'Error: {path}:1:{at + 1}: invalid JSON: key "{key}" repeated in one object'
        ]


def test_a_file_with_a_repeated_key_counts_for_nothing_else(tmp_path, document, small):
    """As for the full checker, a file with a repeated key gives that one problem and no
    records: relations of another file that refer to its entities are then unknown."""
    doc = copy.deepcopy(document)
    people = {"schema_version": 1, "entities": doc.pop("entities")}
    people["entities"][-1][SENTINEL] = "again"
    first, second = tmp_path / "a-relations.json", tmp_path / "b-people.json"
    write(first, doc, compact=True)
    text = write(second, people, compact=False)
    second.write_text(text.replace(json.dumps(SENTINEL), '"name"'), encoding="utf-8")
    files = with_vocabulary(data_files(tmp_path))
    with pytest.raises(Exception) as caught:
        check_files(files)
    expected = caught.value.problems
    assert any("repeated in one object" in p for p in expected)
    assert any("unknown" in p for p in expected)  # the relations' ends, in the other file
    assert find_problems(files) == expected


def test_a_repeated_unknown_key_at_the_top_is_named(tmp_path, document):
    path = tmp_path / "data.json"
    text = write(path, document, compact=True)
    path.write_text(text[:-1] + ',"extra":1,"extra":2}', encoding="utf-8")
    files = with_vocabulary(data_files(path))
    at = len(text[:-1]) + len(',"extra":1,')
    assert find_problems(files) == [
        f'{path}:1:{at + 1}: invalid JSON: key "extra" repeated in one object'
    ]


def test_valid_data_the_fast_path_doubts_is_read_by_the_full_checker(cli, tmp_path, monkeypatch):
    """An escaped colon (\\u003a) always sends data to the full checker: its answers are
    the same as for the same text unescaped (once a traceback, in the largest layout
    too)."""
    from conftest import mini

    doc = mini()
    doc["relations"][0]["note"] = "Filed under: talks"
    plain, escaped = tmp_path / "plain.json", tmp_path / "escaped.json"
    plain.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    escaped.write_text(plain.read_text("utf-8").replace("under:", "under\\u003a"), "utf-8")
    assert fast.decode_fast(escaped.read_bytes()) is None
    assert build.build_streaming(with_vocabulary(data_files(escaped))) is None
    for cache in ("on", "off"):
        monkeypatch.setenv("DIPLOGRAPH_CACHE", cache)
        for command in (("validate",), ("who-met", "Alice", "--format", "json")):
            first, second = cli(*command, data=plain), cli(*command, data=escaped)
            assert first.exit_code == second.exit_code == 0, second.stderr
            assert first.stdout.replace("plain.json", "escaped.json") == second.stdout


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda d: d["entities"][0].update(aliases=["sources"]), id="a-top-key-word"),
        pytest.param(
            lambda d: d["relations"][0].update(note="C:\\reports\\baltic"), id="backslash-r"
        ),
        pytest.param(lambda d: d["relations"][0].update(attributes={"sources": 2}), id="attrs"),
    ],
)
def test_valid_data_is_vouched_for(document, change):
    """What looked suspicious to a first version but is valid: the fast path takes it."""
    doc = copy.deepcopy(document)
    change(doc)
    for compact in (True, False):
        text = json.dumps(doc, separators=(",", ":") if compact else None, indent=None)
        assert fast.decode_fast(text.encode()) is not None


def test_two_byte_order_marks_are_refused_as_the_full_checker_does(cli, tmp_path):
    from conftest import mini

    path = tmp_path / "data.json"
    path.write_bytes(b"\xef\xbb\xbf" * 2 + json.dumps(mini()).encode())
    assert fast.decode_fast(path.read_bytes()) is None
    result = cli("validate", data=path)
    assert result.exit_code == 1
    assert f"{path}:1:1:" in result.stderr

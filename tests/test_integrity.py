"""Never a wrong answer from the cache: damaged packs and search files, stale data."""

from __future__ import annotations

import json
import os
import random
import sys
from pathlib import Path

import msgspec
import pytest

from conftest import mini, some_slow
from diplograph.store import blocks, cache, format

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402


def pack_of(data: Path) -> Path:
    """The pack file of ``data`` in the test cache folder."""
    files = cache.with_vocabulary(cache.data_files(data))
    return cache.cache_dir() / cache.data_key(files)[0]


def sections_of(pack: Path) -> tuple[int, dict[str, list[int]]]:
    """(where the body starts, the layout) of a pack file."""
    raw = pack.read_bytes()
    size = int.from_bytes(raw[len(format.MAGIC) : len(format.MAGIC) + 4], "little")
    start = len(format.MAGIC) + 12
    header = msgspec.msgpack.decode(raw[start : start + size])
    return format.aligned(start + size), header["layout"]


def poke(path: Path, at: int, value: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] = value
    path.write_bytes(bytes(data))


@pytest.fixture
def cached(monkeypatch):
    """Every run packs its data into the (test) cache folder."""
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")


def answers(cli, monkeypatch, data: Path, *commands: tuple[str, ...]) -> list:
    """Each command's (exit code, stdout, stderr), with the cache in use."""
    found = []
    for command in commands:
        result = cli(*command, data=data)
        found.append((result.exit_code, result.stdout, result.stderr))
    return found


def uncached(cli, monkeypatch, data: Path, *commands: tuple[str, ...]) -> list:
    monkeypatch.setenv("DIPLOGRAPH_CACHE", "off")
    try:
        return answers(cli, monkeypatch, data, *commands)
    finally:
        monkeypatch.setenv("DIPLOGRAPH_CACHE", "on")


@pytest.mark.parametrize(
    ("section", "relation", "value", "command"),
    [
        ("certainty", 2, 0, ("who-met", "Carol Smith", "--certainty", "stated")),
        ("lo", 2, None, ("who-met", "Carol Smith", "--since", "2025-03")),
        ("type", 3, None, ("who-met", "Alice", "--format", "json")),
    ],
)
def test_a_tampered_array_is_rebuilt(
    cli, cached, monkeypatch, mini_path, section, relation, value, command
):
    expected = uncached(cli, monkeypatch, mini_path, command)
    assert answers(cli, monkeypatch, mini_path, command) == expected
    pack = pack_of(mini_path)
    body, layout = sections_of(pack)
    offset, length = layout[section]
    width = length // 4  # (four relations)
    at = body + offset + relation * width + width - 1 if section == "lo" else None
    at = body + offset + relation * width if at is None else at
    old = pack.read_bytes()[at]
    poke(pack, at, value if value is not None else old ^ 0x01)
    assert answers(cli, monkeypatch, mini_path, command) == expected
    assert pack.read_bytes()[at] == old  # rebuilt


def test_a_tampered_header_or_record_is_rebuilt(cli, cached, monkeypatch, mini_path):
    command = ("show", "Alice", "--format", "json")
    expected = uncached(cli, monkeypatch, mini_path, command)
    assert answers(cli, monkeypatch, mini_path, command) == expected
    pack = pack_of(mini_path)
    body, layout = sections_of(pack)
    pristine = pack.read_bytes()
    offset, length = layout["ent_blob"]
    record = pristine[body + offset : body + offset + length].index(b"Alice")
    for at in (len(format.MAGIC) + 20, body + offset + record + 1):
        poke(pack, at, pristine[at] ^ 0x20)
        assert answers(cli, monkeypatch, mini_path, command) == expected
        assert pack.read_bytes() == pristine


def test_same_size_edit_with_mtime_restored(cli, cached, monkeypatch, write_data):
    doc = mini()
    path = write_data(doc)
    command = ("show", "Bob Smith", "--format", "json")
    assert answers(cli, monkeypatch, path, command)[0][0] == 0
    before = path.stat()
    doc["entities"][1]["name"] = "Bob Smyth"
    doc["relations"][0]["evidence"][0]["quote"] = "Alice saw Bob"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size
    for command in (
        ("show", "Bob Smyth", "--format", "json"),
        ("show", "Bob Smith", "--format", "json"),
        ("who-met", "Alice", "--format", "json"),
    ):
        assert answers(cli, monkeypatch, path, command) == uncached(cli, monkeypatch, path, command)


@pytest.mark.long
def test_same_size_edit_of_records_read_from_the_data_file(cli, cached, monkeypatch, tmp_path):
    """Large compact data keeps its relation records in the data file: an edit in place
    (same size, mtime restored) must not mix the old index with the new records."""
    doc = generate.generate(50, 60_000, 3)
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    search = ("search", "item 9.", "--format", "json", "--limit", "3")
    assert answers(cli, monkeypatch, path, search)[0][0] == 0
    assert b"rel_file" in pack_of(path).read_bytes()  # records read from the data file
    before = path.stat()
    raw = path.read_bytes()
    edited = raw.replace(b"sources said in item 0.", b"sources said in item 9.", 1)
    assert edited != raw and len(edited) == len(raw)
    with open(path, "r+b") as out:  # in place: the same inode
        out.write(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert answers(cli, monkeypatch, path, search) == uncached(cli, monkeypatch, path, search)


def _flip_runs(cli, monkeypatch, data: Path, commands, target: Path, seeds: range) -> None:
    expected = uncached(cli, monkeypatch, data, *commands)
    assert answers(cli, monkeypatch, data, *commands) == expected  # builds pack, search file
    pristine = target.read_bytes()
    for seed in seeds:
        rng = random.Random(seed)
        damaged = bytearray(pristine)
        for _ in range(rng.choice((1, 1, 2, 3))):
            damaged[rng.randrange(len(damaged))] ^= rng.randrange(1, 256)
        target.write_bytes(bytes(damaged))
        got = answers(cli, monkeypatch, data, *commands)
        assert got == expected, f"seed {seed}"
        target.write_bytes(pristine)  # (a rebuild wrote the same bytes)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """A generated dataset, compactly written (relation records read from the data file)
    and pretty-printed (records kept in the pack)."""
    doc = generate.generate(300, 3000, 7)
    folder = tmp_path_factory.mktemp("flip")
    compact, pretty = folder / "compact.json", folder / "pretty.json"
    compact.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    pretty.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return doc, compact, pretty


def _commands(doc: dict) -> list[tuple[str, ...]]:
    busy = doc["entities"][int(doc["relations"][0]["source"][1:])]["name"]
    other = doc["entities"][7]["name"]
    return [
        ("who-met", busy, "--format", "json"),
        ("who-met", other, "--certainty", "stated", "--since", "2020", "--format", "json"),
        ("show", other, "--format", "json"),
        ("neighbors", other, "--format", "json"),
        ("search", "Koenko", "--format", "json", "--limit", "20"),
    ]


#: The byte-flip seeds: the first few by default, the rest with DIPLOGRAPH_TESTS=all.
PACK_FLIPS = some_slow([range(0, 3), range(3, 70)], 1, ids=["first", "rest"])
SEARCH_FLIPS = some_slow([range(0, 6), range(6, 60)], 1, ids=["first", "rest"])


@pytest.mark.parametrize("layout", ["compact", "pretty"])
@pytest.mark.parametrize("seeds", PACK_FLIPS)
def test_random_byte_flips_in_a_pack(cli, cached, monkeypatch, generated, layout, seeds):
    doc, compact, pretty = generated
    data = compact if layout == "compact" else pretty
    _flip_runs(cli, monkeypatch, data, _commands(doc), pack_of(data), seeds)


@pytest.mark.parametrize("seeds", SEARCH_FLIPS)
def test_random_byte_flips_in_a_search_file(cli, cached, monkeypatch, generated, seeds):
    doc, compact, _ = generated
    commands = [
        ("search", "Koenko", "--format", "json", "--limit", "20"),
        ("search", "item 12", "--format", "json"),
    ]
    _flip_runs(cli, monkeypatch, compact, commands, pack_of(compact).with_suffix(".search"), seeds)


# -- repeated keys -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "place", "key"),
    [
        ('{"schema_version":1,"relations":[],\n "relations":[]}', "2:2", "relations"),
        ('{"schema_version":1,\n"sources":[],"entities":[],"sources":[]}', "2:28", "sources"),
    ],
)
def test_repeated_keys_are_errors(cli, write_data, text, place, key):
    path = write_data(text)
    for command in (("validate",), ("stats",)):
        result = cli(*command, data=path)
        assert result.exit_code == 1
        expected = f'Error: {path}:{place}: invalid JSON: key "{key}" repeated in one object'
        assert result.stderr.strip().splitlines() == [expected]


def test_nested_too_deeply_has_a_place(cli, write_data):
    path = write_data('{"schema_version": 1, "x":\n' + "[" * 1100 + "]" * 1100 + "}")
    result = cli("validate", data=path)
    assert result.stderr.strip() == f"Error: {path}:2:1000: invalid JSON: nested too deeply"


def test_the_full_checker_names_a_repeated_key_in_a_record(write_data):
    from diplograph.check.files import read_json
    from diplograph.model.errors import DataError

    path = write_data('{"entities": [\n  {"id": "a", "name": "A",\n   "name": "B"}]}')
    with pytest.raises(DataError) as caught:
        read_json(path)
    assert caught.value.problems == [f'{path}:3:4: invalid JSON: key "name" repeated in one object']


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    """A generated dataset whose arrays span many checksum blocks."""
    doc = generate.generate(6000, 60000, 11)
    data = tmp_path_factory.mktemp("wide") / "wide.json"
    data.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return doc, data


def _blocks_checked(store) -> dict[str, tuple[int, int]]:
    """Section -> (blocks checked, blocks) of each array section a store has opened."""
    return {
        name: (len(value._ok) - value._left, len(value._ok))
        for name, value in dict(store._s).items()
        if isinstance(value, blocks.Checked)
    }


def test_a_query_checks_only_the_blocks_it_reads(cached, wide):
    """Memory that follows the answer: an ordinary actor's who-met maps and checks a few
    blocks of each array, of the ids and of the names, not whole sections."""
    import diplograph

    doc, data = wide
    diplograph.open(data).who_met("e4000")  # builds the pack
    graph = diplograph.open(data)
    rows = graph.who_met("e4000")
    assert rows  # (an actor with a few meetings)
    checked = _blocks_checked(graph.store)
    for name in ("src", "dst", "type", "lo", "in_rel", "out_rel", "rel_off", "names_blob"):
        done, total = checked[name]
        assert total >= 20, name
        assert done <= total // 5, (name, done, total)
    # the ids: the blocks a binary search for one id visits, and the rows' own
    done, total = checked["ids_off"]
    assert done <= len(doc["entities"]).bit_length() + 2 * len(rows)
    busy = diplograph.open(data)
    busy.who_met("e5")  # (the counts are the blocks read: a hub's relations are everywhere)
    assert _blocks_checked(busy.store)["src"] == (checked["src"][1],) * 2


def test_a_damaged_block_is_found_when_read(cli, cached, monkeypatch, wide):
    """A block of an array no query has read yet is checked when one reads it: an answer
    that does not touch it comes from the pack as it is, one that does from a pack built
    anew, and both equal the answer without a cache."""
    import diplograph

    doc, data = wide
    near, far = ("who-met", "e4000", "--format", "json"), ("who-met", "e5", "--format", "json")
    expected = uncached(cli, monkeypatch, data, near, far)
    assert answers(cli, monkeypatch, data, near) == expected[:1]
    pack = pack_of(data)
    graph = diplograph.open(data)
    graph.who_met("e4000")
    read = graph.store._s["src"]._ok
    per = blocks.BLOCK // 4  # relations a block of src holds
    meetings = [
        r
        for r, relation in enumerate(doc["relations"])
        if relation["type"] == "met" and "e5" in (relation["source"], relation["target"])
    ]
    unread = next(r // per for r in meetings if not read[r // per])
    del graph, read
    body, layout = sections_of(pack)
    at = body + layout["src"][0] + unread * blocks.BLOCK + 5
    pristine = pack.read_bytes()
    poke(pack, at, pristine[at] ^ 0x04)
    assert answers(cli, monkeypatch, data, near) == expected[:1]
    assert pack.read_bytes()[at] != pristine[at]  # not read: not checked, still there
    assert answers(cli, monkeypatch, data, near, far) == expected
    assert pack.read_bytes() == pristine  # the busy actor's relations reach it: rebuilt

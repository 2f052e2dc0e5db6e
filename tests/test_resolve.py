import pytest

from diplograph.files.locate import bundled_data_dir
from diplograph.model.errors import AmbiguousName, UnknownEntity, UsageError
from diplograph.model.text import fold
from diplograph.queries.resolve import index_for, resolve
from diplograph.store.cache import open_store
from reference import reference_store


@pytest.fixture(scope="module")
def graph():
    """The bundled dataset, as the store every command reads."""
    return open_store(bundled_data_dir())


@pytest.mark.parametrize(
    ("typed", "entity"),
    [
        ("lukashenko", "lukashenko"),
        ("Lukashenko", "lukashenko"),
        ("LUKASHENKA", "lukashenko"),
        ("Alexander Lukashenko", "lukashenko"),
        ("Аляксандр Лукашэнка", "lukashenko"),
        ("Kellogg", "kellogg"),
        ("Tsikhanouski", "tsikhanouski"),
        ("Siarhiej Cichanoŭski", "tsikhanouski"),
        ("siarhiej cichanouski", "tsikhanouski"),
        ("Tikhanovsky", "tsikhanouski"),
        ("Tsikhanouskaya", "tsikhanouskaya"),
        ("U.S.", "united-states"),
        ("us", "united-states"),
        ("Washington", "united-states"),
        ("the Kremlin", "russia"),
        ("RFE/RL", "rfe-rl"),
        ("united-states", "united-states"),
        ("Zenkovich", "zenkovich"),
        ("Youras Ziankovich", "zenkovich"),
        ("Smith", "smith"),
        ("Minsk", "minsk"),
    ],
)
def test_resolves(graph, typed, entity):
    assert resolve(graph, typed) == entity


def test_fold():
    assert fold("  Cichanoŭski ") == "cichanouski"
    assert fold("U.S.") == "u s"
    assert fold("Trump’s") == "trumps"


def test_ambiguous_surname(mini_path):
    graph = open_store(mini_path)
    with pytest.raises(AmbiguousName) as info:
        resolve(graph, "smith")
    assert str(info.value) == (
        "'smith' matches 2 entities: Bob Smith (bob), Carol Smith (carol); "
        "type a full name or an id"
    )
    assert info.value.candidates == ["bob", "carol"]


def test_unknown_suggests(graph):
    with pytest.raises(UnknownEntity) as info:
        resolve(graph, "Lukashenkko")
    assert str(info.value).startswith(
        "no entity named 'Lukashenkko' (did you mean 'Alexander Lukashenko'"
    )


def test_unknown_without_suggestion(graph):
    with pytest.raises(UnknownEntity) as info:
        resolve(graph, "qqqqzzzz")
    assert str(info.value) == (
        "no entity named 'qqqqzzzz'; look for it with: diplograph search qqqqzzzz"
    )


def test_empty_and_long(graph):
    with pytest.raises(UsageError, match="empty name"):
        resolve(graph, " . ")
    with pytest.raises(UsageError, match="name is too long"):
        resolve(graph, "x" * 500)


def test_accents_on_data_side(mini_path):
    graph = open_store(mini_path)
    assert resolve(graph, "alice arviz") == "alice"
    assert resolve(graph, "ally") == "alice"


def test_completions(graph):
    names = index_for(graph).completions("Luk")
    assert "Lukashenko" in names and "Lukashenka" in names


def names_doc() -> dict:
    """People named family name first and last, and a country others have as an alias."""
    from conftest import mini

    doc = mini()
    people = ["Xi Jinping", "Moon Jae-in", "Aso Taro", "Kim Jong-un", "Kim Yo-jong", "Sung Kim"]
    for name in people:
        doc["entities"].append(
            {"id": name.lower().replace(" ", "-"), "name": name, "type": "person"}
        )
    doc["entities"].append({"id": "usa", "name": "United States", "type": "country"})
    for role in ("government", "military", "business"):
        doc["entities"].append(
            {
                "id": f"usa{role[:3]}",
                "name": f"United States {role}",
                "type": "organization",
                "aliases": ["United States"],
            }
        )
    return doc


@pytest.mark.parametrize(
    ("typed", "entity"),
    [
        ("Xi", "xi-jinping"),
        ("Moon", "moon-jae-in"),
        ("Aso", "aso-taro"),
        ("Jinping", "xi-jinping"),
        ("United States", "usa"),
        ("usagov", "usagov"),
    ],
)
def test_family_name_first_and_exact_before_alias(write_data, typed, entity):
    from diplograph.store.cache import open_store as open_packed

    path = write_data(names_doc())
    assert resolve(reference_store(path), typed) == entity
    assert resolve(open_packed(path), typed) == entity


def test_short_name_of_several_people_is_ambiguous(write_data):
    from diplograph.store.cache import open_store as open_packed

    path = write_data(names_doc())
    for graph in (reference_store(path), open_packed(path)):
        with pytest.raises(AmbiguousName) as info:
            resolve(graph, "Kim")
        assert str(info.value) == (
            "'Kim' matches 3 entities: Kim Jong-un (kim-jong-un), Kim Yo-jong (kim-yo-jong), "
            "Sung Kim (sung-kim); type a full name or an id"
        )


def test_many_candidates_are_cut_short(write_data):
    doc = names_doc()
    for i in range(20):
        doc["entities"].append({"id": f"lee-{i}", "name": f"Lee Number{i}", "type": "person"})
    with pytest.raises(AmbiguousName) as info:
        resolve(reference_store(write_data(doc)), "Lee")
    assert str(info.value).endswith("and 8 more; type a full name or an id")
    assert len(info.value.candidates) == 20


def test_candidates_keep_one_order_under_any_hash_seed(tmp_path):
    """Entities of one name are listed by id: the same line whatever PYTHONHASHSEED is."""
    import json
    import os
    import subprocess
    import sys

    from conftest import mini

    doc = mini()
    ids = [f"kowalski-{n}" for n in "qbxmdkaz"]
    doc["entities"] += [{"id": i, "name": "Jan Kowalski", "type": "person"} for i in ids]
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    lines = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "DIPLOGRAPH_CACHE": "off"}
        done = subprocess.run(
            [sys.executable, "-m", "diplograph", "--data", str(path), "who-met", "Kowalski"],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert done.returncode == 1, done.stderr
        lines.append(done.stderr.strip().splitlines()[-1])
    listed = ", ".join(f"Jan Kowalski ({i})" for i in sorted(ids))
    assert (
        lines[0]
        == lines[1]
        == (f"Error: 'Kowalski' matches 8 entities: {listed}; type a full name or an id")
    )

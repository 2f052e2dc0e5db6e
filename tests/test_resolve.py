import pytest

from diplograph.check.files import bundled_data_dir
from diplograph.model.errors import AmbiguousName, UnknownEntity, UsageError
from diplograph.model.text import fold
from diplograph.queries.resolve import index_for, resolve
from diplograph.store.cache import open_store


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

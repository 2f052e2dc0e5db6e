"""ARCHITECTURE.md's table of layers, checked against the imports (parsed with ast).

A layer imports only what its "may import" cell names; no module imports another's
private (``_``) names; ``parallel.py`` imports nothing of diplograph."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "diplograph"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:]) if "." in name else Path()
    return (PACKAGE / relative).with_suffix(".py").is_file() or (
        PACKAGE / relative / "__init__.py"
    ).is_file()


def imports(path: Path, text: str | None = None) -> list[tuple[int, str, str | None]]:
    """(line, module imported, name imported from it or None) for every import of
    diplograph in ``path`` (or ``text`` as if it were there), at the top or inside a
    function."""
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found = []
    if text is None:
        text = path.read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, None) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if is_module(sub):  # "from .. import formats": the module itself
                    found.append((node.lineno, sub, None))
                else:
                    found.append((node.lineno, target, alias.name))
    return [f for f in found if f[1] == "diplograph" or f[1].startswith("diplograph.")]


def layer_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def table() -> dict[str, set[str]]:
    """Layer -> what it may import, from ARCHITECTURE.md's table ("every layer below":
    every other layer; names in backticks: a layer, or one module of a layer)."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \|.*\| ([^|]+) \|$", text, re.M)
    assert rows, "ARCHITECTURE.md has no table of layers"
    layers = {layer for layer, _ in rows}
    allowed: dict[str, set[str]] = {}
    for layer, cell in rows:
        if "every layer below" in cell:
            allowed[layer] = layers - {layer}
        else:
            allowed[layer] = set(re.findall(r"`([\w.]+)`", cell))
    return allowed


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_table_names_every_layer():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages <= set(table()), "a package missing from ARCHITECTURE.md's table"


def test_the_table_names_every_module_in_its_layer_row():
    """Each module of a layer is named (in backticks) in the "holds" cell of its row, so
    the table is where a newcomer finds it; and the modules beside the layers too."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    holds = dict(re.findall(r"^\| `(\w+)` \| (.*?) \|[^|]*\|$", text, re.M))
    missing = [
        f"{package.parent.name}/{module.name}"
        for package in PACKAGE.glob("*/__init__.py")
        for module in package.parent.glob("*.py")
        if module.name != "__init__.py" and f"`{module.stem}`" not in holds[package.parent.name]
    ]
    assert not missing, f"modules ARCHITECTURE.md's table does not name: {missing}"
    for beside in ("parallel.py", "__main__.py"):
        assert beside in text, beside


def test_the_table_parses():
    found = table()
    assert found["model"] == set()
    assert found["queries"] == {"model", "store.protocol"}
    assert "store" in found["cli"]


def violations(path: Path, allowed: dict[str, set[str]], text: str | None = None) -> list[str]:
    """What in ``path`` (or ``text`` as if it were there) breaks the layers."""
    me = module_name(path)
    mine = layer_of(me)
    out = []
    for line, module, name in imports(path, text):
        where = f"{path.relative_to(ROOT)}:{line}"
        private = name is not None and name.startswith("_") and not name.startswith("__")
        if private and module != me:
            out.append(f"{where}: imports {module}.{name}, a private name")
        if module == "diplograph" and name in (None, "__version__"):
            continue  # the package's version (and its lazy front door)
        theirs = layer_of(module)
        if mine == "parallel" or theirs == "parallel":
            if mine == "parallel" or theirs not in allowed.get(mine, {theirs}):
                out.append(f"{where}: {me} imports {module} (parallel imports nothing)")
            continue
        if mine in ("", "__main__", theirs) or mine not in allowed:
            continue  # the package's own doors, or within one layer
        rights = allowed[mine]
        short = module.split(".", 1)[1] if "." in module else module
        if theirs in rights or any(short == r or short.startswith(r + ".") for r in rights):
            continue
        out.append(f"{where}: {mine} imports {module}; the table allows {sorted(rights)}")
    return out


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(path):
    assert violations(path, table()) == []


def test_a_violation_is_caught():
    """The check finds an upward import, a sideways one and a private name."""
    fake = PACKAGE / "queries" / "leak_probe.py"
    text = (
        "from ..cli.app import main\n"
        "from ..importers.gdelt import import_gdelt\n"
        "def f():\n"
        "    from ..store.packed import _private\n"
    )
    found = violations(fake, {"queries": {"model", "store.protocol"}}, text)
    # cli, importers, store.packed, and a private name
    assert [f.split(": ", 1)[1].split(";")[0] for f in found] == [
        "queries imports diplograph.cli.app",
        "queries imports diplograph.importers.gdelt",
        "imports diplograph.store.packed._private, a private name",
        "queries imports diplograph.store.packed",
    ]


# -- the Store protocol: primitives only, and only they are asked for -----------------------

PROTOCOL = PACKAGE / "store" / "protocol.py"


def protocol_methods() -> dict[str, list[str]]:
    """The methods ``store/protocol.py`` declares on ``Store``, with their parameters'
    names (read with ast: what the file says, not what ``typing`` adds)."""
    tree = ast.parse(PROTOCOL.read_text(encoding="utf-8"))
    (store,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Store"]
    return {
        f.name: [a.arg for a in f.args.args + f.args.kwonlyargs]
        for f in store.body
        if isinstance(f, ast.FunctionDef)
    }


def implemented(cls: type) -> dict[str, list[str]]:
    """A class's own public methods, with their parameters."""
    import inspect

    return {
        name: list(inspect.signature(value).parameters)
        for name, value in vars(cls).items()
        if callable(value) and not name.startswith("_")
    }


def test_every_protocol_method_is_documented():
    tree = ast.parse(PROTOCOL.read_text(encoding="utf-8"))
    (store,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Store"]
    methods = [f for f in store.body if isinstance(f, ast.FunctionDef)]
    assert len(methods) >= 20
    assert [f.name for f in methods if not ast.get_docstring(f)] == []


def test_the_reference_implements_exactly_the_protocol():
    """The tests' networkx reference has the protocol's methods and no other (its
    networkx graph is the ``nx`` attribute), each with the protocol's parameters."""
    from reference import NetworkxStore

    assert implemented(NetworkxStore) == protocol_methods()


def test_the_packed_store_implements_the_protocol():
    """The packed store has every method of the protocol, with its parameters (and
    what its search file is built from besides)."""
    from diplograph.store.packed import PackedGraph

    methods = implemented(PackedGraph)
    assert {name: methods.get(name) for name in protocol_methods()} == protocol_methods()


class OnlyTheProtocol:
    """A store that answers only what the protocol offers: any other attribute a query
    asks for fails the test (``in``, ``len``, iteration: this class has none of them)."""

    def __init__(self, store, allowed: set[str]):
        self._store, self._allowed, self.asked = store, allowed, set()

    def __getattr__(self, name: str):
        if name not in self._allowed:
            raise AssertionError(f"a query asked the store for {name!r}: not in the protocol")
        self.asked.add(name)
        return getattr(self._store, name)


def every_question(store) -> list:
    """Every query (and the library's ways to the whole graph) asked of ``store``; their
    answers, comparable between two stores."""
    from diplograph.api.tables import to_networkx
    from diplograph.model.errors import DiplographError
    from diplograph.queries.filters import make_filters
    from diplograph.queries.hints import who_met_hint
    from diplograph.queries.listing import list_entities, list_relations, show, show_relation
    from diplograph.queries.neighbors import neighbors
    from diplograph.queries.paths import PathOptions, path_rows, paths
    from diplograph.queries.resolve import resolve
    from diplograph.queries.search import search
    from diplograph.queries.stats import stats
    from diplograph.queries.subgraph import subgraph
    from diplograph.queries.timeline import timeline_and_undated
    from diplograph.queries.who import who
    from diplograph.queries.who_met import first_met, who_met

    def graph_of(part) -> tuple:
        edges = sorted(part.edges(keys=True, data=True), key=lambda e: e[2])
        return list(part.nodes(data=True)), [(u, v, k, sorted(a)) for u, v, k, a in edges]

    answers: list = []

    def ask(question) -> None:
        try:
            answers.append(question())
        except DiplographError as exc:
            answers.append((type(exc).__name__, str(exc)))

    luka, kellogg = resolve(store, "Lukashenka"), resolve(store, "Kellogg")
    met = make_filters(store, relation_types=["met"])
    february = make_filters(store, since="February", until="2025-02-28")
    minsk = make_filters(store, place="Minsk")
    ask(lambda: resolve(store, "Kim"))
    ask(lambda: resolve(store, "Lukashenkko"))
    ask(lambda: who_met(store, luka))
    ask(lambda: first_met(store, luka, met, 2))
    ask(lambda: who_met_hint(store, resolve(store, "Minsk"), "Minsk"))
    ask(lambda: who_met_hint(store, "zenkovich", "Zenkovich"))
    ask(lambda: who(store, "zenkovich", frozenset({"escorted", "released"})))
    ask(lambda: neighbors(store, kellogg, "both", 2, february))
    for options in [
        PathOptions(),
        PathOptions(k=3),
        PathOptions(all_shortest=True),
        PathOptions(chronological=True),
        PathOptions(directed=True, filters=met),
    ]:
        ask(lambda o=options: path_rows(store, paths(store, kellogg, "tsikhanouski", o)))
    for nodes in ([], [luka], [luka, kellogg], [resolve(store, "Minsk")]):
        ask(lambda n=nodes: timeline_and_undated(store, n, february))
    ask(lambda: list_entities(store, "person"))
    ask(lambda: list_relations(store, minsk))
    ask(lambda: list_relations(store, february, [luka, kellogg]))
    ask(lambda: show(store, luka))
    ask(lambda: show(store, "new-york-times"))
    ask(lambda: show_relation(store, list_relations(store, met)[0]["relation_id"]))
    ask(lambda: stats(store, 3))
    ask(lambda: search(store, "Tsikh"))
    ask(lambda: search(store, "said"))
    ask(lambda: graph_of(subgraph(store)))
    ask(lambda: (subgraph(store).number_of_nodes(), subgraph(store).number_of_edges()))
    ask(lambda: graph_of(subgraph(store).to_networkx()))
    ask(lambda: graph_of(subgraph(store, met)))
    ask(lambda: graph_of(subgraph(store, february, kellogg, 2)))
    ask(lambda: graph_of(to_networkx(store, minsk)))
    return answers


def test_queries_ask_the_store_only_what_the_protocol_offers():
    """Every query run over a store that refuses anything outside the protocol gives
    the answers it gives over the packed store itself; and every primitive is asked for
    by some query (the protocol holds nothing dead)."""
    from diplograph.store.cache import open_store

    store = open_store(ROOT / "data")
    guarded = OnlyTheProtocol(store, {*protocol_methods(), "graph"})
    assert every_question(guarded) == every_question(open_store(ROOT / "data"))
    assert guarded.asked == {*protocol_methods(), "graph"}


def test_a_question_outside_the_protocol_is_caught():
    from diplograph.store.cache import open_store

    guarded = OnlyTheProtocol(open_store(ROOT / "data"), {*protocol_methods(), "graph"})
    with pytest.raises(AssertionError, match="'records_json': not in the protocol"):
        guarded.records_json("rel", 0, 1)
    with pytest.raises(TypeError):
        list(guarded)
    with pytest.raises(TypeError):
        "lukashenko" in guarded  # noqa: B015 (what is tested is that it raises)


def test_the_recipe_for_a_query_works():
    """ARCHITECTURE.md's example query runs on the primitives alone and answers alike on
    the packed store and the reference."""
    from diplograph.model.filters import NO_FILTERS
    from diplograph.queries import common
    from diplograph.queries.listing import show
    from diplograph.store.cache import open_store
    from reference import reference_store

    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, re.S)
    space = {**vars(common), "NO_FILTERS": NO_FILTERS}
    exec(compile(textwrap.dedent(code), "ARCHITECTURE.md", "exec"), space)  # noqa: S102
    reported_on = space["reported_on"]
    packed = open_store(ROOT / "data")
    guarded = OnlyTheProtocol(packed, {*protocol_methods(), "graph"})
    found = reported_on(guarded, "new-york-times")
    assert found and found == reported_on(reference_store(), "new-york-times")
    assert found == show(packed, "new-york-times")["reported"]  # what ``show`` lists

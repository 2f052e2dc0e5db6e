"""ARCHITECTURE.md's table of layers, checked against the imports (parsed with ast).

A layer imports only what its "may import" cell names; no module imports another's
private (``_``) names; ``parallel.py`` imports nothing of diplograph."""

from __future__ import annotations

import ast
import re
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

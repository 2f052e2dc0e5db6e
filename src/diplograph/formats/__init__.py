"""Export formats: one module per format, found by its module name.

Each format module (every module here but ``common`` and ``drawing``) is named as users
type the format and defines:

- ``SUMMARY``: one line for help texts;
- ``SUFFIXES``: the file name endings that mean it (for guessing from ``--output``);
- ``FOLDER``: True when it writes a folder of files rather than one file;
- ``write(graph, output, force=False, progress=None)``: write ``graph`` (a store, or a
  networkx part of one cut by ``queries.subgraph``) to ``output`` atomically ('-' for
  stdout, where the format allows), with ``progress`` hearing long passes.

Adding a format is adding one module (and its test): ``names()`` lists it, the CLI's
``--format`` help and choices come from here. Modules are imported only when used, so
listing the formats costs a directory listing, not an import.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

#: Modules of this package that are not formats.
HELPERS = frozenset({"common", "drawing"})


@cache
def names() -> tuple[str, ...]:
    """Every export format, by name, in a stable order (the usual ones first)."""
    found = {m.name for m in pkgutil.iter_modules(__path__) if m.name not in HELPERS}
    usual = ("graphml", "gexf", "json", "dot", "mermaid", "neo4j", "cypher")
    return (*(n for n in usual if n in found), *sorted(found.difference(usual)))


def get(name: str) -> ModuleType:
    """The module of the format ``name`` (raises KeyError for an unknown one)."""
    if name not in names():
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def for_file(output: str) -> str | None:
    """The format a file name's ending means (``belarus.graphml``: graphml), or None."""
    lowered = output.lower()
    for name in names():
        if any(lowered.endswith(suffix) for suffix in get(name).SUFFIXES):
            return name
    return None

"""Export formats: one module per format, found by its module name.

Each format module (every module here but the ``HELPERS``: ``common``, ``drawing``,
``layout``, ``picture``) is named as users
type the format and defines:

- ``SUMMARY``: one line for help texts;
- ``SUFFIXES``: the file name endings that mean it (for guessing from ``--output``);
- ``FOLDER``: True when it writes a folder of files rather than one file;
- ``write(graph, output, force=False, progress=None)``: write ``graph`` (a store, or a
  networkx part of one cut by ``queries.subgraph``) to ``output`` atomically ('-' for
  stdout, where the format allows), with ``progress`` hearing long passes.

That contract is ``ExportFormat`` (a ``typing.Protocol``; a test holds every module to
it). A format that speaks several dialects (``cypher``) is also a ``DialectFormat``:
``DIALECTS`` (the first is the default) and a ``dialect=`` keyword to ``write``.

Adding a format is adding one module (and its test): ``names()`` lists it, the CLI's
``--format`` help and choices come from here. Modules are imported only when used, so
listing the formats costs a directory listing, not an import.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class ExportFormat(Protocol):
    """What every format module defines (see the module docstring)."""

    SUMMARY: str
    SUFFIXES: tuple[str, ...]
    FOLDER: bool

    def write(
        self,
        graph: Any,
        output: str,
        force: bool = False,
        progress: Callable[..., None] | None = None,
    ) -> None: ...


@runtime_checkable
class DialectFormat(ExportFormat, Protocol):
    """A format written in one of several dialects (``--dialect``)."""

    DIALECTS: tuple[str, ...]

    def write(
        self,
        graph: Any,
        output: str,
        force: bool = False,
        progress: Callable[..., None] | None = None,
        dialect: str = ...,
    ) -> None: ...


#: Modules of this package that are not formats.
HELPERS = frozenset({"common", "drawing", "layout", "picture"})


@cache
def names() -> tuple[str, ...]:
    """Every export format, by name, in a stable order (the usual ones first)."""
    found = {m.name for m in pkgutil.iter_modules(__path__) if m.name not in HELPERS}
    usual = ("graphml", "gexf", "json", "dot", "mermaid", "neo4j", "cypher", "parquet")
    return (*(n for n in usual if n in found), *sorted(found.difference(usual)))


def get(name: str) -> ModuleType:
    """The module of the format ``name`` (raises KeyError for an unknown one)."""
    if name not in names():
        raise KeyError(name)
    return importlib.import_module(f"{__name__}.{name}")


def summaries() -> dict[str, str]:
    """Each format's name and ``SUMMARY`` (this imports every format module: for help
    texts, not for start-up)."""
    return {name: get(name).SUMMARY for name in names()}


def folders() -> tuple[str, ...]:
    """The formats that write a folder of files (``FOLDER``; imports every format
    module: for help texts)."""
    return tuple(name for name in names() if get(name).FOLDER)


def for_file(output: str) -> str | None:
    """The format a file name's ending means (``belarus.graphml``: graphml), or None."""
    lowered = output.lower()
    for name in names():
        if any(lowered.endswith(suffix) for suffix in get(name).SUFFIXES):
            return name
    return None

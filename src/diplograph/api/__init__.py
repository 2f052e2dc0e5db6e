"""The library: a dataset opened as a ``Graph``, its answers as records.

Above ``queries`` (the engine), ``store`` and ``model``, below ``cli``: every command
asks its question through a ``Graph`` method, so the library and the CLI share one
code path, one set of messages.
"""

from __future__ import annotations

import os
from typing import Any

from .graph import Graph
from .records import *  # noqa: F403
from .records import __all__ as _records_all


def open(  # noqa: A001 - diplograph.open, as sqlite_utils.Database / open()
    path: str | os.PathLike[str] | None = None, progress: Any = None
) -> Graph:
    """The data at ``path`` (a file or a folder; None: $DIPLOGRAPH_DATA, else the
    bundled dataset) opened as a ``Graph`` over the cache the CLI uses."""
    return Graph(path, progress)


def read_networkx(path: str | os.PathLike[str] | None = None, **cut: Any) -> Any:
    """``open(path).to_networkx(**cut)``: the graph as a networkx MultiDiGraph."""
    return Graph(path).to_networkx(**cut)


def to_json(value: Any) -> str:
    """A record, or a list of records, as JSON text (the CLI's ``--format json``)."""
    import msgspec

    from .records import Answer

    if isinstance(value, Answer):
        value = value.to_dicts()
    return msgspec.json.encode(value).decode()


__all__ = ["Graph", "open", "read_networkx", "to_json", *_records_all]

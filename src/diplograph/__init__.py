"""diplograph: a knowledge-graph explorer for diplomacy, as a command line and a library.

>>> import diplograph
>>> g = diplograph.open()            # the bundled data (or a file or folder)
>>> [m.name for m in g.who_met("Kellogg")]
['Alexander Lukashenko']

``import diplograph`` is cheap: the library (``diplograph.api``: msgspec, the store)
is imported on first use of one of its names, networkx only by ``to_networkx`` and
``stats``, pandas only by ``to_pandas``; rich and typer never.
"""

from __future__ import annotations

from .model.errors import (
    AmbiguousName,
    DataChanged,
    DataError,
    DiplographError,
    ExportError,
    NoPath,
    UnknownEntity,
    UsageError,
)

__version__ = "0.1.0"

#: The names ``diplograph.api`` provides, imported when first asked for.
_API = (
    "Graph",
    "open",
    "read_networkx",
    "to_json",
    "Answer",
    "Broker",
    "Component",
    "ComponentSummary",
    "Connected",
    "Entity",
    "EntityCard",
    "Evidence",
    "Hop",
    "Link",
    "Match",
    "Meeting",
    "Neighbor",
    "Record",
    "Relation",
    "Stats",
    "TypeCount",
)

__all__ = [
    "__version__",
    *_API,
    "AmbiguousName",
    "DataChanged",
    "DataError",
    "DiplographError",
    "ExportError",
    "NoPath",
    "UnknownEntity",
    "UsageError",
]

#: (``typing`` itself is not imported: it costs more than the rest of this module)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from .api import *  # noqa: F403


def __getattr__(name: str) -> Any:
    if name in _API:
        from . import api

        value = getattr(api, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'diplograph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))

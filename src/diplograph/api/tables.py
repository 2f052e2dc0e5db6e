"""The graph as data for other libraries: a networkx MultiDiGraph, pandas DataFrames.

networkx and pandas are imported here, when asked for, never at ``import diplograph``.
"""

from __future__ import annotations

from typing import Any

from ..model import dates
from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Progress, Store


def date_bounds(when: str | None) -> tuple[Any, Any]:
    """(earliest, latest) day an EDTF date may mean (None, None when undated)."""
    if not when:
        return None, None
    parsed = dates.parse(when)
    return parsed.lower, parsed.upper


def relation_attrs(u: str, v: str, key: str, attrs: dict) -> dict:
    """Every field of a relation (``id``, ``source``, ``target`` first), plus its
    ``earliest`` and ``latest`` days."""
    earliest, latest = date_bounds(attrs.get("date"))
    return {
        "id": key,
        "type": attrs["type"],
        "source": u,
        "target": v,
        **{name: value for name, value in attrs.items() if name != "type"},
        "earliest": earliest,
        "latest": latest,
    }


def to_networkx(
    store: Store,
    filters: Filters = NO_FILTERS,
    ego: str | None = None,
    radius: int = 1,
    progress: Progress | None = None,
) -> Any:
    """The part of ``store`` that ``export`` would cut (see ``queries.subgraph``) as a
    new MultiDiGraph with every field as attributes (see ``Graph.to_networkx``)."""
    import networkx as nx

    from ..queries.subgraph import subgraph

    part = subgraph(store, filters, ego, radius)
    if not isinstance(part, nx.MultiDiGraph):  # the whole store
        part = part.to_networkx(progress)
    out = nx.MultiDiGraph()
    out.graph.update(
        {key: value for key, value in part.graph.items() if key in ("sources", "relation_types")}
    )
    out.add_nodes_from((n, {"id": n, **attrs}) for n, attrs in part.nodes(data=True))
    out.add_edges_from(
        (u, v, key, relation_attrs(u, v, key, attrs))
        for u, v, key, attrs in part.edges(keys=True, data=True)
    )
    return out


def to_pandas(store: Store) -> tuple[Any, Any]:
    """(entities, relations) DataFrames of the whole graph."""
    try:
        import pandas as pd
    except ImportError:
        from ..model.errors import UsageError

        raise UsageError("to_pandas needs pandas: pip install 'diplograph[pandas]'") from None
    entities = pd.DataFrame(
        [{"id": n, **attrs} for n, attrs in store.entities()],
        columns=None,
    )
    relations = pd.DataFrame([relation_attrs(*edge) for edge in store.relations()])
    return entities, relations

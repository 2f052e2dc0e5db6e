"""What every query shares: names, how relation types read, rows, dates as sort keys.

A row is a plain dict. Rows that name an entity carry its id and name; rows about a
relation carry its date (EDTF, as written), date_text, certainty, reported_by,
relation_id and evidence (a list of {source, quote}). Nothing in ``queries`` prints;
every query reads the data through the ``Store`` protocol (``store.protocol``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from ..model import dates
from ..model.filters import NO_FILTERS, Filters
from ..model.vocabulary import reading_of
from ..store.protocol import Edge, Store


def entity_name(graph: Store, node: str | None) -> str:
    """Display name of an entity id ('' for None)."""
    return graph.name_of(node) if node is not None else ""


def display_names(graph: Store, nodes: list[str]) -> list[str]:
    """``entity_name`` of many entities, read in one go."""
    return graph.names_of(nodes)


def reading(graph: Store, rtype: str, forward: bool = True) -> str:
    """How a relation type reads: 'released' forward, 'was released by' backward."""
    return reading_of(graph.graph["relation_types"], rtype, forward)


def sort_key(attrs: dict) -> tuple:
    """Chronological order: dated relations by (earliest, latest); undated last."""
    when = attrs.get("date")
    if not when:
        return (1, date.max, date.max)
    parsed = dates.parse(when)
    return (0, parsed.lower, parsed.upper)


#: The rank of an undated relation: after every dated one.
UNDATED = (1, date.max.toordinal(), date.max.toordinal())

#: The fields a relation touches an entity by, as networkx counts its degree.
DEGREE = ("source", "target")


def relation_fields(graph: Store, key: str, attrs: dict, row: dict | None = None) -> dict:
    """The provenance columns every relation row carries (added to ``row`` if given); a
    field the relation lacks is None (JSON null, an empty CSV cell)."""
    get = attrs.get
    place, reported_by = get("place"), get("reported_by")
    name = graph.name_of
    row = {} if row is None else row
    row["date"] = get("date")
    row["date_text"] = get("date_text")
    row["place_id"] = place
    row["place"] = name(place) if place else None
    row["certainty"] = attrs["certainty"]
    row["reported_by"] = name(reported_by) if reported_by else None
    row["relation_id"] = key
    row["evidence"] = attrs["evidence"]
    row["note"] = get("note")
    if "attributes" in attrs:  # coder numbers (GDELT, ICEWS), only where there are some
        row["attributes"] = attrs["attributes"]
    return row


def relation_row(graph: Store, u: str, v: str, key: str, attrs: dict) -> dict[str, object]:
    """A relation read in its true direction: from (actor), relation, to."""
    return {
        "from_id": u,
        "from_name": entity_name(graph, u),
        "relation": reading(graph, attrs["type"]),
        "type": attrs["type"],
        "to_id": v,
        "to_name": entity_name(graph, v),
        **relation_fields(graph, key, attrs),
    }


def incident(
    graph: Store,
    node: str,
    direction: str = "both",
    filters: Filters = NO_FILTERS,
    skip: Callable[[str], bool] | None = None,
) -> Iterator[tuple[str, Edge]]:
    """Relations touching ``node`` that pass ``filters``: ('out', edge) where it is the
    source, then ('in', edge) where it is the target (``direction`` out, in or both);
    without those whose other end ``skip`` refuses. Only the passing relations' records
    are read (the store filters on its arrays)."""
    accepts = graph.relation_filter(filters)
    for way, field in (("out", "source"), ("in", "target")):
        if direction not in (way, "both"):
            continue
        if skip is None:
            handles = graph.handles(node, field, accepts)
        else:
            handles = [h for other, h in graph.steps(node, way, accepts, ()) if not skip(other)]
        for edge in graph.edges_of(handles):
            yield way, edge


def placed_at(graph: Store, node: str, filters: Filters = NO_FILTERS) -> list[Edge]:
    """Relations whose ``place`` is ``node`` that pass ``filters``, in storage order."""
    return graph.edges_of(graph.handles(node, "place", graph.relation_filter(filters)))


def reported_by(graph: Store, node: str) -> list[Edge]:
    """Relations whose ``reported_by`` is ``node``, in storage order."""
    return graph.edges_of(graph.handles(node, "reported_by"))


def degree(graph: Store, node: str) -> int:
    """How many relations touch ``node`` (either direction; one with itself twice)."""
    return sum(len(graph.handles(node, field)) for field in DEGREE)

"""Everything of a kind, and one entity's card with its relations."""

from __future__ import annotations

from typing import Any

from ..model.errors import UsageError
from ..model.filters import NO_FILTERS, Filters
from ..model.records import ENTITY_TYPES
from ..store.protocol import Store
from .common import (
    DEGREE,
    entity_name,
    incident,
    placed_at,
    reading,
    relation_fields,
    relation_row,
    reported_by,
    sort_key,
)


def list_entities(graph: Store, entity_type: str | None = None) -> list[dict]:
    """Entities (optionally of one type), by name, with their degree."""
    if entity_type is not None:
        entity_type = entity_type.casefold()  # any case, as relation types
    if entity_type is not None and entity_type not in ENTITY_TYPES:
        from ..model.text import choose_from

        raise UsageError(
            f"unknown entity type '{entity_type}' {choose_from(entity_type, ENTITY_TYPES)}"
        )
    rows = [
        {
            "id": node,
            "name": attrs.get("name", node),
            "type": attrs.get("type", ""),
            "aliases": attrs.get("aliases", []),
            "description": attrs.get("description", ""),
            "relations": degree,
        }
        for (node, attrs), (_, degree) in zip(graph.entities(), graph.counts(DEGREE), strict=True)
        if entity_type is None or attrs.get("type") == entity_type
    ]
    return sorted(rows, key=lambda r: (r["name"].casefold(), r["id"]))


def list_relations(
    graph: Store, filters: Filters = NO_FILTERS, ends: list[str] | tuple = ()
) -> list[dict]:
    """Relations passing the filters, in time order (undated last); with ``ends``, only
    those touching that entity (one) or joining the two (either direction)."""
    if len(ends) > 2:
        raise UsageError("--between takes at most two names")
    if not ends:
        edges = [e for e in graph.relations() if filters.accepts(e[3])]
    else:
        edges = [
            edge
            for _, edge in incident(graph, ends[0], "both", filters)
            if len(ends) == 1 or ends[1] in (edge[0], edge[1])
        ]
    edges.sort(key=lambda e: (sort_key(e[3]), e[2]))
    return [relation_row(graph, *e) for e in edges]


# -- show ----------------------------------------------------------------------------------


def show_relation(graph: Store, key: str) -> dict[str, Any] | None:
    """One relation by its id, with every field (None: no relation has that id)."""
    found = graph.relation_by_id(key.strip())
    if found is None:
        return None
    return relation_row(graph, *found)


def entity_card(graph: Store, node: str) -> dict[str, Any]:
    """The entity's own fields."""
    attrs = graph.entity(node)
    card = {
        "id": node,
        "name": attrs.get("name", node),
        "type": attrs.get("type", ""),
        "aliases": attrs.get("aliases", []),
        "description": attrs.get("description", ""),
    }
    for extra in ("identifiers", "lat", "lon"):  # only where the data has them
        if extra in attrs:
            card[extra] = attrs[extra]
    return card


def show(graph: Store, node: str, filters: Filters = NO_FILTERS) -> dict[str, Any]:
    """Entity card, its relations grouped by type, what happened there (relations whose
    place it is), and the claims it reported.

    The shape (JSON): {id, name, type, aliases, description, relations: {type: [row]},
    happened_here: [relation row], reported: [relation row]}."""
    groups: dict[str, list[dict]] = {}
    for way, (u, v, key, attrs) in sorted(
        incident(graph, node, "both", filters), key=lambda item: (sort_key(item[1][3]), item[1][2])
    ):
        other = v if way == "out" else u
        groups.setdefault(attrs["type"], []).append(
            {
                "id": other,
                "name": entity_name(graph, other),
                "direction": way,
                "relation": reading(graph, attrs["type"], way == "out"),
                **relation_fields(graph, key, attrs),
            }
        )
    candidates = reported_by(graph, node)
    reported = sorted(
        (
            relation_row(graph, u, v, key, attrs)
            for u, v, key, attrs in candidates
            if attrs.get("reported_by") == node and filters.accepts(attrs)
        ),
        key=lambda row: (sort_key(row), row["relation_id"]),
    )
    happened = sorted(
        (relation_row(graph, *edge) for edge in placed_at(graph, node, filters)),
        key=lambda row: (sort_key(row), row["relation_id"]),
    )
    return {
        **entity_card(graph, node),
        "relations": groups,
        "happened_here": happened,
        "reported": reported,
    }


def show_rows(card: dict[str, Any]) -> list[dict]:
    """``show`` flattened to one row per relation (for csv): its own relations, then
    those that happened there (``direction`` "here")."""
    head = {"entity_id": card["id"], "entity_name": card["name"]}
    own = [
        {**head, "relation_type": rtype, **row}
        for rtype, rows in card["relations"].items()
        for row in rows
    ]
    here = [
        {**head, "relation_type": row["type"], "direction": "here", **row}
        for row in card.get("happened_here", [])
    ]
    return own + here

"""Where an empty answer points: the question the data can answer instead.

Pure functions of a Store: each returns one line for the user (or None when there is
nothing better to suggest); the command prints it under its empty answer.
"""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import replace

from ..model.filters import NO_FILTERS, Filters
from ..store.protocol import Store
from .common import incident, placed_at


def contact_types(graph: Store) -> frozenset[str]:
    """The relation types that are contact between two actors besides ``met``: the
    event types in CAMEO's consult family (04x: consulted, visited, hosts,
    negotiates-with...)."""
    return frozenset(
        rid
        for rid, record in graph.graph["relation_types"].items()
        if rid != "met" and str(record.get("cameo") or "").startswith("04")
    )


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def who_met_hint(graph: Store, node: str, typed: str, filters: Filters = NO_FILTERS) -> str | None:
    """Why ``who-met`` found no meeting with ``node`` (as the user ``typed`` it), and
    what to ask instead: for a place, the relations that happened there (``--place``);
    for an actor, the other contact types it has, with counts, and the command that
    lists them. None when the data hold neither."""
    name = shlex.quote(typed)
    if graph.entity(node).get("type") == "place":
        there = placed_at(graph, node, replace(filters, relation_types=frozenset()))
        if there:
            met = sum(1 for edge in there if edge[3]["type"] == "met")
            meetings = f", {_plural(met, 'meeting')}" if met else ""
            return (
                f"{graph.name_of(node)} is a place: {_plural(len(there), 'relation')} "
                f"happened there{meetings}. Ask with --place: diplograph list relations "
                f"--place {name}" + (f" (or who-met NAME --place {name})" if met else "")
            )
        return None
    contacts = contact_types(graph)
    counts = Counter(
        edge[3]["type"]
        for _, edge in incident(graph, node, "both", replace(filters, relation_types=contacts))
    )
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    listed = ", ".join(f"{n:,} {rtype}" for rtype, n in ranked)
    types = ",".join(rtype for rtype, _ in ranked)
    return (
        f"{graph.name_of(node)} has other contacts (relations by type): {listed}. "
        f"diplograph list relations --between {name} -r {types}"
    )

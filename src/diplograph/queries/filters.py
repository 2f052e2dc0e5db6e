"""Filters from what a user typed: dates, certainty levels, relation types."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import dates
from ..model.errors import UsageError
from ..model.filters import Filters
from ..model.records import CERTAINTY
from ..store.protocol import Store


def make_filters(
    graph: Store,
    since: str | None = None,
    until: str | None = None,
    certainty: Iterable[str] = (),
    relation_types: Iterable[str] = (),
) -> Filters:
    """Build Filters from user-typed values, raising UsageError on unknown ones."""
    try:
        since_day = dates.parse(since).lower if since else None
        until_day = dates.parse(until).upper if until else None
    except dates.DateError as exc:
        raise UsageError(f"bad date filter: {exc}") from None
    if since_day and until_day and since_day > until_day:
        raise UsageError(f"the date window starts after it ends ({since} is after {until})")
    levels = frozenset(certainty)
    unknown = sorted(levels - set(CERTAINTY))
    if unknown:
        raise UsageError(f"unknown certainty '{unknown[0]}' (choose from {', '.join(CERTAINTY)})")
    return Filters(since_day, until_day, levels, check_relation_types(graph, relation_types))


def check_relation_types(graph: Store, names: Iterable[str]) -> frozenset[str]:
    """The relation type ids given, each checked against the vocabulary."""
    known = graph.graph["relation_types"]
    types = frozenset(names)
    for name in sorted(types):
        if name not in known:
            import difflib

            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"unknown relation type '{name}'{hint}")
    return types

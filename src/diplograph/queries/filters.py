"""Filters from what a user typed: dates, certainty levels, relation types, a place."""

from __future__ import annotations

from collections.abc import Iterable

from ..model import dates
from ..model.datewords import needs_year, read_filter
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
    place: str | None = None,
    within: bool = False,
) -> Filters:
    """Build Filters from user-typed values, raising UsageError on unknown ones.

    Dates are read by ``model.datewords.read_filter``: EDTF, a numeric day with the year
    last (21/06/2025, day first; refused when it could be either), or date words as
    ``add`` reads them ("February", "June 21", "21 June 2025"; without a year, the year
    of the data's latest dated relation). Certainty levels and relation types are matched
    ignoring case; ``place`` is a name, resolved like any other.
    """
    year = None
    if any(text and needs_year(text) for text in (since, until)):
        year = graph.latest_year()
    try:
        since_day = read_filter(since, year).lower if since else None
        until_day = read_filter(until, year).upper if until else None
    except dates.DateError as exc:
        raise UsageError(f"bad date filter: {exc}") from None
    if since_day and until_day and since_day > until_day:
        raise UsageError(f"the date window starts after it ends ({since} is after {until})")
    if within and not (since_day or until_day):
        raise UsageError("within needs a date window: a start, an end or both")
    levels = frozenset(level.casefold() for level in certainty)
    unknown = sorted(levels - set(CERTAINTY))
    if unknown:
        from ..model.text import choose_from

        raise UsageError(
            f"unknown certainty '{unknown[0]}' {choose_from(unknown[0], list(CERTAINTY))}"
        )
    place_id = None
    if place is not None:
        from .resolve import resolve

        place_id = resolve(graph, place)
    return Filters(
        since_day,
        until_day,
        levels,
        check_relation_types(graph, relation_types),
        place_id,
        within,
    )


def check_relation_types(graph: Store, names: Iterable[str]) -> frozenset[str]:
    """The relation type ids given (any case), each checked against the vocabulary."""
    known = graph.graph["relation_types"]
    by_fold = {name.casefold(): name for name in known}
    types = set()
    for name in sorted(set(names)):
        found = known.get(name) and name or by_fold.get(name.casefold())
        if found is None:
            import difflib

            close = difflib.get_close_matches(name.casefold(), list(known), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"unknown relation type '{name}'{hint}")
        types.add(found)
    return frozenset(types)

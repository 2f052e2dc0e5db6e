"""Which relations a query may use: by type, date window and certainty."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import dates
from .records import CERTAINTY

#: Certainty levels from the surest (0) down.
CERTAINTY_RANK = {level: rank for rank, level in enumerate(CERTAINTY)}


@dataclass(frozen=True)
class Filters:
    """Which relations a query may use: by type, date window, certainty and place.

    A dated relation passes the date window when its bounds overlap it (``within``: when
    they lie inside it); an undated relation passes only when no window is set. ``place``
    is an entity id: only relations whose ``place`` is that entity pass.
    """

    since: date | None = None
    until: date | None = None
    certainty: frozenset[str] = field(default_factory=frozenset)
    relation_types: frozenset[str] = field(default_factory=frozenset)
    place: str | None = None
    within: bool = False

    @property
    def dated(self) -> bool:
        """Whether a date window is set (undated relations then never pass)."""
        return self.since is not None or self.until is not None

    def accepts(self, attrs: dict) -> bool:
        """True when a relation (edge attributes) passes every filter."""
        if self.relation_types and attrs["type"] not in self.relation_types:
            return False
        if self.certainty and attrs["certainty"] not in self.certainty:
            return False
        if self.place is not None and attrs.get("place") != self.place:
            return False
        if self.since is None and self.until is None:
            return True
        when = attrs.get("date")
        if when is None:
            return False
        parsed = dates.parse(when)
        if self.within:
            return parsed.inside(self.since, self.until)
        return parsed.overlaps(self.since, self.until)


NO_FILTERS = Filters()

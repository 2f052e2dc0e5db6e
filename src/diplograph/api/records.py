"""The records the library returns: typed, documented, JSON-serialisable.

Each is a ``msgspec.Struct`` whose fields are the keys of the CLI's ``--format json``
rows, in the same order; ``to_dict()`` gives that row (``diplograph.to_json`` the JSON
text). A field the data lacks is None; ``attributes`` (numbers an event coder gives) and
an evidence item's ``quote``, ``url`` and ``locator`` are left out where absent, as in
the data. Records are frozen; iterating over one gives its (field, value) pairs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

T = TypeVar("T")

__all__ = [
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
]


class Record(
    msgspec.Struct,
    frozen=True,
    kw_only=True,
    forbid_unknown_fields=True,
    repr_omit_defaults=True,
    gc=False,
):
    """What every record shares: ``to_dict()`` and iteration over (field, value)."""

    def to_dict(self) -> dict[str, Any]:
        """The record as the CLI's JSON row (nested records as dicts)."""
        return msgspec.to_builtins(self)

    def __iter__(self):
        return iter(self.to_dict().items())


class Evidence(Record, frozen=True):
    """Where a relation comes from: ``source`` (a source id), ``quote`` (the source's
    exact words), and for machine-coded facts ``url`` and ``locator``."""

    source: str
    quote: str | UnsetType = UNSET
    url: str | UnsetType = UNSET
    locator: str | UnsetType = UNSET


Attributes = dict[str, Any] | UnsetType


class Meeting(Record, frozen=True):
    """One meeting (``Graph.who_met``): whom (``id``, ``name``), when (``date`` in EDTF,
    ``date_text`` in the source's words), where (``place_id``, ``place``), how sure
    (``certainty``, ``reported_by``), and the relation's id, evidence and note."""

    id: str
    name: str
    date: str | None
    date_text: str | None
    place_id: str | None
    place: str | None
    certainty: str
    reported_by: str | None
    relation_id: str
    evidence: list[Evidence]
    note: str | None
    attributes: Attributes = UNSET


class Relation(Record, frozen=True):
    """One relation read in its true direction: ``from_name`` ``relation`` ``to_name``
    ("Alexander Lukashenko released Siarhei Tsikhanouski"), its ``type`` id, and the
    provenance fields of a ``Meeting``. In a timeline with a date window, ``in_window``
    says whether its whole date lies in the window (else it is a span that merely
    overlaps it)."""

    from_id: str
    from_name: str
    relation: str
    type: str
    to_id: str
    to_name: str
    date: str | None
    date_text: str | None
    place_id: str | None
    place: str | None
    certainty: str
    reported_by: str | None
    relation_id: str
    evidence: list[Evidence]
    note: str | None
    attributes: Attributes = UNSET
    in_window: bool | UnsetType = UNSET


class Hop(Record, frozen=True):
    """One hop of a path (``Graph.path``): path number ``path`` (from 1), hop number
    ``hop`` (from 1), and the relation of that hop (fields of ``Relation``)."""

    path: int
    hop: int
    from_id: str
    from_name: str
    relation: str
    type: str
    to_id: str
    to_name: str
    date: str | None
    date_text: str | None
    place_id: str | None
    place: str | None
    certainty: str
    reported_by: str | None
    relation_id: str
    evidence: list[Evidence]
    note: str | None
    attributes: Attributes = UNSET


class Neighbor(Record, frozen=True):
    """An entity ``distance`` hops away (``Graph.neighbors``), reached from ``via_id``
    through a relation that reads ``via_name relation name`` (``direction`` "out": the
    via entity is its source), with the provenance fields of a ``Meeting``."""

    distance: int
    id: str
    name: str
    type: str
    via_id: str
    via_name: str
    direction: str
    relation: str
    relation_type: str
    date: str | None
    date_text: str | None
    place_id: str | None
    place: str | None
    certainty: str
    reported_by: str | None
    relation_id: str
    evidence: list[Evidence]
    note: str | None
    attributes: Attributes = UNSET


class Link(Record, frozen=True):
    """One relation on an entity's card (``EntityCard.relations``): the other end
    (``id``, ``name``), ``direction`` ("out": the card's entity is the source) and how it
    reads from the card's entity, with the provenance fields of a ``Meeting``."""

    id: str
    name: str
    direction: str
    relation: str
    date: str | None
    date_text: str | None
    place_id: str | None
    place: str | None
    certainty: str
    reported_by: str | None
    relation_id: str
    evidence: list[Evidence]
    note: str | None
    attributes: Attributes = UNSET


class Entity(Record, frozen=True):
    """An entity (``Graph.list_entities``, ``Graph.entity``): id, name, type, aliases,
    description and how many relations touch it."""

    id: str
    name: str
    type: str
    aliases: list[str]
    description: str
    relations: int


class EntityCard(Record, frozen=True, kw_only=True):
    """An entity and its relations (``Graph.show``): its own fields (``identifiers``,
    ``lat`` and ``lon`` where the data has them), ``relations`` by type, what
    ``happened_here`` (relations placed at it) and what it ``reported``."""

    id: str
    name: str
    type: str
    aliases: list[str]
    description: str
    identifiers: dict[str, str] | UnsetType = UNSET
    lat: float | UnsetType = UNSET
    lon: float | UnsetType = UNSET
    relations: dict[str, list[Link]]
    happened_here: list[Relation]
    reported: list[Relation]


class Match(Record, frozen=True):
    """A search result (``Graph.search``): its ``score`` (0-100), ``kind`` (entity,
    relation or source), ``id``, ``name``, and the ``field`` and text that matched."""

    score: float
    kind: str
    id: str
    name: str
    field: str
    match: str


class TypeCount(Record, frozen=True):
    """How many entities or relations have one type."""

    type: str
    count: int


class Connected(Record, frozen=True):
    """An entity and its degree (relations touching it)."""

    id: str
    name: str
    degree: int


class Broker(Record, frozen=True):
    """An entity and its betweenness centrality (rounded to 4 places)."""

    id: str
    name: str
    betweenness: float


class Component(Record, frozen=True):
    """A connected component: its rank, size and members' names (sorted)."""

    component: int
    size: int
    members: list[str]


class ComponentSummary(Record, frozen=True):
    """How many components have more than one member, how many are listed, and how
    many entities stand alone."""

    components: int
    listed: int
    lone_entities: int


class Stats(Record, frozen=True):
    """The shape of the graph (``Graph.stats``), one list per section of ``stats``."""

    entities: list[TypeCount]
    relations: list[TypeCount]
    most_connected: list[Connected]
    brokers: list[Broker]
    components: list[Component]
    component_summary: list[ComponentSummary]


class Answer(Sequence[T]):
    """The records of one answer, in order: a sequence (``len``, indexing, slicing,
    iteration) of records of one type, made from the engine's rows when first read, so
    that handing the rows on (``to_dicts``, the CLI's JSON) costs nothing.

    Equal to a list of the same records. ``Graph.timeline`` sets ``undated``: how many
    undated relations it left out that would pass the filters otherwise, and ``window``:
    its date window as read ("2025-02-01 to 2025-02-28"; None without one); ``hint`` is
    where an empty answer points (``Graph.who_met``: a place's relations, an actor's
    other contact types), else None.
    """

    def __init__(
        self,
        kind: type[T],
        rows: list[dict],
        undated: int = 0,
        hint: str | None = None,
        window: str | None = None,
        total: int | None = None,
    ):
        self.kind, self.undated, self.hint, self.window = kind, undated, hint, window
        #: how many records the whole answer holds (more than these when cut short, as
        #: ``Graph.who_met(first=...)`` does)
        self.total = len(rows) if total is None else total
        self._rows = rows
        self._records: list[T] | None = None

    def _all(self) -> list[T]:
        if self._records is None:
            from ..model.gcpause import paused_gc

            with paused_gc():  # many objects, no cycles
                self._records = msgspec.convert(self._rows, list[self.kind])
        return self._records

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):  # type: ignore[override]
        return self._all()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Answer):
            return self._all() == other._all()
        return isinstance(other, list) and self._all() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._all())

    def to_dicts(self) -> list[dict[str, Any]]:
        """The records as the CLI's JSON rows (the engine's own rows: do not change)."""
        return self._rows

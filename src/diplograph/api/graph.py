"""``Graph``: the questions the CLI asks, asked from Python over the same cached store.

Names resolve as on the command line (ids, names, aliases, one word of a person's name);
filters are keyword arguments named as the options (``relation``, ``place``, ``since``,
``until``, ``within``, ``certainty``); answers are records (``api.records``); errors are
the exceptions of ``model.errors`` with the CLI's messages. Nothing is printed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from ..model.errors import UnknownEntity, UsageError
from ..model.filters import Filters
from ..store.protocol import Progress, Store
from . import records as r

T = TypeVar("T")

#: How a user may give several values: one string (commas allowed) or many.
Values = str | Iterable[str] | None


def _split(values: Values) -> list[str]:
    """Comma-separated and repeated values, flattened (as the CLI's options)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _records(kind: type[T], rows: list[dict]) -> r.Answer[T]:
    """The engine's rows as an answer of records (made when first read)."""
    return r.Answer(kind, rows)


class Graph:
    """A dataset opened for questions (``diplograph.open``).

    >>> import diplograph
    >>> g = diplograph.open()
    >>> g.entity("Kellogg").name
    'Keith Kellogg'
    """

    def __init__(
        self, path: str | os.PathLike[str] | None = None, progress: Progress | None = None
    ):
        """Open the data at ``path`` (a file or folder; None: $DIPLOGRAPH_DATA, else the
        bundled dataset) from the cache when it is current, else built and cached;
        ``progress(step, done=None, total=None, unit="")`` hears the steps of a long
        build, and ``progress(None)`` its end. Raises DataError on invalid data."""
        from ..files.locate import resolve_data_path
        from ..store.cache import open_store

        if isinstance(path, (list, tuple)):
            if len(path) != 1:
                raise UsageError(
                    f"give one data file or folder, not {len(path)} (put the files in a "
                    "folder: files sharing an identifier are merged)"
                )
            path = path[0]
        self.data: Path = resolve_data_path(path)
        self.progress = progress
        self.store: Store = open_store(self.data, progress)

    def __repr__(self) -> str:
        return (
            f"<diplograph.Graph {str(self.data)!r}: {self.store.number_of_nodes():,} "
            f"entities, {self.store.number_of_edges():,} relations>"
        )

    def ask(self, question: Callable[[Store], T]) -> T:
        """``question(store)``; a cache found damaged while it is answered is deleted and
        the question asked once more of a store built anew (kept for the next ones)."""
        from ..store.cache import answer

        def keep(store: Store) -> None:
            self.store = store

        return answer(self.data, question, self.progress, self.store, keep)

    # -- names and filters ---------------------------------------------------------------

    def resolve(self, name: str) -> str:
        """The id of the one entity ``name`` names (UnknownEntity, AmbiguousName).

        >>> diplograph.open().resolve("Lukashenka")
        'lukashenko'
        """
        from ..queries.resolve import resolve

        return self.ask(lambda store: resolve(store, name))

    def entity(self, name: str) -> r.Entity:
        """The entity ``name`` names, with how many relations touch it.

        >>> diplograph.open().entity("Tsikhanouski").type
        'person'
        """

        def question(store: Store) -> dict:
            from ..queries.common import degree
            from ..queries.listing import entity_card
            from ..queries.resolve import resolve

            node = resolve(store, name)
            card = entity_card(store, node)
            return {key: card[key] for key in ("id", "name", "type", "aliases", "description")} | {
                "relations": degree(store, node)
            }

        return msgspec.convert(self.ask(question), r.Entity)

    def filters(
        self,
        relation: Values = None,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
        store: Store | None = None,
    ) -> Filters:
        """The ``Filters`` these options ask for, checked as the CLI checks them
        (UsageError: an unknown relation type or certainty, a bad date)."""
        from ..queries.filters import make_filters

        return make_filters(
            store if store is not None else self.store,
            since,
            until,
            _split(certainty),
            _split(relation),
            place,
            within,
        )

    # -- questions -----------------------------------------------------------------------

    def who_met(
        self,
        name: str,
        *,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
        first: int | None = None,
    ) -> r.Answer[r.Meeting]:
        """Everyone who met ``name``, in date order (``diplograph who-met``); when no
        one did, ``.hint`` says where to look instead. With ``first``, only the first
        ``first`` meetings, only their records read (``.total`` says how many there are
        in all): what a table of the busiest actor's first rows needs.

        >>> [m.name for m in diplograph.open().who_met("Kellogg")]
        ['Alexander Lukashenko']
        """
        from ..queries.hints import who_met_hint
        from ..queries.resolve import resolve
        from ..queries.who_met import first_met, who_met

        def question(store: Store) -> tuple[list[dict], int, str | None]:
            node = resolve(store, name)
            chosen = self.filters(None, place, since, until, within, certainty, store)
            if first is None:
                found = who_met(store, node, chosen)
                total = len(found)
            else:
                met_only = replace(chosen, relation_types=frozenset({"met"}))
                found, total = first_met(store, node, met_only, first)
            return found, total, None if found else who_met_hint(store, node, name, chosen)

        found, total, hint = self.ask(question)
        return r.Answer(r.Meeting, found, hint=hint, total=total)

    def who(
        self,
        relation: Values,
        name: str,
        *,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
    ) -> r.Answer[r.Relation]:
        """The relations of type ``relation`` touching ``name`` (``diplograph who``):
        those done to it first ("who released X"), then those it did, each read in its
        true direction. ``relation`` resolves as ``relation=`` does (ids, any case).

        >>> [f"{x.from_name} {x.relation} {x.to_name}"
        ...  for x in diplograph.open().who("escorted", "Zenkovich")]
        ['John Cole escorted Yuri Zenkovich']
        """
        from ..queries.filters import check_relation_types
        from ..queries.resolve import resolve
        from ..queries.who import who

        def question(store: Store) -> list[dict]:
            try:
                types = check_relation_types(store, _split(relation))
            except UsageError as exc:
                raise UsageError(_swapped(store, relation, name) or str(exc)) from None
            node = resolve(store, name)
            chosen = self.filters(None, place, since, until, within, certainty, store)
            return who(store, node, types, chosen)

        return _records(r.Relation, self.ask(question))

    def path(
        self,
        start: str,
        goal: str,
        *,
        k: int = 1,
        all_shortest: bool = False,
        max_hops: int | None = None,
        avoid: Sequence[str] = (),
        directed: bool = False,
        chronological: bool = False,
        relation: Values = None,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
    ) -> r.Answer[r.Hop]:
        """The shortest chain of relations from ``start`` to ``goal``, one ``Hop`` per
        relation (``diplograph path``); ``k``: the k shortest simple paths,
        ``all_shortest``: all shortest ones (``Hop.path`` numbers them). Raises NoPath.

        >>> [h.to_name for h in diplograph.open().path("Kellogg", "Lukashenko")]
        ['Alexander Lukashenko']
        """
        from ..queries.paths import PathOptions, path_rows, paths
        from ..queries.resolve import resolve

        if all_shortest and (k > 1 or chronological):
            raise UsageError("--all cannot be combined with --k or --chronological")
        if k > 1 and chronological:
            raise UsageError("--k cannot be combined with --chronological")

        def question(store: Store) -> list[dict]:
            a, b = resolve(store, start), resolve(store, goal)
            options = PathOptions(
                filters=self.filters(relation, place, since, until, within, certainty, store),
                avoid=frozenset(resolve(store, n) for n in avoid),
                directed=directed,
                max_hops=max_hops,
                all_shortest=all_shortest,
                k=k,
                chronological=chronological,
            )
            return path_rows(store, paths(store, a, b, options))

        return _records(r.Hop, self.ask(question))

    def neighbors(
        self,
        name: str,
        *,
        depth: int = 1,
        direction: str = "both",
        relation: Values = None,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
    ) -> r.Answer[r.Neighbor]:
        """The entities within ``depth`` hops of ``name``, one row per relation reaching
        them (``diplograph neighbors``); ``direction``: "out", "in" or "both".

        >>> sorted({n.name for n in diplograph.open().neighbors("Zenkovich")})[:2]
        ['Alexander Lukashenko', 'John Cole']
        """
        from ..queries.neighbors import neighbors
        from ..queries.resolve import resolve

        def question(store: Store) -> list[dict]:
            node = resolve(store, name)
            chosen = self.filters(relation, place, since, until, within, certainty, store)
            return neighbors(store, node, direction, depth, chosen)

        return _records(r.Neighbor, self.ask(question))

    def timeline(
        self,
        *names: str,
        relation: Values = None,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
    ) -> r.Answer[r.Relation]:
        """Dated relations in time order: all, one actor's (and those placed at it), or
        those between two (``diplograph timeline``); ``.undated`` counts the undated
        ones left out. With ``since``/``until``, those dated wholly in the window come
        first (``in_window`` True), then the spans that overlap it (False); ``.window``
        is the window as read.

        >>> t = diplograph.open().timeline("Kellogg", "Lukashenko")
        >>> t[0].type, t.undated
        ('met', 1)
        """
        from ..queries.resolve import resolve
        from ..queries.timeline import timeline_and_undated, window_text

        if len(names) > 2:
            raise UsageError("timeline takes at most two names")

        def question(store: Store) -> tuple[list[dict], int, str | None]:
            nodes = [resolve(store, n) for n in names]
            chosen = self.filters(relation, place, since, until, within, certainty, store)
            return (*timeline_and_undated(store, nodes, chosen), window_text(chosen))

        rows, undated, window = self.ask(question)
        return r.Answer(r.Relation, rows, undated, window=window)

    def search(self, text: str, limit: int = 20) -> r.Answer[r.Match]:
        """Fuzzy search over names, aliases, descriptions, quotes, notes and sources,
        best first (``diplograph search``).

        >>> diplograph.open().search("Tsikh")[0].id
        'tsikhanouski'
        """
        from ..queries.search import search

        return _records(r.Match, self.ask(lambda store: search(store, text, limit)))

    def show(
        self,
        name: str,
        *,
        relation: Values = None,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
    ) -> r.EntityCard | r.Relation:
        """An entity's card with its relations by type, or one relation by its id
        (``diplograph show``).

        >>> card = diplograph.open().show("Zenkovich")
        >>> card.name, sorted(card.relations)[:2]
        ('Yuri Zenkovich', ['citizen-of', 'escorted'])
        """
        from ..queries.listing import show, show_relation
        from ..queries.resolve import resolve

        def question(store: Store) -> tuple[str, dict]:
            try:
                node = resolve(store, name)
            except UnknownEntity:
                found = show_relation(store, name)
                if found is None:
                    raise
                return "relation", found
            chosen = self.filters(relation, place, since, until, within, certainty, store)
            return "entity", show(store, node, chosen)

        kind, card = self.ask(question)
        return msgspec.convert(card, r.Relation if kind == "relation" else r.EntityCard)

    def list_entities(self, type: str | None = None) -> r.Answer[r.Entity]:  # noqa: A002
        """All entities (of one ``type``), by name (``diplograph list entities``).

        >>> len(diplograph.open().list_entities(type="country")) > 3
        True
        """
        from ..queries.listing import list_entities

        return _records(r.Entity, self.ask(lambda store: list_entities(store, type)))

    def list_relations(
        self,
        *,
        between: Sequence[str] = (),
        relation: Values = None,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
    ) -> r.Answer[r.Relation]:
        """All relations passing the filters, in time order, undated last; ``between``:
        only those touching one actor, or joining two (``diplograph list relations``).

        >>> {x.type for x in diplograph.open().list_relations(relation="released")}
        {'released'}
        """
        from ..queries.listing import list_relations
        from ..queries.resolve import resolve

        if isinstance(between, str):
            between = [between]
        if len(between) > 2:
            raise UsageError("--between takes at most two names")

        def question(store: Store) -> list[dict]:
            chosen = self.filters(relation, place, since, until, within, certainty, store)
            return list_relations(store, chosen, [resolve(store, n) for n in between])

        return _records(r.Relation, self.ask(question))

    def stats(self, top: int = 10, progress: Progress | None = None) -> r.Stats:
        """Entities and relations by type, the most connected actors, brokers by
        betweenness, components (``diplograph stats``); ``progress(step)`` hears each
        step.

        >>> diplograph.open().stats(top=1).most_connected[0].id
        'belarus'
        """
        from ..queries.stats import stats

        return msgspec.convert(self.ask(lambda store: stats(store, top, progress)), r.Stats)

    # -- the graph as data ---------------------------------------------------------------

    def to_networkx(
        self,
        ego: str | None = None,
        radius: int = 1,
        *,
        relation: Values = None,
        place: str | None = None,
        since: str | None = None,
        until: str | None = None,
        within: bool = False,
        certainty: Values = None,
        progress: Progress | None = None,
    ) -> Any:
        """The graph (or the part ``export`` would cut: ``ego`` and the entities within
        ``radius`` hops, relations passing the filters) as a ``networkx.MultiDiGraph``.

        Nodes are entity ids with every field of the entity as attributes (``id``
        too); edges go from source to target, keyed by relation id, with every field
        of the relation (``id``, ``source``, ``target``, ``date`` in EDTF,
        ``evidence`` as a list of dicts...) plus ``earliest`` and ``latest``, the
        first and last day its date may mean (``datetime.date``; None when undated).
        ``graph.graph`` holds ``sources`` and ``relation_types``.

        >>> nx_graph = diplograph.open().to_networkx("Zenkovich", radius=1)
        >>> nx_graph.nodes["zenkovich"]["name"]
        'Yuri Zenkovich'
        """
        from .tables import to_networkx

        def question(store: Store) -> Any:
            from ..queries.resolve import resolve

            chosen = self.filters(relation, place, since, until, within, certainty, store)
            node = resolve(store, ego) if ego else None
            return to_networkx(store, chosen, node, radius, progress)

        return self.ask(question)

    def to_pandas(self) -> Any:
        """(entities, relations) as two pandas DataFrames, one row per record, every
        field a column (``earliest``/``latest`` as dates; evidence a list); needs
        pandas (``pip install 'diplograph[pandas]'``).
        """
        from .tables import to_pandas

        return self.ask(to_pandas)


def _swapped(store: Store, first: Values, second: str) -> str | None:
    """The message for ``who NAME RELATION`` typed the wrong way round (``first`` a
    name, ``second`` a relation type), else None."""
    from ..queries.filters import check_relation_types

    if not isinstance(first, str):
        return None
    try:
        check_relation_types(store, [second])
    except UsageError:
        return None
    actor = f'"{first}"' if " " in first else first
    return (
        f"unknown relation type '{first}': the relation comes first, then the name "
        f"(who {second} {actor})"
    )

"""The query commands: who-met, path, show, neighbors, search, timeline, stats, list.

Each command asks its question of the store inside ``env.answer`` (so a cache found
damaged is rebuilt and the question asked again), then renders the answer.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..model.errors import UsageError
from .env import Env, handle_errors
from .options import (
    CertaintyOpt,
    Direction,
    Format,
    FormatOpt,
    LimitOpt,
    NameArg,
    PlaceOpt,
    RelationOpt,
    SinceOpt,
    UntilOpt,
    WithinOpt,
    complete_name,
    filters,
    hidden_relation,
    row_limit,
    split,
)

list_app = typer.Typer(help="List entities or relations.", no_args_is_help=True)


@handle_errors
def who_met_command(
    ctx: typer.Context,
    name: NameArg,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Everyone who met NAME, in date order, with where, how sure, and the quote."""
    from ..queries.hints import who_met_hint
    from ..queries.resolve import resolve
    from ..queries.who_met import who_met
    from .render import RELATION_COLUMNS, emit, plain

    def question(graph):
        node = resolve(graph, name)
        chosen = filters(graph, since, until, certainty, None, place, within)
        where = f" in {graph.name_of(chosen.place)}" if chosen.place else ""
        found = who_met(graph, node, chosen)
        hint = None if found else who_met_hint(graph, node, name, chosen)
        return graph.name_of(node) + where, found, hint

    env = Env.of(ctx)
    who, rows, hint = env.answer(question)
    emit(
        rows,
        fmt.value,
        env.output,
        [("met", plain("name")), *RELATION_COLUMNS],
        title=f"Who met {who}",
        empty=f"no recorded meetings with {who}",
        limit=row_limit(limit, fmt),
        note=hint,
    )


def _hop_columns():
    from .render import RELATION_COLUMNS, hop_cell

    return [("#", lambda r: f"{r['path']}.{r['hop']}"), ("relation", hop_cell), *RELATION_COLUMNS]


@handle_errors
def path_command(
    ctx: typer.Context,
    start: NameArg,
    goal: NameArg,
    all_: Annotated[bool, typer.Option("--all", help="All shortest paths.")] = False,
    k: Annotated[
        int, typer.Option("--k", min=1, max=1000, metavar="N", help="The N shortest simple paths.")
    ] = 1,
    max_hops: Annotated[
        int | None, typer.Option(min=1, metavar="N", help="At most this many hops.")
    ] = None,
    relation: RelationOpt = None,
    via: hidden_relation("--via") = None,
    avoid: Annotated[
        list[str] | None,
        typer.Option(metavar="NAME", help="Bypass this actor (repeatable)."),
    ] = None,
    directed: Annotated[
        bool, typer.Option("--directed", help="Follow relations only in their direction.")
    ] = False,
    chronological: Annotated[
        bool,
        typer.Option("--chronological", help="Only paths whose hops can happen in time order."),
    ] = False,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The shortest chain of relations between two actors, one row per hop."""
    from ..queries.paths import PathOptions, path_rows, paths
    from ..queries.resolve import resolve
    from .render import emit

    if all_ and (k > 1 or chronological):
        raise UsageError("--all cannot be combined with --k or --chronological")
    if k > 1 and chronological:
        raise UsageError("--k cannot be combined with --chronological")

    def question(graph):
        a, b = resolve(graph, start), resolve(graph, goal)
        options = PathOptions(
            filters=filters(
                graph, since, until, certainty, [*split(relation), *split(via)], place, within
            ),
            avoid=frozenset(resolve(graph, n) for n in avoid or []),
            directed=directed,
            max_hops=max_hops,
            all_shortest=all_,
            k=k,
            chronological=chronological,
        )
        title = f"{graph.name_of(a)} → {graph.name_of(b)}"
        return title, path_rows(graph, paths(graph, a, b, options))

    env = Env.of(ctx)
    title, rows = env.answer(question)
    emit(rows, fmt.value, env.output, _hop_columns(), title=title, limit=row_limit(limit, fmt))


@handle_errors
def show_command(
    ctx: typer.Context,
    name: Annotated[
        str,
        typer.Argument(
            help="Name, alias or id of an entity, or a relation's id.",
            metavar="NAME",
            autocompletion=complete_name,
        ),
    ],
    relation: RelationOpt = None,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """NAME's card and relations, grouped by type; or one relation by its id."""
    from ..model.errors import UnknownEntity
    from ..queries.listing import show, show_relation, show_rows
    from ..queries.resolve import resolve
    from .render import emit_record, entity_tree, relation_card

    def question(graph):
        try:
            node = resolve(graph, name)
        except UnknownEntity:
            found = show_relation(graph, name)
            if found is None:
                raise
            return "relation", found
        chosen = filters(graph, since, until, certainty, relation, place, within)
        return "entity", show(graph, node, chosen)

    env = Env.of(ctx)
    kind, card = env.answer(question)
    if kind == "relation":
        emit_record(card, [card], fmt.value, env.output, lambda: relation_card(card))
        return
    emit_record(card, show_rows(card), fmt.value, env.output, lambda: entity_tree(card))


@handle_errors
def neighbors_command(
    ctx: typer.Context,
    name: NameArg,
    relation: RelationOpt = None,
    direction: Annotated[
        Direction,
        typer.Option(metavar="in|out|both", help="Relations from NAME (out), to it (in), or both."),
    ] = Direction.both,
    depth: Annotated[
        int, typer.Option(min=1, max=10, metavar="N", help="How many hops out (1-10).")
    ] = 1,
    tree: Annotated[
        bool, typer.Option("--tree", help="Draw as a tree (table format only).")
    ] = False,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The entities related to NAME, with relation, direction, date, certainty and distance."""
    from ..queries.neighbors import neighbors
    from ..queries.resolve import resolve
    from .render import RELATION_COLUMNS, emit, neighbor_tree, plain

    def question(graph):
        node = resolve(graph, name)
        chosen = filters(graph, since, until, certainty, relation, place, within)
        return graph.name_of(node), neighbors(graph, node, direction.value, depth, chosen)

    env = Env.of(ctx)
    who, rows = env.answer(question)
    if tree and fmt is Format.table:
        env.output.print(neighbor_tree(who, rows))
        return
    columns = [
        ("dist", plain("distance")),
        (
            "relation",
            lambda r: (
                f"{plain('via_name')(r)} {plain('relation')(r)} [bold]{plain('name')(r)}[/bold]"
            ),
        ),
        *RELATION_COLUMNS,
    ]
    emit(
        rows,
        fmt.value,
        env.output,
        columns,
        title=f"Neighbors of {who}",
        empty="no neighbors match",
        limit=row_limit(limit, fmt),
    )


@handle_errors
def search_command(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to look for (typos welcome).")],
    limit: Annotated[
        int, typer.Option(min=1, max=1000, metavar="N", help="At most N results (1-1000).")
    ] = 20,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fuzzy search over names, aliases, descriptions, quotes, notes and sources."""
    from ..queries.search import search
    from .render import emit, plain

    env = Env.of(ctx)
    rows = env.answer(lambda graph: search(graph, text, limit))
    columns = [
        ("score", plain("score")),
        ("kind", plain("kind")),
        ("name", plain("name")),
        ("id", plain("id")),
        ("matched", lambda r: f"{r['field']}: {plain('match')(r)}"),
    ]
    emit(rows, fmt.value, env.output, columns, title=f"Search: {text}", empty="no matches")


@handle_errors
def timeline_command(
    ctx: typer.Context,
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="None (everything), one actor or place, or two (what passed between them).",
            metavar="[NAME [NAME]]",
            autocompletion=complete_name,
        ),
    ] = None,
    relation: RelationOpt = None,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Dated relations in time order; partial dates sort by their earliest day."""
    from ..queries.resolve import resolve
    from ..queries.timeline import timeline_and_undated
    from .render import RELATION_COLUMNS, emit, hop_cell

    if len(names or []) > 2:
        raise UsageError("timeline takes at most two names")

    def question(graph):
        nodes = [resolve(graph, n) for n in names or []]
        chosen = filters(graph, since, until, certainty, relation, place, within)
        return timeline_and_undated(graph, nodes, chosen)

    env = Env.of(ctx)
    rows, undated = env.answer(question)
    note = None
    if undated and names:  # (everything's timeline: list relations is the whole list)
        them = "it" if undated == 1 else "them"
        import shlex

        where = "list relations" + "".join(f" --between {shlex.quote(n)}" for n in names)
        note = (
            f"{undated} undated relation{'s' if undated != 1 else ''} left out "
            f"(a timeline holds dated ones only): diplograph {where} shows {them}"
        )
    columns = [RELATION_COLUMNS[0], ("relation", hop_cell), *RELATION_COLUMNS[1:]]  # date first
    emit(
        rows,
        fmt.value,
        env.output,
        columns,
        title="Timeline",
        empty="no dated relations match",
        limit=row_limit(limit, fmt),
        note=note,
    )


@handle_errors
def stats_command(
    ctx: typer.Context,
    top: Annotated[
        int,
        typer.Option(
            min=1, max=1000, metavar="N", help="How many actors and components to list (1-1000)."
        ),
    ] = 10,
    fmt: FormatOpt = Format.table,
) -> None:
    """Entities and relations by type, most connected actors, brokers, components.

    Brokers rank by betweenness centrality: exact up to 2,000 entities, estimated from a
    sample of them on larger graphs (sized to keep stats to seconds)."""
    from ..queries.stats import stats
    from .render import emit_sections

    env = Env.of(ctx)

    def question(graph):
        with env.long_pass(graph) as progress:
            return stats(graph, top, progress)

    emit_sections(env.answer(question), fmt.value, env.output)


@list_app.command("entities")
@handle_errors
def list_entities_command(
    ctx: typer.Context,
    entity_type: Annotated[
        str | None, typer.Option("--type", "-t", metavar="TYPE", help="Only this entity type.")
    ] = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """All entities, by name."""
    from ..queries.listing import list_entities
    from .render import emit, plain

    env = Env.of(ctx)
    rows = env.answer(lambda graph: list_entities(graph, entity_type))
    columns = [
        ("name", plain("name")),
        ("id", plain("id")),
        ("type", plain("type")),
        ("relations", plain("relations")),
        ("description", plain("description")),
    ]
    emit(
        rows,
        fmt.value,
        env.output,
        columns,
        title="Entities",
        empty="no entities",
        limit=row_limit(limit, fmt),
    )


@list_app.command("relations")
@handle_errors
def list_relations_command(
    ctx: typer.Context,
    relation: RelationOpt = None,
    relation_type: hidden_relation("--type", "-t") = None,
    between: Annotated[
        list[str] | None,
        typer.Option(
            metavar="NAME",
            help="Only relations touching this actor; twice: between two (dated or not).",
            autocompletion=complete_name,
        ),
    ] = None,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """All relations, in time order (undated last)."""
    from ..queries.listing import list_relations
    from ..queries.resolve import resolve
    from .render import RELATION_COLUMNS, emit, hop_cell

    if len(between or []) > 2:
        raise UsageError("--between takes at most two names")
    env = Env.of(ctx)

    def question(graph):
        types = [*split(relation), *split(relation_type)]
        chosen = filters(graph, since, until, certainty, types, place, within)
        ends = [resolve(graph, n) for n in between or []]
        return list_relations(graph, chosen, ends)

    rows = env.answer(question)
    columns = [("relation", hop_cell), *RELATION_COLUMNS]
    emit(
        rows,
        fmt.value,
        env.output,
        columns,
        title="Relations",
        empty="no relations match",
        limit=row_limit(limit, fmt),
    )

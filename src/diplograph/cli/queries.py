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
    NameArg,
    RelationOpt,
    SinceOpt,
    UntilOpt,
    complete_name,
    filters,
)

list_app = typer.Typer(help="List entities or relations.", no_args_is_help=True)


@handle_errors
def who_met_command(
    ctx: typer.Context,
    name: NameArg,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Everyone who met NAME, in date order, with where, how sure, and the quote."""
    from ..queries.resolve import resolve
    from ..queries.who_met import who_met
    from .render import RELATION_COLUMNS, emit, plain

    def question(graph):
        node = resolve(graph, name)
        return graph.name_of(node), who_met(graph, node, filters(graph, since, until, certainty))

    env = Env.of(ctx)
    who, rows = env.answer(question)
    emit(
        rows,
        fmt.value,
        env.output,
        [("met", plain("name")), *RELATION_COLUMNS],
        title=f"Who met {who}",
        empty=f"no recorded meetings with {who}",
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
        int, typer.Option("--k", min=1, max=1000, help="The K shortest simple paths.")
    ] = 1,
    max_hops: Annotated[int | None, typer.Option(min=1, help="At most this many hops.")] = None,
    via: Annotated[list[str] | None, typer.Option(help="Only these relation types.")] = None,
    avoid: Annotated[list[str] | None, typer.Option(help="Bypass this actor (repeatable).")] = None,
    directed: Annotated[
        bool, typer.Option("--directed", help="Follow relations only in their direction.")
    ] = False,
    chronological: Annotated[
        bool,
        typer.Option("--chronological", help="Only paths whose hops can happen in time order."),
    ] = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
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
            filters=filters(graph, since, until, certainty, via),
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
    emit(rows, fmt.value, env.output, _hop_columns(), title=title)


@handle_errors
def show_command(
    ctx: typer.Context,
    name: NameArg,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    relation: RelationOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """NAME's card and all its relations, grouped by type, with evidence."""
    from ..queries.listing import show, show_rows
    from ..queries.resolve import resolve
    from .render import emit_record, entity_tree

    def question(graph):
        node = resolve(graph, name)
        return show(graph, node, filters(graph, since, until, certainty, relation))

    env = Env.of(ctx)
    card = env.answer(question)
    emit_record(card, show_rows(card), fmt.value, env.output, lambda: entity_tree(card))


@handle_errors
def neighbors_command(
    ctx: typer.Context,
    name: NameArg,
    relation: RelationOpt = None,
    direction: Annotated[
        Direction, typer.Option(help="Relations from NAME (out), to it (in), or both.")
    ] = Direction.both,
    depth: Annotated[int, typer.Option(min=1, max=10, help="How many hops out.")] = 1,
    tree: Annotated[
        bool, typer.Option("--tree", help="Draw as a tree (table format only).")
    ] = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The entities related to NAME, with relation, direction, date, certainty and distance."""
    from ..queries.neighbors import neighbors
    from ..queries.resolve import resolve
    from .render import RELATION_COLUMNS, emit, neighbor_tree, plain

    def question(graph):
        node = resolve(graph, name)
        chosen = filters(graph, since, until, certainty, relation)
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
    )


@handle_errors
def search_command(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="What to look for (typos welcome).")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many results.")] = 20,
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
            help="None (everything), one actor, or two (what passed between them).",
            autocompletion=complete_name,
        ),
    ] = None,
    relation: RelationOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Dated relations in time order; partial dates sort by their earliest day."""
    from ..queries.resolve import resolve
    from ..queries.timeline import timeline
    from .render import RELATION_COLUMNS, emit, hop_cell

    if len(names or []) > 2:
        raise UsageError("timeline takes at most two names")

    def question(graph):
        nodes = [resolve(graph, n) for n in names or []]
        return timeline(graph, nodes, filters(graph, since, until, certainty, relation))

    env = Env.of(ctx)
    rows = env.answer(question)
    columns = [RELATION_COLUMNS[0], ("relation", hop_cell), *RELATION_COLUMNS[1:]]  # date first
    emit(rows, fmt.value, env.output, columns, title="Timeline", empty="no dated relations match")


@handle_errors
def stats_command(
    ctx: typer.Context,
    top: Annotated[
        int, typer.Option(min=1, max=1000, help="How many actors and components to list.")
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
        str | None, typer.Option("--type", "-t", help="Only this entity type.")
    ] = None,
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
    emit(rows, fmt.value, env.output, columns, title="Entities", empty="no entities")


@list_app.command("relations")
@handle_errors
def list_relations_command(
    ctx: typer.Context,
    relation_type: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="Only these relation types.")
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """All relations, in time order (undated last)."""
    from ..queries.listing import list_relations
    from .render import RELATION_COLUMNS, emit, hop_cell

    env = Env.of(ctx)
    rows = env.answer(
        lambda graph: list_relations(graph, filters(graph, since, until, certainty, relation_type))
    )
    columns = [("relation", hop_cell), *RELATION_COLUMNS]
    emit(rows, fmt.value, env.output, columns, title="Relations", empty="no relations match")

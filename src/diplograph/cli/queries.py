"""The query commands: who-met, who, path, show, neighbors, search, timeline (stats and
list: ``listing``).

Each command asks its question through the library (``api.graph.Graph``, from
``env.graph()``: the one code path the CLI and Python share; a cache found damaged is
rebuilt and the question asked again), then renders the answer's records as rows.
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
    hidden_relation,
    row_limit,
    split,
)


def rows(answer) -> list[dict]:
    """The library's answer as the row dicts ``render`` draws (the JSON rows)."""
    return answer.to_dicts()


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
    from .render import RELATION_COLUMNS, emit, plain

    env = Env.of(ctx)
    graph = env.graph()
    who = graph.entity(name).name
    shown = row_limit(limit, fmt)
    found = graph.who_met(
        name,
        place=place,
        since=since,
        until=until,
        within=within,
        certainty=certainty,
        first=shown or None,  # a table's first rows: only their records are read
    )
    if place is not None:
        who += f" in {graph.entity(place).name}"
    emit(
        rows(found),
        fmt.value,
        env.output,
        [("met", plain("name")), *RELATION_COLUMNS],
        title=f"Who met {who}",
        empty=f"no recorded meetings with {who}",
        limit=shown,
        note=found.hint,
        total=found.total,
    )


@handle_errors
def who_command(
    ctx: typer.Context,
    relation: Annotated[
        str,
        typer.Argument(
            help="A relation type, as --relation takes it: released, sanctions, escorted...",
            metavar="RELATION",
        ),
    ],
    name: NameArg,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
    limit: LimitOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Who RELATION NAME: who released, sanctions, escorted... NAME, then whom NAME did it to.

    Each row reads in its true direction ("Alexander Lukashenko released Siarhei
    Tsikhanouski"); RELATION is a relation type as --relation takes it (diplograph list
    types shows them)."""
    from .render import RELATION_COLUMNS, emit, hop_cell

    env = Env.of(ctx)
    graph = env.graph()
    found = graph.who(
        relation,
        name,
        place=place,
        since=since,
        until=until,
        within=within,
        certainty=certainty,
    )
    who = graph.entity(name).name
    words = " or ".join(split([relation]))
    where = f" in {graph.entity(place).name}" if place is not None else ""
    emit(
        rows(found),
        fmt.value,
        env.output,
        [("relation", hop_cell), *RELATION_COLUMNS],
        title=f"Who {words} {who}{where}",
        empty=f"no recorded '{words}' relations with {who}{where}",
        limit=row_limit(limit, fmt),
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
    from .render import emit

    if all_ and (k > 1 or chronological):
        raise UsageError("--all cannot be combined with --k or --chronological")
    if k > 1 and chronological:
        raise UsageError("--k cannot be combined with --chronological")
    env = Env.of(ctx)
    graph = env.graph()
    title = f"{graph.entity(start).name} → {graph.entity(goal).name}"
    hops = graph.path(
        start,
        goal,
        k=k,
        all_shortest=all_,
        max_hops=max_hops,
        avoid=avoid or [],
        directed=directed,
        chronological=chronological,
        relation=[*split(relation), *split(via)],
        place=place,
        since=since,
        until=until,
        within=within,
        certainty=certainty,
    )
    emit(
        rows(hops), fmt.value, env.output, _hop_columns(), title=title, limit=row_limit(limit, fmt)
    )


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
    from ..api.records import Relation
    from ..queries.listing import show_rows
    from .render import emit_record
    from .trees import entity_tree, relation_card

    env = Env.of(ctx)
    found = env.graph().show(
        name,
        relation=relation,
        place=place,
        since=since,
        until=until,
        within=within,
        certainty=certainty,
    )
    card = found.to_dict()
    if isinstance(found, Relation):
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
        typer.Option(
            metavar="in|out|both",
            case_sensitive=False,
            help="Relations from NAME (out), to it (in), or both.",
        ),
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
    from .render import RELATION_COLUMNS, emit, plain
    from .trees import neighbor_tree

    env = Env.of(ctx)
    graph = env.graph()
    who = graph.entity(name).name
    found = rows(
        graph.neighbors(
            name,
            depth=depth,
            direction=direction.value,
            relation=relation,
            place=place,
            since=since,
            until=until,
            within=within,
            certainty=certainty,
        )
    )
    if tree and fmt is Format.table:
        env.output.print(neighbor_tree(who, found))
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
        found,
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
    text: Annotated[str, typer.Argument(help="What to look for (typos welcome).", metavar="TEXT")],
    limit: Annotated[
        int, typer.Option(min=1, max=1000, metavar="N", help="At most N results (1-1000).")
    ] = 20,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fuzzy search over names, aliases, descriptions, quotes, notes and sources."""
    from .render import emit, plain

    env = Env.of(ctx)
    found = rows(env.graph().search(text, limit))
    columns = [
        ("score", plain("score")),
        ("kind", plain("kind")),
        ("name", plain("name")),
        ("id", plain("id")),
        ("matched", lambda r: f"{r['field']}: {plain('match')(r)}"),
    ]
    emit(found, fmt.value, env.output, columns, title=f"Search: {text}", empty="no matches")


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
    """Dated relations in time order; partial dates sort by their earliest day.

    With --since/--until, those dated wholly in the window come first, then (under their
    own label; in JSON and CSV, in_window false) the spans that only overlap it."""
    from .render import RELATION_COLUMNS, emit, emit_parts, hop_cell

    if len(names or []) > 2:
        raise UsageError("timeline takes at most two names")
    env = Env.of(ctx)
    found = env.graph().timeline(
        *(names or []),
        relation=relation,
        place=place,
        since=since,
        until=until,
        within=within,
        certainty=certainty,
    )
    undated = found.undated
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
    if found.window is None:
        emit(
            rows(found),
            fmt.value,
            env.output,
            columns,
            title="Timeline",
            empty="no dated relations match",
            limit=row_limit(limit, fmt),
            note=note,
        )
        return
    answer = rows(found)  # those dated within the window first, then the spans
    inside = [row for row in answer if row["in_window"]]
    spans, window = answer[len(inside) :], found.window
    parts = [
        (
            f"Timeline {window}: dated wholly in the window ({len(inside)})",
            f"no relation dated wholly in the window {window}",
            inside,
        ),
        (
            f"Also overlapping the window ({len(spans)}): spans reaching outside it "
            "(--within leaves them out)",
            None,
            spans,
        ),
    ]
    emit_parts(
        parts,
        fmt.value,
        env.output,
        columns,
        empty="no dated relations match",
        limit=row_limit(limit, fmt),
        note=note,
    )

"""The commands that take in the whole dataset rather than one actor: stats, and list
entities, relations (and types, from ``curation``), each asked through the library as
the other queries are (``queries``)."""

from __future__ import annotations

from typing import Annotated

import typer

from ..model.errors import UsageError
from .env import Env, handle_errors
from .options import (
    CertaintyOpt,
    Format,
    FormatOpt,
    LimitOpt,
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
from .queries import rows

list_app = typer.Typer(help="List entities or relations.", no_args_is_help=True)


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
    from .render import emit_sections

    env = Env.of(ctx)
    graph = env.graph()
    with env.long_pass(graph.store) as progress:
        found = graph.stats(top, progress)
    emit_sections(found.to_dict(), fmt.value, env.output)


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
    from .render import emit, plain

    env = Env.of(ctx)
    found = rows(env.graph().list_entities(entity_type))
    columns = [
        ("name", plain("name")),
        ("id", plain("id")),
        ("type", plain("type")),
        ("relations", plain("relations")),
        ("description", plain("description")),
    ]
    emit(
        found,
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
    from .render import RELATION_COLUMNS, emit, hop_cell

    if len(between or []) > 2:
        raise UsageError("--between takes at most two names")
    env = Env.of(ctx)
    found = env.graph().list_relations(
        between=between or [],
        relation=[*split(relation), *split(relation_type)],
        place=place,
        since=since,
        until=until,
        within=within,
        certainty=certainty,
    )
    columns = [("relation", hop_cell), *RELATION_COLUMNS]
    emit(
        rows(found),
        fmt.value,
        env.output,
        columns,
        title="Relations",
        empty="no relations match",
        limit=row_limit(limit, fmt),
    )

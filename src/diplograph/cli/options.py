"""The options commands share, defined once (as sqlite-utils' ``output_options``)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Direction(StrEnum):
    both = "both"
    out = "out"
    in_ = "in"


def complete_name(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of entity names and aliases."""
    try:
        from ..check.files import resolve_data_path
        from ..queries.resolve import index_for
        from ..store.cache import open_store

        root = ctx.find_root()
        graph = open_store(resolve_data_path(root.params.get("data")))
        return index_for(graph).completions(incomplete)
    except Exception:  # completion must never print a traceback into the shell
        return []


def split(values: list[str] | None) -> list[str]:
    """Comma-separated and repeated option values, flattened."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


NameArg = Annotated[
    str, typer.Argument(help="Name, alias or id.", metavar="NAME", autocompletion=complete_name)
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
SinceOpt = Annotated[
    str | None,
    typer.Option(help="Only relations on or after this date (2025, 2025-02, 2025-02-14)."),
]
UntilOpt = Annotated[str | None, typer.Option(help="Only relations on or before this date.")]
CertaintyOpt = Annotated[
    list[str] | None,
    typer.Option(
        help="Only these certainty levels, comma-separated: stated, reported, hedged, "
        "hypothetical, coded."
    ),
]
RelationOpt = Annotated[
    list[str] | None,
    typer.Option("--relation", "-r", help="Only these relation types, comma-separated."),
]


def filters(graph, since, until, certainty, relation=None):
    """The Filters of the shared filter options (checked against ``graph``'s vocabulary)."""
    from ..queries.filters import make_filters

    return make_filters(graph, since, until, split(certainty), split(relation))

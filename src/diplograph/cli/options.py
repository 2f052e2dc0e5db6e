"""The options commands share, defined once (as sqlite-utils' ``output_options``).

One name per concept on every command: relation types are ``--relation/-r``, a place is
``--place``, a neighbourhood is ``NAME --radius N`` (``export --ego NAME`` is the one way
to name it on export), tables show ``--limit`` rows. Older spellings stay as hidden
aliases (``list relations --type``, ``path --via``).
"""

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


#: Rows a table shows unless told otherwise (--limit 0: all of them).
TABLE_ROWS = 50


def complete_name(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of entity names and aliases."""
    try:
        from ..files.locate import resolve_data_path
        from ..queries.resolve import index_for
        from ..store.cache import open_store

        root = ctx.find_root()
        data = root.params.get("data")
        if isinstance(data, (list, tuple)):
            data = data[0] if data else None
        graph = open_store(resolve_data_path(data))
        return index_for(graph).completions(incomplete)
    except Exception:  # completion must never print a traceback into the shell
        return []


def split(values: list[str] | None) -> list[str]:
    """Comma-separated and repeated option values, flattened."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


NameArg = Annotated[
    str, typer.Argument(help="Name, alias or id.", metavar="NAME", autocompletion=complete_name)
]
FormatOpt = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        metavar="table|json|csv",
        case_sensitive=False,
        help="Output format (any case).",
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        metavar="DATE",
        help="Only relations on or after this date: 2025, 2025-02, 2025-02-14; words as "
        "add reads them (February, 'June 21', '21 June 2025', 'fall 2024'; without a year, "
        "the data's latest year); or day/month/year (21/06/2025; refused when it could be "
        "either, 03/04/2025).",
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(metavar="DATE", help="Only relations on or before this date (as --since)."),
]
WithinOpt = Annotated[
    bool,
    typer.Option(
        "--within",
        help="Only relations whose whole date lies inside --since/--until (default: any "
        "overlap, so a 2020-2025 span passes --since 2025-02).",
    ),
]
CertaintyOpt = Annotated[
    list[str] | None,
    typer.Option(
        metavar="LEVELS",
        help="Only these certainty levels, comma-separated: stated, reported, hedged, "
        "hypothetical, coded (any case).",
    ),
]
RelationOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--relation", "-r", metavar="TYPES", help="Only these relation types, comma-separated."
    ),
]
PlaceOpt = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        help="Only relations that happened at this place (e.g. Minsk).",
        autocompletion=complete_name,
    ),
]
LimitOpt = Annotated[
    int | None,
    typer.Option(
        min=0,
        metavar="N",
        help=f"Show at most N rows (tables: {TABLE_ROWS} unless given; 0: all).",
    ),
]


def hidden_relation(*names: str):
    """A hidden alias of ``--relation`` (an older spelling, still accepted)."""
    return Annotated[list[str] | None, typer.Option(*names, hidden=True, metavar="TYPES")]


def row_limit(limit: int | None, fmt: Format) -> int:
    """How many rows to show (0: all): as asked, else a screenful for tables, all for
    scripts."""
    if limit is not None:
        return limit
    return TABLE_ROWS if fmt is Format.table else 0


def filters(graph, since, until, certainty, relation=None, place=None, within=False):
    """The Filters of the shared filter options (checked against ``graph``'s vocabulary)."""
    from ..queries.filters import make_filters

    return make_filters(graph, since, until, split(certainty), split(relation), place, within)

"""The import commands: GDELT and ICEWS events, edge lists and graph files, as one data file.

The library work is in ``diplograph.importers``; these commands parse options, call it,
and report rows read, kept, merged and skipped.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .env import Console, Env, LoadProgress, handle_errors

import_app = typer.Typer(
    help="Make a data file from GDELT or ICEWS events, an edge list or a graph file.",
    no_args_is_help=True,
)


class OneActor(StrEnum):
    drop = "drop"
    place = "place"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


ImportOutputOpt = Annotated[
    str,
    typer.Option("--output", "-o", metavar="FILE", help="The data file to write (atomically)."),
]
ImportForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
OneActorOpt = Annotated[
    OneActor,
    typer.Option(
        "--one-actor",
        case_sensitive=False,
        help="Events with one actor: drop them (counted), or keep them as a relation "
        "from the actor to the event's place.",
        metavar="drop|place",
    ),
]
ReportFormatOpt = Annotated[
    ReportFormat,
    typer.Option(
        "--format",
        "-f",
        metavar="table|json|csv",
        case_sensitive=False,
        help="The report: lines on stderr (table), or JSON (one object) or CSV (one "
        "'field,value' row per figure) on stdout.",
    ),
]
EventFilesArg = Annotated[list[Path], typer.Argument(help="Event files.", metavar="FILE...")]


def _import_progress(env: Env) -> Any:
    """A progress bar on stderr when it is a terminal, else None."""
    if not env.stderr.isatty():
        return None
    env.progress = LoadProgress(Console(file=env.stderr))
    return env.progress


def _import_report(env: Env, report: Any, fmt: ReportFormat) -> None:
    """The import report: JSON on stdout, or lines on stderr."""
    if env.progress is not None:
        env.progress.stop()
    if fmt is ReportFormat.json:
        from .render import to_json

        env.stdout.write(to_json(report.as_dict()) + "\n")
    elif fmt is ReportFormat.csv:
        from .render import write_csv

        rows = [{"field": key, "value": value} for key, value in report.as_dict().items()]
        write_csv(rows, env.stdout, keys=["field", "value"])
    else:
        env.stderr.write("".join(line + "\n" for line in report.lines()))


@import_app.command("gdelt")
@handle_errors
def import_gdelt_command(
    ctx: typer.Context,
    files: EventFilesArg,
    output: ImportOutputOpt,
    one_actor: OneActorOpt = OneActor.drop,
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """GDELT 1.0 or 2.0 event exports (tab-separated, with or without a header, or CSV)."""
    from ..importers.gdelt import import_gdelt

    report = import_gdelt(
        files,
        output,
        force=force,
        one_actor=one_actor.value,
        progress=_import_progress(Env.of(ctx)),
    )
    _import_report(Env.of(ctx), report, fmt)


@import_app.command("icews")
@handle_errors
def import_icews_command(
    ctx: typer.Context,
    files: EventFilesArg,
    output: ImportOutputOpt,
    one_actor: OneActorOpt = OneActor.drop,
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """ICEWS event files (Harvard Dataverse .tab layout, with its header row)."""
    from ..importers.icews import import_icews

    report = import_icews(
        files,
        output,
        force=force,
        one_actor=one_actor.value,
        progress=_import_progress(Env.of(ctx)),
    )
    _import_report(Env.of(ctx), report, fmt)


@import_app.command("csv")
@handle_errors
def import_csv_command(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="A CSV or tab-separated edge list with a header.", metavar="FILE")
    ],
    output: ImportOutputOpt,
    source: Annotated[
        str, typer.Option("--source", metavar="COLUMN", help="Column of the actor's name.")
    ],
    target: Annotated[
        str, typer.Option("--target", metavar="COLUMN", help="Column of the other end's name.")
    ],
    type_column: Annotated[
        str, typer.Option("--type", metavar="COLUMN", help="Column of the relation type.")
    ],
    date: Annotated[
        str | None, typer.Option("--date", metavar="COLUMN", help="Column of the date (EDTF).")
    ] = None,
    quote: Annotated[
        str | None,
        typer.Option("--quote", metavar="COLUMN", help="Column of the quote (then: stated facts)."),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", metavar="COLUMN", help="Column of the URL.")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            metavar="VALUE=TYPE",
            help="VALUE=TYPE: a value of the type column to a relation type (repeatable).",
        ),
    ] = None,
    certainty: Annotated[
        str | None,
        typer.Option(
            metavar="LEVEL",
            help="stated, hedged, hypothetical or coded (default: stated with --quote).",
        ),
    ] = None,
    entity_type: Annotated[
        str,
        typer.Option(
            "--entity-type", metavar="TYPE", help="The type of the entities made from names."
        ),
    ] = "group",
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """An edge list: one relation per row, entities from the names."""
    from ..importers.csv import import_csv
    from ..model.errors import UsageError

    pairs: dict[str, str] = {}
    for item in mapping or []:
        value, sep, rtype = item.rpartition("=")
        if not sep or not value or not rtype:
            raise UsageError(f"--map takes VALUE=TYPE, got '{item}'")
        pairs[value] = rtype.strip()
    report = import_csv(
        file,
        output,
        source=source,
        target=target,
        type_column=type_column,
        date=date,
        quote=quote,
        url=url,
        mapping=pairs,
        certainty=certainty,
        entity_type=entity_type,
        force=force,
        progress=_import_progress(Env.of(ctx)),
    )
    _import_report(Env.of(ctx), report, fmt)


@import_app.command("graph")
@handle_errors
def import_graph_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="GraphML, GEXF or node-link JSON.", metavar="FILE")],
    output: ImportOutputOpt,
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """A graph file; diplograph's own exports come back exactly as they were."""
    from ..importers.graph import import_graph

    _import_report(Env.of(ctx), import_graph(file, output, force=force), fmt)


@import_app.command("merge")
@handle_errors(all_problems=True)
def import_merge_command(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="diplograph data files.", metavar="FILE...")],
    output: ImportOutputOpt,
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """diplograph data files as one: entities with the same id or a shared identifier
    become one, relations follow them, the same fact from two files gets both evidence."""
    from ..importers.merge import merge_files

    _import_report(Env.of(ctx), merge_files(files, output, force=force), fmt)

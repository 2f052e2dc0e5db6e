"""The commands that change what a data file holds: edit and remove (an entity or a
relation), through ``diplograph.curate`` as ``add`` does (``curation``)."""

from __future__ import annotations

from typing import Annotated

import typer

from .curation import (
    Certainty,
    DateTextOpt,
    DateWordsOpt,
    EntityType,
    EvidenceSourceOpt,
    NoteOpt,
    PlaceOpt,
    QuoteOpt,
    ReportedByOpt,
    changed,
    file_to_change,
)
from .env import handle_errors
from .options import Format, FormatOpt, complete_name, split

edit_app = typer.Typer(help="Change an entity or a relation of a data file.", no_args_is_help=True)
remove_app = typer.Typer(
    help="Remove an entity or a relation from a data file.", no_args_is_help=True
)


@edit_app.command("relation")
@handle_errors
def edit_relation_command(
    ctx: typer.Context,
    relation_id: Annotated[str, typer.Argument(help="The relation's id.", metavar="ID")],
    date: DateWordsOpt = None,
    date_text: DateTextOpt = None,
    place: PlaceOpt = None,
    certainty: Annotated[
        Certainty | None,
        typer.Option(
            case_sensitive=False,
            help="How sure the source is.",
            metavar="stated|reported|hedged|hypothetical",
        ),
    ] = None,
    reported_by: ReportedByOpt = None,
    note: NoteOpt = None,
    quote: QuoteOpt = None,
    evidence_source: EvidenceSourceOpt = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(
            help="Remove a field: date, date_text, place, reported_by, note.", metavar="CLEAR"
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Change a relation's fields, or add a quote to its evidence (its id stays)."""
    from ..curate.edit import edit_relation

    datafile = file_to_change(ctx)
    changes = {
        "date": date,
        "date_text": date_text,
        "place": place,
        "certainty": certainty.value if certainty else None,
        "reported_by": reported_by,
        "note": note,
    }
    change = edit_relation(
        datafile, relation_id, changes, split(clear), quote or [], evidence_source
    )
    datafile.save(change.doc)
    changed(change, datafile, fmt)


@edit_app.command("entity")
@handle_errors
def edit_entity_command(
    ctx: typer.Context,
    entity_id: Annotated[
        str,
        typer.Argument(
            help="The entity's id (or name).", metavar="ID", autocompletion=complete_name
        ),
    ],
    name: Annotated[str | None, typer.Option(help="A new display name.", metavar="NAME")] = None,
    entity_type: Annotated[
        EntityType | None,
        typer.Option(
            "--type",
            "-t",
            case_sensitive=False,
            help="Kind of actor.",
            metavar="person|country|organization|place|group|event",
        ),
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One line.", metavar="DESCRIPTION")
    ] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option("--alias", "-a", help="Add an alias (repeatable).", metavar="ALIAS"),
    ] = None,
    remove_alias: Annotated[
        list[str] | None, typer.Option(help="Remove an alias (repeatable).", metavar="REMOVE_ALIAS")
    ] = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(help="Remove a field: aliases, description.", metavar="CLEAR"),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Change an entity's name, type, description or aliases (its id stays)."""
    from ..curate.edit import edit_entity

    datafile = file_to_change(ctx)
    changes = {
        "name": name,
        "type": entity_type.value if entity_type else None,
        "description": description,
    }
    change = edit_entity(
        datafile.doc, entity_id, changes, alias or [], remove_alias or [], split(clear)
    )
    datafile.save(change.doc)
    changed(change, datafile, fmt)


@remove_app.command("relation")
@handle_errors
def remove_relation_command(
    ctx: typer.Context,
    relation_id: Annotated[str, typer.Argument(help="The relation's id.", metavar="ID")],
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove a relation (do not reuse its id: exports may cite it)."""
    from ..curate.edit import remove_relation

    datafile = file_to_change(ctx)
    change = remove_relation(datafile.doc, relation_id)
    datafile.save(change.doc)
    changed(change, datafile, fmt)


@remove_app.command("entity")
@handle_errors
def remove_entity_command(
    ctx: typer.Context,
    entity_id: Annotated[
        str,
        typer.Argument(
            help="The entity's id (or name).", metavar="ID", autocompletion=complete_name
        ),
    ],
    with_relations: Annotated[
        bool, typer.Option("--with-relations", help="Also remove the relations that use it.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove an entity; refused while relations use it, unless --with-relations."""
    from ..curate.edit import remove_entity

    datafile = file_to_change(ctx)
    change = remove_entity(datafile.doc, entity_id, with_relations)
    datafile.save(change.doc)
    changed(change, datafile, fmt)

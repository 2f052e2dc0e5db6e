"""The curation commands: init, add (and list types); edit and remove are in
``changing``, extract in ``extracting``.

The library is ``diplograph.curate``; these commands pick the file to change (``--data
FILE``, never the bundled dataset unless it is named), call it, and print what changed.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..model.errors import DataError
from .env import Env, handle_errors
from .options import Format, FormatOpt, complete_name

add_app = typer.Typer(
    help="Add a source, an entity or a relation to a data file (or, with --from, the "
    "candidates 'extract --output' wrote).",
    invoke_without_command=True,
)


@add_app.callback()
@handle_errors
def add_callback(
    ctx: typer.Context,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Add every accepted candidate of this file (from 'extract --output'): "
            "all or nothing.",
            metavar="FILE",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    if ctx.invoked_subcommand is not None:
        if from_file is not None:
            from ..model.errors import UsageError

            raise UsageError("add --from FILE takes no subcommand")
        return
    if from_file is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from .extracting import add_from

    add_from(ctx, from_file, fmt)


class EntityType(StrEnum):
    person = "person"
    country = "country"
    organization = "organization"
    place = "place"
    group = "group"
    event = "event"


class Certainty(StrEnum):
    stated = "stated"
    reported = "reported"
    hedged = "hedged"
    hypothetical = "hypothetical"


def _note(*messages: str) -> None:
    """One "note: ..." line per message on stderr (things to know, not errors)."""
    sys.stderr.write("".join(f"note: {message}\n" for message in messages))
    sys.stderr.flush()


def file_to_change(ctx: typer.Context):
    """The data file a curation command changes: --data (or $DIPLOGRAPH_DATA), which
    must name one file. Never the bundled dataset unless it is named."""
    from ..curate.document import DataFile
    from ..model.errors import UsageError

    if not Env.of(ctx).data:
        raise UsageError(
            "give the data file to change with --data FILE (before the command; "
            "'diplograph init FILE' makes one)"
        )
    path = Path(Env.of(ctx).data)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give the one data file to change (--data FILE)")
    if not path.exists():
        raise DataError([f"{path}: no such file ('diplograph init {path}' makes one)"])
    return DataFile.read(path)


def changed(change, datafile, fmt: Format) -> None:
    """Print what a change did: a line (table), or its summary as JSON or CSV."""
    from ..curate.edit import RECORD_NAMES
    from .render import to_json, write_csv

    row = {**change.summary(), "file": str(datafile.path)}
    if fmt is Format.json:
        sys.stdout.write(to_json(row) + "\n")
    elif fmt is Format.csv:
        write_csv([row], sys.stdout)
    else:
        what = RECORD_NAMES[change.kind].replace("_", " ")
        rid = change.record.get("id") if change.record else ""
        line = f"{change.action} {what} {rid}"
        if change.kind == "relations" and change.record:
            r = change.record
            when = f" {r['date']}" if r.get("date") else ""
            line += f": {r['source']} {r['type']} {r['target']}{when} · {r['certainty']}"
        if change.removed:
            line += f" (and {len(change.removed)} relations: {', '.join(change.removed)})"
        typer.echo(f"{line} ({'in' if change.action != 'removed' else 'from'} {datafile.path})")
    if fmt is Format.table:
        _note(*change.notes)


@handle_errors
def init_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The data file to create.", metavar="FILE")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Create an empty data file (and schema.json beside it, for editors)."""
    from ..curate.document import init

    written = init(file, force)
    typer.echo(f"wrote {', '.join(str(p) for p in written)}")
    _note(f"next: diplograph --data {file} add source --id ID --title ... --text ARTICLE.txt")


@add_app.command("source")
@handle_errors
def add_source_command(
    ctx: typer.Context,
    title: Annotated[str, typer.Option(help="Title of the document.", metavar="TITLE")],
    publisher: Annotated[str, typer.Option(help="Who published it.", metavar="PUBLISHER")],
    published: Annotated[
        str, typer.Option(help="Publication date, EDTF (2025-06-24).", metavar="PUBLISHED")
    ],
    source_id: Annotated[
        str | None, typer.Option("--id", help="Default: <publisher>-<published>.", metavar="ID")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where it can be read.", metavar="URL")] = None,
    text: Annotated[
        Path | None,
        typer.Option(
            help="Its text (UTF-8): copied to sources/<id>.txt beside the data file, so "
            "quotes are checked against it.",
            metavar="FILE",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a stored text that differs.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a source, with its text stored beside the data file."""
    from ..curate.document import read_text, store_text, text_relative
    from ..curate.edit import add_source

    datafile = file_to_change(ctx)
    content = read_text(text) if text is not None else None
    record = {"id": source_id, "title": title, "publisher": publisher, "published": published}
    record["url"] = url
    change = add_source(datafile.doc, record)
    sid = change.record["id"]
    if content is None:
        datafile.save(change.doc)
        changed(change, datafile, fmt)
        return
    change.record["text"] = text_relative(sid)
    from ..curate.document import check

    check(change.doc, datafile.path)  # before the text is stored
    target = datafile.path.parent / text_relative(sid)
    existed = target.exists()
    store_text(datafile.path, sid, content, force)
    try:
        datafile.save(change.doc)
    except BaseException:
        if not existed:
            target.unlink(missing_ok=True)
        raise
    changed(change, datafile, fmt)


@add_app.command("entity")
@handle_errors
def add_entity_command(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="The name to display.", metavar="NAME")],
    entity_type: Annotated[
        EntityType,
        typer.Option(
            "--type",
            "-t",
            case_sensitive=False,
            help="Kind of actor.",
            metavar="person|country|organization|place|group|event",
        ),
    ],
    entity_id: Annotated[
        str | None,
        typer.Option("--id", help="Default: by the data/README rules (surname...).", metavar="ID"),
    ] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option("--alias", "-a", help="Another spelling (repeatable).", metavar="ALIAS"),
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One line, drawn from the source.", metavar="DESCRIPTION")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Add it even if the name names an entity already.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add an entity."""
    from ..curate.edit import add_entity

    datafile = file_to_change(ctx)
    record = {
        "id": entity_id,
        "name": name,
        "type": entity_type.value,
        "aliases": list(dict.fromkeys(alias or [])),
        "description": description,
    }
    change = add_entity(datafile.doc, record, force)
    datafile.save(change.doc)
    changed(change, datafile, fmt)


class Category(StrEnum):
    event = "event"
    role = "role"
    tie = "tie"
    stance = "stance"


@add_app.command("type")
@handle_errors
def add_type_command(
    ctx: typer.Context,
    type_id: Annotated[
        str, typer.Option("--id", help="The word users type: 'mediates'.", metavar="ID")
    ],
    label: Annotated[
        str, typer.Option(help="How it reads from source to target: 'mediates'.", metavar="LABEL")
    ],
    inverse: Annotated[
        str,
        typer.Option(
            help="How it reads from target to source: 'is mediated by'.", metavar="INVERSE"
        ),
    ],
    category: Annotated[
        Category,
        typer.Option(
            case_sensitive=False, help="What kind of fact it is.", metavar="event|role|tie|stance"
        ),
    ],
    symmetric: Annotated[
        bool, typer.Option("--symmetric", help="Direction carries no meaning (like met).")
    ] = False,
    cameo: Annotated[
        str | None, typer.Option(help="CAMEO event code, if one fits.", metavar="CAMEO")
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One line on when to use it.", metavar="DESCRIPTION")
    ] = None,
    cue: Annotated[
        list[str] | None,
        typer.Option(
            "--cue",
            help="A word that signals it, for extract (repeatable; 'mediat*').",
            metavar="CUE",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a relation type to the data file (when none in 'list types' fits)."""
    from ..curate.edit import add_type

    datafile = file_to_change(ctx)
    record = {
        "id": type_id,
        "label": label,
        "inverse": inverse,
        "symmetric": symmetric,
        "category": category.value,
        "cameo": cameo,
        "description": description,
        "cues": list(dict.fromkeys(cue or [])),
    }
    change = add_type(datafile, record)
    datafile.save(change.doc)
    changed(change, datafile, fmt)


@handle_errors
def list_types_command(ctx: typer.Context, fmt: FormatOpt = Format.table) -> None:
    """The relation types: how each reads, what kind of fact, the words that signal it."""
    from ..files.locate import read_documents, resolve_data_path
    from .render import emit, escape, plain

    documents = read_documents(resolve_data_path(Env.of(ctx).data))
    rows = [
        {
            "id": t["id"],
            "label": t["label"],
            "inverse": t["inverse"],
            "symmetric": t["symmetric"],
            "category": t["category"],
            "description": t.get("description", ""),
            "cues": t.get("cues", []),
        }
        for _, doc in documents
        for t in doc.get("relation_types", [])
    ]
    rows = list({row["id"]: row for row in rows}.values())
    columns = [
        ("id", plain("id")),
        ("reads", lambda r: f"{plain('label')(r)} / {plain('inverse')(r)}"),
        ("category", plain("category")),
        ("description", plain("description")),
        ("cues", lambda r: escape(", ".join(r["cues"]))),
    ]
    emit(rows, fmt.value, Env.of(ctx).output, columns, title="Relation types", empty="no types")


QuoteOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--quote",
        "-q",
        help="The source's exact words (repeatable: a fact over two places).",
        metavar="QUOTE",
    ),
]
EvidenceSourceOpt = Annotated[
    str | None,
    typer.Option(
        "--evidence-source", metavar="ID", help="The source quoted. Default: the file's last."
    ),
]
DateWordsOpt = Annotated[
    str | None,
    typer.Option(
        help="EDTF, or words relative to the publication date: 'June 21', 'in April', "
        "'late January', 'fall 2024'.",
        metavar="DATE",
    ),
]
DateTextOpt = Annotated[
    str | None,
    typer.Option(
        help="The date as the source words it. Default: --date's words.", metavar="DATE_TEXT"
    ),
]
PlaceOpt = Annotated[
    str | None,
    typer.Option(help="Where (an entity).", autocompletion=complete_name, metavar="PLACE"),
]
ReportedByOpt = Annotated[
    str | None,
    typer.Option(
        help="Who reported it (an entity).", autocompletion=complete_name, metavar="REPORTED_BY"
    ),
]
NoteOpt = Annotated[str | None, typer.Option(help="Curator's note.", metavar="NOTE")]


@add_app.command("relation")
@handle_errors
def add_relation_command(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Argument(help="The actor.", metavar="SOURCE", autocompletion=complete_name)
    ],
    target: Annotated[
        str,
        typer.Argument(help="Acted upon.", metavar="TARGET", autocompletion=complete_name),
    ],
    relation_type: Annotated[
        str,
        typer.Option("--type", "-t", help="A relation type id (met, released...).", metavar="TYPE"),
    ],
    quote: QuoteOpt = None,
    evidence_source: EvidenceSourceOpt = None,
    date: DateWordsOpt = None,
    date_text: DateTextOpt = None,
    place: PlaceOpt = None,
    certainty: Annotated[
        Certainty,
        typer.Option(
            case_sensitive=False,
            help="How sure the source is.",
            metavar="stated|reported|hedged|hypothetical",
        ),
    ] = (Certainty.stated),
    reported_by: ReportedByOpt = None,
    note: NoteOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a relation (or a quote to the same fact already there), checked before writing."""
    from ..curate.edit import RelationInput, add_relation, relation_types

    datafile = file_to_change(ctx)
    given = RelationInput(
        type=relation_type,
        source=source,
        target=target,
        quotes=quote or [],
        evidence_source=evidence_source,
        date=date,
        date_text=date_text,
        place=place,
        certainty=certainty.value,
        reported_by=reported_by,
        note=note,
    )
    change = add_relation(datafile, relation_types(datafile), given)
    datafile.save(change.doc)
    changed(change, datafile, fmt)

"""The commands that write files: export (every format in ``formats``) and draw."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand

from .. import formats
from ..model.errors import PartTooLarge, UsageError
from .env import Env, handle_errors
from .options import (
    CertaintyOpt,
    PlaceOpt,
    RelationOpt,
    SinceOpt,
    UntilOpt,
    WithinOpt,
    complete_name,
    filters,
)

#: The most relations ``draw`` lays out unless told otherwise.
DRAW_MAX_RELATIONS = 5_000


def _format_help() -> str:
    """The --format help at start-up: the names only (a format module is imported only
    when it is used, or when ``--help`` is shown: see ``ExportCommand``)."""
    return ", ".join(formats.names()) + "."


#: What --format's help says after the list of formats.
_FORMAT_TAIL = "Default: from the --output file's extension."


def _output_help(folders: tuple[str, ...] = ("neo4j", "parquet")) -> str:
    return f"File (or folder, for {', '.join(folders)}); '-' for stdout."


class ExportCommand(TyperCommand):
    """``export``: its --format help lists each format with its ``SUMMARY``, and its
    --output help the formats that write a folder (``FOLDER``), read only when the help
    is shown (importing every format costs ~0.2 s of start-up)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.params:
            if param.name == "export_format":
                listed = "; ".join(f"{n}: {s}" for n, s in formats.summaries().items())
                param.help = f"{listed}. {_FORMAT_TAIL}"
            elif param.name == "output":
                param.help = _output_help(formats.folders())
        super().format_help(ctx, formatter)


@handle_errors
def export_command(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="Export this actor's neighbourhood (default: everything).",
            metavar="[NAME]",
            autocompletion=complete_name,
        ),
    ] = None,
    output: Annotated[
        str,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help=_output_help(),  # (the formats' own FOLDER when the help is shown)
        ),
    ] = "",
    export_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=f"{_format_help()} {_FORMAT_TAIL}",
        ),
    ] = None,
    dialect: Annotated[
        str | None,
        typer.Option(
            metavar="DIALECT",
            help="For --format cypher: neo4j (default; Memgraph too) or ladybug (Kuzu).",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing file or folder.")
    ] = False,
    ego: Annotated[
        str | None, typer.Option(hidden=True, metavar="NAME", autocompletion=complete_name)
    ] = None,
    radius: Annotated[
        int, typer.Option(min=0, max=20, metavar="N", help="Hops around NAME (0-20).")
    ] = 1,
    relation: RelationOpt = None,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
) -> None:
    """Write the graph (or the part you filter) for other tools, atomically."""
    from ..queries.resolve import resolve
    from ..queries.subgraph import subgraph

    if not output:
        raise UsageError("give --output FILE (or '-' for stdout)")
    if name and ego:
        raise UsageError("give the neighbourhood once: NAME (--ego is its older spelling)")
    name = name or ego
    if export_format is None:
        export_format = formats.for_file(output)
        if export_format is None:
            choices = ", ".join(formats.names())
            raise UsageError(
                f"cannot tell the format of '{output}' from its name: give --format ({choices})"
            )
    export_format = export_format.lower()
    if export_format not in formats.names():
        from ..model.text import choose_from

        choices = choose_from(export_format, formats.names())
        raise UsageError(f"unknown export format '{export_format}' {choices}")
    writer = formats.get(export_format)
    options = {}
    if dialect is not None:
        if not isinstance(writer, formats.DialectFormat):
            raise UsageError(f"--dialect is for --format cypher, not {export_format}")
        if dialect.lower() not in writer.DIALECTS:
            from ..model.text import choose_from

            choices = choose_from(dialect, list(writer.DIALECTS))
            raise UsageError(f"unknown {export_format} dialect '{dialect}' {choices}")
        options["dialect"] = dialect.lower()
    env = Env.of(ctx)

    def question(graph):
        chosen = filters(graph, since, until, certainty, relation, place, within)
        part = subgraph(graph, chosen, resolve(graph, name) if name else None, radius)
        with env.long_pass(part) as progress:
            writer.write(part, output, force, progress, **options)
        return part.number_of_nodes(), part.number_of_edges()

    entities, relations = env.answer(question)
    if output != "-":
        env.note(f"wrote {output} ({entities} entities, {relations} relations)")


@handle_errors
def draw_command(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="Draw this actor's neighbourhood (default: everything).",
            metavar="[NAME]",
            autocompletion=complete_name,
        ),
    ] = None,
    output: Annotated[
        str,
        typer.Option("--output", "-o", metavar="FILE", help="FILE.svg, FILE.png or FILE.html."),
    ] = "",
    radius: Annotated[
        int, typer.Option(min=0, max=20, metavar="N", help="Hops around NAME (0-20).")
    ] = 1,
    ego: Annotated[
        str | None, typer.Option(hidden=True, metavar="NAME", autocompletion=complete_name)
    ] = None,
    relation: RelationOpt = None,
    place: PlaceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    within: WithinOpt = False,
    certainty: CertaintyOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    max_relations: Annotated[
        int,
        typer.Option(
            "--max-relations",
            min=1,
            metavar="N",
            help="Refuse to draw more relations than this (layouts slow down, pictures blur).",
        ),
    ] = DRAW_MAX_RELATIONS,
    layout: Annotated[
        str,
        typer.Option(
            "--layout",
            metavar="spring|dot|sfdp",
            help="How .svg/.png pictures are laid out: spring (default, needs no system "
            "program), or Graphviz's dot (layered) or sfdp (large graphs), which need Graphviz.",
        ),
    ] = "spring",
) -> None:
    """Draw the graph: a picture (.svg, .png) or an interactive page (.html) that works offline."""
    from ..files.atomic import write_atomic
    from ..formats.common import as_networkx
    from ..formats.drawing import FORMATS, LAYOUTS, render
    from ..queries.resolve import resolve
    from ..queries.subgraph import subgraph

    if not output:
        raise UsageError("give --output FILE.svg, FILE.png or FILE.html")
    if name and ego:
        raise UsageError("give the neighbourhood once: NAME (--ego is its older spelling)")
    name = name or ego
    fmt = Path(output).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(f"cannot draw '{output}': the file name must end in .svg, .png or .html")
    layout = layout.lower()
    if layout not in LAYOUTS:
        raise UsageError(f"unknown --layout '{layout}': choose spring, dot or sfdp")
    if fmt == "html" and layout != "spring":
        raise UsageError("--layout is for .svg and .png pictures (the .html page lays itself out)")
    env = Env.of(ctx)

    def question(graph):
        node = resolve(graph, name) if name else None
        chosen = filters(graph, since, until, certainty, relation, place, within)
        try:  # counted before any relation is read
            part = subgraph(graph, chosen, node, radius, at_most=max_relations)
        except PartTooLarge as too_large:
            raise UsageError(
                f"the drawing would hold {too_large.count:,} relations (at most "
                f"{max_relations:,}): draw a part (NAME --radius 1, --relation, --since) "
                "or raise --max-relations"
            ) from None
        with env.long_pass(part) as progress:
            part = as_networkx(part, progress)
        if part.number_of_nodes() == 0:
            raise UsageError("nothing to draw: no relation passes the filters")
        title = "diplograph" if node is None else f"{graph.name_of(node)} and neighbours"
        write_atomic(render(part, fmt, title, layout), output, force)
        return part.number_of_nodes(), part.number_of_edges()

    entities, relations = env.answer(question)
    if output != "-":
        env.note(f"drew {output} ({entities} entities, {relations} relations)")

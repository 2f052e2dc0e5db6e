"""The diplograph command line: parse arguments, call the library, render, map errors.

Every command takes ``--format table|json|csv``. Errors from the library become one
``Error: ...`` line per problem on stderr and exit code 1 (2 for usage errors); add
``--debug`` for the traceback.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from . import __version__
from .errors import CacheDamaged, DataError, DiplographError

app = typer.Typer(
    name="diplograph",
    help="Explore a knowledge graph of diplomacy: who met whom, who released whom, "
    "who sanctions whom, and how two actors are connected, with the sentence each fact "
    "came from.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)
list_app = typer.Typer(help="List entities or relations.", no_args_is_help=True)
app.add_typer(list_app, name="list")


class State:
    """Options given before the command (data path, debug)."""

    data: str | None = None
    debug: bool = False
    progress: Any = None  # the LoadProgress of this run, if any


state = State()
#: The most relations ``draw`` lays out unless told otherwise.
DRAW_MAX_RELATIONS = 5_000
#: From this many relations, a pass over all of them (an export) shows a progress bar.
PROGRESS_MIN_RELATIONS = 100_000


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class Direction(StrEnum):
    both = "both"
    out = "out"
    in_ = "in"


class LoadProgress:
    """A Rich progress bar on stderr while large data is read, checked and indexed (or
    its search file built): ``progress(step, done=None, total=None, unit="")`` (counts, or
    sizes when ``unit`` is "bytes"), then
    ``progress(None)`` when finished. Only ever used on a terminal; leaves no trace."""

    def __init__(self, console: Any):
        self.console = console
        self._bar: Any = None
        self._task: Any = None
        self._step: str | None = None

    def __call__(
        self, step: str | None, done: int | None = None, total: int | None = None, unit: str = ""
    ):
        if step is None:  # finished
            self.stop()
            return
        if self._bar is None:
            from rich.progress import (
                BarColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.fields[count]}"),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
                auto_refresh=False,  # no refresh thread: building may fork, and threads
            )  # do not survive a fork cleanly; each update refreshes instead
            self._bar.start()
        if unit == "bytes":  # shown in megabytes
            count = f"{(done or 0) / 1e6:,.0f}/{total / 1e6:,.0f} MB" if total else ""
        else:
            count = f"{done or 0:,}/{total:,}" if total else ""
        if step != self._step:  # a new step: its own bar and clock
            if self._task is not None:
                self._bar.remove_task(self._task)
            from rich.markup import escape

            self._task = self._bar.add_task(f"{escape(step)}...", total=total, count=count)
            self._step = step
        self._bar.update(self._task, completed=done or 0, count=count, refresh=True)

    def stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = self._task = self._step = None


def _graph():
    """The data as a PackedGraph (from the cache when current), with a progress bar on a
    terminal while large data is read and indexed."""
    from .load import resolve_data_path
    from .pack import open_packed

    path = resolve_data_path(state.data)
    if not sys.stderr.isatty():
        return open_packed(path)
    state.progress = LoadProgress(Console(stderr=True))
    try:
        graph = open_packed(path, state.progress)
    finally:
        state.progress.stop()
    graph.progress = state.progress  # for a search file built later (restarts the bar)
    return graph


def _networkx(graph):
    """A networkx graph for the commands that run networkx algorithms or writers (with a
    progress bar on a terminal while a large one is read)."""
    if not hasattr(graph, "to_networkx"):
        return graph
    with _long_pass(graph) as progress:
        return graph.to_networkx(progress)


@contextlib.contextmanager
def _long_pass(graph) -> Iterator[LoadProgress | None]:
    """The progress bar for a pass over every relation of ``graph`` (on a terminal, and
    only for many relations: a short pass would only flash one), cleared afterwards."""
    try:
        yield state.progress if graph.number_of_edges() >= PROGRESS_MIN_RELATIONS else None
    finally:
        if state.progress is not None:
            state.progress.stop()


def _complete_name(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of entity names and aliases."""
    try:
        from .load import resolve_data_path
        from .pack import open_packed
        from .resolve import index_for

        root = ctx.find_root()
        graph = open_packed(resolve_data_path(root.params.get("data")))
        return index_for(graph).completions(incomplete)
    except Exception:  # completion must never print a traceback into the shell
        return []


def _split(values: list[str] | None) -> list[str]:
    """Comma-separated and repeated option values, flattened."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


class _Output:
    """Where results go: ``file`` (stdout) for JSON and CSV, and ``print`` for tables and
    trees through a Rich console made on first use (so scripts never import rich).
    Piped output gets 120 columns (or $COLUMNS), never cropped."""

    def __init__(self) -> None:
        self.file = sys.stdout
        self._console: Any = None

    def print(self, *things: Any, **options: Any) -> None:
        if self._console is None:
            width = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 120
            self._console = Console(file=sys.stdout, width=width)
        self._console.print(*things, **options)


def Console(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - rich's class, made lazily
    """``rich.console.Console``, imported only when something is drawn or reported; it
    never turns ``:name:`` codes in the data into emoji (quotes are shown as written)."""
    from rich.console import Console as RichConsole

    return RichConsole(*args, emoji=False, **kwargs)


def _err(*messages: str) -> None:
    """One "Error: ..." line per message on stderr, as written (plain text: a message may
    hold anything the data holds, and data with 100,000 problems prints them at once)."""
    sys.stderr.write("".join(f"Error: {message}\n" for message in messages))
    sys.stderr.flush()


#: Problems shown for invalid data before "... and N more" (validate shows them all).
MAX_PROBLEMS = 20


def handle_errors(command=None, *, all_problems: bool = False):
    """Turn library errors into 'Error: ...' lines on stderr and an exit code."""

    def decorate(command):
        @wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                try:
                    return command(*args, **kwargs)
                except CacheDamaged as damaged:
                    # found broken while reading: drop it and answer again from the data
                    if damaged.path is None:
                        raise
                    Path(damaged.path).unlink(missing_ok=True)
                    Path(damaged.path).with_suffix(".search").unlink(missing_ok=True)
                    return command(*args, **kwargs)
                finally:
                    if state.progress is not None:
                        state.progress.stop()
            except DiplographError as exc:
                if state.debug:
                    raise
                problems = exc.problems if isinstance(exc, DataError) else [str(exc)]
                shown = problems if all_problems else problems[:MAX_PROBLEMS]
                _err(*shown)
                if len(problems) > len(shown):
                    _err(
                        f"... and {len(problems) - len(shown)} more problems "
                        "(diplograph validate lists them all)"
                    )
                raise typer.Exit(exc.exit_code) from None

        return wrapper

    return decorate(command) if command is not None else decorate


NameArg = Annotated[
    str, typer.Argument(help="Name, alias or id.", metavar="NAME", autocompletion=_complete_name)
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


def _filters(graph, since, until, certainty, relation=None):
    from .query import make_filters

    return make_filters(graph, since, until, _split(certainty), _split(relation))


def _version(value: bool) -> None:
    if value:
        typer.echo(f"diplograph {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    data: Annotated[
        str | None,
        typer.Option(
            "--data",
            "-d",
            envvar="DIPLOGRAPH_DATA",
            metavar="PATH",
            help="Data file, or folder of JSON files to merge. Default: the bundled dataset.",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Explore a knowledge graph of diplomacy."""
    state.data = data
    state.debug = debug


# -- who-met and path --------------------------------------------------------------------


@app.command("who-met")
@handle_errors
def who_met_command(
    name: NameArg,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Everyone who met NAME, in date order, with where, how sure, and the quote."""
    from .query import who_met
    from .render import RELATION_COLUMNS, emit, plain
    from .resolve import resolve

    graph = _graph()
    node = resolve(graph, name)
    rows = who_met(graph, node, _filters(graph, since, until, certainty))
    emit(
        rows,
        fmt.value,
        _Output(),
        [("met", plain("name")), *RELATION_COLUMNS],
        title=f"Who met {graph.nodes[node]['name']}",
        empty=f"no recorded meetings with {graph.nodes[node]['name']}",
    )


def _hop_columns():
    from .render import RELATION_COLUMNS, hop_cell

    return [("#", lambda r: f"{r['path']}.{r['hop']}"), ("relation", hop_cell), *RELATION_COLUMNS]


@app.command("path")
@handle_errors
def path_command(
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
    from .errors import UsageError
    from .query import PathOptions, path_rows, paths
    from .render import emit
    from .resolve import resolve

    if all_ and (k > 1 or chronological):
        raise UsageError("--all cannot be combined with --k or --chronological")
    if k > 1 and chronological:
        raise UsageError("--k cannot be combined with --chronological")
    graph = _graph()
    a, b = resolve(graph, start), resolve(graph, goal)
    options = PathOptions(
        filters=_filters(graph, since, until, certainty, via),
        avoid=frozenset(resolve(graph, n) for n in avoid or []),
        directed=directed,
        max_hops=max_hops,
        all_shortest=all_,
        k=k,
        chronological=chronological,
    )
    rows = path_rows(graph, paths(graph, a, b, options))
    emit(
        rows,
        fmt.value,
        _Output(),
        _hop_columns(),
        title=f"{graph.nodes[a]['name']} → {graph.nodes[b]['name']}",
    )


# -- the other queries ---------------------------------------------------------------------


@app.command("show")
@handle_errors
def show_command(
    name: NameArg,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    relation: RelationOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """NAME's card and all its relations, grouped by type, with evidence."""
    from .query import show, show_rows
    from .render import entity_tree, to_json, write_csv
    from .resolve import resolve

    graph = _graph()
    node = resolve(graph, name)
    card = show(graph, node, _filters(graph, since, until, certainty, relation))
    if fmt is Format.json:
        sys.stdout.write(to_json(card) + "\n")
    elif fmt is Format.csv:
        write_csv(show_rows(card), sys.stdout)
    else:
        _Output().print(entity_tree(card))


@app.command("neighbors")
@handle_errors
def neighbors_command(
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
    from .query import neighbors
    from .render import RELATION_COLUMNS, emit, neighbor_tree, plain
    from .resolve import resolve

    graph = _graph()
    node = resolve(graph, name)
    rows = neighbors(
        graph, node, direction.value, depth, _filters(graph, since, until, certainty, relation)
    )
    if tree and fmt is Format.table:
        _Output().print(neighbor_tree(graph.nodes[node]["name"], rows))
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
        _Output(),
        columns,
        title=f"Neighbors of {graph.nodes[node]['name']}",
        empty="no neighbors match",
    )


@app.command("search")
@handle_errors
def search_command(
    text: Annotated[str, typer.Argument(help="What to look for (typos welcome).")],
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many results.")] = 20,
    fmt: FormatOpt = Format.table,
) -> None:
    """Fuzzy search over names, aliases, descriptions and evidence quotes."""
    from .query import search
    from .render import emit, plain

    graph = _graph()
    rows = search(graph, text, limit)
    columns = [
        ("score", plain("score")),
        ("kind", plain("kind")),
        ("name", plain("name")),
        ("id", plain("id")),
        ("matched", lambda r: f"{r['field']}: {plain('match')(r)}"),
    ]
    emit(rows, fmt.value, _Output(), columns, title=f"Search: {text}", empty="no matches")


@app.command("timeline")
@handle_errors
def timeline_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(
            help="None (everything), one actor, or two (what passed between them).",
            autocompletion=_complete_name,
        ),
    ] = None,
    relation: RelationOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Dated relations in time order; partial dates sort by their earliest day."""
    from .errors import UsageError
    from .query import timeline
    from .render import RELATION_COLUMNS, emit, hop_cell
    from .resolve import resolve

    if len(names or []) > 2:
        raise UsageError("timeline takes at most two names")
    graph = _graph()
    nodes = [resolve(graph, n) for n in names or []]
    rows = timeline(graph, nodes, _filters(graph, since, until, certainty, relation))
    columns = [RELATION_COLUMNS[0], ("relation", hop_cell), *RELATION_COLUMNS[1:]]  # date first
    emit(rows, fmt.value, _Output(), columns, title="Timeline", empty="no dated relations match")


@app.command("stats")
@handle_errors
def stats_command(
    top: Annotated[
        int, typer.Option(min=1, max=1000, help="How many actors and components to list.")
    ] = 10,
    fmt: FormatOpt = Format.table,
) -> None:
    """Entities and relations by type, most connected actors, brokers, components.

    Brokers rank by betweenness centrality: exact up to 2,000 entities, estimated from a
    sample of them on larger graphs (sized to keep stats to seconds)."""
    from .query import stats
    from .render import emit_sections

    graph = _graph()
    with _long_pass(graph) as progress:
        found = stats(graph, top, progress)
    emit_sections(found, fmt.value, _Output())


@list_app.command("entities")
@handle_errors
def list_entities_command(
    entity_type: Annotated[
        str | None, typer.Option("--type", "-t", help="Only this entity type.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """All entities, by name."""
    from .query import list_entities
    from .render import emit, plain

    rows = list_entities(_graph(), entity_type)
    columns = [
        ("name", plain("name")),
        ("id", plain("id")),
        ("type", plain("type")),
        ("relations", plain("relations")),
        ("description", plain("description")),
    ]
    emit(rows, fmt.value, _Output(), columns, title="Entities", empty="no entities")


@list_app.command("relations")
@handle_errors
def list_relations_command(
    relation_type: Annotated[
        list[str] | None, typer.Option("--type", "-t", help="Only these relation types.")
    ] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """All relations, in time order (undated last)."""
    from .query import list_relations
    from .render import RELATION_COLUMNS, emit, hop_cell

    graph = _graph()
    rows = list_relations(graph, _filters(graph, since, until, certainty, relation_type))
    columns = [("relation", hop_cell), *RELATION_COLUMNS]
    emit(rows, fmt.value, _Output(), columns, title="Relations", empty="no relations match")


# -- export and validate -------------------------------------------------------------------


@app.command("export")
@handle_errors
def export_command(
    export_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="graphml, gexf, json, dot, mermaid, neo4j (a folder), cypher."
        ),
    ],
    output: Annotated[
        str, typer.Option("--output", "-o", help="File (or folder, for neo4j); '-' for stdout.")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing file or folder.")
    ] = False,
    ego: Annotated[
        str | None,
        typer.Option(help="Only this actor's neighbourhood.", autocompletion=_complete_name),
    ] = None,
    radius: Annotated[int, typer.Option(min=0, max=20, help="Hops around --ego.")] = 1,
    relation: RelationOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
) -> None:
    """Write the graph (or the part you filter) for other tools, atomically."""
    from .errors import UsageError
    from .export import (
        ALL_FORMATS,
        FOLDER_FORMATS,
        FORMATS,
        to_mermaid,
        write_atomic,
        write_folder_atomic,
        write_graphml,
    )
    from .query import subgraph
    from .resolve import resolve

    if export_format not in ALL_FORMATS:
        choices = ", ".join(ALL_FORMATS)
        raise UsageError(f"unknown export format '{export_format}' (choose from {choices})")
    graph = _graph()
    filters = _filters(graph, since, until, certainty, relation)
    part = subgraph(graph, filters, resolve(graph, ego) if ego else None, radius)
    if export_format == "graphml":  # streams from any graph, the cache included
        with _long_pass(part) as progress:
            write_atomic(lambda out: write_graphml(part, out, progress), output, force)
        _wrote(output, part)
        return
    part = _networkx(part)
    if export_format in FOLDER_FORMATS:
        write_folder_atomic(FOLDER_FORMATS[export_format](part), output, force)
    elif export_format == "mermaid":
        write_atomic(to_mermaid(part, fenced=output.endswith(".md")), output, force)
    else:
        write_atomic(FORMATS[export_format](part), output, force)
    _wrote(output, part)


def _wrote(output: str, part) -> None:
    if output != "-":
        summary = f"wrote {output} ({part.number_of_nodes()} entities, "
        summary += f"{part.number_of_edges()} relations)"
        Console(file=sys.stderr).print(summary, markup=False, highlight=False)


@app.command("draw")
@handle_errors
def draw_command(
    name: Annotated[
        str | None,
        typer.Argument(
            help="Draw this actor's neighbourhood (default: everything).",
            metavar="[NAME]",
            autocompletion=_complete_name,
        ),
    ] = None,
    output: Annotated[
        str, typer.Option("--output", "-o", help="FILE.svg, FILE.png or FILE.html.")
    ] = "",
    radius: Annotated[int, typer.Option(min=0, max=20, help="Hops around NAME.")] = 1,
    relation: RelationOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    certainty: CertaintyOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    max_relations: Annotated[
        int,
        typer.Option(
            "--max-relations",
            min=1,
            help="Refuse to draw more relations than this (layouts slow down, pictures blur).",
        ),
    ] = DRAW_MAX_RELATIONS,
) -> None:
    """Draw the graph: a picture (.svg, .png) or an interactive page (.html) that works offline."""
    from .draw import FORMATS, render
    from .errors import PartTooLarge, UsageError
    from .export import write_atomic
    from .query import subgraph
    from .resolve import resolve

    if not output:
        raise UsageError("give --output FILE.svg, FILE.png or FILE.html")
    fmt = Path(output).suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError(f"cannot draw '{output}': the file name must end in .svg, .png or .html")
    graph = _graph()
    node = resolve(graph, name) if name else None
    filters = _filters(graph, since, until, certainty, relation)
    try:  # counted before any relation is read
        part = subgraph(graph, filters, node, radius, at_most=max_relations)
    except PartTooLarge as too_large:
        raise UsageError(
            f"the drawing would hold {too_large.count:,} relations (at most "
            f"{max_relations:,}): draw a part (NAME --radius 1, --relation, --since) "
            "or raise --max-relations"
        ) from None
    part = _networkx(part)
    if part.number_of_nodes() == 0:
        raise UsageError("nothing to draw: no relation passes the filters")
    title = "diplograph" if node is None else f"{graph.nodes[node]['name']} and neighbours"
    write_atomic(render(part, fmt, title), output, force)
    if output != "-":
        summary = f"drew {output} ({part.number_of_nodes()} entities, "
        summary += f"{part.number_of_edges()} relations)"
        Console(file=sys.stderr).print(summary, markup=False, highlight=False)


@app.command("validate")
@handle_errors(all_problems=True)
def validate_command(
    source_text: Annotated[
        list[str] | None,
        typer.Option(
            help="SOURCE_ID=FILE: check that every quote citing SOURCE_ID occurs "
            "verbatim in FILE (repeatable).",
            metavar="SOURCE_ID=FILE",
        ),
    ] = None,
) -> None:
    """Check the data: every problem, each with its file and place; quotes against sources."""
    from .errors import UsageError
    from .load import data_files, relation_evidence, resolve_data_path, with_vocabulary
    from .model import Quotes

    texts: dict[str, str] = {}
    for item in source_text or []:
        source_id, sep, file = item.partition("=")
        if not sep or not source_id or not file:
            raise UsageError(f"--source-text takes SOURCE_ID=FILE, got '{item}'")
        try:
            texts[source_id] = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError([f"{file}: cannot read source text ({exc})"]) from None
    files = with_vocabulary(data_files(resolve_data_path(state.data)))
    # the same checks as every command's first read (which lists every problem when
    # there is one); large data that passed is cached, so checking it again is instant
    graph = _graph()
    entities, relations = graph.number_of_nodes(), graph.number_of_edges()
    checked = 0
    if texts:  # then each quote against its source's text, a slice of relations at a time
        quotes = Quotes(texts, graph.graph["sources"])
        for filename, i, evidence in relation_evidence(files):
            quotes.relation(filename, i, evidence)
        if quotes.problems:
            raise DataError(quotes.problems)
        checked = quotes.checked
    count = len(files)
    message = (
        f"ok: {count} file{'s' if count != 1 else ''}, {entities} entities, {relations} relations"
    )
    if texts:
        message += f"; {checked} quotes found verbatim in {', '.join(sorted(texts))}"
    typer.echo(message)


class Interrupted(BaseException):
    """Ctrl-C. A BaseException of our own, so Click does not turn it into 'Aborted!'."""


def _interrupt(signum: int, frame: Any) -> None:
    raise Interrupted


def main() -> None:
    """Console-script entry point: quiet on a closed pipe, prompt on Ctrl-C."""
    import signal

    if hasattr(signal, "SIGPIPE"):
        # `diplograph ... | head -1`: end quietly, like other Unix tools (exit 141).
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    # numpy (imported to index large data) would start an OpenBLAS thread per core by
    # default: nothing here multiplies matrices, and those threads take turns from the
    # two processes that index (0.1-0.2 s of a first query at a million relations)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # One command, then the process ends: what it makes is freed by reference counting,
    # and the cycle collector would only walk its rows again and again (a list of 300k
    # relations: 30 s with it, 16 s without)
    gc.disable()
    try:
        app()
    except Interrupted:
        # Anything half-written has already been removed on the way out.
        sys.stderr.write("Interrupted\n")
        _exit(130)
    except SystemExit as done:
        _exit(done.code)


def _exit(code: object) -> None:
    """Flush the output and end the process without tearing down the interpreter: every
    file diplograph writes is closed by then, and freeing a large query's objects one
    by one only delays the prompt (a tenth of a second for a few thousand rows)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # a message, as sys.exit("...") would print it
        sys.stderr.write(f"{code}\n")
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass  # the reader went away (SIGPIPE is the default, so this is rare)
    os._exit(status)


# -- import --------------------------------------------------------------------------------
# ``diplograph import gdelt|icews|csv|graph``: real event data and graph files in, as one
# data file. Self-contained: the library work is in ``diplograph.importers``.

import_app = typer.Typer(
    help="Make a data file from GDELT or ICEWS events, an edge list or a graph file.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


class OneActor(StrEnum):
    drop = "drop"
    place = "place"


class ReportFormat(StrEnum):
    table = "table"
    json = "json"


ImportOutputOpt = Annotated[
    str,
    typer.Option("--output", "-o", metavar="FILE", help="The data file to write (atomically)."),
]
ImportForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
OneActorOpt = Annotated[
    OneActor,
    typer.Option(
        "--one-actor",
        help="Events with one actor: drop them (counted), or keep them as a relation "
        "from the actor to the event's place.",
    ),
]
ReportFormatOpt = Annotated[
    ReportFormat,
    typer.Option("--format", "-f", help="The report: lines on stderr (table) or JSON on stdout."),
]
EventFilesArg = Annotated[list[Path], typer.Argument(help="Event files.", metavar="FILE...")]


def _import_progress() -> Any:
    """A progress bar on stderr when it is a terminal, else None."""
    if not sys.stderr.isatty():
        return None
    state.progress = LoadProgress(Console(stderr=True))
    return state.progress


def _import_report(report: Any, fmt: ReportFormat) -> None:
    """The import report: JSON on stdout, or lines on stderr."""
    if state.progress is not None:
        state.progress.stop()
    if fmt is ReportFormat.json:
        from .render import to_json

        sys.stdout.write(to_json(report.as_dict()) + "\n")
    else:
        sys.stderr.write("".join(line + "\n" for line in report.lines()))


@import_app.command("gdelt")
@handle_errors
def import_gdelt_command(
    files: EventFilesArg,
    output: ImportOutputOpt,
    one_actor: OneActorOpt = OneActor.drop,
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """GDELT 1.0 or 2.0 event exports (tab-separated, with or without a header, or CSV)."""
    from .importers.gdelt import import_gdelt

    report = import_gdelt(
        files, output, force=force, one_actor=one_actor.value, progress=_import_progress()
    )
    _import_report(report, fmt)


@import_app.command("icews")
@handle_errors
def import_icews_command(
    files: EventFilesArg,
    output: ImportOutputOpt,
    one_actor: OneActorOpt = OneActor.drop,
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """ICEWS event files (Harvard Dataverse .tab layout, with its header row)."""
    from .importers.icews import import_icews

    report = import_icews(
        files, output, force=force, one_actor=one_actor.value, progress=_import_progress()
    )
    _import_report(report, fmt)


@import_app.command("csv")
@handle_errors
def import_csv_command(
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
    from .errors import UsageError
    from .importers.csv import import_csv

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
        progress=_import_progress(),
    )
    _import_report(report, fmt)


@import_app.command("graph")
@handle_errors
def import_graph_command(
    file: Annotated[Path, typer.Argument(help="GraphML, GEXF or node-link JSON.", metavar="FILE")],
    output: ImportOutputOpt,
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """A graph file; diplograph's own exports come back exactly as they were."""
    from .importers.graph import import_graph

    _import_report(import_graph(file, output, force=force), fmt)


@import_app.command("merge")
@handle_errors(all_problems=True)
def import_merge_command(
    files: Annotated[list[Path], typer.Argument(help="diplograph data files.", metavar="FILE...")],
    output: ImportOutputOpt,
    force: ImportForceOpt = False,
    fmt: ReportFormatOpt = ReportFormat.table,
) -> None:
    """diplograph data files as one: entities with the same id or a shared identifier
    become one, relations follow them, the same fact from two files gets both evidence."""
    from .importers.merge import merge_files

    _import_report(merge_files(files, output, force=force), fmt)

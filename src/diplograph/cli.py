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
        help="Only these certainty levels, comma-separated: stated, reported, hedged, hypothetical."
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
    top: Annotated[int, typer.Option(min=1, max=1000, help="How many actors to rank.")] = 10,
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
            "verbatim in FILE (repeatable; instead of the source's own text file).",
            metavar="SOURCE_ID=FILE",
        ),
    ] = None,
) -> None:
    """Check the data: every problem, each with its file and place; quotes against sources.

    Quotes are checked against each source's own text file (its "text" field) when it is
    there; the sources that could not be checked are named, with why."""
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
    stored, unchecked = _stored_texts(files, texts)  # each source's own text file
    texts.update(stored)
    if texts:  # then each quote against its source's text, a slice of relations at a time
        quotes = Quotes(texts, graph.graph["sources"])
        for filename, i, evidence in relation_evidence(files):
            quotes.relation(filename, i, evidence)
        if quotes.problems:
            _note(*unchecked)
            raise DataError(quotes.problems)
        checked = quotes.checked
    count = len(files)
    message = (
        f"ok: {count} file{'s' if count != 1 else ''}, {entities} entities, {relations} relations"
    )
    if texts:
        message += f"; {checked} quotes found verbatim in {', '.join(sorted(texts))}"
    typer.echo(message)
    _note(*unchecked)


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


# -- curation ------------------------------------------------------------------------------
# init, add, edit, remove and extract: the library is diplograph.curate; these commands
# pick the file to change, call it, and print what changed.

add_app = typer.Typer(help="Add a source, an entity or a relation to a data file.")
edit_app = typer.Typer(help="Change an entity or a relation of a data file.")
remove_app = typer.Typer(help="Remove an entity or a relation from a data file.")
for _name, _sub in (("add", add_app), ("edit", edit_app), ("remove", remove_app)):
    _sub.info.no_args_is_help = True
    app.add_typer(_sub, name=_name)


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


#: Sources named one by one when their quotes could not be checked (then "... and N more").
MAX_UNCHECKED = 10


def _stored_texts(files: list[Path], given: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The sources' own text files (those not given with --source-text), and one line
    per source, or group of sources, whose quotes cannot be checked, saying why."""
    from .curate.document import source_texts

    found = source_texts(files, given)
    notes = [f"quotes of '{sid}' not checked: {why}" for sid, why in found.missing]
    if len(notes) > MAX_UNCHECKED:
        notes[MAX_UNCHECKED:] = [f"... and {len(notes) - MAX_UNCHECKED} more sources"]
    if found.unrecorded:
        shown = ", ".join(found.unrecorded[:MAX_UNCHECKED])
        if len(found.unrecorded) > MAX_UNCHECKED:
            shown += f" and {len(found.unrecorded) - MAX_UNCHECKED} more"
        many = len(found.unrecorded) > 1
        notes.append(
            f"quotes of {shown} not checked: no text file recorded for "
            f"{'these sources' if many else 'this source'} (--source-text ID=FILE checks "
            "one; 'add source --text' records one)"
        )
    return found.texts, notes


def _file_to_change():
    """The data file a curation command changes: --data (or $DIPLOGRAPH_DATA), which
    must name one file. Never the bundled dataset unless it is named."""
    from .curate.document import DataFile
    from .errors import UsageError

    if not state.data:
        raise UsageError(
            "give the data file to change with --data FILE (before the command; "
            "'diplograph init FILE' makes one)"
        )
    path = Path(state.data)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give the one data file to change (--data FILE)")
    if not path.exists():
        raise DataError([f"{path}: no such file ('diplograph init {path}' makes one)"])
    return DataFile.read(path)


def _changed(change, datafile, fmt: Format) -> None:
    """Print what a change did: a line (table), or its summary as JSON or CSV."""
    from .curate.edit import RECORD_NAMES
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


@app.command("init")
@handle_errors
def init_command(
    file: Annotated[Path, typer.Argument(help="The data file to create.", metavar="FILE")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Create an empty data file (and schema.json beside it, for editors)."""
    from .curate.document import init

    written = init(file, force)
    typer.echo(f"wrote {', '.join(str(p) for p in written)}")
    _note(f"next: diplograph --data {file} add source --id ID --title ... --text ARTICLE.txt")


@add_app.command("source")
@handle_errors
def add_source_command(
    title: Annotated[str, typer.Option(help="Title of the document.")],
    publisher: Annotated[str, typer.Option(help="Who published it.")],
    published: Annotated[str, typer.Option(help="Publication date, EDTF (2025-06-24).")],
    source_id: Annotated[
        str | None, typer.Option("--id", help="Default: <publisher>-<published>.")
    ] = None,
    url: Annotated[str | None, typer.Option(help="Where it can be read.")] = None,
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
    from .curate.document import read_text, store_text, text_relative
    from .curate.edit import add_source

    datafile = _file_to_change()
    content = read_text(text) if text is not None else None
    record = {"id": source_id, "title": title, "publisher": publisher, "published": published}
    record["url"] = url
    change = add_source(datafile.doc, record)
    sid = change.record["id"]
    if content is None:
        datafile.save(change.doc)
        _changed(change, datafile, fmt)
        return
    change.record["text"] = text_relative(sid)
    from .curate.document import check

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
    _changed(change, datafile, fmt)


@add_app.command("entity")
@handle_errors
def add_entity_command(
    name: Annotated[str, typer.Option(help="The name to display.")],
    entity_type: Annotated[EntityType, typer.Option("--type", "-t", help="Kind of actor.")],
    entity_id: Annotated[
        str | None, typer.Option("--id", help="Default: by the data/README rules (surname...).")
    ] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", "-a", help="Another spelling (repeatable).")
    ] = None,
    description: Annotated[
        str | None, typer.Option(help="One line, drawn from the source.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Add it even if the name names an entity already.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add an entity."""
    from .curate.edit import add_entity

    datafile = _file_to_change()
    record = {
        "id": entity_id,
        "name": name,
        "type": entity_type.value,
        "aliases": list(dict.fromkeys(alias or [])),
        "description": description,
    }
    change = add_entity(datafile.doc, record, force)
    datafile.save(change.doc)
    _changed(change, datafile, fmt)


class Category(StrEnum):
    event = "event"
    role = "role"
    tie = "tie"
    stance = "stance"


@add_app.command("type")
@handle_errors
def add_type_command(
    type_id: Annotated[str, typer.Option("--id", help="The word users type: 'mediates'.")],
    label: Annotated[str, typer.Option(help="How it reads from source to target: 'mediates'.")],
    inverse: Annotated[
        str, typer.Option(help="How it reads from target to source: 'is mediated by'.")
    ],
    category: Annotated[Category, typer.Option(help="What kind of fact it is.")],
    symmetric: Annotated[
        bool, typer.Option("--symmetric", help="Direction carries no meaning (like met).")
    ] = False,
    cameo: Annotated[str | None, typer.Option(help="CAMEO event code, if one fits.")] = None,
    description: Annotated[str | None, typer.Option(help="One line on when to use it.")] = None,
    cue: Annotated[
        list[str] | None,
        typer.Option("--cue", help="A word that signals it, for extract (repeatable; 'mediat*')."),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a relation type to the data file (when none in 'list types' fits)."""
    from .curate.edit import add_type

    datafile = _file_to_change()
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
    _changed(change, datafile, fmt)


@list_app.command("types")
@handle_errors
def list_types_command(fmt: FormatOpt = Format.table) -> None:
    """The relation types: how each reads, what kind of fact, the words that signal it."""
    from .load import read_documents, resolve_data_path
    from .render import emit, escape, plain

    documents = read_documents(resolve_data_path(state.data))
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
    emit(rows, fmt.value, _Output(), columns, title="Relation types", empty="no types")


QuoteOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--quote", "-q", help="The source's exact words (repeatable: a fact over two places)."
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
        "'late January', 'fall 2024'."
    ),
]
DateTextOpt = Annotated[
    str | None, typer.Option(help="The date as the source words it. Default: --date's words.")
]
PlaceOpt = Annotated[
    str | None, typer.Option(help="Where (an entity).", autocompletion=_complete_name)
]
ReportedByOpt = Annotated[
    str | None,
    typer.Option(help="Who reported it (an entity).", autocompletion=_complete_name),
]
NoteOpt = Annotated[str | None, typer.Option(help="Curator's note.")]


@add_app.command("relation")
@handle_errors
def add_relation_command(
    source: Annotated[
        str, typer.Argument(help="The actor.", metavar="SOURCE", autocompletion=_complete_name)
    ],
    target: Annotated[
        str,
        typer.Argument(help="Acted upon.", metavar="TARGET", autocompletion=_complete_name),
    ],
    relation_type: Annotated[
        str, typer.Option("--type", "-t", help="A relation type id (met, released...).")
    ],
    quote: QuoteOpt = None,
    evidence_source: EvidenceSourceOpt = None,
    date: DateWordsOpt = None,
    date_text: DateTextOpt = None,
    place: PlaceOpt = None,
    certainty: Annotated[Certainty, typer.Option(help="How sure the source is.")] = (
        Certainty.stated
    ),
    reported_by: ReportedByOpt = None,
    note: NoteOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a relation (or a quote to the same fact already there), checked before writing."""
    from .curate.edit import RelationInput, add_relation, relation_types

    datafile = _file_to_change()
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
    _changed(change, datafile, fmt)


@edit_app.command("relation")
@handle_errors
def edit_relation_command(
    relation_id: Annotated[str, typer.Argument(help="The relation's id.", metavar="ID")],
    date: DateWordsOpt = None,
    date_text: DateTextOpt = None,
    place: PlaceOpt = None,
    certainty: Annotated[Certainty | None, typer.Option(help="How sure the source is.")] = None,
    reported_by: ReportedByOpt = None,
    note: NoteOpt = None,
    quote: QuoteOpt = None,
    evidence_source: EvidenceSourceOpt = None,
    clear: Annotated[
        list[str] | None,
        typer.Option(help="Remove a field: date, date_text, place, reported_by, note."),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Change a relation's fields, or add a quote to its evidence (its id stays)."""
    from .curate.edit import edit_relation

    datafile = _file_to_change()
    changes = {
        "date": date,
        "date_text": date_text,
        "place": place,
        "certainty": certainty.value if certainty else None,
        "reported_by": reported_by,
        "note": note,
    }
    change = edit_relation(
        datafile, relation_id, changes, _split(clear), quote or [], evidence_source
    )
    datafile.save(change.doc)
    _changed(change, datafile, fmt)


@edit_app.command("entity")
@handle_errors
def edit_entity_command(
    entity_id: Annotated[
        str,
        typer.Argument(
            help="The entity's id (or name).", metavar="ID", autocompletion=_complete_name
        ),
    ],
    name: Annotated[str | None, typer.Option(help="A new display name.")] = None,
    entity_type: Annotated[
        EntityType | None, typer.Option("--type", "-t", help="Kind of actor.")
    ] = None,
    description: Annotated[str | None, typer.Option(help="One line.")] = None,
    alias: Annotated[
        list[str] | None, typer.Option("--alias", "-a", help="Add an alias (repeatable).")
    ] = None,
    remove_alias: Annotated[
        list[str] | None, typer.Option(help="Remove an alias (repeatable).")
    ] = None,
    clear: Annotated[
        list[str] | None, typer.Option(help="Remove a field: aliases, description.")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Change an entity's name, type, description or aliases (its id stays)."""
    from .curate.edit import edit_entity

    datafile = _file_to_change()
    changes = {
        "name": name,
        "type": entity_type.value if entity_type else None,
        "description": description,
    }
    change = edit_entity(
        datafile.doc, entity_id, changes, alias or [], remove_alias or [], _split(clear)
    )
    datafile.save(change.doc)
    _changed(change, datafile, fmt)


@remove_app.command("relation")
@handle_errors
def remove_relation_command(
    relation_id: Annotated[str, typer.Argument(help="The relation's id.", metavar="ID")],
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove a relation (do not reuse its id: exports may cite it)."""
    from .curate.edit import remove_relation

    datafile = _file_to_change()
    change = remove_relation(datafile.doc, relation_id)
    datafile.save(change.doc)
    _changed(change, datafile, fmt)


@remove_app.command("entity")
@handle_errors
def remove_entity_command(
    entity_id: Annotated[
        str,
        typer.Argument(
            help="The entity's id (or name).", metavar="ID", autocompletion=_complete_name
        ),
    ],
    with_relations: Annotated[
        bool, typer.Option("--with-relations", help="Also remove the relations that use it.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove an entity; refused while relations use it, unless --with-relations."""
    from .curate.edit import remove_entity

    datafile = _file_to_change()
    change = remove_entity(datafile.doc, entity_id, with_relations)
    datafile.save(change.doc)
    _changed(change, datafile, fmt)


@app.command("extract")
@handle_errors
def extract_command(
    article: Annotated[
        Path, typer.Argument(help="The article's text (UTF-8).", metavar="ARTICLE.txt")
    ],
    source: Annotated[
        str,
        typer.Option(
            "--source", metavar="ID", help="The source it is (its publication date dates it)."
        ),
    ],
    compare: Annotated[
        bool,
        typer.Option(
            "--score",
            help="Compare with the relations in the data: recall and precision, on stderr.",
        ),
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Candidate relations from an article, each with its sentence and the command that
    adds it: sentences naming two known entities around a word of the vocabulary."""
    from .curate.document import read_text
    from .curate.edit import did_you_mean
    from .curate.extract import command_line, extract, score
    from .load import read_documents, resolve_data_path
    from .model import RECORDS
    from .render import to_json, write_csv

    documents = read_documents(resolve_data_path(state.data))
    records = {kind: [r for _, d in documents for r in d.get(kind, [])] for kind in RECORDS}
    sources = {s["id"]: s for s in records["sources"]}
    if source not in sources:
        raise DataError(
            [
                f"unknown source '{source}'{did_you_mean(source, sources)}: add it first "
                "with 'diplograph add source'"
            ]
        )
    text = read_text(article)
    candidates = extract(
        text,
        records["entities"],
        records["relation_types"],
        sources[source]["published"],
        records["relations"],
    )
    rows = [{**c.row(), "command": command_line(c, source, state.data)} for c in candidates]
    if fmt is Format.json:
        sys.stdout.write(to_json(rows) + "\n")
    elif fmt is Format.csv:
        write_csv(rows, sys.stdout)
    else:
        out = _Output()
        labels = {t["id"]: t.get("label", t["id"]) for t in records["relation_types"]}
        if not rows:
            out.print("[dim]no candidates[/dim]")
        for n, row in enumerate(rows, 1):
            when = f" · {row['date']}" + (f" ({row['date_text']})" if row["date_text"] else "")
            where = f" · at {row['place']}" if row["place"] else ""
            known = f" · already {row['known']}" if row["known"] else " · new"
            label = labels.get(row["type"], row["type"])
            head = f"{n}. {row['source_name']} {label} {row['target_name']} ({row['type']})"
            sure = f" · {row['certainty']}"
            out.print(
                f"{head}{when if row['date'] else ''}{where}{sure}{known}\n"
                f"   “{row['quote']}”\n   {row['command']}",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
    if compare:
        types = {t["id"]: t for t in records["relation_types"]}
        found = score(candidates, records["relations"], types)
        _note(
            f"{found['proposals']} facts proposed, {found['found']} of them among the "
            f"{found['relations']} in the data: recall {found['recall']:.2f}, "
            f"precision {found['precision']:.2f}"
        )

"""The diplograph command line: the Typer app, its root options, and the entry point.

Commands live in one module per group (``queries``, ``exporting``, ``validate``) and are
registered here; each parses its options, asks its question of the store through
``Env.answer`` and renders the rows (``render``). Errors from the library become one
``Error: ...`` line per problem on stderr and exit code 1 (2 for usage errors); add
``--debug`` for the traceback.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import sys
from typing import Annotated, Any

import typer

from .. import __version__
from . import changing, curation, exporting, extracting, importing, listing, queries, validate
from .env import Env
from .patches import Group, end, failure, on_bus_error, one_command, plain_help

app = typer.Typer(
    name="diplograph",
    cls=Group,
    help="Explore a knowledge graph of diplomacy: who met whom, who released whom, "
    "who sanctions whom, and how two actors are connected, with the sentence each fact "
    "came from.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"diplograph {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data: Annotated[
        list[str] | None,
        typer.Option(
            "--data",
            "-d",
            metavar="PATH",
            help="Data file, or folder of JSON files to merge (given once). Default: "
            "$DIPLOGRAPH_DATA, else the bundled dataset.",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Explore a knowledge graph of diplomacy."""
    if data and len(data) > 1:
        # one path is read ($DIPLOGRAPH_DATA is read the same way): never silently the last
        shown = ", ".join(repr(d) for d in data)
        typer.echo(
            f"Error: --data given {len(data)} times ({shown}): give one file, or put the "
            "files in one folder and give the folder (its JSON files are merged)",
            err=True,
        )
        raise typer.Exit(2)
    ctx.obj = Env(data[0] if data else None, debug)


#: Each command's one-line summary in ``diplograph --help`` (complete, never cut).
SUMMARIES = {
    "who-met": "Everyone who met NAME, by date, with the quote.",
    "who": "Who released, sanctions, escorted NAME: who RELATION NAME.",
    "path": "How two actors are connected, hop by hop.",
    "show": "An entity's card and relations, or one relation.",
    "neighbors": "The entities around NAME, up to N hops out.",
    "search": "Search names, descriptions and quotes.",
    "timeline": "What happened, in time order.",
    "stats": "Counts, hubs, brokers and components.",
    "list": "List entities or relations.",
    "export": "Write the graph for other tools.",
    "draw": "Draw the graph as SVG, PNG or HTML.",
    "validate": "Check the data and its quotes.",
    "import": "Bring in GDELT, ICEWS, CSV or graph files.",
    "init": "Start a new data file.",
    "add": "Add a source, entity, type or relation.",
    "edit": "Change an entity or a relation.",
    "remove": "Remove an entity or a relation.",
    "extract": "Propose relations from a source's text.",
}


def _command(name: str, function: Any, **options: Any) -> None:
    app.command(name, short_help=SUMMARIES[name], **options)(function)


_command("who-met", queries.who_met_command)
_command("who", queries.who_command)
_command("path", queries.path_command)
_command("show", queries.show_command)
_command("neighbors", queries.neighbors_command)
_command("search", queries.search_command)
_command("timeline", queries.timeline_command)
_command("stats", listing.stats_command)
app.add_typer(listing.list_app, name="list", short_help=SUMMARIES["list"])
_command("export", exporting.export_command, cls=exporting.ExportCommand)
_command("draw", exporting.draw_command)
_command("validate", validate.validate_command)
app.add_typer(importing.import_app, name="import", short_help=SUMMARIES["import"])
_command("init", curation.init_command)
app.add_typer(curation.add_app, name="add", short_help=SUMMARIES["add"])
app.add_typer(changing.edit_app, name="edit", short_help=SUMMARIES["edit"])
app.add_typer(changing.remove_app, name="remove", short_help=SUMMARIES["remove"])
_command("extract", extracting.extract_command)
listing.list_app.command("types")(curation.list_types_command)


plain_help(app)


class Interrupted(BaseException):
    """Ctrl-C. A BaseException of our own, so Click does not turn it into 'Aborted!'."""


def _interrupt(signum: int, frame: Any) -> None:
    raise Interrupted


class _Closed(io.TextIOBase):
    """Standard output or error when the process was started with it closed (``>&-``):
    writing to it fails as writing to a closed descriptor does."""

    encoding, errors = "utf-8", "strict"

    def __init__(self, name: str):
        self.name = name

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"standard {self.name} is closed")


def _standard_streams() -> None:
    """Make closed standard descriptors safe: each is opened on /dev/null (so no file
    diplograph opens later takes its number, and a stray write lands nowhere), and a
    closed stdout fails when written to (``_Closed``); with stderr closed, messages go
    to stdout, the stream that is left."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            with contextlib.suppress(OSError):
                opened = os.open(os.devnull, os.O_RDWR)
                if opened != fd:  # (a lower one was free too: it is opened in turn)
                    os.dup2(opened, fd)
    if sys.stdout is None:
        sys.stdout = _Closed("output")
    if sys.stderr is None:
        sys.stderr = sys.stdout if not isinstance(sys.stdout, _Closed) else _Closed("error")


def main() -> None:
    """Console-script entry point: quiet on a closed pipe, prompt on Ctrl-C, one line
    (never a traceback) when the output cannot be written or a mapped file shrinks."""
    import signal

    _standard_streams()
    on_bus_error()

    if hasattr(signal, "SIGPIPE"):
        # `diplograph ... | head -1`: end quietly, like other Unix tools (exit 141).
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    one_command()  # (the cycle collector off: see patches)
    try:
        app()
    except Interrupted:
        # Anything half-written has already been removed on the way out.
        sys.stderr.write("Interrupted\n")
        end(130)
    except SystemExit as done:
        end(done.code)
    except (OSError, UnicodeEncodeError) as exc:  # the output could not be written
        end(failure(exc))

"""What a command runs in: the data asked for, the output streams, errors for people.

``Env`` is made by the root command from the options before the command (``--data``,
``--debug``) and handed to each command through Typer's context (``Env.of(ctx)``);
tests make their own. It opens the data as a ``Store`` (``answer``), draws progress bars
on a terminal, and ``handle_errors`` turns library errors into one line on stderr.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from typing import IO, Any, TypeVar

import typer

from ..model.errors import DataError, DiplographError

T = TypeVar("T")

#: From this many relations, a pass over all of them (an export) shows a progress bar.
PROGRESS_MIN_RELATIONS = 100_000
#: Problems shown for invalid data before "... and N more" (validate shows them all).
MAX_PROBLEMS = 20


def Console(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 - rich's class, made lazily
    """``rich.console.Console``, imported only when something is drawn or reported; it
    never turns ``:name:`` codes in the data into emoji (quotes are shown as written)."""
    from rich.console import Console as RichConsole

    return RichConsole(*args, emoji=False, **kwargs)


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


def no_color() -> bool:
    """Whether $NO_COLOR asks for no colour (https://no-color.org: set and not empty)."""
    return bool(os.environ.get("NO_COLOR"))


class Output:
    """Where results go: ``file`` (stdout) for JSON and CSV, and ``print`` for tables and
    trees through a Rich console made on first use (so scripts never import rich).
    Piped output gets 120 columns (or $COLUMNS), never cropped, and no trailing spaces;
    with $NO_COLOR set, no styling at all (no bold, italic or dim either)."""

    def __init__(self, file: IO[str]) -> None:
        self.file = file
        self._console: Any = None
        self._piped = False

    @property
    def console(self) -> Any:
        """The Rich console tables are drawn on (measured against its width)."""
        if self._console is None:
            tty = self.file.isatty()
            width = None if tty or os.environ.get("COLUMNS") else 120
            plain = {"color_system": None} if no_color() else {}
            self._piped = not tty
            self._console = Console(file=self.file, width=width, **plain)
        return self._console

    def print(self, *things: Any, **options: Any) -> None:
        console = self.console
        if not self._piped:
            console.print(*things, **options)
            return
        with console.capture() as captured:
            console.print(*things, **options)
        text = captured.get()
        self.file.write("\n".join(line.rstrip() for line in text.split("\n")))


class Env:
    """One command's surroundings: the data path asked for (None: $DIPLOGRAPH_DATA or the
    bundled dataset), whether to show tracebacks, the output streams, and the progress
    bar of this run (on a terminal only)."""

    def __init__(
        self,
        data: str | None = None,
        debug: bool = False,
        stdout: IO[str] | None = None,
        stderr: IO[str] | None = None,
    ):
        self.data, self.debug = data, debug
        self.stdout = stdout if stdout is not None else sys.stdout
        self.stderr = stderr if stderr is not None else sys.stderr
        self.progress: LoadProgress | None = None
        self._output: Output | None = None

    @staticmethod
    def of(ctx: typer.Context) -> Env:
        """The Env of this run (made by the root command; a bare one in direct calls)."""
        root = ctx.find_root()
        if not isinstance(root.obj, Env):
            root.obj = Env()
        return root.obj

    @property
    def output(self) -> Output:
        """Results, on stdout."""
        if self._output is None:
            self._output = Output(self.stdout)
        return self._output

    def data_path(self):
        """The data this run reads (see ``files.locate.resolve_data_path``)."""
        from ..files.locate import resolve_data_path

        return resolve_data_path(self.data)

    def answer(self, question: Callable[[Any], T]) -> T:
        """``question(store)`` on the data (see ``store.cache.answer``), with a progress
        bar on a terminal while large data is read and indexed."""
        from ..store.cache import answer

        path = self.data_path()
        if not self.stderr.isatty():
            return answer(path, question)
        self.progress = LoadProgress(Console(file=self.stderr))
        try:
            return answer(path, question, self.progress)
        finally:
            self.progress.stop()

    def graph(self) -> Any:
        """The data as a library ``Graph`` (``api.graph``): what the query commands ask,
        with a progress bar on a terminal while large data is read and indexed."""
        from ..api.graph import Graph

        if not self.stderr.isatty():
            return Graph(self.data_path())
        self.progress = LoadProgress(Console(file=self.stderr))
        try:
            return Graph(self.data_path(), self.progress)
        finally:
            self.progress.stop()

    @contextlib.contextmanager
    def long_pass(self, graph: Any) -> Iterator[LoadProgress | None]:
        """The progress bar for a pass over every relation of ``graph`` (on a terminal,
        and only for many relations: a short pass would only flash one), cleared
        afterwards."""
        try:
            many = graph.number_of_edges() >= PROGRESS_MIN_RELATIONS
            yield self.progress if many else None
        finally:
            if self.progress is not None:
                self.progress.stop()

    def note(self, message: str) -> None:
        """A line for the person on stderr (what was written, and where)."""
        self.stderr.write(message + "\n")
        self.stderr.flush()

    def notes(self, *messages: str) -> None:
        """One "note: ..." line per message on stderr (things to know, not errors)."""
        self.stderr.write("".join(f"note: {message}\n" for message in messages))
        self.stderr.flush()

    def errors(self, *messages: str) -> None:
        """One "Error: ..." line per message on stderr, as written (plain text: a message
        may hold anything the data holds, and data with 100,000 problems prints them at
        once); control characters, newlines among them, are shown as escapes, so each
        message stays one line and nothing reaches the terminal raw."""
        from .render import visible

        lines = "".join(f"Error: {visible(message, newlines=False)}\n" for message in messages)
        self.stderr.write(lines)
        self.stderr.flush()


def handle_errors(command=None, *, all_problems: bool = False):
    """Turn library errors into 'Error: ...' lines on stderr and an exit code (the
    command's first parameter is the Typer context)."""

    def decorate(command):
        @wraps(command)
        def wrapper(ctx: typer.Context, *args: Any, **kwargs: Any) -> Any:
            env = Env.of(ctx)
            try:
                return command(ctx, *args, **kwargs)
            except DiplographError as exc:
                if env.debug:
                    raise
                problems = exc.problems if isinstance(exc, DataError) else [str(exc)]
                shown = problems if all_problems else problems[:MAX_PROBLEMS]
                env.errors(*shown)
                if len(problems) > len(shown):
                    env.errors(
                        f"... and {len(problems) - len(shown)} more problems "
                        "(diplograph validate lists them all)"
                    )
                raise typer.Exit(exc.exit_code) from None
            finally:
                if env.progress is not None:
                    env.progress.stop()

        return wrapper

    return decorate(command) if command is not None else decorate

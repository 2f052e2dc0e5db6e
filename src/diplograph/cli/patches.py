"""Everything the command line does past Typer's and Click's public API, and the settings
of a process that runs one command, in one module (each has its test in
``tests/test_patches.py``, so a Typer release that changes what they rely on fails there).

Typer vendors Click (``typer._click``, no ``click`` package) and is pinned below 0.29,
which builds a pydantic adapter per option at start-up. What is here, and why:

- ``Group``: the root command group (a ``TyperGroup`` subclass, given as ``cls=``). An
  unknown command that is a relation word gets the ``who`` line to type; a usage error
  gets a suggestion by meaning (``suggest``): an option spelt as elsewhere (``--from``:
  ``--since``), a misspelt choice (``--type organisation``: organization), a root option
  given after the command. Click has no hook for its messages, so the errors are caught
  where every command line passes (``parse_args``, ``invoke``) and their text extended.
- ``plain_help``: every option names its value with ``metavar=`` where it is declared,
  and every command gets its whole first sentence as ``short_help`` (public options:
  Click would cut it with "..."); Typer writes a required argument as ``{NAME}``
  whatever its ``metavar=``, and no option turns that off, so
  ``TyperArgument.make_metavar`` is wrapped to drop the braces.
- ``on_bus_error``: a C handler for SIGBUS (a mapped file cut short while read).
- ``one_command``: the cycle collector off and numpy's BLAS on one thread, for a process
  that runs one command and ends.
- ``end``: flush and ``os._exit``, without tearing the interpreter down.
"""

from __future__ import annotations

import ast
import contextlib
import errno
import gc
import inspect
import os
import re
import sys
from typing import Any

from typer.core import TyperArgument, TyperGroup

from .suggest import OPTION_MEANINGS, closest_choice, option_by_meaning, who_suggestion

# -- the root group: suggestions in Click's usage errors ----------------------------------

#: The start of Click's message for a value that is not one of the choices.
NOT_A_CHOICE = re.compile(r"""^('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*") is not one of """)


def _options(command: Any) -> set[str]:
    """The option names ``command`` takes (hidden aliases too: they work)."""
    return {name for p in command.params for name in (*p.opts, *p.secondary_opts)}


def better_usage_error(exc: Any) -> None:
    """Add a suggestion by meaning to a Click usage error, in place (see ``Group``)."""
    from typer._click.exceptions import BadParameter, NoSuchOption

    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, NoSuchOption) and ctx is not None:
        name = exc.option_name
        meant = option_by_meaning(name, _options(ctx.command))
        root = ctx.find_root()
        if meant is not None:
            exc.message, exc.possibilities = (
                f"No such option: {name} (did you mean '{meant}'?)",
                None,
            )
        elif root is not ctx and name in _options(root.command):
            exc.message = (
                f"No such option: {name} ({name} is an option of {root.info_name} itself: "
                f"give it before the command, '{root.info_name} {name} ...')"
            )
            exc.possibilities = None
        elif name.casefold() in OPTION_MEANINGS:
            exc.possibilities = None  # (a spelling alike would mislead: --from is no --format)
    elif isinstance(exc, BadParameter) and getattr(exc.param, "type", None) is not None:
        choices = getattr(exc.param.type, "choices", None)
        found = NOT_A_CHOICE.match(exc.message) if choices else None
        if found is None:
            return
        meant = closest_choice(ast.literal_eval(found.group(1)), [str(c) for c in choices])
        if meant is not None:
            exc.message = f"{exc.message.rstrip('.')} (did you mean '{meant}'?)"


class Group(TyperGroup):
    """The root command group: Click's usage errors with suggestions by meaning, and an
    unknown command that is a relation word answered with the ``who`` command line to
    type (exit 2); any other unknown command keeps Click's did-you-mean."""

    def resolve_command(self, ctx, args):  # type: ignore[override]
        from typer._click.exceptions import UsageError

        try:
            return super().resolve_command(ctx, args)
        except UsageError:
            if args and args[0] in self.commands:
                raise
            line = who_suggestion(args)
            if line is None:
                raise
            mark = '"' if "'" in line else "'"
            ctx.fail(f"no command '{args[0]}' (did you mean {mark}{line}{mark}?)")

    def parse_args(self, ctx, args):  # type: ignore[override]
        return _suggesting(super().parse_args, ctx, args)

    def invoke(self, ctx):  # type: ignore[override]
        return _suggesting(super().invoke, ctx)


def _suggesting(call: Any, *args: Any) -> Any:
    from typer._click.exceptions import UsageError

    try:
        return call(*args)
    except UsageError as exc:
        better_usage_error(exc)
        raise


# -- help that reads as written ------------------------------------------------------------


def summary(help_text: str) -> str:
    """A command's one-line summary: the first sentence of its help's first paragraph,
    whole (Click's own cuts it at 45 characters with "...")."""
    text = inspect.cleandoc(help_text or "").split("\n\n", 1)[0].replace("\n", " ")
    first, dot, _ = text.partition(". ")
    return (first + "." if dot else text).strip()


def plain_help(app: Any) -> None:
    """Help that reads as written. Public options do most of it: every option names its
    value with ``metavar=`` (``--title TITLE``, ``--limit N``, ``--type a|b|c``: a test
    says none lacks one), and every command of ``app`` without a ``short_help`` gets the
    whole first sentence of its help as one (Typer's command records, before the Click
    commands are made). One thing has no option: Typer writes a required argument as
    ``{NAME}`` in usage lines whatever its metavar, so ``TyperArgument.make_metavar``
    is wrapped to drop the braces. Idempotent."""

    def summarise(typer_app: Any) -> None:
        for info in typer_app.registered_commands:
            if not info.short_help:
                info.short_help = summary(info.help or info.callback.__doc__ or "")
        for group in typer_app.registered_groups:
            summarise(group.typer_instance)

    summarise(app)
    if getattr(TyperArgument.make_metavar, "plain", False):
        return
    argument_metavar = TyperArgument.make_metavar

    def plain_argument(self, ctx, *args, **kwargs):
        text = argument_metavar(self, ctx, *args, **kwargs)
        return text[1:-1] if text.startswith("{") and text.endswith("}") else text

    plain_argument.plain = True  # type: ignore[attr-defined]
    TyperArgument.make_metavar = plain_argument  # type: ignore[method-assign]


# -- the process ---------------------------------------------------------------------------

#: Kept alive for as long as the process runs: the SIGBUS handler (``on_bus_error``).
_BUS_HANDLER: Any = None


def on_bus_error() -> None:
    """Say why and exit 1 on SIGBUS: a file mapped into memory (a large data file, the
    cache) was cut short by another program while it was read. A Python signal handler
    cannot do it (it runs only after the faulting access, which faults again), so the
    handler is a C callback that writes the line and ends the process at once."""
    global _BUS_HANDLER
    import ctypes
    import signal

    if not hasattr(signal, "SIGBUS"):
        return
    message = b"Error: data changed while it was read; run again\n"

    def handler(signum: int) -> None:
        os.write(2, message)
        os._exit(1)

    try:
        kind = ctypes.CFUNCTYPE(None, ctypes.c_int)
        libc = ctypes.CDLL(None, use_errno=True)
        libc.signal.restype = ctypes.c_void_p
        libc.signal.argtypes = [ctypes.c_int, kind]
        _BUS_HANDLER = kind(handler)
        libc.signal(signal.SIGBUS, _BUS_HANDLER)
    except (OSError, AttributeError):
        return


def one_command() -> None:
    """Settings for a process that runs one command and ends (the console script only;
    the library and tests keep Python's defaults)."""
    # numpy (imported to index large data) would start an OpenBLAS thread per core by
    # default: nothing here multiplies matrices, and those threads take turns from the
    # two processes that index (0.1-0.2 s of a first query at a million relations)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # What the command makes is freed by reference counting, and the cycle collector
    # would only walk its rows again and again (a list of 300k relations: 30 s with it,
    # 16 s without)
    gc.disable()


#: Errors that mean the output could not be written (a full disk, a closed stream).
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EBADF, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EPIPE}


def failure(exc: BaseException) -> int:
    """Say on stderr (if it can) why the output could not be written: exit code 1."""
    if isinstance(exc, UnicodeEncodeError):
        encoding = getattr(sys.stdout, "encoding", None) or exc.encoding
        message = (
            f"cannot write the output in the {encoding} encoding (it holds "
            f"{exc.object[exc.start : exc.end]!a}); set PYTHONIOENCODING=utf-8"
        )
    elif isinstance(exc, OSError) and exc.errno in _OUTPUT_ERRNOS:
        message = f"cannot write the output: {exc.strerror or exc}"
    else:
        message = f"{type(exc).__name__}: {exc}"
    with contextlib.suppress(Exception):
        sys.stderr.write(f"Error: {message}\n")
        sys.stderr.flush()
    return 1


def end(code: object) -> None:
    """Flush the output and end the process without tearing down the interpreter: every
    file diplograph writes is closed by then, and freeing a large query's objects one
    by one only delays the prompt (a tenth of a second for a few thousand rows)."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # a message, as sys.exit("...") would print it
        with contextlib.suppress(Exception):
            sys.stderr.write(f"{code}\n")
        status = 1
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass  # the reader went away (SIGPIPE is the default, so this is rare)
    except (OSError, ValueError, UnicodeEncodeError) as exc:  # (what was left to write)
        status = failure(exc) if status == 0 else status
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    os._exit(status)

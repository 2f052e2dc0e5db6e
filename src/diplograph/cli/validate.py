"""The validate command: every problem in the data, and quotes against their sources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..model.errors import DataError, UsageError
from .env import Env, handle_errors
from .options import Format, FormatOpt


@handle_errors(all_problems=True)
def validate_command(
    ctx: typer.Context,
    source_text: Annotated[
        list[str] | None,
        typer.Option(
            help="SOURCE_ID=FILE: check that every quote citing SOURCE_ID occurs "
            "verbatim in FILE (repeatable; instead of the source's own text file). FILE "
            "alone: the text of the data's one source.",
            metavar="SOURCE_ID=FILE",
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check the data: every problem, each with its file and place; quotes against sources.

    Quotes are checked against each source's own text file (its "text" field) when it is
    there; the sources that could not be checked are named, with why. With --format json
    or csv, the problems are rows {file, line, id, where, problem} on stdout (none: an
    empty JSON array, a CSV header only), and the exit code still says whether the data
    passed. A problem with a record names its id and the line it starts on."""
    from ..check.files import placed, placed_text
    from .render import emit

    env = Env.of(ctx)
    try:
        _validate(ctx, source_text, quiet=fmt is not Format.table)
        problems: list[str] = []
    except DataError as exc:
        problems = exc.problems
    if not problems and fmt is Format.table:
        return
    rows = placed(problems)  # each placed by its record's id and line
    if fmt is Format.table:
        said = [
            placed_text(row) if row["id"] is not None else message
            for row, message in zip(rows, problems, strict=True)
        ]
        raise DataError(said)
    if fmt is Format.csv and not rows:
        env.stdout.write("file,line,id,where,problem\n")
    else:
        emit(rows, fmt.value, env.output, [])
    if problems:
        raise typer.Exit(1)


def _validate(ctx: typer.Context, source_text: list[str] | None, quiet: bool = False) -> None:
    """Check the data; raise DataError with every problem; say what passed (and which
    sources' quotes could not be checked) unless ``quiet``."""
    from ..check.files import relation_evidence
    from ..files.locate import data_files, with_vocabulary
    from ..model.records import Quotes

    given: list[tuple[str | None, str, str]] = []  # (source id, or None: the one; file; text)
    for item in source_text or []:
        source_id, sep, file = item.partition("=")
        if not sep:  # FILE alone: the text of the data's one source
            source_id, file = "", item
            if not Path(file).is_file():
                raise UsageError(
                    f"--source-text takes SOURCE_ID=FILE (or FILE), got '{item}' (no such file)"
                )
        if (sep and not source_id) or not file:
            raise UsageError(f"--source-text takes SOURCE_ID=FILE (or FILE), got '{item}'")
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError([f"{file}: cannot read source text ({exc})"]) from None
        given.append((source_id or None, file, text))
    env = Env.of(ctx)
    files = with_vocabulary(data_files(env.data_path()))
    # the same checks as every command's first read (which lists every problem when
    # there is one); large data that passed is cached, so checking it again is instant
    entities, relations, sources = env.answer(
        lambda graph: (graph.number_of_nodes(), graph.number_of_edges(), graph.graph["sources"])
    )
    texts = {_source_for(source_id, file, sources): text for source_id, file, text in given}
    checked = 0
    stored, unchecked = _stored_texts(files, texts)  # each source's own text file
    texts.update(stored)
    if texts:  # then each quote against its source's text, a slice of relations at a time
        quotes = Quotes(texts, sources)
        for filename, i, evidence in relation_evidence(files):
            quotes.relation(filename, i, evidence)
        if quotes.problems:
            if not quiet:
                env.notes(*unchecked)
            raise DataError(quotes.problems)
        checked = quotes.checked
    count = len(files)
    message = (
        f"ok: {count} file{'s' if count != 1 else ''}, {entities} entities, {relations} relations"
    )
    if texts:
        message += f"; {checked} quotes found verbatim in {', '.join(sorted(texts))}"
    if not quiet:
        typer.echo(message)
        env.notes(*unchecked)


def _source_for(source_id: str | None, file: str, sources: dict[str, dict]) -> str:
    """The source a ``--source-text`` file is the text of: the one named, else the data's
    only source (a UsageError naming them when there are several)."""
    if source_id is not None:
        return source_id
    ids = list(sources)
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise UsageError(f"--source-text {file}: the data has no sources")
    shown = ", ".join(ids[:MAX_UNCHECKED]) + (
        f" and {len(ids) - MAX_UNCHECKED} more" if len(ids) > MAX_UNCHECKED else ""
    )
    raise UsageError(
        f"--source-text {file}: the data has {len(ids)} sources ({shown}); "
        f"say which with SOURCE_ID={file}"
    )


#: Sources named one by one when their quotes could not be checked (then "... and N more").
MAX_UNCHECKED = 10


def _stored_texts(files: list[Path], given: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The sources' own text files (those not given with --source-text), and one line
    per source, or group of sources, whose quotes cannot be checked, saying why."""
    from ..curate.document import source_texts

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

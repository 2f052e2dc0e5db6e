"""Rows -> Rich table, JSON or CSV. One mechanism for every command.

JSON is an array of the row objects (a missing date or place is null); CSV has the same
keys as columns, with lists and objects (evidence, aliases) written as JSON text so
nothing is lost. Tables show the first rows (``limit``) and say how many more there are;
they never drop a column or cut a word: where the columns cannot fit side by side
(a narrow terminal), each row is shown as a record, one field per line.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any

import msgspec

from ..model import dates

if TYPE_CHECKING:  # rich is imported when a table or tree is drawn (CSV and JSON: never)
    from rich.console import Console
    from rich.table import Table


_rich_escape: Callable[[str], str] | None = None


#: The most characters of one text a table or tree shows (JSON and CSV keep them all):
#: Rich lays out a cell in time that grows faster than its length.
MAX_CELL = 2_000


def escape(text: str) -> str:
    """``rich.markup.escape`` (imported on first use: it brings in most of rich) of
    ``text`` cut to MAX_CELL characters, saying how many more there are, with any
    control character shown as an escape, never sent to the terminal."""
    global _rich_escape
    if _rich_escape is None:
        from rich.markup import escape as found

        _rich_escape = found
    if len(text) > MAX_CELL:
        more = len(text) - MAX_CELL
        text = f"{text[:MAX_CELL]}… [{more:,} more characters: --format json shows all]"
    return _rich_escape(visible(text))


_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def visible(text: str, newlines: bool = True) -> str:
    """``text`` with control characters (C0, DEL, C1) written as escapes (``\\x9b``);
    newlines are kept unless ``newlines`` is False."""
    pattern = _CONTROL if newlines else _ANY_CONTROL
    return pattern.sub(_escaped, text) if pattern.search(text) else text


_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _escaped(found: re.Match) -> str:
    char = found.group()
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{ord(char):02x}")


FORMATS = ("table", "json", "csv")
Cell = Callable[[dict], str]


#: Evidence items a table row shows before "... and N more" (JSON and CSV keep all).
MAX_EVIDENCE_SHOWN = 3


def evidence_line(ev: dict) -> str:
    """'“quote” (source)', or for a machine-coded fact without a quote, where it is."""
    where = ", ".join(escape(ev[k]) for k in ("locator", "url") if ev.get(k))
    if "quote" not in ev:
        return f"{where} [dim]({escape(ev['source'])})[/dim]"
    line = f"“{escape(ev['quote'])}” [dim]({escape(ev['source'])})[/dim]"
    return f"{line}\n[dim]{where}[/dim]" if where else line


def evidence_text(row: dict) -> str:
    """Evidence as '“quote” (source)' lines, the first MAX_EVIDENCE_SHOWN of them."""
    evidence = row["evidence"]
    lines = [evidence_line(ev) for ev in evidence[:MAX_EVIDENCE_SHOWN]]
    if len(evidence) > MAX_EVIDENCE_SHOWN:
        lines.append(f"[dim]… and {len(evidence) - MAX_EVIDENCE_SHOWN} more[/dim]")
    return "\n".join(lines)


def date_cell(row: dict) -> str:
    """The date as written (EDTF), with the source's words or a reading underneath."""
    when = row.get("date", "")
    if not when:
        words = row.get("date_text", "")
        return f"[dim]{escape(words)}[/dim]" if words else "—"
    words = row.get("date_text") or dates.describe(when)
    return f"{escape(when)}\n[dim]{escape(words)}[/dim]" if words != when else escape(when)


def certainty_cell(row: dict) -> str:
    """Certainty, naming who reported a reported claim."""
    level = row["certainty"]
    style = {
        "stated": "green",
        "reported": "cyan",
        "hedged": "yellow",
        "hypothetical": "magenta",
        "coded": "blue",
    }.get(level, "")
    by = f"\n[dim]by {escape(row['reported_by'])}[/dim]" if row.get("reported_by") else ""
    return f"[{style}]{level}[/{style}]{by}" if style else level + by


def plain(key: str) -> Cell:
    """A cell showing one field as text (nothing for a missing one)."""

    def cell(row: dict) -> str:
        value = row.get(key)
        return "" if value is None else escape(str(value))

    return cell


def hop_cell(row: dict) -> str:
    """A relation read in its true direction: 'Keith Kellogg met Alexander Lukashenko'."""
    return (
        f"[bold]{escape(row['from_name'])}[/bold] {escape(row['relation'])} "
        f"[bold]{escape(row['to_name'])}[/bold]"
    )


Columns = Sequence[tuple[str, Cell]]


def when_where_cell(row: dict) -> str:
    """Date (as written, then in words) and, on the last line, the place."""
    when = date_cell(row)
    return f"{when}\n[italic]{escape(row['place'])}[/italic]" if row.get("place") else when


RELATION_COLUMNS: Columns = (
    ("when, where", when_where_cell),
    ("certainty", certainty_cell),
    ("evidence", evidence_text),
)
# Column layout: short columns keep their words whole; Rich shrinks the long ones.
_LAYOUT = {
    "#": {"no_wrap": True},
    "dist": {"no_wrap": True},
    "score": {"no_wrap": True},
    "when, where": {"min_width": 10},
    "certainty": {"min_width": 9},
    "evidence": {"min_width": 20},
}


def to_json(value: Any) -> str:
    """Pretty JSON, non-ASCII kept as is."""
    return json.dumps(value, ensure_ascii=False, indent=2)


def write_json(value: Any, out: IO[str]) -> None:
    """``value`` as pretty JSON on ``out``, non-ASCII kept as is; where ``out``'s encoding
    cannot hold it (``PYTHONIOENCODING=ascii``), as ``\\u`` escapes: the same JSON to any
    reader, nothing lost."""
    text = to_json(value)
    encoding = getattr(out, "encoding", None) or "utf-8"
    if not encoding.lower().replace("-", "").startswith("utf"):
        try:
            text.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            text = json.dumps(value, ensure_ascii=True, indent=2)
    out.write(text + "\n")


def _union_keys(first: list[str], groups: Any) -> list[str]:
    """``first``, then every other key of the rows, in order of first appearance."""
    rows = itertools.chain.from_iterable(groups)
    return list(dict.fromkeys(itertools.chain(first, itertools.chain.from_iterable(rows))))


def write_csv(rows: list[dict], out: IO[str], keys: list[str] | None = None) -> None:
    """Rows as CSV: header from the rows' keys; lists/objects as compact JSON text."""
    if not rows:
        return
    text = io.StringIO()  # written to ``out`` in one piece
    writer = csv.writer(text, lineterminator="\n")
    keys = keys or _union_keys([], [rows])
    writer.writerow(keys)
    encode = msgspec.json.Encoder().encode  # compact JSON, UTF-8 as is
    structured = (list, dict)
    writer.writerows(  # a missing or None value is an empty cell
        [encode(v).decode() if v.__class__ in structured else v for v in map(row.get, keys)]
        for row in rows
    )
    out.write(text.getvalue())


def frame(
    columns: Columns,
    title: str | None = None,
    lines: bool = True,
    cells: list[list[str]] | None = None,
) -> Table:
    """An empty Rich table with the columns of ``table`` (the same widths and folding)."""
    from rich.cells import cell_len
    from rich.table import Table

    result = Table(
        title=None if title is None else escape(title),
        show_lines=lines,
        title_justify="left",
        expand=False,
        show_edge=False,
    )
    longest = [cell_len(w) for w in longest_words(cells)] if cells else []
    for n, (header, _) in enumerate(columns):
        layout = dict(_LAYOUT.get(header, {"min_width": 12}))
        if n < len(longest) and "min_width" in layout:
            layout["min_width"] = max(layout["min_width"], longest[n])
        result.add_column(header, overflow="fold", **layout)
    return result


def table(
    rows: list[dict],
    columns: Columns,
    title: str | None = None,
    lines: bool = True,
    cells: list[list[str]] | None = None,
) -> Table:
    """A Rich table of rows; every column folds instead of truncating. The title is
    plain text (it holds names from the data). Given the rows' plain ``cells``, each
    column is at least as wide as its longest word (so Rich wraps between words)."""
    result = frame(columns, title, lines, cells)
    for row in rows:
        result.add_row(*(cell(row) for _, cell in columns))
    return result


def longest_words(cells: list[list[str]]) -> list[str]:
    """Each column's longest word (in terminal cells) in the rows' plain ``cells``."""
    from rich.cells import cell_len

    return [
        max((w for c in column for w in c.split()), key=cell_len, default="")
        for column in zip(*cells, strict=True)
    ]


def fits(console: Console, shown: Table) -> bool:
    """Whether ``shown`` fits the console's width without cutting a word (each column at
    least as wide as its longest word)."""
    from rich.measure import Measurement

    rich_console = getattr(console, "console", console)  # an Output: its Rich console
    options = rich_console.options.update_width(1_000_000)  # unclamped: what it needs
    return Measurement.get(rich_console, options, shown).minimum <= rich_console.width


def probe(shown: Table, columns: Columns, cells: list[list[str]]) -> Table:
    """A one-row table as wide at least as ``shown`` needs: its columns as ``frame``
    makes them, its row each column's longest word. A column needs no more than its
    longest word (or its header's), so ``fits`` measures this in no time where
    measuring every cell of a long answer costs seconds."""
    from rich.text import Text

    small = frame(columns, None, shown.show_lines, cells)
    small.add_row(*(Text(word) for word in longest_words(cells)))
    return small


def _words(text: str) -> list[str]:
    return text.split()


def drawn_whole(lines: list[str], columns: list[list[str]]) -> bool:
    """Whether the plain ``lines`` of a drawn table (no outer edge, a header rule of
    ``━``) show every cell of ``columns`` (each column's cells' plain text, top to
    bottom) whole: read down each column, the words are exactly the cells' words, so
    a dropped character, a cropped line or a word cut across two lines all fail."""
    try:
        start = next(n for n, line in enumerate(lines) if "━" in line) + 1
    except StopIteration:
        return False
    found: list[list[str]] = [[] for _ in columns]
    for line in lines[start:]:
        if not line.strip() or set(line.strip()) <= set("─┼━╇"):
            continue  # a rule between rows
        parts = line.split("│")
        if len(parts) != len(columns):
            return False  # a "│" in the text, or a line that is not a table row
        for words, part in zip(found, parts, strict=True):
            words.extend(_words(part))
    return all(
        words == [w for cell in cells for w in _words(cell)]
        for words, cells in zip(found, columns, strict=True)
    )


def whole_table(
    console: Console, shown: Table, cells: list[list[str]], measure: Table | None = None
) -> Any | None:
    """``shown`` drawn at the console's width, as a renderable, if every cell of it
    (``cells``: each row's cells as plain text) is shown whole; None if a word would be
    cut or a character lost (then the caller shows records). ``measure``: a table as
    wide as ``shown`` needs (``probe``), measured first instead of ``shown``."""
    if not fits(console, shown if measure is None else measure):
        return None
    from rich.segment import Segment, SegmentLines

    rich_console = getattr(console, "console", console)
    lines = rich_console.render_lines(shown, rich_console.options, pad=False, new_lines=False)
    text = ["".join(segment.text for segment in line) for line in lines]
    if any(Segment.get_line_length(line) > rich_console.width for line in lines):
        return None
    columns = [list(column) for column in zip(*cells, strict=True)] if cells else []
    return SegmentLines(lines, new_lines=True) if drawn_whole(text, columns) else None


def _plain_cells(rows: list[dict], columns: Columns) -> list[list[str]]:
    from rich.text import Text

    return [[Text.from_markup(cell(row), emoji=False).plain for _, cell in columns] for row in rows]


def show_rows(console: Console, rows: list[dict], columns: Columns, title: str | None) -> Any:
    """Rows as a table where every cell shows whole at the console's width, else as
    records (one field per line): a table never drops a character or cuts a word."""
    cells = _plain_cells(rows, columns)
    shown = table(rows, columns, title, cells=cells)
    whole = whole_table(console, shown, cells, probe(shown, columns, cells) if cells else None)
    return whole if whole is not None else records(rows, columns, title)


def records(rows: list[dict], columns: Columns, title: str | None = None) -> Any:
    """Rows as records, one field per line ("header: value"), a blank line between rows:
    what a table becomes on a terminal too narrow for its columns."""
    from rich.console import Group
    from rich.text import Text

    parts: list[Any] = [] if title is None else [Text(title, style="bold")]
    for n, row in enumerate(rows):
        if n or title is not None:
            parts.append(Text(""))
        for header, cell in columns:
            value = Text.from_markup(cell(row), emoji=False)
            lines = value.split("\n")
            head = Text(f"{header}: ", style="bold")
            parts.append(Text.assemble(head, lines[0]))
            parts.extend(Text.assemble("  ", line) for line in lines[1:])
    return Group(*parts)


def more_note(shown: int, total: int) -> str:
    """The footer of a table cut at ``shown`` rows of ``total``."""
    more = total - shown
    return (
        f"... {more:,} more row{'s' if more != 1 else ''} not shown ({total:,} in all): "
        "--limit 0 shows them all, --format csv writes them all for a spreadsheet"
    )


def emit(
    rows: list[dict],
    fmt: str,
    console: Console,
    columns: Columns,
    title: str | None = None,
    empty: str = "nothing found",
    limit: int = 0,
    note: str | None = None,
    total: int | None = None,
) -> None:
    """Print rows in the chosen format (table, json, csv) to the console's file: the
    first ``limit`` of them (0: all; a table then says how many more there are, of
    ``total`` when the rows are only the first ones of an answer), and ``note`` (on a
    table, a line under it; for scripts, on stderr)."""
    shown = rows[:limit] if limit else rows
    total = len(rows) if total is None else total
    if fmt == "json":
        write_json(shown, console.file)
    elif fmt == "csv":
        write_csv(shown, console.file)
    elif shown:
        console.print(show_rows(console, shown, columns, title))
        if len(shown) < total:
            console.print(f"[dim]{escape(more_note(len(shown), total))}[/dim]")
    else:
        console.print(f"[dim]{escape(empty)}[/dim]")
    if note and fmt == "table":
        console.print(f"[dim]{escape(note)}[/dim]")


def emit_parts(
    parts: Sequence[tuple[str, str | None, list[dict]]],
    fmt: str,
    console: Console,
    columns: Columns,
    empty: str = "nothing found",
    limit: int = 0,
    note: str | None = None,
) -> None:
    """One answer in labelled parts, in order (``timeline``: dated within the window,
    then the spans overlapping it), each part ``(title, empty text, rows)``. JSON and
    CSV are every part's rows in order (a row says its part: ``in_window``); a table
    draws each part under its title, the first ``limit`` rows in all, and a part with
    no rows says its empty text (None: says nothing)."""
    rows = [row for _, _, part in parts for row in part]
    if fmt != "table" or not rows:
        emit(rows, fmt, console, columns, empty=empty, limit=limit, note=note)
        return
    left, printed = limit or len(rows), False
    for title, nothing, part in parts:
        shown = part[:left]
        left -= len(shown)
        if shown or (not part and nothing):
            if printed:
                console.print()  # a blank line between parts
            printed = True
        if shown:
            console.print(show_rows(console, shown, columns, title))
        elif not part and nothing:
            console.print(f"[dim]{escape(nothing)}[/dim]")
    if limit and limit < len(rows):
        console.print(f"[dim]{escape(more_note(limit, len(rows)))}[/dim]")
    if note:
        console.print(f"[dim]{escape(note)}[/dim]")


def emit_record(
    record: dict, rows: list[dict], fmt: str, console: Console, picture: Callable[[], Any]
) -> None:
    """One record with parts (``show``'s card): JSON is the record itself, CSV its
    ``rows`` (one per relation), a table the Rich renderable ``picture()`` makes."""
    if fmt == "json":
        write_json(record, console.file)
    elif fmt == "csv":
        write_csv(rows, console.file)
    else:
        console.print(picture())


def emit_sections(sections: dict[str, list[dict]], fmt: str, console: Console) -> None:
    """Several named tables (stats): JSON object of arrays, CSV with a 'section' column.
    A list in a cell (a component's members) shows its first 8 items in a table."""
    if fmt == "json":
        write_json(sections, console.file)
        return
    if fmt == "csv":
        write_csv(
            [{"section": name, **row} for name, rows in sections.items() for row in rows],
            console.file,
            keys=_union_keys(["section"], sections.values()),
        )
        return
    for name, rows in sections.items():
        if not rows:
            continue
        headers = list(rows[0])
        title = name.replace("_", " ").capitalize()
        columns = [(h, _listed(h)) for h in headers]
        cells = _plain_cells(rows, columns)
        shown = table(rows, columns, title, lines=False, cells=cells)
        whole = whole_table(console, shown, cells, probe(shown, columns, cells))
        console.print(whole if whole is not None else records(rows, columns, title))


#: Between the items of a list in a table cell: names hold commas ("Accra, Greater
#: Accra, Ghana"), so items are set apart by a middle dot (one per line when an item
#: holds one).
LIST_SEPARATOR = " · "


def _listed(key: str, first: int = 8) -> Cell:
    """A cell showing one field; a list as its first items and how many more."""

    def cell(row: dict) -> str:
        value = row.get(key)
        if not isinstance(value, list):
            return escape("" if value is None else str(value))
        more = len(value) - first
        items = list(map(str, value[:first]))
        apart = "\n" if any(LIST_SEPARATOR.strip() in item for item in items) else LIST_SEPARATOR
        text = apart.join(items)
        return escape(text + (f"{apart}(and {more:,} more)" if more > 0 else ""))

    return cell

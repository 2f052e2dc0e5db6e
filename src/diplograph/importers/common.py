"""What every importer shares besides the merge (``collector``) and the CAMEO table
(``cameo``): the report, reading rows with their line numbers and a progress count,
the tab-separated dialect of raw exports, checking the output early, ids from names."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from ..model.errors import DataError, UsageError

Progress = Callable[..., None]  # progress(step, done=None, total=None, unit="")
#: Rows between progress reports.
PROGRESS_ROWS = 20_000


class Tabs(csv.Dialect):
    """Tab-separated, no quoting: the raw exports of GDELT and ICEWS (a quote is a letter)."""

    delimiter = "\t"
    quoting = csv.QUOTE_NONE
    lineterminator = "\n"
    skipinitialspace = False
    strict = False


_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(text: str, fallback: str = "x") -> str:
    """A lowercase id made of ``text``'s letters and digits ("Kim Jong-Un" -> kim-jong-un)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    found = _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")
    return found[:80].strip("-") or fallback


@dataclass
class Report:
    """What an import did: rows read, kept, merged and skipped (with why)."""

    files: list[str] = field(default_factory=list)
    rows: int = 0
    kept: int = 0  # rows that made a relation of their own
    merged: int = 0  # rows that became one more piece of evidence of a relation
    merged_reverse: int = 0  # of those: coded the other way round (B->A into A->B)
    skipped: Counter = field(default_factory=Counter)
    entities: int = 0
    entities_merged: int = 0  # entities found to be one by a shared identifier
    relations: int = 0
    output: str = ""
    notes: list[str] = field(default_factory=list)

    def skip(self, why: str) -> None:
        self.skipped[why] += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "output": self.output,
            "rows": self.rows,
            "kept": self.kept,
            "merged": self.merged,
            "merged_reverse": self.merged_reverse,
            "skipped": sum(self.skipped.values()),
            "skipped_why": dict(self.skipped.most_common()),
            "entities": self.entities,
            "entities_merged": self.entities_merged,
            "relations": self.relations,
            "notes": self.notes,
        }

    def lines(self) -> list[str]:
        """The report as lines of text (for stderr)."""
        skipped = sum(self.skipped.values())
        out = [
            f"read {self.rows:,} rows: {self.kept:,} kept, {self.merged:,} merged into "
            f"another row's relation ({self.merged_reverse:,} of them coded the other way "
            f"round), {skipped:,} skipped",
        ]
        out += [f"  skipped {n:,}: {why}" for why, n in self.skipped.most_common()]
        merged = f" ({self.entities_merged:,} merged by identifier)" if self.entities_merged else ""
        out.append(
            f"wrote {self.output}: {self.entities:,} entities{merged}, {self.relations:,} relations"
        )
        out += self.notes
        return out


class _Counting(io.RawIOBase):
    """A binary file that counts the bytes read from it (for a progress bar)."""

    def __init__(self, raw: BinaryIO):
        self.raw, self.count = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)
        self.count += n or 0
        return n or 0


@contextlib.contextmanager
def open_text(path: Path) -> Iterator[tuple[IO[str], Callable[[], int], int]]:
    """(text file, bytes read so far, size) for ``path``; errors name the file."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except IsADirectoryError:
        raise DataError([f"{path}: is a folder, expected a file"]) from None
    except OSError as exc:
        reason = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise DataError([f"{path}: cannot read ({reason})"]) from None
    counting = _Counting(raw)
    text = io.TextIOWrapper(
        io.BufferedReader(counting, 1 << 20), encoding="utf-8-sig", errors="replace", newline=""
    )
    try:
        yield text, lambda: counting.count, os.fstat(raw.fileno()).st_size
    finally:
        raw.close()


def checked_rows(reader: Any, path: Path) -> Iterator[list[str]]:
    """The rows of a ``csv.reader``; a row it cannot read is a DataError at its line."""
    import csv

    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataError([f"{path}:{reader.line_num}: cannot read the row ({exc})"]) from None
        yield row


def closest_column(name: str, columns: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, columns, n=1, cutoff=0.5)
    lowered = {c.lower(): c for c in columns}
    if name.lower() in lowered:
        close = [lowered[name.lower()]]
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_output(output: str, force: bool) -> None:
    """Refuse early (before reading anything) an output that cannot be written."""
    from ..files.atomic import prepare_target

    if output == "-":
        raise UsageError("give --output FILE: an import writes a data file")
    if Path(output).is_dir():
        from ..model.errors import ExportError

        raise ExportError(f"{output}: is a folder; give a file name")
    prepare_target(output, force)


def nothing_kept(report: Report, output: str) -> DataError:
    """The error of an import that kept nothing to write: ``output`` is not written
    (so the corrected command can run again without ``--force``), and the line says why
    the rows were skipped, the most frequent reasons first."""
    files = ", ".join(report.files) or "the input"
    if report.rows == 0:
        why = f"{files} holds nothing to import"
    else:
        reasons = [f"skipped {n:,}: {why}" for why, n in report.skipped.most_common(3)]
        more = len(report.skipped) - len(reasons)
        if more > 0:
            reasons.append(f"{more} other reasons")
        shown = f" ({'; '.join(reasons)})" if reasons else ""
        rows = "row" if report.rows == 1 else "rows"
        why = f"none of the {report.rows:,} {rows} read from {files} was kept{shown}"
    return DataError([f"{output}: not written: {why}"])


def number(text: str) -> float | None:
    """A finite number from a cell, or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def tick(progress: Progress | None, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total, "bytes")

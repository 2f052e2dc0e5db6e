"""Any edge list (CSV or tab-separated, with a header row) -> a diplograph data file.

Each row names a source, a target and a relation type (columns chosen by the caller);
optional columns give the date (EDTF), a quote and a URL. Entities are made from the
names (id: the name as a slug; merged when two names give one slug, the other name kept
as an alias). A type value is used as is when it is a relation type, or mapped with
``mapping`` ({"meeting": "met"}); rows with another value are skipped and counted.
Certainty is ``stated`` when a quote column is given (rows without a quote are then
skipped), else ``coded``; rows with the same type, ends and date merge into one relation.
"""

from __future__ import annotations

import csv
import datetime
import difflib
from pathlib import Path

from ..model import dates
from ..model.errors import DataError, UsageError
from ..model.records import CERTAINTY, CODED, ENTITY_TYPES
from ..model.text import choose_from
from .cameo import vocabulary
from .collector import Collector
from .common import (
    PROGRESS_ROWS,
    Progress,
    Report,
    Tabs,
    check_output,
    checked_rows,
    closest_column,
    open_text,
    slug,
    tick,
)

#: Distinct unknown type values named in the report (the rest are counted together).
NAMED_UNKNOWN = 10


def check_mapping(mapping: dict[str, str], types: dict[str, dict]) -> None:
    """UsageError for a --map target that is not a relation type."""
    for value, rtype in mapping.items():
        if rtype not in types:
            close = difflib.get_close_matches(rtype, list(types), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"--map {value}={rtype}: unknown relation type '{rtype}'{hint}")


def import_csv(
    path: Path,
    output: str,
    *,
    source: str,
    target: str,
    type_column: str,
    date: str | None = None,
    quote: str | None = None,
    url: str | None = None,
    mapping: dict[str, str] | None = None,
    certainty: str | None = None,
    entity_type: str = "group",
    force: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Import one edge list into a data file; the report says what was kept."""
    types = vocabulary()
    mapping = mapping or {}
    check_mapping(mapping, types)
    level = certainty or ("stated" if quote else CODED)
    level, entity_type = level.casefold(), entity_type.casefold()  # (any case)
    if level not in CERTAINTY or level == "reported":
        levels = [c for c in CERTAINTY if c != "reported"]
        raise UsageError(
            f"--certainty {level}: not a level of an edge list {choose_from(level, levels)}"
            "; reported needs who reported each fact"
        )
    if entity_type not in ENTITY_TYPES:
        raise UsageError(
            f"--entity-type {entity_type}: not an entity type "
            f"{choose_from(entity_type, ENTITY_TYPES)}"
        )
    check_output(output, force)
    report = Report(files=[str(path)])
    collector = Collector(report, types)
    source_id = slug(path.stem, "edges")
    unknown: set[str] = set()
    try:
        with open_text(path) as (text, done, size):
            first = text.buffer.peek(65536)[:65536].split(b"\n", 1)[0]
            dialect = Tabs if b"\t" in first or path.suffix in (".tsv", ".tab") else csv.excel
            rows = checked_rows(csv.reader(text, dialect), path)
            header = [h.strip() for h in next(rows, [])]
            if not header:
                raise DataError([f"{path}: empty file, expected a header row"])
            col = {name: i for i, name in enumerate(header)}
            wanted = {"--source": source, "--target": target, "--type": type_column}
            wanted |= {"--date": date, "--quote": quote, "--url": url}
            for option, name in wanted.items():
                if name is not None and name not in col:
                    raise DataError(
                        [f"{path}:1: {option}: no column '{name}'{closest_column(name, header)}"]
                    )
            width = max(col[n] for n in wanted.values() if n is not None) + 1
            for line, row in enumerate(rows, 2):
                if not row:
                    continue
                report.rows += 1
                if report.rows % PROGRESS_ROWS == 0:
                    tick(progress, f"reading {path.name}", done(), size)
                if len(row) < width:
                    report.skip(f"fewer than {width} columns")
                    continue
                cell = {o: row[col[n]].strip() for o, n in wanted.items() if n is not None}
                value = cell["--type"]
                rtype = mapping.get(value) or (value if value in types else None)
                if rtype is None:
                    if value in unknown or len(unknown) < NAMED_UNKNOWN:
                        unknown.add(value)
                        report.skip(f"type '{value}' is not a relation type (map it with --map)")
                    else:
                        report.skip("other types that are not relation types")
                    continue
                when = cell.get("--date") or None
                if when is not None:
                    try:
                        dates.parse(when)
                    except dates.DateError:
                        report.skip("date is not EDTF (2025-06-21, 2025-06, 2025)")
                        continue
                if not cell["--source"] or not cell["--target"]:
                    report.skip("no source or no target name")
                    continue
                if level != CODED and not cell.get("--quote"):
                    report.skip("no quote (needed unless --certainty coded)")
                    continue
                ends = [
                    collector.entity(slug(cell[o], "entity"), cell[o], entity_type)
                    for o in ("--source", "--target")
                ]
                if ends[0] == ends[1]:
                    report.skip("the same entity on both sides")
                    continue
                evidence = {"source": source_id}
                if cell.get("--quote"):
                    evidence["quote"] = cell["--quote"]
                if cell.get("--url"):
                    evidence["url"] = cell["--url"]
                evidence["locator"] = f"line {line}"
                collector.relation(
                    f"{source_id}-{line}",
                    rtype,
                    ends[0],
                    ends[1],
                    evidence,
                    document=f"line {line}",
                    date=when,
                    certainty=level,
                )
            tick(progress, f"reading {path.name}", size, size)  # (ends at the total)
        if report.rows == 0:
            raise DataError([f"{path}: no rows after the header"])
        published = datetime.date.fromtimestamp(path.stat().st_mtime).isoformat()
        record = {
            "id": source_id,
            "title": path.name,
            "publisher": "unknown (imported from an edge list)",
            "published": published,
        }
        collector.write(output, force, [record], progress=progress)
    finally:
        collector.close()
    return report

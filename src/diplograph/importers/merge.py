"""``import merge``: data files -> one, with entities that are the same made one (the
merge itself is ``files.merged``, which also reads a ``--data`` folder whose files share
identifiers as one)."""

from __future__ import annotations

from pathlib import Path

from ..files.merged import write_merged
from .common import Report, check_output, nothing_kept


def merge_files(
    files: list[Path], output: str, *, force: bool = False, label: str | None = None
) -> Report:
    """Merge data files into one data file; the report says what was merged.
    ``label`` names the result in error messages (default: ``output``)."""
    check_output(output, force)
    report = Report(files=[str(f) for f in files])
    write_merged(
        files,
        output,
        force=force,
        label=label,
        report=report,
        empty=lambda: nothing_kept(report, output),
    )
    return report

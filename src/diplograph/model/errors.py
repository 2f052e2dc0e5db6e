"""The exceptions the library raises; the CLI turns each into one line on stderr."""

from __future__ import annotations


class DiplographError(Exception):
    """Anything diplograph reports to a person instead of a traceback."""

    exit_code = 1


class DataError(DiplographError):
    """A data file is missing, unreadable or invalid; carries every problem found."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        count = len(problems)
        head = problems[0] if problems else "invalid data"
        more = f" (and {count - 1} more problem{'s' if count > 2 else ''})" if count > 1 else ""
        super().__init__(head + more)


class UnknownEntity(DiplographError):
    """A name that matches no entity."""


class AmbiguousName(DiplographError):
    """A name that matches more than one entity."""

    def __init__(self, message: str, candidates: list[str]):
        self.candidates = candidates
        super().__init__(message)


class NoPath(DiplographError):
    """No chain of relations joins two entities under the given constraints."""


class UsageError(DiplographError):
    """A bad option value (unknown relation type, bad date filter...)."""

    exit_code = 2


class PartTooLarge(UsageError):
    """A part of the graph with more relations than the caller allows (``count``, ``limit``)."""

    def __init__(self, count: int, limit: int):
        self.count, self.limit = count, limit
        super().__init__(f"the part holds {count:,} relations (at most {limit:,})")


class ExportError(DiplographError):
    """An export that cannot be written (bad destination, value a format cannot hold)."""


class DataChanged(DiplographError):
    """The data files changed (or were replaced) while they were read."""

    def __init__(self, message: str = "data changed while it was read; run again"):
        super().__init__(message)


class CacheDamaged(Exception):
    """A cache file that fails its checks; never shown: the cache is rebuilt instead."""

    def __init__(self, message: str, path: object = None):
        self.path = path
        super().__init__(message)

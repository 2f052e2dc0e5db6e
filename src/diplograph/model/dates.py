"""Dates as news text gives them: partial, approximate, seasonal or spans.

Dates are written in a subset of EDTF (Library of Congress Extended Date/Time Format,
ISO 8601-2), the notation archives use:

=====================  ==========================================  =========================
EDTF                   meaning                                     bounds (earliest, latest)
=====================  ==========================================  =========================
``2025-06-21``         a day                                       that day
``2025-04``            a month ("in April")                        1-30 April 2025
``2025``               a year                                      the whole year
``2024-23``            a season: 21 spring, 22 summer, 23 autumn,  1 Sep - 30 Nov 2024
                       24 winter (northern, meteorological)
``2025-01-2X``         unspecified digits ("X")                    20-29 January 2025
``2025-01~``           approximate (``~``), uncertain (``?``),     the bounds of ``2025-01``
                       both (``%``)                                (the flag is kept)
``2020/2025-06-21``    an interval                                 2020-01-01 - 2025-06-21
``../2022``            open start (``..``) or end                  (min) - 2022-12-31
=====================  ==========================================  =========================

Every date has two bounds: the earliest and the latest day it can stand for. Sorting uses
(earliest, latest); filters keep a date when its bounds overlap the filter's; a
chronological path compares bounds exactly (see ``query.chronological_ok``). Qualifiers
(``~ ? %``) are kept for display but do not widen the bounds.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

MIN_DAY = date.min
MAX_DAY = date.max

_SINGLE = re.compile(
    r"^(?P<year>-?[0-9X]{4})(?:-(?P<month>[0-9X]{2})(?:-(?P<day>[0-9X]{2}))?)?(?P<q>[?~%])?$"
)
_SEASONS = {
    21: ("spring", 3, 5),
    22: ("summer", 6, 8),
    23: ("autumn", 9, 11),
    24: ("winter", 12, 14),
}
_QUALIFIER_WORDS = {"~": "about ", "?": "possibly ", "%": "possibly about "}


class DateError(ValueError):
    """A date string that is not valid EDTF (of the subset diplograph reads)."""


@dataclass(frozen=True, slots=True)
class Edtf:
    """A parsed EDTF date: the text as written and the earliest/latest day it can mean."""

    text: str
    lower: date
    upper: date
    qualifier: str = ""
    interval: bool = False

    @property
    def key(self) -> tuple[date, date]:
        """Sort key: earliest day, then latest day."""
        return (self.lower, self.upper)

    def overlaps(self, since: date | None, until: date | None) -> bool:
        """True when this date can fall between ``since`` and ``until`` (inclusive)."""
        if since is not None and self.upper < since:
            return False
        return not (until is not None and self.lower > until)

    def inside(self, since: date | None, until: date | None) -> bool:
        """True when every day this date can stand for lies between ``since`` and
        ``until`` (inclusive): ``2025-02-04/2025-02-14`` is inside February 2025, a span
        from 2020 is not."""
        if since is not None and self.lower < since:
            return False
        return not (until is not None and self.upper > until)


@lru_cache(maxsize=1024)
def _matching(pattern: str, values: range) -> tuple[int, ...]:
    regex = re.compile("^" + pattern.replace("X", "[0-9]") + "$")
    return tuple(v for v in values if regex.match(f"{v:02d}"))


def _single_bounds(text: str) -> tuple[date, date, str]:
    m = _SINGLE.match(text)
    if not m:
        raise DateError(
            f"'{text}' is not an EDTF date (expected e.g. 2025-06-21, 2025-04, 2024-23)"
        )
    year_s, month_s, day_s, qualifier = m["year"], m["month"], m["day"], m["q"] or ""
    try:
        year_lo, year_hi = int(year_s.replace("X", "0")), int(year_s.replace("X", "9"))
    except ValueError:
        raise DateError(f"'{text}' has an invalid year") from None
    if year_lo < 1 or year_hi > 9999:
        raise DateError(f"'{text}' has a year outside 0001-9999")
    if month_s is None:
        return date(year_lo, 1, 1), date(year_hi, 12, 31), qualifier
    if "X" not in month_s and 21 <= int(month_s) <= 24:
        if day_s is not None or "X" in year_s:
            raise DateError(f"'{text}': a season takes no day and no unspecified year")
        _, first, last = _SEASONS[int(month_s)]
        end_year = year_hi + (last - 1) // 12
        end_month = (last - 1) % 12 + 1
        if end_year > 9999:
            raise DateError(f"'{text}' ends after 9999 (winter runs into the next year)")
        return (
            date(year_lo, first, 1),
            date(end_year, end_month, calendar.monthrange(end_year, end_month)[1]),
            qualifier,
        )
    if "X" not in text:  # the common case: plain digits
        month = int(month_s)
        if not 1 <= month <= 12:
            raise DateError(f"'{text}' has an impossible month '{month_s}'")
        last = calendar.monthrange(year_lo, month)[1]
        if day_s is None:
            return date(year_lo, month, 1), date(year_lo, month, last), qualifier
        if not 1 <= int(day_s) <= last:
            raise DateError(f"'{text}' has an impossible day '{day_s}' for its month")
        day = date(year_lo, month, int(day_s))
        return day, day, qualifier
    months = _matching(month_s, range(1, 13))
    if not months:
        raise DateError(f"'{text}' has an impossible month '{month_s}'")
    if day_s is None:
        last_day = calendar.monthrange(year_hi, months[-1])[1]
        return date(year_lo, months[0], 1), date(year_hi, months[-1], last_day), qualifier
    lo = hi = None
    for month in months:
        days = _matching(day_s, range(1, calendar.monthrange(year_lo, month)[1] + 1))
        if days and lo is None:
            lo = date(year_lo, month, days[0])
        days_hi = _matching(day_s, range(1, calendar.monthrange(year_hi, month)[1] + 1))
        if days_hi:
            hi = date(year_hi, month, days_hi[-1])
    if lo is None or hi is None:
        raise DateError(f"'{text}' has an impossible day '{day_s}' for its month")
    return lo, hi, qualifier


@lru_cache(maxsize=65536)
def parse(text: str) -> Edtf:
    """Parse an EDTF date or interval; raise DateError with a readable reason."""
    if not isinstance(text, str) or not text.strip():
        raise DateError("empty date")
    text = text.strip()
    day = _plain_day(text)
    if day is not None:  # the commonest case
        return Edtf(text, day, day, "", False)
    if text.isascii() and text[:4].isdigit():  # the next commonest: a month, a year
        try:
            if len(text) == 7 and text[4] == "-" and text[5:].isdigit() and text[5] < "2":
                year, month = int(text[:4]), int(text[5:])
                last = calendar.monthrange(year, month)[1]
                return Edtf(text, date(year, month, 1), date(year, month, last), "", False)
            elif len(text) == 4:
                year = int(text)
                return Edtf(text, date(year, 1, 1), date(year, 12, 31), "", False)
        except ValueError:
            pass  # an impossible date: the full parser below says why
    if "/" in text:
        start, _, end = text.partition("/")
        if "/" in end:
            raise DateError(f"'{text}' has more than one '/'")
        lower = MIN_DAY if start in ("..", "") else _single_bounds(start)[0]
        upper = MAX_DAY if end in ("..", "") else _single_bounds(end)[1]
        if start in ("..", "") and end in ("..", ""):
            raise DateError(f"'{text}' is open at both ends")
        if lower > upper:
            raise DateError(f"'{text}' ends before it starts")
        return Edtf(text, lower, upper, "", True)
    lower, upper, qualifier = _single_bounds(text)
    return Edtf(text, lower, upper, qualifier, False)


def sequence_bounds(text: str) -> tuple[date, date]:
    """The days ``text`` may stand for when placing it in a sequence of events: its
    bounds, except that a span open at its end (``2024-23/..``: since autumn 2024) counts
    as its start, the only part the source dates; so it cannot follow a later date."""
    parsed = parse(text)
    if parsed.interval and parsed.upper == MAX_DAY:
        start = parsed.text.partition("/")[0]
        return parsed.lower, _single_bounds(start)[1]
    return parsed.lower, parsed.upper


def _plain_day(text: str) -> date | None:
    """``text`` as a day when it is a plain, possible YYYY-MM-DD (checked by the C
    parser), else None (the full parser then says what it is or what is wrong)."""
    if (
        len(text) == 10
        and text.isascii()
        and text[4] == "-" == text[7]
        and text[:4].isdigit()
        and text[5:7].isdigit()
        and text[8:].isdigit()
    ):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def ordinal_bounds(text: str) -> tuple[int, int]:
    """(earliest, latest) day of ``parse(text)`` as ordinals; a plain day without the
    parser (what indexing a million relations mostly meets)."""
    day = _plain_day(text)
    if day is not None:
        return day.toordinal(), day.toordinal()
    parsed = parse(text)
    return parsed.lower.toordinal(), parsed.upper.toordinal()


def _describe_single(text: str) -> str:
    m = _SINGLE.match(text)
    if not m:
        return text
    year, month, day, qualifier = m["year"], m["month"], m["day"], m["q"] or ""
    prefix = _QUALIFIER_WORDS.get(qualifier, "")
    if "X" in text:
        return prefix + text.rstrip("?~%")
    if month is None:
        return f"{prefix}{int(year)}"
    if 21 <= int(month) <= 24:
        return f"{prefix}{_SEASONS[int(month)][0]} {int(year)}"
    name = calendar.month_name[int(month)]
    if day is None:
        return f"{prefix}{name} {int(year)}"
    return f"{prefix}{int(day)} {name} {int(year)}"


def describe(text: str | None) -> str:
    """Words for an EDTF date: ``2024-23`` -> 'autumn 2024', ``../2022`` -> 'until 2022'."""
    if not text:
        return ""
    if "/" in text:
        start, _, end = text.partition("/")
        if start in ("..", ""):
            return f"until {_describe_single(end)}"
        if end in ("..", ""):
            return f"from {_describe_single(start)}"
        return f"{_describe_single(start)} to {_describe_single(end)}"
    return _describe_single(text)

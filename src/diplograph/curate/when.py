"""Date phrases found in a text, read as EDTF for a fact: what ``words.to_edtf`` reads,
plus the words only a story's context settles.

- Weekdays: "on Thursday" in a story published Thursday 2025-09-11 is that day; "on
  Tuesday" the latest Tuesday on or before publication (the next one for a fact in the
  future: "will meet on Tuesday"); "last Tuesday" the one before that week's.
- A month or a day without a year: the latest not after publication for what happened
  ("in April" published March 2025: 2025-04 is still to come, so 2024-04), the first not
  before it for what will or may ("will visit in April": 2025-04).
- "last week", "this week", "earlier this month", "last weekend".
- Words relative to the fact before: "two weeks later", "three days after", "a month
  later", "the next day", "the following week", "the day before", moved from the date
  of the previous dated fact (late January + two weeks = 2025-02-04/2025-02-14).

``resolve`` returns None for what it cannot read ("for five years", "recent years").
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from ..model import dates
from . import CurationError, words

_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_LEAD = re.compile(r"^(?:(?:back|just|only|as early as)\s+)?(?:on|in|at|by|during|since)\s+", re.I)
_WEEKDAY = re.compile(
    r"^(?P<last>last|this|next|this past|this coming)?\s*(?P<day>"
    + "|".join(_WEEKDAYS)
    + r")(?:\s+(?:morning|afternoon|evening|night))?$",
    re.I,
)
_SHIFT = re.compile(
    r"^(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(?P<unit>day|week|month|year)s?\s+(?P<dir>later|after|afterwards|earlier|before)$",
    re.I,
)
_NEXT = re.compile(
    r"^the\s+(?P<dir>next|following|previous|preceding)\s+(?P<unit>day|week|month|year)$", re.I
)
_BEFORE = re.compile(r"^the\s+(?P<unit>day|week|month|year)\s+(?P<dir>before|after)$", re.I)
_WEEK = re.compile(r"^(?P<which>last|this|earlier this|past)\s+(?P<unit>week|weekend|month)$", re.I)
_MONTH_ONLY = re.compile(
    r"^(?:early|mid|late|the end of|end of|the beginning of|beginning of|the middle of)?[\s-]*"
    r"(?P<month>[A-Za-z]+)\.?(?:\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?)?$"
)


def _span(lower: date, upper: date) -> str:
    return lower.isoformat() if lower == upper else f"{lower.isoformat()}/{upper.isoformat()}"


def _shift(edtf: str, days: int = 0, months: int = 0) -> str | None:
    """``edtf`` moved by ``days`` or ``months``, as a span of days (or a month)."""
    try:
        parsed = dates.parse(edtf)
    except dates.DateError:
        return None
    lower, upper = parsed.lower, parsed.upper
    if lower in (dates.MIN_DAY,) or upper in (dates.MAX_DAY,):
        return None
    if months:

        def move(d: date) -> date:
            m = d.month - 1 + months
            y, m = d.year + m // 12, m % 12 + 1
            return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))

        lower, upper = move(lower), move(upper)
    else:
        lower, upper = lower + timedelta(days=days), upper + timedelta(days=days)
    return _span(lower, upper)


def relative_to_previous(text: str) -> bool:
    """Whether ``text`` is dated from the fact before it ("two weeks later")."""
    text = " ".join(text.split())
    return bool(_SHIFT.match(text) or _NEXT.match(text) or _BEFORE.match(text))


def resolve(
    text: str, published: str, future: bool = False, previous: str | None = None
) -> str | None:
    """EDTF for the date phrase ``text`` of a fact (None when it cannot be read).
    ``future``: the fact is to come (a month or weekday is then the next one);
    ``previous``: the date of the fact before, for "two weeks later"."""
    phrase = " ".join(text.split()).strip(" ,.;:")
    bare = _LEAD.sub("", phrase)
    try:
        anchor = dates.parse(published).upper
    except dates.DateError:
        return None
    found = _WEEKDAY.match(bare)
    if found:
        day = _WEEKDAYS[found["day"].lower()]
        which = (found["last"] or "").lower()
        if future or which in ("next", "this coming"):
            ahead = (day - anchor.weekday()) % 7
            return (anchor + timedelta(days=ahead or (7 if which == "next" else 0))).isoformat()
        back = (anchor.weekday() - day) % 7
        if which == "last" and back == 0:
            back = 7
        return (anchor - timedelta(days=back)).isoformat()
    found = _WEEK.match(bare)
    if found:
        which, unit = found["which"].lower(), found["unit"].lower()
        if unit == "month":
            if which == "last":
                return words.to_edtf("last month", published).edtf
            return f"{anchor.year:04d}-{anchor.month:02d}"
        monday = anchor - timedelta(days=anchor.weekday())
        if unit == "weekend":
            saturday = monday - timedelta(days=2) if which == "last" else monday + timedelta(5)
            if saturday > anchor:
                saturday -= timedelta(days=7)
            return _span(saturday, saturday + timedelta(days=1))
        if which in ("last", "past"):
            return _span(monday - timedelta(days=7), monday - timedelta(days=1))
        return _span(monday, anchor)
    for pattern in (_SHIFT, _NEXT, _BEFORE):
        found = pattern.match(bare)
        if not found:
            continue
        if previous is None:
            return None
        groups = found.groupdict()
        n = groups.get("n")
        count = 1 if n is None else int(n) if n.isdigit() else _NUMBERS[n.lower()]
        back = groups["dir"].lower() in ("earlier", "before", "previous", "preceding")
        count = -count if back else count
        unit = groups["unit"].lower()
        if unit == "month":
            return _shift(previous, months=count)
        if unit == "year":
            return _shift(previous, months=12 * count)
        return _shift(previous, days=count * (7 if unit == "week" else 1))
    try:
        read = words.to_edtf(phrase, published)
    except CurationError:
        return None
    edtf = read.edtf
    if re.search(r"\b\d{4}\b", phrase) or read.text == "":
        return edtf
    month = _MONTH_ONLY.match(bare)
    if month and month["month"].lower().rstrip(".") in _month_names():
        # no year written: the latest not after publication, or the next one for a future
        try:
            parsed = dates.parse(edtf)
        except dates.DateError:
            return edtf
        if not future and parsed.lower > anchor:
            return _year_moved(edtf, -1)
        if future and parsed.upper < anchor:
            return _year_moved(edtf, 1)
    return edtf


def _month_names() -> set[str]:
    names = {n.lower() for n in calendar.month_name if n}
    return names | {n.lower() for n in calendar.month_abbr if n} | {"sept"}


def _year_moved(edtf: str, by: int) -> str:
    return re.sub(r"(?<![\d-])(\d{4})(?=-)", lambda m: f"{int(m.group(1)) + by:04d}", edtf)

"""Date words: what a ``date_text`` may hold, words read as EDTF, and filter dates.

One module, so every path reads date words the same way: the checkers
(``date_text_problem``), ``add`` and ``extract`` (``to_edtf``, ``find``, through
``curate.words``), and query filters (``read_filter``: ``--since``/``--until``).

What may stand in a relation's ``date_text``: the source's own words for the date.
``date_text`` quotes the words that give a date ("June 21", "Two weeks later", "back in
the fall of 2024"), never a clause that merely sits near one ("Washington is prepared to
play along"). The rule is one function, ``date_text_problem``, which every checker calls
(the full checker in ``records``, the fast path in ``check.fast`` and ``store.build``).

Date words as a source writes them (``curate`` adds and ``extract`` reads them; query
filters read them too), turned into EDTF relative to its publication date.

=================================  ==========================  ==============================
words                              EDTF (published 2025-06-24)  rule
=================================  ==========================  ==============================
"June 21", "on 21 June"            ``2025-06-21``              the publication year
"June 21, 2024"                    ``2024-06-21``
"in April", "April 2025"           ``2025-04``
"early / mid / late January"       ``2025-01-01/2025-01-10``,  thirds of the month
                                   ``-11/-20``, ``-21/-31``
"fall 2024", "the fall of 2024"    ``2024-23``                 EDTF seasons (21 spring ...
"this spring", "in the summer"     ``2025-21``, ``2025-22``    24 winter), publication year
"in 2020"                          ``2020``
"early / mid / late 2024"          ``2024-01/2024-04`` ...     thirds of the year
"today", "yesterday"               ``2025-06-24``, ``-23``
"this month", "now", "currently"   ``2025-06``                 the present tense rule
"this year", "last year"           ``2025``, ``2024``
"last month"                       ``2025-05``
=================================  ==========================  ==============================

Words placed relative to another event ("two weeks later", "the next day", "after the
election") cannot be resolved from the publication date: ``to_edtf`` refuses them and
says to give the date in EDTF. Leading "on", "in", "back in", "since", "from", "by" and
"during" are read past ("since" and "from" give an open end: ``2024-23/..``).

A date typed in a query filter (``read_filter``) is EDTF, the same words (without a year:
the data's latest year; words relative to today, "last month", are refused), or a
numeric day with its year last, read day first: ``21/06/2025`` is 21 June 2025, and so is
``06/21/2025`` (21 is no month); ``03/04/2025`` could be 3 April or 4 March and is refused
naming both, as is a day that is neither (``31/02/2025``).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from . import dates

#: Words of time: months, weekdays, seasons, units, and words placing a time relative
#: to another ("later", "since", "now"). A digit (a year, a day, a number) counts too.
_TIME_WORDS = [
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "weekend",
    "spring",
    "summer",
    "fall",
    "autumn",
    "winter",
    "season",
    "day",
    "days",
    "week",
    "weeks",
    "month",
    "months",
    "year",
    "years",
    "decade",
    "decades",
    "century",
    "centuries",
    "morning",
    "afternoon",
    "evening",
    "night",
    "tonight",
    "today",
    "yesterday",
    "tomorrow",
    "time",
    "times",
    "moment",
    "period",
    "era",
    "while",
    "now",
    "currently",
    "recently",
    "recent",
    "soon",
    "once",
    "still",
    "already",
    "yet",
    "present",
    "past",
    "later",
    "earlier",
    "early",
    "mid",
    "late",
    "ago",
    "before",
    "after",
    "afterwards",
    "afterward",
    "since",
    "until",
    "till",
    "during",
    "when",
    "then",
    "next",
    "last",
    "previous",
    "prior",
    "following",
    "followed",
    "ultimately",
    "eventually",
    "finally",
    "meanwhile",
    "beginning",
    "end",
    "start",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "twenty",
    "thirty",
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
]
_TIME = re.compile(r"\b(?:" + "|".join(_TIME_WORDS) + r")\b|\bMay\b|[0-9]", re.I)
_MAY = re.compile(r"\bMay\b")

#: How ``date_text`` fragments from two places in the source are joined.
FRAGMENT_JOIN = " … "


@lru_cache(maxsize=4096)
def date_text_problem(text: str) -> str | None:
    """Why ``text`` cannot be a ``date_text``, or None when it can: each fragment (joined
    by " … ") must hold a date word: a month, weekday, season, a number or year, or a
    word of time (later, ago, week, month, last, next, since, after, now...)."""
    for fragment in text.split(FRAGMENT_JOIN):
        found = [m.group(0) for m in _TIME.finditer(fragment)]
        if not found or all(w.lower() == "may" and not _MAY.fullmatch(w) for w in found):
            return (
                f"'{fragment.strip()}' holds no date word (a month, weekday, year or number, "
                "season, or a word of time such as later, ago, week, last, since, now): "
                "date_text quotes only the source's words for the date"
            )
    return None


def date_texts_ok(texts) -> bool:
    """True when every text of ``texts`` passes ``date_text_problem`` (the fast paths)."""
    return not any(map(date_text_problem, set(texts)))


# --- date words as EDTF ------------------------------------------------------------

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_SEASONS = {"spring": 21, "summer": 22, "fall": 23, "autumn": 23, "winter": 24}
_SEASON = r"(?P<season>spring|summer|fall|autumn|winter)"
_YEAR = r"(?P<year>\d{4})"
_PART = r"(?P<part>early|mid|late|the end of|end of|the beginning of|beginning of|the middle of)"
_PARTS = {
    "early": 0,
    "the beginning of": 0,
    "beginning of": 0,
    "mid": 1,
    "the middle of": 1,
    "late": 2,
    "the end of": 2,
    "end of": 2,
}
_LEAD = r"(?P<lead>(?:back )?(?:on|in|since|from|by|during|as of|until)\s+)?"

#: The phrases understood, each a regex (matched whole, case-insensitively) and a reader.
_PHRASES: list[tuple[re.Pattern[str], str]] = [
    (rf"{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?", "day"),
    (rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?", "day"),
    (rf"{_PART}[\s-]*{_MONTH}(?:,?\s+{_YEAR})?", "part_month"),
    (rf"{_PART}[\s-]*{_YEAR}", "part_year"),
    (rf"(?:the\s+)?{_SEASON}\s+(?:of\s+)?{_YEAR}", "season"),
    (rf"(?P<this>this|last|the)\s+{_SEASON}", "season"),
    (rf"{_MONTH}(?:,?\s+{_YEAR})?", "month"),
    (_YEAR, "year"),
    (r"(?P<word>today|yesterday|this month|last month|this year|last year|now|currently)", "word"),
]
_PATTERNS = [(re.compile(rf"^{_LEAD}{body}$", re.I), kind) for body, kind in _PHRASES]
#: Words that place a date relative to another event, which the publication date cannot.
_RELATIVE = re.compile(
    r"\b(later|earlier|after|afterwards?|before|next|previous|following|prior|ago|"
    r"weeks?|days?|months?|years? (?:later|after|before|earlier)|then|that time|when|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)\b",
    re.I,
)
#: What ``find`` looks for inside a sentence, longest forms first.
_IN_TEXT_FORMS = [
    rf"{_PART}[\s-]*{_MONTH}(?:,?\s+{_YEAR})?",
    rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+{_YEAR})?",
    rf"\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?",
    rf"(?:the\s+)?{_SEASON}\s+(?:of\s+)?{_YEAR}",
    rf"(?:in|since|by|during|until)\s+{_MONTH}(?:,?\s+{_YEAR})?",
    rf"{_MONTH}\s+{_YEAR}",
    rf"(?:in|since|by|during|until)\s+(?:{_PART}[\s-]*)?{_YEAR}",
]
#: What ``find`` looks for inside a sentence (the groups made plain: names repeat).
_IN_TEXT = re.compile(
    r"\b(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", f) for f in _IN_TEXT_FORMS) + r")\b",
    re.I,
)


class UnreadableDate(dates.DateError):
    """Words ``to_edtf`` cannot read as a date (not words it read as an impossible one)."""


@dataclass(frozen=True)
class DateWords:
    """Date words read as EDTF: ``edtf`` for the ``date`` field, ``text`` for ``date_text``."""

    edtf: str
    text: str


def to_edtf(words: str, published: str, relative: bool = True) -> DateWords:
    """``words`` as EDTF, relative to the source's ``published`` date (EDTF too).

    EDTF given as is passes through (its ``text`` is then ""). Raises DateError for
    words relative to another event, and for words it cannot read; without
    ``relative``, also for words read against the anchor's day ("today", "last month",
    "this spring"): a filter's anchor is only a year."""
    words = " ".join(words.split())
    if not words:
        raise dates.DateError("empty date")
    try:
        dates.parse(words)
        return DateWords(words, "")
    except dates.DateError:
        pass
    anchor = dates.parse(published).upper
    for pattern, kind in _PATTERNS:
        found = pattern.match(words)
        this = (found.groupdict().get("this") or "").lower() if found else ""
        if found and not relative and (kind == "word" or this in ("this", "last")):
            raise dates.DateError(
                f"'{words}' is relative to today: give the date (2025-06, June 2025)"
            )
        if found:
            edtf = _READERS[kind](found, anchor)
            lead = (found["lead"] or "").strip().lower()
            if lead.endswith(("since", "from")) and "/" not in edtf:
                edtf += "/.."
            elif lead.endswith("until") and "/" not in edtf:
                edtf = "../" + edtf
            try:
                dates.parse(edtf)
            except dates.DateError as exc:
                raise dates.DateError(f"'{words}' is not a possible date ({exc})") from None
            return DateWords(edtf, words)
    if _RELATIVE.search(words):
        raise UnreadableDate(
            f"'{words}' is relative to another event, not to the publication date: "
            "give the date in EDTF (--date 2025-02-04/2025-02-14) and keep the words "
            "with --date-text"
        )
    raise UnreadableDate(
        f"cannot read '{words}' as a date: give EDTF (2025-06-21, 2025-04, 2024-23, "
        "2020/2025) or words like 'June 21', 'in April', 'late January', 'fall 2024'"
    )


def find(sentence: str, published: str) -> DateWords | None:
    """The first date phrase in ``sentence`` that ``to_edtf`` reads, or None."""
    for found in _IN_TEXT.finditer(sentence):
        try:
            return to_edtf(found.group(0), published)
        except dates.DateError:
            continue
    return None


def _year(found: re.Match[str], anchor: date) -> int:
    year = found.groupdict().get("year")
    return int(year) if year else anchor.year


def _day(found: re.Match[str], anchor: date) -> str:
    month = _MONTHS[found["month"].lower()]
    return f"{_year(found, anchor):04d}-{month:02d}-{int(found['day']):02d}"


def _month(found: re.Match[str], anchor: date) -> str:
    return f"{_year(found, anchor):04d}-{_MONTHS[found['month'].lower()]:02d}"


def _part_month(found: re.Match[str], anchor: date) -> str:
    year, month = _year(found, anchor), _MONTHS[found["month"].lower()]
    third = _PARTS[found["part"].lower()]
    last = calendar.monthrange(year, month)[1]
    first_day, last_day = (1, 10) if third == 0 else (11, 20) if third == 1 else (21, last)
    return f"{year:04d}-{month:02d}-{first_day:02d}/{year:04d}-{month:02d}-{last_day:02d}"


def _part_year(found: re.Match[str], anchor: date) -> str:
    year = _year(found, anchor)
    first, last = ((1, 4), (5, 8), (9, 12))[_PARTS[found["part"].lower()]]
    return f"{year:04d}-{first:02d}/{year:04d}-{last:02d}"


def _season(found: re.Match[str], anchor: date) -> str:
    year = _year(found, anchor)
    if (found.groupdict().get("this") or "").lower() == "last":
        year -= 1
    return f"{year:04d}-{_SEASONS[found['season'].lower()]}"


def _year_only(found: re.Match[str], anchor: date) -> str:
    return found["year"]


def _word(found: re.Match[str], anchor: date) -> str:
    word = found["word"].lower()
    if word == "today":
        return anchor.isoformat()
    if word == "yesterday":
        return (anchor - timedelta(days=1)).isoformat()
    if word in ("this month", "now", "currently"):
        return f"{anchor.year:04d}-{anchor.month:02d}"
    if word == "last month":
        previous = anchor.replace(day=1) - timedelta(days=1)
        return f"{previous.year:04d}-{previous.month:02d}"
    return str(anchor.year - (word == "last year"))


_READERS = {
    "day": _day,
    "month": _month,
    "part_month": _part_month,
    "part_year": _part_year,
    "season": _season,
    "year": _year_only,
    "word": _word,
}


# --- date words typed in a filter ----------------------------------------------------

#: A numeric day with its year last: 21/06/2025, 21.06.2025, 21-06-2025.
_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})$")
#: Text made only of EDTF's characters: its EDTF error is the one to show.
_EDTF_LIKE = re.compile(r"^[0-9X?~%./\-+]+$")
_FOUR_DIGITS = re.compile(r"\b\d{4}\b")
#: What a filter accepts, for the message refusing what it cannot read.
FILTER_FORMS = (
    "EDTF (2025-06-21, 2025-02, 2024-23 for fall 2024), a day with its year last "
    "(21/06/2025), or words like 'June 21', '21 June 2025', 'February', 'late January', "
    "'fall 2024'"
)


def _numeric(text: str, found: re.Match[str]) -> dates.Edtf:
    """A numeric day with its year last, read the one way that is a possible day.

    The rule: day/month/year (21/06/2025 is 21 June 2025); month/day/year only when the
    day-first reading is impossible (06/21/2025 is 21 June 2025 too, as 21 is no month).
    When both readings are possible days and differ (03/04/2025), the text is refused,
    naming both and the EDTF to type; when neither is (31/02/2025), it is refused too."""
    first, second, year = int(found[1]), int(found[3]), int(found[4])
    readings = []
    for day, month in ((first, second), (second, first)):
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]:
            readings.append(f"{year:04d}-{month:02d}-{day:02d}")
    readings = list(dict.fromkeys(readings))
    if not readings:
        raise dates.DateError(f"'{text}' is not a possible day (read as day/month/year)")
    if len(readings) > 1:
        a, b = (dates.describe(r) for r in readings)
        raise dates.DateError(
            f"'{text}' is ambiguous: {a} (day first) or {b} (month first): "
            f"type {readings[0]} or {readings[1]}"
        )
    return dates.parse(readings[0])


def needs_year(text: str) -> bool:
    """Whether ``read_filter`` needs a ``default_year`` to read ``text`` (date words
    without a year: "February", "June 21"), so a caller finds that year only then."""
    text = " ".join(str(text).split())
    return not (_EDTF_LIKE.match(text) or _NUMERIC.match(text) or _FOUR_DIGITS.search(text))


def read_filter(text: str, default_year: int | None = None) -> dates.Edtf:
    """A date typed in a query filter (``--since``, ``--until``), read by one rule:

    - EDTF as is (``2025-02``, ``2025-06-21``, ``2024-23``);
    - a numeric day with the year last (``21/06/2025``), day first (see ``_numeric``);
    - date words as ``add`` reads them ("February", "June 21", "21 June 2025", "late
      January", "fall 2024"); words without a year are in ``default_year`` (the data's
      latest year; DateError when there is none). Words relative to today ("last
      month", "this spring") are refused: a filter has no today.

    Raises DateError with one line saying what was typed and what is accepted."""
    text = " ".join(str(text).split())
    try:
        return dates.parse(text)
    except dates.DateError as exc:
        if _EDTF_LIKE.match(text) and not _NUMERIC.match(text):
            raise  # EDTF with a mistake in it: its own error says where
        edtf_error = exc
    found = _NUMERIC.match(text)
    if found:
        return _numeric(text, found)
    year = default_year
    if year is None:
        if not _FOUR_DIGITS.search(text):
            if not any(pattern.match(text) for pattern, _ in _PATTERNS):
                raise dates.DateError(f"cannot read '{text}' as a date: give {FILTER_FORMS}")
            raise dates.DateError(f"'{text}': give the year too (e.g. '{text} 2025')")
        year = 2000  # the year typed wins: this only anchors the reading
    try:
        read = to_edtf(text, f"{year:04d}-12-31", relative=False)
    except UnreadableDate:
        raise dates.DateError(f"cannot read '{text}' as a date: give {FILTER_FORMS}") from (
            edtf_error
        )
    return dates.parse(read.edtf)

"""Date words as a source writes them, turned into EDTF relative to its publication date.

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
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..model import dates
from . import CurationError

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


@dataclass(frozen=True)
class DateWords:
    """Date words read as EDTF: ``edtf`` for the ``date`` field, ``text`` for ``date_text``."""

    edtf: str
    text: str


def to_edtf(words: str, published: str) -> DateWords:
    """``words`` as EDTF, relative to the source's ``published`` date (EDTF too).

    EDTF given as is passes through (its ``text`` is then ""). Raises CurationError for
    words relative to another event, and for words it cannot read."""
    words = " ".join(words.split())
    if not words:
        raise CurationError("empty date")
    try:
        dates.parse(words)
        return DateWords(words, "")
    except dates.DateError:
        pass
    anchor = dates.parse(published).upper
    for pattern, kind in _PATTERNS:
        found = pattern.match(words)
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
                raise CurationError(f"'{words}' is not a possible date ({exc})") from None
            return DateWords(edtf, words)
    if _RELATIVE.search(words):
        raise CurationError(
            f"'{words}' is relative to another event, not to the publication date: "
            "give the date in EDTF (--date 2025-02-04/2025-02-14) and keep the words "
            "with --date-text"
        )
    raise CurationError(
        f"cannot read '{words}' as a date: give EDTF (2025-06-21, 2025-04, 2024-23, "
        "2020/2025) or words like 'June 21', 'in April', 'late January', 'fall 2024'"
    )


def find(sentence: str, published: str) -> DateWords | None:
    """The first date phrase in ``sentence`` that ``to_edtf`` reads, or None."""
    for found in _IN_TEXT.finditer(sentence):
        try:
            return to_edtf(found.group(0), published)
        except CurationError:
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

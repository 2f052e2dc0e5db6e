"""What may stand in a relation's ``date_text``: the source's own words for the date.

``date_text`` quotes the words that give a date ("June 21", "Two weeks later", "back in
the fall of 2024"), never a clause that merely sits near one ("Washington is prepared to
play along"). The rule is one function, ``date_text_problem``, which every checker calls
(the full checker in ``records``, the fast path in ``check.fast`` and ``store.build``).
"""

from __future__ import annotations

import re
from functools import lru_cache

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

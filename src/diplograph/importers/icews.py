"""ICEWS coded event files (the Harvard Dataverse ``.tab`` layout) -> a diplograph data file.

Tab-separated with a header row: Event ID, Event Date, Source Name, Source Sectors,
Source Country, Event Text, CAMEO Code, Intensity, Target Name, Target Sectors, Target
Country, Story ID, Sentence Number, Publisher, City, District, Province, Country,
Latitude, Longitude (columns found by name; others are ignored).

- Actors are entities by name ("Kim Jong-Un", "Citizen (India)", "Russia"): a name equal
  to its country is a country, a name with a parenthesis a group ("Police (India)"), a
  name shaped like a person's a person, the rest organizations.
- The event is a relation of the type ``data/cameo.json`` gives the CAMEO code,
  certainty ``coded``, dated by Event Date, placed at City/Province (with coordinates),
  evidenced by story id, sentence number and publisher (``locator``), with the
  intensity as an attribute.
- ICEWS codes every consult twice (A consults B, B consults A, same sentence): `consulted`
  is symmetric, so both become one relation; for types with a direction, the second
  coding of one sentence merges into the first (one event never gives two directions).
"""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

from ..model.errors import DataError
from .cameo import CameoMap, vocabulary
from .collector import Collector
from .common import (
    PROGRESS_ROWS,
    Progress,
    Report,
    Tabs,
    check_output,
    checked_rows,
    closest_column,
    number,
    open_text,
    slug,
    tick,
)

COLUMNS = (
    "Event ID",
    "Event Date",
    "Source Name",
    "Source Sectors",
    "Source Country",
    "Event Text",
    "CAMEO Code",
    "Intensity",
    "Target Name",
    "Target Sectors",
    "Target Country",
    "Story ID",
    "Sentence Number",
    "Publisher",
    "City",
    "District",
    "Province",
    "Country",
    "Latitude",
    "Longitude",
)
NEEDED = ("Event Date", "Source Name", "CAMEO Code", "Target Name")
SOURCE_ID = "icews"
_ORG_WORDS = re.compile(
    r"\b(ministry|council|party|union|nations|bank|court|army|police|government|"
    r"organization|organisation|agency|committee|association|company|corporation|front|"
    r"forces|office|parliament|assembly|commission|department|institute|university|"
    r"league|movement|group|news|times|post|press|fund|federation|state|republic|"
    r"kingdom|emirates|nato|opec|asean|congress|senate|cabinet|navy|police)\b",
    re.IGNORECASE,
)


def _kind(name: str, country: str, sectors: str) -> str:
    """The entity type an ICEWS actor name suggests (see the module docstring)."""
    if country and name == country:
        return "country"
    if "(" in name:
        return "group"
    words = name.split()
    if (
        2 <= len(words) <= 4
        and all(w[:1].isupper() for w in words)
        and not any(c.isdigit() for c in name)
        and not _ORG_WORDS.search(name)
        and "Organization" not in sectors
    ):
        return "person"
    return "organization"


def _date(text: str) -> str | None:
    text = text.strip()
    digits = text.replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat()
    except ValueError:
        return None


def import_icews(
    files: list[Path],
    output: str,
    *,
    force: bool = False,
    one_actor: str = "drop",
    progress: Progress | None = None,
) -> Report:
    """Import ICEWS event files into one data file; the report says what was kept."""
    check_output(output, force)
    report = Report(files=[str(f) for f in files])
    cameo = CameoMap()
    collector = Collector(report, vocabulary())
    places: dict[str, str] = {}
    days: list[str] = []
    try:
        for path in files:
            with open_text(path) as (text, done, size):
                rows = checked_rows(csv.reader(text, Tabs), path)
                header = next(rows, None)
                if header is None:
                    raise DataError([f"{path}: empty file, expected ICEWS events"])
                col = {name.strip(): i for i, name in enumerate(header)}
                missing = [n for n in NEEDED if n not in col]
                if missing:
                    hint = closest_column(missing[0], list(col))
                    raise DataError(
                        [
                            f"{path}:1: no column '{missing[0]}' in the header{hint} "
                            "(an ICEWS .tab file starts with a header row: Event ID, Event "
                            "Date, Source Name, ...)"
                        ]
                    )
                width = max(col[n] for n in NEEDED) + 1
                for row in rows:
                    if not row:
                        continue
                    report.rows += 1
                    if report.rows % PROGRESS_ROWS == 0:
                        tick(progress, f"reading {path.name}", done(), size)
                    if len(row) < width:
                        report.skip(f"wrong number of columns ({len(row)}, expected {len(col)})")
                        continue
                    _row(row, col, collector, cameo, places, one_actor, days)
                tick(progress, f"reading {path.name}", size, size)  # (ends at the total)
        if report.rows == 0:
            raise DataError([f"{files[0]}: no events"])
        first, last = (min(days), max(days)) if days else ("1995-01-01", "1995-01-01")
        span = first if first == last else f"{first} to {last}"
        source = {
            "id": SOURCE_ID,
            "title": f"ICEWS Coded Event Data (events of {span})",
            "publisher": "Integrated Crisis Early Warning System (Harvard Dataverse)",
            "published": last,
            "url": "https://dataverse.harvard.edu/dataverse/icews",
        }
        collector.write(output, force, [source], progress=progress)
    finally:
        collector.close()
    return report


def _cell(row: list[str], col: dict[str, int], name: str) -> str:
    i = col.get(name)
    return row[i].strip() if i is not None and i < len(row) else ""


def _row(row, col, collector, cameo, places, one_actor, days) -> None:
    report = collector.report
    code = _cell(row, col, "CAMEO Code")
    rtype = cameo.type_of(code)
    if rtype is None:
        report.skip(f"CAMEO code is not CAMEO ('{code}')" if code else "no CAMEO code")
        return
    date = _date(_cell(row, col, "Event Date"))
    if date is None:
        report.skip("no valid Event Date")
        return
    if not days:
        days[:] = [date, date]
    elif date < days[0]:
        days[0] = date
    elif date > days[1]:
        days[1] = date
    ends = []
    for who in ("Source", "Target"):
        name = _cell(row, col, f"{who} Name")
        if name:
            country = _cell(row, col, f"{who} Country")
            kind = _kind(name, country, _cell(row, col, f"{who} Sectors"))
            iso = cameo.country_by_name(name) if kind == "country" else None
            if iso is not None:  # the identifiers GDELT's country of that code has
                found = cameo.countries[iso]
                ids = {"cameo": iso, "iso3166": found["iso3166"]}
                ends.append(collector.entity(slug(name), name, kind, identifiers=ids))
            else:
                ends.append(collector.entity(slug(name), name, kind))
    place = _place(row, col, collector, places)
    if not ends:
        report.skip("no actor")
        return
    if len(ends) == 1:
        if one_actor != "place":
            report.skip("one actor only (--one-actor place keeps it as a relation to the place)")
            return
        if place is None:
            report.skip("one actor and no place below country level")
            return
        ends.append(place)
    if ends[0] == ends[1]:
        report.skip("the same actor on both sides")
        return
    event = _cell(row, col, "Event ID")
    story, sentence = _cell(row, col, "Story ID"), _cell(row, col, "Sentence Number")
    publisher = _cell(row, col, "Publisher")
    where = f"story {story}, sentence {sentence}" if story else f"event {event}"
    locator = f"{where} ({publisher})" if publisher else where
    evidence = {"source": SOURCE_ID, "locator": f"{locator}; event {event}, CAMEO {code}"}
    intensity = number(_cell(row, col, "Intensity"))
    numbers = {"events": 1.0}
    if intensity is not None:
        numbers["intensity"] = intensity
    collector.relation(
        f"icews-{slug(event, 'event')}" if event else f"icews-row-{report.rows}",
        rtype,
        ends[0],
        ends[1],
        evidence,
        document=f"{story}/{sentence}" if story else event,
        date=date,
        place=place if place not in ends else None,
        numbers=numbers,
    )


def _place(row, col, collector, places) -> str | None:
    parts = [_cell(row, col, n) for n in ("City", "Province", "Country")]
    if not parts[0] and not parts[1]:
        return None  # a whole country at most: the actors say as much
    name = ", ".join(p for p in parts if p)
    found = places.get(name)
    if found is not None:
        return found
    base = "place-" + slug(name)
    eid, n = base, 1
    while eid in collector.entities:
        n += 1
        eid = f"{base}-{n}"
    lat, lon = number(_cell(row, col, "Latitude")), number(_cell(row, col, "Longitude"))
    ok = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
    found = collector.entity(
        eid,
        name,
        "place",
        aliases=[name.split(",")[0]],  # the city: "Panmunjom" finds the place
        lat=lat if ok else None,
        lon=lon if ok else None,
    )
    places[name] = found
    return found

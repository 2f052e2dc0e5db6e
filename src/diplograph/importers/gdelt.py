"""GDELT 1.0 and 2.0 event exports -> a diplograph data file.

Reads the raw exports (tab-separated, no header: 57 or 58 columns for GDELT 1.0, 61 for
2.0) and files with a header row, tab- or comma-separated (columns found by name, so
extra columns such as ``CAMEOCodeDescription`` do no harm).

What each row becomes:

- Actors are entities by CAMEO actor code (``USA``, ``USAGOV``, ``CVL``), with the code
  as the identifier ``cameo``; their names are the coder's most frequent name for the
  code ("United States"), others become aliases; a code with role suffixes is named by
  its country and roles ("United States government").
- The event is a relation of the type ``data/cameo.json`` gives the event code, certainty
  ``coded``, dated by ``SQLDATE``, placed at ``ActionGeo`` (below country level, with
  coordinates), evidenced by ``SOURCEURL`` and the event id (``locator``), with
  Goldstein scale, average tone, mentions, sources and articles as ``attributes``.
- Rows with the same type, actors and date merge into one relation (evidence added,
  mentions summed, tone averaged); the same event coded in both directions too.
- A row with one actor is dropped (counted), or with ``one_actor="place"`` becomes a
  relation from the actor to the event's place.
"""

from __future__ import annotations

import csv
import datetime
from collections import Counter
from pathlib import Path

from ..model.errors import DataError
from .cameo import CameoMap, vocabulary
from .collector import Collector, add_alias
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

_ACTOR = ("Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode")
_ACTOR += ("Religion1Code", "Religion2Code", "Type1Code", "Type2Code", "Type3Code")
_BASE = ["GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate"]
_BASE += [f"Actor1{c}" for c in _ACTOR] + [f"Actor2{c}" for c in _ACTOR]
_BASE += ["IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass"]
_BASE += ["GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone"]
_GEO1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")


def _layout(geo: tuple[str, ...], url: bool) -> list[str]:
    names = list(_BASE)
    for who in ("Actor1Geo", "Actor2Geo", "ActionGeo"):
        names += [f"{who}_{c}" for c in geo]
    return names + ["DATEADDED"] + (["SOURCEURL"] if url else [])


#: Headerless layouts by column count.
LAYOUTS = {57: _layout(_GEO1, False), 58: _layout(_GEO1, True), 61: _layout(_GEO2, True)}
NEEDED = ("GLOBALEVENTID", "SQLDATE", "Actor1Code", "Actor1Name", "Actor2Code", "Actor2Name")
NEEDED += ("EventCode",)
SOURCE_ID = "gdelt"
#: Names counted per actor code (the most frequent becomes the display name).
MAX_NAMES = 40
#: Role codes that make an actor an organization (the others are groups).
_ORGANIZATIONS = {"GOV", "MIL", "LEG", "JUD", "COP", "SPY", "IGO", "NGO", "MNC", "BUS", "MED"}
_ORGANIZATIONS |= {"PTY", "EDU", "HLH", "NGM"}


def _columns(first: list[str], path: Path) -> tuple[dict[str, int], bool]:
    """(column positions by name, whether the first row is a header)."""
    if first and first[0].strip().upper() == "GLOBALEVENTID":
        found = {name.strip(): i for i, name in enumerate(first)}
        lowered = {name.lower(): i for name, i in found.items()}
        missing = [n for n in NEEDED if n not in found and n.lower() not in lowered]
        if missing:
            hint = closest_column(missing[0], list(found))
            raise DataError(
                [f"{path}:1: no column '{missing[0]}' in the header{hint} (is it a GDELT export?)"]
            )
        return {
            n: found.get(n, lowered.get(n.lower(), -1)) for n in LAYOUTS[61] + LAYOUTS[58]
        }, True
    layout = LAYOUTS.get(len(first))
    if layout is None:
        raise DataError(
            [
                f"{path}:1: {len(first)} columns; a GDELT export has 57 or 58 (GDELT 1.0) "
                "or 61 (GDELT 2.0), or a header row starting GLOBALEVENTID"
            ]
        )
    return {name: i for i, name in enumerate(layout)}, False


_DATES: dict[str, str | None] = {}


def _date(text: str) -> str | None:
    """YYYYMMDD (the first 8 digits) as an ISO date, or None; one string per date, so
    the merge index holds each date once (a million rows hold a few hundred dates)."""
    found = _DATES.get(text, "")
    if found != "":
        return found
    if len(_DATES) < 100_000:
        found = _DATES[text] = _parse_date(text)
        return found
    return _parse_date(text)


def _parse_date(text: str) -> str | None:
    text = text.strip()
    if len(text) < 8 or not text[:8].isdigit():
        return None
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
    except ValueError:
        return None


class _Actors:
    """Actor codes seen, with the names the coder gave them (counted)."""

    def __init__(self, collector: Collector, cameo: CameoMap):
        self.collector, self.cameo = collector, cameo
        self.names: dict[str, Counter] = {}
        self.country: dict[str, str] = {}  # code -> its country code
        self.group: dict[str, str] = {}  # code -> known group code
        self._ids: dict[str, str] = {}  # code -> entity id

    def add(self, code: str, name: str, country: str, group: str) -> str:
        names = self.names.get(code)
        if names is None:
            names = self.names[code] = Counter()
            self.country[code] = country
            self.group[code] = group
            eid = self.collector.entity(
                slug(code), _title(name) or code, "group", identifiers={"cameo": code}
            )
            self._ids[code] = eid
        if name and (name in names or len(names) < MAX_NAMES):
            names[name] += 1
        return self._ids[code]

    def finish(self) -> None:
        """Name each actor and set its type, now that all its names are known."""
        entities = self.collector.entities
        for code, names in self.names.items():
            record = entities[self._ids[code]]
            ranked = [_title(n) for n, _ in names.most_common()]
            country = self.country[code]
            roles = [code[i : i + 3] for i in range(0, len(code), 3)]
            known = self.cameo.countries.get(code)
            if code == country or (len(code) == 3 and code not in self.cameo.actor_types):
                name, kind = (ranked[0] if ranked else code), "country"
                if known:  # the ISO name ("India"), not the coder's commonest ("Bihar")
                    name = known["name"]
                    record.setdefault("identifiers", {})["iso3166"] = known["iso3166"]
            elif self.group[code]:
                name, kind = (ranked[0] if ranked else code), "organization"
            else:
                if country and code.startswith(country):
                    roles = roles[1:]
                    home = self.names.get(country)
                    place = _title(home.most_common(1)[0][0]) if home else country
                    if country in self.cameo.countries:
                        place = self.cameo.countries[country]["name"]
                else:
                    place = ""
                countries = self.cameo.countries
                named = [
                    self.cameo.actor_types.get(r)
                    or (countries[r]["name"] if r in countries else r.lower())
                    for r in roles
                ]
                words = " ".join(named)
                if place:
                    name = f"{place} {words}".strip()
                elif any(r in countries for r in roles):  # MNCUSAMED: a country inside
                    name = f"{words[:1].upper()}{words[1:]}"
                else:
                    name = f"{words[:1].upper()}{words[1:]} (no country)" if words else code
                kind = "organization" if set(roles) & _ORGANIZATIONS else "group"
            record["name"], record["type"] = name, kind
            record.pop("aliases", None)
            for alias in ranked:
                add_alias(record, alias)


#: Names GDELT writes in capitals that stay so (the rest become title case).
_ACRONYM_WORDS = (
    "UN EU US USA UK NATO ASEAN OPEC IMF WHO UNICEF UNESCO ICC OSCE AU G7 G20 BRICS "
    "ISIS IS FBI CIA NGO UAE DPRK PLO IAEA WTO OAS ECOWAS SADC NAFTA GCC ANC BJP CDU SPD"
)
ACRONYMS = frozenset(_ACRONYM_WORDS.split())


def _title(name: str) -> str:
    """GDELT's upper-case names in title case ("UNITED STATES" -> "United States"),
    acronyms kept ("ASEAN", "NATO")."""
    return " ".join(
        w if len(w) <= 1 or w in ACRONYMS else w[:1] + w[1:].lower() for w in name.split()
    )


def import_gdelt(
    files: list[Path],
    output: str,
    *,
    force: bool = False,
    one_actor: str = "drop",
    progress: Progress | None = None,
) -> Report:
    """Import GDELT event files into one data file; the report says what was kept."""
    check_output(output, force)
    report = Report(files=[str(f) for f in files])
    cameo = CameoMap()
    types = vocabulary()
    collector = Collector(report, types)
    actors = _Actors(collector, cameo)
    places: dict[str, str] = {}  # GDELT feature (or full name) -> entity id
    added: list[str] = []  # the earliest and latest DATEADDED day
    old = 0  # events dated more than a year before they were added
    try:
        for path in files:
            with open_text(path) as (text, done, size):
                rows = checked_rows(csv.reader(text, _dialect(text)), path)
                first = next(rows, None)
                if first is None:
                    raise DataError([f"{path}: empty file, expected GDELT events"])
                col, header = _columns(first, path)
                if not header:
                    rows = _chain_first(first, rows)
                width = max(i for i in col.values()) + 1 if header else len(first)
                get = {name: i for name, i in col.items() if i >= 0}
                for row in rows:
                    report.rows += 1
                    if report.rows % PROGRESS_ROWS == 0:
                        tick(progress, f"reading {path.name}", done(), size)
                    if len(row) < width:
                        if not row:
                            report.rows -= 1
                            continue
                        report.skip(f"wrong number of columns ({len(row)}, expected {width})")
                        continue
                    old += _row(row, get, collector, actors, cameo, places, one_actor, added)
                tick(progress, f"reading {path.name}", size, size)  # (ends at the total)
    except BaseException:
        collector.close()
        raise
    try:
        actors.finish()
        if report.rows == 0:
            raise DataError([f"{files[0]}: no events"])
        if old:
            report.notes.append(
                f"note: {old:,} events are dated more than a year before GDELT added them "
                "(GDELT sometimes takes a past date mentioned in the article)"
            )
        first_day = min(added) if added else "2013-04-01"
        last_day = max(added) if added else first_day
        span = first_day if first_day == last_day else f"{first_day} to {last_day}"
        source = {
            "id": SOURCE_ID,
            "title": f"GDELT Event Database (events added {span})",
            "publisher": "The GDELT Project",
            "published": last_day,
            "url": "https://www.gdeltproject.org/",
        }
        collector.write(output, force, [source], progress=progress)
    finally:
        collector.close()
    return report


def _row(row, get, collector, actors, cameo, places, one_actor, added) -> int:
    """Take one row; returns 1 when it is dated more than a year before it was added."""
    report = collector.report
    code = row[get["EventCode"]].strip()
    rtype = cameo.type_of(code)
    if rtype is None:
        report.skip(f"event code is not CAMEO ('{code}')" if code else "no event code")
        return 0
    date = _date(row[get["SQLDATE"]])
    if date is None:
        report.skip("no valid SQLDATE")
        return 0
    old = 0
    if "DATEADDED" in get:
        day = _date(row[get["DATEADDED"]])
        if day:
            if not added:
                added[:] = [day, day]
            elif day < added[0]:
                added[0] = day
            elif day > added[1]:
                added[1] = day
            old = int(day[:4]) - int(date[:4]) > 1
    ends = []
    for who in ("Actor1", "Actor2"):
        actor = row[get[f"{who}Code"]].strip()
        if actor:
            ends.append(
                actors.add(
                    actor,
                    row[get[f"{who}Name"]].strip(),
                    row[get[f"{who}CountryCode"]].strip() if f"{who}CountryCode" in get else "",
                    row[get[f"{who}KnownGroupCode"]].strip()
                    if f"{who}KnownGroupCode" in get
                    else "",
                )
            )
    place = _place(row, get, collector, places)
    if not ends:
        report.skip("no actor")
        return 0
    if len(ends) == 1:
        if one_actor != "place":
            report.skip("one actor only (--one-actor place keeps it as a relation to the place)")
            return 0
        if place is None:
            report.skip("one actor and no place below country level")
            return 0
        ends.append(place)
    if ends[0] == ends[1]:
        report.skip("the same actor on both sides")
        return 0
    event = row[get["GLOBALEVENTID"]].strip()
    url = row[get["SOURCEURL"]].strip() if "SOURCEURL" in get else ""
    evidence = {"source": SOURCE_ID, "locator": f"GLOBALEVENTID {event}, CAMEO {code}"}
    if url:
        evidence["url"] = url
    numbers = {"events": 1.0}
    for name, column in (
        ("goldstein", "GoldsteinScale"),
        ("tone", "AvgTone"),
        ("mentions", "NumMentions"),
        ("sources", "NumSources"),
        ("articles", "NumArticles"),
    ):
        value = number(row[get[column]]) if column in get else None
        if value is not None:
            numbers[name] = value
    collector.relation(
        f"gdelt-{slug(event, 'event')}",
        rtype,
        ends[0],
        ends[1],
        evidence,
        document=url or event,
        date=date,
        place=place if place not in ends else None,
        numbers=numbers,
    )
    return old


def _place(row, get, collector, places) -> str | None:
    """The event's place below country level, as an entity id (created on first sight)."""
    kind = row[get["ActionGeo_Type"]].strip() if "ActionGeo_Type" in get else ""
    if kind in ("", "0", "1"):  # none, or a whole country: the actors say as much
        return None
    name = row[get["ActionGeo_FullName"]].strip()
    if not name:
        return None
    feature = row[get["ActionGeo_FeatureID"]].strip() or name
    found = places.get(feature)
    if found is not None:
        return found
    base = "place-" + slug(name)
    eid, n = base, 1
    while eid in collector.entities:
        n += 1
        eid = f"{base}-{n}"
    lat, lon = number(row[get["ActionGeo_Lat"]]), number(row[get["ActionGeo_Long"]])
    ok = lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180
    found = collector.entity(
        eid,
        name,
        "place",
        aliases=[name.split(",")[0]],  # the city: "Panmunjom" finds the place
        identifiers={"gdelt-geo": feature},
        lat=lat if ok else None,
        lon=lon if ok else None,
    )
    places[feature] = found
    return found


def _dialect(text) -> type[csv.Dialect]:
    """Tab-separated without quoting (raw exports), or comma-separated CSV."""
    first = text.buffer.peek(65536)[:65536].split(b"\n", 1)[0]
    if b"\t" in first:
        return Tabs
    return csv.excel


def _chain_first(first, rows):
    yield first
    yield from rows

"""The data format (version 1): each record's fields, as data.

``RECORDS`` describes every record's fields; the full checker (``records``), the rules
(``rules``), the JSON Schema and the fast path's Structs (``check.fast``) are made from
it. Nothing here imports the rest of diplograph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SCHEMA_VERSION = 1

ENTITY_TYPES = ("person", "country", "organization", "place", "group", "event")

#: How sure the source is of a relation. Every result row shows it.
CERTAINTY = {
    "stated": "stated as fact by the source's author",
    "reported": "attributed by the author to someone else (see reported_by)",
    "hedged": "the author's own hedged judgement ('likely', 'it is possible')",
    "hypothetical": "a possibility the source raises, not a fact ('could', 'may')",
    "coded": "machine-coded from news text by an event coder (GDELT, ICEWS); no person read it",
}
#: The certainty of machine-coded facts: their evidence may have no quote (a URL, a story
#: id and sentence number instead); every other level needs a verbatim quote.
CODED = "coded"

ENTITY_ID = r"^[a-z0-9][a-z0-9-]*$"
RELATION_ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
# Characters XML 1.0 cannot carry, and carriage returns (XML readers turn them into
# newlines); refusing them here keeps every export lossless. Tab and newline are fine.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Field:
    """One field of a record: its JSON type, whether it is required, what it means."""

    name: str
    kind: (
        str  # string | boolean | date | strings | evidence | id | number | identifiers | attributes
    )
    required: bool
    description: str
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None  # for numbers
    maximum: float | None = None


EVIDENCE_FIELDS = (
    Field("source", "string", True, "Id of the source (in `sources`) the quote comes from."),
    Field(
        "quote",
        "string",
        False,
        "The exact words of the source, verbatim, never empty; required unless the "
        "relation's certainty is `coded`.",
    ),
    Field("url", "string", False, "Where this piece of evidence can be read (an article)."),
    Field(
        "locator",
        "string",
        False,
        "Where in the source: an event id, story id and sentence number, a page.",
    ),
)

RECORDS: dict[str, tuple[Field, ...]] = {
    "sources": (
        Field("id", "id", True, "Stable id cited by evidence.", pattern=ENTITY_ID),
        Field("title", "string", True, "Title of the document."),
        Field("publisher", "string", True, "Who published it."),
        Field("published", "date", True, "Publication date (EDTF, e.g. 2025-06-24)."),
        Field("url", "string", False, "Where it can be read."),
        Field(
            "text",
            "string",
            False,
            "Its text file, relative to this data file (by convention sources/<id>.txt): "
            "validate checks quotes against it when the file is there.",
        ),
    ),
    "relation_types": (
        Field("id", "id", True, "The word users type, e.g. `released`.", pattern=ENTITY_ID),
        Field("label", "string", True, "How it reads from source to target: 'released'."),
        Field("inverse", "string", True, "How it reads from target to source: 'was released by'."),
        Field("symmetric", "boolean", True, "True when direction carries no meaning (met)."),
        Field(
            "category",
            "string",
            True,
            "What kind of fact it is.",
            enum=("event", "role", "tie", "stance"),
        ),
        Field("cameo", "string", False, "CAMEO event code, where one exists (e.g. 0841)."),
        Field("description", "string", False, "One line on when to use it."),
        Field(
            "cues",
            "strings",
            False,
            "Words that signal it in a text, for `extract`: 'met with'; a final * "
            "matches any ending ('negotiat*').",
        ),
    ),
    "entities": (
        Field("id", "id", True, "Stable slug, e.g. `alexander-lukashenko`.", pattern=ENTITY_ID),
        Field("name", "string", True, "The name to display."),
        Field("type", "string", True, "Kind of actor.", enum=ENTITY_TYPES),
        Field("aliases", "strings", False, "Other spellings and short names users type."),
        Field("description", "string", False, "One line, drawn from the source."),
        Field(
            "identifiers",
            "identifiers",
            False,
            'Ids in other systems, by scheme: {"cameo": "USA", "wikidata": "Q30"}. '
            "Entities sharing one are the same (the importers merge them).",
        ),
        Field(
            "lat", "number", False, "Latitude (WGS 84 degrees), with `lon`.", None, None, -90, 90
        ),
        Field(
            "lon", "number", False, "Longitude (WGS 84 degrees), with `lat`.", None, None, -180, 180
        ),
    ),
    "relations": (
        Field("id", "id", True, "Unique, stable id.", pattern=RELATION_ID),
        Field("type", "string", True, "A relation type id (see `relation_types`)."),
        Field("source", "string", True, "Entity id of the actor."),
        Field("target", "string", True, "Entity id acted upon."),
        Field("date", "date", False, "When, in EDTF: 2025-06-21, 2025-04, 2024-23, 2020/2025."),
        Field("date_text", "string", False, "The date as the source words it ('late January')."),
        Field("place", "string", False, "Entity id of where it happened."),
        Field("certainty", "string", True, "How sure the source is.", enum=tuple(CERTAINTY)),
        Field("reported_by", "string", False, "Entity id of who reported it (certainty reported)."),
        Field("evidence", "evidence", True, "Where it comes from: at least one quote."),
        Field("note", "string", False, "Curator's note."),
        Field(
            "attributes",
            "attributes",
            False,
            "Numbers an event coder gives, by name: goldstein, tone, mentions, intensity...",
        ),
    ),
}

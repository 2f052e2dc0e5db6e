"""The data model (format version 1): records, their fields, and every validation rule.

One table (``RECORDS``) describes each record's fields; from it come both the validator
(``check_document``, ``check_dataset``) and the published JSON Schema (``json_schema``),
so the two cannot drift. No I/O here: ``check.files`` reads files and calls these.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from .fields import (  # noqa: F401 (the format's names, read from here too)
    CERTAINTY,
    CODED,
    CONTROL_CHARACTERS,
    ENTITY_ID,
    ENTITY_TYPES,
    EVIDENCE_FIELDS,
    RECORDS,
    RELATION_ID,
    SCHEMA_VERSION,
    Field,
)
from .rules import (
    CITED,
    IDS,
    REFERENCES,
    Agree,
    NotBlank,
    record_rule_problems,
    relation_rule_problems,
    value_rules,
)

#: ``$schema``: where editors find the JSON Schema (a URL or a path); not read otherwise.
_TOP_LEVEL = ("$schema", "schema_version", *RECORDS)


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation problem, located by JSON path."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


def _check_string(value: Any, path: str, allow_empty: bool = False) -> Iterator[Problem]:
    if not isinstance(value, str):
        yield Problem(path, f"expected a string, got {_json_type(value)}")
    elif not allow_empty and NotBlank.problem(value):
        yield Problem(path, NotBlank.says)
    elif CONTROL_CHARACTERS.search(value):
        yield Problem(path, "contains a control character")


def _check_field(
    spec: Field, value: Any, path: str, rules: dict[str, tuple], evidence: dict[str, tuple]
) -> list[Problem]:
    """The field's type (text also not blank, ``NotBlank``'s message, and without
    control characters), then, once it is right, ``rules[spec.name]``: the rules of
    ``ALONE`` on its value (``rules.value_rules``; ``evidence``: those on the fields of
    a piece of evidence)."""
    problems = list(_check_type(spec, value, path, evidence))
    if not problems and spec.name in rules:
        for rule in rules[spec.name]:
            if problem := rule.problem(value):
                problems.append(Problem(path, problem))
    return problems


def _check_type(
    spec: Field, value: Any, path: str, evidence: dict[str, tuple]
) -> Iterator[Problem]:
    if spec.kind in ("string", "id"):
        problems = list(_check_string(value, path))
        yield from problems
        if problems:
            return
        if spec.enum and value not in spec.enum:
            yield Problem(
                path,
                f"'{value}' is not one of {', '.join(spec.enum)}" + _closest(value, spec.enum),
            )
    elif spec.kind == "boolean":
        if not isinstance(value, bool):
            yield Problem(path, f"expected true or false, got {_json_type(value)}")
    elif spec.kind == "date":
        yield from _check_string(value, path)
    elif spec.kind == "strings":
        if not isinstance(value, list):
            yield Problem(path, f"expected an array of strings, got {_json_type(value)}")
            return
        for i, item in enumerate(value):
            yield from _check_string(item, f"{path}[{i}]")
    elif spec.kind == "number":
        if not _is_number(value):
            yield Problem(path, f"expected a number, got {_json_type(value)}")
        elif not (spec.minimum <= value <= spec.maximum):
            yield Problem(path, f"{value} is not between {spec.minimum:g} and {spec.maximum:g}")
    elif spec.kind in ("identifiers", "attributes"):
        if not isinstance(value, dict):
            yield Problem(path, f"expected an object, got {_json_type(value)}")
            return
        for key, item in value.items():
            yield from _check_string(key, f"{path} key {key!r}")
            if spec.kind == "identifiers":
                yield from _check_string(item, f"{path}.{key}")
            elif not _is_number(item):
                yield Problem(f"{path}.{key}", f"expected a number, got {_json_type(item)}")
    elif spec.kind == "evidence":
        if not isinstance(value, list):
            yield Problem(path, f"expected an array of evidence objects, got {_json_type(value)}")
        elif not value:
            yield Problem(path, "a relation needs at least one piece of evidence")
        else:
            for i, item in enumerate(value):
                yield from _check_record(EVIDENCE_FIELDS, item, f"{path}[{i}]", "", evidence)


def _is_number(value: Any) -> bool:
    """A finite JSON number (``json`` reads NaN and Infinity, which JSON does not have)."""
    import math

    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _record_rules(kind: str, record: dict, path: str) -> Iterator[Problem]:
    """The rules between fields of one well-shaped record (``rules.ALONE[kind]``'s with
    ``problems``)."""
    for where, message in record_rule_problems(kind, path, record):
        yield Problem(where, message)


def _check_record(
    fields: tuple[Field, ...],
    record: Any,
    path: str,
    kind: str,
    rules: dict[str, tuple] | None = None,
) -> Iterator[Problem]:
    """The problems of one record of ``kind`` (``""``: a piece of evidence, whose value
    rules are ``rules``): each field's (``_check_field``), then those between its
    fields. Every rule it applies beyond a field's type is one of ``rules.ALONE[kind]``."""
    if not isinstance(record, dict):
        yield Problem(path, f"expected an object, got {_json_type(record)}")
        return
    if rules is None:
        rules = value_rules(kind)
    evidence = value_rules(kind, "evidence.") if any(f.kind == "evidence" for f in fields) else {}
    known = {f.name for f in fields}
    problems: list[Problem] = []
    for spec in fields:
        if spec.name not in record:
            if spec.required:
                problems.append(Problem(f"{path}.{spec.name}", "is required"))
            continue
        where = f"{path}.{spec.name}"
        problems.extend(_check_field(spec, record[spec.name], where, rules, evidence))
    for name in record:
        if name not in known:
            problems.append(Problem(f"{path}.{name}", "unknown field"))
    yield from problems
    if not problems and kind:
        yield from _record_rules(kind, record, path)


def not_an_array(kind: str, value: Any) -> Problem:
    """The problem with a ``kind`` of records that is not a JSON array."""
    return Problem(kind, f"expected an array, got {_json_type(value)}")


def check_document(doc: Any) -> list[Problem]:
    """Check one file's JSON value against the format: shapes, types, enums, dates."""
    if not isinstance(doc, dict):
        return [Problem("", f"expected a JSON object at the top level, got {_json_type(doc)}")]
    problems: list[Problem] = []
    version = doc.get("schema_version")
    if version is None:
        problems.append(Problem("schema_version", "is required (use 1)"))
    elif version != SCHEMA_VERSION or isinstance(version, bool):
        problems.append(Problem("schema_version", f"unsupported version {version!r} (use 1)"))
    for name in doc:
        if name not in _TOP_LEVEL:
            problems.append(Problem(name, "unknown top-level field"))
    if "$schema" in doc:
        problems.extend(_check_string(doc["$schema"], "$schema", allow_empty=True))
    for kind, fields in RECORDS.items():
        records = doc.get(kind, [])
        if not isinstance(records, list):
            problems.append(not_an_array(kind, records))
            continue
        for i, record in enumerate(records):
            problems.extend(_check_record(fields, record, f"{kind}[{i}]", kind))
    return problems


def without_bad_records(doc: dict, problems: list[Problem]) -> dict:
    """The document with each record that has a shape problem reduced to a stub.

    A stub keeps only the record's id (``{"id": ..., "_bad": True}``, or None without a
    usable id), so indices stay stable, references to it still resolve, and the
    cross-record checks run on the well-formed records without cascading errors.
    """
    bad: dict[str, set[int]] = {}
    for problem in problems:
        kind, _, rest = problem.path.partition("[")
        if kind in RECORDS and rest[:1].isdigit():
            bad.setdefault(kind, set()).add(int(rest.split("]", 1)[0]))
    clean = {}
    for kind in RECORDS:
        records = doc.get(kind, [])
        if not isinstance(records, list):
            continue
        clean[kind] = [stub(r) if i in bad.get(kind, ()) else r for i, r in enumerate(records)]
    return clean


def stub(record: Any) -> dict | None:
    """What is kept of a record with problems: its id, if it has a usable one."""
    if isinstance(record, dict) and isinstance(record.get("id"), str):
        return {"id": record["id"], "_bad": True}
    return None


def _closest(word: str, choices: list[str]) -> str:
    """ " (did you mean 'x'?)" with difflib's closest choice, or "".

    With many choices, rapidfuzz first drops those that cannot reach difflib's cutoff:
    difflib's ratio counts matching blocks, a common subsequence, so it never exceeds
    the ratio rapidfuzz computes from the longest one (same 2*M/T form). The answer is
    difflib's either way, in milliseconds instead of seconds at 100,000 ids."""
    import difflib

    choices = list(choices)
    if len(choices) > 1000:
        from rapidfuzz import fuzz, process

        found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=59.9, limit=None)
        choices = [choice for choice, _, _ in found]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def record_problems(kind: str, record: Any, i: int) -> list[Problem]:
    """The shape problems of record ``i`` of ``kind`` (what ``check_document`` finds in it)."""
    return list(_check_record(RECORDS[kind], record, f"{kind}[{i}]", kind))


class Duplicates:
    """The ids seen so far, per kind, in reading order: the first use of an id wins."""

    def __init__(self) -> None:
        #: kind -> id -> (file name, index, the record: kept for relation types only)
        self.seen: dict[str, dict[str, tuple[str, int, Any]]] = {k: {} for k in RECORDS}

    def check(self, kind: str, filename: str, i: int, record: dict) -> str | None:
        """The problem when ``record`` (record ``i`` of ``kind`` in ``filename``) repeats
        an id seen before, else None (and the id is now seen)."""
        rid = record["id"]
        first = self.seen[kind].get(rid)
        if first is None:
            kept = record if isinstance(IDS[kind], Agree) else None
            self.seen[kind][rid] = (filename, i, kept)
            return None
        first_file, first_i, first_record = first
        if IDS[kind].allows(first_record, record):
            return None  # (rules.Agree: the same relation type twice is harmless)
        return f"{filename}: {kind}[{i}].id: " + IDS[kind].says.format(
            rid, f"{first_file}: {kind}[{first_i}]"
        )


#: Unknown references that get a did-you-mean, per check: finding the closest of 100,000
#: ids takes milliseconds, and data with a million bad references would take hours.
SUGGESTIONS = 100


class References:
    """What relations may refer to, once every file's ids are seen."""

    def __init__(self, duplicates: Duplicates):
        seen = duplicates.seen
        self.entity_ids = list(seen["entities"])
        self.source_ids = list(seen["sources"])
        self.type_ids = list(seen["relation_types"])
        self.entities = set(self.entity_ids)
        self.sources = set(self.source_ids)
        self.types = set(self.type_ids)
        self._suggested: dict[tuple[str, str], str] = {}
        self._known = {"entities": self.entities, "relation_types": self.types}
        self._ids = {"entities": self.entity_ids, "relation_types": self.type_ids}

    def _closest(self, word: str, choices: list[str], kind: str) -> str:
        """``_closest``, for the first SUGGESTIONS distinct unknown references."""
        key = (kind, word)
        if key not in self._suggested:
            if len(self._suggested) >= SUGGESTIONS:
                return ""
            self._suggested[key] = _closest(word, choices)
        return self._suggested[key]

    def problems(self, where: str, rel: dict) -> list[str]:
        """The problems of the well-formed relation ``rel``, found at ``where``."""
        problems = []
        for rule in REFERENCES:  # (rules.REFERENCES: its type, then each end)
            ref = rel.get(rule.field)
            if ref is not None and ref not in self._known[rule.to]:
                problems.append(
                    f"{where}.{rule.field}: {rule.says.format(ref)}"
                    + self._closest(ref, self._ids[rule.to], rule.to)
                )
        problems += relation_rule_problems(where, rel)  # (reporter named, ends differ)
        for j, ev in enumerate(rel["evidence"]):
            if ev["source"] not in self.sources:
                problems.append(
                    f"{where}.evidence[{j}].source: {CITED.says.format(ev['source'])}"
                    + self._closest(ev["source"], self.source_ids, "source")
                )
        return problems


def check_dataset(documents: list[tuple[str, dict]]) -> list[str]:
    """Cross-record rules over all files merged: unique ids, references that resolve.

    ``documents`` are (file name, JSON object) pairs cleaned by ``without_bad_records``
    (records with shape problems are None and skipped).
    Returns messages prefixed with the file name, in file order.
    """
    problems: list[str] = []
    duplicates = Duplicates()
    for filename, doc in documents:
        for kind in RECORDS:
            for i, record in enumerate(doc.get(kind, [])):
                if record is not None:
                    found = duplicates.check(kind, filename, i, record)
                    if found:
                        problems.append(found)
    references = References(duplicates)
    for filename, doc in documents:
        for i, rel in enumerate(doc.get("relations", [])):
            if rel is not None and not rel.get("_bad"):
                problems.extend(references.problems(f"{filename}: relations[{i}]", rel))
    return problems


def _field_schema(spec: Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if spec.kind in ("string", "id"):
        schema = {"type": "string", "minLength": 1}
    elif spec.kind == "boolean":
        schema = {"type": "boolean"}
    elif spec.kind == "date":
        schema = {"type": "string", "minLength": 1, "$comment": "EDTF, see diplograph.dates"}
    elif spec.kind == "strings":
        schema = {"type": "array", "items": {"type": "string", "minLength": 1}}
    elif spec.kind == "evidence":
        schema = {"type": "array", "minItems": 1, "items": _record_schema(EVIDENCE_FIELDS)}
    elif spec.kind == "number":
        schema = {"type": "number", "minimum": spec.minimum, "maximum": spec.maximum}
    elif spec.kind == "identifiers":
        schema = {
            "type": "object",
            "propertyNames": {"minLength": 1},
            "additionalProperties": {"type": "string", "minLength": 1},
        }
    elif spec.kind == "attributes":
        schema = {
            "type": "object",
            "propertyNames": {"minLength": 1},
            "additionalProperties": {"type": "number"},
        }
    else:  # pragma: no cover - a new kind must be added here
        raise ValueError(spec.kind)
    if spec.enum:
        schema["enum"] = list(spec.enum)
    if spec.pattern:
        schema["pattern"] = spec.pattern
    return {"description": spec.description, **schema}


def _record_schema(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {f.name: _field_schema(f) for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a data file, generated from ``RECORDS`` (as data/schema.json)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://diplograph.dev/schema/v1.json",
        "title": "diplograph data file (format version 1)",
        "description": "Actors, relations between them, and the sources that evidence them.",
        "type": "object",
        "properties": {
            "$schema": {"type": "string", "description": "Where editors find this schema."},
            "schema_version": {"const": SCHEMA_VERSION},
            **{
                kind: {"type": "array", "items": _record_schema(fields)}
                for kind, fields in RECORDS.items()
            },
        },
        "required": ["schema_version"],
        "additionalProperties": False,
    }


def evidence_words(ev: dict) -> str:
    """What search looks in for one piece of evidence: its quote, and where it is (the
    URL and locator of a machine-coded fact)."""
    if "url" not in ev and "locator" not in ev:
        return ev.get("quote", "")
    return " ".join(filter(None, (ev.get("quote"), ev.get("url"), ev.get("locator"))))


STRAIGHT_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-"})


def loose(text: str) -> str:
    """Text with typographic quotes straightened and whitespace collapsed."""
    return " ".join(text.translate(STRAIGHT_QUOTES).split())


class Quotes:
    """Checks that every quote citing a source in ``texts`` occurs verbatim in its text,
    a relation at a time; ``problems`` and ``checked`` (quotes compared) accumulate.
    A near miss (only quote marks, dashes or spacing differ) is named as such, since it
    is the usual curation slip."""

    def __init__(self, texts: dict[str, str], known_sources: Iterable[str]):
        self.texts = texts
        self.loose = {sid: loose(text) for sid, text in texts.items()}
        self.checked = 0
        known = set(known_sources)
        self.problems = [
            f"--source-text: unknown source '{source_id}'" + _closest(source_id, sorted(known))
            for source_id in sorted(set(texts) - known)
        ]

    def relation(self, filename: str, i: int, evidence: Iterable[tuple[str, str]]) -> None:
        """Check relation ``i`` of ``filename``: its evidence as (source, quote) pairs."""
        for j, (source, quote) in enumerate(evidence):
            text = self.texts.get(source)
            if text is None or quote is None:  # a coded fact without a quote
                continue
            self.checked += 1
            if quote in text:
                continue
            near = loose(quote) in self.loose[source]
            why = "differs only in quote marks, dashes or spacing" if near else "not found"
            short = quote if len(quote) <= 60 else quote[:57] + "..."
            self.problems.append(
                f"{filename}: relations[{i}].evidence[{j}].quote: {why} in source "
                f"'{source}': \"{short}\""
            )


def check_quotes(documents: list[tuple[str, dict]], texts: dict[str, str]) -> tuple[list[str], int]:
    """``Quotes`` over whole checked documents: (problems, number of quotes checked)."""
    quotes = Quotes(texts, (s["id"] for _, doc in documents for s in doc.get("sources", [])))
    for filename, doc in documents:
        for i, rel in enumerate(doc.get("relations", [])):
            cited = rel["evidence"]
            quotes.relation(filename, i, ((ev["source"], ev.get("quote")) for ev in cited))
    return quotes.problems, quotes.checked


if __name__ == "__main__":  # python -m diplograph.model.records > data/schema.json
    import json
    import sys

    json.dump(json_schema(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")

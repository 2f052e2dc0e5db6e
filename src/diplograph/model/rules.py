"""Every rule on the records of a data file, each stated once.

A rule is data: which fields, what must hold, what the full checker says when it does
not. Every path that checks records applies the same rule objects, each over what it
holds:

- ``problem``/``problems``/``broken`` over one value or one record as plain JSON values:
  the full checker (``records``), which names every problem: it reads them from
  ``ALONE[kind]`` (``value_rules``: each rule with a ``field`` and a ``problem``, on
  that field's value once its type is right; ``record_rule_problems``: each with
  ``problems``, once the record is well formed; ``relation_rule_problems``: each with
  ``broken``, after a relation's references). Its type checks refuse blank text in
  ``NotBlank``'s words on every text field;
- ``hold`` over columns (field name -> one value per record, None where absent;
  ``evidence.quote`` and the like: one value per piece of evidence, in order): the
  fast path (``check.fast.own_rules_ok``, ``cross_check_fast``), the slice checker
  (``check.stream``) and the pack builder (``store.build``, ``store.relations``);
- ``hold_coded`` over the builder's integer columns (entity positions, -1 for none;
  codes for enumerations), with numpy where given.

``ALONE[kind]`` holds the rules on one record of a kind (``holds`` applies them all),
``RELATION_RULES`` those between a relation's own fields, ``REFERENCES`` what a
relation refers to, ``IDS[kind]`` the rule on a kind's ids (``Unique``; ``Agree`` for
relation types, which may share an id only if alike). A new field in
``fields.RECORDS`` is covered by the rules of its kind (text not blank, dates EDTF)
without an edit here; a new rule of a kind is one line in one of these tables; a new
kind is one class here.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import dates
from .datewords import date_text_problem
from .fields import CODED, EVIDENCE_FIELDS, RECORDS, Field

Columns = Mapping[str, Sequence]

# -- rules on one value ----------------------------------------------------------------------


@dataclass(frozen=True)
class NotBlank:
    """No text of these fields is empty or only whitespace (``texts``: strings;
    ``lists``: arrays of strings; ``keys``/``maps``: objects, their keys / keys and
    values). Decoding refuses an empty string on the fast paths, so their columns are
    searched for whitespace only."""

    texts: tuple[str, ...]
    lists: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    maps: tuple[str, ...] = ()
    says = "must not be empty"

    @staticmethod
    def problem(value: str) -> str | None:
        return NotBlank.says if not value.strip() else None

    def hold(self, columns: Columns, implied: Collection[str] = ()) -> bool:
        """``implied``: fields the path knows to be known ids (looked up), not searched."""
        flat = itertools.chain.from_iterable
        groups: list[Iterable] = [filter(None, columns[f]) for f in self.texts if f not in implied]
        groups += [flat(filter(None, columns[f])) for f in (*self.lists, *self.keys, *self.maps)]
        groups += [flat(map(dict.values, filter(None, columns[f]))) for f in self.maps]
        return not any(any(map(str.isspace, group)) for group in groups)


@dataclass(frozen=True)
class Matches:
    """The field's every value matches ``pattern`` (``^...$``)."""

    field: str
    pattern: str
    says = "'{}' is not a valid id (lowercase letters, digits, '-')"

    def problem(self, value: str) -> str | None:
        return None if re.match(self.pattern, value) else self.says.format(value)

    def hold(self, columns: Columns) -> bool:
        return all_match(self.pattern, list(columns[self.field]))


def all_match(pattern: str, values: list[str]) -> bool:
    """Every value matches the ^...$ pattern: one regex pass over the values joined."""
    if not values:
        return True
    joined = "\n".join(values)
    if joined.count("\n") != len(values) - 1:  # a value holds a newline
        return False
    body = pattern.strip("^$")
    return re.fullmatch(f"(?:{body}\n)*{body}", joined) is not None


@dataclass(frozen=True)
class Edtf:
    """The field's every value (where given) is an EDTF date (``model.dates``)."""

    field: str

    @staticmethod
    def problem(value: str) -> str | None:
        try:
            dates.parse(value)
        except dates.DateError as exc:
            return f"invalid date: {exc}"
        return None

    def hold(self, columns: Columns) -> bool:
        try:
            for text in set(columns[self.field]) - {None}:
                dates.parse(text)
        except dates.DateError:
            return False
        return True


# -- rules between the fields of one record --------------------------------------------------


@dataclass(frozen=True)
class DateWords:
    """A ``date_text`` holds a date word in each fragment (``datewords``)."""

    field: str = "date_text"

    def problems(self, where: str, record: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
        problem = date_text_problem(record[self.field]) if self.field in record else None
        return [(f"{where}.{self.field}", problem)] if problem else []

    def hold(self, columns: Columns) -> bool:
        return not any(map(date_text_problem, set(filter(None, columns[self.field]))))


@dataclass(frozen=True)
class Together:
    """Two fields are given together or not at all (``lat`` and ``lon``)."""

    first: str
    second: str
    says = "is required with {}/{}"

    def problems(self, where: str, record: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
        if (self.first in record) == (self.second in record):
            return []
        missing = self.second if self.first in record else self.first
        return [(f"{where}.{missing}", self.says.format(self.first, self.second))]

    def hold(self, columns: Columns) -> bool:
        given = (x is None for x in columns[self.first])
        return all(map(operator.eq, given, (x is None for x in columns[self.second])))


@dataclass(frozen=True)
class EvidenceByCertainty:
    """Each piece of evidence has a quote, unless the relation's certainty is ``coded``;
    a coded fact's has a quote, a url or a locator."""

    says_coded = "needs a quote, a url or a locator"
    says = f"is required (only '{CODED}' facts may go without a quote)"

    def problems(self, where: str, record: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
        coded = record["certainty"] == CODED
        for i, ev in enumerate(record["evidence"]):
            if coded and not ({"quote", "url", "locator"} & ev.keys()):
                yield f"{where}.evidence[{i}]", self.says_coded
            elif not coded and "quote" not in ev:
                yield f"{where}.evidence[{i}].quote", self.says

    def hold(self, columns: Columns) -> bool:
        """Over ``certainty`` and ``evidence`` (each relation's list: only its length is
        read) and the evidence columns ``evidence.quote``, ``.url``, ``.locator``."""
        quotes = columns["evidence.quote"]
        if None not in quotes:  # (the usual case: every piece quoted)
            return True
        counts = map(len, columns["evidence"])
        levels = itertools.chain.from_iterable(map(itertools.repeat, columns["certainty"], counts))
        found = zip(
            levels, quotes, columns["evidence.url"], columns["evidence.locator"], strict=True
        )
        for level, quote, url, locator in found:
            if quote is None and (level != CODED or (url is None and locator is None)):
                return False
        return True


@dataclass(frozen=True)
class Differ:
    """Two fields of a relation name different entities (the message names ``field``)."""

    other: str
    field: str
    says: str  # formatted with the relation's fields

    def broken(self, rel: Mapping[str, Any]) -> bool:
        return rel[self.other] == rel[self.field]

    def hold(self, columns: Columns) -> bool:
        return not any(map(operator.eq, columns[self.other], columns[self.field]))

    @property
    def coded(self) -> dict[str, str]:
        """How ``hold_coded`` reads each field: entity positions."""
        return {self.other: "positions", self.field: "positions"}

    def hold_coded(self, columns: Mapping[str, Any], codes: Mapping, numpy: Any = None) -> bool:
        """Over entity positions (arrays of ``i``); ``numpy``: compare them with it."""
        first, second = columns[self.other], columns[self.field]
        if numpy is None:
            return not any(map(int.__eq__, first, second))
        as_ints = (numpy.frombuffer(x, dtype=numpy.intc) for x in (first, second))
        return not bool(operator.eq(*as_ints).any())


@dataclass(frozen=True)
class RequiredWhen:
    """A field is given when another field has a value (absent: not written; a column's
    None; a position below 0)."""

    field: str
    when: str
    value: str
    says: str

    def broken(self, rel: Mapping[str, Any]) -> bool:
        return rel.get(self.when) == self.value and self.field not in rel

    def hold(self, columns: Columns) -> bool:
        given = itertools.compress(columns[self.field], map(self.value.__eq__, columns[self.when]))
        return None not in given

    @property
    def coded(self) -> dict[str, str]:
        """How ``hold_coded`` reads each field: ``when`` as codes, ``field`` as positions."""
        return {self.when: "codes", self.field: "positions"}

    def hold_coded(self, columns: Mapping[str, Any], codes: Mapping, numpy: Any = None) -> bool:
        """``columns[when]``: codes (``codes[when][value]`` is the value's); ``field``:
        entity positions, below 0 when absent."""
        code = codes[self.when][self.value]
        when, field = columns[self.when], columns[self.field]
        if numpy is None:
            return not any(who < 0 for level, who in zip(when, field, strict=True) if level == code)
        levels = numpy.frombuffer(when, dtype=numpy.uint8)
        return not bool(((levels == code) & (numpy.frombuffer(field, dtype=numpy.intc) < 0)).any())


# -- rules between records ---------------------------------------------------------------------


@dataclass(frozen=True)
class Refers:
    """Every value of the field (where given) is the id of a known record of ``to``."""

    field: str
    to: str  # entities | relation_types | sources
    says: str  # formatted with the value

    def hold(self, columns: Columns, known: Collection[str]) -> bool:
        found = set(columns[self.field])
        found.discard(None)
        return found <= known


@dataclass(frozen=True)
class Unique:
    """No two records of a kind share an id."""

    says = "duplicate id '{}' (first at {})"

    @staticmethod
    def hold(ids: Sequence[str]) -> bool:
        return len(set(ids)) == len(ids)

    @staticmethod
    def allows(first: Any, record: Any) -> bool:
        """Whether ``record`` may share the id of ``first``, a record seen before."""
        return False


@dataclass(frozen=True)
class Agree(Unique):
    """Records of a kind share an id only if they are alike: the same relation type
    defined in two files is harmless, defined differently it is a duplicate id."""

    @staticmethod
    def allows(first: Any, record: Any) -> bool:
        return first == record

    @staticmethod
    def merged(records: Iterable[Any]) -> dict[str, Any] | None:
        """id -> record of ``records`` (Structs, in order; the first of each id), or
        None when two records with one id are not alike."""
        found: dict[str, Any] = {}
        for record in records:
            if found.setdefault(record.id, record) != record:
                return None
        return found


# -- the tables --------------------------------------------------------------------------------


def _not_blank(fields: tuple[Field, ...], prefix: str = "") -> NotBlank:
    """Every text field of a record (or of its evidence), as the full checker checks it:
    those an id pattern, an enumeration or a date rule does not already refuse blank."""
    texts = [
        prefix + f.name
        for f in fields
        if f.kind in ("string", "id") and not f.pattern and not f.enum
    ]
    if any(f.kind == "evidence" for f in fields):
        texts += _not_blank(EVIDENCE_FIELDS, "evidence.").texts
    named = {kind: tuple(f.name for f in fields if f.kind == kind) for kind in ("strings",)}
    return NotBlank(
        tuple(texts),
        lists=named["strings"],
        keys=tuple(f.name for f in fields if f.kind == "attributes"),
        maps=tuple(f.name for f in fields if f.kind == "identifiers"),
    )


def _alone(kind: str) -> tuple:
    fields = RECORDS[kind]
    found: list = [Matches(f.name, f.pattern) for f in fields if f.pattern]
    found.append(_not_blank(fields))
    found += [Edtf(f.name) for f in fields if f.kind == "date"]
    return tuple(found)


#: The rules between a relation's own fields, in the order the full checker reports them
#: (after its references).
RELATION_RULES = (
    RequiredWhen(
        "reported_by", "certainty", "reported", "is required when certainty is 'reported'"
    ),
    Differ("source", "target", "a relation cannot join '{source}' to itself"),
)

#: The rules between one record's fields, by kind, as the full checker reports them once
#: its fields are well formed.
RECORD_RULES: dict[str, tuple] = {
    "entities": (Together("lat", "lon"),),
    "relations": (DateWords(), EvidenceByCertainty()),
}

#: Every rule on one record alone, by kind: its fields' (id pattern, no blank text, EDTF
#: dates), those between its fields, and a relation's own.
ALONE: dict[str, tuple] = {kind: (*_alone(kind), *RECORD_RULES.get(kind, ())) for kind in RECORDS}
ALONE["relations"] += RELATION_RULES

#: The rule on the ids of each kind of record.
IDS: dict[str, Unique] = {kind: Unique() for kind in RECORDS}
IDS["relation_types"] = Agree()

#: The fields of a relation naming an entity.
ENDS = ("source", "target", "place", "reported_by")
#: What a relation refers to, in the order the full checker reports them (evidence
#: sources after the relation's own rules).
REFERENCES = (
    Refers("type", "relation_types", "unknown relation type '{}'"),
    *(Refers(f, "entities", "unknown entity '{}'") for f in ENDS),
)
CITED = Refers("evidence.source", "sources", "unknown source '{}'")


def holds(
    kind: str, columns: Columns, implied: Collection[str] = (), skip: Collection = ()
) -> bool:
    """Whether every record in ``columns`` (of ``kind``) passes every rule on it alone
    (``implied``: fields the caller has looked up as known ids; ``skip``: rules it
    applies in another form, e.g. ``hold_coded``)."""
    for rule in ALONE[kind]:
        if rule in skip:
            continue
        if not (rule.hold(columns, implied) if isinstance(rule, NotBlank) else rule.hold(columns)):
            return False
    return True


def value_rules(kind: str, prefix: str = "") -> dict[str, tuple]:
    """The rules of ``ALONE[kind]`` on one value (those with a ``field`` and a
    ``problem``), by the field they are on (``prefix``: of those on fields of a
    relation's evidence, ``"evidence."``, by the evidence field), in ``ALONE``'s order:
    the full checker applies them to each value once its type is right."""
    rules = ALONE.get(kind, ())
    kept = _VALUE_RULES.get((kind, prefix))
    if kept is None or kept[0] is not rules:  # (made again when ALONE[kind] is replaced)
        kept = _VALUE_RULES[kind, prefix] = (rules, _value_rules(rules, prefix))
    return kept[1]


#: (kind, prefix) -> (ALONE[kind], its value rules): the full checker asks once a record.
_VALUE_RULES: dict[tuple[str, str], tuple[tuple, dict[str, tuple]]] = {}


def _value_rules(rules: tuple, prefix: str) -> dict[str, tuple]:
    found: dict[str, tuple] = {}
    for rule in rules:
        field = getattr(rule, "field", None)
        if hasattr(rule, "problem") and field is not None and field.startswith(prefix):
            name = field[len(prefix) :]
            if "." not in name:
                found[name] = (*found.get(name, ()), rule)
    return found


def relation_rule_problems(where: str, rel: Mapping[str, Any]) -> list[str]:
    """The full checker's messages for the rules between ``rel``'s own fields it breaks
    (those of ``ALONE["relations"]`` with ``broken``: ``RELATION_RULES``'s kind)."""
    return [
        f"{where}.{rule.field}: {rule.says.format_map(rel)}"
        for rule in ALONE["relations"]
        if hasattr(rule, "broken") and rule.broken(rel)
    ]


def record_rule_problems(kind: str, where: str, record: Mapping[str, Any]) -> list[str]:
    """(path, message) for the rules between the well-formed ``record``'s fields (those
    of ``ALONE[kind]`` with ``problems``: ``RECORD_RULES``'s kind)."""
    return [
        found
        for rule in ALONE.get(kind, ())
        if hasattr(rule, "problems")
        for found in rule.problems(where, record)
    ]

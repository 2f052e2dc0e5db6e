"""Rules between the fields of one relation, each stated once.

A rule is data: which fields, what must hold, what the full checker says when it does
not. Every path that checks relations applies the same rules through the methods of
their kind, each over what it holds: ``broken`` over one relation as plain JSON values
(the full checker, ``records.References``), ``hold`` over columns of values (the fast
path, ``check.fast.own_rules_ok``; the slice checker, ``check.stream``), ``hold_coded``
over the pack builder's integer columns (entity positions, -1 for none; codes for
enumerations), with numpy where given. A new rule of a kind is one line in
``RELATION_RULES``; a new kind is one class here.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Differ:
    """Two fields of a relation name different entities (the message names ``field``)."""

    other: str
    field: str
    says: str  # formatted with the relation's fields

    def broken(self, rel: Mapping[str, Any]) -> bool:
        return rel[self.other] == rel[self.field]

    def hold(self, columns: Mapping[str, Sequence]) -> bool:
        return not any(map(operator.eq, columns[self.other], columns[self.field]))

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

    def hold(self, columns: Mapping[str, Sequence]) -> bool:
        given = itertools.compress(columns[self.field], map(self.value.__eq__, columns[self.when]))
        return None not in given

    def hold_coded(self, columns: Mapping[str, Any], codes: Mapping, numpy: Any = None) -> bool:
        """``columns[when]``: codes (``codes[when][value]`` is the value's); ``field``:
        entity positions, below 0 when absent."""
        code = codes[self.when][self.value]
        when, field = columns[self.when], columns[self.field]
        if numpy is None:
            return not any(who < 0 for level, who in zip(when, field, strict=True) if level == code)
        levels = numpy.frombuffer(when, dtype=numpy.uint8)
        return not bool(((levels == code) & (numpy.frombuffer(field, dtype=numpy.intc) < 0)).any())


#: The rules between a relation's own fields, in the order the full checker reports them.
RELATION_RULES = (
    RequiredWhen(
        "reported_by", "certainty", "reported", "is required when certainty is 'reported'"
    ),
    Differ("source", "target", "a relation cannot join '{source}' to itself"),
)


def relation_rule_problems(where: str, rel: Mapping[str, Any]) -> list[str]:
    """The full checker's messages for the rules ``rel`` breaks."""
    return [
        f"{where}.{rule.field}: {rule.says.format_map(rel)}"
        for rule in RELATION_RULES
        if rule.broken(rel)
    ]

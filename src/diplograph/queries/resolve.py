"""Turn what a user types into an entity id.

A name matches an entity by id, name or alias, ignoring case, accents and punctuation
("lukashenka", "U.S.", "Cichanoŭski"), or by one word of a person's name when only one
person has it: the last ("Kellogg") or the first, as in family-name-first names ("Xi" for
Xi Jinping, "Moon" for Moon Jae-in). Exact matches win over one-word matches, and among
exact matches an entity's own id or name wins over another's alias ("United States" is
the entity of that name, not the 18 others that have it as an alias); a leading "the" is
ignored when the name is not found with it ("the US"). Several matches raise
AmbiguousName with the candidates ("Kim" among Kim Jong-un, Kim Yo-jong and Sung Kim);
none raises UnknownEntity with the closest names, the people whose first name it is
("Keith": Keith Kellogg), or, when nothing is close, a pointer to ``diplograph search``.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping

from ..model.errors import AmbiguousName, UnknownEntity, UsageError
from ..model.text import fold, short_names
from ..store.protocol import Store

MAX_NAME_LENGTH = 200
#: Candidates an ambiguity error names before "and N more".
MAX_CANDIDATES = 12


class NameIndex:
    """Lookup tables from folded names to entity ids, built once per graph."""

    def __init__(
        self, graph: Store, exact: Mapping[str, set[str]], surname: Mapping[str, set[str]]
    ):
        """``exact`` and ``surname``: the store's ``name_tables``."""
        self.graph, self.exact, self.surname = graph, exact, surname

    def _label(self, node: str) -> str:
        return f"{self.graph.entity(node).get('name', node)} ({node})"

    def suggestions(self, text: str, limit: int = 3) -> list[str]:
        """The entity names closest to ``text``, best first: those it starts (a first
        name: "Keith" -> Keith Kellogg), then those within a few typos."""
        from rapidfuzz import fuzz, process

        # keys only: the tables of a packed graph decode their positions on lookup
        keys = list(dict.fromkeys([*self.exact, *self.surname]))
        typed = _without_article(fold(text))
        found: list[str] = []
        if len(typed) >= 3:
            for key in keys:
                if key.startswith(typed + " "):
                    for node in sorted(self.exact.get(key) or self.surname.get(key) or ()):
                        name = self.graph.entity(node).get("name", node)
                        if name not in found:
                            found.append(name)
        # a leading "the" is no part of the likeness ("the US" is not "The West")
        bare = {_without_article(key): key for key in reversed(keys)}
        for bare_key, _score, _ in process.extract(
            typed, list(bare), scorer=fuzz.ratio, limit=limit * 4, score_cutoff=70
        ):
            key = bare[bare_key]
            nodes = self.exact[key] if key in self.exact else self.surname[key]
            for node in sorted(nodes):
                name = self.graph.entity(node).get("name", node)
                if name not in found:
                    found.append(name)
        return found[:limit]

    def resolve(self, text: str) -> str:
        """The one entity id ``text`` names, or AmbiguousName / UnknownEntity."""
        if len(text) > MAX_NAME_LENGTH:
            raise UsageError(
                f"name is too long ({len(text)} characters, at most {MAX_NAME_LENGTH})"
            )
        key = fold(text)
        if not key:
            raise UsageError(f"empty name {text!r}: type a name, alias or id")
        for candidate in dict.fromkeys((key, _without_article(key))):
            if not candidate:
                continue
            for table in (self.exact, self.surname):
                matches = table.get(candidate)
                if matches and len(matches) > 1 and table is self.exact:
                    # an entity's own id or name beats another entity's alias
                    named = {
                        n
                        for n in matches
                        if fold(n) == candidate
                        or fold(self.graph.entity(n).get("name", n)) == candidate
                    }
                    matches = named or matches
                if matches and len(matches) == 1:
                    return next(iter(matches))
                if matches:
                    # by name, then id: two entities of one name list in the same order
                    # whatever the hash seed ordered the set in
                    entity = self.graph.entity
                    ordered = sorted(matches, key=lambda n: (entity(n).get("name", n), n))
                    labels = [self._label(n) for n in ordered[:MAX_CANDIDATES]]
                    if len(ordered) > MAX_CANDIDATES:
                        labels.append(f"and {len(ordered) - MAX_CANDIDATES} more")
                    raise AmbiguousName(
                        f"'{text}' matches {len(ordered)} entities: {', '.join(labels)}; "
                        "type a full name or an id",
                        ordered,
                    )
        close = self.suggestions(text)
        if close:
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)"
        else:
            hint = f"; look for it with: diplograph search {_quoted(text)}"
        raise UnknownEntity(f"no entity named '{text}'{hint}")

    def completions(self, incomplete: str) -> list[str]:
        """Names and aliases starting with what the user typed (for shell completion)."""
        prefix = fold(incomplete)
        out: set[str] = set()
        for key, nodes in self.exact.items():
            if not key.startswith(prefix):
                continue
            for node in nodes:
                attrs = self.graph.entity(node)
                for name in (attrs.get("name", ""), *attrs.get("aliases", [])):
                    if fold(name).startswith(prefix):
                        out.add(name)
        return sorted(out)


def _without_article(key: str) -> str:
    """A folded name without a leading "the"."""
    return key[4:] if key.startswith("the ") else key


def _quoted(text: str) -> str:
    """``text`` as a shell word."""
    import shlex

    return shlex.quote(text)


def name_tables_of(
    entities: Iterable[tuple[str, dict]],
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(exact, surname) name tables (see ``Store.name_tables``) of (id, record) pairs:
    for data not yet in a store (a file being edited, the tests' reference)."""
    exact: dict[str, set[str]] = {}
    surname: dict[str, set[str]] = {}
    for node, attrs in entities:
        for name in [node, attrs.get("name", node), *attrs.get("aliases", [])]:
            key = fold(name)
            if not key:
                continue
            exact.setdefault(key, set()).add(node)
            if attrs.get("type") == "person" and " " in key:
                for word in short_names(key):
                    surname.setdefault(word, set()).add(node)
    return exact, surname


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def index_for(graph: Store) -> NameIndex:
    """The store's name index, made on first use and kept while the store lives."""
    index = _INDEXES.get(graph)
    if index is None:
        index = _INDEXES[graph] = NameIndex(graph, *graph.name_tables())
    return index


def resolve(graph: Store, text: str) -> str:
    """Entity id for a user-typed name (see module docstring)."""
    return index_for(graph).resolve(text)

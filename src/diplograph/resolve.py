"""Turn what a user types into an entity id.

A name matches an entity by id, name or alias, ignoring case, accents and punctuation
("lukashenka", "U.S.", "Cichanoŭski"), or by one word of a person's name when only one
person has it: the last ("Kellogg") or the first, as in family-name-first names ("Xi" for
Xi Jinping, "Moon" for Moon Jae-in). Exact matches win over one-word matches, and among
exact matches an entity's own id or name wins over another's alias ("United States" is
the entity of that name, not the 18 others that have it as an alias). Several matches
raise AmbiguousName with the candidates ("Kim" among Kim Jong-un, Kim Yo-jong and Sung
Kim); none raises UnknownEntity with the closest names.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
import weakref
from collections import defaultdict
from collections.abc import Mapping

from .errors import AmbiguousName, UnknownEntity, UsageError

_EXTRA_FOLDS = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ı": "i", "ʼ": "", "’": "", "'": ""})
_SEPARATORS = re.compile(r"[\s\-_/.,;:()\[\]\"“”‘«»]+")
MAX_NAME_LENGTH = 200
#: Candidates an ambiguity error names before "and N more".
MAX_CANDIDATES = 12
#: From this many bytes, ``fold_joined`` collapses spaces with numpy.
NUMPY_MIN_BYTES = 1_000_000


# Combining marks (accents) left after NFKD decomposition.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


# ASCII text: separators and whitespace become spaces (apostrophes go), then runs of
# spaces collapse and ends are trimmed: the same result as the regexes below.
_TO_SPACE = b'-_/.,;:()[]"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f'
_ASCII_SPACES = bytes.maketrans(_TO_SPACE, b" " * len(_TO_SPACE))


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name."""
    if text.isascii():  # the common case, several times faster (bytes.translate)
        folded = text.encode("ascii").lower().translate(_ASCII_SPACES, b"'")
        return " ".join(folded.decode("ascii").split())
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text.casefold()))
    return _SEPARATORS.sub(" ", text.translate(_EXTRA_FOLDS)).strip()


def fold_many(texts: list[str]) -> list[str]:
    """``[fold(t) for t in texts]``, with the ASCII ones folded in one pass."""
    ascii_texts = list(itertools.compress(texts, map(str.isascii, texts)))
    folded = fold_joined(ascii_texts) if len(ascii_texts) >= len(texts) // 2 else None
    if folded is None:
        return list(map(fold, texts))  # a NUL inside a text, or mostly non-ASCII
    parts = folded.decode("ascii").split("\x00") if texts else []
    if len(ascii_texts) == len(texts):
        return parts
    done = iter(parts)
    return [next(done) if text.isascii() else fold(text) for text in texts]


def fold_joined(texts: list[str]) -> bytes | None:
    """The ASCII ``texts`` folded and joined by NULs, as bytes, in one pass: what
    ``"\\x00".join(map(fold, texts)).encode()`` gives; None when a text holds a NUL or
    is not ASCII (or there are none)."""
    joined = "\x00".join(texts)
    if not texts or joined.count("\x00") != len(texts) - 1 or not joined.isascii():
        return None
    folded = joined.encode("ascii").lower().translate(_ASCII_SPACES, b"'")
    if len(folded) >= NUMPY_MIN_BYTES:
        return _spaces_collapsed(folded)
    while b"  " in folded:  # bytes.replace is much faster than a regex here
        folded = folded.replace(b"  ", b" ")
    folded = folded.replace(b" \x00", b"\x00").replace(b"\x00 ", b"\x00")
    return folded.strip(b" ")


def _spaces_collapsed(folded: bytes) -> bytes:
    """``folded`` with each run of spaces made one, and none left at the ends or beside
    a NUL, by numpy: on long texts, faster than replacing (a comma and a space become two
    spaces, a final full stop one before the NUL: replacements by the thousand)."""
    import numpy as np

    text = np.frombuffer(folded, dtype=np.uint8)
    space = text == 32
    space[1:] &= ~space[:-1]  # only the first space of each run
    text = text[space | (text != 32)]
    if not len(text):
        return b""
    space, nul = text == 32, text == 0
    dropped = space.copy()
    dropped[1:-1] &= nul[:-2] | nul[2:]  # inside: only beside a NUL; at the ends: always
    return text[~dropped].tobytes()


def short_names(key: str) -> tuple[str, ...]:
    """The words of a person's folded name that find them alone: the last (a surname)
    and the first (the family name in "Xi Jinping", "Moon Jae-in", "Aso Taro")."""
    first, _, rest = key.partition(" ")
    last = rest.rsplit(" ", 1)[-1]
    return (last, first) if first != last else (last,)


class NameIndex:
    """Lookup tables from folded names to entity ids, built once per graph."""

    def __init__(
        self,
        graph,
        exact: dict[str, set[str]] | None = None,
        surname: dict[str, set[str]] | None = None,
    ):
        self.graph = graph
        if exact is not None and surname is not None:
            self.exact, self.surname = exact, surname
            return
        self.exact = defaultdict(set)
        self.surname = defaultdict(set)
        for node, attrs in graph.nodes(data=True):
            names = [node, attrs.get("name", node), *attrs.get("aliases", [])]
            for name in names:
                key = fold(name)
                if not key:
                    continue
                self.exact[key].add(node)
                if attrs.get("type") == "person" and " " in key:
                    for word in short_names(key):
                        self.surname[word].add(node)

    def _label(self, node: str) -> str:
        return f"{self.graph.nodes[node].get('name', node)} ({node})"

    def suggestions(self, text: str, limit: int = 3) -> list[str]:
        """The entity names closest to ``text``, best first."""
        from rapidfuzz import fuzz, process

        # keys only: the tables of a packed graph decode their positions on lookup
        keys = list(dict.fromkeys([*self.exact, *self.surname]))
        found: list[str] = []
        for key, _score, _ in process.extract(
            fold(text), keys, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=70
        ):
            nodes = self.exact[key] if key in self.exact else self.surname[key]
            for node in sorted(nodes):
                name = self.graph.nodes[node].get("name", node)
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
        for table in (self.exact, self.surname):
            matches = table.get(key)
            if matches and len(matches) > 1 and table is self.exact:
                # an entity's own id or name beats another entity's alias
                named = {
                    n
                    for n in matches
                    if fold(n) == key or fold(self.graph.nodes[n].get("name", n)) == key
                }
                matches = named or matches
            if matches and len(matches) == 1:
                return next(iter(matches))
            if matches:
                ordered = sorted(matches, key=lambda n: self.graph.nodes[n].get("name", n))
                labels = [self._label(n) for n in ordered[:MAX_CANDIDATES]]
                if len(ordered) > MAX_CANDIDATES:
                    labels.append(f"and {len(ordered) - MAX_CANDIDATES} more")
                raise AmbiguousName(
                    f"'{text}' matches {len(ordered)} entities: {', '.join(labels)}; "
                    "type a full name or an id",
                    ordered,
                )
        close = self.suggestions(text)
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        raise UnknownEntity(f"no entity named '{text}'{hint}")

    def completions(self, incomplete: str) -> list[str]:
        """Names and aliases starting with what the user typed (for shell completion)."""
        prefix = fold(incomplete)
        out: set[str] = set()
        for key, nodes in self.exact.items():
            if not key.startswith(prefix):
                continue
            for node in nodes:
                attrs = self.graph.nodes[node]
                for name in (attrs.get("name", ""), *attrs.get("aliases", [])):
                    if fold(name).startswith(prefix):
                        out.add(name)
        return sorted(out)


class _IdSets(Mapping):
    """A name table stored by entity position, read as sets of ids on demand."""

    def __init__(self, table: dict[str, list[int]], ids: list[str]):
        self._table, self._ids = table, ids

    def __getitem__(self, key: str) -> set[str]:
        return {self._ids[i] for i in self._table[key]}

    def __iter__(self):
        return iter(self._table)

    def __len__(self) -> int:
        return len(self._table)

    def __contains__(self, key: object) -> bool:
        return key in self._table


_INDEXES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def index_for(graph) -> NameIndex:
    """The graph's name index, built on first use and kept while the graph lives.

    A PackedGraph brings its tables ready-made (``exact``/``surname``, by position).
    """
    index = _INDEXES.get(graph)
    if index is None:
        packed = getattr(graph, "exact", None)
        if packed is not None:
            index = NameIndex(
                graph, _IdSets(graph.exact, graph.ids), _IdSets(graph.surname, graph.ids)
            )
        else:
            index = NameIndex(graph)
        _INDEXES[graph] = index
    return index


def resolve(graph, text: str) -> str:
    """Entity id for a user-typed name (see module docstring)."""
    return index_for(graph).resolve(text)

"""The id rules of data/README.md, as functions.

- Entities: lowercase slugs; people by surname (a second person with the same surname
  gets a first-name prefix), others by their name (``united-states``).
- Relations: ``<source>-<type>-<target>``, then ``-2``, ``-3`` for the same shape.
- Sources: ``<publisher>-<published date>`` (``carnegie-2025-06-24``).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ..model.records import ENTITY_ID
from ..model.text import fold
from . import CurationError

#: Words left out of a publisher's id ("The New York Times" -> "new-york-times").
_ARTICLES = {"the", "a", "an"}


def slug(text: str) -> str:
    """``text`` folded (case, accents, punctuation) to a lowercase slug, or "" when
    nothing Latin is left (a Cyrillic name needs an id given by hand)."""
    words = re.sub(r"[^a-z0-9 ]", "", fold(text)).split()
    return "-".join(words)


def check_id(value: str, what: str) -> str:
    """``value`` when it is a valid slug id, else CurationError saying what is wrong."""
    if not re.match(ENTITY_ID, value):
        raise CurationError(
            f"'{value}' is not a valid {what} id (lowercase letters, digits and '-', "
            f"e.g. '{slug(value) or 'an-id'}')"
        )
    return value


def entity_id(name: str, entity_type: str, taken: Collection[str]) -> str:
    """The id data/README.md gives an entity named ``name``: a person by surname
    (``first-surname`` when the surname is taken), anything else by its whole name;
    ``-2``, ``-3`` when still taken."""
    words = slug(name).split("-") if slug(name) else []
    if not words:
        raise CurationError(f"cannot make an id from '{name}': give one with --id")
    if entity_type == "person" and len(words) > 1:
        choices = [words[-1], f"{words[0]}-{words[-1]}", "-".join(words)]
    else:
        choices = ["-".join(words)]
    for choice in choices:
        if choice not in taken:
            return choice
    return numbered(choices[-1], taken)


def relation_id(source: str, relation_type: str, target: str, taken: Collection[str]) -> str:
    """``<source>-<type>-<target>``, or the first of ``-2``, ``-3``... not taken."""
    base = f"{source}-{relation_type}-{target}"
    return base if base not in taken else numbered(base, taken)


def source_id(publisher: str, published: str) -> str:
    """``<publisher>-<published>``: the publisher's first word that is not an article
    ("Carnegie Endowment for International Peace" -> ``carnegie-2025-06-24``)."""
    words = [w for w in slug(publisher).split("-") if w and w not in _ARTICLES]
    if not words:
        raise CurationError(f"cannot make an id from '{publisher}': give one with --id")
    return f"{words[0]}-{published}"


def numbered(base: str, taken: Collection[str]) -> str:
    """``base-2``, ``base-3``... : the first not in ``taken``."""
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"

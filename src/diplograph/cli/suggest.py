"""Suggestions for mistyped command lines, by meaning where spelling would mislead: a
relation word used as a command (``diplograph released Tsikhanouski``) points to
``diplograph who RELATION NAME``; an option another tool spells differently (``--from``,
``--json``) to ours (``--since``, ``--format json``); a choice misspelt
(``--type organisation``) to the closest one. Plain functions: ``patches.Group`` puts
them into Click's messages."""

from __future__ import annotations

import json
import shlex

from ..files.locate import VOCABULARY_FILE, bundled_data_dir


def _word_matches(word: str, cue: str) -> bool:
    """Whether ``word`` is the one-word cue ``cue`` (``releas*``: any word starting so,
    for a stem of four letters or more)."""
    if " " in cue:
        return False
    if cue.endswith("*"):
        stem = cue[:-1].casefold()
        return len(stem) >= 4 and word.startswith(stem)
    return word == cue.casefold()


def relation_for_word(word: str) -> str | None:
    """The relation type of the bundled vocabulary that ``word`` names: its id (any
    case, as ``-r`` takes it), its label or inverse reading, or one of its one-word cues
    ("freed" -> released); None when it names none. Read only when a command is unknown."""
    folded = word.casefold().replace("_", "-")
    try:
        doc = json.loads((bundled_data_dir() / VOCABULARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    types = [t for t in doc.get("relation_types", []) if isinstance(t, dict) and t.get("id")]
    for found in (
        lambda t: t["id"].casefold() == folded,
        lambda t: (
            folded in (str(t.get("label", "")).casefold(), str(t.get("inverse", "")).casefold())
        ),
        lambda t: any(_word_matches(folded, str(cue)) for cue in t.get("cues", [])),
    ):
        for rtype in types:
            if found(rtype):
                return rtype["id"]
    return None


def who_suggestion(args: list[str]) -> str | None:
    """``diplograph who RELATION REST...`` for a command line whose first word is a
    relation word, or None."""
    if not args or args[0].startswith("-"):
        return None
    relation = relation_for_word(args[0])
    if relation is None:
        return None
    return shlex.join(["diplograph", "who", relation, *args[1:]])


#: Options other tools (and people) spell differently, to what they mean here: each
#: suggests the first of its meanings the command takes (never one it lacks).
OPTION_MEANINGS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        ("--from", "--after", "--start", "--begin", "--from-date", "--start-date"), ("--since",)
    ),
    **dict.fromkeys(("--to", "--before", "--end", "--to-date", "--end-date"), ("--until",)),
    "--json": ("--format json",),
    "--csv": ("--format csv",),
    "--table": ("--format table",),
    **dict.fromkeys(
        ("--type", "--types", "--rel", "--relations", "--relation-type"), ("--relation",)
    ),
    **dict.fromkeys(("--top", "--max", "--head", "--number", "-n"), ("--limit",)),
    **dict.fromkeys(("--at", "--in", "--location", "--where", "--city"), ("--place",)),
    **dict.fromkeys(("--out", "--file", "--output-file"), ("--output",)),
    **dict.fromkeys(("--level", "--confidence"), ("--certainty",)),
    **dict.fromkeys(("--hops", "--depth", "--distance"), ("--radius",)),
    "--overwrite": ("--force",),
}


def option_by_meaning(name: str, options: set[str]) -> str | None:
    """What ``name`` (an option the command does not take) means among ``options`` (the
    ones it does): ``--from`` -> ``--since``, ``--json`` -> ``--format json``; None when
    the name means nothing here."""
    for meant in OPTION_MEANINGS.get(name.casefold(), ()):
        if meant.split()[0] in options:
            return meant
    return None


def closest_choice(value: str, choices: list[str]) -> str | None:
    """The choice ``value`` was probably meant to be (``model.text.closest``)."""
    from ..model.text import closest

    return closest(value, choices)

"""Suggestions for mistyped command lines: a relation word used as a command
(``diplograph released Tsikhanouski``) points to ``diplograph who RELATION NAME``."""

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


def suggesting_group() -> type:
    """The root command group: an unknown command that is a relation word is answered
    with the ``who`` command line to type (exit 2); any other keeps Click's message and
    its did-you-mean."""
    from typer._click.exceptions import UsageError  # typer vendors Click (as app.py notes)
    from typer.core import TyperGroup

    class SuggestingGroup(TyperGroup):
        def resolve_command(self, ctx, args):  # type: ignore[override]
            try:
                return super().resolve_command(ctx, args)
            except UsageError:
                if args and args[0] in self.commands:
                    raise
                line = who_suggestion(args)
                if line is None:
                    raise
                mark = '"' if "'" in line else "'"
                ctx.fail(f"no command '{args[0]}' (did you mean {mark}{line}{mark}?)")

    return SuggestingGroup

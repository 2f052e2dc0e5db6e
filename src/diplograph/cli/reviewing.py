"""``extract --review``: one candidate at a time on a terminal.

Each shows its sentence with the quote highlighted and the proposal; the reviewer
accepts (written at once through ``add``'s checks, new entities first), edits a field,
skips or quits. A refused candidate says why and can be edited and tried again.
"""

from __future__ import annotations

import typer
from rich.text import Text

from ..model.errors import DiplographError
from .env import Env

_FIELDS = (
    "type", "source", "target", "quote", "date", "date_text", "place", "certainty",
    "reported_by", "note",
)  # fmt: skip


def _show(out, n: int, total: int, rel: dict, names: dict[str, str]) -> None:
    sentence, quote = rel["sentence"], rel["quote"]
    shown = Text(f"\n[{n}/{total}] ", style="bold")
    at = sentence.find(quote)
    if at >= 0:
        shown.append(sentence[:at])
        shown.append(quote, style="reverse")
        shown.append(sentence[at + len(quote) :])
    else:
        shown.append(quote, style="reverse")
    out.print(shown, soft_wrap=True)
    for name in _FIELDS:
        value = rel.get(name)
        if value in (None, ""):
            continue
        if name in ("source", "target", "place", "reported_by") and value in names:
            value = f"{value} ({names[value]})"
        out.print(Text(f"  {name:<11} {value}"), soft_wrap=True)


def review_candidates(ctx: typer.Context, source: str, candidates: list, new: list[dict]) -> None:
    from ..curate.candidates import accept, relation_row
    from ..curate.edit import relation_types
    from .curation import file_to_change

    env = Env.of(ctx)
    out = env.output
    datafile = file_to_change(ctx)
    types = relation_types(datafile)
    rows = [relation_row(c) for c in candidates if not c.negated]
    negated = len(candidates) - len(rows)
    names = {e["id"]: e.get("name", e["id"]) for e in datafile.doc.get("entities", [])}
    names.update({e["id"]: e["name"] for e in new})
    accepted = skipped = 0
    out.print(
        Text(
            f"{len(rows)} candidates ({negated} negated left out); "
            "a accept · e edit a field · s skip · q quit"
        )
    )
    for n, rel in enumerate(rows, 1):
        while True:
            _show(out, n, len(rows), rel, names)
            choice = typer.prompt("  [a/e/s/q]", default="a", show_default=False).strip().lower()
            if choice.startswith("q"):
                out.print(Text(f"{accepted} accepted, {skipped} skipped; stopped at {n}"))
                return
            if choice.startswith("s"):
                skipped += 1
                break
            if choice.startswith("e"):
                name = typer.prompt(f"  field ({', '.join(_FIELDS)})").strip()
                if name not in _FIELDS:
                    out.print(Text(f"  no field '{name}'", style="red"))
                    continue
                value = typer.prompt(f"  {name}", default=rel.get(name) or "", show_default=True)
                rel[name] = value.strip() or None
                continue
            if choice.startswith("a"):
                try:
                    datafile, done = accept(datafile, types, rel, new, source)
                    datafile = datafile.save(datafile.doc)
                except DiplographError as exc:
                    out.print(Text(f"  refused: {exc} (edit it, or skip)", style="red"))
                    datafile = file_to_change(ctx)
                    continue
                for line in done:
                    out.print(Text(f"  {line} (in {datafile.path})", style="green"))
                names.update({e["id"]: e["name"] for e in new})
                accepted += 1
                break
            out.print(Text("  a, e, s or q"))
    out.print(Text(f"\n{accepted} accepted, {skipped} skipped (in {datafile.path})"))

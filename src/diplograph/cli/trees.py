"""Trees, for the answers that are one thing and what hangs from it: an entity's card
(``show``), a relation's card, neighbours by distance (``neighbors --tree``). Text is
escaped for Rich and cut as tables cut it (``render``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import dates
from .render import MAX_EVIDENCE_SHOWN, certainty_cell, escape, evidence_line, hop_cell

if TYPE_CHECKING:
    from rich.tree import Tree


def _card_extras(card: dict) -> str:
    """Identifiers and coordinates, as lines under the card (where the data has them)."""
    lines = ""
    if card.get("identifiers"):
        ids = ", ".join(f"{k}: {v}" for k, v in card["identifiers"].items())
        lines += f"\n[dim]identifiers: {escape(ids)}[/dim]"
    if "lat" in card:
        lines += f"\n[dim]at {card['lat']}, {card['lon']}[/dim]"
    return lines


def _evidence_leaves(leaf: Tree, evidence: list[dict]) -> None:
    """A relation's first evidence under its leaf, then how many more there are."""
    for ev in evidence[:MAX_EVIDENCE_SHOWN]:
        leaf.add(evidence_line(ev))
    if len(evidence) > MAX_EVIDENCE_SHOWN:
        leaf.add(f"[dim]… and {len(evidence) - MAX_EVIDENCE_SHOWN} more[/dim]")


def entity_tree(card: dict) -> Tree:
    """``show`` as a Rich tree: the card, then relations grouped by type."""
    from rich.tree import Tree

    aliases = ", ".join(card["aliases"]) or "—"
    root = Tree(
        f"[bold]{escape(card['name'])}[/bold] [dim]({escape(card['id'])}, {card['type']})[/dim]\n"
        f"{escape(card['description'])}\n[dim]aliases: {escape(aliases)}[/dim]" + _card_extras(card)
    )
    for rtype, rows in card["relations"].items():
        branch = root.add(f"[bold cyan]{escape(rtype)}[/bold cyan] ({len(rows)})")
        for row in rows:
            when = row["date"] or row["date_text"] or "undated"
            where = f" in {escape(row['place'])}" if row["place"] else ""
            leaf = branch.add(
                f"{escape(row['relation'])} [bold]{escape(row['name'])}[/bold]{where} "
                f"[dim]{escape(when)}[/dim] · {certainty_cell(row).replace(chr(10), ' ')}"
            )
            _evidence_leaves(leaf, row["evidence"])
    if card.get("happened_here"):
        branch = root.add(f"[bold cyan]happened here[/bold cyan] ({len(card['happened_here'])})")
        for row in card["happened_here"]:
            when = row["date"] or row["date_text"] or "undated"
            leaf = branch.add(
                f"{hop_cell(row)} [dim]{escape(when)}[/dim] · "
                f"{certainty_cell(row).replace(chr(10), ' ')}"
            )
            _evidence_leaves(leaf, row["evidence"])
    if card["reported"]:
        branch = root.add(f"[bold cyan]reported[/bold cyan] ({len(card['reported'])})")
        for row in card["reported"]:
            branch.add(
                f"{escape(row['from_name'])} {escape(row['relation'])} "
                f"{escape(row['to_name'])} [dim]{escape(row['date'] or 'undated')}[/dim]"
            )
    return root


def relation_card(row: dict) -> Tree:
    """``show RELATION-ID``: one relation read in its direction, then every field and
    every quote."""
    from rich.tree import Tree

    root = Tree(f"{hop_cell(row)} [dim]({escape(row['relation_id'])}, {escape(row['type'])})[/dim]")
    when = row["date"] or "undated"
    words = row["date_text"] or (dates.describe(row["date"]) if row["date"] else "")
    root.add(f"when: {escape(when)}" + (f" [dim]({escape(words)})[/dim]" if words else ""))
    if row["place"]:
        root.add(f"where: {escape(row['place'])} [dim]({escape(row['place_id'])})[/dim]")
    root.add(f"certainty: {certainty_cell(row).replace(chr(10), ' ')}")
    if row["note"]:
        root.add(f"note: {escape(row['note'])}")
    quotes = root.add(f"evidence ({len(row['evidence'])})")
    for ev in row["evidence"]:
        extra = "".join(
            f", {escape(k)}: {escape(str(v))}"
            for k, v in ev.items()
            if k not in ("quote", "source")
        )
        quotes.add(
            f"[italic]“{escape(ev['quote'])}”[/italic] [dim]({escape(ev['source'])}{extra})[/dim]"
        )
    return root


def neighbor_tree(name: str, rows: list[dict]) -> Tree:
    """``neighbors --tree``: each entity under the one it was reached from."""
    from rich.tree import Tree

    root = Tree(f"[bold]{escape(name)}[/bold]")
    branches: dict[str, Tree] = {}
    for row in rows:
        parent = branches.get(row["via_id"], root)
        when = row["date"] or "undated"
        label = (
            f"{escape(row['relation'])} [bold]{escape(row['name'])}[/bold] "
            f"[dim]{escape(when)}[/dim] · {certainty_cell(row).replace(chr(10), ' ')}"
        )
        node = parent.add(label)
        branches.setdefault(row["id"], node)
    return root

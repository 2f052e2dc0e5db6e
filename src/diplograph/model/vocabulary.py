"""How a relation type reads, from its entry in the vocabulary (``relation_types``)."""

from __future__ import annotations

from collections.abc import Mapping


def reading_of(relation_types: Mapping[str, dict], rtype: str, forward: bool = True) -> str:
    """How ``rtype`` reads: 'released' forward, 'was released by' backward (a symmetric
    type reads the same both ways; an unknown one as its id)."""
    spec = relation_types.get(rtype)
    if spec is None:
        return rtype
    return spec["label"] if forward or spec["symmetric"] else spec["inverse"]


def relation_label(
    relation_types: Mapping[str, dict], source_name: str, rtype: str, target_name: str
) -> str:
    """A relation row's title in search results: "source reads-as target"."""
    return f"{source_name} {reading_of(relation_types, rtype)} {target_name}"

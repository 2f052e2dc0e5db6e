"""Ranked search over names, aliases, descriptions and evidence quotes."""

from __future__ import annotations

from ..model.errors import UsageError
from ..model.records import evidence_words
from ..model.text import fold
from ..model.vocabulary import relation_label
from ..store.protocol import SearchIndex, Store
from .common import display_names

#: Scores: a name or alias that is the text, or one of whose words is, scores 100; one
#: of whose words starts with the text ("Tsikh", "Lukash"), at least PREFIX_SCORE; a
#: match inside a description or an evidence quote scores these fixed values. A name
#: only like the text (a typo, another transliteration: "Kelog", or "Triumph" for
#: "Trump") scores its similarity scaled below every match of the words themselves
#: (``FUZZY_CEILING``): a fuzzy match never ranks above a word match.
PREFIX_SCORE = 90.0
#: Name words starting with the text that are considered (the shortest first).
PREFIX_MATCHES = 1000
DESCRIPTION_SCORE = 80.0
QUOTE_SCORE = 75.0
NAME_CUTOFF = 75
#: What a name only similar to the text scores at most (similarity 99.9): below
#: QUOTE_SCORE, so every name, description, quote or source holding the text comes first.
FUZZY_CEILING = 70.0


def fuzzy_score(similarity: float) -> float:
    """The score of a name that is ``similarity`` (NAME_CUTOFF-100) like the text but not
    it: 100 stays 100 (the text itself, or one of the name's words); anything less is
    scaled to below ``FUZZY_CEILING``, in the same order."""
    return similarity if similarity >= 100 else similarity * FUZZY_CEILING / 100


def search(graph: Store, text: str, limit: int = 20) -> list[dict]:
    """Ranked search over names, aliases, descriptions, evidence (quotes, and a coded
    fact's URL and locator), relation notes and sources.

    Names and aliases (and each word of them) are compared with the folded text by edit
    similarity, so typos and transliteration variants match ('Tikhanovsky', 'Kelog'),
    and a name one of whose words starts with the text ranks above descriptions and
    quotes that contain it ('Tsikh' finds Siarhei Tsikhanouski). A name that is only
    similar ranks below every text that holds the words typed (``fuzzy_score``).
    Descriptions, evidence, notes and sources (id, title, publisher, URL) match when they
    contain the folded text (case-, accent- and punctuation-insensitive). Each entity,
    relation or source appears once, with its best match.
    """
    query = fold(text)
    if not query:
        raise UsageError("empty search text")
    found = graph.search_index()
    # entity -> (score, the position of the name key it matched; None: its description),
    # the first best
    matched: dict[str, tuple[float, int | None]] = {}

    def consider(node: str, score: float, position: int | None) -> None:
        known = matched.get(node)
        if known is None or score > known[0]:
            matched[node] = (round(score, 1), position)

    for position, similarity in found.names.matches(query, NAME_CUTOFF):
        for node in sorted(found.nodes_at(position)):
            consider(node, fuzzy_score(similarity), position)
    if len(query) >= 3:  # a name (or a word of it) that starts with the text
        for position, word in found.names.prefixed(query, PREFIX_MATCHES):
            # closer to the whole word, higher: 'lukash' of lukashenko 90 + 6
            score = PREFIX_SCORE + 9.9 * len(query) / len(word)
            for node in sorted(found.nodes_at(position)):
                consider(node, score, position)
    needle = query.encode("utf-8")  # the index's texts are UTF-8, searched in place
    if len(query) >= 3:
        for item in found.description_hits(needle):
            consider(found.desc_node[item], DESCRIPTION_SCORE, None)
    # Only the entity rows that can make the list are read (a common word in names
    # matches thousands of entities): they rank by score, then name, then id.
    nodes = list(matched)
    shown = dict(zip(nodes, display_names(graph, nodes), strict=True))
    ranked = sorted(nodes, key=lambda node: (-matched[node][0], shown[node], node))
    rows = [_entity_row(graph, found, node, *matched[node]) for node in ranked[:limit]]
    if len(query) >= 3:
        # Quote rows all score QUOTE_SCORE, so they rank after these entity rows, and
        # among themselves by label, then relation id: only the ones that can make the
        # list are looked for, and only those read (a common word matches thousands).
        ahead = sum(1 for score, _ in matched.values() if score >= QUOTE_SCORE)
        first_hit = found.first_quotes(needle, limit - ahead)
        chosen, labels = _first_by_label(graph, found, list(first_hit), limit - ahead)
        edges = found.owner_edges(chosen)
        for (_, _, key, attrs), owner, label in zip(edges, chosen, labels, strict=True):
            position = found.quote_position(first_hit[owner])
            if position < len(attrs["evidence"]):
                ev = attrs["evidence"][position]
                field = "quote" if "quote" in ev else "evidence"  # a coded fact: URL, locator
                match = evidence_words(ev)
            else:  # one past the evidence: the relation's note
                field, match = "note", attrs.get("note", "")
            rows.append(_row("relation", key, QUOTE_SCORE, label, field, match))
    if len(query) >= 3:
        rows += _source_rows(graph, query)
    return sorted(rows, key=_ranking)[:limit]


def _source_rows(graph: Store, query: str) -> list[dict]:
    """Rows of the sources whose id, title, publisher or URL holds ``query`` (folded):
    sources are few, so they are scanned, not indexed."""
    rows = []
    for sid, source in graph.graph["sources"].items():
        for field in ("title", "publisher", "url", "id"):
            value = source.get(field)
            if value and query in fold(value):
                title = source.get("title", sid)
                rows.append(_row("source", sid, DESCRIPTION_SCORE, title, field, value))
                break
    return rows


def _entity_row(
    graph: Store, found: SearchIndex, node: str, score: float, position: int | None
) -> dict:
    """The search row of an entity that matched by the name key at ``position`` or
    (None) by its description."""
    attrs = graph.entity(node)
    if position is None:
        field, match = "description", attrs["description"]
    else:
        field, match = _matched_name(node, attrs, found.key_at(position))
    return _row("entity", node, score, attrs.get("name", node), field, match)


def _row(kind: str, ident: str, score: float, name: str, field: str, match: str) -> dict:
    return {
        "score": round(score, 1),
        "kind": kind,
        "id": ident,
        "name": name,
        "field": field,
        "match": match,
    }


def _ranking(row: dict) -> tuple:
    """The order of search results: best score first, entities before relations at equal
    scores, then by name and id."""
    return (-row["score"], row["kind"], row["name"], row["id"])


def _first_by_label(
    graph: Store, found: SearchIndex, owners: list, count: int
) -> tuple[list, list[str]]:
    """The relations among ``owners`` whose rows can be among the first ``count`` when
    ranked by label (ties at the last label all kept: their relation ids decide), with
    their labels ("source reads-as target"), told from each relation's ends and type
    alone (``found.owner_ends``: no record is read)."""
    if count <= 0:
        return [], []
    between: dict[str, str] = {}  # relation type -> " reads-as "
    labels = []
    for u_name, rtype, v_name in found.owner_ends(owners):
        said = between.get(rtype)
        if said is None:
            said = between[rtype] = relation_label(graph.graph["relation_types"], "", rtype, "")
        labels.append(f"{u_name}{said}{v_name}")
    if len(owners) <= count:
        return owners, labels
    last = sorted(labels)[count - 1]
    kept = [n for n, label in enumerate(labels) if label <= last]
    return [owners[n] for n in kept], [labels[n] for n in kept]


def _matched_name(node: str, attrs: dict, key: str) -> tuple[str, str]:
    if fold(attrs.get("name", node)) == key:
        return "name", attrs.get("name", node)
    for alias in attrs.get("aliases", []):
        if fold(alias) == key:
            return "alias", alias
    return "id", node

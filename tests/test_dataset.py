"""The bundled dataset: verbatim against the article, and the article's facts present."""

import pytest

from conftest import ARTICLE
from diplograph.model import dates
from diplograph.queries.common import reading


def test_every_quote_is_verbatim_in_the_article(cli):
    if not ARTICLE.exists():
        pytest.skip("../shared/sources not present")
    result = cli("validate", "--source-text", f"carnegie-2025-06-24={ARTICLE}")
    assert result.exit_code == 0, result.stderr
    assert "quotes found verbatim in carnegie-2025-06-24" in result.stdout


def relation(graph, source, rtype, target):
    found = [
        attrs
        for _, v, attrs in graph.out_edges(source, data=True)
        if v == target and attrs["type"] == rtype
    ]
    assert found, f"missing: {source} {rtype} {target}"
    return found[0]


@pytest.mark.parametrize(
    ("source", "rtype", "target", "when", "certainty", "place"),
    [
        ("kellogg", "met", "lukashenko", "2025-06-21", "stated", "minsk"),
        ("lukashenko", "released", "tsikhanouski", "2025-06-21", "stated", None),
        ("lukashenko", "released", "june-21-prisoners", "2025-06-21", "stated", None),
        ("belarus", "released", "first-american-released", "2025-01-21/2025-01-31", "stated", None),
        ("belarus", "released", "february-2025-prisoners", "2025-02-04/2025-02-14", "stated", None),
        ("smith", "met", "lukashenko", "2025-02-04/2025-02-14", "stated", "minsk"),
        ("smith", "discussed", "grand-deal", "2025-02-04/2025-02-14", "reported", "minsk"),
        ("lukashenko", "released", "zenkovich", "2025-04", "stated", None),
        ("cole", "escorted", "zenkovich", "2025-04", "stated", "belarus"),
        ("belarus", "negotiates-with", "trump-negotiators", "2025-04/..", "hedged", None),
        ("united-states", "negotiates-with", "belarus", "2024-23/..", "stated", None),
        ("belarus", "imprisoned", "tsikhanouski", "2020/2025-06-21", "stated", None),
        ("united-states", "reopens-embassy-in", "belarus", None, "hypothetical", None),
        ("european-union", "sanctions", "belarus", None, "stated", None),
        ("european-union", "eases-sanctions", "belarus", None, "hypothetical", None),
        ("russia", "exchanges-prisoners-with", "ukraine", "2025-06", "stated", "belarus"),
        ("russia", "negotiates-with", "ukraine", "2025-06", "stated", None),
        ("tsikhanouskaya", "leads", "belarusian-opposition", "2020/..", "stated", None),
    ],
)
def test_article_facts(graph, source, rtype, target, when, certainty, place):
    attrs = relation(graph, source, rtype, target)
    assert attrs.get("date") == when
    assert attrs["certainty"] == certainty
    assert attrs.get("place") == place


@pytest.mark.parametrize(
    ("source", "rtype", "target"),
    [
        ("kellogg", "envoy-of", "trump"),
        ("cole", "deputy-of", "kellogg"),
        ("smith", "official-of", "united-states"),
        ("tsikhanouskaya", "spouse-of", "tsikhanouski"),
        ("tsikhanouski", "opposes", "lukashenko"),
        ("tsikhanouski", "threatens", "lukashenko"),
        ("tsikhanouski", "threatens", "lukashenko-children"),
        ("belarus", "depends-on", "united-states"),
        ("rfe-rl-journalist", "employee-of", "rfe-rl"),
        ("zenkovich", "citizen-of", "united-states"),
        ("united-states", "sanctions", "belarus"),
        ("lukashenko", "signals", "the-west"),
        ("russia", "invaded", "ukraine"),
    ],
)
def test_roles_ties_and_stances(graph, source, rtype, target):
    relation(graph, source, rtype, target)


def test_reported_claims_name_their_reporter(graph):
    reported = [a for _, _, a in graph.edges(data=True) if a["certainty"] == "reported"]
    assert reported and all(a.get("reported_by") for a in reported)
    assert relation(graph, "smith", "discussed", "grand-deal")["reported_by"] == "new-york-times"


def test_every_relation_has_evidence_and_valid_date(graph):
    for _, _, attrs in graph.edges(data=True):
        assert attrs["evidence"] and all(e["quote"].strip() for e in attrs["evidence"])
        if "date" in attrs:
            dates.parse(attrs["date"])


def test_every_entity_is_described_and_used(graph):
    referenced = {a.get(f) for _, _, a in graph.edges(data=True) for f in ("place", "reported_by")}
    for node, attrs in graph.nodes(data=True):
        assert attrs["description"], node
        assert graph.degree(node) > 0 or node in referenced, node


def test_named_actors_present(graph):
    for node in (
        "trump",
        "kellogg",
        "lukashenko",
        "tsikhanouski",
        "tsikhanouskaya",
        "smith",
        "zenkovich",
        "cole",
        "putin",
        "new-york-times",
        "rfe-rl",
        "european-union",
        "minsk",
        "russia",
        "ukraine",
    ):
        assert node in graph


def test_readings(graph):
    assert reading(graph, "released", forward=False) == "was released by"
    assert reading(graph, "met", forward=False) == "met"

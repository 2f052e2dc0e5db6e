import json

import pytest

from conftest import ROOT, mini
from diplograph.files.locate import bundled_data_dir, read_documents
from diplograph.model import records as model
from diplograph.model.errors import DataError


def problems_for(write_data, doc) -> list[str]:
    with pytest.raises(DataError) as info:
        read_documents(write_data(doc))
    return info.value.problems


def test_bundled_data_is_valid():
    docs = read_documents(bundled_data_dir())
    assert {name.rsplit("/", 1)[-1] for name, _ in docs} == {"belarus.json", "vocabulary.json"}


def test_schema_file_is_generated_from_model():
    published = json.loads((ROOT / "data" / "schema.json").read_text(encoding="utf-8"))
    assert published == model.json_schema(), (
        "run: python -m diplograph.model.records > data/schema.json"
    )


def test_published_schema_accepts_bundled_data_and_rejects_bad():
    jsonschema = pytest.importorskip("jsonschema")
    schema = model.json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for name in ("belarus.json", "vocabulary.json"):
        jsonschema.validate(json.loads((ROOT / "data" / name).read_text("utf-8")), schema)
    bad = mini()
    bad["entities"][0]["type"] = "planet"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def mutate(change):
    doc = mini()
    change(doc)
    return doc


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["relations"][0].update(target="bobb"),
            "relations[0].target: unknown entity 'bobb' (did you mean 'bob'?)",
        ),
        (
            lambda d: d["relations"][0].update(place="nowhere"),
            "relations[0].place: unknown entity 'nowhere'",
        ),
        (
            lambda d: d["relations"][0].update(type="meet"),
            "relations[0].type: unknown relation type 'meet' (did you mean 'met'?)",
        ),
        (
            lambda d: d["relations"][0].update(date="2025-13-45"),
            "relations[0].date: invalid date: '2025-13-45' has an impossible month '13'",
        ),
        (
            lambda d: d["relations"][0]["evidence"][0].update(source="srcc"),
            "relations[0].evidence[0].source: unknown source 'srcc' (did you mean 'src'?)",
        ),
        (
            lambda d: d["relations"][0]["evidence"][0].update(quote="  "),
            "relations[0].evidence[0].quote: must not be empty",
        ),
        (
            lambda d: d["relations"][0].update(evidence=[]),
            "relations[0].evidence: a relation needs at least one piece of evidence",
        ),
        (lambda d: d["relations"][0].pop("certainty"), "relations[0].certainty: is required"),
        (
            lambda d: d["relations"][0].update(certainty="sure"),
            "relations[0].certainty: 'sure' is not one of "
            "stated, reported, hedged, hypothetical, coded",
        ),
        (
            lambda d: d["relations"][1].pop("reported_by"),
            "relations[1].reported_by: is required when certainty is 'reported'",
        ),
        (lambda d: d["relations"][1].update(id="r1"), "relations[1].id: duplicate id 'r1'"),
        (lambda d: d["entities"][1].update(id="alice"), "entities[1].id: duplicate id 'alice'"),
        (
            lambda d: d["entities"][0].update(type="planet"),
            "entities[0].type: 'planet' is not one of "
            "person, country, organization, place, group, event",
        ),
        (
            lambda d: d["entities"][0].update(id="Alice Smith"),
            "entities[0].id: 'Alice Smith' is not a valid id",
        ),
        (
            lambda d: d["entities"][0].update(aliases="Ally"),
            "entities[0].aliases: expected an array of strings, got a string",
        ),
        (
            lambda d: d["entities"][0].update(name=3),
            "entities[0].name: expected a string, got a number",
        ),
        (
            lambda d: d["entities"][0].update(name="A\x01B"),
            "entities[0].name: contains a control character",
        ),
        (lambda d: d["entities"][0].update(colour="red"), "entities[0].colour: unknown field"),
        (lambda d: d.update(schema_version=2), "schema_version: unsupported version 2 (use 1)"),
        (lambda d: d.pop("schema_version"), "schema_version: is required (use 1)"),
        (lambda d: d.update(entities={}), "entities: expected an array, got an object"),
        (
            lambda d: d["relations"][0].update(target="alice"),
            "relations[0].target: a relation cannot join 'alice' to itself",
        ),
        (lambda d: d["sources"][0].pop("title"), "sources[0].title: is required"),
    ],
)
def test_each_rule_has_its_message(write_data, change, expected):
    found = problems_for(write_data, mutate(change))
    assert any(expected in p for p in found), found
    assert all(p.startswith(str(write_data({}, "probe.json").parent)) for p in found)


def test_every_problem_reported_at_once(write_data):
    def break_many(d):
        d["relations"][0]["target"] = "x"
        d["relations"][1]["date"] = "yesterday"
        d["entities"][2]["type"] = "cat"

    found = problems_for(write_data, mutate(break_many))
    assert [p.split(": ", 1)[1].split(":")[0] for p in found] == [
        "entities[2].type",
        "relations[1].date",
        "relations[0].target",
    ]


def test_relation_types_extend_without_code(write_data):
    doc = mini()
    doc["relation_types"] = [
        {
            "id": "phoned",
            "label": "phoned",
            "inverse": "was phoned by",
            "symmetric": False,
            "category": "event",
        }
    ]
    doc["relations"][0]["type"] = "phoned"
    path = write_data(doc)
    from reference import load_graph

    graph = load_graph(path)
    assert graph.edges["alice", "bob", "r1"]["type"] == "phoned"
    assert graph.graph["relation_types"]["phoned"]["inverse"] == "was phoned by"


def test_conflicting_relation_type_definition(write_data):
    doc = mini()
    doc["relation_types"] = [
        {"id": "met", "label": "saw", "inverse": "saw", "symmetric": True, "category": "event"}
    ]
    found = problems_for(write_data, doc)
    assert any("relation_types[0].id: duplicate id 'met'" in p for p in found)


def test_vocabulary_types_are_documented():
    vocab = json.loads((ROOT / "data" / "vocabulary.json").read_text("utf-8"))
    ids = {t["id"] for t in vocab["relation_types"]}
    for needed in (
        "met",
        "negotiates-with",
        "released",
        "sanctions",
        "envoy-of",
        "deputy-of",
        "leads",
        "spouse-of",
        "imprisoned",
        "escorted",
    ):
        assert needed in ids
    assert all(t.get("description") for t in vocab["relation_types"])

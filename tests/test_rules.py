"""``model.rules``: each rule between a relation's own fields, stated once, is applied
alike by every path: the full checker (its messages), the fast path, the slice checker
(the same messages) and the pack builder (in Python and with numpy)."""

from __future__ import annotations

import itertools
import json
from array import array

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import budget, mini
from diplograph.check import fast
from diplograph.check.files import check_files
from diplograph.check.stream import find_problems
from diplograph.files.locate import with_vocabulary
from diplograph.model import rules
from diplograph.model.errors import DataError
from diplograph.model.records import record_problems
from diplograph.model.rules import RELATION_RULES, Matches, Together, relation_rule_problems
from diplograph.store import build, sizes
from diplograph.store.format import CERTAINTY_CODES

ENDS = ["alice", "bob", "carol", "dan"]


@st.composite
def relation(draw) -> dict:
    """A relation that breaks no rule on its own, but perhaps one between its fields (a
    self-loop; reported, naming no reporter)."""
    rel = {
        "type": draw(st.sampled_from(["met", "released", "sanctions"])),
        "source": draw(st.sampled_from(ENDS)),
        "target": draw(st.sampled_from(ENDS)),  # sometimes the source: a self-loop
        "certainty": draw(st.sampled_from(["stated", "reported", "hedged", "coded"])),
    }
    pieces = []
    for _ in range(draw(st.integers(1, 2))):
        ev = {"source": "src", "quote": "q"}
        for key, value in (("url", "https://example.org/a"), ("locator", "p. 4")):
            if draw(st.booleans()):
                ev[key] = value
        pieces.append(ev)
    rel["evidence"] = pieces
    optional = {
        "reported_by": ["dan", "alice"],
        "place": ["carol"],
        "date": ["2025-04", "2020/2025", "2025-04-10"],
        "date_text": ["late January", "in March 2025"],
        "note": ["a note"],
        "attributes": [{"tone": 1.5}],
    }
    for field, values in optional.items():
        value = draw(st.sampled_from([None, *values]))
        if value is not None:
            rel[field] = value
    return rel


def _relation_field(field: str, wrong: list):
    def change(doc: dict, draw) -> None:
        rel = draw(st.sampled_from(doc["relations"]))
        rel[field] = draw(st.sampled_from(wrong))

    return change


def _evidence(change_piece):
    def change(doc: dict, draw) -> None:
        change_piece(draw(st.sampled_from(draw(st.sampled_from(doc["relations"]))["evidence"])))

    return change


def _entity(field: str, value):
    def change(doc: dict, draw) -> None:
        draw(st.sampled_from(doc["entities"]))[field] = value

    return change


def _twice(kind: str):
    def change(doc: dict, draw) -> None:
        doc[kind].append(dict(draw(st.sampled_from(doc[kind]))))

    return change


def _published(doc: dict, draw) -> None:
    doc["sources"][0]["published"] = draw(st.sampled_from(["2025-02-30", " ", "June"]))


GREETS = {
    "id": "greets",
    "label": "greets",
    "inverse": "is greeted by",
    "symmetric": False,
    "category": "event",
}


def _type_twice(doc: dict, draw) -> None:
    other = {**GREETS, draw(st.sampled_from(["label", "inverse"])): "hails"}
    doc["relation_types"] = [GREETS, other]  # (one id, two definitions)


def _source_id_twice(doc: dict, draw) -> None:
    doc["sources"].append({**doc["sources"][0], "title": draw(st.sampled_from(["U", "V"]))})


#: One wrong value each, for every rule of ``model.rules`` (and the shapes decoding checks).
CHANGES = {
    "relation id": _relation_field("id", ["Bad Id", " r9", "r 1"]),
    "type": _relation_field("type", ["nope", " "]),
    "end": _relation_field("source", ["nobody", "  "]),
    "place": _relation_field("place", ["nobody", " "]),
    "reporter": _relation_field("reported_by", ["nobody", " "]),
    "certainty": _relation_field("certainty", ["sure", " "]),
    "date": _relation_field("date", ["2025-13", " ", "2025-04-31", "soon"]),
    "date_text": _relation_field("date_text", ["blah", " "]),
    "note": _relation_field("note", ["  ", ""]),
    "attribute": _relation_field("attributes", [{" ": 1}, {"tone": "x"}]),
    "no quote": _evidence(lambda ev: ev.pop("quote", None)),  # (perhaps gone already)
    "nothing": _evidence(lambda ev: [ev.pop(k, None) for k in ("quote", "url", "locator")]),
    "blank quote": _evidence(lambda ev: ev.update(quote=" ")),
    "blank url": _evidence(lambda ev: ev.update(url=" ")),
    "blank locator": _evidence(lambda ev: ev.update(locator="  ")),
    "unknown source": _evidence(lambda ev: ev.update(source="nosrc")),
    "lat alone": _entity("lat", 12.5),
    "lon alone": _entity("lon", 12.5),
    "far": _entity("lat", 120.0),
    "blank name": _entity("name", " "),
    "blank alias": _entity("aliases", ["Al", " "]),
    "entity id": _entity("id", "Not An Id"),
    "identifier": _entity("identifiers", {"wikidata": " "}),
    "same entity": _twice("entities"),
    "same relation": _twice("relations"),
    "same source": _twice("sources"),
    "source id twice": _source_id_twice,
    "type defined twice": _type_twice,
    "published": _published,
}


@st.composite
def dataset(draw) -> tuple[dict, bool]:
    """A small data file, valid or with one or two wrong values (``CHANGES``), and
    whether it is written compactly."""
    doc = mini()
    relations = draw(st.lists(relation(), min_size=1, max_size=8))
    doc["relations"] = [{"id": f"r{n}", **rel} for n, rel in enumerate(relations)]
    for name in draw(st.lists(st.sampled_from(sorted(CHANGES)), max_size=2)):
        CHANGES[name](doc, draw)
    return doc, draw(st.booleans())


def verdicts(tmp_path, doc: dict, compact: bool, more: dict | None = None) -> dict:
    """Every path's verdict on ``doc`` (and ``more``, a second file after it)."""
    spacing = {"separators": (",", ":")} if compact else {}
    paths = []
    for name, content in (("data.json", doc), ("more.json", more)):
        if content is not None:
            paths.append(tmp_path / name)
            paths[-1].write_text(json.dumps(content, **spacing), encoding="utf-8")
    files = with_vocabulary(paths)
    try:
        check_files(files)
        full: list[str] = []
    except DataError as exc:
        full = exc.problems
    decoded = [fast.decode_fast(f.read_bytes()) for f in files]
    docs = [found[0] for found in decoded if found is not None]
    fast_ok = len(docs) == len(files) and fast.own_rules_ok(docs) and fast.cross_check_fast(docs)
    built = []
    for numpy_min, layout in itertools.product((10**9, 0), (True, False)):
        # the builder's rules in Python, then with numpy; the compact path and the simple
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sizes, "NUMPY_MIN", numpy_min)
            built.append(build.build_streaming(files, compact=layout) is not None)
    return {
        "full": full,
        "stream": find_problems(files),
        "valid": (not full, fast_ok, *built),
    }


@settings(
    max_examples=budget(300, 50),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(dataset())
def test_every_path_gives_the_same_verdict(tmp_path_factory, drawn):
    """Random valid and invalid files through the full checker, the fast path, the slice
    checker and the pack builder (both layouts, numpy or not): one verdict, and the
    slice checker gives the full checker's messages, so the same first one."""
    doc, compact = drawn
    found = verdicts(tmp_path_factory.mktemp("rules"), doc, compact)
    assert found["stream"] == found["full"]  # the same messages, the same first one
    assert found["stream"][:1] == found["full"][:1]
    assert len(set(found["valid"])) == 1, found
    broken = [
        problem
        for n, rel in enumerate(doc["relations"])
        for problem in relation_rule_problems(f"relations[{n}]", rel)
        if not record_problems("relations", rel, n)  # (else its shape is what is named)
    ]
    if broken:
        assert not found["valid"][0]  # a rule between a relation's fields broken
    for problem in broken:  # each named by the full checker, in its words
        assert any(line.endswith(problem) for line in found["full"]), problem


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_wrong_value_alone(tmp_path, name):
    """Each of ``CHANGES`` on its own (its first wrong value, on a valid file with one
    relation of each kind), through every path: the data is invalid for each, and the
    paths agree, message for message."""
    first = lambda strategy: strategy.elements[0]  # noqa: E731 (a draw without hypothesis)
    doc = mini()
    doc["relations"][0]["note"] = "n"
    doc["relations"][0]["date_text"] = "in April"
    doc["relations"][0]["attributes"] = {"tone": 1.0}
    doc["relations"][0]["evidence"][0].update(url="https://example.org", locator="p. 1")
    CHANGES[name](doc, first)
    for compact in (False, True):
        found = verdicts(tmp_path, doc, compact)
        assert found["stream"] == found["full"] != []
        assert set(found["valid"]) == {False}, found


def test_the_messages_are_the_rules():
    rel = {"source": "a", "target": "a", "certainty": "reported"}
    assert relation_rule_problems("relations[3]", rel) == [
        "relations[3].reported_by: is required when certainty is 'reported'",
        "relations[3].target: a relation cannot join 'a' to itself",
    ]
    assert relation_rule_problems("x", {**rel, "target": "b", "reported_by": "c"}) == []


@pytest.mark.parametrize("numpy", [None, np], ids=["python", "numpy"])
def test_columns_and_codes_agree_with_one_relation(numpy):
    """``hold`` over columns and ``hold_coded`` over the builder's arrays say what
    ``broken`` says relation by relation."""
    ids = ["a", "b", "c"]
    cases = [
        {"source": "a", "target": "b", "certainty": "stated"},
        {"source": "a", "target": "a", "certainty": "stated"},
        {"source": "a", "target": "b", "certainty": "reported"},
        {"source": "a", "target": "b", "certainty": "reported", "reported_by": "c"},
    ]
    for rule in RELATION_RULES:
        for rel in cases:
            columns = {k: [rel.get(k)] for k in ("source", "target", "certainty", "reported_by")}
            coded = {
                "source": array("i", [ids.index(rel["source"])]),
                "target": array("i", [ids.index(rel["target"])]),
                "certainty": array("B", [CERTAINTY_CODES[rel["certainty"]]]),
                "reported_by": array(
                    "i", [ids.index(rel["reported_by"])] if "reported_by" in rel else [-1]
                ),
            }
            codes = {"certainty": CERTAINTY_CODES}
            assert rule.hold(columns) is not rule.broken(rel), (rule, rel)
            assert rule.hold_coded(coded, codes, numpy) is not rule.broken(rel), (rule, rel)


#: A rule each (of a value; between a record's fields) that ``ALONE`` does not hold, the
#: record that breaks it, and the full checker's message.
NEW_RULES = {
    "value": (
        "entities",
        Matches("name", "^[A-Z].*$"),
        lambda doc: doc["entities"][1].update(name="bob smith"),
        "data.json: entities[1].name: 'bob smith' is not a valid id"
        " (lowercase letters, digits, '-')",
    ),
    "between fields": (
        "relations",
        Together("date", "date_text"),
        lambda doc: None,  # (no relation of the file has a date_text)
        "data.json: relations[0].date_text: is required with date/date_text",
    ),
}


@pytest.mark.parametrize("name", sorted(NEW_RULES))
def test_a_rule_added_to_alone_holds_on_every_path(tmp_path, monkeypatch, name):
    """A rule added to ``ALONE`` (and nowhere else) is applied by every path: the full
    checker names it in the rule's words, the slice checker gives the same messages,
    the fast path and the builder refuse the data."""
    kind, rule, change, message = NEW_RULES[name]
    doc = mini()
    doc["relations"] = [r for r in doc["relations"] if "date" in r]
    for rel in doc["relations"]:
        rel.pop("date_text", None)
    change(doc)
    assert set(verdicts(tmp_path, doc, compact=True)["valid"]) == {True}  # valid before
    monkeypatch.setitem(rules.ALONE, kind, (*rules.ALONE[kind], rule))
    for compact in (False, True):
        found = verdicts(tmp_path, doc, compact)
        assert found["full"] and found["full"][0].endswith(f"/{message}"), found
        assert found["stream"] == found["full"]
        assert set(found["valid"]) == {False}, found


#: A second file beside ``mini()``, and the full checker's message on the two (None:
#: valid).
TWO_FILES = {
    "type alike": ({"relation_types": [GREETS]}, None),
    "type differs": (
        {"relation_types": [{**GREETS, "label": "hails"}]},
        "more.json: relation_types[0].id: duplicate id 'greets' (first at {}/data.json:"
        " relation_types[0])",
    ),
    "source again": (
        {"sources": [{"id": "src", "title": "U", "publisher": "P", "published": "2025"}]},
        "more.json: sources[0].id: duplicate id 'src' (first at {}/data.json: sources[0])",
    ),
}


@pytest.mark.parametrize("name", sorted(TWO_FILES))
def test_ids_across_two_files(tmp_path, name):
    """A relation type defined in two files (alike: harmless; otherwise a duplicate id)
    and a source id repeated in a second file: one verdict on every path
    (``rules.IDS``), the slice checker giving the full checker's messages."""
    more, message = TWO_FILES[name]
    doc = {**mini(), "relation_types": [GREETS]}
    for compact in (False, True):
        found = verdicts(tmp_path, doc, compact, {"schema_version": 1, **more})
        assert found["stream"] == found["full"]
        if message is None:
            assert found["full"] == [] and set(found["valid"]) == {True}, found
        else:
            assert [p.removeprefix(f"{tmp_path}/") for p in found["full"]] == [
                message.format(tmp_path)
            ]
            assert set(found["valid"]) == {False}, found


# -- a new field or rule: one edit, applied by the builder ------------------------------------


def _edited(patch: pytest.MonkeyPatch, name: str, value) -> None:
    """``model.rules.<name>`` (or ``model.fields.RECORDS["relations"]``: name
    "relations") replaced as an edit there would replace it: in every module that
    imported it, with ``ALONE`` remade from the tables (the full checker reads the
    fields and their rules from there)."""
    import sys

    from diplograph.model import rules

    if name == "relations":
        patch.setitem(rules.RECORDS, "relations", value)
    else:
        old = getattr(rules, name)
        for module in list(sys.modules.values()):
            if module.__name__.startswith("diplograph") and getattr(module, name, None) is old:
                patch.setattr(module, name, value)
    alone = (*rules._alone("relations"), *rules.RECORD_RULES["relations"], *rules.RELATION_RULES)
    patch.setitem(rules.ALONE, "relations", alone)


def _same_verdict(tmp_path, doc: dict) -> bool:
    """The full checker's verdict on ``doc``, once the builder (both layouts, in Python
    and with numpy) has given the same."""
    path = tmp_path / "data.json"
    found = []
    for compact in (False, True):
        path.write_text(json.dumps(doc, **({"separators": (",", ":")} if compact else {})))
        files = with_vocabulary([path])
        try:
            check_files(files)
            full = True
        except DataError:
            full = False
        for numpy_min, layout in itertools.product((10**9, 0), (True, False)):
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(sizes, "NUMPY_MIN", numpy_min)
                found.append((full, build.build_streaming(files, compact=layout) is not None))
    assert {built for _, built in found} == {full for full, _ in found}, found
    return found[0][0]


def test_a_rule_on_another_field_is_applied_by_the_builder(tmp_path, monkeypatch):
    """A rule between a relation's fields that the builder's arrays do not hold (here
    a note required of hedged relations) is applied batch by batch."""
    from diplograph.model.rules import RequiredWhen

    noted = RequiredWhen("note", "certainty", "hedged", "is required when certainty is 'hedged'")
    _edited(monkeypatch, "RELATION_RULES", (*RELATION_RULES, noted))
    doc = mini()
    for rel in doc["relations"]:
        rel["note"] = "as the source has it"
    doc["relations"][0]["certainty"] = "hedged"
    assert _same_verdict(tmp_path, doc)
    del doc["relations"][0]["note"]
    assert not _same_verdict(tmp_path, doc)


def test_a_new_relation_text_field_is_checked_by_the_builder(tmp_path, monkeypatch):
    """A new text field of relations is decoded, read and held to "not blank"."""
    from diplograph.model.fields import RECORDS, Field

    summary = Field("summary", "string", False, "One line on what happened.")
    _edited(monkeypatch, "relations", (*RECORDS["relations"], summary))
    doc = mini()
    doc["relations"][0]["summary"] = "they met"
    assert _same_verdict(tmp_path, doc)
    doc["relations"][0]["summary"] = "  "
    assert not _same_verdict(tmp_path, doc)


def test_a_new_entity_reference_is_looked_up_by_the_builder(tmp_path, monkeypatch):
    """A new field naming an entity (a ``Refers`` to entities in ``rules.REFERENCES``)
    is looked up by the builder: an unknown or blank one is refused, as by the full
    checker."""
    from diplograph.model.fields import RECORDS, Field
    from diplograph.model.rules import REFERENCES, Refers

    mediator = Field("mediator", "string", False, "Entity id of who brought them together.")
    _edited(monkeypatch, "relations", (*RECORDS["relations"], mediator))
    _edited(
        monkeypatch,
        "REFERENCES",
        (*REFERENCES, Refers("mediator", "entities", "unknown entity '{}'")),
    )
    doc = mini()
    known = doc["entities"][0]["id"]
    doc["relations"][0]["mediator"] = known
    assert _same_verdict(tmp_path, doc)
    for wrong in ("nobody", " "):
        doc["relations"][0]["mediator"] = wrong
        assert not _same_verdict(tmp_path, doc)

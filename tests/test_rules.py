"""``model.rules``: each rule between a relation's own fields, stated once, is applied
alike by every path: the full checker (its messages), the fast path, the slice checker
(the same messages) and the pack builder (in Python and with numpy)."""

from __future__ import annotations

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
from diplograph.model.errors import DataError
from diplograph.model.rules import RELATION_RULES, relation_rule_problems
from diplograph.store import build, sizes
from diplograph.store.format import CERTAINTY_CODES

ENDS = ["alice", "bob", "carol", "dan"]


@st.composite
def relation(draw) -> dict:
    rel = {
        "type": draw(st.sampled_from(["met", "released", "sanctions"])),
        "source": draw(st.sampled_from(ENDS)),
        "target": draw(st.sampled_from(ENDS)),  # sometimes the source: a self-loop
        "certainty": draw(st.sampled_from(["stated", "reported", "hedged"])),
        "evidence": [{"source": "src", "quote": "q"}],
    }
    reporter = draw(st.sampled_from([None, "dan", "alice"]))
    if reporter is not None:
        rel["reported_by"] = reporter
    return rel


def verdicts(tmp_path, relations: list[dict], compact: bool) -> dict:
    doc = mini()
    doc["relations"] = [{"id": f"r{n}", **rel} for n, rel in enumerate(relations)]
    path = tmp_path / "data.json"
    spacing = {"separators": (",", ":")} if compact else {}
    path.write_text(json.dumps(doc, **spacing), encoding="utf-8")
    files = with_vocabulary([path])
    try:
        check_files(files)
        full: list[str] = []
    except DataError as exc:
        full = exc.problems
    decoded = [fast.decode_fast(f.read_bytes()) for f in files]
    docs = [found[0] for found in decoded if found is not None]
    fast_ok = len(docs) == len(files) and fast.own_rules_ok(docs) and fast.cross_check_fast(docs)
    built = {}
    for numpy_min in (10**9, 0):  # the builder's rules in Python, then with numpy
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sizes, "NUMPY_MIN", numpy_min)
            built[numpy_min] = build.build_streaming(files) is not None
    return {
        "full": full,
        "stream": find_problems(files),
        "valid": (not full, fast_ok, built[10**9], built[0]),
    }


@settings(
    max_examples=budget(200, 40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(relation(), min_size=1, max_size=8), st.booleans())
def test_every_path_gives_the_same_verdict(tmp_path_factory, relations, compact):
    found = verdicts(tmp_path_factory.mktemp("rules"), relations, compact)
    assert found["stream"] == found["full"]  # the same messages, the same first one
    assert len(set(found["valid"])) == 1, found
    broken = [
        problem
        for n, rel in enumerate(relations)
        for problem in relation_rule_problems(f"relations[{n}]", rel)
    ]
    assert found["valid"][0] is not broken  # valid exactly when no rule is broken
    for problem in broken:  # each named by the full checker, in its words
        assert any(line.endswith(problem) for line in found["full"]), problem


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

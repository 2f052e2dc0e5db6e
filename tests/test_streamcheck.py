"""The slice-at-a-time checker names the same problems, in the same order, as the full one."""

import contextlib
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, budget
from diplograph import parallel
from diplograph.check import stream as streamcheck
from diplograph.check.files import check_files
from diplograph.files.locate import data_files, with_vocabulary
from diplograph.model.errors import DataError
from diplograph.store.cache import open_store as open_packed

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


def full_checker(files: list[Path]) -> list[str]:
    try:
        check_files(files)
    except DataError as exc:
        return exc.problems
    return []


@pytest.fixture(autouse=True)
def small_slices(monkeypatch):
    """Several slices; from 20 relations (most generated documents here, not the corpus
    files), the last slices checked by a forked child."""

    monkeypatch.setattr(streamcheck, "SLICE", 7)
    monkeypatch.setattr(streamcheck, "PARALLEL_MIN", 20)
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)  # even on a one-core machine


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.json")))
def test_same_problems_as_the_full_checker_on_the_corpus(name):
    files = with_vocabulary([CORPUS / name])
    assert streamcheck.find_problems(files) == full_checker(files)


def test_valid_data_has_no_problems():
    files = with_vocabulary(data_files(ROOT / "data"))
    assert streamcheck.find_problems(files) == [] == full_checker(files)


# Each damage: (what it does, how it does it to relation or entity n of a document).
DAMAGES = {
    "unknown target": lambda d, n: _rel(d, n).update(target="nobody-here"),
    "unknown place": lambda d, n: _rel(d, n).update(place="noplace"),
    "reporter unknown": lambda d, n: _rel(d, n).update(reported_by="nobody"),
    "self-loop": lambda d, n: _rel(d, n).update(target=_rel(d, n)["source"]),
    "unknown type": lambda d, n: _rel(d, n).update(type="annexxed"),
    "unknown source": lambda d, n: _rel(d, n)["evidence"][0].update(source="rumor"),
    "duplicate id": lambda d, n: _rel(d, n).update(id=_rel(d, n + 3)["id"]),
    "reported, no reporter": lambda d, n: (
        _rel(d, n).update(certainty="reported"),
        _rel(d, n).pop("reported_by", None),
    ),
    "blank quote": lambda d, n: _rel(d, n)["evidence"][0].update(quote=" \t"),
    "empty evidence": lambda d, n: _rel(d, n).update(evidence=[]),
    "bad date": lambda d, n: _rel(d, n).update(date="2025-13-40"),
    "null note": lambda d, n: _rel(d, n).update(note=None),
    "number type": lambda d, n: _rel(d, n).update(type=7),
    "missing source": lambda d, n: _rel(d, n).pop("source"),
    "unknown field": lambda d, n: _rel(d, n).update(colour="red"),
    "bad id": lambda d, n: _rel(d, n).update(id="has space"),
    "control character": lambda d, n: _rel(d, n).update(note="a\x07b"),
    "lone surrogate": lambda d, n: _rel(d, n).update(note="a\ud800b"),
    "not an object": lambda d, n: d["relations"].__setitem__(n % len(d["relations"]), 5),
    "null relation": lambda d, n: d["relations"].__setitem__(n % len(d["relations"]), None),
    "duplicate entity": lambda d, n: d["entities"].append(dict(d["entities"][n % 10])),
    "bad entity id": lambda d, n: d["entities"][n % len(d["entities"])].update(id="Bad Id"),
    "relations not a list": lambda d, n: d.update(relations={"a": 1}),
    "unknown top-level field": lambda d, n: d.update(extra=[n]),
    "schema version": lambda d, n: d.update(schema_version=2),
}


def _rel(doc: dict, n: int) -> dict:
    rel = doc["relations"][n % len(doc["relations"])]
    return rel if isinstance(rel, dict) else {"evidence": [{}]}  # already replaced


@pytest.mark.long
@settings(
    max_examples=budget(150, 30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    damages=st.lists(
        st.tuples(st.sampled_from(sorted(DAMAGES)), st.integers(0, 60)), min_size=1, max_size=4
    ),
    indent=st.sampled_from([None, 1]),
    escaped=st.booleans(),
)
def test_same_problems_as_the_full_checker_after_damage(tmp_path_factory, damages, indent, escaped):
    doc = generate.generate(20, 40, seed=3)
    for name, n in damages:
        # an earlier damage may have taken away what this one changes
        with contextlib.suppress(KeyError, IndexError, TypeError, AttributeError):
            DAMAGES[name](doc, n)
    escaped = escaped or any(name == "lone surrogate" for name, _ in damages)
    path = tmp_path_factory.mktemp("data") / "data.json"
    path.write_text(json.dumps(doc, indent=indent, ensure_ascii=escaped), encoding="utf-8")
    files = with_vocabulary([path])
    expected = full_checker(files)
    assert streamcheck.find_problems(files) == expected
    assert expected  # every damage above makes the data invalid


def test_same_problems_across_files(tmp_path):
    """Duplicates and references across files: the first file's id wins, in file order."""
    bundled = json.loads((ROOT / "data" / "belarus.json").read_text(encoding="utf-8"))
    extra = {
        "schema_version": 1,
        "entities": [bundled["entities"][0], {"id": "later", "name": "Later", "type": "group"}],
        "relations": [
            {**bundled["relations"][0], "target": "later"},
            {**bundled["relations"][1], "id": "fresh", "source": "nobody"},
        ],
    }
    (tmp_path / "a.json").write_text(json.dumps(bundled), encoding="utf-8")
    (tmp_path / "b.json").write_text(json.dumps(extra, indent=2), encoding="utf-8")
    files = with_vocabulary(data_files(tmp_path))
    expected = full_checker(files)
    assert len(expected) >= 3
    assert streamcheck.find_problems(files) == expected


def test_a_large_bad_file_is_reported_without_reading_it_whole(tmp_path, monkeypatch):
    """The cache builder's doubt leads to the slice checker, never to the whole-document
    checker, when the data is invalid."""
    doc = generate.generate(50, 300, seed=5)
    doc["relations"][-1]["target"] = "nobody"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc), encoding="utf-8")

    def whole(*_):
        raise AssertionError("read whole")

    monkeypatch.setattr("diplograph.check.stream.check_files", whole)
    monkeypatch.setattr("diplograph.store.build.decode_fast", whole)
    with pytest.raises(DataError, match=r"relations\[299\]\.target: unknown entity 'nobody'"):
        open_packed(path)


def test_valid_data_the_builder_doubts_is_still_read(tmp_path, monkeypatch):
    """No problem found: the data is loaded the slower way, not refused."""
    from diplograph.store import build

    monkeypatch.setattr(build, "build_streaming", lambda *a, **k: None)
    packed = open_packed(ROOT / "data")
    assert packed.number_of_edges() > 0


@settings(max_examples=300, deadline=None)
@given(
    word=st.text(alphabet="abcde-", max_size=8),
    choices=st.lists(st.text(alphabet="abcde-", min_size=1, max_size=8), max_size=40),
)
def test_did_you_mean_same_with_the_rapidfuzz_filter(word, choices):
    import difflib

    from diplograph.model.records import _closest

    plain = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    expected = f" (did you mean '{plain[0]}'?)" if plain else ""
    padded = choices + ["zzzz"] * 1001  # more than 1,000 choices: filtered first
    assert _closest(word, padded) == expected


def test_progress_reported_while_looking(tmp_path, monkeypatch):
    monkeypatch.setattr(streamcheck, "PROGRESS_EVERY", 10)
    doc = generate.generate(20, 60, seed=1)
    doc["relations"][-1]["target"] = "nobody"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    calls = []
    problems = streamcheck.find_problems(with_vocabulary([path]), lambda *a: calls.append(a))
    assert problems == [f"{path}: relations[59].target: unknown entity 'nobody'"]
    assert {step for step, _, _ in calls} == {"finding the problems"}
    done = [count for _, count, _ in calls]
    assert done[0] == 0 and done == sorted(done) and len(done) > 3
    assert all(total == 60 for _, _, total in calls)


def test_did_you_mean_for_the_first_unknown_references_only(tmp_path, monkeypatch):
    """Data with a million bad references must not take hours: the first distinct ones get
    a suggestion (a repeated one keeps its own), the same way on both checkers."""
    from diplograph.model import records as model

    monkeypatch.setattr(model, "SUGGESTIONS", 2)
    doc = generate.generate(20, 40, seed=3)
    for n, rel in enumerate(doc["relations"][:6]):
        rel["target"] = f"e{n if n != 3 else 0}x"  # close to e0, e1...: a hint each
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    files = with_vocabulary([path])
    problems = full_checker(files)
    assert streamcheck.find_problems(files) == problems
    hinted = ["did you mean" in p for p in problems]
    assert hinted == [True, True, False, True, False, False]  # relation 3 repeats 0's


def test_what_json_alone_reads_goes_to_the_whole_document_checker(tmp_path, monkeypatch):
    """A part that json reads differently from msgspec (or not at all): the whole
    document checker gives the answer."""
    doc = generate.generate(20, 30, seed=2)
    doc["relations"][4]["target"] = "nobody"
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    files = with_vocabulary([path])

    def unreadable(value):
        raise streamcheck._Unreadable

    monkeypatch.setattr(streamcheck, "_loaded", unreadable)
    assert streamcheck.find_problems(files) == full_checker(files)
    assert streamcheck.find_problems(with_vocabulary(data_files(ROOT / "data"))) == []


@pytest.mark.parametrize("child", ["checks", "dies", "one-process"])
def test_same_problems_whoever_checks_the_last_slices(tmp_path, monkeypatch, child):
    """Problems in both parts, duplicates across them: the same list whether a child
    checked the last slices, died doing so (the parent does them), or there was none."""
    import os

    doc = generate.generate(30, 200, seed=11)
    for n in (3, 120, 190):
        doc["relations"][n]["target"] = f"nobody-{n}"
    doc["relations"][150]["id"] = doc["relations"][10]["id"]  # first seen in the parent's
    doc["relations"][199]["evidence"][0]["quote"] = " "
    path = tmp_path / "data.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    files = with_vocabulary([path])
    if child == "dies":
        parent, verdict = os.getpid(), streamcheck._verdict

        def dying(*args):
            if os.getpid() != parent:
                os._exit(9)
            return verdict(*args)

        monkeypatch.setattr(streamcheck, "_verdict", dying)
    if child == "one-process":
        monkeypatch.setattr(streamcheck, "PARALLEL_MIN", 10**9)
    problems = streamcheck.find_problems(files)
    assert problems == full_checker(files)
    assert len(problems) == 5
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind

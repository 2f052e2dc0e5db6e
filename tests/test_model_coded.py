"""Machine-coded facts, identifiers, coordinates and coder attributes: every checker
(full, fast, slice by slice, cache builder) accepts and refuses the same."""

import copy
import json

import pytest

from conftest import mini
from diplograph.check.files import check_files
from diplograph.check.stream import find_problems
from diplograph.files.locate import with_vocabulary
from diplograph.model import records as model
from diplograph.model.errors import DataError
from diplograph.store.build import build_streaming, documents_for_pack


def coded_doc() -> dict:
    doc = mini()
    doc["entities"][0]["identifiers"] = {"cameo": "USA", "wikidata": "Q30"}
    doc["entities"][4].update(lat=53.9, lon=27.5667, identifiers={"geonames": "625144"})
    doc["relations"].append(
        {
            "id": "gdelt-1",
            "type": "met",
            "source": "alice",
            "target": "dan",
            "date": "2017-05-01",
            "certainty": "coded",
            "evidence": [
                {"source": "src", "url": "https://example.org/a", "locator": "event 1"},
                {"source": "src", "locator": "story 7, sentence 2"},
            ],
            "attributes": {"goldstein": 1.0, "tone": -2.5, "mentions": 3},
        }
    )
    return doc


def verdicts(tmp_path, doc) -> tuple[list[str], bool, bool, list[str]]:
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    files = with_vocabulary([path])
    try:
        check_files(files)
        full: list[str] = []
    except DataError as exc:
        full = exc.problems
    fast = build_streaming(files) is not None
    try:
        documents_for_pack(files)
        pack = True
    except DataError:
        pack = False
    return full, fast, pack, find_problems(files)


def test_coded_facts_pass_every_checker(tmp_path):
    full, fast, pack, sliced = verdicts(tmp_path, coded_doc())
    assert (full, fast, pack, sliced) == ([], True, True, [])


def test_old_files_stay_valid(tmp_path):
    assert verdicts(tmp_path, mini()) == ([], True, True, [])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["relations"][0]["evidence"][0].pop("quote"),
            "relations[0].evidence[0].quote: is required (only 'coded' facts may go without "
            "a quote)",
        ),
        (
            lambda d: d["relations"][-1]["evidence"][1].pop("locator"),
            "relations[4].evidence[1]: needs a quote, a url or a locator",
        ),
        (
            lambda d: d["relations"][-1]["evidence"][0].update(url=" "),
            "relations[4].evidence[0].url: must not be empty",
        ),
        (
            lambda d: d["entities"][4].pop("lon"),
            "entities[4].lon: is required with lat/lon",
        ),
        (
            lambda d: d["entities"][4].update(lat=91),
            "entities[4].lat: 91 is not between -90 and 90",
        ),
        (
            lambda d: d["entities"][0]["identifiers"].update(cameo=" "),
            "entities[0].identifiers.cameo: must not be empty",
        ),
        (
            lambda d: d["relations"][-1]["attributes"].update(tone="low"),
            "relations[4].attributes.tone: expected a number, got a string",
        ),
        (
            lambda d: d["relations"][-1]["attributes"].update(tone=True),
            "relations[4].attributes.tone: expected a number, got a boolean",
        ),
    ],
)
def test_coded_problems_found_alike(tmp_path, change, expected):
    doc = copy.deepcopy(coded_doc())
    change(doc)
    full, fast, pack, sliced = verdicts(tmp_path, doc)
    assert len(full) == 1 and full[0].endswith(expected), full
    assert sliced == full
    assert not fast and not pack


def test_schema_accepts_coded_data():
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(coded_doc(), model.json_schema())

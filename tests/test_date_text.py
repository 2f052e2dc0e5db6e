"""``date_text`` holds only the source's words for a date: one rule
(``model.datewords.date_text_problem``), the same verdict from every checker (full,
fast, slice by slice, cache builder)."""

import json

import pytest

from conftest import mini
from diplograph.check.files import check_files
from diplograph.check.stream import find_problems
from diplograph.files.locate import with_vocabulary
from diplograph.model.datewords import date_text_problem
from diplograph.model.errors import DataError
from diplograph.store.build import build_streaming, documents_for_pack


def verdicts(tmp_path, date_text: str) -> tuple[list[str], bool, bool, list[str]]:
    doc = mini()
    doc["relations"][0]["date"] = "2025-06"
    doc["relations"][0]["date_text"] = date_text
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


@pytest.mark.parametrize(
    "words",
    [
        "June 21",
        "Two weeks later",
        "back in the fall of 2024",
        "Now",
        "In May",
        "in 2020 … more than five years in prison",
        "Following his imprisonment … ultimately became",
        "three decades in power",
        "On Monday",
        "last spring",
    ],
)
def test_date_words_pass_every_checker(tmp_path, words):
    assert date_text_problem(words) is None
    assert verdicts(tmp_path, words) == ([], True, True, [])


@pytest.mark.parametrize(
    "words",
    [
        "Even in the pretrial detention center",
        "Washington is prepared to play along",
        "is counting on",
        "may be enough",
        "In April … he hinted",  # every fragment must hold a date word
    ],
)
def test_words_that_are_not_dates_are_refused_by_every_checker(tmp_path, words):
    full, fast, pack, sliced = verdicts(tmp_path, words)
    assert len(full) == 1 and "relations[0].date_text" in full[0]
    assert "holds no date word" in full[0]
    assert (fast, pack) == (False, False)
    assert sliced == full


def test_validate_names_the_record_and_field(cli, tmp_path):
    doc = mini()
    doc["relations"][0]["date_text"] = "is counting on"
    path = tmp_path / "d.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    result = cli("--data", str(path), "validate")
    assert result.exit_code == 1
    assert ".date_text: 'is counting on' holds no date word" in result.stderr


def test_bundled_date_texts_all_hold_date_words(cli):
    rows = json.loads(cli("list", "relations", "--format", "json").stdout)
    assert [
        r["date_text"] for r in rows if r["date_text"] and date_text_problem(r["date_text"])
    ] == []

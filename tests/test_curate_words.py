"""Date words to EDTF (curate.words) and the id rules (curate.ids)."""

import pytest

from diplograph.curate import CurationError, ids, words
from diplograph.model import dates

PUBLISHED = "2025-06-24"


@pytest.mark.parametrize(
    ("text", "edtf"),
    [
        ("June 21", "2025-06-21"),
        ("on June 21", "2025-06-21"),
        ("21 June", "2025-06-21"),
        ("June 21, 2024", "2024-06-21"),
        ("Sept. 3", "2025-09-03"),
        ("in April", "2025-04"),
        ("In April", "2025-04"),
        ("April 2024", "2024-04"),
        ("early March", "2025-03-01/2025-03-10"),
        ("mid-January", "2025-01-11/2025-01-20"),
        ("late January", "2025-01-21/2025-01-31"),
        ("late February 2024", "2024-02-21/2024-02-29"),
        ("the end of January", "2025-01-21/2025-01-31"),
        ("fall 2024", "2024-23"),
        ("the fall of 2024", "2024-23"),
        ("back in the fall of 2024", "2024-23"),
        ("autumn 2024", "2024-23"),
        ("this spring", "2025-21"),
        ("in the summer", "2025-22"),
        ("last winter", "2024-24"),
        ("since fall 2024", "2024-23/.."),
        ("until 2022", "../2022"),
        ("in 2020", "2020"),
        ("late 2024", "2024-09/2024-12"),
        ("early 2025", "2025-01/2025-04"),
        ("today", "2025-06-24"),
        ("yesterday", "2025-06-23"),
        ("now", "2025-06"),
        ("last month", "2025-05"),
        ("last year", "2024"),
    ],
)
def test_words_become_edtf(text, edtf):
    found = words.to_edtf(text, PUBLISHED)
    assert (found.edtf, found.text) == (edtf, text)
    dates.parse(found.edtf)  # always valid EDTF


def test_edtf_passes_through_without_words():
    assert words.to_edtf("2025-02-04/2025-02-14", PUBLISHED) == words.DateWords(
        "2025-02-04/2025-02-14", ""
    )


def test_the_year_comes_from_the_publication_date():
    assert words.to_edtf("June 21", "2019-07-01").edtf == "2019-06-21"


@pytest.mark.parametrize("text", ["two weeks later", "the next day", "a week after the vote"])
def test_relative_words_are_refused(text):
    with pytest.raises(CurationError) as error:
        words.to_edtf(text, PUBLISHED)
    assert str(error.value) == (
        f"'{text}' is relative to another event, not to the publication date: give the "
        "date in EDTF (--date 2025-02-04/2025-02-14) and keep the words with --date-text"
    )


def test_unreadable_and_impossible_dates():
    with pytest.raises(CurationError, match="cannot read 'soonish' as a date"):
        words.to_edtf("soonish", PUBLISHED)
    with pytest.raises(CurationError, match="'February 30' is not a possible date"):
        words.to_edtf("February 30", PUBLISHED)


@pytest.mark.parametrize(
    ("sentence", "edtf", "text"),
    [
        ("Kellogg met with Lukashenko in Minsk on June 21.", "2025-06-21", "June 21"),
        ("Minsk released the first American citizen in late January, during", None, None),
        ("In April, Lukashenko released Zenkovich", "2025-04", "In April"),
        ("discussing it back in the fall of 2024, the timing", "2024-23", "the fall of 2024"),
        ("he would run for president in 2020, was", "2020", "in 2020"),
        ("Lukashenko has bargaining power.", None, None),
    ],
)
def test_find_dates_in_sentences(sentence, edtf, text):
    found = words.find(sentence, PUBLISHED)
    if "late January" in sentence:
        assert found == words.DateWords("2025-01-21/2025-01-31", "late January")
    elif edtf is None:
        assert found is None
    else:
        assert found == words.DateWords(edtf, text)


def test_entity_ids_follow_the_rules():
    assert ids.entity_id("Keith Kellogg", "person", set()) == "kellogg"
    assert ids.entity_id("Anna Kellogg", "person", {"kellogg"}) == "anna-kellogg"
    assert ids.entity_id("Anna Kellogg", "person", {"kellogg", "anna-kellogg"}) == (
        "anna-kellogg-2"
    )
    assert ids.entity_id("United States", "country", set()) == "united-states"
    assert ids.entity_id("Radio Free Europe/Radio Liberty", "organization", set()) == (
        "radio-free-europe-radio-liberty"
    )
    assert ids.entity_id("Cichanoŭski", "person", set()) == "cichanouski"
    with pytest.raises(CurationError, match="give one with --id"):
        ids.entity_id("Минск", "place", set())


def test_relation_and_source_ids():
    assert ids.relation_id("kellogg", "met", "lukashenko", set()) == "kellogg-met-lukashenko"
    taken = {"kellogg-met-lukashenko", "kellogg-met-lukashenko-2"}
    assert ids.relation_id("kellogg", "met", "lukashenko", taken) == "kellogg-met-lukashenko-3"
    assert ids.source_id("Carnegie Endowment for International Peace", "2025-06-24") == (
        "carnegie-2025-06-24"
    )
    assert ids.source_id("The New York Times", "2025-02-12") == "new-2025-02-12"
    with pytest.raises(CurationError, match="not a valid entity id"):
        ids.check_id("Kellogg", "entity")

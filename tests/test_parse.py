"""The spaCy extractor: constructions, modality, dates, entities; the candidates file and
``add --from``; bad input. Skips (with the reason) where spaCy or its pipeline is absent."""

import json
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, last_error

ARTICLES = ROOT / "tests" / "articles"


@pytest.fixture(scope="module")
def nlp():
    pytest.importorskip("spacy", reason="spaCy not installed (pip install 'diplograph[nlp]')")
    from diplograph.curate import parse

    try:
        return parse.load()
    except parse.ModelMissing as exc:
        pytest.skip(f"{exc} (pip install --no-deps ../shared/models/en_core_web_sm-*.whl)")


@pytest.fixture(scope="module")
def types():
    return json.loads((ROOT / "data" / "vocabulary.json").read_text(encoding="utf-8"))[
        "relation_types"
    ]


ENTITIES = [
    {"id": "berg", "name": "Anna Berg", "type": "person"},
    {"id": "dahl", "name": "Lars Dahl", "type": "person"},
    {"id": "lind", "name": "Eva Lind", "type": "person"},
    {"id": "norway", "name": "Norway", "type": "country", "aliases": ["Oslo"]},
    {"id": "sweden", "name": "Sweden", "type": "country"},
    {"id": "geneva", "name": "Geneva", "type": "place"},
    {"id": "times", "name": "The Times", "type": "organization"},
]


def facts(nlp, types, text, published="2025-09-11", entities=ENTITIES):
    from diplograph.curate import parse

    found, new = parse.extract(text, entities, types, published, nlp=nlp)
    return [(c.source, c.type, c.target) for c in found if not c.negated], found, new


def one(nlp, types, text, **kw):
    _, found, _ = facts(nlp, types, text, **kw)
    assert found, text
    return found[0]


def test_active_passive_and_relative_clause(nlp, types):
    assert ("berg", "met", "dahl") in facts(nlp, types, "Anna Berg met with Lars Dahl.")[0]
    assert ("berg", "released", "dahl") in facts(nlp, types, "Dahl was released by Berg.")[0]
    got = facts(nlp, types, "Norway freed Lars Dahl, who was escorted from Sweden by Eva Lind.")
    assert ("lind", "escorted", "dahl") in got[0]
    assert ("norway", "released", "dahl") in got[0]


def test_conjunctions_give_one_relation_each(nlp, types):
    got = facts(nlp, types, "Norway released Lars Dahl and Eva Lind.")[0]
    assert ("norway", "released", "dahl") in got and ("norway", "released", "lind") in got


def test_titles_and_appositions_read_the_right_way(nlp, types):
    got = facts(
        nlp, types, "Norway’s special envoy Anna Berg arrived. Berg’s deputy Eva Lind spoke."
    )
    assert ("berg", "envoy-of", "norway") in got[0]
    assert ("lind", "deputy-of", "berg") in got[0]
    assert ("norway", "envoy-of", "berg") not in got[0]


def test_between_and_pronouns_and_role_nouns(nlp, types):
    got = facts(nlp, types, "Talks between Norway and Sweden resumed.")[0]
    assert ("norway", "negotiates-with", "sweden") in got
    got = facts(nlp, types, "Anna Berg arrived in Geneva. On Friday he met with Lars Dahl.")[0]
    assert ("berg", "met", "dahl") in got


def test_a_capital_acting_is_its_government(nlp, types):
    ents = [*ENTITIES, {"id": "minsk", "name": "Minsk", "type": "place"},
            {"id": "belarus", "name": "Belarus", "type": "country"}]  # fmt: skip
    got = facts(nlp, types, "Minsk released Lars Dahl in late January.", entities=ents)[0]
    assert ("belarus", "released", "dahl") in got


def test_cues_are_whole_words_on_lemmas(nlp, types):
    got = facts(nlp, types, "Norway took the hostages of Sweden.")[0]
    assert not any(t == "hosts" for _, t, _ in got)


def test_negation_is_marked_and_add_refuses_it(nlp, types):
    c = one(nlp, types, "Anna Berg did not meet Lars Dahl.")
    assert c.negated
    from diplograph.curate.candidates import accept

    with pytest.raises(Exception, match="denies"):
        accept(None, {}, {"negated": True}, [], "x")


@pytest.mark.parametrize(
    "text, certainty",
    [
        ("Anna Berg could meet Lars Dahl.", "hypothetical"),
        ("Anna Berg is expected to meet Lars Dahl.", "hypothetical"),
        ("Anna Berg plans to meet Lars Dahl.", "hypothetical"),
        ("Anna Berg reportedly met Lars Dahl.", "hedged"),
        ("It is likely that Anna Berg met Lars Dahl.", "hedged"),
        ("The Times reported that Anna Berg met Lars Dahl.", "reported"),
        ("According to The Times, Anna Berg met Lars Dahl.", "reported"),
        ("Anna Berg met Lars Dahl.", "stated"),
    ],
)
def test_modality(nlp, types, text, certainty):
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "met")
    assert c.certainty == certainty
    if certainty == "reported":
        assert c.reported_by == "times"


@pytest.mark.parametrize(
    "text, date",
    [
        ("On Thursday, Anna Berg met Lars Dahl.", "2025-09-11"),  # published Thursday
        ("Last Tuesday, Anna Berg met Lars Dahl.", "2025-09-09"),
        ("Anna Berg met Lars Dahl in April.", "2025-04"),
        ("Anna Berg met Lars Dahl in October.", "2024-10"),  # the latest not after
        ("Anna Berg will meet Lars Dahl in October.", "2025-10"),  # the next one
        ("Last month, Anna Berg met Lars Dahl.", "2025-08"),
        ("Norway released Eva Lind on Monday. Two days later, Anna Berg met Lars Dahl.",
         "2025-09-10"),
    ],
)  # fmt: skip
def test_dates(nlp, types, text, date):
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "met")
    assert c.date == date
    assert c.date_text and c.date_text in text


def test_place_and_shortest_quote(nlp, types):
    text = "GENEVA, Sept 11 — Anna Berg met with Lars Dahl in Geneva on Thursday, officials said."
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "met")
    assert c.place == "geneva"
    assert c.quote.startswith("Anna Berg") and "GENEVA" not in c.quote
    assert text[c.start : c.end] == c.quote


def test_new_entities_are_proposed_with_aliases(nlp, types):
    text = "Foreign Minister Karin Holm met with Ole Rask in Geneva. Later Holm thanked Rask."
    got, found, new = facts(nlp, types, text, entities=[])
    ids = {e["id"]: e for e in new}
    assert "holm" in ids
    assert ids["holm"]["type"] == "person" and ids["holm"]["name"] == "Karin Holm"
    met = next(c for c in found if c.type == "met")
    assert (met.source, met.target_name) == ("holm", "Ole Rask") and met.target in ids


def test_an_untyped_verb_suggests_add_type(nlp, types):
    _, found, _ = facts(nlp, types, "Anna Berg thanked Lars Dahl.")
    c = next(c for c in found if c.type is None)
    assert "add type" in c.note


def test_figures_on_the_labelled_articles(nlp, types):
    """benchmarks/extract.py and README: the measured figures; bounds a little under
    them, so a broken extractor fails and the labels' own corrections do not."""
    from diplograph.curate import parse
    from diplograph.curate.extract import score
    from diplograph.files.locate import read_documents

    for labels, recall, precision in [
        ("gulf-wire-2025-09-11.json", 0.4, 0.8),
        ("oslo-channel-2025-11-04.json", 0.25, 0.8),
        ("harbour-talks.json", 0.6, 0.7),
    ]:
        documents = read_documents(ARTICLES / labels)
        rec = {k: [r for _, d in documents for r in d.get(k, [])]
               for k in ("entities", "relation_types", "relations", "sources")}  # fmt: skip
        source = next(s for s in rec["sources"] if s.get("text"))
        text = (ARTICLES / source["text"]).read_text(encoding="utf-8")
        found, _ = parse.extract(text, rec["entities"], rec["relation_types"],
                                 source["published"], nlp=nlp)  # fmt: skip
        figures = score(found, rec["relations"], {t["id"]: t for t in rec["relation_types"]})
        assert figures["recall"] >= recall and figures["precision"] >= precision, (labels, figures)
        for c in found:  # every quote verbatim in the text
            assert c.quote in text and text[c.start : c.end] == c.quote


# -- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def talks(tmp_path, cli):
    path = tmp_path / "talks.json"
    article = tmp_path / "harbour-talks.txt"
    shutil.copy(ROOT / "docs" / "harbour-talks.txt", article)
    assert cli("init", path).exit_code == 0
    result = cli("add", "source", "--id", "herald-2025-03-03", "--title", "Harbour talks resume",
                 "--publisher", "The Harbour Herald", "--published", "2025-03-03",
                 "--text", article, data=path)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return path, article


def test_output_then_add_from_adds_entities_and_relations(nlp, talks, cli, tmp_path):
    path, article = talks
    out = tmp_path / "candidates.json"
    result = cli("extract", article, "--source", "herald-2025-03-03", "--output", out, data=path)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["entities"] and doc["relations"]
    for rel in doc["relations"]:
        rel["accept"] = rel["accept"] and rel["type"] in ("met", "deputy-of")
    out.write_text(json.dumps(doc), encoding="utf-8")
    result = cli("add", "--from", out, data=path)
    assert result.exit_code == 0, result.stderr
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {r["type"] for r in data["relations"]} == {"met", "deputy-of"}
    assert cli("validate", data=path).exit_code == 0


def test_add_from_is_all_or_nothing(nlp, talks, cli, tmp_path):
    path, article = talks
    out = tmp_path / "candidates.json"
    assert (
        cli("extract", article, "--source", "herald-2025-03-03", "-o", out, data=path).exit_code
        == 0
    )
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["relations"][-1]["quote"] = "words the article never had"
    doc["relations"][-1]["accept"] = True
    out.write_text(json.dumps(doc), encoding="utf-8")
    before = path.read_bytes()
    result = cli("add", "--from", out, data=path)
    assert result.exit_code == 1
    assert "nothing written" in last_error(result) and "is not in source" in result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x01binary\x00", "binary"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"  \n\n ", "is empty"),
        (b"Some other article entirely.", "is not the stored text"),
    ],
)
def test_bad_input_is_one_line_and_nothing_written(talks, cli, tmp_path, content, message):
    path, _ = talks
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = tmp_path / "c.json"
    result = cli("extract", bad, "--source", "herald-2025-03-03", "-o", out, data=path)
    assert result.exit_code == 1
    assert message in last_error(result) and last_error(result).startswith("Error:")
    assert not out.exists()


def test_a_huge_text_is_refused_before_reading(talks, cli, tmp_path):
    path, _ = talks
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: 50 MB, no disk
    result = cli("extract", big, "--source", "herald-2025-03-03", data=path)
    assert result.exit_code == 1 and "more than an article" in last_error(result)


def test_without_spacy_the_rules_run_and_say_so(talks, tmp_path):
    path, article = talks
    code = "import sys; sys.modules['spacy'] = None\nfrom diplograph.cli.app import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", code, "--data", str(path), "extract", str(article), "--source",
         "herald-2025-03-03"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "rule-based" in line]
    assert len(notes) == 1 and "diplograph[nlp]" in notes[0]


def test_spacy_is_not_imported_at_start_up():
    code = "import sys; from diplograph.cli import app; print('spacy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False"


def test_review_needs_a_terminal(talks, cli):
    path, article = talks
    result = cli("extract", article, "--source", "herald-2025-03-03", "--review", data=path)
    assert result.exit_code == 2 and "terminal" in last_error(result)


# -- recall rules (each sentence failed before its rule) ---------------------------------

NORVALA = [*ENTITIES, {"id": "norvala", "name": "Norvala", "type": "country"}]


def test_an_apposition_list_names_each_entity(nlp, types):
    got = facts(nlp, types, "Sweden freed two Norwegian citizens, Anna Berg and Lars Dahl.")[0]
    for who in ("berg", "dahl"):
        assert ("sweden", "released", who) in got
        assert (who, "citizen-of", "norway") in got


def test_conjoined_peoples_on_one_group_noun(nlp, types):
    got = facts(nlp, types, "Berg praised talks between Norwegian and Swedish officials.")[0]
    assert ("norway", "negotiates-with", "sweden") in got or (
        "sweden",
        "negotiates-with",
        "norway",
    ) in got


def test_the_two_men_and_their_stand_for_the_last_two_named(nlp, types):
    text = "Anna Berg met Lars Dahl in Geneva. The two men were escorted home by Eva Lind."
    got = facts(nlp, types, text)[0]
    assert ("lind", "escorted", "berg") in got and ("lind", "escorted", "dahl") in got
    text = (
        "Sweden freed two citizens, Anna Berg and Lars Dahl. Eva Lind had negotiated their release."
    )
    got = facts(nlp, types, text)[0]
    assert ("lind", "negotiates-release-of", "berg") in got
    assert ("lind", "negotiates-release-of", "dahl") in got


def test_a_sought_release_is_no_release_and_its_with_is_the_other_side(nlp, types):
    got = facts(nlp, types, "Eva Lind negotiated the release of Anna Berg with Lars Dahl.")[0]
    assert ("lind", "negotiates-with", "dahl") in got
    assert ("lind", "negotiates-release-of", "berg") in got
    assert not any(t == "released" for _, t, _ in got)


def test_a_seat_of_government_as_target_is_its_country(nlp, types):
    _, found, _ = facts(nlp, types, "The Kremlin supplies Minsk with weapons.", entities=[])
    aids = [c for c in found if c.type == "aids"]
    assert aids and aids[0].source_name == "Russia" and aids[0].target_name == "Belarus"


def test_the_target_through_the_objects_words(nlp, types):
    got = facts(nlp, types, "Anna Berg rejected the demands of Lars Dahl.")[0]
    assert ("berg", "rejects", "dahl") in got
    c = next(
        c
        for c in facts(nlp, types, "Sweden promised to ease sanctions on Norway’s oil sector.")[1]
        if c.type == "eases-sanctions"
    )
    assert (c.source, c.target, c.certainty) == ("sweden", "norway", "hypothetical")


def test_titles_owned_by_a_people_word_anywhere_before_the_noun(nlp, types):
    got = facts(nlp, types, "Norwegian Interior Minister Lars Dahl met Berg.")[0]
    assert ("dahl", "official-of", "norway") in got
    got = facts(nlp, types, "Anna Berg met her Norvalan counterpart Lars Dahl.", entities=NORVALA)[
        0
    ]
    assert ("dahl", "official-of", "norvala") in got
    assert ("dahl", "official-of", "berg") not in got
    got = facts(
        nlp, types, "Sweden freed the last prisoner with Norwegian citizenship, Lars Dahl."
    )[0]
    assert ("dahl", "citizen-of", "norway") in got
    got = facts(nlp, types, "Dahl, who has ruled Sweden since 2013, met Berg.")[0]
    assert ("dahl", "leads", "sweden") in got


def test_a_title_is_not_reported_by_the_clause_it_is_in(nlp, types):
    _, found, _ = facts(
        nlp, types, "Norwegian Foreign Minister Anna Berg met Dahl, the Times said."
    )
    title = next(c for c in found if c.type == "official-of")
    assert title.certainty == "stated"


def test_a_hedge_over_will_is_hedged(nlp, types):
    c = one(nlp, types, "It is likely that Anna Berg will visit Sweden in April.")
    assert (c.type, c.certainty) == ("visited", "hedged")
    c = one(nlp, types, "Anna Berg will visit Sweden in April.")
    assert c.certainty == "hypothetical"


def test_accompanied_by_ones_own_deputy_is_no_escort(nlp, types):
    got = facts(nlp, types, "Dahl was accompanied by his deputy Eva Lind.")[0]
    assert ("lind", "escorted", "dahl") not in got
    assert ("lind", "deputy-of", "dahl") in got


def test_a_relative_clause_keeps_its_dates(nlp, types):
    text = "Sweden, which sanctioned Norway in 2024, met Lars Dahl on Monday."
    _, found, _ = facts(nlp, types, text)
    met = next(c for c in found if c.type == "met")
    assert met.date == "2025-09-08"
    _, found, _ = facts(
        nlp, types, "Sweden, which supplies Norway with weapons, met Dahl on Monday."
    )
    aids = next(c for c in found if c.type == "aids")
    assert aids.date == "2025-09"  # present tense: the publication month, not Monday


def test_a_gerund_takes_its_clauses_tense_and_a_paragraph_the_last_date(nlp, types):
    text = "Norway released Eva Lind on Monday.\n\nBy releasing Lars Dahl, Norway showed its hand."
    _, found, _ = facts(nlp, types, text)
    dahl = next(c for c in found if c.type == "released" and c.target == "dahl")
    assert dahl.date == "2025-09-08"


def test_a_group_named_with_a_peoples_word(nlp, types):
    ents = [*ENTITIES, {"id": "soldiers", "name": "Norwegian soldiers", "type": "group"},
            {"id": "officials", "name": "Swedish officials", "type": "group"}]  # fmt: skip
    got = facts(nlp, types, "Sweden freed four Norwegian soldiers.", entities=ents)[0]
    assert ("soldiers", "citizen-of", "norway") in got
    got = facts(nlp, types, "Norway sanctioned three Swedish officials.", entities=ents)[0]
    assert ("officials", "official-of", "sweden") in got


def test_among_those_freed(nlp, types):
    ents = [*ENTITIES, {"id": "soldiers", "name": "Norwegian soldiers", "type": "group"}]
    text = "Sweden freed four Norwegian soldiers on Monday. Among those freed was Lars Dahl."
    got = facts(nlp, types, text, entities=ents)[0]
    assert ("sweden", "released", "dahl") in got
    assert ("dahl", "member-of", "soldiers") in got


def test_the_two_sides_are_the_last_pair_and_a_plural_subject_pairs(nlp, types):
    text = (
        "Talks between Norway and Sweden resumed in Geneva. The Times said the two sides "
        "would exchange prisoners before the end of the month."
    )
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "exchanges-prisoners-with")
    assert {c.source, c.target} == {"norway", "sweden"}
    assert (c.certainty, c.date) == ("hypothetical", "2025-09-11/2025-09-30")


HELD = [*ENTITIES, {"id": "held", "name": "Swedish citizens", "type": "group"}]


def test_a_cue_written_as_an_inflected_form_is_matched_first(nlp, types):
    # "discussing" is a cue of negotiates-with; its lemma "discuss" one of discussed
    text = "Sweden began discussing the release of Swedish citizens with Norway."
    got = facts(nlp, types, text, entities=HELD)[0]
    assert ("sweden", "negotiates-with", "norway") in got
    assert ("sweden", "negotiates-release-of", "held") in got
    assert ("sweden", "discussed", "norway") not in got


def test_a_begun_relation_runs_from_its_date(nlp, types):
    text = (
        "Sweden had begun discussing the release of Swedish citizens with Norway "
        "in the fall of 2024."
    )
    c = next(c for c in facts(nlp, types, text, entities=HELD)[1] if c.type == "negotiates-with")
    assert (c.date, c.date_text) == ("2024-23/..", "the fall of 2024")


def test_they_after_a_meeting_are_the_two_who_met(nlp, types):
    ents = [*ENTITIES, {"id": "deal", "name": "grand deal", "type": "event"}]
    text = "He met with Lars Dahl, and they discussed a “grand deal”—a mass release."
    text = "Anna Berg arrived. " + text
    got = facts(nlp, types, text, entities=ents)[0]
    assert ("berg", "discussed", "deal") in got and ("dahl", "discussed", "deal") in got


def test_a_report_of_a_clause_is_not_a_report_on_its_subject(nlp, types):
    got = facts(nlp, types, "The Times reported that Anna Berg met Lars Dahl.")[0]
    assert not any(t == "reported-on" for _, t, _ in got)


def test_a_noun_of_an_embassy_in_and_a_meeting_of_with(nlp, types):
    text = "Sweden could reopen its embassy in Norway."
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "reopens-embassy-in")
    assert (c.source, c.target, c.certainty) == ("sweden", "norway", "hypothetical")
    got = facts(nlp, types, "It was a meeting of Anna Berg with Lars Dahl.")[0]
    assert ("berg", "met", "dahl") in got or ("dahl", "met", "berg") in got


def test_a_place_on_the_name_in_apposition_is_the_meetings(nlp, types):
    ents = [*ENTITIES, {"id": "port-aren", "name": "Port Aren", "type": "place"}]
    text = "Anna Berg met with her counterpart Lars Dahl in Port Aren on February 27."
    c = next(c for c in facts(nlp, types, text, entities=ents)[1] if c.type == "met")
    assert c.place == "port-aren"


def test_an_ended_or_earlier_relation_runs_until_its_date(nlp, types):
    text = "Talks between Norway and Sweden collapsed in March."
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "negotiates-with")
    assert c.date == "../2025-03"
    text = "Last month, Norway freed Lars Dahl after talks between Norway and Sweden."
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "negotiates-with")
    assert c.date == "../2025-08"


GROUPS = [
    *ENTITIES,
    {"id": "fishermen", "name": "five fishermen", "type": "group"},
    {"id": "berg-advisors", "name": "Berg's advisors", "type": "group"},
    {"id": "dahl-children", "name": "Dahl's children", "type": "group"},
    {"id": "dahl-loyalists", "name": "those loyal to Dahl", "type": "group"},
    {"id": "times-reporter", "name": "Times journalist", "type": "person"},
]


def test_a_name_states_its_own_role_or_tie(nlp, types):
    got = facts(nlp, types, "Berg's advisors met with Lars Dahl.", entities=GROUPS)[0]
    assert ("berg-advisors", "advises", "berg") in got
    got = facts(nlp, types, "A Times journalist visited Geneva.", entities=GROUPS)[0]
    assert ("times-reporter", "employee-of", "times") in got


def test_a_pronoun_inside_a_name_is_the_person_last_named(nlp, types):
    text = "Lars Dahl flew to Geneva, where his children met with Anna Berg."
    got = facts(nlp, types, text, entities=GROUPS)[0]
    assert ("dahl", "parent-of", "dahl-children") in got  # the parent first
    assert ("dahl-children", "met", "berg") in got
    text = "Lars Dahl visited Geneva, and those loyal to him met with Anna Berg."
    got = facts(nlp, types, text, entities=GROUPS)[0]
    assert ("dahl-loyalists", "loyal-to", "dahl") in got
    assert ("dahl-loyalists", "met", "berg") in got
    # with no person named before, the pronoun names nobody
    assert "dahl-children" not in str(facts(nlp, types, "His children met Berg.", entities=GROUPS))


def test_more_after_a_number_is_the_same_group(nlp, types):
    got = facts(nlp, types, "Norway released five more fishermen.", entities=GROUPS)[0]
    assert ("norway", "released", "fishermen") in got


def test_including_names_members_and_them_the_group(nlp, types):
    text = (
        "Norway released five fishermen on Monday, including Lars Dahl. "
        "Anna Berg came to Geneva to accompany them home."
    )
    got = facts(nlp, types, text, entities=GROUPS)[0]
    assert ("dahl", "member-of", "fishermen") in got
    assert ("berg", "escorted", "fishermen") in got
    text = "Five more fishermen were released by Norway, including Lars Dahl."
    assert ("dahl", "member-of", "fishermen") in facts(nlp, types, text, entities=GROUPS)[0]
    # "including" on a person or an event is no membership
    got = facts(nlp, types, "Berg met everyone, including Lars Dahl.", entities=GROUPS)[0]
    assert not [f for f in got if f[1] == "member-of"]


def test_the_release_was_that_of(nlp, types):
    text = "Norway released five fishermen. The most notable release was that of Lars Dahl."
    got = facts(nlp, types, text, entities=GROUPS)[0]
    assert ("norway", "released", "dahl") in got
    assert ("dahl", "member-of", "fishermen") in got


def test_an_infinitive_takes_its_clauses_tense(nlp, types):
    text = (
        "Norway released five fishermen on Monday. Anna Berg came to Geneva to accompany them home."
    )
    c = next(c for c in facts(nlp, types, text, entities=GROUPS)[1] if c.type == "escorted")
    assert (c.source, c.target, c.date) == ("berg", "fishermen", "2025-09-08")


def test_a_visit_naming_no_place_is_where_its_actor_last_was(nlp, types):
    text = "Anna Berg met Lars Dahl in Geneva on Monday. Berg's visit was a success."
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "visited")
    assert (c.source, c.target, c.date) == ("berg", "geneva", "2025-09-08")
    assert "check it" in c.note
    assert not [c for c in facts(nlp, types, "Berg's visit was a success.")[1] if c.type]


def test_a_date_naming_another_noun_is_not_the_facts(nlp, types):
    text = "Norway released Lars Dahl, a leader of the 2020 protests, on Monday."
    c = next(c for c in facts(nlp, types, text)[1] if c.type == "released")
    assert c.date == "2025-09-08"
    text = (
        "Norway released five fishermen on Monday; the notable release was that of "
        "Lars Dahl, a 2019 candidate."
    )
    c = next(c for c in facts(nlp, types, text, entities=GROUPS)[1] if c.target == "dahl")
    assert (c.type, c.date) == ("released", "2025-09-08")


def test_the_quote_of_a_hedged_fact_keeps_its_hedge(nlp, types):
    for text, word, certainty in (
        ("Anna Berg met Lars Dahl, reportedly, in Geneva.", "reportedly", "hedged"),
        ("It is likely that Anna Berg met Lars Dahl.", "likely", "hedged"),
        ("Anna Berg is expected to meet Lars Dahl.", "expected", "hypothetical"),
        ("Anna Berg could meet Lars Dahl.", "could", "hypothetical"),
    ):
        c = one(nlp, types, text)
        assert c.certainty == certainty, text
        assert word in c.quote and c.quote in text, (text, c.quote)
    assert "said" not in one(nlp, types, "The Times said Anna Berg met Lars Dahl.").quote


def test_one_of_a_group_is_the_group(nlp, types):
    text = "Norway began negotiations with one of Berg's advisors."
    assert ("norway", "negotiates-with", "berg-advisors") in facts(
        nlp, types, text, entities=GROUPS
    )[0]
    text = "Norway began negotiations with one of the diplomats."  # a group no entity names
    assert not [f for f in facts(nlp, types, text, entities=GROUPS)[0] if f[1] == "negotiates-with"]


def test_described_as_is_said_of_the_object(nlp, types):
    text = "The Times described Lars Dahl as a connoisseur of Berg's thinking."
    assert ("dahl", "understands", "berg") in facts(nlp, types, text)[0]
    text = "Lars Dahl served as an envoy of Norway."
    assert ("dahl", "envoy-of", "norway") in facts(nlp, types, text)[0]


def test_reported_on_the_event_the_report_names(nlp, types):
    ents = [*ENTITIES, {"id": "deal", "name": "grand deal", "type": "event"}]
    text = "The Times reported that Berg and Dahl discussed a grand deal."
    assert ("times", "reported-on", "deal") in facts(nlp, types, text, entities=ents)[0]
    text = "The Times reported that Berg met Dahl."  # no event named: nothing reported on
    assert not [f for f in facts(nlp, types, text, entities=ents)[0] if f[1] == "reported-on"]


def test_a_description_before_a_name_is_left_out(nlp, types):
    ents = [*ENTITIES, {"id": "times-staff", "name": "reporters of The Times", "type": "group"}]
    text = (
        "Norway negotiated the release of Lars Dahl and reporters of the Swedish paper The Times."
    )
    got = facts(nlp, types, text, entities=ents)[0]
    assert ("norway", "negotiates-release-of", "dahl") in got
    assert ("norway", "negotiates-release-of", "times-staff") in got


def test_a_counted_group_with_a_peoples_word_is_proposed(nlp, types):
    got, found, new = facts(nlp, types, "Sweden freed four Norwegian soldiers.", entities=[])
    group = next(e for e in new if e["type"] == "group")
    assert (group["id"], group["name"]) == ("norwegian-soldiers", "four Norwegian soldiers")
    assert ("sweden", "released", "norwegian-soldiers") in got
    assert ("norwegian-soldiers", "citizen-of", "norway") in got
    # no number, or no people's word: no group
    _, _, new = facts(nlp, types, "Sweden freed Norwegian soldiers and four sailors.", entities=[])
    assert not [e for e in new if e["type"] == "group"]


GROUPED = [
    *ENTITIES,
    {"id": "strikers-2024", "name": "Union leaders arrested in 2024", "type": "group"},
    {"id": "march-citizen", "name": "Swedish citizen (March 2025)", "type": "person"},
    {"id": "march-prisoners", "name": "Two prisoners (March 2025)", "type": "group",
     "aliases": ["two prisoners"]},
]  # fmt: skip


def test_a_descriptive_name_is_known_by_its_head_words(nlp, types):
    from diplograph.curate.mentions import Names

    names = Names(GROUPED)
    assert names.lookup("union leaders", False) == "strikers-2024"
    assert names.lookup("the Swedish citizen", False) == "march-citizen"
    assert names.lookup("leaders", False) is None  # one word is too little to go on
    got = facts(nlp, types, "Two prisoners were freed by Norway, including a Swedish citizen.",
                entities=GROUPED)[0]  # fmt: skip
    assert ("march-citizen", "member-of", "march-prisoners") in got


def test_who_is_at_a_meeting_with_y_met_y(nlp, types):
    text = "At a meeting with Lars Dahl in Geneva, Berg said the talks would go on."
    got = facts(nlp, types, text)
    assert ("berg", "met", "dahl") in got[0]
    c = next(c for c in got[1] if (c.source, c.type, c.target) == ("berg", "met", "dahl"))
    assert c.certainty == "stated"  # the setting of what she said is not what she said
    # "she" is not the one she met: the person named before
    text = "Eva Lind spoke last. At a meeting with Lars Dahl, she hinted at trouble."
    got = facts(nlp, types, text)
    assert ("lind", "met", "dahl") in got[0] and ("dahl", "met", "dahl") not in got[0]
    text = "Lind never held a meeting with Dahl."
    assert ("lind", "met", "dahl") not in facts(nlp, types, text)[0]


def test_the_first_of_a_group_is_a_member(nlp, types):
    text = "Eva Lind became the first of the union leaders arrested in 2024 to be freed."
    assert ("lind", "member-of", "strikers-2024") in facts(nlp, types, text, entities=GROUPED)[0]
    text = "Lind, another of the union leaders, spoke."
    assert ("lind", "member-of", "strikers-2024") in facts(nlp, types, text, entities=GROUPED)[0]
    text = "Eva Lind was not one of the union leaders arrested in 2024."
    got = facts(nlp, types, text, entities=GROUPED)[0]
    assert ("lind", "member-of", "strikers-2024") not in got


def test_advice_from_x_is_given_to_whoever_takes_it(nlp, types):
    people = [*ENTITIES, {"id": "aides", "name": "Berg's aides", "type": "group"}]
    text = "Berg's aides are so worried that they are ready to take advice from Lars Dahl."
    got = facts(nlp, types, text, entities=people)
    assert ("dahl", "advises", "aides") in got[0]
    c = next(c for c in got[1] if (c.source, c.type, c.target) == ("dahl", "advises", "aides"))
    assert c.certainty == "hypothetical"  # ready to: a prospect
    got = facts(nlp, types, "Eva Lind took advice from Norway.")[0]
    assert ("norway", "advises", "lind") in got  # the giver is the actor, never the taker
    assert ("lind", "advises", "norway") not in got
    assert ("dahl", "advises", "berg") not in facts(
        nlp, types, "Anna Berg never took advice from Lars Dahl."
    )[0]


def test_the_object_of_counting_on_is_the_subject_of_what_follows(nlp, types):
    text = "Norway is relying on Sweden to speak up for it in a conversation with Anna Berg."
    got = facts(nlp, types, text)
    assert ("sweden", "negotiates-with", "berg") in got[0]
    assert ("norway", "negotiates-with", "berg") not in got[0]
    c = next(c for c in got[1] if (c.source, c.target) == ("sweden", "berg"))
    assert c.certainty == "hypothetical"  # counted on, not done


def test_running_for_office_is_a_candidacy_in_that_years_election(nlp, types):
    people = [
        *ENTITIES,
        {"id": "vote-2019", "name": "2019 parliamentary election", "type": "event"},
        {"id": "vote-2023", "name": "2023 parliamentary election", "type": "event"},
    ]
    text = "Eva Lind ran for parliament in 2019. In 2023, Anna Berg ran in her place."
    got = facts(nlp, types, text, entities=people)
    assert ("lind", "candidate-in", "vote-2019") in got[0]
    assert ("berg", "candidate-in", "vote-2023") in got[0]
    assert ("lind", "candidate-in", "vote-2023") not in got[0]
    c = next(c for c in got[1] if c.target == "vote-2019")
    assert c.date == "2019"
    text = "Eva Lind ran for parliament."  # no year: no election to name
    assert not [f for f in facts(nlp, types, text, entities=people)[0] if f[1] == "candidate-in"]


def test_they_after_a_plural_subject_is_that_subject(nlp, types):
    text = (
        "Anna Berg met Lars Dahl on Monday. Local officials were so worried that they "
        "took advice from Eva Lind."
    )
    got = facts(nlp, types, text)[0]
    assert ("lind", "advises", "berg") not in got and ("lind", "advises", "dahl") not in got


def test_a_part_of_a_group_with_a_nationality(nlp, types):
    people = [
        *ENTITIES,
        {"id": "crew", "name": "Twelve sailors (May 2025)", "type": "group",
         "aliases": ["twelve sailors"]},
        {"id": "nordics", "name": "Nordic countries", "type": "group"},
        {"id": "crew-nordic", "name": "Nordic nationals among the twelve", "type": "group",
         "aliases": ["Nordic nationals"]},
    ]  # fmt: skip
    text = "Norway freed twelve sailors. Most were nationals of Nordic countries."
    got = facts(nlp, types, text, entities=people)[0]
    assert ("crew-nordic", "citizen-of", "nordics") in got
    assert ("crew-nordic", "member-of", "crew") in got
    text = "Norway freed twelve sailors. Most were not nationals of Nordic countries."
    got = facts(nlp, types, text, entities=people)[0]
    assert ("crew-nordic", "citizen-of", "nordics") not in got

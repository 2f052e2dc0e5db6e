"""A timeline with a date window puts the answer first: the relations whose whole date
lies in the window, then the spans that merely overlap it, under a label saying so
(``in_window`` in JSON and CSV, in the same order)."""

import csv
import io
import json

import pytest

from diplograph.files.locate import bundled_data_dir
from diplograph.model import dates
from diplograph.model.filters import Filters
from diplograph.queries.common import sort_key
from diplograph.queries.filters import make_filters
from diplograph.queries.timeline import timeline, window_text
from diplograph.store.cache import open_store

WINDOWS = [
    ("February", "February"),
    ("2025-06-21", "2025-06-21"),
    ("2024", "2024"),
    ("2025-06-22", None),
    (None, "2025-01"),
]


@pytest.fixture(scope="module")
def graph():
    """The bundled dataset, packed (as the CLI opens it)."""
    return open_store(bundled_data_dir())


def keys(rows):
    return [sort_key({"date": r["date"]}) for r in rows]


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_inside_first_then_spans_each_in_time_order(graph, since, until):
    chosen = make_filters(graph, since=since, until=until)
    rows = timeline(graph, [], chosen)
    flags = [r["in_window"] for r in rows]
    assert flags == sorted(flags, reverse=True)  # every True before every False
    inside = [r for r in rows if r["in_window"]]
    spans = [r for r in rows if not r["in_window"]]
    assert keys(inside) == sorted(keys(inside)) and keys(spans) == sorted(keys(spans))
    for row in rows:  # the flag is the whole date in the window; the others overlap it
        parsed = dates.parse(row["date"])
        assert row["in_window"] == parsed.inside(chosen.since, chosen.until)
        assert parsed.overlaps(chosen.since, chosen.until)
    # the same relations as before, only ordered with the answer first
    everything = timeline(graph, [])
    assert {r["relation_id"] for r in rows} == {
        r["relation_id"]
        for r in everything
        if dates.parse(r["date"]).overlaps(chosen.since, chosen.until)
    }


def test_a_day_and_a_month_have_answers_and_spans(graph):
    day = timeline(graph, [], make_filters(graph, since="2025-06-21", until="2025-06-21"))
    on_the_day = [r for r in day if r["in_window"]]
    assert on_the_day and all(r["date"] == "2025-06-21" for r in on_the_day)
    assert "kellogg-met-lukashenko" in {r["relation_id"] for r in on_the_day}
    assert day[: len(on_the_day)] == on_the_day
    assert any(r["date"].startswith("2020/") for r in day[len(on_the_day) :])
    month = timeline(graph, [], make_filters(graph, since="February", until="February"))
    first = month[0]
    assert first["in_window"] and first["date"] == "2025-02-04/2025-02-14"


def test_within_keeps_only_the_answer(graph):
    both = timeline(graph, [], make_filters(graph, since="February", until="February"))
    within = timeline(
        graph, [], make_filters(graph, since="February", until="February", within=True)
    )
    assert within == [r for r in both if r["in_window"]]


def test_no_window_no_flag(graph):
    assert all("in_window" not in r for r in timeline(graph, ["lukashenko"]))


@pytest.mark.parametrize(
    ("since", "until", "text"),
    [
        ("2025-02-01", "2025-02-28", "2025-02-01 to 2025-02-28"),
        ("2025-06-21", "2025-06-21", "2025-06-21"),
        ("2025-06-21", None, "2025-06-21 onwards"),
        (None, "2025-02-28", "up to 2025-02-28"),
        (None, None, None),
    ],
)
def test_window_text(since, until, text):
    day = {None: None} | {d: dates.parse(d).lower for d in (since, until) if d}
    assert window_text(Filters(since=day[since], until=day[until])) == text


# -- the CLI ---------------------------------------------------------------------------


def test_table_labels_the_answer_and_the_spans(cli):
    out = cli("timeline", "--since", "February", "--until", "February", "--limit", "0").stdout
    first = out.index("Timeline 2025-02-01 to 2025-02-28: dated wholly in the window (6)")
    second = out.index(
        "Also overlapping the window (10): spans reaching outside it (--within leaves them out)"
    )
    assert first < out.index("Two weeks later") < second < out.index("2020/2025-06-21")
    within = cli("timeline", "--since", "February", "--until", "February", "--within").stdout
    assert "Timeline 2025-02-01 to 2025-02-28: dated wholly in the window (6)" in within
    assert "Also overlapping" not in within and "2020/" not in within


def test_table_says_when_nothing_lies_wholly_in_the_window(cli):
    out = cli("timeline", "--since", "2019", "--until", "2019").stdout
    assert out.index("no relation dated wholly in the window 2019-01-01 to 2019-12-31") < out.index(
        "Also overlapping the window (1)"
    )
    assert "../2022" in out


def test_limit_counts_both_parts(cli):
    out = cli("timeline", "--since", "February", "--until", "February", "--limit", "7").stdout
    assert "Timeline 2025-02-01 to 2025-02-28: dated wholly in the window (6)" in out
    assert "Also overlapping the window (10)" in out
    assert "... 9 more rows not shown (16 in all)" in out


def test_json_and_csv_carry_in_window_in_the_same_order(cli):
    window = ("--since", "2025-06-21", "--until", "2025-06-21")
    rows = json.loads(cli("timeline", *window, "-f", "json").stdout)
    flags = [r["in_window"] for r in rows]
    assert True in flags and False in flags and flags == sorted(flags, reverse=True)
    table = list(csv.DictReader(io.StringIO(cli("timeline", *window, "-f", "csv").stdout)))
    assert [r["relation_id"] for r in table] == [r["relation_id"] for r in rows]
    assert [r["in_window"] for r in table] == [str(f) for f in flags]
    plain = json.loads(cli("timeline", "-f", "json").stdout)
    assert all("in_window" not in r for r in plain)


def test_library_timeline_window(cli):
    import diplograph

    found = diplograph.open().timeline(since="June 21", until="June 21")
    assert found.window == "2025-06-21"
    assert found[0].in_window is True and found[-1].in_window is False
    assert diplograph.open().timeline().window is None

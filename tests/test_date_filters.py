"""Dates typed in query filters (--since/--until): model.datewords.read_filter, and the CLI.

One reading for every filter: EDTF, a numeric day with its year last (day first; refused
when it could be either), or the date words ``add`` reads."""

import json

import pytest

from diplograph.model import dates
from diplograph.model.datewords import needs_year, read_filter


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("2025-06-21", ("2025-06-21", "2025-06-21")),
        ("2025-02", ("2025-02-01", "2025-02-28")),
        ("21/06/2025", ("2025-06-21", "2025-06-21")),
        ("21.06.2025", ("2025-06-21", "2025-06-21")),
        ("21-06-2025", ("2025-06-21", "2025-06-21")),
        ("13/1/2025", ("2025-01-13", "2025-01-13")),  # one digit: 13 January
        ("06/21/2025", ("2025-06-21", "2025-06-21")),  # 21 is no month: the one reading
        ("03/03/2025", ("2025-03-03", "2025-03-03")),  # both readings the same day
        ("June 21", ("2025-06-21", "2025-06-21")),
        ("21 June", ("2025-06-21", "2025-06-21")),
        ("21 June 2024", ("2024-06-21", "2024-06-21")),
        ("June 21, 2024", ("2024-06-21", "2024-06-21")),
        ("February", ("2025-02-01", "2025-02-28")),
        ("Feb 2024", ("2024-02-01", "2024-02-29")),
        ("late January", ("2025-01-21", "2025-01-31")),
        ("fall 2024", ("2024-09-01", "2024-11-30")),
        ("  june   21 ", ("2025-06-21", "2025-06-21")),
    ],
)
def test_read_filter(text, bounds):
    read = read_filter(text, 2025)
    assert (read.lower.isoformat(), read.upper.isoformat()) == bounds


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "03/04/2025",
            "'03/04/2025' is ambiguous: 3 April 2025 (day first) or 4 March 2025 (month "
            "first): type 2025-04-03 or 2025-03-04",
        ),
        ("31/02/2025", "'31/02/2025' is not a possible day (read as day/month/year)"),
        ("13/13/2025", "'13/13/2025' is not a possible day"),
        ("last month", "'last month' is relative to today"),
        ("this spring", "'this spring' is relative to today"),
        ("soon", "cannot read 'soon' as a date: give EDTF (2025-06-21, 2025-02"),
        ("two weeks later", "cannot read 'two weeks later' as a date: give EDTF"),
        ("2025-13", "'2025-13' has an impossible month '13'"),  # EDTF's own error
        ("June 31", "'June 31' is not a possible date"),
    ],
)
def test_read_filter_refuses(text, message):
    with pytest.raises(dates.DateError) as error:
        read_filter(text, 2025)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_words_without_a_year_need_the_data_year():
    with pytest.raises(dates.DateError, match="give the year too"):
        read_filter("June 21")
    assert read_filter("21 June 2025").text == "2025-06-21"  # a typed year needs none
    assert read_filter("21/06/2025").text == "2025-06-21"
    assert [needs_year(t) for t in ("June 21", "February", "2025-06", "21/06/2025")] == [
        True,
        True,
        False,
        False,
    ]
    assert not needs_year("21 June 2025")


def timeline(cli, *args):
    result = cli("timeline", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("day", ["June 21", "21 June 2025", "21/06/2025", "21.06.2025"])
def test_timeline_reads_date_words_and_numeric_days(cli, day):
    edtf = timeline(cli, "--since", "2025-06-21", "--until", "2025-06-21")
    assert edtf  # the bundled data has relations on June 21
    assert timeline(cli, "--since", day, "--until", day) == edtf


def test_since_words_same_as_edtf(cli):
    assert timeline(cli, "--since", "21 June 2025") == timeline(cli, "--since", "2025-06-21")
    assert timeline(cli, "--until", "February") == timeline(cli, "--until", "2025-02")


def test_ambiguous_numeric_day_refused(cli):
    result = cli("timeline", "--since", "03/04/2025")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == (
        "Error: bad date filter: '03/04/2025' is ambiguous: 3 April 2025 (day first) or "
        "4 March 2025 (month first): type 2025-04-03 or 2025-03-04"
    )


def test_who_met_reads_date_words(cli):
    result = cli("who-met", "Lukashenko", "--since", "June 21", "-f", "json")
    edtf = cli("who-met", "Lukashenko", "--since", "2025-06-21", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout) == json.loads(edtf.stdout)

from datetime import date

import pytest

from diplograph.model import dates


@pytest.mark.parametrize(
    ("text", "lower", "upper"),
    [
        ("2025-06-21", date(2025, 6, 21), date(2025, 6, 21)),
        ("2025-04", date(2025, 4, 1), date(2025, 4, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2024-23", date(2024, 9, 1), date(2024, 11, 30)),
        ("2024-24", date(2024, 12, 1), date(2025, 2, 28)),
        ("2025-21", date(2025, 3, 1), date(2025, 5, 31)),
        ("2025-01~", date(2025, 1, 1), date(2025, 1, 31)),
        ("2025-01-2X", date(2025, 1, 20), date(2025, 1, 29)),
        ("202X", date(2020, 1, 1), date(2029, 12, 31)),
        ("2025-1X", date(2025, 10, 1), date(2025, 12, 31)),
        ("2020/2025-06-21", date(2020, 1, 1), date(2025, 6, 21)),
        ("../2022", date.min, date(2022, 12, 31)),
        ("2024-23/..", date(2024, 9, 1), date.max),
    ],
)
def test_bounds(text, lower, upper):
    parsed = dates.parse(text)
    assert (parsed.lower, parsed.upper) == (lower, upper)
    assert parsed.text == text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2025-13-45", "impossible month"),
        ("2025-02-30", "impossible day"),
        ("June 21", "not an EDTF date"),
        ("", "empty date"),
        ("2025/2020", "ends before it starts"),
        ("../..", "open at both ends"),
        ("2025-23-01", "a season takes no day"),
        ("0000", "year outside"),
    ],
)
def test_invalid(text, reason):
    with pytest.raises(dates.DateError, match=reason):
        dates.parse(text)


def test_qualifier_kept():
    assert dates.parse("2025-01~").qualifier == "~"
    assert dates.parse("2025?").qualifier == "?"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2025-06-21", "21 June 2025"),
        ("2025-04", "April 2025"),
        ("2024-23", "autumn 2024"),
        ("2025-01~", "about January 2025"),
        ("2020/2025", "2020 to 2025"),
        ("../2022", "until 2022"),
        ("2024-23/..", "from autumn 2024"),
        (None, ""),
    ],
)
def test_describe(text, words):
    assert dates.describe(text) == words


def test_overlaps():
    april = dates.parse("2025-04")
    assert april.overlaps(date(2025, 4, 30), None)
    assert not april.overlaps(date(2025, 5, 1), None)
    assert april.overlaps(None, date(2025, 4, 1))
    assert not april.overlaps(None, date(2025, 3, 31))


# Not compared: winter (the edtf package ends it on 31 December, we take the meteorological
# December-February) and unspecified days like 2025-01-2X (the package cannot bound them).
@pytest.mark.parametrize(
    "text",
    ["2025-06-21", "2025-04", "2025", "2024-23", "2025-21", "2025-01~", "2020/2025-06-21", "202X"],
)
def test_agrees_with_edtf_package(text):
    """Our bounds match the reference EDTF implementation's strict bounds."""
    edtf = pytest.importorskip("edtf")
    import time

    ref = edtf.parse_edtf(text)
    lower = date(*time.struct_time(ref.lower_strict())[:3])
    upper = date(*time.struct_time(ref.upper_strict())[:3])
    parsed = dates.parse(text)
    assert (parsed.lower, parsed.upper) == (lower, upper)


@pytest.mark.parametrize(
    "text",
    [
        "2025-06-21",
        "2024-02-29",
        "2025-02-29",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
        "2025-13-01",
        "2025-00-10",
        "2025-06",
        "2024-23",
        "2025-01-2X",
        "2020/2025-06-21",
        "../2022",
        "2025-06-21~",
        "२०२५-06-21",
        "2025-W01-1",
        "20250621",
    ],
)
def test_ordinal_bounds_agree_with_parse(text):
    try:
        parsed = dates.parse(text)
    except dates.DateError as exc:
        with pytest.raises(dates.DateError) as info:
            dates.ordinal_bounds(text)
        assert str(info.value) == str(exc)
    else:
        assert dates.ordinal_bounds(text) == (parsed.lower.toordinal(), parsed.upper.toordinal())

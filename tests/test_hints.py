"""An empty answer points where the data can answer: a place's relations, an actor's
other contact types (counted, with the command that lists them)."""

import json
import shlex
from collections import Counter
from pathlib import Path

import pytest

SLICE = Path(__file__).parent / "data" / "gdelt2_sample_slice.csv"


def suggested(out: str) -> list[str]:
    """The diplograph command a hint suggests, as argv (without 'diplograph')."""
    line = " ".join(out.split())
    command = line.split("diplograph ", 1)[1].split(" (or")[0]
    return shlex.split(command)


def test_who_met_a_place_suggests_place_with_counts(cli):
    result = cli("who-met", "Minsk")
    assert result.exit_code == 0
    out = " ".join(result.stdout.split())
    assert "no recorded meetings with Minsk" in out
    there = json.loads(cli("list", "relations", "--place", "Minsk", "--format", "json").stdout)
    met = [r for r in there if r["type"] == "met"]
    assert f"Minsk is a place: {len(there)} relations happened there, {len(met)} meetings" in out
    argv = suggested(result.stdout)
    assert argv == ["list", "relations", "--place", "Minsk"]
    assert len(json.loads(cli(*argv, "--format", "json").stdout)) == len(there)


def test_who_met_with_no_meetings_and_no_contacts_has_no_hint(cli):
    result = cli("who-met", "Putin")
    assert " ".join(result.stdout.split()) == "no recorded meetings with Putin"


def test_who_met_names_other_contact_types_on_a_gdelt_import(cli, tmp_path):
    out = tmp_path / "g.json"
    assert cli("import", "gdelt", str(SLICE), "--output", str(out)).exit_code == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    ids = {e["name"]: e["id"] for e in doc["entities"]}
    us = ids["United States"]
    result = cli("who-met", "United States", data=out)
    text = " ".join(result.stdout.split())
    assert text.startswith("no recorded meetings with United States")
    contacts = Counter(
        r["type"]
        for r in doc["relations"]
        if us in (r["source"], r["target"]) and r["type"] in ("consulted", "visited", "hosts")
    )
    assert contacts, "the slice has contact relations of the United States"
    for rtype, count in contacts.items():
        assert f"{count} {rtype}" in text
    argv = suggested(result.stdout)
    rows = json.loads(cli(*argv, "--format", "json", data=out).stdout)
    assert Counter(r["type"] for r in rows) == contacts


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_hint_stays_off_script_output(cli, fmt):
    result = cli("who-met", "Minsk", "--format", fmt)
    assert "--place" not in result.stdout

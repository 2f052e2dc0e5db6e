"""``check.repeats``: a key written twice in one JSON object, seen by counting colons.

Each fast path vouches for text only when the colons it holds are the ones its decoded
records account for; these tests hold that count to valid records full of colons, and
show that a repeated key, wherever it is and whatever its value, changes it (or the text
does not decode at all). ``test_repeated_keys.py`` runs the same through every path."""

from __future__ import annotations

import json

import msgspec
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diplograph.check import fast, repeats
from diplograph.model.records import RECORDS

# text that may hold colons where valid data may hold them
TEXT = st.text(alphabet=st.sampled_from('ab :é\u201c"\\/'), min_size=1, max_size=12).filter(
    lambda t: not t.isspace()
)
ID = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)


@st.composite
def entities(draw) -> list[dict]:
    found = []
    for n in range(draw(st.integers(1, 6))):
        entity: dict = {"id": f"{draw(ID)}-{n}", "name": draw(TEXT), "type": "person"}
        if draw(st.booleans()):
            entity["aliases"] = draw(st.lists(TEXT, min_size=1, max_size=3))
        if draw(st.booleans()):
            entity["description"] = draw(TEXT)
        if draw(st.booleans()):
            entity["identifiers"] = draw(st.dictionaries(TEXT, TEXT, min_size=1, max_size=2))
        found.append(entity)
    return found


def encoded(records: list[dict], spaced: bool) -> bytes:
    separators = (", ", ": ") if spaced else (",", ":")
    return json.dumps(records, ensure_ascii=False, separators=separators).encode()


_DECODE = msgspec.json.Decoder(list[fast.Entity])


def vouched(text: bytes) -> bool:
    """Whether a fast path would vouch for ``text``: it decodes and repeats no key."""
    if fast.screened(text) is None:
        return False
    try:
        records = _DECODE.decode(text)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return False
    return not repeats.repeats_a_key(text, repeats.record_colons(records, RECORDS["entities"]))


def test_the_evidence_order_is_the_structs():
    assert fast.Evidence.__struct_fields__ == repeats.EVIDENCE_ORDER


@settings(max_examples=150, deadline=None)
@given(entities(), st.booleans())
def test_valid_records_full_of_colons_repeat_no_key(records, spaced):
    text = encoded(records, spaced)
    decoded = _DECODE.decode(text)
    assert repeats.record_colons(decoded, RECORDS["entities"]) == text.count(b":")
    assert not repeats.repeats_a_key(text, repeats.record_colons(decoded, RECORDS["entities"]))


@settings(max_examples=150, deadline=None)
@given(entities(), st.data())
def test_a_repeated_key_is_never_vouched_for(records, data):
    """A key written again in any record, with any value it may take (or another one):
    the text is refused, never read with the first value silently dropped."""
    which = data.draw(st.integers(0, len(records) - 1))
    record = records[which]
    key = data.draw(st.sampled_from(sorted(record)))
    again = data.draw(st.sampled_from([record[key], "x", ":", {"a:b": "c:d"}, ["a:", "b"]]))
    first = json.dumps({key: again}, ensure_ascii=False)[1:-1]  # '"key": value'
    body = json.dumps(record, ensure_ascii=False)
    twice = "{" + first + ", " + body[1:]  # the key written first, then as before
    pieces = [json.dumps(r, ensure_ascii=False) for r in records]
    pieces[which] = twice
    text = ("[" + ", ".join(pieces) + "]").encode()
    assert not vouched(text)
    with pytest.raises(repeats.RepeatedKey):
        json.loads(text, object_pairs_hook=repeats.no_repeats)


def test_an_escaped_colon_is_screened_out():
    """``\\u003a`` reads as a colon the text does not hold: with a repeated key beside
    it the counts would agree, so such text goes to the full checker."""
    one = b'[{"id": "a", "name": "x\\u003ay", "type": "person"}]'
    balanced = b'[{"name": "a", "id": "a", "name": "x\\u003ay", "type": "person"}]'
    assert _DECODE.decode(balanced)[0].name == "x:y"  # msgspec kept the last
    assert balanced.count(b":") == repeats.record_colons(
        _DECODE.decode(balanced), RECORDS["entities"]
    )
    assert fast.screened(one) is None and fast.screened(balanced) is None
    assert not vouched(balanced)


@given(st.binary(max_size=300))
def test_numpy_counts_as_bytes_does(blob):
    assert repeats.colons(blob, np) == repeats.colons(blob) == blob.count(b":")


def test_document_colons_count_the_lists_written():
    """An absent list has no key; an empty one has one; ``$schema`` may hold colons."""
    for doc in (
        {"schema_version": 1},
        {"schema_version": 1, "entities": []},
        {"schema_version": 1, "$schema": "https://x.org/a:b", "sources": [], "relations": []},
    ):
        text = json.dumps(doc).encode()
        decoded = msgspec.json.decode(text, type=fast.Document)
        assert repeats.document_colons(decoded) == text.count(b":")
    repeated = b'{"schema_version": 1, "entities": [], "entities": []}'
    decoded = msgspec.json.decode(repeated, type=fast.Document)
    assert repeats.repeats_a_key(repeated, repeats.document_colons(decoded))
    assert fast.decode_fast(repeated) is None


def test_repeats_at_the_top():
    raw_fields = msgspec.json.Decoder(dict[str, msgspec.Raw])
    once = b'{"a": {"b": "c:d"}, "e": ["f:"]}'
    twice = b'{"a": {"b": "c:d"}, "e": ["f:"], "a": 1}'
    assert not repeats.repeats_at_top(once, raw_fields.decode(once))
    assert repeats.repeats_at_top(twice, raw_fields.decode(twice))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"a": 1, "a": 2}', "a"),
        ('{"a": {"b": 1, "c": {"b": 2}}, "d": [{"e": 1}, {"e": 2, "e": 3}]}', "e"),
        ('{"k:": ":", "x": "\\"k:\\"", "k:": 1}', "k:"),
        ('{"a": [1, {"a": 1}], "b": 2}', None),
    ],
)
def test_where_the_first_repeat_is(text, key):
    """The repeat found is the key's last writing (the second time it is met), not one in
    another object or inside a string."""
    if key is None:
        assert repeats.repeated_key_at(text) is None
        assert json.loads(text, object_pairs_hook=repeats.no_repeats)
        return
    assert repeats.repeated_key_at(text) == (text.rindex(json.dumps(key)), key)
    with pytest.raises(repeats.RepeatedKey) as info:
        json.loads(text, object_pairs_hook=repeats.no_repeats)
    assert info.value.key == key


def test_a_tally_of_a_text_read_in_parts_is_clean_only_when_its_records_explain_it():
    """A file read in parts, as the pack builder reads one: each part's colons counted
    (``text``), those its decoded records account for taken off (``document`` for the
    document, ``explained`` for a part of records decoded alone); a key written twice in
    any part leaves a colon unexplained."""
    head = (
        b'{"schema_version": 1, "sources": [], "relation_types": [], "relations": [],'
        b' "entities": [{"id": "a", "name": "A", "type": "person"}]}'
    )
    twice = head.replace(b'"name": "A"', b'"name": "A", "name": "B"')
    for text, clean in [(head, True), (twice, False)]:
        doc = fast.decoded(text, fast.Document)
        tally = repeats.Tally()
        tally.text(text)
        tally.document(doc)
        part = b'[{"id": "r1", "note": "x"}]'  # records decoded alone: two keys
        tally.text(part)
        tally.explained(2)
        assert tally.clean is clean, text

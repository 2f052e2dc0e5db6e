"""Candidate relations from an article's text, for a person to review: rules, no model.

A candidate is a sentence that names two known entities (by id, name, alias or unique
surname, folded as ``resolve`` folds names; an all-capitals alias such as "US" or "EU"
only in capitals, so the pronoun "us" is not the United States) around a word that
signals a relation type (the type's ``cues`` in the vocabulary, a final ``*`` matching
any ending: ``negotiat*``). Its direction: the entity before the cue is the actor, the
first one after it is acted upon; in the passive ("was released by", "was escorted from
Belarus by") the one after "by" is the actor; a role noun reads backwards ("Trump's
special envoy Keith Kellogg": Kellogg envoy-of Trump). Both are sought inside the cue's
clause ("but", "while"... end one; after "that" comes a new actor). A place after "in"
or "at" is the candidate's place, not its target (except for types whose target is a
place), and a place after "to" or "from" is never the actor. An abbreviated name before
a lowercase word ("U.S. citizenship") is a modifier, not a target. Events (not roles or
ties) take the first date phrase of the sentence (``words.find``), read against the
source's publication date; hedges ("likely") and modals ("could") suggest the
certainty; a negation before the cue drops it. Each candidate keeps its sentence,
verbatim, as the quote.

What it misses, by design: facts spread over two sentences, pronouns ("he met"), and
actors named by a description the data has no alias for ("the Belarusian leader").
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass

from ..model.text import fold
from . import words

#: Words before a cue that make it passive (with "by" after it).
_BE = {"was", "were", "is", "are", "be", "been", "being"}
#: Words before a place that make it the place of what happens, not the target.
_AT = {"in", "at"}
#: Words before a place that make it where someone goes or comes from.
_TOWARD = {"to", "from", "into"}
#: Types whose target is a place (a place after "in" is then the target).
PLACE_TARGETS = {"visited", "hosts", "reopens-embassy-in"}
#: A word in a sentence: letters, digits and the apostrophes inside names.
_WORD = re.compile(r"[^\s\-_/.,;:()\[\]\"“”‘’«»—–!?]+(?:[’'][^\s\-_/.,;:()\[\]\"“”‘’«»—–!?]+)*")
_POSSESSIVE = re.compile(r"[’']s?$")
#: Words a full stop after which does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "gen", "sen", "rep", "st", "jr", "sr", "lt", "col", "gov",
    "prof", "no", "vs", "etc", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "u.s",
    "e.u", "u.k", "u.n",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?][”\"’)\]]*\s+(?=[“\"‘(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Candidate:
    """One proposed relation, with what a person needs to accept or reject it."""

    type: str | None  # None: no type of the vocabulary fits (see ``note``)
    source: str
    target: str
    source_name: str
    target_name: str
    date: str | None
    date_text: str | None
    place: str | None
    certainty: str
    cue: str
    quote: str
    known: str | None  # the id of the same fact already in the data, if any
    reported_by: str | None = None
    negated: bool = False  # a denied fact: shown for review, refused by ``add``
    sentence: str = ""  # the sentence the quote is from
    start: int | None = None  # the quote's offsets in the text
    end: int | None = None
    note: str | None = None

    def row(self) -> dict:
        return asdict(self)


def sentences(text: str) -> Iterator[str]:
    """The sentences of ``text``, each verbatim (a paragraph break always ends one)."""
    for paragraph in re.split(r"\n\s*\n|\n", text):
        start = 0
        for end in _SENTENCE_END.finditer(paragraph):
            before = paragraph[start : end.start()].rsplit(None, 1)
            last = before[-1].lower().rstrip(".") if before else ""
            if last in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", last):
                continue
            sentence = paragraph[start : end.start() + 1].strip()
            if sentence:
                yield sentence
            start = end.end()
        rest = paragraph[start:].strip()
        if rest:
            yield rest


@dataclass(frozen=True)
class _Token:
    folded: str
    raw: str
    possessive: bool = False


def _tokens(sentence: str) -> list[_Token]:
    out = []
    for found in _WORD.finditer(sentence):
        word = found.group(0)
        raw = _POSSESSIVE.sub("", word) or word
        parts = fold(raw).split()
        for k, part in enumerate(parts):
            out.append(_Token(part, raw, raw != word and k == len(parts) - 1))
    return out


class Matcher:
    """Finds entity mentions and relation cues in sentences."""

    def __init__(self, entities: Iterable[dict], relation_types: Iterable[dict]):
        self.entities = {e["id"]: e for e in entities}
        self.names: dict[tuple[str, ...], set[str]] = {}
        self.acronyms: dict[tuple[str, ...], set[str]] = {}  # matched in capitals only
        surnames: dict[str, set[str]] = {}
        for eid, entity in self.entities.items():
            for name in (eid.replace("-", " "), entity["name"], *entity.get("aliases", [])):
                words_ = tuple(fold(name).split())
                if not words_:
                    continue
                letters = re.sub(r"[^A-Za-z]", "", name)
                if name == name.upper() and letters and len(letters) <= 5 and "-" not in name:
                    key = tuple(_POSSESSIVE.sub("", w) for w in re.findall(r"[A-Za-z]+", name))
                    self.acronyms.setdefault(key, set()).add(eid)
                else:
                    self.names.setdefault(words_, set()).add(eid)
            name_words = fold(entity["name"]).split()
            if entity.get("type") == "person" and len(name_words) > 1:
                surnames.setdefault(name_words[-1], set()).add(eid)
        for surname, ids in surnames.items():
            if len(ids) == 1 and (surname,) not in self.names:
                self.names[(surname,)] = ids
        self.longest = max((len(k) for k in [*self.names, *self.acronyms]), default=1)
        self.cues: list[tuple[str, tuple[str, ...], str]] = []  # (type, words, as written)
        self.types = {t["id"]: t for t in relation_types}
        for rtype in self.types.values():
            for cue in rtype.get("cues", []):
                self.cues.append((rtype["id"], tuple(cue.lower().split()), cue))

    def mentions(self, tokens: list[_Token]) -> list[tuple[int, int, str]]:
        """(start, end, entity id) of each entity named, longest names first, left to
        right; a name matching several entities names none."""
        found = []
        i = 0
        while i < len(tokens):
            for size in range(min(self.longest, len(tokens) - i), 0, -1):
                span = tokens[i : i + size]
                ids = self.names.get(tuple(t.folded for t in span))
                if ids is None and span[0].raw.isupper():
                    raw = tuple(dict.fromkeys(t.raw for t in span))  # "U.S." is one raw word
                    letters = tuple(re.findall(r"[A-Za-z]+", " ".join(raw)))
                    ids = self.acronyms.get(letters) if all(t.raw.isupper() for t in span) else None
                if ids:
                    if len(ids) == 1:
                        found.append((i, i + size, next(iter(ids))))
                    i += size
                    break
            else:
                i += 1
        return found

    def cue_spans(self, tokens: list[_Token], taken: set[int]) -> list[tuple[int, int, str, str]]:
        """(start, end, type, cue) of each cue not inside an entity's name."""
        found = []
        for rtype, cue, written in self.cues:
            for i in range(len(tokens) - len(cue) + 1):
                if any(i + k in taken for k in range(len(cue))):
                    continue
                if all(_cue_word(w, tokens[i + k].folded) for k, w in enumerate(cue)):
                    found.append((i, i + len(cue), rtype, written))
        return found


def _cue_word(cue: str, word: str) -> bool:
    return word.startswith(cue[:-1]) if cue.endswith("*") else word == cue


def extract(
    text: str,
    entities: Iterable[dict],
    relation_types: Iterable[dict],
    published: str,
    relations: Iterable[dict] = (),
) -> list[Candidate]:
    """The candidate relations of ``text`` (see the module docstring), in text order,
    each (type, source, target, sentence) once. ``relations``: those already in the
    data, to mark each candidate that is already ``known``."""
    matcher = Matcher(entities, relation_types)
    known = known_facts(relations, matcher.types)
    out: list[Candidate] = []
    seen: set[tuple] = set()
    for sentence in sentences(text):
        tokens = _tokens(sentence)
        mentions = matcher.mentions(tokens)
        if len({m[2] for m in mentions}) < 2:
            continue
        taken = {k for start, end, _ in mentions for k in range(start, end)}
        date = words.find(sentence, published)
        for start, end, rtype, cue in matcher.cue_spans(tokens, taken):
            pair = _pair(tokens, mentions, start, end, rtype, matcher)
            if pair is None:
                continue
            source, target, place = pair
            key = (rtype, source, target, sentence)
            if key in seen or _negated(tokens, start):
                continue
            seen.add(key)
            event = matcher.types[rtype].get("category") == "event"  # roles are undated
            out.append(
                Candidate(
                    type=rtype,
                    source=source,
                    target=target,
                    source_name=matcher.entities[source]["name"],
                    target_name=matcher.entities[target]["name"],
                    date=date.edtf if date and event else None,
                    date_text=date.text if date and event else None,
                    place=place if event else None,
                    certainty=_certainty(tokens, start),
                    cue=cue,
                    quote=sentence,
                    known=known.get(fact_key(rtype, source, target, matcher.types)),
                )
            )
    return out


#: Words that may follow an abbreviated name used as a noun ("the U.S. can send"); after
#: one, any other lowercase word makes it a modifier ("U.S. citizenship", "EU sanctions").
_FUNCTION_WORDS = {
    "a", "an", "and", "are", "as", "at", "be", "began", "but", "by", "can", "could", "did",
    "for", "from", "had", "has", "have", "in", "into", "is", "may", "might", "must", "not",
    "of", "on", "or", "over", "says", "said", "should", "than", "that", "the", "then", "to",
    "was", "were", "which", "who", "will", "with", "would", "it", "its", "he", "his", "she",
    "her", "they", "their", "this", "these", "those",
}  # fmt: skip
#: Words that end a clause: the actor and the target of a cue are sought inside its own.
_BARRIERS = {"but", "while", "although", "though", "whereas", "however"}
_POSSESSIVES = {"his", "her", "its", "their"}
#: Words after which a clause has its own actor ("reported that they discussed").
_ACTOR_BARRIERS = {"that"}
#: Categories of relation types whose cues are nouns naming the source's role or tie:
#: "Trump's special envoy Keith Kellogg" is Kellogg envoy-of Trump (the order reversed).
_ROLE_CATEGORIES = {"role", "tie"}


def _pair(
    tokens: list[_Token],
    mentions: list[tuple[int, int, str]],
    start: int,
    end: int,
    rtype: str,
    matcher: Matcher,
) -> tuple[str, str, str | None] | None:
    """(source, target, place) around the cue at ``start:end``, or None."""

    def where(m: tuple[int, int, str]) -> bool:  # a place after "in (the)" or "at (the)"
        if matcher.entities[m[2]].get("type") != "place":
            return False
        before = [t.folded for t in tokens[max(0, m[0] - 2) : m[0]]]
        return bool(before) and (before[-1] in _AT or before[0] in _AT and before[-1] == "the")

    def modifier(m: tuple[int, int, str]) -> bool:  # "U.S. citizenship", "Kellogg's deputy"
        if m[1] >= len(tokens):
            return False
        if tokens[m[1] - 1].possessive:
            return any(n[0] in (m[1], m[1] + 1) for n in mentions)
        following = tokens[m[1]]
        return (
            all(t.raw.isupper() for t in tokens[m[0] : m[1]])  # an abbreviation: "U.S."
            and following.raw[:1].islower()
            and following.folded not in _FUNCTION_WORDS
        )

    barriers = [i for i, t in enumerate(tokens) if t.folded in _BARRIERS]
    opening = [i for i, t in enumerate(tokens) if t.folded in _ACTOR_BARRIERS]
    low = max((i for i in [*barriers, *opening] if i < start), default=-1)
    high = min((i for i in barriers if i >= end), default=len(tokens))
    mentions = [m for m in mentions if m[0] > low and m[1] <= high]

    place = None
    after = []
    for m in mentions:
        if m[0] < end:
            continue
        if where(m) and rtype not in PLACE_TARGETS:
            place = place or m[2]
        else:
            after.append(m)

    def destination(m: tuple[int, int, str]) -> bool:  # "came to Minsk": not an actor
        is_place = matcher.entities[m[2]].get("type") == "place"
        return is_place and m[0] > 0 and tokens[m[0] - 1].folded in _TOWARD

    before = [m for m in mentions if m[1] <= start and not where(m) and not destination(m)]
    targets = [m for m in after if not modifier(m)]
    rtype_record = matcher.types[rtype]
    passive = start > 0 and tokens[start - 1].folded in _BE
    if passive:
        by = next((i for i in range(end, len(tokens)) if tokens[i].folded == "by"), None)
        actor = next((m for m in targets if by is not None and m[0] > by), None)
        if actor is None or not before:
            return None
        source, target = actor[2], before[-1][2]
    elif (
        rtype_record.get("category") in _ROLE_CATEGORIES
        and before
        and targets
        and (start - before[-1][1] <= 2 or tokens[start - 1].folded in _POSSESSIVES)
        and targets[0][0] - end <= 1
    ):  # "<target>'s <role> <source>", "<target> ... his <role> <source>"
        source, target = targets[0][2], before[-1][2]
    elif before and targets:
        source, target = before[-1][2], targets[0][2]
    elif len(targets) >= 2 and rtype_record.get("symmetric"):
        source, target = targets[0][2], targets[1][2]
    else:
        return None
    if source == target:
        return None
    return source, target, place


#: Words that make a sentence the author's hedge, or a possibility (data/README.md).
_HEDGES = {"likely", "possible", "possibly", "perhaps", "probably", "apparently", "seems"}
_MODALS = {"could", "may", "might", "can", "would", "will", "should", "must", "needs"}
#: Words that deny what follows: "there are no signs ... of resuming dialogue".
_NEGATIONS = {"no", "not", "never", "nor", "neither", "won’t", "won't"}


def _clause(tokens: list[_Token], start: int) -> list[str]:
    """The words before position ``start`` in its clause."""
    words_ = [t.folded for t in tokens[:start]]
    cut = max((i for i, w in enumerate(words_) if w in _BARRIERS), default=-1)
    return words_[cut + 1 :]


def _certainty(tokens: list[_Token], start: int) -> str:
    """hedged, hypothetical or stated, from the words before the cue in its clause."""
    before = _clause(tokens, start)
    if _HEDGES & set(before):
        return "hedged"
    if _MODALS & set(before[-4:]):
        return "hypothetical"
    return "stated"


def _negated(tokens: list[_Token], start: int) -> bool:
    """A negation shortly before the cue, in its clause."""
    return bool(_NEGATIONS & set(_clause(tokens, start)[-10:]))


def fact_key(rtype: str, source: str, target: str, types: dict[str, dict]) -> tuple:
    """What makes two relations one fact: type and ends (either order when symmetric)."""
    if types.get(rtype, {}).get("symmetric"):
        return (rtype, *sorted((source, target)))
    return (rtype, source, target)


def known_facts(relations: Iterable[dict], types: dict[str, dict]) -> dict[tuple, str]:
    """The id of the first relation of each fact (``fact_key``) in ``relations``."""
    found: dict[tuple, str] = {}
    for rel in relations:
        found.setdefault(fact_key(rel["type"], rel["source"], rel["target"], types), rel["id"])
    return found


def command_line(candidate: Candidate, source_id: str, data: str | None) -> str:
    """The ``diplograph add relation`` command that accepts ``candidate``."""
    args = ["diplograph", *(["--data", data] if data else []), "add", "relation"]
    args += ["--type", candidate.type, candidate.source, candidate.target]
    args += ["--quote", candidate.quote, "--evidence-source", source_id]
    if candidate.date:
        args += ["--date", candidate.date]
        if candidate.date_text:
            args += ["--date-text", candidate.date_text]
    if candidate.place:
        args += ["--place", candidate.place]
    if candidate.certainty != "stated":
        args += ["--certainty", candidate.certainty]
    return shlex.join(args)


def score(candidates: list[Candidate], relations: list[dict], types: dict[str, dict]) -> dict:
    """How the candidates compare with relations curated by hand: ``recall``, the share
    of ``relations`` proposed (same type and ends, either way for symmetric types), and
    ``precision``, the share of distinct proposals that are among them (a negated
    candidate, or one with no type, proposes nothing). Of the facts found,
    ``date_right`` and ``certainty_right``: the share whose first proposal has the date
    and the certainty of one of the curated relations of that fact."""
    wanted: dict[tuple, list[dict]] = {}
    for r in relations:
        wanted.setdefault(fact_key(r["type"], r["source"], r["target"], types), []).append(r)
    proposed: dict[tuple, Candidate] = {}
    for c in candidates:
        if c.type and not c.negated:
            proposed.setdefault(fact_key(c.type, c.source, c.target, types), c)
    hits = [key for key in proposed if key in wanted]
    dates = sum(any(r.get("date") == proposed[k].date for r in wanted[k]) for k in hits)
    sure = sum(
        any(r.get("certainty", "stated") == proposed[k].certainty for r in wanted[k]) for k in hits
    )
    return {
        "relations": len(wanted),
        "proposals": len(proposed),
        "found": len(hits),
        "recall": round(len(hits) / len(wanted), 3) if wanted else 0.0,
        "precision": round(len(hits) / len(proposed), 3) if proposed else 0.0,
        "date_right": round(dates / len(hits), 3) if hits else 0.0,
        "certainty_right": round(sure / len(hits), 3) if hits else 0.0,
    }

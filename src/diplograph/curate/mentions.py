"""Entities in an article: names resolved against the data's entities or proposed as
new (``Names``), and what a phrase names (``Mentions``): a name, a seat of government
acting for its country, a people's word on a group noun, a pronoun or role noun for the
person last named, lists ("two citizens, A and B"), "the two men", "they"."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model.text import fold
from . import geo, ids, syntax
from .extract import PLACE_TARGETS
from .lexicon import (
    GROUP_NOUNS,
    KIND_OF_PAIR,
    NER_TYPES,
    NOT_NAMES,
    PLURAL_PRONOUNS,
    PRONOUNS,
    ROLE_NOUNS,
    TITLES,
)


@dataclass
class Proposed:
    """A new entity the article names: its record and the words naming it."""

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)

    def record(self) -> dict:
        return {"id": self.id, "name": self.name, "type": self.type, "aliases": self.aliases}


class Names:
    """Folded names to entity ids, for the data's entities and those proposed."""

    def __init__(self, entities: Iterable[dict]):
        self.records: dict[str, dict] = {}
        self.exact: dict[str, set[str]] = {}
        self.acronyms: dict[str, set[str]] = {}
        self.short: dict[str, set[str]] = {}
        self.described: dict[str, set[str]] = {}  # a descriptive name's head words
        self.proposed: dict[str, Proposed] = {}
        for entity in entities:
            self._index(entity)

    def _index(self, entity: dict) -> None:
        eid = entity["id"]
        self.records[eid] = entity
        for name in (eid.replace("-", " "), entity.get("name", ""), *entity.get("aliases", [])):
            self._name(eid, name)
        self._short(eid, entity)
        head = _name_head(entity.get("name", ""))
        if head:
            self.described.setdefault(fold(head), set()).add(eid)

    def _name(self, eid: str, name: str) -> None:
        key = fold(name)
        if not key:
            return
        letters = re.sub(r"[^A-Za-z]", "", name)
        if name == name.upper() and letters and len(letters) <= 5:
            self.acronyms.setdefault(key, set()).add(eid)  # "US" only in capitals
        else:
            self.exact.setdefault(key, set()).add(eid)
            if key.startswith("the "):
                self.exact.setdefault(key[4:], set()).add(eid)

    def _short(self, eid: str, entity: dict) -> None:
        if entity.get("type") != "person":
            return
        for name in (entity.get("name", ""), *entity.get("aliases", [])):
            words_ = fold(name).split()
            if len(words_) > 1 and all(re.fullmatch(r"[a-z]+", w) for w in words_):
                for word in (words_[-1], words_[0]):
                    if word not in TITLES:  # "President Trump" is not "President"
                        self.short.setdefault(word, set()).add(eid)

    def lookup(self, raw: str, single_proper: bool) -> str | None:
        """The one entity ``raw`` names, or None (unknown, or ambiguous)."""
        key = fold(raw)
        if not key:
            return None
        found = self.exact.get(key) or (self.exact.get(key[4:]) if key[:4] == "the " else None)
        if not found and raw.replace(".", "").isupper():
            found = self.acronyms.get(key)
        if not found:  # "opposition leaders" for "Opposition leaders imprisoned in 2020"
            found = self.described.get(key) or (
                self.described.get(key[4:]) if key[:4] == "the " else None
            )
        if not found and single_proper:
            found = self.short.get(key)
            if found and len(found) > 1:  # the surname of several: the first name decides
                return None
        if found and len(found) > 1:
            named = {e for e in found if fold(self.records[e].get("name", "")) == key}
            found = named or found
        return next(iter(found)) if found and len(found) == 1 else None

    def propose(self, name: str, entity_type: str, id_name: str | None = None) -> str:
        """A new entity named ``name`` (or the one already proposed under it), its id
        made from ``id_name`` when given."""
        known = self.lookup(name, " " not in name)
        if known:
            return known
        eid = ids.entity_id(id_name or name, entity_type, set(self.records))
        proposed = Proposed(eid, name, entity_type)
        self.proposed[eid] = proposed
        self._index(proposed.record())
        return eid

    def alias(self, eid: str, words_: str) -> None:
        """Record ``words_`` as a later mention of a proposed entity."""
        proposed = self.proposed.get(eid)
        if proposed and fold(words_) != fold(proposed.name) and words_ not in proposed.aliases:
            proposed.aliases.append(words_)

    def type_of(self, eid: str) -> str | None:
        return self.records.get(eid, {}).get("type")

    def name_of(self, eid: str) -> str:
        return self.records.get(eid, {}).get("name", eid)

    def countries(self) -> list[str]:
        return [r.get("name", "") for r in self.records.values() if r.get("type") == "country"]


#: A descriptive name's qualifier: "(February 2025)", "imprisoned in 2020".
_QUALIFIER = re.compile(r"\s*\([^()]*\)$|\s+[a-z]+ed\s+(?:in|on|by|at|since|during|from)\s.*$")


def _name_head(name: str) -> str | None:
    """The words a descriptive name is spoken of by, its qualifier left off ("U.S.
    citizen (February 2025)": "U.S. citizen"), when that leaves two words or more."""
    head = _QUALIFIER.sub("", name)
    return head if head != name and len(head.split()) >= 2 else None


@dataclass
class Mention:
    start: int  # token indexes in the paragraph's Doc
    end: int
    eid: str
    seat: str | None = None  # the country this place's name may stand for
    stands_for: str | None = None  # the person a pronoun inside the name stands for


#: Words between a number and its noun that a group's name leaves out: "three more
#: prisoners" are the group "three prisoners".
_QUANTIFIERS = {"more", "other", "further", "additional", "remaining"}
_VARIANT_WORDS = _QUANTIFIERS | set(PRONOUNS) | {"of"}


class Mentions:
    """The entities a phrase names (a part of ``parse.Extractor``: it reads and keeps
    ``names``, ``recent``, ``last_person``, ``roles``, ``last_plural``, ``last_pair``
    and the sentence's mentions in ``_cache``)."""

    def _mentions(self, doc, sent) -> list[Mention]:
        """Names of known entities (longest first), then names spaCy tags that are new."""
        found: list[Mention] = []
        # how many words up to each that a variant reading needs (a pronoun, "more", "of")
        hints = [0]
        for t in sent:
            hints.append(hints[-1] + (t.lower_ in _VARIANT_WORDS))
        i = sent.start
        while i < sent.end:
            tok = doc[i]
            if tok.is_punct or tok.tag_ == "POS" or not tok.text.strip():
                i += 1
                continue
            for size in range(min(12, sent.end - i), 0, -1):
                span = doc[i : i + size]
                last = span[-1]
                if last.is_punct or last.tag_ == "POS":
                    continue
                single = size == 1 and tok.pos_ == "PROPN"
                eid = self.names.lookup(span.text, single)
                stands_for, end = None, i + size
                k = i - sent.start
                if eid is None and size > 1 and hints[k + size] > hints[k]:
                    eid, stands_for, end = self._lookup_variant(span, found)
                if eid is None and size > 1 and span[0].lower_ == "the":
                    continue
                if eid:
                    seat = geo.country_of_seat(span.text)
                    found.append(Mention(i, end, eid, seat, stands_for))
                    i = end
                    break
            else:
                i += 1
        taken = {k for m in found for k in range(m.start, m.end)}
        found += self._new_groups(doc, sent, taken)
        for ent in doc.ents:
            if not (sent.start <= ent.start < sent.end) or ent.label_ not in NER_TYPES:
                continue
            tokens = [t for t in ent if t.tag_ != "POS" and t.lower_ != "the"]
            while tokens and tokens[-1].is_punct:
                tokens.pop()
            if not tokens or any(t.i in taken for t in tokens):
                continue
            text = doc[tokens[0].i : tokens[-1].i + 1].text
            if not re.search(r"[A-Za-z]{2}", text) or text.lower() in PRONOUNS:
                continue
            eid = self._new_entity(text, ent.label_, tokens[-1])
            if eid:
                found.append(Mention(tokens[0].i, tokens[-1].i + 1, eid, geo.country_of_seat(text)))
                taken.update(t.i for t in tokens)
        return sorted(found, key=lambda m: m.start)

    def _lookup_variant(self, span, found: list[Mention]) -> tuple[str | None, str | None, int]:
        """(entity, the person a pronoun in it stands for, where its mention ends) named
        by ``span`` once a pronoun is read as the person last named ("his children": "X's
        children"; "those loyal to him"), a number's "more" left out ("three more
        prisoners"), or a description before a name ("employees of the news service X":
        the mention is "employees of", and X a name of its own)."""
        tokens = list(span)
        lowers = [t.lower_ for t in tokens]
        words_ = [t.text for t in tokens]
        for k in range(1, len(tokens)):
            if lowers[k] in _QUANTIFIERS and tokens[k - 1].like_num:
                eid = self.names.lookup(" ".join(words_[:k] + words_[k + 1 :]), False)
                if eid:
                    return eid, None, span.end
        if "of" in lowers and tokens[-1].pos_ == "PROPN":
            described, end = self._without_description(span)
            if described:
                return described, None, end
        pronouns = [k for k, low in enumerate(lowers) if PRONOUNS.get(low) == "person"]
        if len(pronouns) != 1:
            return None, None, span.end
        k = pronouns[0]
        before = [m.eid for m in found if self.names.type_of(m.eid) == "person"]
        person = before[-1] if before else (self.last_person[-1] if self.last_person else None)
        if person is None:
            return None, None, span.end
        record = self.names.records.get(person, {})
        possessive = lowers[k] in ("his", "her", "hers")
        forms = [f for f in (record.get("name", ""), *record.get("aliases", [])) if f]
        for form in dict.fromkeys([*forms, *(f.split()[-1] for f in forms)]):  # and surnames
            text = " ".join([*words_[:k], f"{form}'s" if possessive else form, *words_[k + 1 :]])
            eid = self.names.lookup(text, False)
            if eid and eid != person:
                return eid, person, span.end
        return None, None, span.end

    def _without_description(self, span) -> tuple[str | None, int]:
        """The entity "employees of the news service X" names as "employees of X": a
        description between "of" and a name left out."""
        doc = span.doc
        run = span.end
        while run > span.start and (doc[run - 1].pos_ == "PROPN" or doc[run - 1].text == "/"):
            run -= 1
        if run == span.end or run - span.start < 3:
            return None, span.end
        if doc[run - 1].text == "The":  # a name's own article: "The Times"
            run -= 1
        for k in range(span.start, run - 2):
            if doc[k].lower_ == "of" and doc[k + 1].lower_ == "the":
                head = doc[span.start : k + 1].text
                return self.names.lookup(f"{head} {doc[run : span.end].text}", False), k + 1
        return None, span.end

    def _new_entity(self, text: str, label: str, last) -> str | None:
        if label == "NORP":
            country = geo.country_of_people(text, self.names.countries())
            return self.names.propose(country, "country") if country else None
        kind = NER_TYPES[label]
        if label != "PERSON" and " " not in text and last.pos_ in ("ADJ", "PROPN"):
            people = geo.country_of_people(text, self.names.countries())
            known = people and self.names.lookup(people, False)
            if known and fold(people) != fold(text):  # "Ruritanian" once "Ruritania" is known
                return known
        if label == "GPE":
            seat = geo.country_of_seat(text)
            is_country = text in {c for c in self.names.countries()} or geo.is_country(text)
            kind = "country" if is_country and not seat else "place"
        if label == "PERSON" and " " not in text:
            known = self.names.lookup(text, True)
            if known:
                return known
        if label == "ORG" and (last.pos_ != "PROPN" or fold(text) in NOT_NAMES):
            return None
        eid = self.names.propose(text, kind)
        self.names.alias(eid, text)
        return eid

    def _entity(self, tok, by_token, actor: bool = False) -> str | None:
        """The first entity a noun phrase headed by ``tok`` names."""
        found = self._entities(tok, by_token, actor)
        return found[0] if found else None

    def _entities(self, tok, by_token, actor: bool = False) -> list[str]:
        """Every entity a noun phrase headed by ``tok`` names: one, or a list ("two
        citizens, A and B"; "French and German officials"; "the two men"; "their")."""
        if tok is None:
            return []
        if tok.i not in by_token:
            many = self._many(tok, by_token, actor)
            if many:
                return many
        one = self._one(tok, by_token, actor)
        return [one] if one else []

    def _many(self, tok, by_token, actor: bool) -> list[str]:
        lower = tok.lower_
        if lower in PLURAL_PRONOUNS and tok.pos_ == "PRON":
            subject = self._plural_subject_before(tok)
            if subject is not None:  # "X's advisors are so desperate that they ...": them
                return subject
            recent = [self.last_plural, *self.last_pair.values()]
            recent = [r for r in recent if r and r[0] >= self.sentence_no - 1]
            # "he met with X, and ... they discussed": the last pair named
            return list(max(recent, key=lambda r: r[0])[1]) if recent else []
        found: list[str] = []
        for child in tok.children:  # "two French citizens, A and B"
            if child.dep_ == "appos" and child.i in by_token:
                found = [by_token[t.i].eid for t in syntax.with_conj(child) if t.i in by_token]
                break
        if not found and tok.lemma_.lower() in GROUP_NOUNS:  # "French and German officials"
            for child in tok.children:
                if child.dep_ in ("amod", "compound", "nmod") and child.i in by_token:
                    conj = [by_token[t.i] for t in syntax.with_conj(child) if t.i in by_token]
                    if len(conj) > 1:
                        found = [self._as_actor(m) if (actor or m.seat) else m.eid for m in conj]
                        break
        if not found and tok.tag_ in ("NNS", "NNPS") and syntax.definite(tok):
            two = [c for c in tok.children if c.dep_ == "nummod" and c.lower_ in ("two", "both")]
            kind = KIND_OF_PAIR.get(tok.lemma_.lower())
            if two and kind:  # "the two men", "the two countries"
                found = self._last_two(tok, kind)
        found = list(dict.fromkeys(found))
        if len(found) > 1:
            self.last_plural = (self.sentence_no, found)
            return found
        return []

    def _plural_subject_before(self, tok) -> list[str] | None:
        """What "they" stands for when a plural noun is the subject of a clause before it
        in its sentence ("X's advisors are so desperate that they", "the two sides
        said they"): what that subject names (none, if it names nothing); None when
        there is no such subject."""
        for t in reversed(tok.doc[tok.sent.start : tok.i]):
            if t.dep_ in ("nsubj", "nsubjpass") and t.tag_ in ("NNS", "NNPS"):
                return self._entities(t, self._cache)
        return None

    def _last_two(self, tok, kind: str) -> list[str]:
        """The two ends of a recent symmetric relation ("talks between X and Y ... the two
        sides"), else the last two entities of ``kind`` named before ``tok``."""
        pair = self.last_pair.get(kind)
        if pair and pair[0] >= self.sentence_no - 3:
            return list(pair[1])
        before = sorted(
            {id(m): m for m in self._cache.values() if m.end <= tok.i}.values(),
            key=lambda m: m.start,
        )
        seen = [*self.recent, *(m.eid for m in before)]
        out: list[str] = []
        for eid in reversed(seen):
            if self.names.type_of(eid) == kind and eid not in out:
                out.append(eid)
                if len(out) == 2:
                    return out[::-1]
        return []

    def _one(self, tok, by_token, actor: bool = False) -> str | None:
        """The one entity a noun phrase headed by ``tok`` names."""
        m = by_token.get(tok.i)
        if m is not None:
            return self._as_actor(m) if actor else m.eid
        lower = tok.lower_
        if lower in PRONOUNS and tok.pos_ == "PRON":
            return self._last_person(tok)
        if lower in PLURAL_PRONOUNS and tok.pos_ == "PRON":  # "accompany them": a group
            subject = self._plural_subject_before(tok)
            if subject is not None:
                return subject[0] if len(subject) == 1 else None
            group = self.last_group
            return group[1] if group and group[0] >= self.sentence_no - 1 else None
        for child in tok.children:  # "his deputy Eva Lind", "the prisoner, Yuri Zenkovich"
            if child.dep_ == "appos" and child.i in by_token:
                return by_token[child.i].eid
        if lower == "one":  # "talks with one of X's negotiators": the group
            for child in tok.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    group = [by_token[p.i].eid for p in child.children if p.i in by_token]
                    if group and self.names.type_of(group[0]) == "group":
                        return group[0]
        lemma = tok.lemma_.lower()
        if tok.pos_ == "NOUN" and tok.tag_ == "NN" and lemma in ROLE_NOUNS and syntax.definite(tok):
            # "the envoy", "the contested Belarusian leader": the person last named
            return self.roles.get(lemma) or self._last_person(tok)
        if lemma in GROUP_NOUNS or lemma == "those":
            for child in tok.children:  # "Israeli officials", "Hamas negotiators"
                if child.dep_ in ("amod", "compound", "nmod") and child.i in by_token:
                    m = by_token[child.i]
                    return self._as_actor(m) if m.seat else m.eid
                if child.dep_ == "prep" and child.lower_ == "of":  # "the government of X"
                    for pobj in child.children:
                        if pobj.dep_ == "pobj" and pobj.i in by_token:
                            return self._as_actor(by_token[pobj.i])
        return None

    def _actors(self, tok, by_token) -> list[str]:
        """Who acts, named by ``tok``: a seat of government acting is its country."""
        return self._entities(tok, by_token, actor=True)

    def _targets(self, tok, by_token, rtype) -> list[str]:
        """Who a relation of ``rtype`` is done to, named by ``tok``: a seat of government
        is its country unless the type's target is a place ("visited Minsk")."""
        return self._entities(tok, by_token, actor=rtype not in PLACE_TARGETS)

    def _last_person(self, tok) -> str | None:
        """The person named last before ``tok``: in its sentence, else before it."""
        before = [
            m.eid
            for m in {id(m): m for m in self._cache.values()}.values()
            if m.end <= tok.i and self.names.type_of(m.eid) == "person"
        ]
        if before:
            return max(
                before,
                key=lambda e: max(m.end for m in self._cache.values() if m.eid == e),
            )
        return self.last_person[-1] if self.last_person else None

    def _as_actor(self, m: Mention) -> str:
        """A seat of government that acts is its country ("Minsk released")."""
        kind = self.names.type_of(m.eid)
        if m.seat and (kind in ("place", None) or m.eid in self.names.proposed):
            return self.names.propose(m.seat, "country")
        return m.eid

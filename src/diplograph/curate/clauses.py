"""Relations from syntax: cues matched on lemmas as whole words, and each cue's ends
read from its clause: subject and object, a passive's agent, relative clauses, a shared
subject, conjunctions, "between X and Y", "among those freed was Y", event nouns,
appositions and titles for roles and ties."""

from __future__ import annotations

from collections.abc import Iterator

from . import geo, syntax
from .extract import PLACE_TARGETS
from .lexicon import (
    CALLING,
    COPULAS,
    ENDINGS,
    EXTRA_CUES,
    GIVEN_NOUNS,
    LIGHT_VERBS,
    NOT_RELATIONS,
    PLACE_PREPS,
    PRONOUNS,
    SAYING,
    SEEKING,
    SPEECH_NOUNS,
    TARGET_PREPS,
)
from .mentions import Mention


def cue_tables(types: dict[str, dict]):
    """(single words by lemma, and under "*" the stems; multi-word cues) of ``types``."""
    single: dict[str, list[tuple[str, str]]] = {}
    multi: list[tuple[tuple[str, ...], str]] = []
    for rtype in types.values():
        cues = [*rtype.get("cues", []), *EXTRA_CUES.get(rtype["id"], [])]
        for cue in dict.fromkeys(c.lower() for c in cues):
            words_ = tuple(cue.split())
            if len(words_) > 1:
                multi.append((words_, rtype["id"]))
            elif cue.endswith("*"):
                single.setdefault("*", []).append((cue[:-1], rtype["id"]))
            else:
                single.setdefault(cue, []).append((cue, rtype["id"]))
    for key, found in single.items():
        single[key] = list(dict.fromkeys(found))
    multi.sort(key=lambda m: -len(m[0]))
    return single, multi


def matches(word: str, tok) -> bool:
    lemma = tok.lemma_.lower()
    if word.endswith("*"):
        stem = word[:-1]
        return any(w.startswith(stem) and w[len(stem) :] in ENDINGS for w in (lemma, tok.lower_))
    return word in (lemma, tok.lower_)


class Clauses:
    """Relations read from a clause's structure (a part of ``parse.Extractor``, which
    supplies ``types``, ``names``, ``last_actor``, ``last_target`` and the entity
    readings of ``mentions.Mentions``)."""

    def _cues(self, doc, sent, by_token) -> Iterator[tuple[list, str]]:
        tokens = [t for t in sent]
        for k, tok in enumerate(tokens):
            if tok.i in by_token and by_token[tok.i].end - by_token[tok.i].start > 1:
                continue  # inside a name ("Minsk negotiations" stays a name)
            forms = (tok.lemma_.lower(), tok.lower_)
            for words_, rtype in self.multi:
                if not words_[0].endswith("*") and words_[0] not in forms:
                    continue  # the first word decides most: checked before the rest
                span = tokens[k : k + len(words_)]
                if len(span) == len(words_) and all(
                    matches(w, t) for w, t in zip(words_, span, strict=True)
                ):
                    head = next((t for t in span if t.pos_ in ("VERB", "NOUN", "ADJ")), span[0])
                    yield [head, *[t for t in span if t is not head]], rtype
            if tok.pos_ not in ("VERB", "NOUN", "PROPN", "ADJ"):
                continue
            forms = dict.fromkeys((tok.lower_, tok.lemma_.lower()))  # "discussing" first
            for form in forms:
                for _word, rtype in self.single.get(form, ()):
                    yield [tok], rtype
            for stem, rtype in self.single.get("*", ()):
                lemma = tok.lemma_.lower()
                if lemma.startswith(stem) and lemma[len(stem) :] in ENDINGS:
                    yield [tok], rtype

    # -- relations --------------------------------------------------------------------

    def _relations(self, doc, head, cue_tokens, rtype, by_token) -> list[dict]:
        category = self.types[rtype].get("category")
        among = syntax.among_named(head) or syntax.that_of(head) if category == "event" else []
        if among:
            return self._among(among, rtype, by_token)
        if rtype == "member-of" and head.dep_ == "prep" and head.pos_ in ("VERB", "ADP"):
            return self._including(head, by_token)
        if category in ("role", "tie") and head.pos_ in ("NOUN", "PROPN"):
            return self._role(head, rtype, by_token)
        if category == "stance" and head.pos_ in ("NOUN", "PROPN", "ADJ"):
            return self._role(head, rtype, by_token)
        if head.pos_ == "VERB" or (head.pos_ == "AUX" and head.dep_ != "aux"):
            return self._verb(head, cue_tokens, rtype, by_token)
        if head.pos_ in ("NOUN", "PROPN"):
            return self._noun(head, rtype, by_token)
        return []

    def _verb(self, verb, cue_tokens, rtype, by_token) -> list[dict]:
        kids = list(verb.children)
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in kids)
        actors = [c for c in kids if c.dep_ == "nsubj"]
        patients = [c for c in kids if c.dep_ in ("dobj", "dative")]
        if passive:
            patients = [c for c in kids if c.dep_ == "nsubjpass"]
            actors = [p for c in kids if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
        # a dateline is no actor: "GENEVA, Sept 11 — Berg met..."
        actors = [a for a in actors if not (a.i == a.sent.start and a.text.isupper())]
        inherited = False
        if verb.dep_ == "relcl":  # "Zenkovich, who was escorted by Cole"
            rel = [c for c in kids if c.tag_ in ("WP", "WDT") or c.lower_ == "that"]
            if rel and rel[0].dep_ == "nsubjpass" or (passive and not patients):
                patients = [verb.head]
            elif rel and rel[0].dep_ == "nsubj":
                actors = [verb.head]
            elif rel and rel[0].dep_ == "dobj":
                patients = [verb.head]
        elif verb.dep_ == "acl" and verb.tag_ == "VBN" and not patients:
            patients = [verb.head]  # "prisoners released by X", "those freed"
        if not actors and not passive:
            actors = syntax.shared_subject(verb)
            inherited = bool(actors)
        preps = [c for c in kids if c.dep_ == "prep"]
        for extra in cue_tokens[1:]:  # a cue's own preposition: "came to", "counting on"
            if extra.dep_ == "prep":
                preps = [extra, *[p for p in preps if p is not extra]]
        objects = [c for c in patients if c.i not in by_token]
        if patients and not any(self._entity(p, by_token) for p in patients):
            patients = []
        out = []
        if not patients:  # the object's own prepositions: "negotiated their release with X"
            preps += [c for o in objects for c in o.children if c.dep_ == "prep"]
            for prep in preps:
                said = prep.lower_ == "of" and prep.head.lemma_.lower() in SPEECH_NOUNS
                if prep.lower_ in TARGET_PREPS or prep in cue_tokens or said:
                    pobj = [c for c in prep.children if c.dep_ == "pobj"]
                    owner = pobj and syntax.thing_owner(pobj[0], by_token)
                    if pobj and self._entity(pobj[0], by_token):
                        patients = pobj
                        break
                    if owner and prep.head in objects:  # "sanctions on X's oil sector"
                        patients = [owner]
                        break
        release_of = "negotiates-release-of"
        if rtype == "negotiates-with" and release_of in self.types:
            for o in objects:  # "negotiated their release", "discussing the release of X"
                if o.lemma_.lower() not in ("release", "freedom", "return"):
                    continue
                freed = [c for c in o.children if c.dep_ == "poss"]
                freed += [t for c in o.children if c.dep_ == "prep" and c.lower_ == "of"
                          for t in c.children if t.dep_ == "pobj"]  # fmt: skip
                freed = [c for t in freed for c in syntax.with_conj(t)]  # "of A and B"
                for f in (e for t in freed for e in self._entities(t, by_token)):
                    out.append({"target": f, "type": release_of, "actors": True})
        if not patients and verb.dep_ == "pcomp" and rtype in ("released", "imprisoned"):
            return []
        if not patients and verb.lemma_.lower() not in SAYING:
            # "xcomp" object: "Minsk will expect sanctions to be eased"
            for c in kids:
                if c.dep_ in ("ccomp", "xcomp"):
                    patients = [g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]
                    break
        elif not patients and rtype == "reported-on":
            # "X reported that they discussed a deal": what X reported on is the event named
            said = [t for c in kids if c.dep_ == "ccomp" for t in c.subtree if t.i in by_token]
            patients = [t for t in said if self.names.type_of(by_token[t.i].eid) == "event"][:1]
        between = syntax.between_names(verb)
        if between and self.types[rtype].get("symmetric"):
            out.extend(self._pair(between, by_token))
        note = None
        actor_ids = [
            e for a in actors for t in syntax.with_conj(a) for e in self._actors(t, by_token)
        ]
        actor_ids = list(dict.fromkeys(actor_ids))
        if not actor_ids and passive and rtype in self.last_actor:
            actor_ids = [self.last_actor[rtype]]
            note = "actor from an earlier sentence: check it"
        patient_ids = [
            e
            for p in patients
            for t in syntax.with_conj(p)
            for e in self._targets(t, by_token, rtype)
        ]
        patient_ids = list(dict.fromkeys(patient_ids))
        elected = None
        if not patient_ids and rtype == "candidate-in":  # "ran for president in 2020"
            patient_ids, elected = self._election(verb)
        if not patient_ids and len(actor_ids) == 2 and self.types[rtype].get("symmetric"):
            out.append({"source": actor_ids[0], "target": actor_ids[1], "note": note})
        for half in [f for f in out if f.get("actors")]:
            out.remove(half)
            out += [{**half, "source": a, "note": note, "actors": False} for a in actor_ids]
        own = set()
        if rtype == "escorted":  # "accompanied by his deputy": company, not an escort
            own = {
                e
                for a in actors
                for t in a.subtree
                if t.dep_ == "poss" and t.lower_ in PRONOUNS
                for e in self._entities(t, by_token)
            }
        for a in actor_ids:
            for p in patient_ids:
                if a != p and p not in own:
                    found = {"source": a, "target": p, "note": note, "inherited": inherited}
                    out.append({**found, "date": elected} if elected else found)
        return out

    def _among(self, named, rtype, by_token) -> list[dict]:
        """ "Among those freed was Y": Y is one of the last relation of ``rtype``'s
        targets, done by its actor (a member of its group, when that was a group)."""
        actor, group = self.last_actor.get(rtype), self.last_target.get(rtype)
        out = []
        for eid in (e for t in named for e in self._entities(t, by_token)):
            if actor and eid != actor:
                note = "actor from an earlier sentence: check it"
                out.append({"source": actor, "target": eid, "note": note})
            if group and self.names.type_of(group) == "group" and "member-of" in self.types:
                out.append({"source": eid, "target": group, "type": "member-of", "scope": None})
        return out

    def _including(self, prep, by_token) -> list[dict]:
        """ "X, including A and B" (and "N were released, including A"): A and B are
        members of the group X (the subject or object of the clause it hangs on)."""
        up = prep.head
        if up.pos_ in ("VERB", "AUX"):
            up = next((c for c in up.children if c.dep_ in ("nsubjpass", "dobj")), None)
        group = self._entity(up, by_token) if up is not None else None
        if group is None or self.names.type_of(group) != "group":
            return []
        named = [t for c in prep.children if c.dep_ == "pobj" for t in syntax.with_conj(c)]
        members = [e for t in named for e in self._entities(t, by_token)]
        return [{"source": e, "target": group, "scope": prep} for e in members if e != group]

    def _noun(self, noun, rtype, by_token) -> list[dict]:
        symmetric = self.types[rtype].get("symmetric")
        if rtype == "released" and noun.dep_ == "dobj" and noun.head.lemma_ in SEEKING:
            return []  # "negotiated their release": sought, not done
        between = [t for c in noun.children if c.dep_ == "prep" and c.lower_ == "between"
                   for t in c.children if t.dep_ == "pobj"]  # fmt: skip
        if between:
            return [
                {**f, "scope": noun} for f in self._pair(syntax.with_conj(between[0]), by_token)
            ]
        actors = []
        for c in noun.children:
            if c.dep_ == "poss" or (
                c.dep_ in ("compound", "amod", "nmod") and c.i in by_token and c.i < noun.i
            ):
                actors.append(c)
        pair_mod = [c for c in actors if c.dep_ in ("compound", "amod", "nmod")]
        targets = []
        wheres = {"in"} if rtype in PLACE_TARGETS else set()  # "reopen its embassy in X"
        for c in noun.children:
            if (
                c.dep_ == "prep"
                and c.lower_ in {"with", "of", "on", "to", "against", "for"} | wheres
            ):
                targets += [t for t in c.children if t.dep_ == "pobj"]
        sides = {c.lower_: [t for t in c.children if t.dep_ == "pobj"]
                 for c in noun.children if c.dep_ == "prep"}  # fmt: skip
        ends = [sides.get("of", [None])[0], sides.get("with", [None])[0]]
        present = self._present_at(noun, ends[1], by_token) if symmetric else []
        if symmetric and not actors and all(e is not None and e.i in by_token for e in ends):
            # "a meeting of X with Y"
            found = self._pair(ends, by_token)
            if found:
                return [{**f, "scope": noun} for f in found] + present
        if present:
            return present
        hyphenated = any("-" in c.text for c in noun.lefts)
        if symmetric and (pair_mod or hyphenated) and not targets:  # "U.S.-Russian talks"
            ends = [t for c in pair_mod for t in syntax.with_conj(c)]
            joined = [by_token[t.i] for t in ends if t.i in by_token]
            hyph = [
                m
                for m in self._hyphen_pair(noun, by_token)
                if all(m2.eid != m.eid for m2 in joined)
            ]
            joined += hyph
            if len({m.eid for m in joined}) >= 2:
                ends = {"source": self._as_actor(joined[0]), "target": self._as_actor(joined[1])}
                return [{**ends, "scope": noun}]
        if not any(self._entity(a, by_token) for a in actors) and (
            (noun.dep_ == "dobj" and noun.head.lemma_ in LIGHT_VERBS)
            or (noun.dep_ == "pobj" and noun.head.head.lemma_ in LIGHT_VERBS)
        ):
            verb = noun.head if noun.dep_ == "dobj" else noun.head.head
            actors = [c for c in verb.children if c.dep_ == "nsubj"] or syntax.shared_subject(verb)
            if not targets and verb.pos_ == "VERB":
                for c in verb.children:
                    preps = TARGET_PREPS | (PLACE_PREPS if rtype in PLACE_TARGETS else set())
                    if c.dep_ == "prep" and c.lower_ in preps:
                        targets += [t for t in c.children if t.dep_ == "pobj"]
        if not actors and not targets and noun.lemma_.lower() in GIVEN_NOUNS:
            return self._given_from(noun, by_token)
        if not actors or not targets:
            return self._visit_of(actors, by_token) if rtype == "visited" else []
        out = []
        inside = all(a.head is noun for a in actors)
        sources = [e for a in actors for e in self._actors(a, by_token)]
        for source in dict.fromkeys(sources):
            for target in (
                e for t in syntax.with_conj(targets[0]) for e in self._targets(t, by_token, rtype)
            ):
                if source != target:
                    found = {"source": source, "target": target}
                    out.append({**found, "scope": noun} if inside else found)
        return out

    def _visit_of(self, actors, by_token) -> list[dict]:
        """ "X's visit" naming no place: the place X was last said to be in."""
        out = []
        for source in dict.fromkeys(e for a in actors for e in self._actors(a, by_token)):
            place = self.last_place.get(source)
            if place:
                out.append(
                    {
                        "source": source,
                        "target": place,
                        "note": "the place of an earlier sentence: check it",
                    }
                )
        return out

    def _hyphen_pair(self, noun, by_token) -> list[Mention]:
        """Both names of "U.S.-Russian negotiations" (one token or several)."""
        out = []
        for c in noun.lefts:
            m = by_token.get(c.i)
            if m is not None:
                out.append(m)
            elif "-" in c.text:
                for part in c.text.split("-"):
                    country = geo.country_of_people(part, self.names.countries())
                    eid = self.names.lookup(part, False) or (
                        self.names.propose(country, "country") if country else None
                    )
                    if eid:
                        out.append(Mention(c.i, c.i + 1, eid))
        return out

    def _pair(self, tokens, by_token) -> list[dict]:
        found = [e for t in tokens for e in self._entities(t, by_token, actor=True)]
        found = list(dict.fromkeys(found))
        if len(found) >= 2:
            return [{"source": found[0], "target": found[1]}]
        return []

    def _role(self, noun, rtype, by_token) -> list[dict]:
        """A role or tie noun: who holds it (the name it titles or is in apposition
        with, the subject it is said of) and of whom (its possessor, the country of a
        people's word, "of X")."""
        if noun.lemma_.lower() in GIVEN_NOUNS and not any(c.dep_ == "poss" for c in noun.children):
            return self._given_from(noun, by_token)  # "following advice from X"
        holder = None
        up = noun
        while up.dep_ in ("compound", "amod", "nmod") and up.head.i != up.i:
            up = up.head  # "U.S. President Donald Trump", "special envoy Keith Kellogg"
        if up is not noun and up.i in by_token:
            holder = by_token[up.i].eid
        title = holder is not None  # a title on a name: its own words only count
        holders = [holder] if holder else []
        if holder is None:  # "two French citizens, A and B"
            appos = next((c for c in noun.children if c.dep_ == "appos" and c.i in by_token), None)
            if appos is not None:
                holders = [by_token[t.i].eid for t in syntax.with_conj(appos) if t.i in by_token]
                holder, title = holders[0], True
        if holder is None and noun.dep_ == "appos" and noun.head.i in by_token:
            holder = by_token[noun.head.i].eid  # "Tsikhanouski, a popular blogger"
        if holder is None and noun.dep_ in ("attr", "acomp") and noun.head.lemma_ in COPULAS:
            subj = [c for c in noun.head.children if c.dep_ == "nsubj"] or syntax.shared_subject(
                noun.head
            )
            holder = self._entity(subj[0], by_token) if subj else None
        if holder is None and noun.dep_ == "pobj" and noun.head.lower_ == "as":
            verb = noun.head.head  # "describe him as N": the object; "served as N": the subject
            deps = ("dobj", "nsubjpass") if verb.lemma_.lower() in CALLING else ("nsubj",)
            subj = [c for c in verb.children if c.dep_ in deps]
            holder = self._entity(subj[0], by_token) if subj else None
        if holder is None and noun.dep_ == "pobj" and noun.head.lower_ == "of":
            one = noun.head.head  # "one of the leaders of ...": the "one" is who
            if one.lower_ == "one" and one.dep_ == "appos" and one.head.i in by_token:
                holder = by_token[one.head.i].eid
        if holder is None and noun.dep_ == "pobj" and noun.head.lower_ == "with":
            holder = self._entity(noun.head.head, by_token)  # "a prisoner with U.S. citizenship"
            title = holder is not None
        if holder is None and syntax.definite(noun):
            holder = self._entity(noun, by_token)
        if holder is None:
            return []
        holders = holders or [holder]
        counterpart = noun.lemma_.lower() == "counterpart"
        if self.names.type_of(holder) not in ("person", "group", None) and rtype not in (
            "member-of",
            "affiliated-with",
            "leads",
        ):
            return []
        if self.names.type_of(holder) == "person":
            self.roles[noun.lemma_.lower()] = holder
        of = None
        for c in noun.children:
            if (c.dep_ == "poss" and not counterpart) or (
                c.dep_ in ("compound", "amod", "nmod") and c.i in by_token and c.i < noun.i
            ):
                of = self._entity(c, by_token, actor=True)
                if of:
                    break
        if of is None:
            for c in noun.children:
                if c.dep_ == "prep" and c.lower_ in ("of", "for"):
                    pobj = [t for t in c.children if t.dep_ == "pobj"]
                    if pobj:  # "of X", "of X's thinking"
                        owner = syntax.thing_owner(pobj[0], by_token)
                        of = self._entity(owner or pobj[0], by_token, actor=True)
                        break
        if of is None and up is not noun and not counterpart:  # "Berg's deputy Eva Lind"
            for c in up.children:
                if c.dep_ == "poss" and c.i < noun.i:
                    of = self._entity(c, by_token, actor=True)
        if of is None and up is not noun:  # "U.S. President Donald Trump"
            for c in up.children:
                if c.dep_ in ("compound", "nmod") and c.i < noun.i and c.i in by_token:
                    of = self._as_actor(by_token[c.i])
                    break
            for c in noun.children if of is None else ():
                if c.dep_ in ("compound", "nmod") and c.i in by_token:
                    of = self._as_actor(by_token[c.i])
        if of is None and up is not noun:  # "French Interior Minister X"
            of = self._title_owner(noun, up, by_token)
        if of is None:
            return []
        scope = {"scope": noun} if title else {}
        return [{"source": h, "target": of, **scope} for h in holders if h != of]

    def _title_owner(self, noun, up, by_token) -> str | None:
        """The name nearest before a title's noun in the same phrase ("French Prime
        Minister X": France), stopping at punctuation."""
        left = up.left_edge.i
        for i in range(noun.i - 1, left - 1, -1):
            tok = noun.doc[i]
            if tok.is_punct:
                return None
            if i in by_token:
                return self._as_actor(by_token[i])
        return None

    def _untyped(self, doc, sent, offset, by_token, used) -> None:
        """A verb joining two named entities that no type's cues name."""
        for verb in sent:
            if verb.pos_ != "VERB" or verb.i in used or verb.lemma_.lower() in NOT_RELATIONS:
                continue
            subj = [c for c in verb.children if c.dep_ == "nsubj"]
            obj = [c for c in verb.children if c.dep_ == "dobj"]
            if not subj or not obj or subj[0].i not in by_token or obj[0].i not in by_token:
                continue
            found = {
                "source": self._as_actor(by_token[subj[0].i]),
                "target": by_token[obj[0].i].eid,
            }
            if found["source"] != found["target"]:
                self._add(doc, sent, offset, verb, [verb], None, found)

"""Groups an article names without a proper name, and the roles and ties a name states
of itself: "four Ruritanian soldiers" (a group proposed, citizens of Ruritania), "X's
advisors" (advise X), "an ORG journalist" (its employee), "his children", "those loyal to
him". A part of ``parse.Extractor`` beside ``mentions.Mentions``."""

from __future__ import annotations

from . import geo
from .lexicon import (
    CHILD_NOUNS,
    COPULAS,
    ENDINGS,
    OFFICIAL_NOUNS,
    PARTITIVES,
    PEOPLE_NOUNS,
    PRONOUNS,
    PROPORTIONS,
)
from .mentions import Mention


class Groups:
    """Groups proposed from a sentence's words, and what a name says of itself."""

    def _new_groups(self, doc, sent, taken: set[int]) -> list[Mention]:
        """Groups named by a number and a people's word on a noun for people ("four
        Ruritanian soldiers", "three Ruritanian officials"), proposed as new entities
        with the number left out of the id (a count is no part of who they are)."""
        out = []
        for head in sent:
            lemma = head.lemma_.lower()
            if head.tag_ != "NNS" or lemma not in PEOPLE_NOUNS | OFFICIAL_NOUNS or head.i in taken:
                continue
            if any(c.dep_ == "appos" for c in head.children):
                continue  # "two citizens, A and B": the list names them
            mods = [c for c in head.lefts if c.dep_ in ("nummod", "amod", "compound", "nmod")]
            number = [c for c in mods if c.dep_ == "nummod" and c.like_num]
            people = [c for c in mods if geo.country_of_people(c.text, self.names.countries())]
            if not number or not people:
                continue
            start = min(c.left_edge.i for c in mods)
            if any(i in taken for i in range(start, head.i + 1)):
                continue
            name = doc[start : head.i + 1].text
            counted = {t.i for c in number for t in c.subtree}
            described = " ".join(t.text for t in doc[start : head.i + 1] if t.i not in counted)
            eid = self.names.propose(name, "group", id_name=described)
            out.append(Mention(start, head.i + 1, eid))
            taken.update(range(start, head.i + 1))
        return out

    def _partitives(self, sent, by_token) -> list[tuple]:
        """(head, cue tokens, type, ends) of "X became the first of the G", "X, one of
        the G", "X was another of the G": X is a member of the group G."""
        if "member-of" not in self.types:
            return []
        out = []
        for tok in sent:
            if tok.lower_ not in PARTITIVES or tok.i in by_token:
                continue
            of = next((c for c in tok.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            pobj = of and next((c for c in of.children if c.dep_ == "pobj"), None)
            group = self._entity(pobj, by_token) if pobj is not None else None
            if group is None or self.names.type_of(group) != "group":
                continue
            holder = None
            if tok.dep_ == "attr" and tok.head.lemma_.lower() in COPULAS:
                subj = [c for c in tok.head.children if c.dep_ == "nsubj"]
                holder = self._entity(subj[0], by_token) if subj else None
            elif tok.dep_ == "appos":
                holder = self._entity(tok.head, by_token)
            if holder and holder != group:
                out.append((tok, [tok, of], "member-of", {"source": holder, "target": group}))
        return out

    def _proportions(self, sent, by_token) -> list[tuple]:
        """(head, cue tokens, type, ends) of "More than half were nationals of Western
        countries" said after a group G: the part, known as "Western nationals", is a
        member of G (or of the G its "of" names) and citizen of what the "of" names."""
        if "citizen-of" not in self.types or "member-of" not in self.types:
            return []
        out = []
        for tok in sent:
            if tok.dep_ != "nsubj" or tok.lemma_.lower() not in PROPORTIONS or tok.i in by_token:
                continue
            verb = tok.head
            attr = next((c for c in verb.children if c.dep_ == "attr"), None)
            if (
                verb.lemma_.lower() != "be"
                or attr is None
                or attr.lemma_.lower() not in PEOPLE_NOUNS
            ):
                continue
            of = next((c for c in attr.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            pobj = of and next((c for c in of.children if c.dep_ == "pobj"), None)
            country = self._entity(pobj, by_token, actor=True) if pobj is not None else None
            words_ = [
                c.text for c in (pobj.children if pobj is not None else ()) if c.dep_ == "amod"
            ]
            part = self.names.lookup(" ".join([*words_, attr.text]), False) if words_ else None
            whole = [
                p
                for c in tok.children
                if c.dep_ == "prep" and c.lower_ == "of"
                for p in c.children
                if p.dep_ == "pobj"
            ]
            group = self._entity(whole[0], by_token) if whole else None
            if group is None and self.last_group and self.last_group[0] >= self.sentence_no - 1:
                group = self.last_group[1]
            if part is None or country is None or part in (country, group):
                continue
            out.append((attr, [attr, of], "citizen-of", {"source": part, "target": country}))
            if group and self.names.type_of(group) == "group":
                out.append((tok, [tok, attr], "member-of", {"source": part, "target": group}))
        return out

    def _own_words(self, doc, m: Mention, by_token) -> list[tuple]:
        """(head, cue tokens, type, ends) of the roles and ties a person or group's own
        name states: "four Ruritanian soldiers" are citizens of Ruritania, "three
        Ruritanian officials" officials of it; "X's advisors" advise X, "an ORG
        journalist" is its employee, "his children" are his, "those loyal to him" are
        loyal to him (a cue of a role, tie or stance inside the name, and its owner)."""
        kind = self.names.type_of(m.eid)
        if kind not in ("group", "person") or m.end - m.start < 2:
            return []
        span = doc[m.start : m.end]
        head = span.root
        lemma = head.lemma_.lower()
        rtype = "official-of" if lemma in OFFICIAL_NOUNS else "citizen-of"
        if rtype in self.types and (rtype == "official-of" or lemma in PEOPLE_NOUNS):
            for tok in span:
                if tok is head or tok.dep_ not in ("amod", "compound", "nmod"):
                    continue
                country = geo.country_of_people(tok.text, self.names.countries())
                eid = self.names.lookup(country or tok.text, False)
                if eid is None and country:
                    eid = self.names.propose(country, "country")
                if eid and eid != m.eid and self.names.type_of(eid) == "country":
                    return [
                        (head, [head, tok], rtype, {"source": m.eid, "target": eid, "scope": head})
                    ]
        out = []
        for tok in span:
            for rtype in self._role_cues(tok):
                owner = self._owner_inside(span, tok, m, by_token)
                if owner is None or owner == m.eid:
                    continue
                ends = {"source": m.eid, "target": owner}
                if rtype == "parent-of" and tok.lemma_.lower() in CHILD_NOUNS:
                    ends = {"source": owner, "target": m.eid}  # "his children"
                out.append((tok, [tok], rtype, {**ends, "scope": tok}))
                break
        return out

    def _role_cues(self, tok) -> list[str]:
        """The role, tie and stance types whose one-word cues ``tok`` is."""
        if tok.pos_ not in ("NOUN", "ADJ", "PROPN"):
            return []
        found = [
            r for form in (tok.lower_, tok.lemma_.lower()) for _, r in self.single.get(form, ())
        ]
        lemma = tok.lemma_.lower()
        found += [r for stem, r in self.single.get("*", ())
                  if lemma.startswith(stem) and lemma[len(stem) :] in ENDINGS]  # fmt: skip
        kinds = ("role", "tie", "stance")
        return [r for r in dict.fromkeys(found) if self.types[r].get("category") in kinds]

    def _owner_inside(self, span, tok, m: Mention, by_token) -> str | None:
        """Whose the cue ``tok`` inside a name is: its possessor, a name or people's word
        on it, or "to X" / "of X" after it (a pronoun: the person it stands for)."""
        inside = {t.i for t in span}
        owners = [c for c in tok.children if c.dep_ == "poss"]
        owners += [c for c in tok.children if c.dep_ in ("compound", "nmod", "amod")]
        after = [g for c in tok.children if c.dep_ == "prep" and c.lower_ in ("to", "of", "for")
                 for g in c.children if g.dep_ == "pobj"]  # fmt: skip
        for owner in after:  # "employees of" the name that follows
            if owner.i not in inside and owner.head.i in inside and owner.i in by_token:
                return by_token[owner.i].eid
        for owner in owners + after:
            if owner.i not in inside:
                continue
            if owner.lower_ in PRONOUNS:
                return m.stands_for
            words_ = [t for t in owner.subtree if t.i in inside and t.tag_ != "POS"]
            if owner.pos_ == "PROPN" and owner.i > tok.i:  # "of the news service X": X
                run = len(words_)
                while run and (words_[run - 1].pos_ == "PROPN" or words_[run - 1].text == "/"):
                    run -= 1
                words_ = words_[run:]
            if owner.i < tok.i and owner.dep_ != "poss":  # "RFE/RL journalist"
                words_ = [t for t in span if owner.left_edge.i <= t.i < tok.i and t.tag_ != "POS"]
            text = span.doc[words_[0].i : words_[-1].i + 1].text if words_ else ""
            country = geo.country_of_people(text, self.names.countries())
            eid = self.names.lookup(text, len(words_) == 1 and owner.pos_ == "PROPN")
            eid = eid or (self.names.lookup(country, False) if country else None)
            if eid:
                return eid
        return None

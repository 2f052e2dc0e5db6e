"""Relations an event's noun or verb brings beyond its own clause's ends: who is at a
meeting ("at a meeting with Y, X said"), who takes advice ("advice from X"), and the
election a run for office is in."""

from __future__ import annotations

import re

from ..model.text import fold
from . import syntax
from .lexicon import ELECTION_WORDS, PRONOUNS


class Settings:
    """A part of ``parse.Extractor`` beside ``clauses.Clauses``, which calls it; it reads
    ``names``, ``last_person``, ``paragraph_date``, the sentence's ``_dates`` and the
    entity readings of ``mentions.Mentions``."""

    def _given_from(self, noun, by_token) -> list[dict]:
        """ "They followed advice from X", "she accepted an invitation from X": X is the
        actor, and whoever receives it (the subject the noun's clause hangs from) its
        target."""
        owners = [noun, noun.head] if noun.dep_ == "dobj" else [noun]  # "took advice from X"
        sources = [
            e
            for c in (c for o in owners for c in o.children)
            if c.dep_ == "prep" and c.lower_ == "from"
            for p in c.children
            if p.dep_ == "pobj"
            for e in self._actors(p, by_token)
        ]
        receiver = syntax.subject_above(noun)
        if not sources or receiver is None:
            return []
        return [
            {"source": s, "target": t}
            for s in dict.fromkeys(sources)
            for t in self._actors(receiver, by_token)
            if s != t
        ]

    def _present_at(self, noun, other, by_token) -> list[dict]:
        """ "At a meeting with Y, X said ...", "X took part in talks with Y": the subject
        of the clause the meeting is the setting of took part in it, with Y."""
        prep = noun.head
        if noun.dep_ != "pobj" or prep.lower_ not in ("at", "during", "in") or other is None:
            return []
        verb = prep.head
        if verb.pos_ not in ("VERB", "AUX") or prep.dep_ != "prep":
            return []
        subjects = [c for c in verb.children if c.dep_ == "nsubj"] or syntax.shared_subject(verb)
        if not subjects:
            return []
        sides = self._entities(other, by_token, actor=True)
        sources = self._actors(subjects[0], by_token)
        if subjects[0].lower_ in PRONOUNS and set(sources) <= set(sides):
            # "at a meeting with Y, he said": "he" is not Y, but the person before
            sources = [p for p in reversed(self.last_person) if p not in sides][:1]
        out = []
        for source in sources:
            for target in sides:
                if source != target:
                    out.append({"source": source, "target": target})
        return out

    def _election(self, verb) -> tuple[list[str], str | None]:
        """([the one election among the entities], its year) held in the year of
        ``verb``'s clause (else of its paragraph's last date): what one "ran for
        president" in, and when."""
        clause = syntax.clause_of(verb)
        years = [
            y
            for e in self._dates
            if clause.start <= e.start < clause.end
            for y in re.findall(r"\b\d{4}\b", e.text)
        ]
        if not years and self.paragraph_date:
            years = re.findall(r"^\d{4}", self.paragraph_date[0])
        if not years:
            return [], None
        found = [
            eid
            for eid, record in self.names.records.items()
            if record.get("type") == "event"
            and any(
                ELECTION_WORDS & set(fold(n).split()) and years[0] in n
                for n in (record.get("name", ""), *record.get("aliases", []))
            )
        ]
        return (found, years[0]) if len(found) == 1 else ([], None)

"""Candidate facts from an article, read with spaCy's dependency parse and named entities.

The reading is split by idea: ``mentions`` (entities), ``clauses`` (relations from
syntax), ``modality``, ``syntax`` (shared readings of the parse), ``lexicon`` (word
classes); this module holds the article's clock, each candidate's date, place and quote.

The better extractor (``pip install 'diplograph[nlp]'``); ``extract.extract`` is the
rule-based one used where no spaCy pipeline is installed. The text is parsed a paragraph
at a time, so memory follows the longest paragraph, not the article.

Entities. Each name is resolved as ``resolve`` resolves what a user types (id, name,
alias, folded forms, a person's surname or first name); a name spaCy tags that the data
lacks is proposed as a new entity (person, organization, country, place, event), named
as first written, its later shorter mentions ("Berg" after "Anna Berg") as aliases.
Metonymy (data/README.md): a seat of government acting ("Minsk released", "the Kremlin
said") is the country (``geo``); a word for a people on a group noun ("Israeli
officials", "the Belarusian leader") names the country. "he", "she" and a role noun
("the envoy", "the Belarusian leader") stand for the person last named (with that role,
when one was). A phrase may name several: an apposition list ("two citizens, A and B"),
peoples' words joined on one noun ("French and German officials"), "the two men" or
"the two sides" (the ends of the last symmetric relation, else the last two named of
that kind), "they" and "their" (the last such list or pair; after a plural subject in the same
sentence, that subject). A group named with a people's word ("four Ruritanian
soldiers") is citizen (or official) of that country; "most were nationals of X" after a
group, the part of it known by those words. A descriptive name is also known by its head
words ("U.S. citizen (February 2025)": "a U.S. citizen"); "X became the first of the G"
makes X a member of G.

Relations. A cue (the vocabulary's ``cues``, and a few verbs of the CAMEO classes, in
``EXTRA_CUES``) is matched on lemmas as whole words ("hostages" is not "host*"), and its
ends are read from the clause's structure: subject and object; the agent of a passive
("was escorted by"); a relative clause ("Zenkovich, who was escorted"); a subject shared
with the verb a clause hangs from ("came to Minsk to accompany them"); conjunctions (two
objects, two relations); "between X and Y"; appositions and titles for roles and ties
("Kellogg's deputy John Cole": Cole deputy-of Kellogg; "U.S. envoy John Coale": Coale
envoy-of United States; "Ruritanian Interior Minister X"; "her Ruritanian counterpart
X"). A seat of government as a target is its country, unless the type's target is a
place ("visited Minsk"). A verb whose object names nobody finds its target in the
object's words ("negotiated their release with X", "the demands of X", "sanctions on X's
oil sector"); a release negotiated is ``negotiates-release-of``, not a release. "Among
those freed was Y" takes the last release's actor. A noun of an event ("the release of")
gives a relation only when its actor is in the clause (its possessor, or the subject of
the verb it is the object of); a passive with no agent ("three more prisoners were
released") takes the actor of the last relation of that type, and says so in ``note``.
The subject of a clause set "at a meeting with Y" or "in a conversation with Y" took part
in it with Y; "advice from X" is X's, to whoever takes it; the object of "counting on X
to", "urged X to" is the infinitive's subject (and its fact a prospect); a run for office
is a candidacy in the one election entity of that year. Two entities joined by a verb no
type has give an untyped candidate (``type`` None) that suggests ``add type``.

Modality. A negated clause (a "not" or "no" on the cue or any word it depends on) makes
the candidate ``negated``, which ``add`` refuses. "would, could, may, might, can, will,
is expected to, plans to, needs to" make it hypothetical; "likely, probably, perhaps,
appears, reportedly" hedged (also over "will": "It is likely that X will visit"); "X
said/told/reported that", "according to X" reported, with ``reported_by`` X (a
hypothetical someone reported keeps its reporter).

Dates and places. The date phrase of the cue's clause (else of its sentence) is read by
``when.resolve`` against the publication date and the date of the fact before (a
relative clause keeps its own dates; a gerund takes its clause's tense; a begun relation
runs from its date, "2024-23/..", an ended one until it, "../2025-03"); a past event
whose sentence has none takes the paragraph's last date, else the last fact's; an event
in the present tense is the publication month, with no ``date_text`` (its verb holds no
date word, and ``date_text`` quotes only the source's words for the date); roles and
ties stay undated. "in Minsk", "at the border" give the ``place``.

Quotes. The shortest span of the sentence holding the cue, both ends and the place and
date words of the clause, verbatim from the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from . import clauses, ids, modality, syntax, when
from .clauses import Clauses
from .extract import PLACE_TARGETS, Candidate, fact_key, known_facts
from .groups import Groups
from .lexicon import PLACE_NOUNS, PLACE_PREPS
from .mentions import Mention, Mentions, Names
from .settings import Settings

DEFAULT_MODEL = "en_core_web_sm"
#: Paragraphs longer than this are parsed in pieces (spaCy's own limit is 1,000,000).
MAX_PARAGRAPH = 100_000


class ModelMissing(Exception):
    """No spaCy, or no pipeline of that name: the rule-based extractor must do."""


def load(model: str = DEFAULT_MODEL):
    """The spaCy pipeline named ``model`` (ModelMissing when spaCy or it is absent)."""
    try:
        import spacy
    except ImportError:
        raise ModelMissing("spaCy is not installed") from None
    try:
        nlp = spacy.load(model, exclude=["senter"])
    except OSError:
        raise ModelMissing(f"the spaCy pipeline '{model}' is not installed") from None
    # a dash between words is a word of its own: "a “deal”—a swap of prisoners"
    infixes = [*nlp.Defaults.infixes, r"[—–]"]
    nlp.tokenizer.infix_finditer = spacy.util.compile_infix_regex(infixes).finditer
    return nlp


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, paragraph) for each non-blank line of ``text`` (long ones in pieces)."""
    for found in re.finditer(r"[^\n]+", text):
        line = found.group(0)
        if not line.strip():
            continue
        start = found.start()
        while len(line) > MAX_PARAGRAPH:
            cut = line.rfind(". ", 0, MAX_PARAGRAPH) + 1 or MAX_PARAGRAPH
            yield start, line[:cut]
            start, line = start + cut, line[cut:]
        yield start, line


class Extractor(Mentions, Groups, Clauses, Settings):
    """One article's reading: entities met so far, the last dates and actors (what a
    phrase names: ``mentions.Mentions``; groups and a name's own ties: ``groups.Groups``;
    relations from a clause: ``clauses.Clauses``)."""

    def __init__(
        self,
        nlp,
        entities: Iterable[dict],
        relation_types: Iterable[dict],
        published: str,
        relations: Iterable[dict] = (),
    ):
        self.nlp = nlp
        self.names = Names(entities)
        self.types = {t["id"]: t for t in relation_types}
        self.published = published
        self.known = known_facts(relations, self.types)
        self.single, self.multi = clauses.cue_tables(self.types)
        self.last_person: list[str] = []  # most recent last
        self.roles: dict[str, str] = {}  # role noun lemma -> person last given it
        self.last_date: str | None = None
        self.last_actor: dict[str, str] = {}  # type -> its last actor
        self.last_target: dict[str, str] = {}  # type -> its last target
        self.out: list[Candidate] = []
        self.recent: list[str] = []  # entities named, most recent last
        self.last_plural: tuple[int, list[str]] | None = None  # (sentence, entities)
        self.last_place: dict[str, str] = {}  # entity -> the place it was last in
        self.last_group: tuple[int, str] | None = None  # (sentence, the group last named)
        self.sentence_no = 0
        self.last_pair: dict[str, tuple[int, tuple[str, str]]] = {}  # kind -> ends
        self.story_date: tuple | None = None  # the last past date read, for what follows

    # -- the article ------------------------------------------------------------------

    def run(self, text: str) -> list[Candidate]:
        chunks = list(paragraphs(text))
        docs = self.nlp.pipe((p for _, p in chunks), batch_size=16)
        for (offset, _), doc in zip(chunks, docs, strict=True):
            self.paragraph_date: tuple[str, str] | None = None
            for sent in doc.sents:
                self._sentence(doc, sent, offset)
        return _distinct(self.out)

    def _sentence(self, doc, sent, offset: int) -> None:
        self.sentence_no += 1
        mentions = self._mentions(doc, sent)
        by_token = {i: m for m in mentions for i in range(m.start, m.end)}
        dateline = syntax.dateline_end(
            sent
        )  # "DOHA, Sept 11 (Gulf Wire) —": the report's, not the fact's
        self._dates = [
            syntax.widened(e)
            for e in doc.ents
            if e.label_ == "DATE" and dateline <= e.start < sent.end
        ]
        self._cache = by_token
        dated = [
            (resolved, e.text)
            for e in self._dates
            if not syntax.names_a_noun(e, None)
            and (resolved := self._date_of(e.text, future=False))
            and not modality.future(e.root)
            and not modality.pluperfect(e.root)
        ]
        used: set[int] = set()
        before = len(self.out)
        for cue_tokens, rtype in self._cues(doc, sent, by_token):
            head = cue_tokens[0]
            if head.i in used:
                continue
            used.update(t.i for t in cue_tokens)
            for found in self._relations(doc, head, cue_tokens, rtype, by_token):
                self._add(doc, sent, offset, head, cue_tokens, rtype, found)
        for m in mentions:
            for head, cue_tokens, rtype, found in self._own_words(doc, m, by_token):
                self._add(doc, sent, offset, head, cue_tokens, rtype, found)
        for head, cue_tokens, rtype, found in [
            *self._partitives(sent, by_token),
            *self._proportions(sent, by_token),
        ]:
            self._add(doc, sent, offset, head, cue_tokens, rtype, found)
        if len(self.out) == before:
            self._untyped(doc, sent, offset, by_token, used)
        self._remember(mentions)
        if dated:
            self.paragraph_date = dated[-1]

    def _remember(self, mentions: list[Mention]) -> None:
        for m in mentions:
            eid = m.eid
            if eid in self.recent:
                self.recent.remove(eid)
            self.recent.append(eid)
            if self.names.type_of(eid) == "group":
                self.last_group = (self.sentence_no, eid)
            if self.names.type_of(m.eid) == "person":
                if m.eid in self.last_person:
                    self.last_person.remove(m.eid)
                self.last_person.append(m.eid)

    # -- one candidate ----------------------------------------------------------------

    def _add(self, doc, sent, offset, head, cue_tokens, rtype, found) -> None:
        source, target = found["source"], found["target"]
        rtype = found.get("type", rtype)
        rtype_record = self.types.get(rtype or "", {})
        event = rtype is None or rtype_record.get("category") == "event"
        scope = found.get("scope")  # a noun's own relation: only its own words count
        negated = modality.negated(head, scope is not None)
        certainty, reporter, hedges = modality.certainty_words(head, scope is not None)
        reported_by = self._entity(reporter, self._cache) if reporter else None
        if certainty == "reported" and not reported_by:
            certainty = "stated"
        date = date_text = place = point = None
        quote_tokens = [*cue_tokens, *hedges]  # a hedged fact's quote keeps its hedge
        for eid in (source, target):
            quote_tokens += syntax.tokens_naming(eid, head, self._cache, sent)
        dated = event or (
            rtype_record.get("category") == "stance"
            and head.pos_ == "VERB"
            and modality.tense(head) == "present"
        )
        if dated:
            future = certainty == "hypothetical" or modality.future(head)
            date, date_text, date_tokens = self._date(head, sent, future)
            point = date  # "two weeks later" counts from the date itself, not "since"
            if date and "/" not in date and syntax.begun(head) and not future:
                date = f"{date}/.."  # "had begun discussing ... in the fall of 2024": from then
            elif date and "/" not in date and syntax.ended(head) and not future:
                date = f"../{date}"  # "talks collapsed in March", "freed after talks": until
            clause = syntax.clause_of(head)
            quote_tokens += [t for t in date_tokens if clause.start <= t.i < clause.end]
        elif found.get("date"):  # a role held in a dated event: a candidacy in its election
            date = found["date"]
        if event:
            place, place_tokens = self._place(head, target, rtype)
            quote_tokens += place_tokens
            where = target if rtype in PLACE_TARGETS else place
            if where and self.names.type_of(where) == "place" and not negated:
                self.last_place[source] = where  # "X's visit" later: there
        if event and rtype and not negated and certainty != "hypothetical":
            self.last_actor[rtype] = source
            kinds = {self.names.type_of(source), self.names.type_of(target)}
            if rtype_record.get("symmetric") and len(kinds) == 1:
                self.last_pair[kinds.pop()] = (self.sentence_no, (source, target))
            self.last_target[rtype] = target
            if date and not modality.pluperfect(head) and not scope:
                self.last_date = point  # "two weeks later" counts from here
                self.story_date = (point, date_text, [])
        start = min(t.idx for t in quote_tokens if t.sent == sent)
        end = max(t.idx + len(t.text) for t in quote_tokens if t.sent == sent)
        quote = doc.text[start:end]
        note = found.get("note")
        if rtype is None:
            note = (
                f"no relation type fits '{head.lemma_}': add one with "
                f"diplograph add type --id {ids.slug(head.lemma_) or 'new-type'} "
                f"--label ... --inverse ... --category event --cue {head.lemma_.lower()}*"
            )
        self.out.append(
            Candidate(
                type=rtype,
                source=source,
                target=target,
                source_name=self.names.name_of(source),
                target_name=self.names.name_of(target),
                date=date,
                date_text=date_text,
                place=place if place not in (source, target) else None,
                certainty=certainty,
                cue=" ".join(t.text for t in sorted(cue_tokens, key=lambda t: t.i)),
                quote=quote,
                known=self.known.get(fact_key(rtype, source, target, self.types))
                if rtype
                else None,
                reported_by=reported_by,
                negated=negated,
                sentence=sent.text,
                start=offset + start,
                end=offset + end,
                note=note,
            )
        )

    def _date_of(self, text: str, future: bool) -> str | None:
        return when.resolve(text, self.published, future, self.last_date)

    def _date(self, head, sent, future: bool):
        """(date, date_text, tokens) of the cue's clause, else its sentence, else the
        paragraph's last date (past events), else the publication month (present)."""
        clause = syntax.clause_of(head)
        # "the 2020 protests": a date naming another noun is not the clause's
        dates = [e for e in self._dates if not syntax.names_a_noun(e, head)]
        inside = [
            e
            for e in dates
            if clause.start <= e.start < clause.end and not syntax.in_other_clause(e.root, head)
        ]
        # a relative clause keeps its dates ("The EU, which imposed sanctions in 2024,
        # welcomed the talks"), and in the present tense takes none from outside
        own_tense = (
            syntax.verb_of(head).dep_ in ("relcl", "acl") and modality.tense(head) == "present"
        )
        outside = [] if own_tense else [
            e for e in dates if not syntax.in_other_clause(e.root, head)
        ]  # fmt: skip
        for ent in sorted(inside or outside, key=lambda e: abs(e.start - head.i)):
            resolved = self._date_of(ent.text, future)
            if resolved:
                return resolved, ent.text, list(ent)
        if future:
            return None, None, []
        tense = modality.tense(head)
        if tense == "present":  # no date words to quote: date_text stays empty
            return self.published[:7], None, []
        if tense == "past" and self.paragraph_date:
            return self.paragraph_date[0], self.paragraph_date[1], []
        if tense == "past" and self.story_date and not modality.pluperfect(head):
            return self.story_date  # a paragraph without dates goes on from the last one
        return None, None, []

    def _place(self, head, target, rtype):
        """(place id, tokens): "in Minsk", "at the border" on the cue's clause."""
        by_token = self._cache
        objects = [p for c in head.children if c.dep_ in ("prep", "dobj") for p in [c, *c.children]]
        # "met with her counterpart X in Geneva": the place hangs on the name
        objects += [a for o in objects for a in o.children if a.dep_ == "appos"]
        for tok in (head, *objects, *head.ancestors):
            for prep in tok.children:
                wheres = PLACE_PREPS | ({"from"} if rtype in ("escorted", "released") else set())
                if prep.dep_ != "prep" or prep.lower_ not in wheres:
                    continue
                for pobj in prep.children:
                    if pobj.dep_ != "pobj":
                        continue
                    m = by_token.get(pobj.i)
                    if m is not None and self.names.type_of(m.eid) in ("place", "country"):
                        if m.eid == target and rtype in PLACE_TARGETS:
                            continue
                        if self.names.type_of(m.eid) == "country" and rtype not in ("met",):
                            continue
                        return m.eid, [prep, pobj]
                    if m is None and pobj.lemma_.lower() in PLACE_NOUNS and syntax.definite(pobj):
                        words_ = " ".join(
                            t.text for t in pobj.subtree if t.dep_ != "det" and t.i <= pobj.i
                        )
                        return self.names.propose(words_, "place"), [prep, *pobj.subtree]
            if (
                tok.pos_ == "VERB"
                and tok is not head
                and tok.dep_ not in ("xcomp", "conj", "advcl")
            ):
                break
        return None, []


def _distinct(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[tuple] = set()
    out = []
    for c in candidates:
        key = (c.type, c.source, c.target, c.date, c.certainty, c.negated, c.reported_by)
        if key in seen:
            continue
        seen.add(key)
        out.append(c)
    return out


def extract(
    text: str,
    entities: Iterable[dict],
    relation_types: Iterable[dict],
    published: str,
    relations: Iterable[dict] = (),
    nlp=None,
) -> tuple[list[Candidate], list[dict]]:
    """(candidates, new entities they use) of ``text``; see the module docstring."""
    extractor = Extractor(nlp or load(), entities, relation_types, published, relations)
    candidates = extractor.run(text)
    used = {e for c in candidates for e in (c.source, c.target, c.place, c.reported_by) if e}
    new = [p.record() for eid, p in extractor.names.proposed.items() if eid in used]
    return candidates, new

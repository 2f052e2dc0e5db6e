"""Candidate facts from an article, read with spaCy's dependency parse and named entities.

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
that kind), "they" and "their" (the last such list or pair). A group named with a
people's word ("four Ruritanian soldiers") is citizen (or official) of that country.

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
Two entities joined by a verb no type has give an untyped candidate (``type`` None) that
suggests ``add type``.

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
from dataclasses import dataclass, field

from ..model.text import fold
from . import geo, ids, when
from .extract import PLACE_TARGETS, Candidate, fact_key, known_facts

DEFAULT_MODEL = "en_core_web_sm"
#: Paragraphs longer than this are parsed in pieces (spaCy's own limit is 1,000,000).
MAX_PARAGRAPH = 100_000

#: Verbs and nouns of the CAMEO verb classes the vocabulary's cues lack, by type.
EXTRA_CUES: dict[str, list[str]] = {
    "met": ["meet", "meeting", "summit", "receive", "host talks"],
    "released": ["free", "release"],
    "imprisoned": ["jail", "detain", "imprison", "sentence"],
    "negotiates-with": ["negotiate", "talk", "dialogue", "negotiation"],
    "visited": ["visit", "travel to", "fly to", "arrive in", "arrive at"],
    "consulted": ["call", "phone", "speak with", "speak to", "talk to", "talk with"],
    "appeals-to": ["urge", "appeal to", "call on", "press"],
    "criticizes": ["criticize", "condemn", "denounce", "blame"],
    "accuses": ["accuse"],
    "threatens": ["threaten", "warn"],
    "sanctions": ["sanction"],
    "demands": ["demand"],
    "rejects": ["reject", "refuse", "rebuff"],
    "cooperates-with": ["praise", "welcome", "endorse", "sign"],
    "aids": ["help", "supply", "provide"],
    "envoy-of": ["envoy", "negotiator", "emissary"],
    "leads": ["rule", "leader", "president", "prime minister", "premier", "chancellor", "king"],
    "official-of": ["counterpart", "minister", "secretary", "official", "ambassador",
                    "spokesperson", "spokesman", "spokeswoman", "diplomat"],
    "escorted": ["escort", "accompany"],
}  # fmt: skip

#: Endings a cue's ``*`` may stand for: "negotiat*" is negotiate, negotiation,
#: negotiator; never "hostage" for "host*".
_ENDINGS = {
    "", "e", "es", "ed", "ing", "s", "ion", "ions", "ation", "ations", "or", "ors", "er",
    "ers", "ment", "ments", "y", "ies", "ied", "ity", "ive", "al", "ist", "ists", "ship",
}  # fmt: skip
#: Verbs of saying: a clause they govern is reported by their subject.
_SAYING = {
    "say", "tell", "report", "claim", "announce", "state", "add", "note", "confirm",
    "write", "insist", "argue", "allege", "declare", "reveal", "disclose", "assert",
    "acknowledge", "explain", "describe",
}  # fmt: skip
#: Heads that make what they govern a prospect: "is expected to meet", "plans to".
_PROSPECT = {
    "expect", "plan", "intend", "hope", "want", "need", "aim", "seek", "propose", "try",
    "wish", "prepare", "ready", "keen", "willing", "set", "due", "consider", "offer",
    "agree", "promise", "threaten", "able", "possible", "potential", "future", "proposed",
    "planned", "possibility", "prospect", "chance", "option", "idea", "if", "unless",
}  # fmt: skip
_MODALS = {"would", "could", "may", "might", "can", "will", "should", "must", "shall", "'ll",
           "’ll", "ca", "wo"}  # fmt: skip
_FUTURE = {"will", "shall", "'ll", "’ll", "wo"}
_HEDGES = {"likely", "probably", "possibly", "perhaps", "apparently", "reportedly",
           "allegedly", "seemingly", "presumably", "appear", "seem", "unclear"}  # fmt: skip
_NEGATIVE = {"not", "n't", "n’t", "never", "no", "neither", "nor", "without", "nobody",
             "none", "nothing"}  # fmt: skip
#: Nouns that stand for a government or a people's representatives.
_GROUP_NOUNS = {
    "official", "government", "administration", "authority", "leadership", "negotiator",
    "delegation", "diplomat", "force", "troop", "ministry", "regime", "side", "team",
    "counterpart", "envoy", "representative", "people", "military", "army", "embassy",
    "cabinet", "president", "leader", "minister", "prime", "state",
}  # fmt: skip
#: Nouns for a person a text names once and then refers to by role.
_ROLE_NOUNS = {
    "leader", "president", "envoy", "minister", "autocrat", "diplomat", "premier",
    "chancellor", "negotiator", "official", "secretary", "ambassador", "spokesman",
    "spokeswoman", "spokesperson", "dictator", "strongman", "opposition", "activist",
    "blogger", "journalist", "prisoner", "deputy", "counterpart", "emissary", "king",
    "general", "commander", "chief", "head", "mediator",
}  # fmt: skip
#: Verbs that carry an event noun's actor: "Minsk began its dialogue with".
_LIGHT_VERBS = {
    "hold", "have", "begin", "start", "make", "conduct", "resume", "launch", "host",
    "open", "continue", "pursue", "seek", "mark", "announce", "impose", "lift", "ease",
    "maintain", "keep", "extend", "secure", "win", "give", "pay", "undertake", "reopen",
    "send", "close",
}  # fmt: skip
_COPULAS = {"be", "become", "remain", "serve", "act"}
#: Prepositions that introduce the target of a verb without an object, by type kind.
_TARGET_PREPS = {"with", "to", "on", "against", "into", "for", "from", "toward", "towards"}
_PLACE_PREPS = {"in", "at", "inside", "near"}
_PLACE_NOUNS = {
    "border", "airport", "embassy", "palace", "residence", "crossing", "checkpoint",
    "center", "centre", "prison", "headquarters", "port", "harbour", "harbor", "summit",
    "base", "compound", "camp", "conference", "capital", "city", "village",
}  # fmt: skip
_NER_TYPES = {
    "PERSON": "person",
    "ORG": "organization",
    "GPE": "country",
    "NORP": "country",
    "LOC": "place",
    "FAC": "place",
    "EVENT": "event",
}
#: Words spaCy may tag as an organisation inside a title ("Secretary of State").
_NOT_NAMES = {"state", "department", "ministry", "office", "foreign ministry", "cabinet"}
#: Nouns for what someone says or asks: "rejected the demands of X" is about X.
_SPEECH_NOUNS = {
    "demand", "request", "proposal", "offer", "call", "appeal", "plan", "claim", "statement",
    "position", "ultimatum", "plea", "initiative", "overture", "bid", "condition",
}  # fmt: skip
#: Verbs whose object is sought, not done: "negotiated their release".
_SEEKING = {"negotiate", "discuss", "seek", "demand", "request", "push", "urge", "want"}
#: Nouns for people a group of whom holds a country's citizenship.
_PEOPLE_NOUNS = {
    "citizen", "national", "soldier", "guard", "prisoner", "hostage", "journalist", "worker",
    "student", "fisherman", "sailor", "civilian", "man", "woman", "people", "detainee",
    "conscript", "pilot", "tourist", "activist", "volunteer", "captive", "crew", "resident",
}  # fmt: skip
#: Nouns for a state's officials.
_OFFICIAL_NOUNS = {"official", "diplomat", "minister", "officer", "ambassador", "envoy"}
_PLURAL_PRONOUNS = {"they", "them", "their", "theirs"}
#: "the two men", "the two countries": the kind of entity each plural noun stands for.
_KIND_OF_PAIR = {
    **dict.fromkeys(("man", "men", "woman", "women", "leader", "minister", "envoy",
                     "diplomat", "official", "negotiator", "prisoner", "citizen",
                     "president", "politician", "hostage", "foreign minister"), "person"),
    **dict.fromkeys(("country", "nation", "side", "government", "state", "neighbor",
                     "neighbour", "capital", "party"), "country"),
}  # fmt: skip
_PRONOUNS = {"he": "person", "him": "person", "his": "person", "she": "person",
             "her": "person", "hers": "person"}  # fmt: skip
#: Verbs that join two entities without being a relation of their own.
_NOT_RELATIONS = {
    "be", "have", "do", "say", "tell", "report", "become", "remain", "seem", "appear",
    "make", "take", "give", "get", "show", "want", "need", "see", "know", "think", "let",
    "include", "mark", "call", "describe", "like", "find", "value", "follow", "use", "try",
    "leave", "keep", "put", "go", "come", "play", "move", "expect", "consider", "satisfy",
    "succeed", "fail", "bring", "squeeze", "emerge", "offer", "engage", "receive", "send",
}  # fmt: skip


#: Titles before a name, never a name of their own.
_TITLES = {"president", "gen", "general", "mr", "mrs", "ms", "dr", "sir", "king", "queen",
           "prime", "minister", "foreign", "secretary", "senator", "sen", "rep", "prince",
           "ambassador", "envoy", "chancellor", "deputy", "special", "the", "st"}  # fmt: skip


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
        self.proposed: dict[str, Proposed] = {}
        for entity in entities:
            self._index(entity)

    def _index(self, entity: dict) -> None:
        eid = entity["id"]
        self.records[eid] = entity
        for name in (eid.replace("-", " "), entity.get("name", ""), *entity.get("aliases", [])):
            self._name(eid, name)
        self._short(eid, entity)

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
                    if word not in _TITLES:  # "President Trump" is not "President"
                        self.short.setdefault(word, set()).add(eid)

    def lookup(self, raw: str, single_proper: bool) -> str | None:
        """The one entity ``raw`` names, or None (unknown, or ambiguous)."""
        key = fold(raw)
        if not key:
            return None
        found = self.exact.get(key) or (self.exact.get(key[4:]) if key[:4] == "the " else None)
        if not found and raw.replace(".", "").isupper():
            found = self.acronyms.get(key)
        if not found and single_proper:
            found = self.short.get(key)
            if found and len(found) > 1:  # the surname of several: the first name decides
                return None
        if found and len(found) > 1:
            named = {e for e in found if fold(self.records[e].get("name", "")) == key}
            found = named or found
        return next(iter(found)) if found and len(found) == 1 else None

    def propose(self, name: str, entity_type: str) -> str:
        """A new entity named ``name`` (or the one already proposed under it)."""
        known = self.lookup(name, " " not in name)
        if known:
            return known
        eid = ids.entity_id(name, entity_type, set(self.records))
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


@dataclass
class _Mention:
    start: int  # token indexes in the paragraph's Doc
    end: int
    eid: str
    seat: str | None = None  # the country this place's name may stand for


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


class Extractor:
    """One article's reading: entities met so far, the last dates and actors."""

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
        self.single, self.multi = _cue_tables(self.types)
        self.last_person: list[str] = []  # most recent last
        self.roles: dict[str, str] = {}  # role noun lemma -> person last given it
        self.last_date: str | None = None
        self.last_actor: dict[str, str] = {}  # type -> its last actor
        self.last_target: dict[str, str] = {}  # type -> its last target
        self.out: list[Candidate] = []
        self.recent: list[str] = []  # entities named, most recent last
        self.last_plural: tuple[int, list[str]] | None = None  # (sentence, entities)
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
        dateline = _dateline_end(
            sent
        )  # "DOHA, Sept 11 (Gulf Wire) —": the report's, not the fact's
        self._dates = [
            _widened(e) for e in doc.ents if e.label_ == "DATE" and dateline <= e.start < sent.end
        ]
        self._cache = by_token
        dated = [
            (resolved, e.text)
            for e in self._dates
            if (resolved := self._date_of(e.text, future=False))
            and not _future(e.root)
            and not _pluperfect(e.root)
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
            self._group_of_people(doc, sent, offset, m)
        if len(self.out) == before:
            self._untyped(doc, sent, offset, by_token, used)
        self._remember(mentions)
        if dated:
            self.paragraph_date = dated[-1]

    def _group_of_people(self, doc, sent, offset, m: _Mention) -> None:
        """A group named with a people's word: "four Ruritanian soldiers" are citizens of
        Ruritania, "three Ruritanian officials" officials of Ruritania."""
        if self.names.type_of(m.eid) != "group" or m.end - m.start < 2:
            return
        span = doc[m.start : m.end]
        head = span.root
        lemma = head.lemma_.lower()
        rtype = "official-of" if lemma in _OFFICIAL_NOUNS else "citizen-of"
        if rtype not in self.types or (rtype == "citizen-of" and lemma not in _PEOPLE_NOUNS):
            return
        for tok in span:
            if tok is head or tok.dep_ not in ("amod", "compound", "nmod"):
                continue
            country = geo.country_of_people(tok.text, self.names.countries())
            eid = self.names.lookup(country or tok.text, False)
            if eid and eid != m.eid and self.names.type_of(eid) == "country":
                found = {"source": m.eid, "target": eid, "scope": head}
                self._add(doc, sent, offset, head, [head, tok], rtype, found)
                return

    def _remember(self, mentions: list[_Mention]) -> None:
        for m in mentions:
            eid = m.eid
            if eid in self.recent:
                self.recent.remove(eid)
            self.recent.append(eid)
            if self.names.type_of(m.eid) == "person":
                if m.eid in self.last_person:
                    self.last_person.remove(m.eid)
                self.last_person.append(m.eid)

    # -- entities ---------------------------------------------------------------------

    def _mentions(self, doc, sent) -> list[_Mention]:
        """Names of known entities (longest first), then names spaCy tags that are new."""
        found: list[_Mention] = []
        i = sent.start
        while i < sent.end:
            tok = doc[i]
            if tok.is_punct or tok.tag_ == "POS" or not tok.text.strip():
                i += 1
                continue
            for size in range(min(8, sent.end - i), 0, -1):
                span = doc[i : i + size]
                last = span[-1]
                if last.is_punct or last.tag_ == "POS":
                    continue
                single = size == 1 and tok.pos_ == "PROPN"
                eid = self.names.lookup(span.text, single)
                if eid is None and size > 1 and span[0].lower_ == "the":
                    continue
                if eid:
                    found.append(_Mention(i, i + size, eid, geo.country_of_seat(span.text)))
                    i += size
                    break
            else:
                i += 1
        taken = {k for m in found for k in range(m.start, m.end)}
        for ent in doc.ents:
            if not (sent.start <= ent.start < sent.end) or ent.label_ not in _NER_TYPES:
                continue
            tokens = [t for t in ent if t.tag_ != "POS" and t.lower_ != "the"]
            while tokens and tokens[-1].is_punct:
                tokens.pop()
            if not tokens or any(t.i in taken for t in tokens):
                continue
            text = doc[tokens[0].i : tokens[-1].i + 1].text
            if not re.search(r"[A-Za-z]{2}", text) or text.lower() in _PRONOUNS:
                continue
            eid = self._new_entity(text, ent.label_, tokens[-1])
            if eid:
                found.append(
                    _Mention(tokens[0].i, tokens[-1].i + 1, eid, geo.country_of_seat(text))
                )
                taken.update(t.i for t in tokens)
        return sorted(found, key=lambda m: m.start)

    def _new_entity(self, text: str, label: str, last) -> str | None:
        if label == "NORP":
            country = geo.country_of_people(text, self.names.countries())
            return self.names.propose(country, "country") if country else None
        kind = _NER_TYPES[label]
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
        if label == "ORG" and (last.pos_ != "PROPN" or fold(text) in _NOT_NAMES):
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
        if lower in _PLURAL_PRONOUNS and tok.pos_ == "PRON":
            recent = [self.last_plural, *self.last_pair.values()]
            recent = [r for r in recent if r and r[0] >= self.sentence_no - 1]
            # "he met with X, and ... they discussed": the last pair named
            return list(max(recent, key=lambda r: r[0])[1]) if recent else []
        found: list[str] = []
        for child in tok.children:  # "two French citizens, A and B"
            if child.dep_ == "appos" and child.i in by_token:
                found = [by_token[t.i].eid for t in _with_conj(child) if t.i in by_token]
                break
        if not found and tok.lemma_.lower() in _GROUP_NOUNS:  # "French and German officials"
            for child in tok.children:
                if child.dep_ in ("amod", "compound", "nmod") and child.i in by_token:
                    conj = [by_token[t.i] for t in _with_conj(child) if t.i in by_token]
                    if len(conj) > 1:
                        found = [self._as_actor(m) if (actor or m.seat) else m.eid for m in conj]
                        break
        if not found and tok.tag_ in ("NNS", "NNPS") and _definite(tok):
            two = [c for c in tok.children if c.dep_ == "nummod" and c.lower_ in ("two", "both")]
            kind = _KIND_OF_PAIR.get(tok.lemma_.lower())
            if two and kind:  # "the two men", "the two countries"
                found = self._last_two(tok, kind)
        found = list(dict.fromkeys(found))
        if len(found) > 1:
            self.last_plural = (self.sentence_no, found)
            return found
        return []

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
        if lower in _PRONOUNS and tok.pos_ == "PRON":
            return self._last_person(tok)
        for child in tok.children:  # "his deputy Eva Lind", "the prisoner, Yuri Zenkovich"
            if child.dep_ == "appos" and child.i in by_token:
                return by_token[child.i].eid
        lemma = tok.lemma_.lower()
        if tok.pos_ == "NOUN" and tok.tag_ == "NN" and lemma in _ROLE_NOUNS and _definite(tok):
            # "the envoy", "the contested Belarusian leader": the person last named
            return self.roles.get(lemma) or self._last_person(tok)
        if lemma in _GROUP_NOUNS or lemma == "those":
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

    def _as_actor(self, m: _Mention) -> str:
        """A seat of government that acts is its country ("Minsk released")."""
        kind = self.names.type_of(m.eid)
        if m.seat and (kind in ("place", None) or m.eid in self.names.proposed):
            return self.names.propose(m.seat, "country")
        return m.eid

    # -- cues -------------------------------------------------------------------------

    def _cues(self, doc, sent, by_token) -> Iterator[tuple[list, str]]:
        tokens = [t for t in sent]
        for k, tok in enumerate(tokens):
            if tok.i in by_token and by_token[tok.i].end - by_token[tok.i].start > 1:
                continue  # inside a name ("Minsk negotiations" stays a name)
            for words_, rtype in self.multi:
                span = tokens[k : k + len(words_)]
                if len(span) == len(words_) and all(
                    _matches(w, t) for w, t in zip(words_, span, strict=True)
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
                if lemma.startswith(stem) and lemma[len(stem) :] in _ENDINGS:
                    yield [tok], rtype

    # -- relations --------------------------------------------------------------------

    def _relations(self, doc, head, cue_tokens, rtype, by_token) -> list[dict]:
        category = self.types[rtype].get("category")
        among = _among(head) if category == "event" else []
        if among:
            return self._among(among, rtype, by_token)
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
            actors = _shared_subject(verb)
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
                said = prep.lower_ == "of" and prep.head.lemma_.lower() in _SPEECH_NOUNS
                if prep.lower_ in _TARGET_PREPS or prep in cue_tokens or said:
                    pobj = [c for c in prep.children if c.dep_ == "pobj"]
                    owner = pobj and _owner(pobj[0], by_token)
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
                for f in (e for t in freed for e in self._entities(t, by_token)):
                    out.append({"target": f, "type": release_of, "actors": True})
        if not patients and verb.dep_ == "pcomp" and rtype in ("released", "imprisoned"):
            return []
        if not patients and verb.lemma_.lower() not in _SAYING:
            # "xcomp" object: "Minsk will expect sanctions to be eased"
            for c in kids:
                if c.dep_ in ("ccomp", "xcomp"):
                    patients = [g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")]
                    break
        between = _between(verb)
        if between and self.types[rtype].get("symmetric"):
            out.extend(self._pair(between, by_token))
        note = None
        actor_ids = [e for a in actors for t in _with_conj(a) for e in self._actors(t, by_token)]
        actor_ids = list(dict.fromkeys(actor_ids))
        if not actor_ids and passive and rtype in self.last_actor:
            actor_ids = [self.last_actor[rtype]]
            note = "actor from an earlier sentence: check it"
        patient_ids = [
            e for p in patients for t in _with_conj(p) for e in self._targets(t, by_token, rtype)
        ]
        patient_ids = list(dict.fromkeys(patient_ids))
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
                if t.dep_ == "poss" and t.lower_ in _PRONOUNS
                for e in self._entities(t, by_token)
            }
        for a in actor_ids:
            for p in patient_ids:
                if a != p and p not in own:
                    out.append({"source": a, "target": p, "note": note, "inherited": inherited})
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

    def _noun(self, noun, rtype, by_token) -> list[dict]:
        symmetric = self.types[rtype].get("symmetric")
        if rtype == "released" and noun.dep_ == "dobj" and noun.head.lemma_ in _SEEKING:
            return []  # "negotiated their release": sought, not done
        between = [t for c in noun.children if c.dep_ == "prep" and c.lower_ == "between"
                   for t in c.children if t.dep_ == "pobj"]  # fmt: skip
        if between:
            return [{**f, "scope": noun} for f in self._pair(_with_conj(between[0]), by_token)]
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
        if symmetric and not actors and all(e is not None and e.i in by_token for e in ends):
            # "a meeting of X with Y"
            found = self._pair(ends, by_token)
            if found:
                return [{**f, "scope": noun} for f in found]
        hyphenated = any("-" in c.text for c in noun.lefts)
        if symmetric and (pair_mod or hyphenated) and not targets:  # "U.S.-Russian talks"
            ends = [t for c in pair_mod for t in _with_conj(c)]
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
            (noun.dep_ == "dobj" and noun.head.lemma_ in _LIGHT_VERBS)
            or (noun.dep_ == "pobj" and noun.head.head.lemma_ in _LIGHT_VERBS)
        ):
            verb = noun.head if noun.dep_ == "dobj" else noun.head.head
            actors = [c for c in verb.children if c.dep_ == "nsubj"] or _shared_subject(verb)
            if not targets and verb.pos_ == "VERB":
                for c in verb.children:
                    preps = _TARGET_PREPS | (_PLACE_PREPS if rtype in PLACE_TARGETS else set())
                    if c.dep_ == "prep" and c.lower_ in preps:
                        targets += [t for t in c.children if t.dep_ == "pobj"]
        if not actors or not targets:
            return []
        out = []
        inside = all(a.head is noun for a in actors)
        sources = [e for a in actors for e in self._actors(a, by_token)]
        for source in dict.fromkeys(sources):
            for target in (
                e for t in _with_conj(targets[0]) for e in self._targets(t, by_token, rtype)
            ):
                if source != target:
                    found = {"source": source, "target": target}
                    out.append({**found, "scope": noun} if inside else found)
        return out

    def _hyphen_pair(self, noun, by_token) -> list[_Mention]:
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
                        out.append(_Mention(c.i, c.i + 1, eid))
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
                holders = [by_token[t.i].eid for t in _with_conj(appos) if t.i in by_token]
                holder, title = holders[0], True
        if holder is None and noun.dep_ == "appos" and noun.head.i in by_token:
            holder = by_token[noun.head.i].eid  # "Tsikhanouski, a popular blogger"
        if holder is None and noun.dep_ in ("attr", "acomp") and noun.head.lemma_ in _COPULAS:
            subj = [c for c in noun.head.children if c.dep_ == "nsubj"] or _shared_subject(
                noun.head
            )
            holder = self._entity(subj[0], by_token) if subj else None
        if holder is None and noun.dep_ == "pobj" and noun.head.lower_ == "as":
            subj = [c for c in noun.head.head.children if c.dep_ == "nsubj"]
            holder = self._entity(subj[0], by_token) if subj else None
        if holder is None and noun.dep_ == "pobj" and noun.head.lower_ == "of":
            one = noun.head.head  # "one of the leaders of ...": the "one" is who
            if one.lower_ == "one" and one.dep_ == "appos" and one.head.i in by_token:
                holder = by_token[one.head.i].eid
        if holder is None and noun.dep_ == "pobj" and noun.head.lower_ == "with":
            holder = self._entity(noun.head.head, by_token)  # "a prisoner with U.S. citizenship"
            title = holder is not None
        if holder is None and _definite(noun):
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
                    if pobj:
                        of = self._entity(pobj[0], by_token, actor=True)
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
            if verb.pos_ != "VERB" or verb.i in used or verb.lemma_.lower() in _NOT_RELATIONS:
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

    # -- one candidate ----------------------------------------------------------------

    def _add(self, doc, sent, offset, head, cue_tokens, rtype, found) -> None:
        source, target = found["source"], found["target"]
        rtype = found.get("type", rtype)
        rtype_record = self.types.get(rtype or "", {})
        event = rtype is None or rtype_record.get("category") == "event"
        scope = found.get("scope")  # a noun's own relation: only its own words count
        negated = _negated(head, scope is not None)
        certainty, reporter = _certainty(head, scope is not None)
        reported_by = self._entity(reporter, self._cache) if reporter else None
        if certainty == "reported" and not reported_by:
            certainty = "stated"
        date = date_text = place = point = None
        quote_tokens = [*cue_tokens]
        for eid in (source, target):
            quote_tokens += _tokens_naming(eid, head, self._cache, sent)
        dated = event or (
            rtype_record.get("category") == "stance"
            and head.pos_ == "VERB"
            and _tense(head) == "present"
        )
        if dated:
            future = certainty == "hypothetical" or _future(head)
            date, date_text, date_tokens = self._date(head, sent, future)
            point = date  # "two weeks later" counts from the date itself, not "since"
            if date and "/" not in date and _begun(head) and not future:
                date = f"{date}/.."  # "had begun discussing ... in the fall of 2024": from then
            elif date and "/" not in date and _ended(head) and not future:
                date = f"../{date}"  # "talks collapsed in March", "freed after talks": until
            clause = _clause_of(head)
            quote_tokens += [t for t in date_tokens if clause.start <= t.i < clause.end]
        if event:
            place, place_tokens = self._place(head, target, rtype)
            quote_tokens += place_tokens
        if event and rtype and not negated and certainty != "hypothetical":
            self.last_actor[rtype] = source
            kinds = {self.names.type_of(source), self.names.type_of(target)}
            if rtype_record.get("symmetric") and len(kinds) == 1:
                self.last_pair[kinds.pop()] = (self.sentence_no, (source, target))
            self.last_target[rtype] = target
            if date and not _pluperfect(head) and not scope:
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
        clause = _clause_of(head)
        inside = [
            e
            for e in self._dates
            if clause.start <= e.start < clause.end and not _in_other_clause(e.root, head)
        ]
        # a relative clause keeps its dates ("The EU, which imposed sanctions in 2024,
        # welcomed the talks"), and in the present tense takes none from outside
        own_tense = _verb_of(head).dep_ in ("relcl", "acl") and _tense(head) == "present"
        outside = [] if own_tense else [
            e for e in self._dates if not _in_other_clause(e.root, head)
        ]  # fmt: skip
        for ent in sorted(inside or outside, key=lambda e: abs(e.start - head.i)):
            resolved = self._date_of(ent.text, future)
            if resolved:
                return resolved, ent.text, list(ent)
        if future:
            return None, None, []
        tense = _tense(head)
        if tense == "present":  # no date words to quote: date_text stays empty
            return self.published[:7], None, []
        if tense == "past" and self.paragraph_date:
            return self.paragraph_date[0], self.paragraph_date[1], []
        if tense == "past" and self.story_date and not _pluperfect(head):
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
                wheres = _PLACE_PREPS | ({"from"} if rtype in ("escorted", "released") else set())
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
                    if m is None and pobj.lemma_.lower() in _PLACE_NOUNS and _definite(pobj):
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


# -- helpers on the parse ------------------------------------------------------------------


def _dateline_end(sent) -> int:
    """The index after a dateline opening ``sent`` ("MINSK, June 21 (Reuters) —")."""
    first = sent[0]
    if not (first.text.isupper() and len(first.text) > 2):
        return sent.start
    for tok in sent[:12]:
        if tok.text in ("—", "–", "--"):
            return tok.i + 1
    return sent.start


def _cue_tables(types: dict[str, dict]):
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


def _matches(word: str, tok) -> bool:
    lemma = tok.lemma_.lower()
    if word.endswith("*"):
        stem = word[:-1]
        return any(w.startswith(stem) and w[len(stem) :] in _ENDINGS for w in (lemma, tok.lower_))
    return word in (lemma, tok.lower_)


def _owner(tok, by_token):
    """The possessor naming ``tok``'s owner when ``tok`` is a thing, not a person:
    "X's oil sector" -> X (None for "X's deputy")."""
    if tok.i in by_token or tok.pos_ != "NOUN":
        return None
    if tok.lemma_.lower() in _ROLE_NOUNS | _GROUP_NOUNS | set(_KIND_OF_PAIR):
        return None
    return next((c for c in tok.children if c.dep_ == "poss" and c.i in by_token), None)


def _among(head) -> list:
    """The names "among those freed was Y" and "Y was among those released" say it of."""
    group = head.head if head.dep_ == "acl" and head.head.lower_ in ("those", "them") else head
    if group.dep_ != "pobj" or group.head.lower_ != "among":
        return []
    if group is head and not any(c.lower_ == "those" for c in head.children):
        return []
    verb = group.head.head
    named = [c for c in verb.children if c.dep_ in ("nsubj", "attr") and c is not group.head]
    return [t for c in named for t in _with_conj(c)]


def _with_conj(tok) -> list:
    return [tok, *[c for c in tok.conjuncts if c.i > tok.i]]


def _shared_subject(verb) -> list:
    """The subject a clause without one takes from the verb it hangs from."""
    seen = 0
    while seen < 6 and verb.head.i != verb.i:
        seen += 1
        if verb.dep_ in ("xcomp", "conj", "advcl", "acl", "ccomp", "pcomp", "prep", "pobj"):
            head = verb.head
            if verb.dep_ == "pcomp" or head.pos_ == "ADP":
                head = head.head
            subj = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subj:
                return subj
            verb = head
        else:
            break
    return []


def _between(tok) -> list:
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "between":
            pobj = [t for t in c.children if t.dep_ == "pobj"]
            return _with_conj(pobj[0]) if pobj else []
    return []


def _definite(tok) -> bool:
    return any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children)


def _chain(tok) -> list:
    """``tok`` and the words it depends on, up to its sentence's root or a colon or
    semicolon between them (the parse joins what they separate)."""
    out = [tok]
    for up in tok.ancestors:
        low, high = sorted((out[-1].i, up.i))
        if any(t.text in (":", ";") for t in tok.doc[low:high]):
            break
        out.append(up)
    return out


def _negated(tok, own: bool = False) -> bool:
    """A "not", "no", "never" on ``tok`` or a word it depends on (``own``: on it only)."""
    for t in _chain(tok)[:1] if own else _chain(tok):
        for c in t.children:
            if c.dep_ == "neg" or (c.dep_ in ("det", "advmod") and c.lower_ in _NEGATIVE):
                return True
            if c.dep_ == "nsubj" and c.lower_ in ("no", "nobody", "none", "nothing"):
                return True
            if c.dep_ == "nsubj" and any(g.lower_ == "no" for g in c.children):
                return True  # "No one is planning to"
        if t.dep_ == "pobj" and t.head.lower_ == "without":
            return True
    return False


def _certainty(tok, own: bool = False) -> tuple[str, object]:
    """(certainty, the token naming who reported it or None), from ``tok`` and the words
    it depends on (``own``: its own modifiers only, for a noun's relation)."""
    hypothetical = hedged = future = False
    reporter = None
    for t in _chain(tok)[:1] if own else _chain(tok):
        lemma = t.lemma_.lower()
        for c in t.children:
            if c.dep_ in ("aux", "auxpass") and c.lower_ in _FUTURE:
                future = True  # "will": a prospect, unless a hedge says how likely
            elif c.dep_ in ("aux", "auxpass") and c.lower_ in _MODALS:
                hypothetical = True
            if c.dep_ == "advmod" and c.lower_ in _HEDGES:
                hedged = True
            if c.dep_ == "mark" and c.lower_ in ("if", "unless"):
                hypothetical = True
            if c.dep_ == "amod" and c.lower_ in _PROSPECT:
                hypothetical = True  # "the possible release of"
            if c.dep_ == "prep" and c.lower_ == "according":
                for to in c.children:
                    reporter = reporter or next((p for p in to.children if p.dep_ == "pobj"), None)
            if c.dep_ == "acomp" and c.lower_ in ("likely", "possible", "probable"):
                hedged = hedged or t is not tok
        if t is not tok and lemma in _PROSPECT and t.pos_ in ("VERB", "ADJ", "NOUN"):
            hypothetical = True
        if t is not tok and lemma in ("appear", "seem"):
            hedged = True
        if t is not tok and lemma in _SAYING and t.pos_ == "VERB" and reporter is None:
            reporter = next((c for c in t.children if c.dep_ == "nsubj"), None)
        if t.lower_ in ("likely", "probably", "reportedly"):
            hedged = True
    if hypothetical or (future and not hedged):
        return "hypothetical", reporter
    if reporter is not None:
        return "reported", reporter
    if hedged:
        return "hedged", None
    return "stated", None


def _future(tok) -> bool:
    for t in _chain(tok):
        if any(c.dep_ == "aux" and c.lower_ in ("will", "'ll", "’ll", "shall") for c in t.children):
            return True
        if t.pos_ == "VERB":
            break
    return False


def _pluperfect(tok) -> bool:
    """ "had begun": a flashback, not the story's clock."""
    return any(
        c.dep_ == "aux" and c.lower_ == "had"
        for t in _chain(tok)
        if t.pos_ in ("VERB", "AUX")
        for c in t.children
    )


def _tense(tok) -> str | None:
    """The tense of ``tok``'s clause; a gerund or infinitive without an auxiliary takes
    the tense of the verb it hangs from ("By releasing X, Y showed")."""
    verbs = [t for t in _chain(tok) if t.pos_ in ("VERB", "AUX")]
    if not verbs:
        return None
    verb = verbs[0]
    for v in verbs:
        aux = any(c.dep_ in ("aux", "auxpass") for c in v.children)
        if v.tag_ in ("VBD", "VBZ", "VBP") or aux or v.dep_ in ("relcl", "acl"):
            verb = v
            break
    tags = {verb.tag_, *(c.tag_ for c in verb.children if c.dep_ in ("aux", "auxpass"))}
    if tags & {"VBD"} or (verb.tag_ == "VBN" and not tags & {"VBZ", "VBP"}):
        return "past"
    if tags & {"VBZ", "VBP"} or (verb.tag_ == "VBG" and tags & {"VBZ", "VBP"}):
        if any(c.lower_ in ("has", "have") for c in verb.children if c.dep_ == "aux"):
            return "present"
        return "present"
    return None


_PART_OF = {"fall", "autumn", "spring", "summer", "winter", "end", "beginning", "start",
            "middle", "turn"}  # fmt: skip


def _widened(ent):
    """A date phrase with the words before it that spaCy left out: "the fall of" 2024,
    "late" January."""
    doc, start = ent.doc, ent.start
    if start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in _PART_OF:
        start -= 2
        if start >= 1 and doc[start - 1].lower_ == "the":
            start -= 1
    elif start >= 1 and doc[start - 1].lower_ in ("early", "late", "mid"):
        start -= 1
    return doc[start : ent.end] if start != ent.start else ent


_BEGIN = {"begin", "start", "launch", "initiate", "open", "resume"}


def _begun(tok) -> bool:
    """Whether ``tok`` is what a verb of beginning governs ("began talks", "started
    negotiating"): a relation from then on."""
    if tok.lemma_.lower() in _BEGIN and tok.pos_ == "VERB":
        return False
    for up in _chain(tok)[1:3]:
        if up.pos_ == "VERB":
            return up.lemma_.lower() in _BEGIN
    return False


_END = {"collapse", "end", "stall", "cease", "halt", "fail", "conclude", "break"}


def _ended(tok) -> bool:
    """Whether the event noun ``tok`` is said to have ended by its date ("talks between
    them collapsed in March") or to come before it ("freed ... after talks")."""
    if tok.pos_ != "NOUN":
        return False
    if tok.dep_ == "nsubj" and tok.head.lemma_.lower() in _END:
        return True
    return tok.dep_ == "pobj" and tok.head.lower_ == "after"


def _verb_of(tok):
    return next((t for t in _chain(tok) if t.pos_ in ("VERB", "AUX")), tok)


def _in_other_clause(tok, head) -> bool:
    """Whether ``tok`` is inside a relative clause that ``head`` is not in."""
    for up in (tok, *tok.ancestors):
        if up.dep_ in ("relcl", "acl") and up.pos_ in ("VERB", "AUX"):
            return head not in up.subtree
    return False


def _clause_of(tok):
    verb = next((t for t in _chain(tok) if t.pos_ in ("VERB", "AUX")), tok)
    subtree = list(verb.subtree)
    return verb.doc[subtree[0].i : subtree[-1].i + 1]


def _tokens_naming(eid: str, head, by_token, sent) -> list:
    """The tokens of the mention of ``eid`` nearest the cue in its sentence."""
    spans = [m for m in {id(m): m for m in by_token.values()}.values() if m.eid == eid]
    if not spans:
        return []
    m = min(spans, key=lambda m: abs(m.start - head.i))
    if abs(m.start - head.i) > 40:
        return []
    return [head.doc[m.start], head.doc[m.end - 1]]


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

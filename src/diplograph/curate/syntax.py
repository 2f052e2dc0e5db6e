"""Small readings of spaCy's dependency parse the extractor's modules share: a word's
chain of heads, its clause, conjuncts, a shared subject, "between X and Y", "among those
freed", datelines, a date phrase widened, begun and ended relations."""

from __future__ import annotations

from .lexicon import (
    GROUP_NOUNS,
    KIND_OF_PAIR,
    OBJECT_CONTROL,
    ROLE_NOUNS,
)

_PART_OF = {"fall", "autumn", "spring", "summer", "winter", "end", "beginning", "start",
            "middle", "turn"}  # fmt: skip

_BEGIN = {"begin", "start", "launch", "initiate", "open", "resume"}

_END = {"collapse", "end", "stall", "cease", "halt", "fail", "conclude", "break"}


def chain(tok) -> list:
    """``tok`` and the words it depends on, up to its sentence's root or a colon or
    semicolon between them (the parse joins what they separate)."""
    out = [tok]
    for up in tok.ancestors:
        low, high = sorted((out[-1].i, up.i))
        if any(t.text in (":", ";") for t in tok.doc[low:high]):
            break
        out.append(up)
    return out


def dateline_end(sent) -> int:
    """The index after a dateline opening ``sent`` ("MINSK, June 21 (Reuters) —")."""
    first = sent[0]
    if not (first.text.isupper() and len(first.text) > 2):
        return sent.start
    for tok in sent[:12]:
        if tok.text in ("—", "–", "--"):
            return tok.i + 1
    return sent.start


def thing_owner(tok, by_token):
    """The possessor naming ``tok``'s owner when ``tok`` is a thing, not a person:
    "X's oil sector" -> X (None for "X's deputy")."""
    if tok.i in by_token or tok.pos_ != "NOUN":
        return None
    if tok.lemma_.lower() in ROLE_NOUNS | GROUP_NOUNS | set(KIND_OF_PAIR):
        return None
    return next((c for c in tok.children if c.dep_ == "poss" and c.i in by_token), None)


def among_named(head) -> list:
    """The names "among those freed was Y" and "Y was among those released" say it of."""
    group = head.head if head.dep_ == "acl" and head.head.lower_ in ("those", "them") else head
    if group.dep_ != "pobj" or group.head.lower_ != "among":
        return []
    if group is head and not any(c.lower_ == "those" for c in head.children):
        return []
    verb = group.head.head
    named = [c for c in verb.children if c.dep_ in ("nsubj", "attr") and c is not group.head]
    return [t for c in named for t in with_conj(c)]


def names_a_noun(ent, head) -> bool:
    """Whether the date phrase ``ent`` is a modifier of a noun other than ``head``:
    "the 2020 protests", "last year's election"."""
    root = ent.root
    return (
        root.dep_ in ("compound", "amod", "nummod", "nmod", "poss")
        and root.head.pos_ in ("NOUN", "PROPN")
        and root.head is not head
    )


def that_of(noun) -> list:
    """The names "the release was that of Y" says the event noun ``noun`` was of."""
    subject = noun.head if noun.dep_ == "conj" else noun  # "the most notable and first release"
    if subject.dep_ != "nsubj" or subject.head.lemma_ != "be":
        return []
    for attr in subject.head.children:
        if attr.dep_ == "attr" and attr.lower_ == "that":
            return [t for c in attr.children if c.dep_ == "prep" and c.lower_ == "of"
                    for p in c.children if p.dep_ == "pobj" for t in with_conj(p)]  # fmt: skip
    return []


def with_conj(tok) -> list:
    return [tok, *[c for c in tok.conjuncts if c.i > tok.i]]


def subject_above(tok):
    """The nearest subject of the words ``tok`` depends on ("they are prepared to
    consider following advice from X": they), or None."""
    for up in list(tok.ancestors)[:6]:
        subj = [c for c in up.children if c.dep_ in ("nsubj", "nsubjpass")]
        if subj:
            return subj[0]
        if up.dep_ in ("relcl", "ccomp", "advcl", "parataxis"):
            return None
    return None


def infinitive(tok) -> bool:
    """ "to intervene": a verb with its "to"."""
    return tok.pos_ in ("VERB", "AUX") and any(
        c.dep_ == "aux" and c.tag_ == "TO" for c in tok.children
    )


def controller(verb):
    """The object that is the subject of an infinitive it governs: "counting on X to
    intervene", "urged X to leave" (X), or None."""
    head = verb.head
    if verb.dep_ not in ("xcomp", "advcl") or head.lemma_.lower() not in OBJECT_CONTROL:
        return None
    if not infinitive(verb):
        return None
    for c in head.children:
        if c.i > verb.i:
            break
        if c.dep_ == "dobj":
            return c
        if c.dep_ == "prep" and c.lower_ in ("on", "upon"):
            return next((p for p in c.children if p.dep_ == "pobj"), None)
    return None


def shared_subject(verb) -> list:
    """The subject a clause without one takes from the verb it hangs from (its object,
    for a verb of asking or counting on: "counting on X to intervene")."""
    seen = 0
    while seen < 6 and verb.head.i != verb.i:
        seen += 1
        controlling = controller(verb)
        if controlling is not None:
            return [controlling]
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


def between_names(tok) -> list:
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ == "between":
            pobj = [t for t in c.children if t.dep_ == "pobj"]
            return with_conj(pobj[0]) if pobj else []
    return []


def definite(tok) -> bool:
    return any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in tok.children)


def verb_of(tok):
    return next((t for t in chain(tok) if t.pos_ in ("VERB", "AUX")), tok)


def in_other_clause(tok, head) -> bool:
    """Whether ``tok`` is inside a relative clause that ``head`` is not in."""
    for up in (tok, *tok.ancestors):
        if up.dep_ in ("relcl", "acl") and up.pos_ in ("VERB", "AUX"):
            return head not in up.subtree
    return False


def clause_of(tok):
    verb = next((t for t in chain(tok) if t.pos_ in ("VERB", "AUX")), tok)
    subtree = list(verb.subtree)
    return verb.doc[subtree[0].i : subtree[-1].i + 1]


def tokens_naming(eid: str, head, by_token, sent) -> list:
    """The tokens of the mention of ``eid`` nearest the cue in its sentence."""
    spans = [m for m in {id(m): m for m in by_token.values()}.values() if m.eid == eid]
    if not spans:
        return []
    m = min(spans, key=lambda m: abs(m.start - head.i))
    if abs(m.start - head.i) > 40:
        return []
    return [head.doc[m.start], head.doc[m.end - 1]]


def widened(ent):
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


def begun(tok) -> bool:
    """Whether ``tok`` is what a verb of beginning governs ("began talks", "started
    negotiating"): a relation from then on."""
    if tok.lemma_.lower() in _BEGIN and tok.pos_ == "VERB":
        return False
    for up in chain(tok)[1:3]:
        if up.pos_ == "VERB":
            return up.lemma_.lower() in _BEGIN
    return False


def ended(tok) -> bool:
    """Whether the event noun ``tok`` is said to have ended by its date ("talks between
    them collapsed in March") or to come before it ("freed ... after talks")."""
    if tok.pos_ != "NOUN":
        return False
    if tok.dep_ == "nsubj" and tok.head.lemma_.lower() in _END:
        return True
    return tok.dep_ == "pobj" and tok.head.lower_ == "after"
